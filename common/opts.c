// SPDX-License-Identifier: GPL-2.0
/*
 * Option parsing, once for every applet: the applet's own table plus the
 * common groups it asks for become one getopt_long() table and one help
 * text.  Every bad value ends in one line and exit status 2.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "bpfbox.h"
#include "filters.h"

struct bb_common bb_opts = {
	.interval = 1.0,
	.buffer_size = 4 << 20,
	.top = 20,
};

enum {
	K_HELP = 'h', K_VERBOSE = 'v', K_JSON = 'j', K_WRITE = 'w', K_READ = 'r',
	K_DURATION = 'd', K_INTERVAL = 'i', K_TOP = 'n', K_PID = 'p',
	K_BUSY = 1000, K_TID, K_COMM, K_CGROUP, K_MNTNS, K_NETNS, K_BTF,
	K_ATTACH, K_BUFSIZE, K_FORCE, K_NODEMANGLE, K_NOLINES,
};

static const struct bb_option always_opts[] = {
	{ "help", K_HELP, NULL, "show this help" },
	{ "verbose", K_VERBOSE, NULL, "say more: attach methods, libbpf and verifier logs" },
	{ 0 }
};

static const struct bb_option output_opts[] = {
	{ "json", K_JSON, NULL, "JSON lines instead of text" },
	{ "write", K_WRITE, "FILE", "write binary records to FILE (read back with -r)" },
	{ "read", K_READ, "FILE", "print a file written with -w, as if live" },
	{ "force", K_FORCE, NULL, "let -w and the other output files replace an existing file" },
	{ "busy-poll", K_BUSY, NULL, "spin on the buffer instead of sleeping (lowest latency, one CPU)" },
	{ "duration", K_DURATION, "SEC", "stop after SEC seconds" },
	{ "interval", K_INTERVAL, "SEC", "print every SEC seconds (0: only at the end; default 1)" },
	{ "top", K_TOP, "N", "rows per table (0: all; default 20)" },
	{ "no-demangle", K_NODEMANGLE, NULL, "C++ function names as the object has them (_ZN3app5Cache3putEi)" },
	{ "no-lines", K_NOLINES, NULL, "user frames without source lines nor inlined calls (no DWARF read)" },
	{ 0 }
};

static const struct bb_option pid_opts[] = {
	{ "pid", K_PID, "PID", "only this process" },
	{ 0 }
};

static const struct bb_option task_opts[] = {
	{ "tid", K_TID, "TID", "only this thread" },
	{ "comm", K_COMM, "NAME", "only tasks with this command name" },
	{ "cgroup", K_CGROUP, "PATH", "only tasks in this cgroup (v2 path or id)" },
	{ "mntns", K_MNTNS, "NS", "only this mount namespace (inode, or /proc/PID/ns/mnt)" },
	{ 0 }
};

static const struct bb_option netns_opts[] = {
	{ "netns", K_NETNS, "NS", "only this network namespace (name from ip netns, path or inode)" },
	{ 0 }
};

static const struct bb_option bpf_opts[] = {
	{ "btf", K_BTF, "FILE", "kernel BTF to use when /sys/kernel/btf/vmlinux is missing" },
	{ "attach", K_ATTACH, "HOW", "only these attach methods (comma-separated): tp_btf, raw_tp, tracepoint, uprobe, uretprobe, uprobe.multi..." },
	{ "buffer-size", K_BUFSIZE, "SIZE", "ring buffer size (e.g. 16M; default 4M)" },
	{ 0 }
};

struct opt_group {
	unsigned flag;
	const struct bb_option *opts;
};

static const struct opt_group groups[] = {
	{ 0, always_opts },
	{ BB_OPT_OUTPUT, output_opts },
	{ BB_OPT_PID, pid_opts },
	{ BB_OPT_TASK & ~BB_OPT_PID, task_opts },
	{ BB_OPT_NETNS, netns_opts },
	{ BB_OPT_BPF, bpf_opts },
};

static bool group_enabled(const struct bb_applet *app, const struct opt_group *g)
{
	return !g->flag || (app->common & g->flag);
}

static void print_opts(FILE *f, const struct bb_option *o)
{
	char left[64];

	for (; o->name; o++) {
		int n = 0;

		if (o->key < 256)
			n = snprintf(left, sizeof(left), "-%c, ", o->key);
		else
			n = snprintf(left, sizeof(left), "    ");
		snprintf(left + n, sizeof(left) - n, "--%s%s%s", o->name,
			 o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(f, "  %-26s %s\n", left, o->help);
	}
}

void bb_usage(const struct bb_applet *app, FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s [OPTIONS]%s%s\n\n%s\n", app->name,
		app->usage ? " " : "", app->usage ? app->usage : "", app->summary);
	if (app->description)
		fprintf(f, "\n%s", app->description);
	fprintf(f, "\nOptions:\n");
	if (app->options)
		print_opts(f, app->options);
	for (i = 0; i < ARRAY_SIZE(groups); i++)
		if (group_enabled(app, &groups[i]))
			print_opts(f, groups[i].opts);
}

/* Decimal, or hexadecimal with 0x: a leading zero is not octal here. */
static int number_base(const char *s)
{
	return s && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 16 : 10;
}

int bb_parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	int base = number_base(s);
	char *end;
	unsigned long long v;

	if (!s || !isdigit((unsigned char)*s))
		return -1;	/* strtoull would skip blanks and take "-1" */
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

int bb_parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s)
		return -1;
	if (!strcmp(end, "ms"))
		v /= 1000;
	else if (!strcmp(end, "m"))
		v *= 60;
	else if (*end && strcmp(end, "s"))
		return -1;
	if (!(v >= 0 && v <= 1e9))	/* also false for NaN */
		return -1;
	*out = v;
	return 0;
}

int bb_parse_size(const char *s, unsigned long *out)
{
	unsigned long long v;
	unsigned shift = 0;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, number_base(s));
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	}
	/* Check before shifting: the shift itself could overflow. */
	if (*end || v > ((1ULL << 32) >> shift))
		return -1;
	*out = v << shift;
	return 0;
}

static unsigned parse_uint_opt(const char *name, const char *arg, unsigned long long max)
{
	unsigned long long v;

	if (bb_parse_uint(arg, max, &v))
		bb_die("--%s: '%s' is not a number up to %llu", name, arg, max);
	return v;
}

static double parse_seconds_opt(const char *name, const char *arg)
{
	double v;

	if (bb_parse_seconds(arg, &v))
		bb_die("--%s: '%s' is not a duration (e.g. 5, 2.5, 500ms, 1m)", name, arg);
	return v;
}

static void parse_common(int key, const char *arg, const char *name)
{
	switch (key) {
	case K_VERBOSE: bb_opts.verbose = true; break;
	case K_JSON: bb_opts.json = true; break;
	case K_WRITE: bb_opts.write_file = arg; break;
	case K_READ: bb_opts.read_file = arg; break;
	case K_FORCE: bb_opts.force = true; break;
	case K_BUSY: bb_opts.busy_poll = true; break;
	case K_NODEMANGLE: bb_opts.no_demangle = true; break;
	case K_NOLINES: bb_opts.no_lines = true; break;
	case K_DURATION: bb_opts.duration = parse_seconds_opt(name, arg); break;
	case K_INTERVAL:
		bb_opts.interval = parse_seconds_opt(name, arg);
		bb_opts.interval_set = true;
		break;
	case K_TOP: bb_opts.top = parse_uint_opt(name, arg, 1000000); break;
	case K_PID: bb_opts.tgid = bb_parse_pid(arg); break;
	case K_TID: bb_opts.tid = bb_parse_pid(arg); break;
	case K_COMM:
		if (strlen(arg) >= sizeof(bb_opts.comm))
			bb_die("--comm: '%s' is longer than the kernel's 15 characters", arg);
		strcpy(bb_opts.comm, arg);
		break;
	case K_CGROUP: bb_opts.cgroup_id = bb_parse_cgroup(arg); break;
	case K_MNTNS: bb_opts.mntns = bb_parse_ns(arg, "mnt"); break;
	case K_NETNS: bb_opts.netns = bb_parse_ns(arg, "net"); break;
	case K_BTF: bb_opts.btf_path = arg; break;
	case K_ATTACH: bb_opts.attach = arg; break;
	case K_BUFSIZE:
		/* Beyond 1G the kernel refuses the map, or takes that much
		 * locked memory from a small host: said here, not at load. */
		if (bb_parse_size(arg, &bb_opts.buffer_size) || bb_opts.buffer_size < 4096 ||
		    bb_opts.buffer_size > (1UL << 30))
			bb_die("--buffer-size: '%s' is not a size from 4K to 1G", arg);
		break;
	}
}

/* Gather the applet's options and its common groups into one table. */
static size_t collect(const struct bb_applet *app, const struct bb_option **out, size_t max)
{
	const struct bb_option *o;
	size_t i, n = 0;

	for (o = app->options; o && o->name && n < max; o++)
		out[n++] = o;
	for (i = 0; i < ARRAY_SIZE(groups); i++) {
		if (!group_enabled(app, &groups[i]))
			continue;
		for (o = groups[i].opts; o->name && n < max; o++)
			out[n++] = o;
	}
	return n;
}

static bool is_common(const struct bb_applet *app, const struct bb_option *o)
{
	const struct bb_option *a;

	for (a = app->options; a && a->name; a++)
		if (a == o)
			return false;
	return true;
}

int bb_parse_options(const struct bb_applet *app, int argc, char **argv)
{
	const struct bb_option *all[128];
	struct option longs[129];
	char shorts[256];
	size_t i, n = collect(app, all, ARRAY_SIZE(all)), s;
	int c, idx;

	/* Unless the applet permutes, stop at the first operand, so that in
	 * `APPLET -p 1 -- cmd -x` the -x is cmd's. */
	strcpy(shorts, app->permute ? ":" : "+:");
	s = strlen(shorts);
	for (i = 0; i < n; i++) {
		longs[i] = (struct option){ all[i]->name, all[i]->arg ? required_argument
							      : no_argument, NULL, all[i]->key };
		if (all[i]->key < 256 && s + 3 < sizeof(shorts)) {
			shorts[s++] = all[i]->key;
			if (all[i]->arg)
				shorts[s++] = ':';
		}
	}
	memset(&longs[n], 0, sizeof(longs[n]));
	shorts[s] = 0;

	optind = 0;	/* 0: a full reset, for glibc as for musl (parsed again in tests) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, longs, &idx)) != -1) {
		const struct bb_option *o = NULL;

		if (c == '?' || c == ':') {
			const char *bad = argv[optind - 1 < argc ? optind - 1 : argc - 1];

			/* A short option, unless the word the user typed was long. */
			if (optopt && optopt < 256 && strncmp(bad, "--", 2))
				bb_die("%s option -%c (see %s --help)",
				       c == ':' ? "missing value for" : "unknown", optopt,
				       app->name);
			bb_die("%s option %s (see %s --help)",
			       c == ':' ? "missing value for" : "unknown", bad, app->name);
		}
		if (c == K_HELP) {
			bb_usage(app, stdout);
			exit(0);
		}
		for (i = 0; i < n && !o; i++)
			if (all[i]->key == c)
				o = all[i];
		if (!o)
			bb_die("unknown option (see %s --help)", app->name);
		if (!is_common(app, o)) {
			if (app->parse(c, optarg))
				bb_die("--%s: bad value '%s' (see %s --help)", o->name,
				       optarg ? optarg : "", app->name);
		} else {
			parse_common(c, optarg, o->name);
		}
	}
	return optind;
}
