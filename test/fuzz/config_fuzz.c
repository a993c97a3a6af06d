// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the configuration loader: libconfig syntax, the schema engine, the
 * cross-reference checks and config_free() on every path. The plugin list is
 * the harness's own: one probe plugin with keys, so CFG_PLUGIN paths run.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "plugin.h"

struct fuzz_probe {
	int port;
	char *query;
};

static const struct cfg_key fuzz_probe_keys[] = {
	{ "port", CFG_INT, offsetof(struct fuzz_probe, port), 0, .min = 1, .max = 65535, .def = 53 },
	{ "query", CFG_STRING, offsetof(struct fuzz_probe, query), 0, .def_str = "." },
	CFG_END
};

static const struct plugin fuzz_icmp = { .name = "icmp", .kind = PLUGIN_PROBE };
static const struct plugin fuzz_dns = {
	.name = "dns", .kind = PLUGIN_PROBE, .keys = fuzz_probe_keys,
	.conf_size = sizeof(struct fuzz_probe),
};

const struct plugin *const plugins[] = { &fuzz_icmp, &fuzz_dns, NULL };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg_diag d = { 0 };
	struct config *cfg;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	cfg = config_load_string(text, "fuzz.conf", &d);
	if (cfg) {
		size_t i;

		/* exercise the reload helpers too */
		for (i = 0; i < cfg->uplinks.n; i++) {
			struct cfg_uplink copy;

			memset(&copy, 0, sizeof(copy));
			if (schema_copy(config_uplink_keys, &copy, config_uplink(cfg, i)) == 0 &&
			    !schema_equal(config_uplink_keys, &copy, config_uplink(cfg, i)))
				abort();
			schema_free(config_uplink_keys, &copy);
		}
	}
	config_free(cfg);
	cfg_diag_free(&d);
	free(text);
	return 0;
}
