// SPDX-License-Identifier: GPL-2.0
/* Option parsing (common/opts.c): number parsers and bb_parse_options(). */
#include "unit.h"
#include "bpfbox.h"

/* ---- bb_parse_uint / bb_parse_seconds / bb_parse_size ---- */

static void uint_ok(const char *s, unsigned long long max, unsigned long long want)
{
	unsigned long long v = 12345;

	if (CHECK(!bb_parse_uint(s, max, &v), "parse_uint(\"%s\", %llu) accepted", s, max))
		CHECK_U64(v, want, "parse_uint(\"%s\") value", s);
}

static void uint_bad(const char *s, unsigned long long max)
{
	unsigned long long v = 12345;

	CHECK(bb_parse_uint(s, max, &v) == -1 && v == 12345,
	      "parse_uint(\"%s\", %llu) rejected, output untouched", s ? s : "(null)", max);
}

static void test_parse_uint(void)
{
	unsigned long long v = 7;

	uint_ok("0", 10, 0);
	uint_ok("10", 10, 10);
	uint_ok("65535", 65535, 65535);
	uint_ok("0x10", 100, 16);
	uint_ok("0XfF", 255, 255);
	uint_ok("18446744073709551615", ~0ULL, ~0ULL);
	uint_bad("11", 10);
	uint_bad("65536", 65535);
	uint_bad("0x100", 255);
	uint_bad("-1", ~0ULL);
	uint_bad("-0", 10);
	uint_bad("18446744073709551616", ~0ULL);
	uint_bad("", 10);
	uint_bad(NULL, 10);
	uint_bad("abc", 10);
	uint_bad("12abc", 100);
	uint_bad("1.5", 10);
	uint_bad("5 ", 10);
	uint_bad("0x", 10);
	CHECK(bb_parse_uint(" -1", ~0ULL, &v) == -1,
	      "parse_uint(\" -1\", ULLONG_MAX) rejected (negative after a blank)");
}

static void sec_ok(const char *s, double want)
{
	double v = -42;

	if (CHECK(!bb_parse_seconds(s, &v), "parse_seconds(\"%s\") accepted", s))
		if (!CHECK(v == want, "parse_seconds(\"%s\") == %g", s, want))
			unit_diag("got %.9g", v);
}

static void sec_bad(const char *s, const char *bug)
{
	double v = -42;

	unit_check(bb_parse_seconds(s, &v) == -1 && v == -42, bug, __FILE__, __LINE__,
		   "parse_seconds(\"%s\") rejected, output untouched", s);
}

static void test_parse_seconds(void)
{
	sec_ok("5", 5);
	sec_ok("2.5", 2.5);
	sec_ok("500ms", 0.5);
	sec_ok("1m", 60);
	sec_ok("1.5m", 90);
	sec_ok("3s", 3);
	sec_ok("0", 0);
	sec_ok("0ms", 0);
	sec_ok("1000000000", 1e9);
	sec_bad("-1", NULL);
	sec_bad("-0.5", NULL);
	sec_bad("abc", NULL);
	sec_bad("", NULL);
	sec_bad("ms", NULL);
	sec_bad("5x", NULL);
	sec_bad("5 s", NULL);
	sec_bad("5h", NULL);
	sec_bad("1e10", NULL);
	sec_bad("inf", NULL);
	sec_bad("nan", NULL);
	sec_bad("20000000m", NULL);
}

static void size_ok(const char *s, unsigned long want)
{
	unsigned long v = 12345;

	if (CHECK(!bb_parse_size(s, &v), "parse_size(\"%s\") accepted", s))
		CHECK_U64(v, want, "parse_size(\"%s\") value", s);
}

static void size_bad(const char *s, const char *bug)
{
	unsigned long v = 12345;

	unit_check(bb_parse_size(s, &v) == -1 && v == 12345, bug, __FILE__, __LINE__,
		   "parse_size(\"%s\") rejected, output untouched", s);
}

static void test_parse_size(void)
{
	size_ok("4096", 4096);
	size_ok("16M", 16UL << 20);
	size_ok("16m", 16UL << 20);
	size_ok("1k", 1024);
	size_ok("1K", 1024);
	size_ok("2g", 2UL << 30);
	size_ok("4G", 4UL << 30);
	size_ok("0x1000", 4096);
	size_ok("0", 0);
	size_bad("5G", NULL);
	size_bad("4294967297", NULL);
	size_bad("x", NULL);
	size_bad("", NULL);
	size_bad("-1", NULL);
	size_bad("-1k", NULL);
	size_bad("16MB", NULL);
	size_bad("16 M", NULL);
	size_bad("1T", NULL);
	size_bad("99999999999999999999", NULL);
	size_bad("17179869185G", NULL);
}

/* ---- bb_parse_options on a test applet ---- */

enum { O_LONG_ONLY = 300, O_LEVEL };

static const struct bb_option test_options[] = {
	{ "flag", 'f', NULL, "a flag" },
	{ "name", 'N', "NAME", "a name" },
	{ "long-only", O_LONG_ONLY, NULL, "a flag with no short form" },
	{ "level", O_LEVEL, "LEVEL", "a value with no short form ('bad' is refused)" },
	{ 0 }
};

#define MAX_SEEN 16

static struct {
	int n;
	int key[MAX_SEEN];
	const char *arg[MAX_SEEN];
} seen;

static int test_parse(int key, const char *arg)
{
	if (seen.n < MAX_SEEN) {
		seen.key[seen.n] = key;
		seen.arg[seen.n] = arg;
	}
	seen.n++;
	return key == O_LEVEL && !strcmp(arg, "bad") ? -1 : 0;
}

static int test_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

BB_APPLET(unitopt,
	.name = "unitopt",
	.summary = "a test applet",
	.usage = "[-- CMD [ARGS]]",
	.common = BB_OPT_OUTPUT | BB_OPT_BPF,
	.options = test_options,
	.parse = test_parse,
	.main = test_main,
);

BB_APPLET(unitbare,
	.name = "unitbare",
	.summary = "a test applet without options",
	.main = test_main,
);

BB_APPLET(unitperm,
	.name = "unitperm",
	.summary = "a test applet whose options may follow operands",
	.common = BB_OPT_OUTPUT,
	.permute = true,
	.options = test_options,
	.parse = test_parse,
	.main = test_main,
);

static struct bb_common defaults;

static int argc_of(char **argv)
{
	int n = 0;

	while (argv[n])
		n++;
	return n;
}

/* Parses with fresh state; returns the index of the first operand. */
static int parse(const struct bb_applet *app, char **argv)
{
	bb_opts = defaults;
	memset(&seen, 0, sizeof(seen));
	bb_current = app;
	return bb_parse_options(app, argc_of(argv), argv);
}

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })

static void check_seen(int i, int key, const char *arg)
{
	if (!CHECK(i < seen.n, "applet option %d reached the parse callback", i))
		return;
	CHECK_U64(seen.key[i], key, "applet option %d: key", i);
	if (arg)
		CHECK_STR(seen.arg[i], arg, "applet option %d: argument", i);
	else
		CHECK(!seen.arg[i], "applet option %d: no argument", i);
}

static void test_defaults(void)
{
	CHECK(defaults.interval == 1.0 && !defaults.interval_set, "default interval 1 s");
	CHECK_U64(defaults.top, 20, "default top 20");
	CHECK_U64(defaults.buffer_size, 4 << 20, "default buffer size 4M");
	CHECK(!defaults.json && !defaults.duration && !defaults.write_file,
	      "default: text, no duration, no file");
	CHECK(bb_find_applet("unitopt") == &bb_applet_unitopt, "BB_APPLET registers the applet");
}

static void test_common(void)
{
	char **argv = ARGV("unitopt", "--json", "-d", "3", "--interval", "0", "-n", "5",
			   "--", "cmd", "args");
	int i = parse(&bb_applet_unitopt, argv);

	CHECK(bb_opts.json, "--json sets json");
	CHECK(bb_opts.duration == 3.0, "-d 3: duration 3 s");
	CHECK(bb_opts.interval == 0.0 && bb_opts.interval_set, "--interval 0: interval 0, set");
	CHECK_U64(bb_opts.top, 5, "-n 5: top 5");
	CHECK_U64(i, 9, "-- CMD: index of the command");
	CHECK(i == 9 && !strcmp(argv[i], "cmd") && !strcmp(argv[i + 1], "args"),
	      "operands untouched after --");
	CHECK_U64(seen.n, 0, "common options do not reach the applet's callback");

	argv = ARGV("unitopt", "-j", "cmd", "-x", "--bogus");
	i = parse(&bb_applet_unitopt, argv);
	CHECK(i == 2 && bb_opts.json, "stops at the first operand (cmd -x is cmd's)");

	argv = ARGV("unitopt", "-w", "out.bbr", "--read=in.bbr", "--busy-poll", "-v",
		    "--duration=500ms", "-i1m", "--top", "0", "--buffer-size", "16M",
		    "--attach", "raw_tp", "--btf", "/b/vmlinux");
	i = parse(&bb_applet_unitopt, argv);
	CHECK_U64(i, argc_of(argv), "no operands: index is argc");
	CHECK_STR(bb_opts.write_file, "out.bbr", "-w FILE");
	CHECK_STR(bb_opts.read_file, "in.bbr", "--read=FILE");
	CHECK(bb_opts.busy_poll && bb_opts.verbose, "--busy-poll, -v");
	CHECK(bb_opts.duration == 0.5, "--duration=500ms: 0.5 s");
	CHECK(bb_opts.interval == 60 && bb_opts.interval_set, "-i1m: 60 s");
	CHECK_U64(bb_opts.top, 0, "--top 0: all rows");
	CHECK_U64(bb_opts.buffer_size, 16 << 20, "--buffer-size 16M");
	CHECK_STR(bb_opts.attach, "raw_tp", "--attach");
	CHECK_STR(bb_opts.btf_path, "/b/vmlinux", "--btf");

	i = parse(&bb_applet_unitopt, ARGV("unitopt"));
	CHECK(i == 1 && !bb_opts.json && bb_opts.interval == 1.0 && !bb_opts.interval_set,
	      "no arguments: index 1, defaults kept");
}

static void test_applet_options(void)
{
	char **argv = ARGV("unitopt", "-f", "--name", "foo", "--long-only", "--level=7",
			   "-Nbar", "-fj", "--level", "8", "op");
	int i = parse(&bb_applet_unitopt, argv);

	CHECK_U64(seen.n, 7, "seven applet options seen");
	check_seen(0, 'f', NULL);
	check_seen(1, 'N', "foo");
	check_seen(2, O_LONG_ONLY, NULL);
	check_seen(3, O_LEVEL, "7");
	check_seen(4, 'N', "bar");
	check_seen(5, 'f', NULL);
	check_seen(6, O_LEVEL, "8");
	CHECK(bb_opts.json, "-fj: the common -j in a cluster");
	CHECK(i == 10 && !strcmp(argv[i], "op"), "index of the operand after applet options");
}

static void test_permute(void)
{
	char **argv = ARGV("unitperm", "a", "-j", "b", "--level", "3", "-n", "4");
	int i = parse(&bb_applet_unitperm, argv);

	CHECK(bb_opts.json && bb_opts.top == 4, "permute: options after operands are parsed");
	CHECK(seen.n == 1 && seen.key[0] == O_LEVEL && seen.arg[0] && !strcmp(seen.arg[0], "3"),
	      "permute: applet option after an operand reaches the callback");
	CHECK(i == 6 && !strcmp(argv[6], "a") && !strcmp(argv[7], "b"),
	      "permute: operands moved to the end, in order, index at the first");

	argv = ARGV("unitperm", "a", "--", "-j");
	i = parse(&bb_applet_unitperm, argv);
	CHECK(!bb_opts.json && i == 2 && !strcmp(argv[2], "a") && !strcmp(argv[3], "-j"),
	      "permute: after --, -j is an operand");

	argv = ARGV("unitopt", "a", "-j");
	i = parse(&bb_applet_unitopt, argv);
	CHECK(!bb_opts.json && i == 1, "no permute: an option after an operand is an operand");
}

/* ---- error paths: exit status 2 and one line on stderr ---- */

struct parse_job {
	const struct bb_applet *app;
	char **argv;
};

static void parse_in_child(void *arg)
{
	struct parse_job *j = arg;

	parse(j->app, j->argv);
}

static void bad_args(const struct bb_applet *app, char **argv, const char *want, const char *bug)
{
	struct parse_job j = { app, argv };
	struct unit_child c;
	char prefix[32], what[160];
	int i, n = 0;

	for (i = 1; argv[i]; i++)
		n += snprintf(what + n, sizeof(what) - n, " %s", argv[i]);
	unit_run_child(parse_in_child, &j, &c);
	snprintf(prefix, sizeof(prefix), "%s: ", app->name);
	if (!unit_check(c.status == 2 && unit_count_lines(c.err) == 1 &&
			!strncmp(c.err, prefix, strlen(prefix)) && strstr(c.err, want),
			bug, __FILE__, __LINE__, "%s%s: exit 2, one line with '%s'",
			app->name, what, want))
		unit_diag("status %d, stderr: %s", c.status, c.err);
	unit_child_free(&c);
}

static void test_errors(void)
{
	const struct bb_applet *a = &bb_applet_unitopt;

	bad_args(a, ARGV("unitopt", "--bogus"), "unknown option --bogus", NULL);
	bad_args(a, ARGV("unitopt", "-x"), "unknown option -x", NULL);
	bad_args(a, ARGV("unitopt", "-fx"), "unknown option -x", NULL);
	bad_args(a, ARGV("unitopt", "--flag=1"), "option", NULL);
	bad_args(a, ARGV("unitopt", "-N"), "missing value for option -N", NULL);
	bad_args(a, ARGV("unitopt", "--name"), "missing value", NULL);
	bad_args(a, ARGV("unitopt", "--level"), "missing value for option --level", NULL);
	bad_args(a, ARGV("unitopt", "--level", "bad"), "--level: bad value 'bad'", NULL);
	bad_args(a, ARGV("unitopt", "--duration", "-1"), "--duration: '-1' is not a duration",
		 NULL);
	bad_args(a, ARGV("unitopt", "-d", "abc"), "'abc' is not a duration", NULL);
	bad_args(a, ARGV("unitopt", "--interval", "1h"), "--interval: '1h'", NULL);
	bad_args(a, ARGV("unitopt", "-n", "-1"), "--top: '-1' is not a number", NULL);
	bad_args(a, ARGV("unitopt", "--top", "1000001"), "--top", NULL);
	bad_args(a, ARGV("unitopt", "--buffer-size", "1k"), "--buffer-size: '1k'", NULL);
	bad_args(a, ARGV("unitopt", "--buffer-size", "x"), "--buffer-size", NULL);
	bad_args(a, ARGV("unitopt", "--pid", "1"), "unknown option --pid", NULL);
	bad_args(a, ARGV("unitopt", "--duration", "nan"), "not a duration", NULL);
	bad_args(&bb_applet_unitbare, ARGV("unitbare", "--json"), "unknown option --json", NULL);
	bad_args(&bb_applet_unitbare, ARGV("unitbare", "-f"), "unknown option -f", NULL);
}

static void test_help(void)
{
	struct parse_job j = { &bb_applet_unitopt, ARGV("unitopt", "-f", "--help", "--bogus") };
	struct unit_child c;

	unit_run_child(parse_in_child, &j, &c);
	CHECK_U64(c.status, 0, "--help exits 0 (before a later bad option)");
	CHECK(!strncmp(c.out, "Usage: unitopt [OPTIONS] [-- CMD [ARGS]]\n", 41),
	      "--help: usage line first");
	CHECK_CONTAINS(c.out, "-f, --flag", "--help lists an applet flag");
	CHECK_CONTAINS(c.out, "    --level LEVEL", "--help lists a long-only option, its value");
	CHECK_CONTAINS(c.out, "-j, --json", "--help lists the output group");
	CHECK_CONTAINS(c.out, "--buffer-size SIZE", "--help lists the BPF group");
	CHECK(!strstr(c.out, "--pid") && !strstr(c.out, "--netns"),
	      "--help leaves out groups the applet did not ask for");
	CHECK_U64(c.err[0], 0, "--help: nothing on stderr");
	unit_child_free(&c);

	j.app = &bb_applet_unitbare;
	j.argv = ARGV("unitbare", "-h");
	unit_run_child(parse_in_child, &j, &c);
	CHECK(c.status == 0 && !strncmp(c.out, "Usage: unitbare [OPTIONS]\n", 26) &&
	      strstr(c.out, "-h, --help") && !strstr(c.out, "--json"),
	      "-h on an applet with only the always-there options");
	unit_child_free(&c);
}

int main(void)
{
	defaults = bb_opts;
	test_parse_uint();
	test_parse_seconds();
	test_parse_size();
	test_defaults();
	test_common();
	test_applet_options();
	test_permute();
	test_errors();
	test_help();
	return unit_done();
}
