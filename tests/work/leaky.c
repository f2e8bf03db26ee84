// SPDX-License-Identifier: GPL-2.0
/*
 * leaky: a workload for memleak's tests.  Each leak_* function leaks a
 * known number of blocks of a known size through one allocator entry
 * point; churn() allocates and frees a lot and leaks nothing.
 *
 *   leaky [-w] [-n ROUNDS] [-k] [ARGS...]
 *     -w   wait for a line on stdin before leaking and again before exiting
 *          (so a test can attach with -p, and look before the exit)
 *     -n   repeat the leaks ROUNDS times (default 1)
 *     -k   keep running (sleep) after leaking, until killed
 *   Prints its arguments, so a test can see they arrived.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#define NOINLINE __attribute__((noinline))

static void *keep[1024];
static int nkeep;

/* Keep a pointer reachable, so the compiler cannot drop the allocation. */
static void hold(void *p)
{
	if (nkeep < 1024)
		keep[nkeep++] = p;
}

NOINLINE void leak_malloc(void)		/* 3 x 100 */
{
	for (int i = 0; i < 3; i++)
		hold(malloc(100));
}

NOINLINE void leak_calloc(void)		/* 2 x 200 */
{
	for (int i = 0; i < 2; i++)
		hold(calloc(4, 50));
}

NOINLINE void leak_realloc(void)	/* 1 x 300: grown from 10, the 10 freed */
{
	char *p = malloc(10);

	hold(realloc(p, 300));
}

NOINLINE void leak_reallocarray(void)	/* 1 x 400 */
{
	hold(reallocarray(NULL, 8, 50));
}

NOINLINE void leak_posix_memalign(void)	/* 2 x 256 */
{
	for (int i = 0; i < 2; i++) {
		void *p = NULL;

		if (!posix_memalign(&p, 64, 256))
			hold(p);
	}
}

NOINLINE void leak_aligned_alloc(void)	/* 1 x 512 */
{
	hold(aligned_alloc(64, 512));
}

NOINLINE void leak_memalign(void)	/* 1 x 1024 */
{
	hold(memalign(128, 1024));
}

NOINLINE void leak_valloc(void)		/* 1 x 2048 */
{
	hold(valloc(2048));
}

NOINLINE void leak_pvalloc(void)	/* 1 x 3000 (glibc only: musl has no pvalloc) */
{
#ifdef __GLIBC__
	hold(pvalloc(3000));
#endif
}

NOINLINE void leak_mmap(void)		/* 1 x 8192 (and one mapping unmapped) */
{
	void *gone = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	munmap(gone, 4096);
	hold(p);
}

NOINLINE void leak_mremap(void)		/* 1 x 16384, grown from 4096 */
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	hold(mremap(p, 4096, 16384, MREMAP_MAYMOVE));
}

NOINLINE void churn(void)		/* leaks nothing */
{
	for (int i = 0; i < 1000; i++) {
		void *p = malloc(64 + i);
		void *q = calloc(1, 32);

		p = realloc(p, 128 + i);
		free(q);
		free(p);
	}
}

static void wait_line(void)
{
	char line[64];

	if (!fgets(line, sizeof(line), stdin))
		return;
}

int main(int argc, char **argv)
{
	int rounds = 1, wait = 0, stay = 0, opt;

	while ((opt = getopt(argc, argv, "+wn:k")) != -1) {
		if (opt == 'w')
			wait = 1;
		else if (opt == 'n')
			rounds = atoi(optarg);
		else if (opt == 'k')
			stay = 1;
		else
			return 2;
	}
	printf("leaky: pid %d args:", getpid());
	for (int i = optind; i < argc; i++)
		printf(" [%s]", argv[i]);
	printf("\n");
	fflush(stdout);
	if (wait)
		wait_line();
	for (int r = 0; r < rounds; r++) {
		leak_malloc();
		leak_calloc();
		leak_realloc();
		leak_reallocarray();
		leak_posix_memalign();
		leak_aligned_alloc();
		leak_memalign();
		leak_valloc();
		leak_pvalloc();
		leak_mmap();
		leak_mremap();
		churn();
	}
	printf("leaky: done\n");
	fflush(stdout);
	if (wait)
		wait_line();
	while (stay)
		pause();
	return 0;
}
