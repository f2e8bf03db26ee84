// SPDX-License-Identifier: GPL-2.0
/* The traced process: see target.h. */
#include <dirent.h>
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
#include "bpfbox.h"
#include "output.h"
#include "ptregs.h"
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

/* exec would fail with ENOEXEC: said now, not as "no malloc in it" later. */
static void refuse_unrunnable(const char *exe)
{
	char magic[4] = "";
	int fd = open(exe, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;		/* exec says why */
	if (read(fd, magic, sizeof(magic)) < 2 ||
	    (memcmp(magic, "\177ELF", 4) && memcmp(magic, "#!", 2))) {
		close(fd);
		bb_die("cannot run %s: neither an ELF executable nor a #! script "
		       "(Exec format error)", exe);
	}
	close(fd);
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
	refuse_unrunnable(t->exe);
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

/* A field of /proc/PID/status ("Tgid:", "State:"), or -1 / "" when absent. */
static long status_field(int pid, const char *field, char *text, size_t len)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (text && len)
		*text = 0;
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, field, strlen(field)))
			continue;
		v = strtol(line + strlen(field), NULL, 10);
		if (text)
			snprintf(text, len, "%s", line + strlen(field) + strspn(line + strlen(field),
										 " \t"));
		break;
	}
	if (f)
		fclose(f);
	return v;
}

bool bb_target_alive(const struct bb_target *t)
{
	char state[64];

	if (t->exited || (kill(t->pid, 0) && errno == ESRCH))
		return false;
	status_field(t->pid, "State:", state, sizeof(state));
	return state[0] && state[0] != 'Z';
}

/* -p of something that is not a live process's main thread: say what it is. */
static void refuse_non_process(int pid)
{
	long tgid = status_field(pid, "Tgid:", NULL, 0);
	char state[64];

	if (tgid > 0 && tgid != pid)
		bb_die("%d is a thread of process %ld: give -p %ld", pid, tgid, tgid);
	status_field(pid, "State:", state, sizeof(state));
	if (state[0] == 'Z')
		bb_die("process %d's main thread has exited (its other threads may run on, "
		       "but its memory map cannot be read)", pid);
}

void bb_target_attach(struct bb_target *t, int pid)
{
	char link[64];
	ssize_t n;

	memset(t, 0, sizeof(*t));
	t->watch_fd = -1;
	t->pid = pid;
	refuse_non_process(pid);
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

/*
 * The breakpoint run_to_entry plants, per architecture: the instruction
 * (in the low bytes of a little-endian word), how many of the word's bytes
 * it takes, and where the pc is when it has stopped the program: past
 * x86's int3 (a trap), at arm64's brk (a fault).  Registers through
 * ptregs.h.  (POKETEXT writes through the kernel's copy_to_user_page,
 * which makes arm64's instruction cache see the new word.)
 */
#if defined(__x86_64__)
#define ENTRY_BREAK	0xccUL
#define ENTRY_BREAK_MASK	0xffUL
#define ENTRY_BREAK_PC_PAST	1
#elif defined(__aarch64__)
#define ENTRY_BREAK	0xd4200000UL	/* brk #0 (uprobes use #5) */
#define ENTRY_BREAK_MASK	0xffffffffUL
#define ENTRY_BREAK_PC_PAST	0
#endif

#ifdef ENTRY_BREAK
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
 * Lets the child run until it stops at the breakpoint at entry (true), its
 * own signals passed on and ptrace events (an exit) let through.  False
 * when it died first (a missing library) or ptrace failed.
 */
static bool run_to_break(struct bb_target *t, unsigned long entry,
			 struct user_regs_struct *regs)
{
	int status, sig = 0;

	for (;;) {
		if (ptrace(PTRACE_CONT, t->pid, NULL, (void *)(long)sig) ||
		    waitpid(t->pid, &status, __WALL) != t->pid)
			return false;
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			t->exited = true;
			t->wait_status = status;
			return false;
		}
		sig = WSTOPSIG(status);
		if (sig != SIGTRAP)
			continue;	/* the program's own signal: passed on */
		sig = 0;
		if (status >> 16)
			continue;	/* a ptrace event (its exit): go on */
		if (bb_regs_access(t->pid, PTRACE_GETREGSET, regs) &&
		    BB_REGS_PC(*regs) == entry + ENTRY_BREAK_PC_PAST)
			return true;
	}
}
#endif

/*
 * Runs a child stopped at its exec to its program's entry point: by then
 * the dynamic loader has mapped every library it needs, so that their
 * unwind rows are in the kernel before the program's first instruction
 * (a leak in main's first line has its whole stack).  A breakpoint at the
 * entry, then the instruction put back and the pc set to it.  When
 * anything fails, the libraries' rows come at the first refresh.
 */
static void run_to_entry(struct bb_target *t)
{
#ifdef ENTRY_BREAK
	unsigned long entry = entry_point(t->pid), word;
	struct user_regs_struct regs;

	errno = 0;
	word = entry ? ptrace(PTRACE_PEEKTEXT, t->pid, (void *)entry, NULL) : 0;
	if (!entry || errno ||
	    ptrace(PTRACE_POKETEXT, t->pid, (void *)entry,
		   (void *)((word & ~ENTRY_BREAK_MASK) | ENTRY_BREAK)))
		return;
	if (!run_to_break(t, entry, &regs))
		return;
	BB_REGS_PC(regs) = entry;
	ptrace(PTRACE_POKETEXT, t->pid, (void *)entry, (void *)word);
	bb_regs_access(t->pid, PTRACE_SETREGSET, &regs);
#else
	(void)t;
#endif
}

/* Its arguments as the report names it (not a shell's quoting: for reading). */
static void read_cmdline(struct bb_target *t)
{
	char path[64];
	ssize_t n, i;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", t->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, t->cmdline, sizeof(t->cmdline) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0) {
		snprintf(t->cmdline, sizeof(t->cmdline), "%.*s", (int)sizeof(t->cmdline) - 1,
			 t->exe);
		return;
	}
	while (n > 0 && !t->cmdline[n - 1])
		n--;
	for (i = 0; i < n; i++)
		t->cmdline[i] = !t->cmdline[i] ? ' ' : t->cmdline[i] < ' ' || t->cmdline[i] > '~' ?
				'?' : t->cmdline[i];
	t->cmdline[n] = 0;
}

/* A started program stopped at an exec: run to its entry point (its
 * libraries mapped), its file and map, then the applet's turn. */
static void new_image(struct bb_target *t)
{
	char link[64];
	ssize_t n;

	if (t->on_exec) {
		snprintf(link, sizeof(link), "/proc/%d/exe", t->pid);
		n = readlink(link, t->exe, sizeof(t->exe) - 1);
		if (n > 0)
			t->exe[n] = 0;
	}
	read_cmdline(t);
	run_to_entry(t);
	if (t->exited)
		return;		/* died in the dynamic loader */
	if (t->syms)
		bb_usyms_close(t->syms);
	t->syms = bb_usyms_open(t->pid);
	if (!t->syms)
		bb_die("cannot read the memory map of %d", t->pid);
	bb_ustack_track(t->syms);
	if (t->on_exec)
		t->on_exec(t);
}

/*
 * The ptrace options of a started program.  It outlives bpfbox (a SIGKILL
 * of it detaches the program, which goes on: nothing of ours is in its
 * way then) except where it depends on us: @held, from an exec stop to
 * its entry point (the breakpoint planted there, then a SIGTRAP pending
 * until we pass over it), and with -f, whose new children wait in their
 * first stop (their SIGSTOP) until their probes are placed: left there,
 * they would be stopped for good.  There EXITKILL ends it instead of a
 * hang or a stray SIGTRAP.
 */
static void set_trace_options(const struct bb_target *t, bool held)
{
	long o = PTRACE_O_TRACEEXIT | (t->on_exec ? PTRACE_O_TRACEEXEC : 0) |
		 (t->follow_forks ? PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK : 0);

	if (held || t->follow_forks)
		o |= PTRACE_O_EXITKILL;
	ptrace(PTRACE_SETOPTIONS, t->pid, NULL, (void *)o);
}

/* A started program at an exec stop: its new image, with EXITKILL meanwhile. */
static void exec_stop(struct bb_target *t)
{
	set_trace_options(t, true);
	new_image(t);
	if (!t->exited)
		set_trace_options(t, false);
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
	t->started = true;
	exec_stop(t);
	if (!t->exited)
		ptrace(PTRACE_CONT, t->pid, NULL, NULL);
}

/* -f: children whose first stop came before their parent's fork event:
 * held stopped until they are known. */
#define MAX_EARLY 64
static int early[MAX_EARLY];
static size_t nr_early;

static bool take_early(int pid)
{
	size_t i;

	for (i = 0; i < nr_early; i++)
		if (early[i] == pid) {
			early[i] = early[--nr_early];
			return true;
		}
	return false;
}

/* -f: @parent forked @pid, which the kernel stopped and traces for us. */
static void new_child(struct bb_target *parent, int pid)
{
	bool stopped = take_early(pid);
	struct bb_target *c = bb_xcalloc(1, sizeof(*c)), **end;

	*c = *parent;
	c->pid = pid;
	c->exited = false;
	c->wait_status = 0;
	c->watch_fd = -1;
	c->next = NULL;
	c->data = NULL;
	c->first_stop = !stopped;
	c->syms = bb_usyms_open(pid);
	if (!c->syms)
		bb_die("cannot read the memory map of %d", pid);
	for (end = &parent->next; *end; end = &(*end)->next)
		;
	*end = c;
	if (c->on_fork)
		c->on_fork(parent, c);
	if (stopped)
		ptrace(PTRACE_CONT, pid, NULL, NULL);
}

/* The followed process @pid is (the target itself, or a child of it). */
static struct bb_target *find_target(struct bb_target *t, int pid)
{
	for (; t; t = t->next)
		if (t->pid == pid)
			return t;
	return NULL;
}

static bool all_exited(const struct bb_target *t)
{
	for (; t; t = t->next)
		if (!t->exited)
			return false;
	return true;
}

/* One wait status of followed process @p: a ptrace stop to pass on, an
 * exec, a fork, the exit stop, or the end. */
static void on_status(struct bb_target *t, struct bb_target *p, int status)
{
	unsigned long msg;
	int event = status >> 16, sig = WIFSTOPPED(status) ? WSTOPSIG(status) : 0;

	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		p->exited = true;
		p->wait_status = status;
		return;
	}
	if (sig == SIGTRAP && event == PTRACE_EVENT_EXEC) {
		exec_stop(p);
	} else if (sig == SIGTRAP && (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK)) {
		if (!ptrace(PTRACE_GETEVENTMSG, p->pid, NULL, &msg) && !find_target(t, msg))
			new_child(p, msg);
	} else if (sig == SIGTRAP && event == PTRACE_EVENT_EXIT) {
		/* Its memory is still there: the last look at its map. */
		bb_target_refresh(p);
		if (p->on_exit_stop)
			p->on_exit_stop(p);
	}
	/* A new child's first stop is the kernel's SIGSTOP, not a signal to it. */
	if (sig == SIGSTOP && p->first_stop)
		sig = 0;
	p->first_stop = false;
	ptrace(PTRACE_CONT, p->pid, NULL, (void *)(long)(sig == SIGTRAP ? 0 : sig));
}

/* SIGCHLD: the followed processes' stops and ends. */
static int on_child(void *ctx)
{
	struct bb_target *t = ctx, *p;
	struct signalfd_siginfo si;
	int status, pid;

	while (read(t->watch_fd, &si, sizeof(si)) == sizeof(si))
		;
	while ((pid = waitpid(t->follow_forks ? -1 : t->pid, &status, WNOHANG | __WALL)) > 0) {
		p = find_target(t, pid);
		if (!p && t->follow_forks && WIFSTOPPED(status)) {
			/* A child's first stop came before its parent's fork event. */
			if (nr_early < MAX_EARLY)
				early[nr_early++] = pid;
			else
				ptrace(PTRACE_CONT, pid, NULL, NULL);
			continue;
		}
		if (p)
			on_status(t, p, status);
	}
	return all_exited(t) ? -1 : 0;
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

/* @name's value in /proc/@pid/environ (as it was at the process's exec). */
static char *proc_getenv(int pid, const char *name, char *buf, size_t len)
{
	size_t n = strlen(name), got = 0, cap = 1 << 16;
	char path[64], *env = bb_xcalloc(cap, 1), *p, *ret = NULL;
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/environ", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	while (fd >= 0 && (r = read(fd, env + got, cap - 1 - got)) > 0) {
		got += r;
		if (got == cap - 1)
			env = bb_xrealloc(env, cap *= 2, 1);
	}
	if (fd >= 0)
		close(fd);
	env[got] = 0;
	for (p = env; p < env + got && !ret; p += strlen(p) + 1)
		if (!strncmp(p, name, n) && p[n] == '=' && snprintf(buf, len, "%s", p + n + 1) >= 0)
			ret = buf;
	free(env);
	return ret;
}

char *bb_target_getenv(const struct bb_target *t, const char *name, char *buf, size_t len)
{
	const char *v;

	if (!t->launched || t->started)
		return proc_getenv(t->pid, name, buf, len);
	v = getenv(name);
	if (!v)
		return NULL;
	snprintf(buf, len, "%s", v);
	return buf;
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

/* The threads bb_target_hold seized. */
static int *held;
static size_t nr_held;

bool bb_target_hold(struct bb_target *t)
{
	char path[64];
	struct dirent *d;
	DIR *dir;
	int tid;

	if (t->launched || t->exited)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/task", t->pid);
	dir = opendir(path);
	if (!dir)
		return false;
	/* Threads started meanwhile are not held: their stacks are read live. */
	while ((d = readdir(dir))) {
		tid = atoi(d->d_name);
		if (tid <= 0 || ptrace(PTRACE_SEIZE, tid, NULL, NULL))
			continue;
		held = bb_xrealloc(held, nr_held + 1, sizeof(*held));
		held[nr_held++] = tid;
		if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) ||
		    waitpid(tid, NULL, __WALL) != tid)
			continue;
	}
	closedir(dir);
	return nr_held > 0;
}

void bb_target_release(struct bb_target *t)
{
	size_t i;

	(void)t;
	for (i = 0; i < nr_held; i++)
		ptrace(PTRACE_DETACH, held[i], NULL, NULL);
	nr_held = 0;
}

enum reaped { REAP_NOTHING, REAP_STOP, REAP_SIGNAL, REAP_EXIT };

/*
 * One wait for a launched target.  A ptrace stop is passed on: the exit
 * stop continued, a signal-delivery stop continued with its signal (the
 * user's Ctrl-C reaches it: REAP_SIGNAL), SIGTRAP swallowed.
 */
static enum reaped reap_once(struct bb_target *t, int flags)
{
	int status, sig;
	pid_t r = waitpid(t->pid, &status, flags | __WALL);

	if (r != t->pid) {
		if (r < 0 && errno == ECHILD)
			t->exited = true;	/* reaped elsewhere: gone */
		return r < 0 && errno == ECHILD ? REAP_EXIT : REAP_NOTHING;
	}
	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		t->exited = true;
		t->wait_status = status;
		return REAP_EXIT;
	}
	sig = WIFSTOPPED(status) && !(status >> 16) ? WSTOPSIG(status) : 0;
	if (sig == SIGTRAP)
		sig = 0;
	ptrace(PTRACE_CONT, t->pid, NULL, (void *)(long)sig);
	return sig ? REAP_SIGNAL : REAP_STOP;
}

/*
 * One process we started, at the end: a signal it was stopped with (Ctrl-C
 * went to it too) is delivered, and given a moment it ends by itself with
 * its own status; else it goes with the tracing.  Waited for until it is
 * gone (a ptrace stop, the exit stop, comes first), so it is never left a
 * zombie for an init that may not reap.
 */
static void finish_one(struct bb_target *t)
{
	bool signalled = false;
	enum reaped r;
	int i;

	if (t->exited)
		return;
	while ((r = reap_once(t, WNOHANG)) == REAP_STOP || r == REAP_SIGNAL)
		signalled |= r == REAP_SIGNAL;
	for (i = 0; signalled && i < 50 && !t->exited; i++)
		if (reap_once(t, WNOHANG) == REAP_NOTHING)
			usleep(10000);
	if (t->exited)
		return;
	kill(t->pid, SIGKILL);
	t->killed = true;
	while (reap_once(t, 0) != REAP_EXIT)
		;
}

void bb_target_finish(struct bb_target *t)
{
	const char *cut = bb_usyms_unwind_culprit(t->syms);
	struct bb_target *p;

	if (cut)
		bb_warn("stacks marked [...] stop in %s: its code keeps no frame pointer there, "
			"so the callers beyond could not be found", cut);
	if (t->pid && t->watch_fd >= 0)	/* (no target: all zero) */
		close(t->watch_fd);
	t->watch_fd = -1;
	if (!t->launched)
		return;
	for (p = t; p; p = p->next)	/* with -f, every process followed */
		finish_one(p);
}
