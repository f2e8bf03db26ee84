// SPDX-License-Identifier: GPL-2.0
/*
 * ml_kinds: one leak of each kind valgrind's memcheck tells apart, for
 * memleak's leak scan (valgrind is the oracle):
 *   definitely lost  364 bytes in 4 blocks: 3 x 100 dropped (lose_blocks),
 *                    and the 64-byte head of a dropped list (lose_list)
 *   indirectly lost   96 bytes in 2 blocks: that list's two 48-byte nodes
 *   possibly lost    512 bytes in 1 block: only a pointer into it is kept
 *   still reachable  800 bytes in 4 blocks: a list a global points to
 * It prints nothing (no stdio buffer), and wipes its stack before it
 * returns, so no dead frame still holds a pointer to a lost block.
 */
#include <stdlib.h>
#include <string.h>

#define NOINLINE __attribute__((noinline))

struct node {
	struct node *next;
	char pad[];
};

static struct node *kept;	/* still reachable: the list */
char *volatile inside;	/* possibly lost: into a block, not its start */
void *volatile sink;		/* the compiler may not drop an allocation */

static struct node *node(size_t size, struct node *next)
{
	struct node *n = malloc(size);

	memset(n, 0, size);
	n->next = next;
	return n;
}

NOINLINE void lose_blocks(void)
{
	for (int i = 0; i < 3; i++)
		sink = malloc(100);
	sink = NULL;
}

NOINLINE void lose_list(void)
{
	sink = node(64, node(48, node(48, NULL)));
	sink = NULL;
}

NOINLINE void keep_list(void)
{
	for (int i = 0; i < 4; i++)
		kept = node(200, kept);
}

NOINLINE void keep_inside(void)
{
	inside = (char *)malloc(512) + 16;
}

/* The dead frames below main's: overwritten. */
NOINLINE void wipe_stack(void)
{
	volatile char junk[16384];

	memset((char *)junk, 0, sizeof(junk));
}

int main(void)
{
	lose_blocks();
	lose_list();
	keep_list();
	keep_inside();
	wipe_stack();
	return 0;
}
