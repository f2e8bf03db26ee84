// SPDX-License-Identifier: GPL-2.0
/* memleak's leak kinds (applets/memleak/leakscan.c) on a fake memory:
 * blocks and roots laid out in one array, words as pointers into it. */
#include <string.h>
#include "unit.h"
#include "../../applets/memleak/leakscan.h"

#define BASE 0x10000ULL
#define WORDS 4096
static uint64_t mem[WORDS];	/* address BASE + 8 * i is mem[i] */
static unsigned reads;

static uint64_t addr(size_t word)
{
	return BASE + 8 * word;
}

static size_t fake_read(void *ctx, uint64_t a, void *buf, size_t len)
{
	(void)ctx;
	reads++;
	if (a < BASE || a >= addr(WORDS))
		return 0;
	if (len > addr(WORDS) - a)
		len = addr(WORDS) - a;
	memcpy(buf, (char *)mem + (a - BASE), len);
	return len;
}

/* Blocks at words 100, 200, ... of 8 words each (64 bytes). */
static void blocks_at(struct ml_block *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (struct ml_block){ .addr = addr(100 * (i + 1)), .size = 64 };
}

static void test_kinds(void)
{
	struct ml_block b[6];
	struct ml_region root = { addr(0), addr(10) };	/* words 0..9: the "globals" */

	memset(mem, 0, sizeof(mem));
	blocks_at(b, 6);
	mem[0] = addr(100);		/* block 0: reachable from a root */
	mem[100] = addr(200);		/* block 1: reachable through block 0 */
	mem[1] = addr(300) + 16;	/* block 2: only an interior pointer */
	mem[300] = addr(400);		/* block 3: a start pointer, but from a possible block */
	mem[500] = addr(600);		/* block 4 lost, leads block 5: indirect */
	mem[600] = addr(500) + 8;	/* (a cycle back, interior: still one clique) */
	ml_classify(b, 6, &root, 1, fake_read, NULL);
	CHECK(b[0].kind == ML_REACHABLE, "a start pointer in a root: still reachable");
	CHECK(b[1].kind == ML_REACHABLE, "a start pointer in a reachable block: still reachable");
	CHECK(b[2].kind == ML_POSSIBLY, "only an interior pointer: possibly lost");
	CHECK(b[3].kind == ML_POSSIBLY, "a start pointer from a possibly lost block: possibly lost");
	CHECK(b[4].kind == ML_DEFINITELY, "nothing leads to it: definitely lost");
	CHECK(b[5].kind == ML_INDIRECTLY, "only a lost block points to it: indirectly lost");
}

static void test_cliques(void)
{
	struct ml_block b[3];

	/* Block 0 is taken first as a leader, then block 1 points to it: it
	 * joins block 1's clique (memcheck's counting). */
	memset(mem, 0, sizeof(mem));
	blocks_at(b, 3);
	mem[200] = addr(100);
	mem[300] = addr(300);		/* a block pointing to itself is still lost */
	/* Given out of order: ml_classify sorts. */
	struct ml_block t = b[0];
	b[0] = b[2];
	b[2] = t;
	ml_classify(b, 3, NULL, 0, fake_read, NULL);
	CHECK(b[0].addr == addr(100) && b[2].addr == addr(300), "blocks sorted by address");
	CHECK(b[1].kind == ML_DEFINITELY && b[0].kind == ML_INDIRECTLY,
	      "a lost block pointing to an earlier leader: it leads, the other is indirect");
	CHECK(b[2].kind == ML_DEFINITELY, "a lost block pointing to itself: definitely lost");
}

static void test_edges(void)
{
	struct ml_block b[2] = { { .addr = addr(100), .size = 0 }, { .addr = addr(200), .size = 64 } };
	struct ml_region roots[2] = { { addr(0), addr(3) }, { addr(WORDS - 1), addr(WORDS + 1000) } };

	memset(mem, 0, sizeof(mem));
	mem[0] = addr(100);		/* a zero-sized block: reached at its address */
	mem[2] = addr(200) + 64;	/* one past the end: not a pointer into it */
	ml_classify(b, 2, roots, 2, fake_read, NULL);
	CHECK(b[0].kind == ML_REACHABLE, "a zero-sized block reached at its address");
	CHECK(b[1].kind == ML_DEFINITELY, "a pointer one past a block's end does not reach it");
	ml_classify(b, 0, roots, 2, fake_read, NULL);
	CHECK(true, "no blocks: nothing to do, no crash");
	reads = 0;
	{
		struct ml_region odd = { addr(0) + 3, addr(2) + 5 };	/* unaligned ends */

		ml_classify(b, 2, &odd, 1, fake_read, NULL);
		CHECK(reads >= 1 && b[0].kind == ML_DEFINITELY,
		      "an unaligned root is read from its first aligned word (mem[0] skipped)");
	}
}

int main(void)
{
	test_kinds();
	test_cliques();
	test_edges();
	return unit_done();
}
