// SPDX-License-Identifier: GPL-2.0
/*
 * memleak --engine inject, as heaptrack's injection does it: the engine
 * (preload/mlpreload.c, in a memfd of ours) is dlopen'd by the target
 * itself, through a call set up on one of its threads with ptrace; its
 * attach function maps the tables; then the GOT slots every loaded
 * object has for malloc and friends are pointed at the engine's
 * functions (a dlopen'd object does not preempt what is bound already).
 *
 * Threads: the calls run on the thread-group leader, taken at a safe
 * place (in a system call that is no memory one, or in code outside libc
 * and ld.so: not inside the allocator, whose state a nested call would
 * break) while the other threads run on (one holding a lock dlopen needs
 * can let it go).  For the switch every thread is stopped: no call starts
 * half-way through it.  A call begun before goes to the real allocator
 * and its block is unknown to the engine, whose free ignores it -- the
 * same as every block of before the injection.
 *
 * The call returns to address 0 (x86: a pushed return address, arm64:
 * the link register x30): the SIGSEGV stop at pc 0 that follows is its
 * end.  No code is written into the target, so no breakpoint another
 * thread could run into, no text page made private, and nothing for
 * arm64's instruction cache to see (the GOT slots are data).  The
 * leader's registers (general, and floating-point/vector: dlopen's memcpy
 * uses them), signal mask and the stack bytes used are put back; an
 * interrupted system call restarts as after any signal:
 *   x86_64: at the stop rax holds -ERESTARTSYS & co and orig_rax the call;
 *     the calls run with orig_rax -1 (no restart on their way), and the
 *     registers put back let the kernel restart it when the leader goes
 *     on (a sleep through restart_syscall, with its remaining time).
 *   arm64: the kernel rewinds before the stop (do_signal: pc back on the
 *     svc, x0 = orig_x0, the call forgotten: NT_ARM_SYSTEM_CALL reads -1),
 *     so the registers as read re-enter it when put back.  A sleep's
 *     remaining time (x8 = restart_syscall) is only set once the stop is
 *     over: a leader taken in a call is let into it again and taken a
 *     second time, then it is in restart_syscall if the kernel wants it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* the sanitized build defines it everywhere */
#endif
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "../../common/bpfbox.h"
#include "../../common/elfsyms.h"
#include "../../common/ptregs.h"
#include "../../common/usyms.h"
#include "inject.h"
#include "inproc.h"

#define ATTACH_FN "bpfbox_memleak_attach"

#ifdef BB_HAVE_REGS

/* What the engine stands in for (mlpreload.c's EXPORTs). */
static const char *const interposed[] = {
	"malloc", "free", "calloc", "realloc", "reallocarray", "posix_memalign",
	"aligned_alloc", "memalign", "valloc", "pvalloc", "mmap", "mremap", "munmap",
};
#define NR_INTERPOSED (sizeof(interposed) / sizeof(interposed[0]))

static int mem_fd = -1;		/* /proc/PID/mem: writes pass read-only pages */
static int target_pid;
/* The leader as it was, once taken: put back before any refusal. */
static struct user_regs_struct leader_regs;
static uint64_t leader_mask;
static bool leader_held;

/*
 * Its floating-point and vector registers, as the kernel's regset gives
 * them: x86's XSAVE area (else the FXSAVE one), arm64's V0-V31, FPSR and
 * FPCR (an SVE register's upper bits are not kept: a system call drops
 * them too, and a leader taken in the middle of SVE code is rare).
 */
static struct {
	unsigned char bytes[16384];
	size_t len;
	long type;
} leader_fp;

static bool save_fp(int pid)
{
	static const long types[] = {
#if defined(__x86_64__)
		NT_X86_XSTATE,
#endif
		NT_PRFPREG,
	};
	struct iovec io;
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		io.iov_base = leader_fp.bytes;
		io.iov_len = sizeof(leader_fp.bytes);
		if (!ptrace(PTRACE_GETREGSET, pid, (void *)types[i], &io)) {
			leader_fp.len = io.iov_len;
			leader_fp.type = types[i];
			return true;
		}
	}
	return false;
}

static void restore_fp(int pid)
{
	struct iovec io = { .iov_base = leader_fp.bytes, .iov_len = leader_fp.len };

	if (leader_fp.len)
		ptrace(PTRACE_SETREGSET, pid, (void *)leader_fp.type, &io);
}

#if defined(__aarch64__)
#define SVC_0		0xd4000001U	/* svc #0 */
#define PSR_BTYPE	(3ULL << 10)	/* BTI: the kind of the last indirect branch */
/*
 * The system call the kernel would restart at the leader's stop: -1, as
 * do_signal forgets it before any stop; kept and put back all the same
 * should a kernel not (the calls then run with none, as x86's orig_rax).
 */
static int leader_sysno = -1;

static bool sysno_access(int pid, int request, int *nr)
{
	struct iovec io = { .iov_base = nr, .iov_len = sizeof(*nr) };

	return !ptrace(request, pid, (void *)NT_ARM_SYSTEM_CALL, &io);
}
#endif

static void put_leader_back(void)
{
	if (!leader_held)
		return;
	leader_held = false;
	bb_regs_access(target_pid, PTRACE_SETREGSET, &leader_regs);
	restore_fp(target_pid);
#if defined(__aarch64__)
	if (leader_sysno >= 0)
		sysno_access(target_pid, PTRACE_SETREGSET, &leader_sysno);
#endif
	ptrace(PTRACE_SETSIGMASK, target_pid, sizeof(leader_mask), &leader_mask);
	ptrace(PTRACE_DETACH, target_pid, 0, 0);
}

#define fail(...) do { put_leader_back(); bb_die(__VA_ARGS__); } while (0)

static bool mem_rw(bool write, unsigned long long addr, void *buf, size_t len)
{
	ssize_t n = write ? pwrite(mem_fd, buf, len, addr) : pread(mem_fd, buf, len, addr);

	return n == (ssize_t)len;
}

/* Why ptrace was refused, in the words of the refusal. */
static void die_not_permitted(int pid, int err)
{
	char buf[4096], *p;
	int fd, scope = -1;
	ssize_t n;

	snprintf(buf, sizeof(buf), "/proc/%d/status", pid);
	fd = open(buf, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	p = strstr(buf, "TracerPid:");
	if (p && atoi(p + 10) > 0)
		bb_die("--engine inject: pid %d is traced already (by pid %d): ptrace allows "
		       "one tracer", pid, atoi(p + 10));
	fd = open("/proc/sys/kernel/yama/ptrace_scope", O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && read(fd, buf, 4) > 0)
		scope = atoi(buf);
	if (fd >= 0)
		close(fd);
	if (scope > 0)
		bb_die("--engine inject: ptrace of pid %d not permitted (kernel.yama.ptrace_scope "
		       "is %d; the uprobe engine needs no ptrace)", pid, scope);
	bb_die("--engine inject: ptrace of pid %d not permitted: %s", pid, strerror(err));
}

/* Waits for @tid's next stop; dies if it ended. */
static int wait_stop(int tid)
{
	int st;

	while (waitpid(tid, &st, __WALL) < 0)
		if (errno != EINTR)
			fail("--engine inject: waiting for pid %d: %s", tid, strerror(errno));
	if (!WIFSTOPPED(st))
		fail("--engine inject: pid %d ended during the injection", target_pid);
	return st;
}

/* Another thread seized and stopped (PTRACE_EVENT_STOP); false if it is
 * gone (a thread may end meanwhile). */
static bool seize_stop(int tid)
{
	int st;

	if (ptrace(PTRACE_SEIZE, tid, 0, 0))
		return false;
	ptrace(PTRACE_INTERRUPT, tid, 0, 0);
	for (;;) {
		while (waitpid(tid, &st, __WALL) < 0)
			if (errno != EINTR)
				return false;
		if (!WIFSTOPPED(st))
			return false;
		if (st >> 16 == PTRACE_EVENT_STOP)
			return true;
		/* A signal on its way in first: let it in, stop after. */
		ptrace(PTRACE_CONT, tid, 0, WSTOPSIG(st));
		ptrace(PTRACE_INTERRUPT, tid, 0, 0);
	}
}

static bool file_is(const char *path, const char *prefix)
{
	const char *base = strrchr(path, '/');

	return !strncmp(base ? base + 1 : path, prefix, strlen(prefix));
}

/* The address of function @name in the first loaded file named @lib*
 * that has it; 0 if none. */
static unsigned long long func_in(struct bb_usyms *u, const char *lib, const char *name)
{
	unsigned long long off, addr;
	const char *path;
	size_t i;

	for (i = 0; (path = bb_usyms_file(u, i)); i++) {
		if (!*path || !file_is(path, lib) || bb_elf_func_offset(path, name, &off))
			continue;
		addr = bb_usyms_file_addr(u, i, off);
		if (addr)
			return addr;
	}
	return 0;
}

#if defined(__aarch64__)
/* The word of the leader's code at @pc (0 when unreadable). */
static unsigned code_at(unsigned long long pc)
{
	unsigned insn = 0;

	return mem_rw(false, pc, &insn, sizeof(insn)) ? insn : 0;
}
#endif

/*
 * The system call the stopped leader is in (@rewound: the kernel will
 * enter it again, its pc back on the instruction), or -1: x86's orig_rax;
 * on arm64 (the kernel forgets the call before the stop) an svc at the pc
 * (rewound, or about to run) or just before it (returned), its number in
 * x8 as the libc wrapper put it.
 */
static long in_syscall(const struct user_regs_struct *r, bool *rewound)
{
	*rewound = false;
#if defined(__x86_64__)
	return (long)r->orig_rax >= 0 ? (long)r->orig_rax : -1;
#elif defined(__aarch64__)
	if (code_at(r->pc) == SVC_0) {
		*rewound = true;
		return (long)r->regs[8];
	}
	return r->pc >= 4 && code_at(r->pc - 4) == SVC_0 ? (long)r->regs[8] : -1;
#endif
}

/* Not inside the allocator or the dynamic linker: a call may start here. */
static bool safe_place(struct bb_usyms *u, const struct user_regs_struct *r)
{
	long f = bb_usyms_file_of(u, BB_REGS_PC(*r));
	const char *path = f >= 0 ? bb_usyms_file(u, f) : NULL;
	bool in_libc = path && (file_is(path, "libc.so") || file_is(path, "libc-"));
	bool in_ld = path && file_is(path, "ld-");
	bool rewound;

	switch (in_syscall(r, &rewound)) {
	case -1:
		return !in_libc && !in_ld;
	case SYS_brk: case SYS_mmap: case SYS_munmap: case SYS_mremap:
	case SYS_madvise: case SYS_mprotect:
		return false;	/* the allocator's own */
	}
	return !in_ld;
}

/* The running leader stopped (PTRACE_EVENT_STOP; stops on the way let go). */
static void interrupt_leader(int pid)
{
	ptrace(PTRACE_INTERRUPT, pid, 0, 0);
	while ((wait_stop(pid) >> 16) != PTRACE_EVENT_STOP)
		ptrace(PTRACE_CONT, pid, 0, 0);
}

/* The leader on a little, then stopped again. */
static void run_a_little(int pid)
{
	ptrace(PTRACE_CONT, pid, 0, 0);
	usleep(1000);
	interrupt_leader(pid);
}

#if defined(__aarch64__)
/*
 * arm64: a stop in a system call shows it rewound, but a sleep's remaining
 * time (the kernel's restart_syscall, in x8) is set only after the stop:
 * the leader goes back into its call, and is taken there again once it
 * sleeps in it (/proc/PID/syscall then begins with its number).
 */
static void reenter_syscall(int pid)
{
	char path[64], buf[32];
	ssize_t n;
	int fd, i;

	ptrace(PTRACE_CONT, pid, 0, 0);
	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	for (i = 0; i < 200; i++) {	/* (up to 0.2 s: it may have returned) */
		usleep(1000);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (n > 0 && buf[0] >= '0' && buf[0] <= '9')
			break;	/* (stopped still: "-1 ...") */
	}
	interrupt_leader(pid);
}
#endif

/* The leader stopped at a safe place, its registers in @r. */
static void stop_safely(int pid, struct bb_usyms *u, struct user_regs_struct *r)
{
#if defined(__aarch64__)
	bool reentered = false;
#endif
	bool rewound;
	int tries;
	long nr;

	for (tries = 0; tries < 1000; tries++) {
		if (!bb_regs_access(pid, PTRACE_GETREGSET, r))
			fail("--engine inject: reading pid %d's registers: %s", pid,
			       strerror(errno));
		if (!safe_place(u, r)) {
			run_a_little(pid);	/* inside libc: on a little, then again */
			continue;
		}
		nr = in_syscall(r, &rewound);
#if defined(__aarch64__)
		if (rewound && nr != SYS_restart_syscall && !reentered) {
			reentered = true;
			reenter_syscall(pid);
			continue;
		}
#endif
		if (nr >= 0)
			bb_info("--engine inject: pid %d taken in system call %ld%s", pid, nr,
				rewound ? " (entered again after)" : "");
		else
			bb_info("--engine inject: pid %d taken at %#llx", pid,
				(unsigned long long)BB_REGS_PC(*r));
		return;
	}
	fail("--engine inject: pid %d stays inside its C library (1000 tries): try again",
	       pid);
}

/* The bytes put on the leader's stack for a call (strings). */
struct call_data {
	unsigned long long at;
	char bytes[512];
	size_t len;
};

/*
 * @r set for a call of fn(a0, a1) returning to address 0, its stack
 * pointer at @sp (16-aligned): the return address pushed (x86) or in the
 * link register (arm64).
 */
static void set_call(int pid, struct user_regs_struct *r, unsigned long long sp,
		     unsigned long long fn, unsigned long long a0, unsigned long long a1)
{
#if defined(__x86_64__)
	unsigned long long zero = 0;

	r->rsp = sp - 8;	/* 16-aligned before the call's push */
	if (!mem_rw(true, r->rsp, &zero, sizeof(zero)))
		fail("--engine inject: writing pid %d's stack: %s", pid, strerror(errno));
	r->rdi = a0;
	r->rsi = a1;
	r->rax = 0;		/* (no vector arguments) */
	r->orig_rax = -1;	/* no system call to restart on the way */
#elif defined(__aarch64__)
	(void)pid;
	r->sp = sp;
	r->regs[0] = a0;
	r->regs[1] = a1;
	r->regs[30] = 0;	/* lr: its ret faults at 0 (signed and checked by
				 * pac-ret code, 0 comes back 0) */
	r->pstate &= ~PSR_BTYPE; /* not an indirect branch: no BTI landing pad needed */
#endif
	BB_REGS_PC(*r) = fn;
}

/* fn(a0, a1) on the stopped leader (@saved: its registers there). */
static unsigned long long remote_call(int pid, const struct user_regs_struct *saved,
				      unsigned long long fn, unsigned long long a0,
				      unsigned long long a1)
{
	struct user_regs_struct r = *saved;
	int st;

	/* Below the red zone and the strings. */
	set_call(pid, &r, (BB_REGS_SP(*saved) - 128 - 1024) & ~15ULL, fn, a0, a1);
	if (!bb_regs_access(pid, PTRACE_SETREGSET, &r) || ptrace(PTRACE_CONT, pid, 0, 0))
		fail("--engine inject: starting a call in pid %d: %s", pid, strerror(errno));
	for (;;) {
		st = wait_stop(pid);
		/* (The call's own faults: the rest are blocked.) */
		if (st >> 16 == 0 && (WSTOPSIG(st) == SIGSEGV || WSTOPSIG(st) == SIGBUS ||
				      WSTOPSIG(st) == SIGILL || WSTOPSIG(st) == SIGFPE ||
				      WSTOPSIG(st) == SIGTRAP)) {
			if (!bb_regs_access(pid, PTRACE_GETREGSET, &r))
				fail("--engine inject: reading pid %d's registers: %s", pid,
				       strerror(errno));
			if (BB_REGS_PC(r) == 0 && WSTOPSIG(st) == SIGSEGV)
				return BB_REGS_RET(r);
			/* It crashed: its own signal, after its registers come back. */
			bb_regs_access(pid, PTRACE_SETREGSET, (struct user_regs_struct *)saved);
			fail("--engine inject: the call at %#llx failed in pid %d: %s at %#llx",
			     fn, pid, strsignal(WSTOPSIG(st)),
			     (unsigned long long)BB_REGS_PC(r));
		}
		/* A group stop, or a signal the mask lets through: on. */
		ptrace(PTRACE_CONT, pid, 0, st >> 16 ? 0 : WSTOPSIG(st));
	}
}

/* A string put where a call can read it; its address. */
static unsigned long long put_string(struct call_data *d, const char *s)
{
	size_t n = strlen(s) + 1;
	unsigned long long at = d->at + d->len;

	if (d->len + n > sizeof(d->bytes) || !mem_rw(true, at, (void *)s, n))
		fail("--engine inject: writing pid %d's stack: %s", target_pid,
		       strerror(errno ? errno : E2BIG));
	d->len += n;
	return at;
}

/* The target's string at @addr, printable, into @buf. */
static const char *remote_string(unsigned long long addr, char *buf, size_t len)
{
	size_t i;

	if (!addr || !mem_rw(false, addr, buf, len - 1))
		return "(no reason given)";
	buf[len - 1] = 0;
	for (i = 0; buf[i]; i++)
		if (buf[i] < ' ' || buf[i] > '~')
			buf[i] = '?';
	return buf;
}

/* Every other thread seized and stopped (new ones too, until none comes). */
static int stop_all_threads(int pid, int *tids, int max)
{
	char path[64];
	struct dirent *de;
	int n = 0, added, i, tid;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	do {
		added = 0;
		dir = opendir(path);
		if (!dir)
			fail("--engine inject: %s: %s", path, strerror(errno));
		while ((de = readdir(dir))) {
			tid = atoi(de->d_name);
			if (tid <= 0 || tid == pid)
				continue;
			for (i = 0; i < n && tids[i] != tid; i++)
				;
			if (i < n)
				continue;
			if (n == max)
				fail("--engine inject: pid %d has more than %d threads", pid, max);
			if (seize_stop(tid)) {
				tids[n++] = tid;
				added = 1;
			}
		}
		closedir(dir);
	} while (added);
	return n;
}

/* Each loaded object's GOT slots for the interposed functions, to the
 * engine's (@to); the engine's own file left alone.  Every slot of a
 * function, as a preload would have bound them (arm64's libc.so.6 has a
 * GLOB_DAT and a JUMP_SLOT for malloc). */
static int rewrite_got(struct bb_usyms *u, const unsigned long long *to)
{
	unsigned long long off[4], slot;
	const char *path;
	int done = 0, n, j;
	size_t i, k;

	for (i = 0; (path = bb_usyms_file(u, i)); i++) {
		if (!*path || file_is(path, "ld-"))
			continue;	/* (the memfd shows as no live file) */
		for (k = 0; k < NR_INTERPOSED; k++) {
			n = to[k] ? bb_elf_import_slots(path, interposed[k], off, 4) : 0;
			for (j = 0; j < n; j++) {
				slot = bb_usyms_file_addr(u, i, off[j]);
				if (slot && mem_rw(true, slot, (void *)&to[k], sizeof(to[k])))
					done++;
			}
		}
	}
	return done;
}

int ml_inject(int pid)
{
	unsigned long long dl_open, dl_sym, dl_error, handle, attach, to[NR_INTERPOSED];
	struct user_regs_struct saved;
	char so[64], table[64], event[64], path[64], errbuf[160];
	struct call_data d = { 0 };
	char stack_was[sizeof(d.bytes) + 1024 + 256];
	uint64_t mask, all = ~0ULL;
	int tids[4096], nr_tids, i, rewritten;
	struct bb_usyms *u;
	size_t k;
	long ret;

	target_pid = pid;
	ml_inproc_paths(so, table, event, sizeof(so));
	if (ptrace(PTRACE_SEIZE, pid, 0, 0))
		die_not_permitted(pid, errno);
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	mem_fd = open(path, O_RDWR | O_CLOEXEC);
	if (mem_fd < 0)
		fail("--engine inject: %s: %s", path, strerror(errno));
	interrupt_leader(pid);
	/* Its map read now that it is stopped (it may have exec'd since). */
	u = bb_usyms_open(pid);
	if (!u)
		fail("--engine inject: pid %d's mappings: %s", pid, strerror(errno));
	dl_open = func_in(u, "libc.so", "dlopen");	/* glibc 2.34 and later */
	dl_sym = func_in(u, "libc.so", "dlsym");
	if (!dl_open || !dl_sym) {
		dl_open = func_in(u, "libdl.so", "dlopen");
		dl_sym = func_in(u, "libdl.so", "dlsym");
	}
	if (!dl_open || !dl_sym) {
		dl_open = func_in(u, "libc", "__libc_dlopen_mode");
		dl_sym = func_in(u, "libc", "__libc_dlsym");
	}
	dl_error = func_in(u, "libc.so", "dlerror");
	if (!dl_error)
		dl_error = func_in(u, "libdl.so", "dlerror");
	if (!dl_open || !dl_sym)
		fail("--engine inject: no dlopen found in pid %d (libc.so.6, libdl.so.2)", pid);
	stop_safely(pid, u, &saved);
	/* Nothing delivered on the leader while our calls run. */
	if (ptrace(PTRACE_GETSIGMASK, pid, sizeof(mask), &mask))
		fail("--engine inject: pid %d's signal mask: %s", pid, strerror(errno));
	if (!save_fp(pid))
		fail("--engine inject: pid %d's floating-point registers: %s", pid,
		     strerror(errno));
	leader_regs = saved;
	leader_mask = mask;
	leader_held = true;
#if defined(__aarch64__)
	if (sysno_access(pid, PTRACE_GETREGSET, &leader_sysno) && leader_sysno >= 0) {
		int none = -1;

		sysno_access(pid, PTRACE_SETREGSET, &none);
	}
#endif
	if (ptrace(PTRACE_SETSIGMASK, pid, sizeof(all), &all))
		fail("--engine inject: pid %d's signal mask: %s", pid, strerror(errno));
	d.at = (BB_REGS_SP(saved) - 128 - sizeof(d.bytes)) & ~15ULL;
	if (!mem_rw(false, d.at - 1024 - 256, stack_was, sizeof(stack_was)))
		fail("--engine inject: reading pid %d's stack: %s", pid, strerror(errno));

	handle = remote_call(pid, &saved, dl_open, put_string(&d, so), 2 /* RTLD_NOW */);
	if (!handle) {
		const char *why = dl_error ? remote_string(remote_call(pid, &saved, dl_error, 0, 0),
							   errbuf, sizeof(errbuf)) : "(no dlerror)";

		fail("--engine inject: dlopen of the engine failed in pid %d: %s", pid, why);
	}
	attach = remote_call(pid, &saved, dl_sym, handle, put_string(&d, ATTACH_FN));
	for (k = 0; k < NR_INTERPOSED; k++)
		to[k] = remote_call(pid, &saved, dl_sym, handle, put_string(&d, interposed[k]));
	ret = attach ? (long)remote_call(pid, &saved, attach, put_string(&d, table),
					 put_string(&d, event)) : -1;
	if (ret)
		fail("--engine inject: the engine could not map its tables in pid %d (%ld)",
		       pid, ret);

	/* The switch, every thread stopped; the map read again (the engine). */
	nr_tids = stop_all_threads(pid, tids, sizeof(tids) / sizeof(tids[0]));
	bb_usyms_refresh(u);
	rewritten = rewrite_got(u, to);

	mem_rw(true, d.at - 1024 - 256, stack_was, sizeof(stack_was));
	put_leader_back();
	for (i = 0; i < nr_tids; i++)
		ptrace(PTRACE_DETACH, tids[i], 0, 0);
	close(mem_fd);
	mem_fd = -1;
	bb_usyms_close(u);
	if (!rewritten)
		fail("--engine inject: pid %d has no GOT slot for malloc and friends", pid);
	return rewritten;
}

#else

int ml_inject(int pid)
{
	(void)pid;
	bb_die("--engine inject: not supported on this architecture (x86_64 and arm64 "
	       "only): the uprobe engine is -p's default");
}

#endif
