/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The process an applet traces: an existing one (-p PID), or one it
 * starts (-c 'cmd args' or -- cmd args), held before exec until the
 * probes are in place.  A started process is ptraced only to catch its
 * execs and its exit, so that its memory map (for symbols) is read while
 * it still exists, and so that an applet that follows exec (a wrapper
 * such as env or a shell script execs the real program) places its probes
 * in each new image before it runs.  Killed, bpfbox leaves it running
 * (detached), but in the moment of an exec (until its entry point) and
 * with -f: see set_trace_options in target.c.
 */
#ifndef BB_TARGET_H
#define BB_TARGET_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

struct bb_loop;
struct bb_usyms;

struct bb_target {
	int pid;
	bool launched;		/* we started it */
	bool started;		/* launched: its exec is done (it has its own environment) */
	bool exited;
	int wait_status;	/* when exited */
	bool killed;		/* launched: still running at the end, killed by us */
	char exe[PATH_MAX];	/* the program's file */
	struct bb_usyms *syms;	/* its address space, kept after it exits */
	int go_fd;		/* launched: write a byte to let it exec */
	int err_fd;		/* launched: exec's errno, or EOF when exec worked */
	int watch_fd;		/* signalfd (launched) or pidfd */
	/* Set by the applet: a started program follows its execs.  Called
	 * while it is stopped at each (the first included), before its new
	 * image runs a single instruction; exe and syms are the new image's. */
	void (*on_exec)(struct bb_target *t);
	/* -f: the started program's children are followed too, each a target
	 * of its own (made here, on @next), stopped until on_fork returns. */
	bool follow_forks;
	void (*on_fork)(struct bb_target *parent, struct bb_target *child);
	/* Called while a started process is stopped at its exit, its memory
	 * still all there (memleak's leak scan). */
	void (*on_exit_stop)(struct bb_target *t);
	struct bb_target *next;	/* the followed children, in fork order */
	char cmdline[256];	/* launched: its arguments, blank-separated */
	bool first_stop;	/* a new child: its next stop is the kernel's SIGSTOP */
	void *data;		/* the applet's */
};

/*
 * The target the user gave: -p PID (bb_opts.tgid), -c @command, or the
 * operands (-- CMD ARGS); exactly one, or none (returns false).  The
 * process filter is then cleared: uprobes are per process already.
 */
bool bb_target_choose(struct bb_target *t, const char *command, int argc, char **argv);
/* Starts @argv (or the words of @cmdline) held before exec. */
void bb_target_spawn(struct bb_target *t, const char *cmdline, char **argv);
/* An existing process. */
void bb_target_attach(struct bb_target *t, int pid);
/* Lets a spawned target exec, and waits until it did (dies if it cannot). */
void bb_target_run(struct bb_target *t);
/* Adds the target to the loop: the loop ends when the target exits. */
void bb_target_watch(struct bb_target *t, struct bb_loop *lp);
/* Re-reads the memory map (dlopen) while the target lives. */
void bb_target_refresh(struct bb_target *t);
/* The target's environment variable @name in @buf: ours until a started
 * program runs (it inherits it), then its own.  NULL when unset. */
char *bb_target_getenv(const struct bb_target *t, const char *name, char *buf, size_t len);
/* A running process (-p) held still, every thread of it in a ptrace stop,
 * while its memory is read (memleak's leak scan); false when it cannot
 * be (gone, or ptrace refused).  bb_target_release lets it go on. */
bool bb_target_hold(struct bb_target *t);
void bb_target_release(struct bb_target *t);
/* Whether it still runs (a zombie does not). */
bool bb_target_alive(const struct bb_target *t);
/* At the end: a target we started and that still runs is terminated. */
void bb_target_finish(struct bb_target *t);

/* Splits a command line into words: blanks separate, quotes group,
 * backslash escapes.  Returns a NULL-terminated array, or NULL if a quote
 * is left open. */
char **bb_split_words(const char *line);

#endif
