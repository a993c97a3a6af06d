// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the configuration loader: libconfig syntax, the schema engine, the
 * cross-reference checks and config_free() on every path, with the build's real
 * plugin list (build/plugins.c): every compiled-in plugin's schema and check()
 * (web, bgp, ipsec, the probes) is fuzzed, as the daemon loads them.
 *
 * The syntax explainer (config_syntax.c) is held to libconfig itself: it must
 * find nothing in a text libconfig takes, and find the mistake on the line
 * libconfig names in one it refuses. Messages come in line order; a loaded
 * configuration has one probe interval per uplink.
 */
#include <libconfig.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "plugin.h"

/* libconfig and the explainer agree on whether text parses, and where it stops */
static void check_explainer(const char *text)
{
	config_t lc;
	char msg[400];
	int ok, r, line = 0, at = 0;
	const char *why;

	if (strstr(text, "@include"))
		return; /* the included file is not the explainer's to read */
	config_init(&lc);
	ok = config_read_string(&lc, text) == CONFIG_TRUE;
	r = config_syntax_explain(text, &line, &at, msg, sizeof(msg));
	why = config_error_text(&lc);
	if (ok && r != 0)
		abort();
	if (!ok && why && (!strcmp(why, "syntax error") || !strcmp(why, "duplicate setting name")) &&
	    r >= 0 && (r != 1 || at != config_error_line(&lc) || line < 1 || !msg[0]))
		abort();
	config_destroy(&lc);
}

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
	if (!cfg != !!cfg_diag_errors(&d))
		abort();
	for (size_t i = 1; i < d.n; i++)
		if (d.lines[i - 1] > d.lines[i])
			abort();
	check_explainer(text);
	if (cfg) {
		size_t i;

		/* exercise the reload helpers too */
		for (i = 0; i < cfg->uplinks.n; i++) {
			const struct cfg_uplink *u = config_uplink(cfg, i);
			struct cfg_uplink copy;
			size_t j, k;

			/* every probe block runs at least one target, each named, and all
			 * blocks of an uplink share one interval */
			for (j = 0; j < u->probes.n; j++) {
				const struct cfg_probe *p = (const struct cfg_probe *)u->probes.v + j;

				if (p->interval_ms < 50 || p->interval_ms > 60000 ||
				    p->interval_ms != ((const struct cfg_probe *)u->probes.v)->interval_ms)
					abort();

				if (!cfg_probe_ntargets(p))
					abort();
				for (k = 0; k < cfg_probe_ntargets(p); k++)
					if (!cfg_probe_target(p, k))
						abort();
			}
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
