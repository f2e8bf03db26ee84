// SPDX-License-Identifier: GPL-2.0
/* memleak's leak kinds: see leakscan.h. */
#include <stdlib.h>
#include <string.h>
#include "../../common/bpfbox.h"
#include "leakscan.h"

const char *const ml_kind_names[ML_KIND_NR] = {
	[ML_KIND_UNKNOWN] = "outstanding",
	[ML_DEFINITELY] = "definitely lost",
	[ML_INDIRECTLY] = "indirectly lost",
	[ML_POSSIBLY] = "possibly lost",
	[ML_REACHABLE] = "still reachable",
};

/* Scan states, in the order a block can only climb. */
enum { UNREACHED, POSSIBLE, REACHABLE, LEADER, INDIRECT };

#define CHUNK 65536

struct scan {
	struct ml_block *b;
	size_t n;
	size_t *work;		/* blocks whose contents are still to scan */
	size_t nr_work, cap_work;
	uint64_t lo, hi;	/* the blocks' span: most words fall outside */
	ml_read_fn read;
	void *ctx;
	unsigned char buf[CHUNK];
};

static int cmp_block(const void *a, const void *b)
{
	const struct ml_block *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The block holding @p (a zero-sized one only at its address), or -1. */
static long block_at(const struct scan *s, uint64_t p)
{
	size_t lo = 0, hi = s->n;

	if (p < s->lo || p >= s->hi)
		return -1;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (s->b[mid].addr <= p)
			lo = mid;
		else
			hi = mid;
	}
	if (s->b[lo].addr > p)
		return -1;
	if (p < s->b[lo].addr + s->b[lo].size || p == s->b[lo].addr)
		return lo;
	return -1;
}

static void push(struct scan *s, size_t i)
{
	if (s->nr_work == s->cap_work) {
		s->cap_work = s->cap_work ? 2 * s->cap_work : 1024;
		s->work = bb_xrealloc(s->work, s->cap_work, sizeof(*s->work));
	}
	s->work[s->nr_work++] = i;
}

/*
 * The words of [@start, @end) as pointers.  Reaching: a start pointer
 * from definite memory makes a block reachable, any other possible (it
 * climbs, never falls).  Lost (@from_lost): the leader's clique, every
 * unreached or leader block it points to becomes indirect.
 */
static void scan_range(struct scan *s, uint64_t start, uint64_t end, bool definite,
		       bool from_lost, long self)
{
	uint64_t a = (start + 7) & ~7ULL;

	while (a < end) {
		size_t want = end - a < CHUNK ? end - a : CHUNK, got, k;

		got = s->read(s->ctx, a, s->buf, want) & ~(size_t)7;
		for (k = 0; k < got; k += 8) {
			uint64_t p;
			long i;
			int st;

			memcpy(&p, s->buf + k, 8);
			i = block_at(s, p);
			if (i < 0 || i == self)
				continue;
			if (from_lost) {
				if (s->b[i].state == UNREACHED || s->b[i].state == LEADER) {
					s->b[i].state = INDIRECT;
					push(s, i);
				}
				continue;
			}
			st = definite && p == s->b[i].addr ? REACHABLE : POSSIBLE;
			if (st > s->b[i].state) {
				s->b[i].state = st;
				push(s, i);
			}
		}
		if (got < want)
			a = (a + got + 4096) & ~4095ULL;	/* an unreadable page */
		else
			a += got;
	}
}

static void drain(struct scan *s, bool from_lost, long self)
{
	while (s->nr_work) {
		struct ml_block *b = &s->b[s->work[--s->nr_work]];

		scan_range(s, b->addr, b->addr + b->size, b->state == REACHABLE, from_lost,
			   self);
	}
}

void ml_classify(struct ml_block *blocks, size_t n, const struct ml_region *roots,
		 size_t nr_roots, ml_read_fn read, void *ctx)
{
	struct scan *s = bb_xcalloc(1, sizeof(*s));
	size_t i;

	qsort(blocks, n, sizeof(*blocks), cmp_block);
	s->b = blocks;
	s->n = n;
	s->read = read;
	s->ctx = ctx;
	if (n) {
		s->lo = blocks[0].addr;
		for (i = 0; i < n; i++) {
			blocks[i].state = UNREACHED;
			if (blocks[i].addr + blocks[i].size + 1 > s->hi)
				s->hi = blocks[i].addr + blocks[i].size + 1;
		}
	}
	for (i = 0; i < nr_roots; i++) {
		scan_range(s, roots[i].start, roots[i].end, true, false, -1);
		drain(s, false, -1);
	}
	/* What no root leads to: each unreached block leads a clique of the
	 * lost blocks it points to (as memcheck counts them). */
	for (i = 0; i < n; i++) {
		if (blocks[i].state != UNREACHED)
			continue;
		blocks[i].state = LEADER;
		scan_range(s, blocks[i].addr, blocks[i].addr + blocks[i].size, false, true, i);
		drain(s, true, i);
	}
	for (i = 0; i < n; i++)
		blocks[i].kind = blocks[i].state == REACHABLE ? ML_REACHABLE :
				 blocks[i].state == POSSIBLE ? ML_POSSIBLY :
				 blocks[i].state == INDIRECT ? ML_INDIRECTLY : ML_DEFINITELY;
	free(s->work);
	free(s);
}
