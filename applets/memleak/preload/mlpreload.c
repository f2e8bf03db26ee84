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
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unwind.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "../shm.h"
#include <linux/types.h>
#include "../../../bpf/bb_shared.h"	/* enum bb_cfa */

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
extern long syscall(long nr, ...) WEAK;
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
static struct ml_shm_row *rows;
static struct ml_shm_maps *maps;	/* [2]: bpfbox flips maps_cur */
static int my_pid;
static int init_state;		/* 0: not yet, 1: under way, 2: done */

/* Thread variables by TLS descriptors, the general model: a dlopen'd
 * object (--engine inject) finds no room for its 6 KB in the static TLS
 * block; preloaded, a descriptor costs about what initial-exec does. */
#define DYNAMIC_TLS __attribute__((tls_model("global-dynamic")))

/* 1: inside a real allocator call; 2: inside the bookkeeping. */
static __thread int in_engine DYNAMIC_TLS;
static __thread uint64_t sample_state DYNAMIC_TLS;

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

static int get_errno(void)
{
	return __errno_location ? *__errno_location() : 0;
}

/* ---- start-up ------------------------------------------------------------ */

/* Preloaded: the next object's (RTLD_NEXT).  Injected (dlopen'd, in a
 * scope of its own), the global scope's, as a program call binds. */
static void *next_in = RTLD_NEXT_;

static void *next_symbol(const char *name)
{
	return dlsym ? dlsym(next_in, name) : NULL;
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

static uint64_t clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* CLOCK_BOOTTIME minus CLOCK_MONOTONIC at start-up (a suspend since
 * makes blocks look younger, by its length). */
static uint64_t boot_offset;

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
static struct ml_shm *map_tables(int fd)
{
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
	    h->stack_off + ML_SHM_STACKS * sizeof(struct ml_shm_stack) > size ||
	    h->rows_off + (uint64_t)ML_SHM_ROWS * sizeof(struct ml_shm_row) > size ||
	    h->maps_off + 2 * sizeof(struct ml_shm_maps) > size) {
		real.munmap(h, size);
		return NULL;
	}
	allocs = (struct ml_shm_alloc *)((char *)h + h->alloc_off);
	stacks = (struct ml_shm_stack *)((char *)h + h->stack_off);
	rows = (struct ml_shm_row *)((char *)h + h->rows_off);
	maps = (struct ml_shm_maps *)((char *)h + h->maps_off);
	return h;
}

static int event_fd = -1;	/* bpfbox's eventfd, here; -1: none */

/* ---- bpfbox still there? -------------------------------------------------- */

/* The read end of bpfbox's pipe (../shm.h), here; -1: cannot tell, and
 * then bpfbox is taken to be there, as before. */
static int alive_fd = -1;
static uint64_t next_alive_check;	/* CLOCK_BOOTTIME ns */

/* @fd is bpfbox's pipe still (the program may have closed it and opened
 * another file under its number: never read from that). */
static int is_alive_pipe(int fd, const struct ml_shm *h)
{
	struct stat st;

	return fd >= 0 && syscall && !syscall(SYS_fstat, fd, &st) &&
	       (uint64_t)st.st_dev == h->alive_dev && (uint64_t)st.st_ino == h->alive_ino;
}

/* bpfbox is gone (killed): its end of the pipe closed, EOF here. */
static int bpfbox_gone(const struct ml_shm *h)
{
	int saved = get_errno(), gone;
	char c;

	if (!is_alive_pipe(alive_fd, h))
		return 0;
	gone = syscall(SYS_read, alive_fd, &c, 1) == 0;
	set_errno(saved);
	return gone;
}

/* "/proc/<pid>/fd/<fd>" into @buf (no libc to format with). */
static void proc_fd_path(char *buf, int pid, int fd)
{
	static const char *const parts[] = { "/proc/", "/fd/" };
	int nums[2] = { pid, fd }, i, n, d;
	const char *c;
	char digits[12];

	for (i = 0; i < 2; i++) {
		for (c = parts[i]; *c; c++)
			*buf++ = *c;
		for (n = nums[i], d = 0; d == 0 || n; n /= 10)
			digits[d++] = '0' + n % 10;
		while (d)
			*buf++ = digits[--d];
	}
	*buf = 0;
}

/* bpfbox gone: nobody reads the tables any more, and this process is no
 * longer followed (every call passes straight through from now on); an
 * image it execs does not follow either (start_up). */
static void unfollow(struct ml_shm *h)
{
	int pid = my_pid;

	__atomic_compare_exchange_n(&h->active_pid, &pid, 0, 0, __ATOMIC_RELEASE,
				    __ATOMIC_RELAXED);
}

/* At most once a second (@now), from a followed call: is bpfbox there? */
static void check_bpfbox(uint64_t now)
{
	uint64_t next = __atomic_load_n(&next_alive_check, __ATOMIC_RELAXED);

	if (now < next || !__atomic_compare_exchange_n(&next_alive_check, &next,
						       now + 1000000000ULL, 0,
						       __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return;
	if (bpfbox_gone(shm))
		unfollow(shm);
}

/* The tables open on @table_fd (-1: none); once. */
static void start_up(int table_fd)
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
		boot_offset = clock_ns(CLOCK_BOOTTIME) - clock_ns(CLOCK_MONOTONIC);
		my_pid = getpid();
		if (__register_atfork)
			__register_atfork(NULL, NULL, after_fork_in_child, NULL);
		else if (pthread_atfork)
			pthread_atfork(NULL, NULL, after_fork_in_child);
		load_unwinder();
		h = map_tables(table_fd);
		if (h && is_alive_pipe(h->alive_fd, h))
			alive_fd = h->alive_fd;	/* inherited too (preloaded) */
		/* An image exec'd after bpfbox was killed: the tables are the
		 * old image's, never cleared: not followed. */
		if (h && bpfbox_gone(h)) {
			real.munmap(h, h->size);
			h = NULL;
		}
		if (h) {
			event_fd = h->event_fd;	/* inherited with the memfds */
			h->loaded_pid = my_pid;
			h->mapped_at = (uintptr_t)h;
			h->unwinder = real.backtrace != NULL;
			__atomic_store_n(&shm, h, __ATOMIC_RELEASE);
		}
	}
	in_engine = 0;
	__atomic_store_n(&init_state, 2, __ATOMIC_RELEASE);
}

static void init(void)
{
	if (__atomic_load_n(&init_state, __ATOMIC_ACQUIRE) == 2)
		return;
	start_up(parse_fd(getenv ? getenv(ML_SHM_ENV) : NULL));
}

/* Preloaded by bpfbox (its variable set): at once.  dlopen'd by
 * --engine inject: nothing until bpfbox calls the function below. */
__attribute__((constructor)) static void ml_constructor(void)
{
	if (getenv && getenv(ML_SHM_ENV))
		init();
}

/*
 * --engine inject: bpfbox calls this through ptrace once it dlopen'd the
 * object, with the paths of its tables and eventfd (/proc/<bpfbox>/fd/N),
 * before it points the process's GOT slots here.  0 when followed.
 */
EXPORT int bpfbox_memleak_attach(const char *table, const char *event)
{
	int fd;

	if (init_state || !syscall)
		return -1;	/* preloaded already, or no way to open */
	next_in = NULL;		/* RTLD_DEFAULT */
	fd = syscall(SYS_openat, AT_FDCWD, table, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -2;
	start_up(fd);
	syscall(SYS_close, fd);
	if (!shm)
		return -3;
	/* A pc in no mapping described: bpfbox asked through this, or libgcc. */
	event_fd = syscall(SYS_openat, AT_FDCWD, event, O_RDWR | O_CLOEXEC);
	if (shm->alive_fd >= 0 && shm->bpfbox_pid > 0) {
		int saved = get_errno();
		char path[48];

		proc_fd_path(path, shm->bpfbox_pid, shm->alive_fd);
		alive_fd = syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		set_errno(saved);	/* (the thread bpfbox borrowed: its errno as it was) */
	}
	return 0;
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

/* ---- stacks ------------------------------------------------------------------ */

/*
 * A frame of the walk: its pc (a return address), the stack pointer and
 * frame pointer of that frame at the call.  An interposed function takes
 * its caller's at its entry (START): its return address, its CFA (the
 * caller's stack pointer), and the caller's frame pointer saved in its
 * frame record (this object is built with frame pointers).
 */
struct uw {
	uint64_t pc, sp, fp;
};

#define START(st)							\
	struct uw st = { (uintptr_t)__builtin_return_address(0),	\
			 (uintptr_t)__builtin_dwarf_cfa(),		\
			 *(uint64_t *)__builtin_frame_address(0) }

enum { UW_OK, UW_END, UW_CUT, UW_LIBGCC, UW_UNMAPPED };

#define MAX_FRAME_BYTES (64u << 20)	/* a CFA further up is no frame of ours */

static const struct ml_shm_map *map_of(const struct ml_shm_maps *mp, uint64_t pc)
{
	uint32_t lo = 0, hi = mp->nr < ML_SHM_MAPS ? mp->nr : ML_SHM_MAPS, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (mp->m[mid].end <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ML_SHM_MAPS && lo < mp->nr && mp->m[lo].start <= pc ? &mp->m[lo] : NULL;
}

/* The row in force at link-time address @pc (common/unwind.c's lookup). */
static const struct ml_shm_row *row_of(const struct ml_shm_map *m, uint64_t pc)
{
	const struct ml_shm_row *r = rows + m->row_first;
	uint32_t lo = 0, hi = m->row_nr, mid;

	if (m->row_first > ML_SHM_ROWS || m->row_nr > ML_SHM_ROWS - m->row_first)
		return NULL;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (r[mid].pc <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && r[lo - 1].cfa != BB_CFA_UNKNOWN ? &r[lo - 1] : NULL;
}

/* The rows found lately, per thread (a program's hot call sites repeat):
 * a direct-mapped cache of pc -> row, emptied when the mappings change. */
#define ROW_CACHE 1024
struct cached_row {
	uint64_t pc;		/* 0: empty */
	struct ml_shm_row row;	/* cfa BB_CFA_UNKNOWN: none there */
};

/*
 * The thread's last walk, step by step: where each step started, the
 * stack slots it read, where it led.  A step that starts where one of the
 * last walk did (pc, sp, fp), with the same values in those slots, leads
 * to the same place: no row to look up.  A program allocates from the
 * same outer frames over and over (an interpreter's loop, a server's
 * event loop), and walking them cost most of the engine's time.
 */
struct memo_step {
	uint64_t pc, sp, fp;		/* the frame the step starts from */
	uint64_t ra_at, fp_at;		/* the slots read (0: none) */
	uint64_t ra, cfa, nfp;		/* what they held, and the CFA: the caller's */
	int r;				/* UW_OK, UW_END or UW_CUT */
};
struct walk_memo {
	uint32_t seq;			/* of the mappings it was made with */
	uint32_t cur;
	uint32_t nr[2];
	struct memo_step s[2][ML_SHM_FRAMES];
	struct cached_row rows[ROW_CACHE];	/* (one TLS access for all) */
};
static __thread struct walk_memo walk_memo DYNAMIC_TLS;

/* @m replayed from @s, when it starts there and its slots hold the same;
 * -1 when not. */
static int replay(struct uw *s, const struct memo_step *m, struct memo_step *rec)
{
	if (m->pc != s->pc || m->sp != s->sp || m->fp != s->fp ||
	    (m->ra_at && *(const uint64_t *)m->ra_at != m->ra) ||
	    (m->fp_at && *(const uint64_t *)m->fp_at != m->nfp))
		return -1;
	*rec = *m;
	if (m->r == UW_OK) {
		s->pc = m->ra;
		s->sp = m->cfa;
		s->fp = m->nfp;
	}
	return m->r;
}

/* @s to its caller's frame, as bpf/bpfbox.bpf.h's bb_unwind_step does; a
 * pc in no described mapping (a library dlopen'd since), or in one without
 * rows, is left to libgcc's unwinder.  The step is written down in @rec. */
static int step(struct uw *s, const struct ml_shm_maps *mp, struct cached_row *cache,
		struct memo_step *rec)
{
	uint64_t pc = s->pc - 1, cfa, ra, fp;
	struct cached_row *c = &cache[(pc ^ (pc >> 8)) & (ROW_CACHE - 1)];
	const struct ml_shm_map *m;
	const struct ml_shm_row *row;

	*rec = (struct memo_step){ .pc = s->pc, .sp = s->sp, .fp = s->fp, .r = UW_CUT };
	if (c->pc == pc) {
		row = &c->row;
	} else {
		m = map_of(mp, pc);
		if (!m)
			return UW_UNMAPPED;
		if (!m->row_nr)
			return UW_LIBGCC;
		row = row_of(m, pc - m->bias);
		c->pc = pc;
		if (row)
			c->row = *row;
		else
			c->row.cfa = BB_CFA_UNKNOWN;
		row = &c->row;
	}
	if (row->cfa == BB_CFA_UNKNOWN)
		return UW_CUT;
	if (row->cfa == BB_CFA_END)
		return rec->r = UW_END;
	if (!row->ra_off)
		return UW_CUT;
	if (row->cfa == BB_CFA_SP)
		cfa = s->sp + row->cfa_off;
	else if (row->cfa == BB_CFA_FP)
		cfa = s->fp + row->cfa_off;
	else
		return UW_CUT;
	if (cfa <= s->sp || cfa - s->sp > MAX_FRAME_BYTES || ((cfa + row->ra_off) & 7))
		return UW_CUT;
	ra = *(const uint64_t *)(cfa + row->ra_off);
	fp = row->fp_off ? *(const uint64_t *)(cfa + row->fp_off) : s->fp;
	*rec = (struct memo_step){ .pc = s->pc, .sp = s->sp, .fp = s->fp,
		.ra_at = cfa + row->ra_off, .fp_at = row->fp_off ? cfa + row->fp_off : 0,
		.ra = ra, .cfa = cfa, .nfp = fp, .r = ra ? UW_OK : UW_END };
	if (!ra)
		return UW_END;
	s->pc = ra;
	s->sp = cfa;
	s->fp = fp;
	return UW_OK;
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
	if (w->n == ML_SHM_FRAMES - 1) {
		/* A last frame reached: marked, as the uprobe engine's walk does. */
		w->frames[w->n++] = ML_SHM_TRUNCATED;
		return _URC_END_OF_STACK;
	}
	w->frames[w->n++] = ip;
	return _URC_NO_REASON;
}

static int libgcc_stack(uint64_t *frames)
{
	struct walk w = { frames, 0, 1 };

	if (real.backtrace)
		real.backtrace(on_frame, &w);
	return w.n;
}

/*
 * Code in no mapping bpfbox described: ask it to read the map again
 * (the eventfd), and wait for it a moment (the futex on maps_seq).  Once
 * per description: a pc that stays unknown is left to libgcc after.
 */
static int ask_for_maps(void)
{
	static uint32_t asked_at = ~0u;
	uint32_t seq = __atomic_load_n(&shm->maps_seq, __ATOMIC_ACQUIRE);
	struct timespec wait = { 0, 200 * 1000000 };	/* bpfbox gone: go on */
	uint64_t one = 1;
	int saved;

	if (!syscall || event_fd < 0 || __atomic_exchange_n(&asked_at, seq,
								 __ATOMIC_ACQ_REL) == seq)
		return 0;
	if (bpfbox_gone(shm)) {
		unfollow(shm);	/* nobody to answer: not asked, not waited for */
		return 0;
	}
	saved = get_errno();
	__atomic_fetch_add(&shm->asked, 1, __ATOMIC_RELAXED);
	syscall(SYS_write, event_fd, &one, sizeof(one));
	syscall(SYS_futex, &shm->maps_seq, FUTEX_WAIT, seq, &wait, NULL, 0);
	set_errno(saved);
	return __atomic_load_n(&shm->maps_seq, __ATOMIC_ACQUIRE) != seq;
}

/* The caller's stack from @start: by bpfbox's rows (fast), else libgcc's
 * unwinder (*@slow set). */
static int take_stack(uint64_t *frames, const struct uw *start, int *slow)
{
	/* (The thread's variables found once: each TLS access is a call.) */
	struct walk_memo *wm = &walk_memo;
	struct cached_row *cache = wm->rows;
	const struct memo_step *old;
	struct memo_step *rec;
	const struct ml_shm_maps *mp;
	uint32_t seq, old_nr, j;
	struct uw s;
	int n, r, i, again = 1;

walk:
	mp = &maps[__atomic_load_n(&shm->maps_cur, __ATOMIC_ACQUIRE) & 1];
	seq = __atomic_load_n(&shm->maps_seq, __ATOMIC_ACQUIRE);
	if (wm->seq != seq) {
		memset(cache, 0, sizeof(wm->rows));
		wm->nr[0] = wm->nr[1] = 0;	/* (other rows: other steps) */
		wm->seq = seq;
	}
	old = wm->s[wm->cur & 1];
	old_nr = wm->nr[wm->cur & 1];
	rec = wm->s[!(wm->cur & 1)];
	s = *start;
	n = 1;
	r = UW_OK;
	frames[0] = s.pc;
	for (i = 1, j = 0; i < ML_SHM_FRAMES && r == UW_OK; i++) {
		/* The last walk's step from this frame, if any: the stack
		 * pointer only grows along a walk. */
		while (j < old_nr && old[j].sp < s.sp)
			j++;
		r = j < old_nr ? replay(&s, &old[j], &rec[i - 1]) : -1;
		if (r < 0)
			r = step(&s, mp, cache, &rec[i - 1]);
		if (r == UW_OK)
			frames[n++] = s.pc;
		else if (r == UW_CUT)
			frames[n++] = ML_SHM_TRUNCATED;
	}
	if (r == UW_OK && n == ML_SHM_FRAMES)
		frames[n - 1] = ML_SHM_TRUNCATED;	/* still going: more than fit */
	/* The steps taken, for the next walk (none when libgcc takes over). */
	wm->cur = !(wm->cur & 1);
	wm->nr[wm->cur] = r == UW_LIBGCC || r == UW_UNMAPPED ? 0 : i - 1;
	if (r == UW_UNMAPPED && again && ask_for_maps()) {
		again = 0;
		goto walk;
	}
	*slow = r == UW_LIBGCC || r == UW_UNMAPPED;
	return *slow ? libgcc_stack(frames) : n;
}

/* A rotate and a xor a frame (a multiply each made a chain of 32 slow
 * steps), mixed at the end. */
static uint64_t hash_frames(const uint64_t *f, int n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	int i;

	for (i = 0; i < n; i++)
		h = ((h << 7) | (h >> 57)) ^ f[i];
	h *= 0x9e3779b97f4a7c15ULL;
	h ^= h >> 29;
	return h ? h : 1;
}

/* The hashes of stacks[], as this process knows them (0: not looked at):
 * a probe reads 8 bytes in a row here, not a 288-byte row of the shared
 * table each (a full table made every new stack cost 64 cache misses).
 * Slots taken never change; bpfbox empties none while this image runs. */
static uint64_t stack_hashes[ML_SHM_STACKS];

static uint64_t stack_hash_at(uint32_t s)
{
	if (!stack_hashes[s])
		stack_hashes[s] = __atomic_load_n(&stacks[s].hash, __ATOMIC_RELAXED);
	return stack_hashes[s];
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
		if (!stack_hash_at(s)) {
			memcpy(st->frames, f, n * sizeof(*f));
			st->nr = n;
			st->hash = h;
			stack_hashes[s] = h;
			__atomic_store_n(&st->ready, 1, __ATOMIC_RELEASE);
			return s;
		}
		if (stack_hashes[s] == h && st->nr == (uint32_t)n &&
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

/*
 * The live blocks: open addressing, linear probing in Robin Hood order
 * (an entry never sits nearer its home than one inserted after it that
 * probed past it), deletion by backward shift.  A search stops at the
 * first entry nearer its home than the block sought would be, a deletion
 * at the first entry at its home: runs of small blocks side by side (an
 * allocator's slab) fill runs of slots, which plain linear probing
 * scanned to their end at every free.
 */
static uint32_t alloc_dist(uint32_t i)
{
	return (i - ml_shm_alloc_home(allocs[i].addr, shm->alloc_slots)) & (shm->alloc_slots - 1);
}

/* The slot holding @addr, or -1. */
static int64_t alloc_find(uint64_t addr)
{
	uint32_t mask = shm->alloc_slots - 1, i = ml_shm_alloc_home(addr, shm->alloc_slots), d;

	for (d = 0; allocs[i].addr; d++, i = (i + 1) & mask) {
		if (allocs[i].addr == addr)
			return i;
		if (alloc_dist(i) < d)
			break;
	}
	return -1;
}

/* Takes @addr's entry out (into @out when given). */
static int alloc_remove(uint64_t addr, struct ml_shm_alloc *out)
{
	uint32_t mask = shm->alloc_slots - 1, i, j;
	int64_t at = alloc_find(addr);

	if (at < 0)
		return 0;
	i = at;
	if (out)
		*out = allocs[i];
	account(allocs[i].stack, -1, -(int64_t)allocs[i].size);
	shm->live--;
	for (j = (i + 1) & mask; allocs[j].addr && alloc_dist(j); i = j, j = (j + 1) & mask)
		allocs[i] = allocs[j];
	allocs[i].addr = 0;
	return 1;
}

static void alloc_put(const struct ml_shm_alloc *a)
{
	uint32_t mask = shm->alloc_slots - 1, i, d, di;
	struct ml_shm_alloc e = *a, t;

	alloc_remove(a->addr, NULL);	/* handed out twice without a free seen */
	if (shm->live >= shm->max_allocs) {
		shm->lost_allocs++;
		return;
	}
	shm->live++;
	account(a->stack, 1, a->size);
	i = ml_shm_alloc_home(e.addr, shm->alloc_slots);
	for (d = 0; allocs[i].addr; d++, i = (i + 1) & mask) {
		di = alloc_dist(i);
		if (di < d) {
			/* Nearer its home than this one: it goes on instead. */
			t = allocs[i];
			allocs[i] = e;
			e = t;
			d = di;
		}
	}
	allocs[i] = e;
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

/* An allocation's time, CLOCK_BOOTTIME as the report's: read coarsely
 * (the kernel's tick, a few ms: ages are told in ms at best), which
 * costs a load where the precise clock cost a tenth of the engine. */
static uint64_t now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC_COARSE) + boot_offset;
}

/* Block @addr of @size came back from an allocating call (@old: the block
 * it replaces, realloc's).  The caller's stack is taken here. */
static void remember(uint64_t addr, uint64_t size, uint64_t old, const struct uw *start)
{
	uint64_t frames[ML_SHM_FRAMES];
	struct ml_shm_alloc a = { .addr = addr, .size = size, .stack = -1 };
	int n, slow;

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
	n = take_stack(frames, start, &slow);
	a.ts_ns = now_ns();
	check_bpfbox(a.ts_ns);
	lock();
	if (slow)
		shm->fallbacks++;
	else
		shm->walked++;
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

static void *do_malloc(size_t n, const struct uw *st)
{
	void *p;
	int w;

	init();
	if (!real.malloc)
		return arena_alloc(n);
	w = want(n);
	CALL_REAL(p, real.malloc(n));
	if (p && w)
		remember((uintptr_t)p, n, 0, st);
	return p;
}

EXPORT void *malloc(size_t n)
{
	START(st);

	return do_malloc(n, &st);
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
	START(st);
	void *p;
	int w;

	init();
	if (!real.calloc)
		return arena_alloc(n * size);
	w = want(n * size);
	CALL_REAL(p, real.calloc(n, size));
	if (p && w)
		remember((uintptr_t)p, n * size, 0, &st);
	return p;
}

/* realloc and reallocarray: the old block goes once the call worked. */
static void *resized(void *old, void *p, uint64_t size, const struct uw *st)
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
	remember((uintptr_t)p, size, (uintptr_t)old, st);
	return p;
}

EXPORT void *realloc(void *old, size_t n)
{
	START(st);
	void *p;

	init();
	if (in_arena(old)) {
		/* dlsym's block, grown: a real one from now on. */
		p = do_malloc(n, &st);
		if (p)
			memcpy(p, old, n < (size_t)(arena + sizeof(arena) - (char *)old) ?
			       n : (size_t)(arena + sizeof(arena) - (char *)old));
		return p;
	}
	if (!real.realloc)
		return NULL;
	if (!old)
		return do_malloc(n, &st);
	CALL_REAL(p, real.realloc(old, n));
	return resized(old, p, n, &st);
}

EXPORT void *reallocarray(void *old, size_t n, size_t size)
{
	START(st);
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
		return p && w ? (remember((uintptr_t)p, n * size, 0, &st), p) : p;
	return resized(old, p, n * size, &st);
}

EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
	START(st);
	int err, w;

	init();
	if (!real.posix_memalign)
		return ENOMEM;
	w = want(n);
	CALL_REAL(err, real.posix_memalign(out, align, n));
	if (!err && w && *out)
		remember((uintptr_t)*out, n, 0, &st);
	return err;
}

/* The allocating functions of one size argument besides malloc. */
#define ALIGNED(name, params, args, size)				\
	EXPORT void *name params					\
	{								\
		START(st);						\
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
			remember((uintptr_t)p, size, 0, &st);		\
		return p;						\
	}

ALIGNED(aligned_alloc, (size_t align, size_t n), (align, n), n)
ALIGNED(memalign, (size_t align, size_t n), (align, n), n)
ALIGNED(valloc, (size_t n), (n), n)
ALIGNED(pvalloc, (size_t n), (n), n)

EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	START(st);
	void *p;
	int w;

	init();
	if (!real.mmap)	/* (ld.so's early calls: its own, not through here) */
		return __mmap ? __mmap(addr, len, prot, flags, fd, off) : MAP_FAILED;
	w = want(len);
	CALL_REAL(p, real.mmap(addr, len, prot, flags, fd, off));
	if (p != MAP_FAILED && w)
		remember((uintptr_t)p, len, 0, &st);
	return p;
}

EXPORT void *mremap(void *old, size_t old_len, size_t len, int flags, ...)
{
	START(st);
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
	remember((uintptr_t)p, len, (uintptr_t)old, &st);
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
