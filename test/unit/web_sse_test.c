// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SSE clients: at most WEB_SSE_CLIENTS_MAX; every send reaches every client's queue;
 * a client whose queue would pass WEB_SSE_QUEUE_MAX (it does not read) is dropped
 * instead of buffered; destroying a response frees its client.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/web/web_sse.h"

static void test_limits(void **state)
{
	struct MHD_Response *r[WEB_SSE_CLIENTS_MAX + 1];
	struct web_sse s;
	char *big;
	size_t i, sent = 0;

	(void)state;
	web_sse_init(&s);
	for (i = 0; i < WEB_SSE_CLIENTS_MAX; i++) {
		r[i] = web_sse_open(&s, NULL, "retry: 1\n\n", 10);
		assert_non_null(r[i]);
	}
	assert_int_equal(s.n, WEB_SSE_CLIENTS_MAX);
	assert_null(web_sse_open(&s, NULL, "x", 1)); /* full */
	/* nobody reads: the queues fill and every client is dropped, none grows past the cap */
	big = malloc(4096);
	assert_non_null(big);
	memset(big, 'a', 4095);
	big[4095] = '\0';
	while (!s.dropped && sent < 10 * WEB_SSE_QUEUE_MAX) {
		web_sse_send(&s, "status", big);
		sent += 4096;
	}
	assert_int_equal(s.dropped, WEB_SSE_CLIENTS_MAX);
	assert_true(sent <= WEB_SSE_QUEUE_MAX + 8192);
	web_sse_send(&s, NULL, NULL); /* dead clients take nothing more */
	assert_int_equal(s.dropped, WEB_SSE_CLIENTS_MAX);
	free(big);
	for (i = 0; i < WEB_SSE_CLIENTS_MAX; i++)
		MHD_destroy_response(r[i]);
	assert_int_equal(s.n, 0);
	assert_true(s.clients.next == &s.clients);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
