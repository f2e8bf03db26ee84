/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The user-space core every applet builds on: the applet table, option
 * parsing, error exits and output helpers.  An applet is one file in
 * applets/ carrying a BB_APPLET() line; nothing else lists it.
 */
#ifndef BPFBOX_H
#define BPFBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>

#define BB_VERSION "0.1.0"

/* The architecture built for, as uname -m names it (--version, the
 * multiarch library directories). */
#if defined(__x86_64__)
#define BB_ARCH "x86_64"
#elif defined(__aarch64__)
#define BB_ARCH "aarch64"
#else
#error "bpfbox is built for x86_64 and aarch64 only"
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Exit statuses: 0 ok, 1 the applet found what it looks for (deadlock...),
 * 2 the user or the system made it impossible to run. */
#define BB_EXIT_USAGE 2

/* Option groups the core parses for an applet (struct bb_applet.common). */
enum {
	BB_OPT_OUTPUT = 1 << 0,	/* --json -w -r --busy-poll --duration --interval --top --no-demangle */
	BB_OPT_PID = 1 << 4,	/* -p */
	BB_OPT_TASK = 1 << 1 | BB_OPT_PID,	/* -p --tid --comm --cgroup --mntns */
	BB_OPT_NETNS = 1 << 2,	/* --netns */
	BB_OPT_BPF = 1 << 3,	/* --btf --attach --buffer-size */
};

struct bb_option {
	const char *name;	/* long name, without "--" */
	int key;		/* short letter, or a unique value >= 256 */
	const char *arg;	/* metavariable, or NULL for a flag */
	const char *help;
};

/* What the core parsed for the applet. */
struct bb_common {
	bool json;
	bool busy_poll;
	bool verbose;
	bool no_demangle;		/* --no-demangle: C++ names as mangled */
	bool no_lines;			/* --no-lines: no DWARF source lines */
	const char *write_file;		/* -w */
	bool force;			/* --force: outputs may replace files (outfile.h) */
	const char *read_file;		/* -r */
	const char *btf_path;		/* --btf */
	const char *attach;		/* --attach: restrict to one method */
	double duration;		/* seconds; 0 = until interrupted */
	double interval;		/* seconds; 0 = only at the end */
	bool interval_set;
	unsigned top;			/* rows per table; 0 = all */
	unsigned long buffer_size;	/* ring buffer bytes */
	/* filters */
	unsigned tgid, tid;
	char comm[16];
	unsigned long long cgroup_id;
	unsigned netns, mntns;
};

extern struct bb_common bb_opts;

struct bb_agg_table;
struct bb_rec_shape;

enum bb_mark_kind { BB_MARK_EVENT, BB_MARK_KEY };

struct bb_applet {
	const char *name;
	const char *summary;		/* one line, for `bpfbox --help` */
	const char *usage;		/* arguments after the name */
	const char *description;	/* longer help, examples */
	unsigned common;		/* BB_OPT_* groups */
	bool permute;			/* options may follow operands (no -- CMD) */
	const struct bb_option *options;	/* terminated by a zeroed entry */
	/* Called for each applet-specific option; return 0 or -1 (bad value). */
	int (*parse)(int key, const char *arg);
	/* argv holds the operands left after the options. */
	int (*main)(int argc, char **argv);
	/* Prints one kernel event, live or from a record file. */
	void (*print_event)(const void *data, size_t len);
	/* What its events may hold (record.h): a record file's events are
	 * checked against it before print_event sees them.  Required with
	 * print_event: without one, report refuses the applet's events. */
	const struct bb_rec_shape *event_shape;
	/* The sizes its aggregation keys may have (print_table's rows; one
	 * table has one: memleak's with leak kinds carry the kind too); none:
	 * no tables. */
	unsigned agg_key_sizes[2];
	/* Prints one interval's aggregated table, live or from a file. */
	void (*print_table)(const struct bb_agg_table *t, bool final);
	/* While recording: see that the file carries the symbols of every
	 * address in an event or an aggregation key: bb_ksym_mark() for
	 * kernel addresses, bb_usym_record() for user ones.  (Stacks are the
	 * core's: bb_stacks_use_map.) */
	void (*mark_addrs)(const void *data, size_t len, enum bb_mark_kind kind);
	/* Called after a record file was printed (summaries). */
	void (*report_end)(void);
	/* What its programs count as BB_LOST_APPLET, for the loss line. */
	const char *lost_other;
};

/*
 * Registration: puts the applet into the "bb_applets" section, which the
 * linker gathers into one array, busybox's applet table without a list.
 */
#define BB_APPLET(id, ...)						\
	static const struct bb_applet bb_applet_##id = { __VA_ARGS__ }; \
	static const struct bb_applet *bb_applet_ptr_##id		\
		__attribute__((used, section("bb_applets"))) = &bb_applet_##id

/* Dispatch on argv[0], else on argv[1] (common/applet.c). */
int bb_main(int argc, char **argv);
const struct bb_applet *bb_find_applet(const char *name);
size_t bb_applet_count(void);
const struct bb_applet *bb_applet_at(size_t i);
extern const struct bb_applet *bb_current;	/* the applet running */

/* Option parsing (common/opts.c).  Returns index of the first operand. */
int bb_parse_options(const struct bb_applet *app, int argc, char **argv);
void bb_usage(const struct bb_applet *app, FILE *f);
int bb_parse_uint(const char *s, unsigned long long max, unsigned long long *out);
int bb_parse_seconds(const char *s, double *out);
int bb_parse_size(const char *s, unsigned long *out);

/* Errors: one line on stderr, prefixed with the applet's name. */
void bb_die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* Fuzz targets only (tests/fuzz/fuzz.h): called by bb_die() instead of
 * saying and exiting, so the target can go on with its next input. */
extern void (*bb_die_hook)(void) __attribute__((noreturn));
void bb_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void bb_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));	/* -v only */
void *bb_xcalloc(size_t n, size_t size);
void *bb_xrealloc(void *p, size_t n, size_t size);
char *bb_xstrdup(const char *s);

/* Time (common/util.c). */
uint64_t bb_now_ns(int clock);
uint64_t bb_boot_wall_ns(void);		/* CLOCK_REALTIME at boot */
void bb_format_time(uint64_t boot_ns, uint64_t boot_wall_ns, char *buf, size_t len);

/* Wall-clock time at boot: BPF timestamps (CLOCK_BOOTTIME) + this = wall
 * time.  The running system's, or the one a record file carries. */
extern uint64_t bb_wall_base;

/* Prints a record file with the applet that wrote it (common/report.c). */
int bb_report_file(const char *path);

/* Stop flag set by SIGINT/SIGTERM. */
extern volatile int bb_stop;
void bb_install_signals(void);

/* JSON lines (common/json.c): a tiny writer with proper escaping. */
struct bb_json {
	FILE *f;
	bool first;
};
void bb_json_begin(struct bb_json *j, FILE *f);
void bb_json_str(struct bb_json *j, const char *key, const char *val);
void bb_json_u64(struct bb_json *j, const char *key, unsigned long long val);
void bb_json_i64(struct bb_json *j, const char *key, long long val);
void bb_json_raw(struct bb_json *j, const char *key, const char *raw);
void bb_json_end(struct bb_json *j);
void bb_json_escape(FILE *f, const char *s);

/*
 * Text output of strings from outside (process and interface names, and
 * every string read from a record file): control bytes are escaped as
 * strace does ("\33[31m" prints as \33[31m, a newline as \n), so nothing
 * reaches the terminal raw.  Returns @s itself when it needs nothing, else
 * one of 8 rotating static buffers: enough for the arguments of one
 * printf.  JSON has its own escaping (bb_json_escape).
 */
const char *bb_esc(const char *s);
/* The same into @buf (@len bytes, always terminated). */
void bb_esc_to(const char *s, char *buf, size_t len);

/* Stacks as the applets print them, each frame named by @fmt. */
typedef void (*bb_frame_fmt)(uint64_t addr, char *buf, size_t len);
/* A line per frame after @indent; @none's line (if any) for no frame. */
/* Room for a frame as text: C++ names of templates run to kilobytes. */
#define BB_FRAME_TEXT 4096
/* A printed frame ("name+0x1a (module)") cut to its function's name. */
void bb_frame_function(char *frame);
/* A frame's text as without source locations (usyms.h): its own line
 * (not its inlined calls'), without " (FILE:LINE)". */
void bb_frame_plain(char *frame);
void bb_print_frames(const char *indent, const uint64_t *frames, int n, bb_frame_fmt fmt,
		     const char *none);
/* A JSON array of the frames' names under @key; when they have source
 * locations, @key_src too: {"file","line","inlined":[{"function","file","line"}]}
 * a frame. */
void bb_json_frames(struct bb_json *j, const char *key, const uint64_t *frames, int n,
		    bb_frame_fmt fmt);

#endif
