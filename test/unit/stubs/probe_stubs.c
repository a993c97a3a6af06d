// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stubs for probe_test: probe_stub_health_changed() (set as the uplink's
 * health_changed) only records calls. The uplink helpers are the real ones
 * (uplink.c).
 */
#include "uplink.h"

#include <arpa/inet.h>

int probe_stub_changes;
enum health_state probe_stub_old, probe_stub_new;

void probe_stub_health_changed(struct uplink *u, enum health_state old)
{
	probe_stub_changes++;
	probe_stub_old = old;
	probe_stub_new = u->health.state;
}
