/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A cursor over untrusted bytes (CFI, DWARF): every read is bounded; a
 * failed one sets @bad, moves to the end and reads zeros from then on, so
 * a caller checks once, after a run of reads.  Little-endian objects only.
 */
#ifndef BB_CURSOR_H
#define BB_CURSOR_H

#include <stdbool.h>
#include <stdint.h>

struct bb_cur {
	const uint8_t *p, *end;
	bool bad;
};

/* True when @n more bytes are there; else the cursor goes bad. */
static inline bool bb_cur_need(struct bb_cur *c, uint64_t n)
{
	if (c->bad || n > (uint64_t)(c->end - c->p)) {
		c->bad = true;
		c->p = c->end;
		return false;
	}
	return true;
}

static inline void bb_cur_skip(struct bb_cur *c, uint64_t n)
{
	if (bb_cur_need(c, n))
		c->p += n;
}

/* An @n-byte little-endian number (n <= 8). */
static inline uint64_t bb_cur_le(struct bb_cur *c, unsigned n)
{
	uint64_t v = 0;
	unsigned i;

	if (!bb_cur_need(c, n))
		return 0;
	for (i = 0; i < n; i++)
		v |= (uint64_t)c->p[i] << (8 * i);
	c->p += n;
	return v;
}

/* A LEB128 number, sign-extended from its last byte's bit 6 when @sign. */
static inline uint64_t bb_cur_leb(struct bb_cur *c, bool sign)
{
	uint64_t v = 0;
	unsigned shift = 0;
	uint8_t b;

	do {
		if (!bb_cur_need(c, 1))
			return 0;
		b = *c->p++;
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while (b & 0x80);
	if (sign && shift < 64 && (b & 0x40))
		v |= ~0ULL << shift;
	return v;
}

#endif
