// SPDX-License-Identifier: GPL-2.0
/*
 * memleak's in-process engine: a shared object bpfbox carries, writes to
 * a memfd and preloads (LD_PRELOAD=/proc/self/fd/N) into a command it
 * starts.  It stands in for malloc and friends, calls the allocator that
 * comes next in the search order (dlsym RTLD_NEXT: jemalloc, libc's...)
 * and keeps what is outstanding in tables bpfbox maps too (../shm.h):
 * no trap, no system call per call.
 *
 * Built with no C library of its own (-nostdlib, no DT_NEEDED): what it
 * calls is bound to the target's libc at load time, weakly where a libc
 * may lack it, so that it loads anywhere and stays passive unless bpfbox
 * names this process (active_pid) -- bpfbox does that only for glibc.
 *
 * Delicate places:
 * - dlsym allocates: until the real functions are known, requests come
 *   from a small static arena (never freed).
 * - Calls made inside the engine (the real allocator calling mmap, a
 *   signal handler interrupting the bookkeeping) pass through untracked,
 *   as the uprobe engine counts only the outermost call.
 * - Threads: one spinlock over the tables; stacks are taken outside it.
 * - fork: the child gets a new pid (an atfork handler) and no longer
 *   matches active_pid: it never writes into its parent's tables.
 * - exec: bpfbox clears the tables while the process is stopped at it;
 *   the new image loads this object again (LD_PRELOAD is inherited).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unwind.h>
#include <sys/mman.h>
#include "../shm.h"

#define EXPORT __attribute__((visibility("default")))
#define WEAK __attribute__((weak))

/* The target's libc, bound at load time (weak: a libc may lack one). */
extern void *dlsym(void *handle, const char *name) WEAK;
extern void *dlopen(const char *file, int mode) WEAK;
extern char *getenv(const char *name) WEAK;
extern int getpid(void) WEAK;
extern int clock_gettime(clockid_t clk, struct timespec *ts) WEAK;
extern int *__errno_location(void) WEAK;
extern int __register_atfork(void (*prepare)(void), void (*parent)(void),
			     void (*child)(void), void *dso) WEAK;
extern int pthread_atfork(void (*prepare)(void), void (*parent)(void),
			  void (*child)(void)) WEAK;
extern void *__mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off) WEAK;
extern int __munmap(void *addr, size_t len) WEAK;

/* This object's own extent: its frames are not the caller's. */
extern const char __ehdr_start[] __attribute__((visibility("hidden")));
extern const char _end[] __attribute__((visibility("hidden")));

#define RTLD_NEXT_ ((void *)-1L)	/* glibc's and musl's RTLD_NEXT */
#define RTLD_NOW_ 2

static struct {
	void *(*malloc)(size_t);
	void (*free)(void *);
	void *(*calloc)(size_t, size_t);
	void *(*realloc)(void *, size_t);
	void *(*reallocarray)(void *, size_t, size_t);
	int (*posix_memalign)(void **, size_t, size_t);
	void *(*aligned_alloc)(size_t, size_t);
	void *(*memalign)(size_t, size_t);
	void *(*valloc)(size_t);
	void *(*pvalloc)(size_t);
	void *(*mmap)(void *, size_t, int, int, int, off_t);
	void *(*mremap)(void *, size_t, size_t, int, ...);
	int (*munmap)(void *, size_t);
	_Unwind_Reason_Code (*backtrace)(_Unwind_Trace_Fn, void *);
	uintptr_t (*get_ip)(struct _Unwind_Context *);
} real;

static struct ml_shm *shm;
static struct ml_shm_alloc *allocs;
static struct ml_shm_stack *stacks;
static int my_pid;
static int init_state;		/* 0: not yet, 1: under way, 2: done */

/* 1: inside a real allocator call; 2: inside the bookkeeping. */
static __thread int in_engine __attribute__((tls_model("initial-exec")));
static __thread uint64_t sample_state __attribute__((tls_model("initial-exec")));

/* ---- the bootstrap arena: what dlsym asks for before malloc is known ---- */

static char arena[16384] __attribute__((aligned(16)));
static size_t arena_used;

static void *arena_alloc(size_t n)
{
	size_t at = __atomic_fetch_add(&arena_used, (n + 15) & ~(size_t)15, __ATOMIC_RELAXED);

	if (at + n > sizeof(arena) || n > sizeof(arena))
		return NULL;
	return arena + at;	/* static: zeroed, as calloc wants */
}

static int in_arena(const void *p)
{
	return (const char *)p >= arena && (const char *)p < arena + sizeof(arena);
}

static void set_errno(int e)
{
	if (__errno_location)
		*__errno_location() = e;
}

/* ---- start-up ------------------------------------------------------------ */

static void *next_symbol(const char *name)
{
	return dlsym ? dlsym(RTLD_NEXT_, name) : NULL;
}

static void resolve(void)
{
	real.malloc = next_symbol("malloc");
	real.free = next_symbol("free");
	real.calloc = next_symbol("calloc");
	real.realloc = next_symbol("realloc");
	real.reallocarray = next_symbol("reallocarray");
	real.posix_memalign = next_symbol("posix_memalign");
	real.aligned_alloc = next_symbol("aligned_alloc");
	real.memalign = next_symbol("memalign");
	real.valloc = next_symbol("valloc");
	real.pvalloc = next_symbol("pvalloc");
	real.mmap = next_symbol("mmap");
	real.mremap = next_symbol("mremap");
	real.munmap = next_symbol("munmap");
}

static void after_fork_in_child(void)
{
	my_pid = getpid();	/* no longer the process bpfbox follows */
}

/* The unwinder: libgcc_s's, which reads the same call frame information
 * as the uprobe engine's walker. */
static void load_unwinder(void)
{
	void *h = dlopen ? dlopen("libgcc_s.so.1", RTLD_NOW_) : NULL;

	if (!h)
		return;
	real.get_ip = dlsym(h, "_Unwind_GetIP");
	real.backtrace = real.get_ip ? dlsym(h, "_Unwind_Backtrace") : NULL;
}

static int parse_fd(const char *s)
{
	int fd = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || fd > 100000)
			return -1;
		fd = fd * 10 + (*s - '0');
	}
	return fd;
}

/* The tables bpfbox made; NULL (passive for good) when anything is off. */
static struct ml_shm *map_tables(void)
{
	int fd = parse_fd(getenv ? getenv(ML_SHM_ENV) : NULL);
	struct ml_shm *h;
	uint64_t size;

	if (fd < 0 || !real.mmap || !real.munmap)
		return NULL;
	h = real.mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (h == MAP_FAILED)
		return NULL;
	size = h->magic == ML_SHM_MAGIC ? h->size : 0;
	real.munmap(h, 4096);
	if (!size)
		return NULL;
	h = real.mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (h == MAP_FAILED)
		return NULL;
	if (h->size != size || h->alloc_off + (uint64_t)h->alloc_slots *
	    sizeof(struct ml_shm_alloc) > size || (h->alloc_slots & (h->alloc_slots - 1)) ||
	    h->stack_off + ML_SHM_STACKS * sizeof(struct ml_shm_stack) > size) {
		real.munmap(h, size);
		return NULL;
	}
	allocs = (struct ml_shm_alloc *)((char *)h + h->alloc_off);
	stacks = (struct ml_shm_stack *)((char *)h + h->stack_off);
	return h;
}

static void init(void)
{
	struct ml_shm *h;

	if (__atomic_load_n(&init_state, __ATOMIC_ACQUIRE) == 2)
		return;
	/* A call from dlsym, or another thread while one starts up: the
	 * arena serves it (init_state 1). */
	if (__atomic_exchange_n(&init_state, 1, __ATOMIC_ACQ_REL))
		return;
	in_engine = 1;
	resolve();
	if (getpid && clock_gettime) {
		my_pid = getpid();
		if (__register_atfork)
			__register_atfork(NULL, NULL, after_fork_in_child, NULL);
		else if (pthread_atfork)
			pthread_atfork(NULL, NULL, after_fork_in_child);
		load_unwinder();
		h = map_tables();
		if (h) {
			h->loaded_pid = my_pid;
			h->mapped_at = (uintptr_t)h;
			h->unwinder = real.backtrace != NULL;
			__atomic_store_n(&shm, h, __ATOMIC_RELEASE);
		}
	}
	in_engine = 0;
	__atomic_store_n(&init_state, 2, __ATOMIC_RELEASE);
}

__attribute__((constructor)) static void ml_constructor(void)
{
	init();
}

/* Calls to follow: the process bpfbox names, not a call from inside. */
static int following(void)
{
	struct ml_shm *h = __atomic_load_n(&shm, __ATOMIC_ACQUIRE);

	return h && !in_engine && __atomic_load_n(&h->active_pid, __ATOMIC_RELAXED) == my_pid;
}

/* ---- the tables ------------------------------------------------------------ */

static void lock(void)
{
	while (__atomic_exchange_n(&shm->lock, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&shm->lock, __ATOMIC_RELAXED)) {
#if defined(__x86_64__)
			__builtin_ia32_pause();
#elif defined(__aarch64__)
			__asm__ __volatile__("yield");
#endif
		}
}

static void unlock(void)
{
	__atomic_store_n(&shm->lock, 0, __ATOMIC_RELEASE);
}

struct walk {
	uint64_t *frames;
	int n;
	int skipping;
};

static _Unwind_Reason_Code on_frame(struct _Unwind_Context *ctx, void *arg)
{
	struct walk *w = arg;
	uintptr_t ip = real.get_ip(ctx);

	if (w->skipping && ip >= (uintptr_t)__ehdr_start && ip < (uintptr_t)_end)
		return _URC_NO_REASON;		/* the engine's own frames */
	w->skipping = 0;
	if (!ip)
		return _URC_END_OF_STACK;
	if (w->n == ML_SHM_FRAMES) {
		/* More than fit: the last one says so, as the uprobe engine's. */
		w->frames[ML_SHM_FRAMES - 1] = ML_SHM_TRUNCATED;
		return _URC_END_OF_STACK;
	}
	w->frames[w->n++] = ip;
	return _URC_NO_REASON;
}

static int take_stack(uint64_t *frames)
{
	struct walk w = { frames, 0, 1 };

	if (real.backtrace)
		real.backtrace(on_frame, &w);
	return w.n;
}

static uint64_t hash_frames(const uint64_t *f, int n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	int i;

	for (i = 0; i < n; i++)
		h = (h ^ f[i]) * 0x100000001b3ULL;
	return h ? h : 1;
}

/* The stack's slot, made the first time; -1 when the table is full.
 * Under the lock. */
static int32_t stack_slot(const uint64_t *f, int n)
{
	uint64_t h = hash_frames(f, n);
	uint32_t i, s;

	if (!n)
		return -1;
	for (i = 0; i < 64; i++) {
		struct ml_shm_stack *st;

		s = (uint32_t)(h + i) & (ML_SHM_STACKS - 1);
		st = &stacks[s];
		if (!st->hash) {
			memcpy(st->frames, f, n * sizeof(*f));
			st->nr = n;
			st->hash = h;
			__atomic_store_n(&st->ready, 1, __ATOMIC_RELEASE);
			return s;
		}
		if (st->hash == h && st->nr == (uint32_t)n &&
		    !memcmp(st->frames, f, n * sizeof(*f)))
			return s;
	}
	shm->lost_stacks++;
	return -1;
}

static void account(int32_t stack, int64_t count, int64_t bytes)
{
	if (stack >= 0 && stack < ML_SHM_STACKS) {
		stacks[stack].count += count;
		stacks[stack].bytes += bytes;
	}
}

/* The slot holding @addr, or the free one where it would go. */
static uint32_t alloc_find(uint64_t addr)
{
	uint32_t mask = shm->alloc_slots - 1, i = ml_shm_alloc_home(addr, shm->alloc_slots);

	while (allocs[i].addr && allocs[i].addr != addr)
		i = (i + 1) & mask;
	return i;
}

/* Takes @addr's entry out (into @out when given): backward-shift deletion. */
static int alloc_remove(uint64_t addr, struct ml_shm_alloc *out)
{
	uint32_t mask = shm->alloc_slots - 1, i = alloc_find(addr), j, home;

	if (!allocs[i].addr)
		return 0;
	if (out)
		*out = allocs[i];
	account(allocs[i].stack, -1, -(int64_t)allocs[i].size);
	shm->live--;
	for (j = (i + 1) & mask; allocs[j].addr; j = (j + 1) & mask) {
		home = ml_shm_alloc_home(allocs[j].addr, shm->alloc_slots);
		/* Entry j may move to the hole at i if its home is not in (i, j]. */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			allocs[i] = allocs[j];
			i = j;
		}
	}
	allocs[i].addr = 0;
	return 1;
}

static void alloc_put(const struct ml_shm_alloc *a)
{
	uint32_t i;

	alloc_remove(a->addr, NULL);	/* handed out twice without a free seen */
	if (shm->live >= shm->max_allocs) {
		shm->lost_allocs++;
		return;
	}
	i = alloc_find(a->addr);
	allocs[i] = *a;
	shm->live++;
	account(a->stack, 1, a->size);
}

static int size_wanted(uint64_t size)
{
	uint64_t x;

	if (size < shm->min_size || size > shm->max_size)
		return 0;
	if (shm->sample_every <= 1)
		return 1;
	x = sample_state ? sample_state : (uintptr_t)&x ^ 0x2545f4914f6cdd1dULL;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	sample_state = x;
	return x % shm->sample_every == 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Block @addr of @size came back from an allocating call (@old: the block
 * it replaces, realloc's).  The caller's stack is taken here. */
static void remember(uint64_t addr, uint64_t size, uint64_t old)
{
	uint64_t frames[ML_SHM_FRAMES];
	struct ml_shm_alloc a = { .addr = addr, .size = size, .stack = -1 };
	int n;

	in_engine = 2;
	if (old && old != addr) {
		lock();
		alloc_remove(old, NULL);
		unlock();
	}
	if (old && !size_wanted(size)) {
		lock();
		alloc_remove(addr, NULL);
		unlock();
		in_engine = 0;
		return;
	}
	n = take_stack(frames);
	a.ts_ns = now_ns();
	lock();
	a.stack = stack_slot(frames, n);
	alloc_put(&a);
	unlock();
	in_engine = 0;
}

static void forget(uint64_t addr)
{
	in_engine = 2;
	lock();
	alloc_remove(addr, NULL);
	unlock();
	in_engine = 0;
}

/* A call inside the engine's bookkeeping (a signal handler's): counted. */
static void count_nested(void)
{
	if (in_engine == 2 && shm)
		__atomic_fetch_add(&shm->nested, 1, __ATOMIC_RELAXED);
}

/* ---- the interposed functions -------------------------------------------- */

/* Calls the real function with the engine marked busy: what it calls in
 * turn (reallocarray's realloc, jemalloc's mmap) is not the program's. */
#define CALL_REAL(res, call) do {				\
		int saved_ = in_engine;				\
		in_engine = saved_ ? saved_ : 1;		\
		res = call;					\
		in_engine = saved_;				\
	} while (0)

/* The request is followed (size bounds, sampling): decided before the call. */
static int want(uint64_t size)
{
	if (!following()) {
		count_nested();
		return 0;
	}
	return size_wanted(size);
}

EXPORT void *malloc(size_t n)
{
	void *p;
	int w;

	init();
	if (!real.malloc)
		return arena_alloc(n);
	w = want(n);
	CALL_REAL(p, real.malloc(n));
	if (p && w)
		remember((uintptr_t)p, n, 0);
	return p;
}

EXPORT void free(void *p)
{
	if (!p || in_arena(p))
		return;
	init();
	/* Out of the table first: once freed, another thread may get it. */
	if (following())
		forget((uintptr_t)p);
	else
		count_nested();
	if (real.free)
		real.free(p);
}

EXPORT void *calloc(size_t n, size_t size)
{
	void *p;
	int w;

	init();
	if (!real.calloc)
		return arena_alloc(n * size);
	w = want(n * size);
	CALL_REAL(p, real.calloc(n, size));
	if (p && w)
		remember((uintptr_t)p, n * size, 0);
	return p;
}

/* realloc and reallocarray: the old block goes once the call worked. */
static void *resized(void *old, void *p, uint64_t size)
{
	if (!following()) {
		count_nested();
		return p;
	}
	if (!p) {
		/* realloc(p, 0) frees p and may return NULL. */
		if (old && !size)
			forget((uintptr_t)old);
		return p;
	}
	remember((uintptr_t)p, size, (uintptr_t)old);
	return p;
}

EXPORT void *realloc(void *old, size_t n)
{
	void *p;

	init();
	if (in_arena(old)) {
		/* dlsym's block, grown: a real one from now on. */
		p = malloc(n);
		if (p)
			memcpy(p, old, n < (size_t)(arena + sizeof(arena) - (char *)old) ?
			       n : (size_t)(arena + sizeof(arena) - (char *)old));
		return p;
	}
	if (!real.realloc)
		return NULL;
	if (!old)
		return malloc(n);
	CALL_REAL(p, real.realloc(old, n));
	return resized(old, p, n);
}

EXPORT void *reallocarray(void *old, size_t n, size_t size)
{
	void *p;
	int w = 1;

	init();
	if (!real.reallocarray) {
		set_errno(ENOMEM);
		return NULL;
	}
	if (!old)
		w = want(n * size);
	CALL_REAL(p, real.reallocarray(old, n, size));
	if (!old)
		return p && w ? (remember((uintptr_t)p, n * size, 0), p) : p;
	return resized(old, p, n * size);
}

EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
	int err, w;

	init();
	if (!real.posix_memalign)
		return ENOMEM;
	w = want(n);
	CALL_REAL(err, real.posix_memalign(out, align, n));
	if (!err && w && *out)
		remember((uintptr_t)*out, n, 0);
	return err;
}

/* The allocating functions of one size argument besides malloc. */
#define ALIGNED(name, params, args, size)				\
	EXPORT void *name params					\
	{								\
		void *p;						\
		int w;							\
									\
		init();							\
		if (!real.name) {					\
			set_errno(ENOMEM);				\
			return NULL;					\
		}							\
		w = want(size);						\
		CALL_REAL(p, real.name args);				\
		if (p && w)						\
			remember((uintptr_t)p, size, 0);		\
		return p;						\
	}

ALIGNED(aligned_alloc, (size_t align, size_t n), (align, n), n)
ALIGNED(memalign, (size_t align, size_t n), (align, n), n)
ALIGNED(valloc, (size_t n), (n), n)
ALIGNED(pvalloc, (size_t n), (n), n)

EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p;
	int w;

	init();
	if (!real.mmap)	/* (ld.so's early calls: its own, not through here) */
		return __mmap ? __mmap(addr, len, prot, flags, fd, off) : MAP_FAILED;
	w = want(len);
	CALL_REAL(p, real.mmap(addr, len, prot, flags, fd, off));
	if (p != MAP_FAILED && w)
		remember((uintptr_t)p, len, 0);
	return p;
}

EXPORT void *mremap(void *old, size_t old_len, size_t len, int flags, ...)
{
	void *p, *fixed = NULL;
	va_list ap;

	if (flags & MREMAP_FIXED) {
		va_start(ap, flags);
		fixed = va_arg(ap, void *);
		va_end(ap);
	}
	init();
	if (!real.mremap)
		return MAP_FAILED;
	CALL_REAL(p, real.mremap(old, old_len, len, flags, fixed));
	if (p == MAP_FAILED)
		return p;
	if (!following()) {
		count_nested();
		return p;
	}
	remember((uintptr_t)p, len, (uintptr_t)old);
	return p;
}

EXPORT int munmap(void *addr, size_t len)
{
	init();
	if (addr && following())
		forget((uintptr_t)addr);
	if (!real.munmap)
		return __munmap ? __munmap(addr, len) : -1;
	return real.munmap(addr, len);
}
