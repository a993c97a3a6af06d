// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * VICI codec: the commands uplinkd sends, built and parsed back; real charon
 * replies and events (captured from Debian 12's charon-systemd 5.9.8, the same
 * bytes as test/fuzz/corpus/vici/) parsed, walked and re-encoded byte for byte;
 * framing across split reads; every malformed case with its reason and offset;
 * builder misuse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/monitor-ipsec/vici.h"

/* test/fuzz/corpus/vici/version-reply.bin */
static const uint8_t real_version_reply[104] = {
	0x00, 0x00, 0x00, 0x64, 0x01, 0x03, 0x06, 0x64, 0x61, 0x65, 0x6d, 0x6f,
	0x6e, 0x00, 0x0e, 0x63, 0x68, 0x61, 0x72, 0x6f, 0x6e, 0x2d, 0x73, 0x79,
	0x73, 0x74, 0x65, 0x6d, 0x64, 0x03, 0x07, 0x76, 0x65, 0x72, 0x73, 0x69,
	0x6f, 0x6e, 0x00, 0x05, 0x35, 0x2e, 0x39, 0x2e, 0x38, 0x03, 0x07, 0x73,
	0x79, 0x73, 0x6e, 0x61, 0x6d, 0x65, 0x00, 0x05, 0x4c, 0x69, 0x6e, 0x75,
	0x78, 0x03, 0x07, 0x72, 0x65, 0x6c, 0x65, 0x61, 0x73, 0x65, 0x00, 0x0f,
	0x36, 0x2e, 0x31, 0x38, 0x2e, 0x34, 0x34, 0x2d, 0x66, 0x63, 0x2d, 0x76,
	0x37, 0x36, 0x39, 0x03, 0x07, 0x6d, 0x61, 0x63, 0x68, 0x69, 0x6e, 0x65,
	0x00, 0x06, 0x78, 0x38, 0x36, 0x5f, 0x36, 0x34,
};

/* test/fuzz/corpus/vici/swanctl-load-conn-request.bin */
static const uint8_t real_load_conn[303] = {
	0x00, 0x00, 0x01, 0x2b, 0x00, 0x09, 0x6c, 0x6f, 0x61, 0x64, 0x2d, 0x63,
	0x6f, 0x6e, 0x6e, 0x01, 0x03, 0x77, 0x61, 0x6e, 0x04, 0x0b, 0x6c, 0x6f,
	0x63, 0x61, 0x6c, 0x5f, 0x61, 0x64, 0x64, 0x72, 0x73, 0x05, 0x00, 0x09,
	0x31, 0x39, 0x32, 0x2e, 0x30, 0x2e, 0x32, 0x2e, 0x31, 0x06, 0x04, 0x0c,
	0x72, 0x65, 0x6d, 0x6f, 0x74, 0x65, 0x5f, 0x61, 0x64, 0x64, 0x72, 0x73,
	0x05, 0x00, 0x09, 0x31, 0x39, 0x32, 0x2e, 0x30, 0x2e, 0x32, 0x2e, 0x32,
	0x06, 0x03, 0x07, 0x76, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e, 0x00, 0x01,
	0x32, 0x04, 0x09, 0x70, 0x72, 0x6f, 0x70, 0x6f, 0x73, 0x61, 0x6c, 0x73,
	0x05, 0x00, 0x16, 0x61, 0x65, 0x73, 0x31, 0x32, 0x38, 0x2d, 0x73, 0x68,
	0x61, 0x32, 0x35, 0x36, 0x2d, 0x6d, 0x6f, 0x64, 0x70, 0x32, 0x30, 0x34,
	0x38, 0x06, 0x01, 0x05, 0x6c, 0x6f, 0x63, 0x61, 0x6c, 0x03, 0x04, 0x61,
	0x75, 0x74, 0x68, 0x00, 0x03, 0x70, 0x73, 0x6b, 0x03, 0x02, 0x69, 0x64,
	0x00, 0x01, 0x61, 0x02, 0x01, 0x06, 0x72, 0x65, 0x6d, 0x6f, 0x74, 0x65,
	0x03, 0x04, 0x61, 0x75, 0x74, 0x68, 0x00, 0x03, 0x70, 0x73, 0x6b, 0x03,
	0x02, 0x69, 0x64, 0x00, 0x01, 0x62, 0x02, 0x01, 0x08, 0x63, 0x68, 0x69,
	0x6c, 0x64, 0x72, 0x65, 0x6e, 0x01, 0x03, 0x6e, 0x65, 0x74, 0x04, 0x08,
	0x6c, 0x6f, 0x63, 0x61, 0x6c, 0x5f, 0x74, 0x73, 0x05, 0x00, 0x0f, 0x31,
	0x39, 0x38, 0x2e, 0x35, 0x31, 0x2e, 0x31, 0x30, 0x30, 0x2e, 0x31, 0x2f,
	0x33, 0x32, 0x06, 0x04, 0x09, 0x72, 0x65, 0x6d, 0x6f, 0x74, 0x65, 0x5f,
	0x74, 0x73, 0x05, 0x00, 0x0e, 0x32, 0x30, 0x33, 0x2e, 0x30, 0x2e, 0x31,
	0x31, 0x33, 0x2e, 0x31, 0x2f, 0x33, 0x32, 0x06, 0x04, 0x0d, 0x65, 0x73,
	0x70, 0x5f, 0x70, 0x72, 0x6f, 0x70, 0x6f, 0x73, 0x61, 0x6c, 0x73, 0x05,
	0x00, 0x0d, 0x61, 0x65, 0x73, 0x31, 0x32, 0x38, 0x2d, 0x73, 0x68, 0x61,
	0x32, 0x35, 0x36, 0x06, 0x03, 0x0c, 0x73, 0x74, 0x61, 0x72, 0x74, 0x5f,
	0x61, 0x63, 0x74, 0x69, 0x6f, 0x6e, 0x00, 0x04, 0x6e, 0x6f, 0x6e, 0x65,
	0x02, 0x02, 0x02,
};

/* test/fuzz/corpus/vici/event-list-sa.bin */
static const uint8_t real_list_sa[1225] = {
	0x00, 0x00, 0x04, 0xc5, 0x07, 0x07, 0x6c, 0x69, 0x73, 0x74, 0x2d, 0x73,
	0x61, 0x01, 0x03, 0x77, 0x61, 0x6e, 0x03, 0x08, 0x75, 0x6e, 0x69, 0x71,
	0x75, 0x65, 0x69, 0x64, 0x00, 0x01, 0x32, 0x03, 0x07, 0x76, 0x65, 0x72,
	0x73, 0x69, 0x6f, 0x6e, 0x00, 0x01, 0x32, 0x03, 0x05, 0x73, 0x74, 0x61,
	0x74, 0x65, 0x00, 0x0b, 0x45, 0x53, 0x54, 0x41, 0x42, 0x4c, 0x49, 0x53,
	0x48, 0x45, 0x44, 0x03, 0x0a, 0x6c, 0x6f, 0x63, 0x61, 0x6c, 0x2d, 0x68,
	0x6f, 0x73, 0x74, 0x00, 0x09, 0x31, 0x39, 0x32, 0x2e, 0x30, 0x2e, 0x32,
	0x2e, 0x31, 0x03, 0x0a, 0x6c, 0x6f, 0x63, 0x61, 0x6c, 0x2d, 0x70, 0x6f,
	0x72, 0x74, 0x00, 0x04, 0x34, 0x35, 0x30, 0x30, 0x03, 0x08, 0x6c, 0x6f,
	0x63, 0x61, 0x6c, 0x2d, 0x69, 0x64, 0x00, 0x01, 0x61, 0x03, 0x0b, 0x72,
	0x65, 0x6d, 0x6f, 0x74, 0x65, 0x2d, 0x68, 0x6f, 0x73, 0x74, 0x00, 0x09,
	0x31, 0x39, 0x32, 0x2e, 0x30, 0x2e, 0x32, 0x2e, 0x32, 0x03, 0x0b, 0x72,
	0x65, 0x6d, 0x6f, 0x74, 0x65, 0x2d, 0x70, 0x6f, 0x72, 0x74, 0x00, 0x04,
	0x34, 0x35, 0x30, 0x30, 0x03, 0x09, 0x72, 0x65, 0x6d, 0x6f, 0x74, 0x65,
	0x2d, 0x69, 0x64, 0x00, 0x01, 0x62, 0x03, 0x09, 0x69, 0x6e, 0x69, 0x74,
	0x69, 0x61, 0x74, 0x6f, 0x72, 0x00, 0x03, 0x79, 0x65, 0x73, 0x03, 0x0d,
	0x69, 0x6e, 0x69, 0x74, 0x69, 0x61, 0x74, 0x6f, 0x72, 0x2d, 0x73, 0x70,
	0x69, 0x00, 0x10, 0x36, 0x38, 0x66, 0x36, 0x34, 0x36, 0x65, 0x30, 0x35,
	0x66, 0x36, 0x30, 0x66, 0x35, 0x32, 0x61, 0x03, 0x0d, 0x72, 0x65, 0x73,
	0x70, 0x6f, 0x6e, 0x64, 0x65, 0x72, 0x2d, 0x73, 0x70, 0x69, 0x00, 0x10,
	0x64, 0x65, 0x31, 0x32, 0x62, 0x65, 0x38, 0x66, 0x34, 0x35, 0x38, 0x61,
	0x63, 0x62, 0x33, 0x63, 0x03, 0x0a, 0x6e, 0x61, 0x74, 0x2d, 0x72, 0x65,
	0x6d, 0x6f, 0x74, 0x65, 0x00, 0x03, 0x79, 0x65, 0x73, 0x03, 0x07, 0x6e,
	0x61, 0x74, 0x2d, 0x61, 0x6e, 0x79, 0x00, 0x03, 0x79, 0x65, 0x73, 0x03,
	0x08, 0x65, 0x6e, 0x63, 0x72, 0x2d, 0x61, 0x6c, 0x67, 0x00, 0x07, 0x41,
	0x45, 0x53, 0x5f, 0x43, 0x42, 0x43, 0x03, 0x0c, 0x65, 0x6e, 0x63, 0x72,
	0x2d, 0x6b, 0x65, 0x79, 0x73, 0x69, 0x7a, 0x65, 0x00, 0x03, 0x31, 0x32,
	0x38, 0x03, 0x09, 0x69, 0x6e, 0x74, 0x65, 0x67, 0x2d, 0x61, 0x6c, 0x67,
	0x00, 0x11, 0x48, 0x4d, 0x41, 0x43, 0x5f, 0x53, 0x48, 0x41, 0x32, 0x5f,
	0x32, 0x35, 0x36, 0x5f, 0x31, 0x32, 0x38, 0x03, 0x07, 0x70, 0x72, 0x66,
	0x2d, 0x61, 0x6c, 0x67, 0x00, 0x11, 0x50, 0x52, 0x46, 0x5f, 0x48, 0x4d,
	0x41, 0x43, 0x5f, 0x53, 0x48, 0x41, 0x32, 0x5f, 0x32, 0x35, 0x36, 0x03,
	0x08, 0x64, 0x68, 0x2d, 0x67, 0x72, 0x6f, 0x75, 0x70, 0x00, 0x09, 0x4d,
	0x4f, 0x44, 0x50, 0x5f, 0x32, 0x30, 0x34, 0x38, 0x03, 0x0b, 0x65, 0x73,
	0x74, 0x61, 0x62, 0x6c, 0x69, 0x73, 0x68, 0x65, 0x64, 0x00, 0x01, 0x32,
	0x03, 0x0a, 0x72, 0x65, 0x6b, 0x65, 0x79, 0x2d, 0x74, 0x69, 0x6d, 0x65,
	0x00, 0x05, 0x31, 0x33, 0x38, 0x33, 0x38, 0x01, 0x09, 0x63, 0x68, 0x69,
	0x6c, 0x64, 0x2d, 0x73, 0x61, 0x73, 0x01, 0x05, 0x6e, 0x65, 0x74, 0x2d,
	0x31, 0x03, 0x04, 0x6e, 0x61, 0x6d, 0x65, 0x00, 0x03, 0x6e, 0x65, 0x74,
	0x03, 0x08, 0x75, 0x6e, 0x69, 0x71, 0x75, 0x65, 0x69, 0x64, 0x00, 0x01,
	0x31, 0x03, 0x05, 0x72, 0x65, 0x71, 0x69, 0x64, 0x00, 0x01, 0x31, 0x03,
	0x05, 0x73, 0x74, 0x61, 0x74, 0x65, 0x00, 0x07, 0x44, 0x45, 0x4c, 0x45,
	0x54, 0x45, 0x44, 0x03, 0x04, 0x6d, 0x6f, 0x64, 0x65, 0x00, 0x06, 0x54,
	0x55, 0x4e, 0x4e, 0x45, 0x4c, 0x03, 0x08, 0x70, 0x72, 0x6f, 0x74, 0x6f,
	0x63, 0x6f, 0x6c, 0x00, 0x03, 0x45, 0x53, 0x50, 0x03, 0x05, 0x65, 0x6e,
	0x63, 0x61, 0x70, 0x00, 0x03, 0x79, 0x65, 0x73, 0x03, 0x06, 0x73, 0x70,
	0x69, 0x2d, 0x69, 0x6e, 0x00, 0x08, 0x33, 0x33, 0x66, 0x32, 0x34, 0x32,
	0x61, 0x33, 0x03, 0x07, 0x73, 0x70, 0x69, 0x2d, 0x6f, 0x75, 0x74, 0x00,
	0x08, 0x66, 0x65, 0x35, 0x39, 0x64, 0x65, 0x62, 0x30, 0x03, 0x08, 0x65,
	0x6e, 0x63, 0x72, 0x2d, 0x61, 0x6c, 0x67, 0x00, 0x07, 0x41, 0x45, 0x53,
	0x5f, 0x43, 0x42, 0x43, 0x03, 0x0c, 0x65, 0x6e, 0x63, 0x72, 0x2d, 0x6b,
	0x65, 0x79, 0x73, 0x69, 0x7a, 0x65, 0x00, 0x03, 0x31, 0x32, 0x38, 0x03,
	0x09, 0x69, 0x6e, 0x74, 0x65, 0x67, 0x2d, 0x61, 0x6c, 0x67, 0x00, 0x11,
	0x48, 0x4d, 0x41, 0x43, 0x5f, 0x53, 0x48, 0x41, 0x32, 0x5f, 0x32, 0x35,
	0x36, 0x5f, 0x31, 0x32, 0x38, 0x03, 0x08, 0x62, 0x79, 0x74, 0x65, 0x73,
	0x2d, 0x69, 0x6e, 0x00, 0x03, 0x32, 0x35, 0x32, 0x03, 0x0a, 0x70, 0x61,
	0x63, 0x6b, 0x65, 0x74, 0x73, 0x2d, 0x69, 0x6e, 0x00, 0x01, 0x33, 0x03,
	0x06, 0x75, 0x73, 0x65, 0x2d, 0x69, 0x6e, 0x00, 0x01, 0x36, 0x03, 0x09,
	0x62, 0x79, 0x74, 0x65, 0x73, 0x2d, 0x6f, 0x75, 0x74, 0x00, 0x03, 0x32,
	0x35, 0x32, 0x03, 0x0b, 0x70, 0x61, 0x63, 0x6b, 0x65, 0x74, 0x73, 0x2d,
	0x6f, 0x75, 0x74, 0x00, 0x01, 0x33, 0x03, 0x07, 0x75, 0x73, 0x65, 0x2d,
	0x6f, 0x75, 0x74, 0x00, 0x01, 0x36, 0x03, 0x0a, 0x72, 0x65, 0x6b, 0x65,
	0x79, 0x2d, 0x74, 0x69, 0x6d, 0x65, 0x00, 0x04, 0x33, 0x34, 0x38, 0x33,
	0x03, 0x09, 0x6c, 0x69, 0x66, 0x65, 0x2d, 0x74, 0x69, 0x6d, 0x65, 0x00,
	0x04, 0x33, 0x39, 0x35, 0x31, 0x03, 0x0c, 0x69, 0x6e, 0x73, 0x74, 0x61,
	0x6c, 0x6c, 0x2d, 0x74, 0x69, 0x6d, 0x65, 0x00, 0x01, 0x39, 0x04, 0x08,
	0x6c, 0x6f, 0x63, 0x61, 0x6c, 0x2d, 0x74, 0x73, 0x05, 0x00, 0x0f, 0x31,
	0x39, 0x38, 0x2e, 0x35, 0x31, 0x2e, 0x31, 0x30, 0x30, 0x2e, 0x31, 0x2f,
	0x33, 0x32, 0x06, 0x04, 0x09, 0x72, 0x65, 0x6d, 0x6f, 0x74, 0x65, 0x2d,
	0x74, 0x73, 0x05, 0x00, 0x0e, 0x32, 0x30, 0x33, 0x2e, 0x30, 0x2e, 0x31,
	0x31, 0x33, 0x2e, 0x31, 0x2f, 0x33, 0x32, 0x06, 0x02, 0x01, 0x05, 0x6e,
	0x65, 0x74, 0x2d, 0x32, 0x03, 0x04, 0x6e, 0x61, 0x6d, 0x65, 0x00, 0x03,
	0x6e, 0x65, 0x74, 0x03, 0x08, 0x75, 0x6e, 0x69, 0x71, 0x75, 0x65, 0x69,
	0x64, 0x00, 0x01, 0x32, 0x03, 0x05, 0x72, 0x65, 0x71, 0x69, 0x64, 0x00,
	0x01, 0x31, 0x03, 0x05, 0x73, 0x74, 0x61, 0x74, 0x65, 0x00, 0x09, 0x49,
	0x4e, 0x53, 0x54, 0x41, 0x4c, 0x4c, 0x45, 0x44, 0x03, 0x04, 0x6d, 0x6f,
	0x64, 0x65, 0x00, 0x06, 0x54, 0x55, 0x4e, 0x4e, 0x45, 0x4c, 0x03, 0x08,
	0x70, 0x72, 0x6f, 0x74, 0x6f, 0x63, 0x6f, 0x6c, 0x00, 0x03, 0x45, 0x53,
	0x50, 0x03, 0x05, 0x65, 0x6e, 0x63, 0x61, 0x70, 0x00, 0x03, 0x79, 0x65,
	0x73, 0x03, 0x06, 0x73, 0x70, 0x69, 0x2d, 0x69, 0x6e, 0x00, 0x08, 0x32,
	0x62, 0x30, 0x32, 0x39, 0x35, 0x66, 0x35, 0x03, 0x07, 0x73, 0x70, 0x69,
	0x2d, 0x6f, 0x75, 0x74, 0x00, 0x08, 0x33, 0x35, 0x64, 0x32, 0x36, 0x33,
	0x62, 0x65, 0x03, 0x08, 0x65, 0x6e, 0x63, 0x72, 0x2d, 0x61, 0x6c, 0x67,
	0x00, 0x07, 0x41, 0x45, 0x53, 0x5f, 0x43, 0x42, 0x43, 0x03, 0x0c, 0x65,
	0x6e, 0x63, 0x72, 0x2d, 0x6b, 0x65, 0x79, 0x73, 0x69, 0x7a, 0x65, 0x00,
	0x03, 0x31, 0x32, 0x38, 0x03, 0x09, 0x69, 0x6e, 0x74, 0x65, 0x67, 0x2d,
	0x61, 0x6c, 0x67, 0x00, 0x11, 0x48, 0x4d, 0x41, 0x43, 0x5f, 0x53, 0x48,
	0x41, 0x32, 0x5f, 0x32, 0x35, 0x36, 0x5f, 0x31, 0x32, 0x38, 0x03, 0x08,
	0x62, 0x79, 0x74, 0x65, 0x73, 0x2d, 0x69, 0x6e, 0x00, 0x01, 0x30, 0x03,
	0x0a, 0x70, 0x61, 0x63, 0x6b, 0x65, 0x74, 0x73, 0x2d, 0x69, 0x6e, 0x00,
	0x01, 0x30, 0x03, 0x09, 0x62, 0x79, 0x74, 0x65, 0x73, 0x2d, 0x6f, 0x75,
	0x74, 0x00, 0x01, 0x30, 0x03, 0x0b, 0x70, 0x61, 0x63, 0x6b, 0x65, 0x74,
	0x73, 0x2d, 0x6f, 0x75, 0x74, 0x00, 0x01, 0x30, 0x03, 0x0a, 0x72, 0x65,
	0x6b, 0x65, 0x79, 0x2d, 0x74, 0x69, 0x6d, 0x65, 0x00, 0x04, 0x33, 0x32,
	0x38, 0x38, 0x03, 0x09, 0x6c, 0x69, 0x66, 0x65, 0x2d, 0x74, 0x69, 0x6d,
	0x65, 0x00, 0x04, 0x33, 0x39, 0x35, 0x36, 0x03, 0x0c, 0x69, 0x6e, 0x73,
	0x74, 0x61, 0x6c, 0x6c, 0x2d, 0x74, 0x69, 0x6d, 0x65, 0x00, 0x01, 0x34,
	0x04, 0x08, 0x6c, 0x6f, 0x63, 0x61, 0x6c, 0x2d, 0x74, 0x73, 0x05, 0x00,
	0x0f, 0x31, 0x39, 0x38, 0x2e, 0x35, 0x31, 0x2e, 0x31, 0x30, 0x30, 0x2e,
	0x31, 0x2f, 0x33, 0x32, 0x06, 0x04, 0x09, 0x72, 0x65, 0x6d, 0x6f, 0x74,
	0x65, 0x2d, 0x74, 0x73, 0x05, 0x00, 0x0e, 0x32, 0x30, 0x33, 0x2e, 0x30,
	0x2e, 0x31, 0x31, 0x33, 0x2e, 0x31, 0x2f, 0x33, 0x32, 0x06, 0x02, 0x02,
	0x02,
};

#define BIG (VICI_MSG_MAX + 64 * 1024)

struct state {
	uint8_t *mem;
	struct vici_buf b;
	struct vici_msg *m;
	uint8_t *pkt;
};

static int setup(void **ctx)
{
	struct state *st = calloc(1, sizeof(*st));

	if (!st)
		return -1;
	st->mem = malloc(BIG);
	if (!st->mem) {
		free(st);
		return -1;
	}
	vici_buf_init(&st->b, st->mem, BIG);
	*ctx = st;
	return 0;
}

static int teardown(void **ctx)
{
	struct state *st = *ctx;

	vici_msg_free(st->m);
	free(st->pkt);
	free(st->mem);
	free(st);
	return 0;
}

/* Parse the one framed packet at data[0..len) from an exact-size heap copy. */
static int parse_framed(struct state *st, const uint8_t *data, size_t len, struct vici_err *e)
{
	size_t off = 0, plen = 0;

	assert_int_equal(vici_frame_next(data, len, &off, &plen), 1);
	assert_int_equal(off + plen, len);
	vici_msg_free(st->m);
	st->m = NULL;
	free(st->pkt);
	st->pkt = malloc(plen);
	assert_non_null(st->pkt);
	memcpy(st->pkt, data + off, plen);
	return vici_msg_parse(st->pkt, plen, &st->m, e);
}

/* Parse a raw packet (no length prefix) from an exact-size heap copy. */
static int parse_raw(struct state *st, const void *data, size_t len, struct vici_err *e)
{
	vici_msg_free(st->m);
	st->m = NULL;
	free(st->pkt);
	st->pkt = malloc(len ? len : 1);
	assert_non_null(st->pkt);
	if (len)
		memcpy(st->pkt, data, len);
	return vici_msg_parse(st->pkt, len, &st->m, e);
}

static void assert_reencodes(struct state *st, const uint8_t *bytes, size_t len)
{
	uint8_t *out = malloc(len + 16);
	struct vici_buf b;

	assert_non_null(out);
	vici_buf_init(&b, out, len + 16);
	assert_int_equal(vici_msg_encode(st->m, &b), 0);
	assert_int_equal(b.len, len);
	assert_memory_equal(out, bytes, len);
	free(out);
}

/* ---- the commands uplinkd sends ------------------------------------------------ */

static void test_register_events(void **ctx)
{
	static const char *const events[] = {
		"ike-updown", "child-updown", "child-rekey", "ike-update", "list-sa",
	};
	static const uint8_t first[] = {
		0, 0, 0, 12, VICI_EVENT_REGISTER, 10,
		'i', 'k', 'e', '-', 'u', 'p', 'd', 'o', 'w', 'n',
	};
	struct state *st = *ctx;
	size_t i, pos = 0;

	/* five packets back to back in one buffer */
	for (i = 0; i < 5; i++) {
		assert_int_equal(vici_msg_begin(&st->b, VICI_EVENT_REGISTER, events[i]), 0);
		assert_int_equal(vici_kv_str(&st->b, "k", "v"), -EINVAL);	/* no message */
		vici_buf_init(&st->b, st->mem, BIG);
		st->b.len = pos;
		assert_int_equal(vici_msg_begin(&st->b, VICI_EVENT_REGISTER, events[i]), 0);
		assert_int_equal(vici_msg_finish(&st->b), 0);
		pos = st->b.len;
	}
	assert_memory_equal(st->mem, first, sizeof(first));

	for (i = 0, pos = 0; i < 5; i++) {
		size_t off, len;

		assert_int_equal(vici_frame_next(st->mem + pos, st->b.len - pos, &off, &len), 1);
		assert_int_equal(parse_raw(st, st->mem + pos + off, len, NULL), 0);
		assert_int_equal(st->m->type, VICI_EVENT_REGISTER);
		assert_string_equal(st->m->name, events[i]);
		assert_int_equal(st->m->name_len, strlen(events[i]));
		assert_null(st->m->root.first);
		assert_int_equal(st->m->n_nodes, 0);
		pos += off + len;
	}
	assert_int_equal(pos, st->b.len);
}

static void test_list_sas_request(void **ctx)
{
	/* what swanctl --list-sas --noblock --ike wan sends */
	static const uint8_t want[] = {
		0, 0, 0, 34, 0, 8, 'l', 'i', 's', 't', '-', 's', 'a', 's',
		3, 7, 'n', 'o', 'b', 'l', 'o', 'c', 'k', 0, 3, 'y', 'e', 's',
		3, 3, 'i', 'k', 'e', 0, 3, 'w', 'a', 'n',
	};
	struct state *st = *ctx;

	assert_int_equal(vici_msg_begin(&st->b, VICI_CMD_REQUEST, "list-sas"), 0);
	assert_int_equal(vici_kv_str(&st->b, "noblock", "yes"), 0);
	assert_int_equal(vici_kv_str(&st->b, "ike", "wan"), 0);
	assert_int_equal(vici_msg_finish(&st->b), 0);
	assert_int_equal(st->b.len, sizeof(want));
	assert_memory_equal(st->mem, want, sizeof(want));

	assert_int_equal(parse_framed(st, st->mem, st->b.len, NULL), 0);
	assert_int_equal(st->m->type, VICI_CMD_REQUEST);
	assert_string_equal(st->m->name, "list-sas");
	assert_true(vici_node_yes(&st->m->root, "noblock"));
	assert_string_equal(vici_node_str(&st->m->root, "ike"), "wan");
	assert_int_equal(st->m->root.n_children, 2);
	assert_reencodes(st, want, sizeof(want));
}

static void test_initiate_terminate(void **ctx)
{
	struct state *st = *ctx;
	uint64_t v = 0;
	size_t first;

	assert_int_equal(vici_msg_begin(&st->b, VICI_CMD_REQUEST, "initiate"), 0);
	assert_int_equal(vici_kv_str(&st->b, "child", "net"), 0);
	assert_int_equal(vici_kv_str(&st->b, "ike", "wan"), 0);
	assert_int_equal(vici_kv_printf(&st->b, "timeout", "%d", 5000), 0);
	assert_int_equal(vici_kv_printf(&st->b, "init-limits", "%s", "no"), 0);
	assert_int_equal(vici_msg_finish(&st->b), 0);
	first = st->b.len;
	assert_int_equal(vici_msg_begin(&st->b, VICI_CMD_REQUEST, "terminate"), 0);
	assert_int_equal(vici_kv_str(&st->b, "ike", "wan"), 0);
	assert_int_equal(vici_kv_printf(&st->b, "ike-id", "%u", 42u), 0);
	assert_int_equal(vici_kv_str(&st->b, "force", "yes"), 0);
	assert_int_equal(vici_kv_printf(&st->b, "timeout", "%d", -1), 0);
	assert_int_equal(vici_msg_finish(&st->b), 0);

	assert_int_equal(parse_framed(st, st->mem, first, NULL), 0);
	assert_string_equal(st->m->name, "initiate");
	assert_string_equal(vici_node_str(&st->m->root, "child"), "net");
	assert_int_equal(vici_node_u64(&st->m->root, "timeout", &v), 0);
	assert_int_equal(v, 5000);
	assert_string_equal(vici_node_str(&st->m->root, "init-limits"), "no");
	assert_reencodes(st, st->mem, first);

	assert_int_equal(parse_framed(st, st->mem + first, st->b.len - first, NULL), 0);
	assert_string_equal(st->m->name, "terminate");
	assert_int_equal(vici_node_u64(&st->m->root, "ike-id", &v), 0);
	assert_int_equal(v, 42);
	assert_true(vici_node_yes(&st->m->root, "force"));
	assert_string_equal(vici_node_str(&st->m->root, "timeout"), "-1");
	assert_int_equal(vici_node_u64(&st->m->root, "timeout", &v), -EINVAL);
	assert_int_equal(vici_node_u64(&st->m->root, "nope", &v), -ENOENT);
}

/* load-conn exactly as swanctl 5.9.8 encodes the lab's swanctl.conf */
static void test_load_conn_matches_swanctl(void **ctx)
{
	struct state *st = *ctx;
	struct vici_buf *b = &st->b;
	const struct vici_node *conn, *n;

	vici_msg_begin(b, VICI_CMD_REQUEST, "load-conn");
	vici_section_begin(b, "wan");
	vici_list_begin(b, "local_addrs");
	vici_list_item_str(b, "192.0.2.1");
	vici_list_end(b);
	vici_list_begin(b, "remote_addrs");
	vici_list_item_str(b, "192.0.2.2");
	vici_list_end(b);
	vici_kv_printf(b, "version", "%d", 2);
	vici_list_begin(b, "proposals");
	vici_list_item_str(b, "aes128-sha256-modp2048");
	vici_list_end(b);
	vici_section_begin(b, "local");
	vici_kv_str(b, "auth", "psk");
	vici_kv_str(b, "id", "a");
	vici_section_end(b);
	vici_section_begin(b, "remote");
	vici_kv_str(b, "auth", "psk");
	vici_kv_str(b, "id", "b");
	vici_section_end(b);
	vici_section_begin(b, "children");
	vici_section_begin(b, "net");
	vici_list_begin(b, "local_ts");
	vici_list_item_str(b, "198.51.100.1/32");
	vici_list_end(b);
	vici_list_begin(b, "remote_ts");
	vici_list_item(b, "203.0.113.1/32", 14);
	vici_list_end(b);
	vici_list_begin(b, "esp_proposals");
	vici_list_item_str(b, "aes128-sha256");
	vici_list_end(b);
	vici_kv(b, "start_action", "none", 4);
	vici_section_end(b);
	vici_section_end(b);
	vici_section_end(b);
	assert_int_equal(vici_msg_finish(b), 0);	/* sticky errors: one check */
	assert_int_equal(b->len, sizeof(real_load_conn));
	assert_memory_equal(st->mem, real_load_conn, sizeof(real_load_conn));

	assert_int_equal(parse_framed(st, real_load_conn, sizeof(real_load_conn), NULL), 0);
	conn = vici_find(st->m, "wan");
	assert_non_null(conn);
	assert_int_equal(conn->type, VICI_NODE_SECTION);
	n = vici_node_find(conn, "local_addrs");
	assert_int_equal(n->type, VICI_NODE_LIST);
	assert_int_equal(n->n_children, 1);
	assert_int_equal(n->first->type, VICI_NODE_ITEM);
	assert_string_equal(n->first->name, "");
	assert_string_equal(vici_node_str(conn, "local_addrs.0"), "192.0.2.1");
	assert_null(vici_node_find(conn, "local_addrs.1"));
	assert_string_equal(vici_node_str(conn, "children.net.remote_ts.0"), "203.0.113.1/32");
	assert_string_equal(vici_find(st->m, "wan.children.net.start_action")->value, "none");
	assert_ptr_equal(vici_find(st->m, "wan.children.net")->parent,
			 vici_find(st->m, "wan.children"));
	assert_null(vici_node_str(conn, "children"));	/* a section has no value */
	assert_reencodes(st, real_load_conn, sizeof(real_load_conn));
}

/* ---- real charon messages ------------------------------------------------------ */

static void test_version_reply(void **ctx)
{
	struct state *st = *ctx;

	assert_int_equal(parse_framed(st, real_version_reply, sizeof(real_version_reply), NULL), 0);
	assert_int_equal(st->m->type, VICI_CMD_RESPONSE);
	assert_string_equal(st->m->name, "");
	assert_string_equal(vici_find(st->m, "daemon")->value, "charon-systemd");
	assert_string_equal(vici_node_str(&st->m->root, "version"), "5.9.8");
	assert_string_equal(vici_node_str(&st->m->root, "4"), "x86_64");	/* by index */
	assert_reencodes(st, real_version_reply, sizeof(real_version_reply));
}

/* How the monitor walks a list-sas answer: each IKE_SA, each INSTALLED child. */
static void test_list_sa_event_walk(void **ctx)
{
	struct state *st = *ctx;
	const struct vici_node *ike, *sas, *child;
	unsigned int n_ike = 0, n_installed = 0;
	uint64_t v;

	assert_int_equal(parse_framed(st, real_list_sa, sizeof(real_list_sa), NULL), 0);
	assert_int_equal(st->m->type, VICI_EVENT);
	assert_string_equal(st->m->name, "list-sa");

	vici_node_for_each(ike, &st->m->root) {
		n_ike++;
		assert_int_equal(ike->type, VICI_NODE_SECTION);
		assert_string_equal(ike->name, "wan");
		assert_string_equal(vici_node_str(ike, "state"), "ESTABLISHED");
		assert_int_equal(vici_node_u64(ike, "uniqueid", &v), 0);
		assert_int_equal(v, 2);
		assert_string_equal(vici_node_str(ike, "local-host"), "192.0.2.1");
		assert_string_equal(vici_node_str(ike, "remote-host"), "192.0.2.2");
		assert_true(vici_node_yes(ike, "nat-any"));
		assert_false(vici_node_yes(ike, "nat-local"));
		sas = vici_node_child(ike, "child-sas");
		assert_non_null(sas);
		assert_int_equal(sas->n_children, 2);
		vici_node_for_each(child, sas) {
			if (strcmp(vici_node_str(child, "state"), "INSTALLED"))
				continue;
			n_installed++;
			assert_string_equal(child->name, "net-2");
			assert_string_equal(vici_node_str(child, "spi-in"), "2b0295f5");
			assert_true(vici_node_yes(child, "encap"));
			assert_int_equal(vici_node_u64(child, "bytes-in", &v), 0);
			assert_int_equal(v, 0);
			assert_int_equal(vici_node_u64(child, "use-in", &v), -ENOENT);
		}
	}
	assert_int_equal(n_ike, 1);
	assert_int_equal(n_installed, 1);

	/* the rekeyed-away child, by path and by index */
	assert_string_equal(vici_find(st->m, "wan.child-sas.net-1.state")->value, "DELETED");
	assert_int_equal(vici_node_u64(&st->m->root, "0.child-sas.0.packets-in", &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(vici_node_u64(&st->m->root, "wan.child-sas.0.use-in", &v), 0);
	assert_int_equal(v, 6);
	assert_string_equal(vici_node_str(&st->m->root, "wan.child-sas.1.remote-ts.0"),
			    "203.0.113.1/32");
	assert_null(vici_find(st->m, "wan.child-sas.2"));
	assert_null(vici_find(st->m, "wan..state"));
	assert_ptr_equal(vici_find(st->m, ""), &st->m->root);
	assert_reencodes(st, real_list_sa, sizeof(real_list_sa));
}

/* ---- framing -------------------------------------------------------------------- */

static void test_frame_limits(void **ctx)
{
	uint8_t h[8] = { 0 };
	size_t off = 99, len = 99;

	(void)ctx;
	assert_int_equal(vici_frame_next(h, 0, &off, &len), 0);
	assert_int_equal(vici_frame_next(h, 3, &off, &len), 0);
	assert_int_equal(vici_frame_next(h, 4, &off, &len), -EBADMSG);	/* length 0 */
	h[1] = 0x08;							/* 512 KiB */
	assert_int_equal(vici_frame_next(h, 8, &off, &len), 0);
	h[3] = 0x01;							/* 512 KiB + 1 */
	assert_int_equal(vici_frame_next(h, 4, &off, &len), -EBADMSG);
	h[0] = 0xff;
	assert_int_equal(vici_frame_next(h, 4, &off, &len), -EBADMSG);
	memcpy(h, (uint8_t[]){ 0, 0, 0, 1, 5, 0xaa }, 6);
	assert_int_equal(vici_frame_next(h, 6, &off, &len), 1);
	assert_int_equal(off, 4);
	assert_int_equal(len, 1);
}

/* A stream of packets arriving in reads of 1..7 bytes, as a non-blocking socket delivers. */
static void test_frame_split_reads(void **ctx)
{
	struct state *st = *ctx;
	uint8_t stream[2048], rx[2048];
	size_t slen = 0, rlen = 0, fed = 0, off, len, got = 0, pos = 0;
	size_t ends[4];
	unsigned int step = 0;
	int ret;

	memcpy(stream, real_version_reply, sizeof(real_version_reply));
	slen = sizeof(real_version_reply);
	ends[0] = slen;
	memcpy(stream + slen, (uint8_t[]){ 0, 0, 0, 1, VICI_EVENT_CONFIRM }, 5);
	slen += 5;
	ends[1] = slen;
	memcpy(stream + slen, real_load_conn, sizeof(real_load_conn));
	slen += sizeof(real_load_conn);
	ends[2] = slen;
	memcpy(stream + slen, (uint8_t[]){ 0, 0, 0, 1, VICI_CMD_RESPONSE }, 5);
	slen += 5;
	ends[3] = slen;

	while (fed < slen) {
		size_t n = 1 + step++ % 7;

		if (n > slen - fed)
			n = slen - fed;
		memcpy(rx + rlen, stream + fed, n);
		rlen += n;
		fed += n;
		while ((ret = vici_frame_next(rx, rlen, &off, &len)) == 1) {
			assert_true(got < 4);
			assert_int_equal(pos + off + len, ends[got]);
			assert_memory_equal(rx, stream + pos, off + len);
			assert_int_equal(parse_raw(st, rx + off, len, NULL), 0);
			pos += off + len;
			memmove(rx, rx + off + len, rlen - off - len);
			rlen -= off + len;
			got++;
		}
		assert_int_equal(ret, 0);
	}
	assert_int_equal(got, 4);
	assert_int_equal(rlen, 0);
	assert_int_equal(st->m->type, VICI_CMD_RESPONSE);	/* the empty list-sas reply */
	assert_int_equal(st->m->n_nodes, 0);
}

/* ---- malformed input ------------------------------------------------------------ */

struct bad {
	const char *what;
	size_t len;
	uint8_t bytes[16];
	const char *reason;
	size_t offset;
};

static const struct bad bad_cases[] = {
	{ "empty", 0, { 0 }, "empty packet", 0 },
	{ "type 8", 1, { 8 }, "unknown packet type", 0 },
	{ "type 255", 3, { 255, 0, 0 }, "unknown packet type", 0 },
	{ "request, no name length", 1, { 0 }, "truncated packet name length", 1 },
	{ "event, short name", 4, { 7, 5, 'a', 'b' }, "truncated packet name", 2 },
	{ "confirm + byte", 2, { 5, 0 }, "trailing bytes after a packet without message", 1 },
	{ "register + byte", 4, { 3, 1, 'x', 1 },
	  "trailing bytes after a packet without message", 3 },
	{ "unknown + bytes", 3, { 2, 1, 2 }, "trailing bytes after a packet without message", 1 },
	{ "section end at top", 2, { 1, 2 }, "section end without a section", 1 },
	{ "list end at top", 2, { 1, 6 }, "list end without a list", 1 },
	{ "item at top", 4, { 1, 5, 0, 0 }, "list item outside a list", 1 },
	{ "element 0", 2, { 1, 0 }, "unknown element type", 1 },
	{ "element 7", 4, { 1, 1, 0, 7 }, "unknown element type", 3 },
	{ "element 9 in list", 4, { 1, 4, 0, 9 }, "unknown element type", 3 },
	{ "element 0x80", 2, { 1, 0x80 }, "unknown element type", 1 },
	{ "section, no name length", 2, { 1, 1 }, "truncated name length", 2 },
	{ "section, short name", 5, { 1, 1, 3, 'a', 'b' }, "truncated name", 3 },
	{ "kv, short name", 4, { 1, 3, 2, 'k' }, "truncated name", 3 },
	{ "list, no name length", 2, { 1, 4 }, "truncated name length", 2 },
	{ "kv, no value length", 5, { 1, 3, 1, 'k', 0 }, "truncated value length", 4 },
	{ "kv, short value", 9, { 1, 3, 1, 'k', 0, 5, 'a', 'b', 'c' }, "truncated value", 6 },
	{ "item, no value length", 6, { 1, 4, 1, 'l', 5, 0 }, "truncated value length", 5 },
	{ "item, short value", 8, { 1, 4, 0, 5, 0, 3, 'x', 6 }, "truncated value", 6 },
	{ "open section", 4, { 1, 1, 1, 's' }, "unterminated section", 4 },
	{ "kv cut after its type", 9, { 7, 1, 'e', 1, 0, 1, 0, 2, 3 }, "truncated name length", 9 },
	{ "section cut after its type", 10, { 1, 1, 0, 3, 1, 'k', 0, 1, 'v', 1 },
	  "truncated name length", 10 },
	{ "open nested section", 8, { 7, 1, 'e', 1, 0, 1, 0, 2 }, "unterminated section", 8 },
	{ "open section, two", 6, { 1, 1, 0, 1, 0, 2 }, "unterminated section", 6 },
	{ "open list", 8, { 1, 4, 1, 'l', 5, 0, 1, 'x' }, "unterminated list", 8 },
	{ "section in list", 7, { 1, 4, 1, 'l', 1, 1, 's' },
	  "section, key or list inside a list", 4 },
	{ "kv in list", 9, { 1, 4, 0, 3, 1, 'k', 0, 1, 'v' },
	  "section, key or list inside a list", 3 },
	{ "list in list", 6, { 1, 4, 0, 4, 0, 6 }, "section, key or list inside a list", 3 },
	{ "section end in list", 6, { 1, 1, 0, 4, 0, 2 }, "section end inside a list", 5 },
	{ "list end in section", 5, { 1, 1, 1, 's', 6 }, "list end without a list", 4 },
	{ "double list end", 5, { 1, 4, 0, 6, 6 }, "list end without a list", 4 },
	{ "extra section end", 5, { 1, 1, 0, 2, 2 }, "section end without a section", 4 },
};

static void test_malformed(void **ctx)
{
	struct state *st = *ctx;
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad *c = &bad_cases[i];
		struct vici_err e = { NULL, 12345 };

		print_message("%s\n", c->what);
		assert_int_equal(parse_raw(st, c->bytes, c->len, &e), -EBADMSG);
		assert_null(st->m);
		assert_non_null(e.reason);
		assert_string_equal(e.reason, c->reason);
		assert_int_equal(e.offset, c->offset);
		/* and without an error struct */
		assert_int_equal(parse_raw(st, c->bytes, c->len, NULL), -EBADMSG);
	}
}

/* Every proper prefix of a real packet is refused, never read past. */
static void test_truncated_real(void **ctx)
{
	struct state *st = *ctx;
	const uint8_t *p = real_list_sa + VICI_HDR_LEN;
	size_t n = sizeof(real_list_sa) - VICI_HDR_LEN, i;
	struct vici_err e;

	for (i = 0; i < n; i++) {
		if (i == 2 + 7) {	/* "list-sa" with an empty message is fine */
			assert_int_equal(parse_raw(st, p, i, &e), 0);
			continue;
		}
		assert_int_equal(parse_raw(st, p, i, &e), -EBADMSG);
		assert_true(e.offset <= i);
	}
	assert_int_equal(parse_raw(st, p, n, &e), 0);
}

static size_t nest(uint8_t *p, unsigned int depth)
{
	size_t n = 0;
	unsigned int i;

	p[n++] = VICI_CMD_RESPONSE;
	for (i = 0; i < depth; i++) {
		p[n++] = VICI_SECTION_START;
		p[n++] = 0;
	}
	for (i = 0; i < depth; i++)
		p[n++] = VICI_SECTION_END;
	return n;
}

static void test_depth_limit(void **ctx)
{
	struct state *st = *ctx;
	const struct vici_node *n;
	struct vici_err e;
	uint8_t p[128];
	size_t len;
	unsigned int i;

	len = nest(p, VICI_DEPTH_MAX);
	assert_int_equal(parse_raw(st, p, len, &e), 0);
	assert_int_equal(st->m->n_nodes, VICI_DEPTH_MAX);
	for (i = 0, n = &st->m->root; n->first; i++)
		n = n->first;
	assert_int_equal(i, VICI_DEPTH_MAX);

	/* the builder makes the same bytes, and refuses one level more */
	vici_msg_begin(&st->b, VICI_CMD_RESPONSE, NULL);
	for (i = 0; i < VICI_DEPTH_MAX; i++)
		vici_section_begin(&st->b, "");
	assert_int_equal(vici_section_begin(&st->b, ""), -EINVAL);
	vici_buf_init(&st->b, st->mem, BIG);
	vici_msg_begin(&st->b, VICI_CMD_RESPONSE, NULL);
	for (i = 0; i < VICI_DEPTH_MAX; i++)
		vici_section_begin(&st->b, "");
	for (i = 0; i < VICI_DEPTH_MAX; i++)
		vici_section_end(&st->b);
	assert_int_equal(vici_msg_finish(&st->b), 0);
	assert_int_equal(st->b.len, VICI_HDR_LEN + len);
	assert_memory_equal(st->mem + VICI_HDR_LEN, p, len);

	len = nest(p, VICI_DEPTH_MAX + 1);
	assert_int_equal(parse_raw(st, p, len, &e), -EBADMSG);
	assert_string_equal(e.reason, "sections nested deeper than 32");
	assert_int_equal(e.offset, 1 + 2 * VICI_DEPTH_MAX);
}

static void test_node_limit(void **ctx)
{
	struct state *st = *ctx;
	size_t items, len, i;
	struct vici_err e;
	uint8_t *p = st->mem;

	for (items = VICI_NODES_MAX - 1; items <= VICI_NODES_MAX; items++) {
		len = 0;
		p[len++] = VICI_CMD_RESPONSE;
		p[len++] = VICI_LIST_START;
		p[len++] = 0;
		for (i = 0; i < items; i++) {
			p[len++] = VICI_LIST_ITEM;
			p[len++] = 0;
			p[len++] = 0;
		}
		p[len++] = VICI_LIST_END;
		if (items < VICI_NODES_MAX) {
			assert_int_equal(parse_raw(st, p, len, &e), 0);
			assert_int_equal(st->m->n_nodes, VICI_NODES_MAX);
			assert_int_equal(st->m->root.first->n_children, items);
		} else {
			assert_int_equal(parse_raw(st, p, len, &e), -EBADMSG);
			assert_string_equal(e.reason, "more than 100000 elements");
			assert_int_equal(e.offset, 3 + 3 * (VICI_NODES_MAX - 1));
		}
	}
	memset(p, 0, VICI_MSG_MAX + 1);
	p[0] = VICI_CMD_RESPONSE;
	assert_int_equal(parse_raw(st, p, VICI_MSG_MAX + 1, &e), -EBADMSG);
	assert_string_equal(e.reason, "packet larger than 512 KiB");
	assert_int_equal(e.offset, 0);
}

/* ---- builder misuse --------------------------------------------------------------- */

static void test_builder_misuse(void **ctx)
{
	struct state *st = *ctx;
	struct vici_buf *b = &st->b;
	char name[VICI_NAME_MAX + 2];

#define FRESH() vici_buf_init(b, st->mem, BIG)
	FRESH();
	assert_int_equal(vici_kv_str(b, "k", "v"), -EINVAL);		/* no packet open */
	FRESH();
	assert_int_equal(vici_msg_finish(b), -EINVAL);
	FRESH();
	assert_int_equal(vici_msg_begin(b, VICI_CMD_REQUEST, NULL), -EINVAL);
	FRESH();
	assert_int_equal(vici_msg_begin(b, VICI_CMD_RESPONSE, "x"), -EINVAL);
	FRESH();
	assert_int_equal(vici_msg_begin(b, VICI_PKT_TYPE_MAX, NULL), -EINVAL);
	FRESH();
	vici_msg_begin(b, VICI_CMD_RESPONSE, NULL);
	assert_int_equal(vici_msg_begin(b, VICI_CMD_RESPONSE, NULL), -EINVAL);	/* still open */
	FRESH();
	vici_msg_begin(b, VICI_EVENT_CONFIRM, NULL);
	assert_int_equal(vici_section_begin(b, "s"), -EINVAL);		/* no message */

	memset(name, 'n', sizeof(name));
	name[VICI_NAME_MAX] = '\0';
	FRESH();
	assert_int_equal(vici_msg_begin(b, VICI_CMD_REQUEST, name), 0);
	assert_int_equal(vici_section_begin(b, name), 0);
	assert_int_equal(vici_kv_str(b, name, ""), 0);
	assert_int_equal(vici_section_end(b), 0);
	assert_int_equal(vici_msg_finish(b), 0);
	assert_int_equal(parse_framed(st, st->mem, b->len, NULL), 0);
	assert_int_equal(st->m->name_len, VICI_NAME_MAX);
	assert_string_equal(vici_find(st->m, name)->first->value, "");
	name[VICI_NAME_MAX] = 'n';
	name[VICI_NAME_MAX + 1] = '\0';
	FRESH();
	assert_int_equal(vici_msg_begin(b, VICI_EVENT, name), -EINVAL);
	FRESH();
	vici_msg_begin(b, VICI_CMD_RESPONSE, NULL);
	assert_int_equal(vici_list_begin(b, name), -EINVAL);
	FRESH();
	vici_msg_begin(b, VICI_CMD_RESPONSE, NULL);
	assert_int_equal(vici_kv_printf(b, name, "%d", 1), -EINVAL);

	FRESH();
	vici_msg_begin(b, VICI_CMD_RESPONSE, NULL);
	assert_int_equal(vici_section_end(b), -EINVAL);			/* unbalanced */
	FRESH();
	vici_msg_begin(b, VICI_CMD_RESPONSE, NULL);
	vici_section_begin(b, "s");
	assert_int_equal(vici_msg_finish(b), -EINVAL);			/* open section */
	FRESH();
	vici_msg_begin(b, VICI_CMD_RESPONSE, NULL);
	vici_list_begin(b, "l");
	assert_int_equal(vici_msg_finish(b), -EINVAL);			/* open list */
	FRESH();
	vici_msg_begin(b, VICI_CMD_RESPONSE, NULL);
	vici_list_begin(b, "l");
	assert_int_equal(vici_kv_str(b, "k", "v"), -EINVAL);		/* kv in a list */
	FRESH();
	vici_msg_begin(b, VICI_CMD_RESPONSE, NULL);
	vici_list_begin(b, "l");
	assert_int_equal(vici_section_begin(b, "s"), -EINVAL);
	FRESH();
	vici_msg_begin(b, VICI_CMD_RESPONSE, NULL);
	vici_list_begin(b, "l");
	assert_int_equal(vici_section_end(b), -EINVAL);
	FRESH();
	vici_msg_begin(b, VICI_CMD_RESPONSE, NULL);
	assert_int_equal(vici_list_item_str(b, "i"), -EINVAL);		/* outside a list */
	FRESH();
	vici_msg_begin(b, VICI_CMD_RESPONSE, NULL);
	assert_int_equal(vici_list_end(b), -EINVAL);
	FRESH();
	vici_msg_begin(b, VICI_CMD_RESPONSE, NULL);
	assert_int_equal(vici_kv(b, "k", NULL, 1), -EINVAL);
	FRESH();
	vici_msg_begin(b, VICI_CMD_RESPONSE, NULL);
	assert_int_equal(vici_kv_str(b, NULL, "v"), -EINVAL);

	/* sticky: after the first error nothing is written and finish reports it */
	FRESH();
	vici_msg_begin(b, VICI_CMD_RESPONSE, NULL);
	assert_int_equal(vici_section_end(b), -EINVAL);
	assert_int_equal(b->len, VICI_HDR_LEN + 1);
	assert_int_equal(vici_kv_str(b, "k", "v"), -EINVAL);
	assert_int_equal(b->len, VICI_HDR_LEN + 1);
	assert_int_equal(vici_msg_finish(b), -EINVAL);
#undef FRESH
}

static void test_builder_sizes(void **ctx)
{
	struct state *st = *ctx;
	struct vici_buf *b = &st->b;
	uint8_t small[32];
	unsigned int i;
	size_t last;
	uint8_t *val = malloc(VICI_VALUE_MAX + 1);

	/* the largest value fits, one byte more does not */
	assert_non_null(val);
	memset(val, 'v', VICI_VALUE_MAX + 1);
	vici_buf_init(b, st->mem, VICI_MSG_MAX);
	vici_msg_begin(b, VICI_CMD_RESPONSE, NULL);
	assert_int_equal(vici_kv(b, "k", val, VICI_VALUE_MAX), 0);
	assert_int_equal(vici_list_begin(b, "l"), 0);
	assert_int_equal(vici_list_item(b, val, VICI_VALUE_MAX + 1), -EINVAL);
	vici_buf_init(b, st->mem, VICI_MSG_MAX);
	vici_msg_begin(b, VICI_CMD_RESPONSE, NULL);
	assert_int_equal(vici_kv(b, "k", val, VICI_VALUE_MAX + 1), -EINVAL);

	/* a packet may not exceed 512 KiB even when the buffer could hold it */
	for (last = VICI_VALUE_MAX - 33; last <= VICI_VALUE_MAX - 32; last++) {
		vici_buf_init(b, st->mem, BIG);
		vici_msg_begin(b, VICI_CMD_RESPONSE, NULL);
		for (i = 0; i < 7; i++)	/* 1 + 7 * 65540 bytes */
			assert_int_equal(vici_kv(b, "k", val,
						 VICI_VALUE_MAX), 0);
		if (last == VICI_VALUE_MAX - 32) {
			assert_int_equal(vici_kv(b, "k", val, last),
					 -EMSGSIZE);
			assert_int_equal(vici_msg_finish(b), -EMSGSIZE);
			break;
		}
		/* exactly 512 KiB */
		assert_int_equal(vici_kv(b, "k", val, last), 0);
		assert_int_equal(vici_msg_finish(b), 0);
		assert_int_equal(b->len, VICI_HDR_LEN + VICI_MSG_MAX);
		assert_int_equal(parse_framed(st, st->mem, b->len, NULL), 0);
		assert_int_equal(st->m->n_nodes, 8);
	}

	/* a full buffer: -ENOSPC, and the bytes before stay intact */
	vici_buf_init(b, small, sizeof(small));
	assert_int_equal(vici_msg_begin(b, VICI_CMD_REQUEST, "list-sas"), 0);	/* 14 */
	assert_int_equal(vici_kv_str(b, "ike", "wan"), 0);			/* 24 */
	assert_int_equal(vici_kv_str(b, "ike", "wan"), -ENOSPC);
	assert_int_equal(b->len, 24);
	vici_buf_init(b, small, sizeof(small));
	vici_msg_begin(b, VICI_CMD_REQUEST, "list-sas");
	/* 14 + 11 + 7 = 32 would fit, but vsnprintf needs a spare byte for its NUL */
	assert_int_equal(vici_kv_printf(b, "timeout", "%s", "1234567"), -ENOSPC);
	assert_int_equal(b->len, 14);
	vici_buf_init(b, small, sizeof(small));
	vici_msg_begin(b, VICI_CMD_REQUEST, "list-sas");
	assert_int_equal(vici_kv_printf(b, "timeout", "%s", "123456"), 0);
	assert_int_equal(b->len, 31);
	assert_int_equal(vici_msg_finish(b), 0);
	assert_int_equal(parse_framed(st, small, b->len, NULL), 0);
	assert_string_equal(vici_node_str(&st->m->root, "timeout"), "123456");
	vici_buf_init(b, small, 3);
	assert_int_equal(vici_msg_begin(b, VICI_CMD_RESPONSE, NULL), -ENOSPC);
	vici_buf_init(b, small, 4);
	assert_int_equal(vici_msg_begin(b, VICI_CMD_RESPONSE, NULL), -ENOSPC);
	assert_int_equal(b->len, 0);
	vici_buf_init(b, small, 5);
	assert_int_equal(vici_msg_begin(b, VICI_CMD_RESPONSE, NULL), 0);
	assert_int_equal(vici_msg_finish(b), 0);
	assert_memory_equal(small, ((uint8_t[]){ 0, 0, 0, 1, 1 }), 5);
	free(val);
}

/* Names and values are binary-safe: embedded NULs survive a round trip. */
static void test_binary_values(void **ctx)
{
	static const uint8_t pkt[] = {
		VICI_EVENT, 2, 'a', 0,
		VICI_SECTION_START, 0,
		VICI_KEY_VALUE, 3, 'k', 0, 'x', 0, 3, 'v', 0, 'w',
		VICI_LIST_START, 1, 0, VICI_LIST_ITEM, 0, 0, VICI_LIST_END,
		VICI_SECTION_END,
	};
	struct state *st = *ctx;
	uint8_t framed[sizeof(pkt) + VICI_HDR_LEN] = { 0, 0, 0, sizeof(pkt) };
	const struct vici_node *kv;

	memcpy(framed + VICI_HDR_LEN, pkt, sizeof(pkt));
	assert_int_equal(parse_framed(st, framed, sizeof(framed), NULL), 0);
	assert_int_equal(st->m->name_len, 2);
	kv = vici_node_child_at(vici_node_child_at(&st->m->root, 0), 0);
	assert_int_equal(kv->type, VICI_NODE_KV);
	assert_int_equal(kv->name_len, 3);
	assert_int_equal(kv->value_len, 3);
	assert_memory_equal(kv->value, "v\0w", 4);
	assert_null(vici_node_child(kv->parent, "k"));	/* "k\0x" is not "k" */
	assert_string_equal(vici_node_type_names[kv->next->type], "list");
	assert_int_equal(kv->next->first->value_len, 0);
	assert_string_equal(kv->next->first->value, "");
	assert_reencodes(st, framed, sizeof(framed));
}

static void test_names(void **ctx)
{
	(void)ctx;
	assert_string_equal(vici_pkt_type_names[VICI_EVENT_CONFIRM], "event-confirm");
	assert_true(vici_pkt_named(VICI_EVENT_UNREGISTER));
	assert_false(vici_pkt_named(VICI_CMD_RESPONSE));
	assert_false(vici_pkt_named(200));
	assert_true(vici_pkt_has_msg(VICI_EVENT));
	assert_false(vici_pkt_has_msg(VICI_EVENT_REGISTER));
	assert_null(vici_find(NULL, "x"));
	assert_null(vici_node_find(NULL, ""));
	assert_null(vici_node_child(NULL, "x"));
	assert_null(vici_node_child_at(NULL, 0));
	assert_false(vici_node_yes(NULL, "x"));
	vici_msg_free(NULL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_register_events),
		T(test_list_sas_request),
		T(test_initiate_terminate),
		T(test_load_conn_matches_swanctl),
		T(test_version_reply),
		T(test_list_sa_event_walk),
		T(test_frame_limits),
		T(test_frame_split_reads),
		T(test_malformed),
		T(test_truncated_real),
		T(test_depth_limit),
		T(test_node_limit),
		T(test_builder_misuse),
		T(test_builder_sizes),
		T(test_binary_values),
		T(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
