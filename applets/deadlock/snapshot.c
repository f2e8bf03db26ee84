// SPDX-License-Identifier: GPL-2.0
/*
 * deadlock's look at a process as it is (see snapshot.h), for a process
 * that hangs already when deadlock comes: no probe saw its locks taken.
 *
 * A thread waiting for a mutex sleeps in futex(FUTEX_WAIT) on the mutex's
 * lock word (/proc/PID/task/TID/syscall shows the call, its arguments and
 * the thread's stack and instruction pointers).  The mutex says who owns
 * it: glibc's pthread_mutex_t has the owner's tid (__owner, after __lock
 * and __count); musl's keeps it in its lock word, except for normal
 * mutexes (then the owner is unknown).  A condition variable's waiters
 * sleep on another word, with other values: they are told apart by the
 * value waited for (2, "locked, with waiters", for glibc; the lock word
 * for musl) and an owner that is a thread of the process.
 *
 * Stacks: from the stack pointer, the words that are return addresses
 * (into a mapped file, right after a call instruction) until one sits in
 * a frame record {saved frame pointer, return address}; from there the
 * frame-pointer chain.  The C library's own frames (built without frame
 * pointers) come from the scan, the program's from the chain.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include "../../common/bpfbox.h"
#include "../../common/usyms.h"
#include "snapshot.h"

#define SYS_FUTEX 202		/* x86-64 */
#define FUTEX_CMD(op) ((op) & 0x7f)	/* without PRIVATE, CLOCK_REALTIME */
#define FUTEX_WAIT 0
#define FUTEX_LOCK_PI 6
#define FUTEX_LOCK_PI2 13
#define STACK_READ 32768	/* bytes of stack read above the stack pointer */

/* What /proc/PID/task/TID/syscall says of a thread in futex(). */
struct futex_call {
	uint64_t uaddr, op, val, sp, pc;
};

static bool read_futex_call(int pid, int tid, struct futex_call *c)
{
	char path[64], line[512];
	uint64_t a[6];
	long nr;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", pid, tid);
	f = fopen(path, "re");
	if (!f)
		return false;
	n = fgets(line, sizeof(line), f) ? sscanf(line, "%ld %" SCNx64 " %" SCNx64 " %" SCNx64
						   " %" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64
						   " %" SCNx64, &nr, &a[0], &a[1], &a[2], &a[3],
						   &a[4], &a[5], &c->sp, &c->pc) : 0;
	fclose(f);
	if (n != 9 || nr != SYS_FUTEX)
		return false;	/* running, or in another call */
	c->uaddr = a[0];
	c->op = FUTEX_CMD(a[1]);
	c->val = (uint32_t)a[2];
	return c->op == FUTEX_WAIT || c->op == FUTEX_LOCK_PI || c->op == FUTEX_LOCK_PI2;
}

static bool read_mem(int mem, uint64_t addr, void *buf, size_t len)
{
	return pread(mem, buf, len, (off_t)addr) == (ssize_t)len;
}

static bool is_thread_of(int pid, int tid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/task/%d", pid, tid);
	return tid > 0 && !access(path, F_OK);
}

/* The mutex a thread in @c waits for, and its owner; false if it is none. */
static bool mutex_of(int pid, int mem, bool glibc, const struct futex_call *c,
		     uint64_t *lock, int *owner)
{
	int32_t w[5];	/* glibc: __lock, __count, __owner, __nusers, __kind */
	int32_t kind;

	if (glibc) {
		*lock = c->uaddr;
		if (!read_mem(mem, *lock, w, sizeof(w)) || !w[0])
			return false;
		*owner = w[2];
		kind = w[4] & 0x7f & ~0x10;	/* robust: owner in the lock word too */
		/* Waiting for "locked, with waiters" (2); a robust or PI mutex for
		 * its lock word, the owner's tid and flags. */
		if (c->op == FUTEX_WAIT && c->val != 2 && (c->val & 0x3fffffff) != (uint32_t)*owner)
			return false;
		return kind >= 0 && (kind & ~0x60) <= 3 && is_thread_of(pid, *owner);
	}
	/* musl: _m_type, then _m_lock (the futex), _m_waiters... */
	*lock = c->uaddr - 4;
	if (c->op != FUTEX_WAIT || !read_mem(mem, *lock, w, 2 * sizeof(w[0])) ||
	    (uint32_t)w[1] != c->val)
		return false;
	*owner = (w[0] & 15) ? (int)(w[1] & 0x3fffffff) : 0;	/* normal: no owner kept */
	return !*owner || is_thread_of(pid, *owner);
}

/* Is there a call instruction right before @ret? (e8 rel32; ff /2 forms) */
static bool after_call(int mem, uint64_t ret)
{
	unsigned char b[8];

	if (ret < 8 || !read_mem(mem, ret - 8, b, sizeof(b)))
		return false;
	if (b[3] == 0xe8)					/* call rel32 */
		return true;
	if (b[6] == 0xff && (b[7] & 0xf8) == 0xd0)		/* call *%reg */
		return true;
	if (b[5] == 0xff && (b[6] & 0xf8) == 0x50)		/* call *disp8(%reg) */
		return true;
	if (b[4] == 0xff && (b[5] & 0xf8) == 0x50 && (b[5] & 7) == 4)	/* + SIB */
		return true;
	if (b[2] == 0xff && ((b[3] & 0xf8) == 0x90 || b[3] == 0x15))	/* disp32, %rip */
		return true;
	return b[6] == 0xff && (b[7] & 0xf8) == 0x10;		/* call *(%reg) */
}

static bool return_address(int mem, struct bb_usyms *syms, uint64_t v)
{
	struct bb_usym s;

	return v >= 4096 && !bb_usyms_lookup(syms, v, &s) && s.module && after_call(mem, v);
}

/* Does words[i], a saved frame pointer, point to a word above it? Its index. */
static bool up_link(const uint64_t *words, size_t n, uint64_t sp, size_t i, size_t *next)
{
	uint64_t fp = sp + 8 * i, to = words[i];

	if (to <= fp || to >= sp + 8 * n || (to & 7))
		return false;
	*next = (to - sp) / 8;
	return true;
}

static int unwind(int mem, struct bb_usyms *syms, uint64_t pc, uint64_t sp, uint64_t *frames)
{
	uint64_t *words = bb_xcalloc(STACK_READ / 8, sizeof(*words));
	ssize_t got = pread(mem, words, STACK_READ, (off_t)sp);
	size_t n = got > 0 ? (size_t)got / 8 : 0, i, j;
	int nr = 0;

	frames[nr++] = pc;
	for (i = 0; i < n && nr < BB_MAX_STACK; i++) {
		if (!return_address(mem, syms, words[i]))
			continue;
		frames[nr++] = words[i];
		/* A frame record {saved frame pointer, return address}?  Then
		 * the chain, each record's saved pointer to the next. */
		if (!i || !up_link(words, n, sp, i - 1, &j) || j + 1 >= n ||
		    !return_address(mem, syms, words[j + 1]))
			continue;
		while (nr < BB_MAX_STACK && j + 1 < n && return_address(mem, syms, words[j + 1])) {
			frames[nr++] = words[j + 1];
			if (!up_link(words, n, sp, j, &j))
				break;
		}
		break;
	}
	free(words);
	return nr;
}

size_t dl_snapshot(int pid, bool glibc, struct bb_usyms *syms, struct dl_blocked *out,
		   size_t max)
{
	char path[64];
	struct futex_call c;
	struct dirent *d;
	size_t n = 0;
	DIR *dir;
	int mem;

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	mem = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (mem < 0 || !dir)
		bb_die("cannot read the threads of pid %d: %s", pid, strerror(errno));
	while ((d = readdir(dir)) && n < max) {
		struct dl_blocked *b = &out[n];

		b->tid = atoi(d->d_name);
		if (b->tid <= 0 || !read_futex_call(pid, b->tid, &c) ||
		    !mutex_of(pid, mem, glibc, &c, &b->lock, &b->owner))
			continue;
		b->nr_frames = unwind(mem, syms, c.pc, c.sp, b->frames);
		n++;
	}
	closedir(dir);
	close(mem);
	return n;
}

/*
 * glibc's main heap is a run of chunks from the start of [heap], each
 * {prev_size, size | flags}, the memory returned 16 bytes in.  Walked in
 * windows of the process's memory, up to the chunk holding @addr.
 */
#define HEAP_WINDOW 65536
#define HEAP_MAX_CHUNKS 1000000

bool dl_heap_block(int pid, uint64_t heap, uint64_t addr, uint64_t *block, uint64_t *usable)
{
	unsigned char *win = bb_xcalloc(1, HEAP_WINDOW);
	uint64_t c = heap, win_at = 0, size;
	size_t win_len = 0, n;
	char path[64];
	bool found = false;
	ssize_t got;
	int mem;

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	mem = open(path, O_RDONLY | O_CLOEXEC);
	for (n = 0; mem >= 0 && n < HEAP_MAX_CHUNKS && c <= addr; n++, c += size) {
		if (c < win_at || c + 16 > win_at + win_len) {
			win_at = c;
			got = pread(mem, win, HEAP_WINDOW, (off_t)c);
			win_len = got > 0 ? (size_t)got : 0;
			if (win_len < 16)
				break;
		}
		memcpy(&size, win + (c - win_at) + 8, sizeof(size));
		size &= ~7ULL;
		if (size < 32 || (size & 15) || size > addr - heap + (1ULL << 30))
			break;		/* not a chunk: the walk went wrong */
		if (addr < c + size) {
			found = addr >= c + 16;
			*block = c + 16;
			*usable = size - 8;
			break;
		}
	}
	if (mem >= 0)
		close(mem);
	free(win);
	return found;
}
