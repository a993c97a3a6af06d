// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the history file loader (outside bytes: whatever is in web.history_file) from
 * an exact-size copy. A refused image must leave the history unchanged and say where;
 * an accepted one must survive save and load again, and render as JSON.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/web/history.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct web_hist_point p = { 1, 0, 0, 2 };
	struct web_history h, h2;
	uint8_t *copy = malloc(size ? size : 1), *img;
	char err[256] = "";
	size_t i, len;
	int ret;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	web_history_init(&h);
	web_history_add(&h, "isp1", 1700000000, &p);
	ret = web_history_load_buf(&h, copy, size, err, sizeof(err));
	if (ret == -EINVAL) {
		if (!strstr(err, "byte ") || h.n != 1)
			abort();
	} else if (ret == 0) {
		for (i = 0; i < h.n; i++) {
			struct json_object *j = web_history_json(h.u[i], 1700000100);

			if (!j)
				abort();
			json_object_put(j);
		}
		if (web_history_save_buf(&h, &img, &len) == 0) {
			web_history_init(&h2);
			if (web_history_load_buf(&h2, img, len, err, sizeof(err)) != 0 ||
			    h2.n != h.n)
				abort();
			web_history_free(&h2);
			free(img);
		}
	} else if (ret != -ENOMEM) {
		abort();
	}
	web_history_free(&h);
	free(copy);
	return 0;
}
