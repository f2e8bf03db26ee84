// SPDX-License-Identifier: GPL-2.0
/*
 * memleak_loop: the allocator loop of tests/bench/memleak.sh.
 *
 *   memleak_loop [N [LEAK]]
 *
 * N iterations (default 5000000) of p = malloc(32..64); free(p), from a
 * few frames deep (built with frame pointers, so tracers see a stack),
 * then LEAK (default 0) blocks of 48 bytes allocated and never freed, so
 * a tracer's final report can be checked: LEAK allocations, LEAK * 48
 * bytes outstanding from one stack.
 *
 * Built with -DOWN_ALLOCATOR -fcf-protection=full, the executable has its
 * own malloc and free (wrappers of glibc's), whose first instruction is
 * endbr64, as in the CET-built libcs of Ubuntu and Fedora: the tracers
 * then probe those.
 *
 * Output, one "key value" per line on stdout:
 *   iterations N / leaked N
 *   elapsed_ns N      wall time of the loop (not of the leaks)
 *   ns_per_iter X     elapsed_ns / N
 *   cpu_ns N          user+sys CPU time of the process
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static void *volatile sink;

#ifdef OWN_ALLOCATOR
extern void *__libc_malloc(size_t);
extern void __libc_free(void *);

__attribute__((noinline)) void *malloc(size_t n)
{
	return __libc_malloc(n);
}

__attribute__((noinline)) void free(void *p)
{
	__libc_free(p);
}
#endif

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* noinline: each level is a frame of the stack the tracers record. */
__attribute__((noinline)) static void *alloc_one(size_t size)
{
	void *p = malloc(size);

	sink = p;	/* the pair cannot be optimized away */
	return p;
}

__attribute__((noinline)) static void churn(unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		free(alloc_one(32 + (i & 31)));
}

__attribute__((noinline)) static void leak(unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		alloc_one(48);
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 5000000;
	unsigned long l = argc > 2 ? strtoul(argv[2], NULL, 0) : 0;
	unsigned long long t0, t1;
	struct rusage ru;

	if (!n)
		n = 1;
	t0 = now_ns();
	churn(n);
	t1 = now_ns();
	leak(l);
	getrusage(RUSAGE_SELF, &ru);
	printf("iterations %lu\nleaked %lu\nelapsed_ns %llu\nns_per_iter %.1f\n"
	       "cpu_ns %llu\n", n, l, t1 - t0, (double)(t1 - t0) / n,
	       (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ULL +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ULL);
	return 0;
}
