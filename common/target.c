// SPDX-License-Identifier: GPL-2.0
/* The traced process: see target.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/user.h>
#include <elf.h>
#include "bpfbox.h"
#include "output.h"
#include "target.h"
#include "usyms.h"
#include "ustack.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

char **bb_split_words(const char *line)
{
	size_t n = 0, len = strlen(line);
	char **words = bb_xcalloc(len / 2 + 2, sizeof(*words));
	char *buf = bb_xcalloc(len + 1, 1), *out = buf;
	const char *p = line;

	while (*p) {
		char quote = 0;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		words[n++] = out;
		for (; *p && (quote || (*p != ' ' && *p != '\t' && *p != '\n')); p++) {
			if (quote && *p == quote)
				quote = 0;
			else if (!quote && (*p == '\'' || *p == '"'))
				quote = *p;
			else if (*p == '\\' && quote != '\'' && p[1])
				*out++ = *++p;
			else
				*out++ = *p;
		}
		if (quote) {
			free(buf);
			free(words);
			return NULL;
		}
		*out++ = 0;
	}
	words[n] = NULL;
	return words;
}

static bool is_executable(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode) && !access(path, X_OK);
}

/* The file execvp() would run, so that probes can be placed before. */
static void resolve_program(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH");
	char *dirs, *dir, *save = NULL;

	if (strchr(name, '/')) {
		if (!is_executable(name))
			bb_die("cannot run %s: %s", name, access(name, F_OK) ?
			       "no such file" : "not an executable file");
		snprintf(out, len, "%s", name);
		return;
	}
	dirs = bb_xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	for (dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		snprintf(out, len, "%s/%s", dir, name);
		if (is_executable(out)) {
			free(dirs);
			return;
		}
	}
	bb_die("%s: command not found", name);
}

/* In the child: wait for the go, then exec under ptrace (exec and exit stops). */
static void __attribute__((noreturn)) child(int go, int err, const char *exe, char **argv)
{
	char c;
	int e;

	if (read(go, &c, 1) != 1)
		_exit(127);	/* the parent gave up */
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0)
		execv(exe, argv);
	e = errno;
	if (write(err, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

void bb_target_spawn(struct bb_target *t, const char *cmdline, char **argv)
{
	int go[2], err[2];

	memset(t, 0, sizeof(*t));
	t->watch_fd = -1;
	if (cmdline) {
		argv = bb_split_words(cmdline);
		if (!argv)
			bb_die("-c: unbalanced quote in '%s'", cmdline);
	}
	if (!argv || !argv[0])
		bb_die("no command given");
	resolve_program(argv[0], t->exe, sizeof(t->exe));
	if (pipe2(go, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
		bb_die("pipe: %s", strerror(errno));
	fflush(NULL);
	t->pid = fork();
	if (t->pid < 0)
		bb_die("fork: %s", strerror(errno));
	if (!t->pid) {
		/* Only the parent may hold the write end: its death is our EOF. */
		close(go[1]);
		close(err[0]);
		child(go[0], err[1], t->exe, argv);
	}
	close(go[0]);
	close(err[1]);
	t->go_fd = go[1];
	t->err_fd = err[0];
	t->launched = true;
}

bool bb_target_choose(struct bb_target *t, const char *command, int argc, char **argv)
{
	if ((command || argc) + !!bb_opts.tgid > 1 || (command && argc))
		bb_die("give one target: -p PID, -c CMD, or -- CMD ARGS");
	if (command || argc)
		bb_target_spawn(t, command, argc ? argv : NULL);
	else if (bb_opts.tgid)
		bb_target_attach(t, bb_opts.tgid);
	else
		return false;
	bb_opts.tgid = 0;
	return true;
}

void bb_target_attach(struct bb_target *t, int pid)
{
	char link[64];
	ssize_t n;

	memset(t, 0, sizeof(*t));
	t->watch_fd = -1;
	t->pid = pid;
	snprintf(link, sizeof(link), "/proc/%d/exe", pid);
	n = readlink(link, t->exe, sizeof(t->exe) - 1);
	if (n < 0)
		bb_die("cannot read %s: %s (process gone, or a kernel thread?)", link,
		       strerror(errno));
	t->exe[n] = 0;
	t->syms = bb_usyms_open(pid);
	if (!t->syms)
		bb_die("process %d went away", pid);
}

/* AT_ENTRY of the process's auxiliary vector: its program's entry point. */
static unsigned long entry_point(int pid)
{
	unsigned long av[2], entry = 0;
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/auxv", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	while (read(fd, av, sizeof(av)) == sizeof(av) && av[0])
		if (av[0] == AT_ENTRY)
			entry = av[1];
	close(fd);
	return entry;
}

/*
 * Runs a child stopped at its exec to its program's entry point: by then
 * the dynamic loader has mapped every library it needs, so that their
 * unwind rows are in the kernel before the program's first instruction
 * (a leak in main's first line has its whole stack).  A breakpoint
 * (x86's int3) at the entry, then the instruction put back.  Elsewhere,
 * or when anything fails, the libraries' rows come at the first refresh.
 */
static void run_to_entry(struct bb_target *t)
{
#if defined(__x86_64__)
	unsigned long entry = entry_point(t->pid), word;
	struct user_regs_struct regs;
	int status, sig;

	errno = 0;
	word = entry ? ptrace(PTRACE_PEEKTEXT, t->pid, (void *)entry, NULL) : 0;
	if (!entry || errno ||
	    ptrace(PTRACE_POKETEXT, t->pid, (void *)entry, (void *)((word & ~0xffUL) | 0xcc)))
		return;
	for (sig = 0;; ) {
		if (ptrace(PTRACE_CONT, t->pid, NULL, (void *)(long)sig) ||
		    waitpid(t->pid, &status, __WALL) != t->pid)
			return;
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			t->exited = true;	/* died in the loader (a missing library) */
			t->wait_status = status;
			return;
		}
		sig = WSTOPSIG(status);
		if (sig != SIGTRAP)
			continue;	/* the program's own signal: passed on */
		sig = 0;
		if (status >> 16)
			continue;	/* a ptrace event (its exit): go on */
		if (ptrace(PTRACE_GETREGS, t->pid, NULL, &regs) || regs.rip != entry + 1)
			continue;
		break;
	}
	regs.rip = entry;
	ptrace(PTRACE_POKETEXT, t->pid, (void *)entry, (void *)word);
	ptrace(PTRACE_SETREGS, t->pid, NULL, &regs);
#else
	(void)t;
#endif
}

void bb_target_run(struct bb_target *t)
{
	int status, e;
	ssize_t n;

	if (!t->launched)
		return;
	if (write(t->go_fd, "g", 1) != 1)
		bb_die("cannot start the command: %s", strerror(errno));
	n = read(t->err_fd, &e, sizeof(e));
	close(t->go_fd);
	close(t->err_fd);
	if (n == sizeof(e)) {
		waitpid(t->pid, NULL, 0);
		bb_die("cannot run %s: %s", t->exe, strerror(e));
	}
	/* exec worked: the child stops with SIGTRAP before its first instruction. */
	if (waitpid(t->pid, &status, 0) != t->pid || !WIFSTOPPED(status))
		bb_die("%s did not start", t->exe);
	ptrace(PTRACE_SETOPTIONS, t->pid, NULL,
	       (void *)(long)(PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL));
	run_to_entry(t);
	t->syms = bb_usyms_open(t->pid);
	if (!t->syms)
		bb_die("cannot read the memory map of %d", t->pid);
	bb_ustack_track(t->syms);
	if (!t->exited)
		ptrace(PTRACE_CONT, t->pid, NULL, NULL);
}

/* SIGCHLD: a ptrace stop to pass on, the exit stop, or the end. */
static int on_child(void *ctx)
{
	struct bb_target *t = ctx;
	struct signalfd_siginfo si;
	int status;

	while (read(t->watch_fd, &si, sizeof(si)) == sizeof(si))
		;
	while (waitpid(t->pid, &status, WNOHANG | __WALL) == t->pid) {
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			t->exited = true;
			t->wait_status = status;
			return -1;
		}
		if (status >> 8 == (SIGTRAP | (PTRACE_EVENT_EXIT << 8))) {
			/* Its memory is still there: the last look at its map. */
			bb_target_refresh(t);
			ptrace(PTRACE_CONT, t->pid, NULL, NULL);
		} else if (WIFSTOPPED(status)) {
			ptrace(PTRACE_CONT, t->pid, NULL,
			       (void *)(long)(WSTOPSIG(status) == SIGTRAP ? 0 : WSTOPSIG(status)));
		}
	}
	return 0;
}

static int on_pidfd(void *ctx)
{
	struct bb_target *t = ctx;

	t->exited = true;
	return -1;
}

void bb_target_watch(struct bb_target *t, struct bb_loop *lp)
{
	sigset_t set;

	if (t->launched) {
		sigemptyset(&set);
		sigaddset(&set, SIGCHLD);
		sigprocmask(SIG_BLOCK, &set, NULL);
		t->watch_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
		if (t->watch_fd < 0)
			bb_die("signalfd: %s", strerror(errno));
		bb_loop_add_fd(lp, t->watch_fd, on_child, t);
		/* A SIGCHLD that came before the block was not queued: look now. */
		if (on_child(t) < 0)
			bb_stop = 1;
		return;
	}
	t->watch_fd = syscall(SYS_pidfd_open, t->pid, 0);
	if (t->watch_fd >= 0)
		bb_loop_add_fd(lp, t->watch_fd, on_pidfd, t);
	else
		bb_info("no pidfd on this kernel: the target's exit is seen at the next interval");
}

void bb_target_refresh(struct bb_target *t)
{
	if (t->syms && !t->exited) {
		bb_usyms_refresh(t->syms);
		bb_ustack_track(t->syms);	/* files dlopen'd since */
	}
	if (!t->launched && !t->exited && kill(t->pid, 0) && errno == ESRCH)
		t->exited = true;
}

void bb_target_finish(struct bb_target *t)
{
	const char *cut = bb_usyms_unwind_culprit(t->syms);
	int status;

	if (cut)
		bb_warn("stacks marked [...] stop in %s: its code keeps no frame pointer there, "
			"so the callers beyond could not be found", cut);
	if (t->pid && t->watch_fd >= 0)	/* (no target: all zero) */
		close(t->watch_fd);
	t->watch_fd = -1;
	if (!t->launched || t->exited)
		return;
	/* Tracing stopped: the program we started goes with it (it may sit in
	 * a ptrace stop, where only SIGKILL is sure to end it). */
	kill(t->pid, SIGKILL);
	if (waitpid(t->pid, &status, __WALL) == t->pid) {
		t->exited = true;
		t->wait_status = status;
	}
}
