/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The process an applet traces: an existing one (-p PID), or one it
 * starts (-c 'cmd args' or -- cmd args), held before exec until the
 * probes are in place.  A started process is ptraced only to catch its
 * exec and its exit, so that its memory map (for symbols) is read while
 * it still exists.
 */
#ifndef BB_TARGET_H
#define BB_TARGET_H

#include <limits.h>
#include <stdbool.h>

struct bb_loop;
struct bb_usyms;

struct bb_target {
	int pid;
	bool launched;		/* we started it */
	bool exited;
	int wait_status;	/* when exited */
	char exe[PATH_MAX];	/* the program's file */
	struct bb_usyms *syms;	/* its address space, kept after it exits */
	int go_fd;		/* launched: write a byte to let it exec */
	int err_fd;		/* launched: exec's errno, or EOF when exec worked */
	int watch_fd;		/* signalfd (launched) or pidfd */
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
/* Whether it still runs (a zombie does not). */
bool bb_target_alive(const struct bb_target *t);
/* At the end: a target we started and that still runs is terminated. */
void bb_target_finish(struct bb_target *t);

/* Splits a command line into words: blanks separate, quotes group,
 * backslash escapes.  Returns a NULL-terminated array, or NULL if a quote
 * is left open. */
char **bb_split_words(const char *line);

#endif
