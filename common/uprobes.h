/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space probes on a library's functions, for applets that trace a
 * process's calls (memleak's allocator, deadlock's pthread locks):
 * finding the file that defines them in the target, placing each probe on
 * an instruction the kernel emulates when that is safe, and attaching
 * them all, as one uprobe.multi link per direction (cookies tell the
 * functions apart) or one uprobe per function on older kernels.
 */
#ifndef BB_UPROBES_H
#define BB_UPROBES_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct bpf_object;
struct bpf_link;
struct bb_hook;
struct bb_target;

struct bb_uprobe {
	const char *func;	/* symbol, before the set's prefix */
	const char *prog;	/* its own entry program, without uprobe.multi */
	__u64 cookie;		/* passed to the multi entry program */
	bool returns;		/* the return is probed too */
	bool required;		/* missing: an error, not a note */
	bool null_noop;		/* does nothing with a NULL first argument (free) */
};

struct bb_uprobe_set {
	/* In: */
	const char *prefix;		/* "" or e.g. "je_" */
	const struct bb_uprobe *probes;
	size_t nr;
	bool arg1_only;			/* the programs read only the first argument,
					 * the stack pointer and the return value */
	/* The applet's hooks of the entries and the returns (manual ones),
	 * their programs: the uprobe.multi one first, the single one second
	 * (for the entries, any: each probe loads its own). */
	struct bb_hook *entries, *returns;
	/* Set by the loader (struct bb_load's uprobes): */
	struct bpf_object *obj;
	/* Out: */
	struct bpf_link **links;
	size_t nr_links;
};

/*
 * The file that defines @prefix@func for @t: for a started program its
 * executable (static, or an interposer), musl's loader-libc, the libraries
 * it names (DT_NEEDED, found as the dynamic loader would: RPATH, RUNPATH,
 * LD_LIBRARY_PATH, the usual directories), or one of @libs (glibc's
 * libc.so.6, libpthread.so.0...); for a running process the first mapped
 * file that has it, seen through /proc/PID/root.  @only restricts to a
 * path, or to files whose base name starts so (-O, OBJ:SYMBOL).  False
 * when none has it.
 */
bool bb_uprobes_find_module(const struct bb_target *t, const char *only, const char *prefix,
			    const char *func, const char *const *libs, char *out, size_t len);

/* bb_probe_points() flags */
enum {
	BB_PROBE_NULL_NOOP = 1,		/* a NULL first argument returns at once */
	BB_PROBE_ARG1_ONLY = 2,		/* the programs read only %rdi, %rsp, %rbp */
	BB_PROBE_WHOLE = 4,		/* the code given is the whole function */
};
#define BB_PROBE_MAX_POINTS 2

/*
 * Where to probe the x86-64 function whose first @len bytes are @code:
 * offsets from its start such that every call hits exactly one, with what
 * @flags says the programs read as at entry, preferring instructions the
 * kernel emulates to ones it single-steps.  Returns how many (1 or 2).
 */
size_t bb_probe_points(const unsigned char *code, size_t len, unsigned flags,
		       unsigned long points[BB_PROBE_MAX_POINTS]);

/* The loader's, once the hooks' programs are chosen: each probe's own
 * entry program loads too when the entries are not one multi link. */
void bb_uprobes_autoload(struct bb_uprobe_set *s, struct bpf_object *obj);

/* Attaches every probe of @s that @path defines (optional ones it lacks
 * are noted) for process @pid.  Dies on failure. */
void bb_uprobes_attach(struct bb_uprobe_set *s, const char *path, int pid);
void bb_uprobes_detach(struct bb_uprobe_set *s);

#endif
