// SPDX-License-Identifier: GPL-2.0
/*
 * memleak_preload: a lean in-process allocation tracker, for
 * tests/bench/memleak.sh.  Not part of bpfbox: it measures what the
 * LD_PRELOAD mechanism costs when it does the same bookkeeping as
 * bpfbox memleak (outstanding allocations by address, a user stack per
 * allocation, outstanding count and bytes per stack), but with no trap,
 * no syscall and no pipe per call -- the only way found to get under
 * x10 on a malloc/free loop (see memleak.sh, part 3).
 *
 *   gcc -O2 -fno-omit-frame-pointer -fPIC -shared -o memleak_preload.so \
 *       memleak_preload.c
 *   LD_PRELOAD=./memleak_preload.so CMD
 *
 * glibc only (it calls __libc_malloc and friends).  Stacks: frame
 * pointers, up to MAX_FRAMES, reads bounded by the thread's stack.
 * Tables: fixed-size open addressing in anonymous memory, lock-free
 * (compare-and-swap on the key; atomic counters).  At exit it prints to
 * stderr: "memleak_preload: outstanding N allocations, B bytes, S stacks"
 * and the top stacks by bytes (raw addresses and dladdr names).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define MAX_FRAMES 32
#define STACK_BITS 14			/* 16384 stacks, like bpfbox's map */
#define ALLOC_BITS 22			/* 4M live allocations */
#define TOMB ((uintptr_t)1)

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);
extern void *__libc_stack_end;

struct stack {
	uint64_t hash;			/* 0: free slot */
	uint32_t nr;
	uint32_t pad;
	int64_t count, bytes;		/* outstanding */
	uintptr_t ip[MAX_FRAMES];
};

struct alloc {
	uintptr_t addr;			/* 0: free, TOMB: deleted */
	uint32_t stack;			/* index + 1; 0: none */
	uint32_t size;
};

static struct stack *stacks;
static struct alloc *allocs;
static uint64_t lost;
static __thread int busy;		/* inside the tracker: calls go straight through */
static __thread uintptr_t stack_top;

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static uintptr_t thread_stack_top(void)
{
	pthread_attr_t a;
	void *lo;
	size_t sz;

	if (!pthread_getattr_np(pthread_self(), &a)) {
		if (!pthread_attr_getstack(&a, &lo, &sz)) {
			pthread_attr_destroy(&a);
			return (uintptr_t)lo + sz;
		}
		pthread_attr_destroy(&a);
	}
	return (uintptr_t)__libc_stack_end;
}

/* The stack from the wrapper's frame: frame pointers, each read inside
 * the thread's stack.  The first address is the wrapper's return address. */
static int walk(uintptr_t *ip, uintptr_t *fp)
{
	uintptr_t *next;
	int n = 0;

	if (!stack_top)
		stack_top = thread_stack_top();
	while (n < MAX_FRAMES && fp && ((uintptr_t)fp & 7) == 0 &&
	       (uintptr_t)(fp + 2) <= stack_top) {
		if (!fp[1])
			break;
		ip[n++] = fp[1];
		next = (uintptr_t *)fp[0];
		if (next <= fp)
			break;
		fp = next;
	}
	return n;
}

static uint32_t stack_id(uintptr_t *fp)
{
	uintptr_t ip[MAX_FRAMES];
	uint64_t h = 0x9e3779b97f4a7c15ULL;
	uint32_t mask = (1u << STACK_BITS) - 1, i, probes;
	int n = walk(ip, fp), k;

	for (k = 0; k < n; k++)
		h = mix(h ^ ip[k]);
	h |= 1;
	for (i = h & mask, probes = 0; probes <= mask; i = (i + 1) & mask, probes++) {
		struct stack *s = &stacks[i];
		uint64_t cur = __atomic_load_n(&s->hash, __ATOMIC_ACQUIRE);

		if (cur == h && s->nr == (uint32_t)n)
			return i + 1;
		if (cur)
			continue;
		/* Claim the slot; the frames are written before the count is. */
		if (__atomic_compare_exchange_n(&s->hash, &cur, h, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			memcpy(s->ip, ip, n * sizeof(*ip));
			__atomic_store_n(&s->nr, n, __ATOMIC_RELEASE);
			return i + 1;
		}
		if (cur == h)
			return i + 1;
	}
	__atomic_fetch_add(&lost, 1, __ATOMIC_RELAXED);
	return 0;
}

static void track(void *p, size_t size, uintptr_t *fp)
{
	uint32_t mask = (1u << ALLOC_BITS) - 1, i, probes, sid;
	uintptr_t addr = (uintptr_t)p;

	if (!p || !allocs || busy)
		return;
	busy = 1;
	sid = stack_id(fp);
	if (sid) {
		__atomic_fetch_add(&stacks[sid - 1].count, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&stacks[sid - 1].bytes, size, __ATOMIC_RELAXED);
	}
	for (i = mix(addr) & mask, probes = 0; probes <= mask; i = (i + 1) & mask, probes++) {
		uintptr_t cur = __atomic_load_n(&allocs[i].addr, __ATOMIC_RELAXED);

		if (cur > TOMB)
			continue;
		if (__atomic_compare_exchange_n(&allocs[i].addr, &cur, addr, false,
						__ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
			allocs[i].stack = sid;
			allocs[i].size = size > UINT32_MAX ? UINT32_MAX : size;
			busy = 0;
			return;
		}
	}
	__atomic_fetch_add(&lost, 1, __ATOMIC_RELAXED);
	busy = 0;
}

static void untrack(void *p)
{
	uint32_t mask = (1u << ALLOC_BITS) - 1, i, probes;
	uintptr_t addr = (uintptr_t)p;

	if (!p || !allocs)
		return;
	for (i = mix(addr) & mask, probes = 0; probes <= mask; i = (i + 1) & mask, probes++) {
		uintptr_t cur = __atomic_load_n(&allocs[i].addr, __ATOMIC_ACQUIRE);

		if (!cur)
			return;		/* not ours: allocated before the tracker */
		if (cur != addr)
			continue;
		if (allocs[i].stack) {
			struct stack *s = &stacks[allocs[i].stack - 1];

			__atomic_fetch_sub(&s->count, 1, __ATOMIC_RELAXED);
			__atomic_fetch_sub(&s->bytes, allocs[i].size, __ATOMIC_RELAXED);
		}
		__atomic_store_n(&allocs[i].addr, TOMB, __ATOMIC_RELEASE);
		return;
	}
}

/* The wrappers keep a frame (built with -fno-omit-frame-pointer). */
#define CALLER ((uintptr_t *)__builtin_frame_address(0))

void *malloc(size_t n)
{
	void *p = __libc_malloc(n);

	track(p, n, CALLER);
	return p;
}

void *calloc(size_t n, size_t m)
{
	void *p = __libc_calloc(n, m);

	track(p, n * m, CALLER);
	return p;
}

void *realloc(void *old, size_t n)
{
	void *p;

	untrack(old);
	p = __libc_realloc(old, n);
	track(p, n, CALLER);
	return p;
}

void *memalign(size_t align, size_t n)
{
	void *p = __libc_memalign(align, n);

	track(p, n, CALLER);
	return p;
}

void *aligned_alloc(size_t align, size_t n)
{
	void *p = __libc_memalign(align, n);

	track(p, n, CALLER);
	return p;
}

int posix_memalign(void **out, size_t align, size_t n)
{
	void *p = __libc_memalign(align, n);

	if (!p)
		return ENOMEM;
	track(p, n, CALLER);
	*out = p;
	return 0;
}

void free(void *p)
{
	untrack(p);
	__libc_free(p);
}

__attribute__((constructor)) static void init(void)
{
	void *a = mmap(NULL, sizeof(struct stack) << STACK_BITS, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	void *b = mmap(NULL, sizeof(struct alloc) << ALLOC_BITS, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (a == MAP_FAILED || b == MAP_FAILED)
		return;
	stacks = a;
	allocs = b;
}

__attribute__((destructor)) static void report(void)
{
	int64_t count = 0, bytes = 0;
	uint32_t i, nr = 0, top[3] = { 0 }, k, j;

	if (!stacks)
		return;
	busy = 1;
	for (i = 0; i < 1u << STACK_BITS; i++) {
		if (!stacks[i].hash || stacks[i].count <= 0)
			continue;
		nr++;
		count += stacks[i].count;
		bytes += stacks[i].bytes;
		for (k = 0; k < 3; k++) {
			if (top[k] && stacks[top[k] - 1].bytes >= stacks[i].bytes)
				continue;
			for (j = 2; j > k; j--)
				top[j] = top[j - 1];
			top[k] = i + 1;
			break;
		}
	}
	fprintf(stderr, "memleak_preload: outstanding %lld allocations, %lld bytes, %u stacks"
		" (lost %llu)\n", (long long)count, (long long)bytes, nr,
		(unsigned long long)lost);
	for (k = 0; k < 3 && top[k]; k++) {
		struct stack *s = &stacks[top[k] - 1];

		fprintf(stderr, "  %lld bytes in %lld allocations from\n", (long long)s->bytes,
			(long long)s->count);
		for (j = 0; j < s->nr; j++) {
			Dl_info di;

			if (dladdr((void *)s->ip[j], &di) && di.dli_sname)
				fprintf(stderr, "    %s+0x%lx\n", di.dli_sname,
					(unsigned long)(s->ip[j] - (uintptr_t)di.dli_saddr));
			else
				fprintf(stderr, "    0x%lx\n", (unsigned long)s->ip[j]);
		}
	}
}
