// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stubs for probe_test: uplink_health_changed() (uplink.c) only records calls.
 */
#include "uplink.h"

int probe_stub_changes;
enum health_state probe_stub_old, probe_stub_new;

void uplink_health_changed(struct uplink *u, enum health_state old)
{
	probe_stub_changes++;
	probe_stub_old = old;
	probe_stub_new = u->health.state;
}
