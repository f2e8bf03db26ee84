// SPDX-License-Identifier: GPL-2.0
/*
 * ml_bigmap: memleak's mmap'd blocks.  glibc's malloc serves requests of
 * 128 KiB and more (M_MMAP_THRESHOLD) with an mmap of their own, made
 * inside the allocator; the program maps and remaps memory directly too;
 * and two threads come and go, whose stacks glibc maps itself (and keeps
 * in its cache after the join).  What is outstanding at the end, by the
 * function that allocated it:
 *   leak_big 200000 (malloc), leak_realloc_big 400000 (grown from 150000),
 *   leak_calloc_big 250000, leak_map 65536 (mmap), leak_mremap 131072
 *   (mmap'd 65536, then mremap'd), thread_leak 2 x 50;
 * nothing of free_big and unmap, and nothing of glibc's own mappings.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#define NOINLINE __attribute__((noinline))

void *volatile sink;

NOINLINE void leak_big(void)
{
	sink = malloc(200000);
}

NOINLINE void free_big(void)
{
	void *p = malloc(300000);

	sink = p;
	free(p);
}

NOINLINE void leak_realloc_big(void)
{
	void *p = malloc(150000);

	sink = realloc(p, 400000);
}

NOINLINE void leak_calloc_big(void)
{
	sink = calloc(1, 250000);
}

/* (A macro: a function, even inlined, would be the stacks' first frame.) */
#define map(len) mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)

NOINLINE void leak_map(void)
{
	sink = map(65536);
}

NOINLINE void unmap(void)
{
	void *p = map(32768);

	munmap(p, 32768);
}

NOINLINE void leak_mremap(void)
{
	void *p = map(65536);

	sink = mremap(p, 65536, 131072, MREMAP_MAYMOVE);
}

NOINLINE void thread_leak(void)
{
	sink = malloc(50);
}

static void *thread(void *arg)
{
	thread_leak();
	return arg;
}

int main(void)
{
	pthread_t t;
	int i;

	leak_big();
	free_big();
	leak_realloc_big();
	leak_calloc_big();
	leak_map();
	unmap();
	leak_mremap();
	for (i = 0; i < 2; i++) {
		pthread_create(&t, NULL, thread, NULL);
		pthread_join(t, NULL);
	}
	printf("ml_bigmap: done\n");
	return 0;
}
