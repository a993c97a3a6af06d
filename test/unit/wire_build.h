/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wire_build.h - build big-endian wire messages in unit tests (BGP, BMP, MRT)
 *
 *   struct b m = { .n = 0 };
 *   b8(&m, 3); b32(&m, len); bmem(&m, addr, 4);
 *
 * Writing past the buffer fails the test instead of corrupting the stack.
 */
#ifndef UPLINKD_TEST_WIRE_BUILD_H
#define UPLINKD_TEST_WIRE_BUILD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct b {
	uint8_t d[8192];
	size_t n;
};

static inline void bmem(struct b *b, const void *p, size_t n)
{
	assert_true(n <= sizeof(b->d) - b->n);
	memcpy(b->d + b->n, p, n);
	b->n += n;
}

static inline void b8(struct b *b, unsigned int v)
{
	uint8_t c = (uint8_t)v;

	bmem(b, &c, 1);
}

static inline void b16(struct b *b, unsigned int v)
{
	b8(b, v >> 8);
	b8(b, v & 0xff);
}

static inline void b32(struct b *b, uint32_t v)
{
	b16(b, v >> 16);
	b16(b, v & 0xffff);
}

#endif
