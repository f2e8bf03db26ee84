// SPDX-License-Identifier: GPL-2.0
/*
 * The DWARF reader (common/dwarf.c, through elfsyms.h): a program built
 * here by gcc and clang, DWARF 4 and 5, compressed or not, looked up at
 * its call sites; addr2line -i -f (llvm-addr2line for clang's) is the
 * oracle.  Then the same program with a section cut short or overwritten
 * (0xff, pseudo-random bytes of a fixed seed): no crash, an answer in bounds.
 */
#include <stdarg.h>
#include "unit.h"
#include "bpfbox.h"
#include "dwarf.h"
#include "elfsyms.h"

static char src[PATH_MAX], dwz_dir[PATH_MAX];

static bool sh(const char *cmd)
{
	char full[4096];

	snprintf(full, sizeof(full), "(%s) >/dev/null 2>&1", cmd);
	return !system(full);
}

/* Our answer as "fn file:line|fn file:line...". */
static void ours(const char *bin, unsigned long long pc, char *buf, size_t len)
{
	struct bb_srcline l[8];
	struct bb_elfsyms *e = bb_elfsyms_open(bin);
	size_t at = 0;
	int n = 0, i;

	*buf = 0;
	if (e && !bb_elfsyms_load(e, bin, NULL))
		n = bb_elfsyms_lines(e, pc, l, 8);
	for (i = 0; i < n && at < len; i++)
		at += snprintf(buf + at, len - at, "%s%s %s:%u", i ? "|" : "",
			       l[i].name ? l[i].name : "??", l[i].file ? l[i].file : "??", l[i].line);
	bb_elfsyms_put(e);
}

/* The oracle's, in the same shape. */
static void theirs(const char *a2l, const char *bin, unsigned long long pc, char *buf, size_t len)
{
	char cmd[PATH_MAX + 128], line[1024];
	size_t at = 0;
	int i = 0;
	FILE *p;

	*buf = 0;
	snprintf(cmd, sizeof(cmd), "%s -i -f -s -e %s 0x%llx", a2l, bin, pc);
	p = popen(cmd, "r");
	while (p && fgets(line, sizeof(line), p) && at < len) {
		line[strcspn(line, "\n")] = 0;
		line[strcspn(line, " ")] = 0;	/* " (discriminator 1)" */
		at += snprintf(buf + at, len - at, "%s%s", i % 2 ? " " : i ? "|" : "", line);
		i++;
	}
	if (p)
		pclose(p);
}

/* The program's call sites (return address - 1), @max at most. */
static int call_sites_n(const char *bin, unsigned long long *pc, int max)
{
	char line[64];
	FILE *p = popen(bin, "r");
	int n = 0;

	while (p && n < max && fgets(line, sizeof(line), p))
		pc[n++] = strtoull(line, NULL, 16) - 1;
	if (p)
		pclose(p);
	return n;
}

/* The fixture's two call sites. */
static int call_sites(const char *bin, unsigned long long *pc)
{
	return call_sites_n(bin, pc, 2);
}

static void variant(const char *cc, const char *flags, const char *a2l)
{
	char bin[PATH_MAX], cmd[3 * PATH_MAX], got[2048], want[2048];
	unsigned long long pc[2];
	int i;

	snprintf(bin, sizeof(bin), "%s/fx-%s%s", unit_tmpdir(), cc, flags);
	for (char *p = bin + strlen(unit_tmpdir()); *p; p++)
		if (*p == ' ' || *p == '=')
			*p = '_';
	snprintf(cmd, sizeof(cmd), "%s -O2 %s -fno-pie -no-pie -o %s %s", cc, flags, bin, src);
	if (!CHECK(sh(cmd), "%s %s builds", cc, flags) ||
	    !CHECK(call_sites(bin, pc) == 2, "%s %s: its two call sites", cc, flags))
		return;
	for (i = 0; i < 2; i++) {
		ours(bin, pc[i], got, sizeof(got));
		theirs(a2l, bin, pc[i], want, sizeof(want));
		CHECK(!strcmp(got, want) && *got, "%s %s, call %d: '%s' (%s: '%s')", cc, flags, i,
		      got, a2l, want);
	}
	/* The first goes through the two inlined functions. */
	ours(bin, pc[0], got, sizeof(got));
	CHECK(!strncmp(got, "inner ", 6) && strstr(got, "|middle ") && strstr(got, "|caller "),
	      "%s %s: inner and middle inlined into caller", cc, flags);
}

static const char *const damages[] = {
	"cut in half", "all 0xff", "pseudo-random (seed 1)"
};

/* @bad: @bin with section @sec cut to half (@how 0) or overwritten;
 * false when @bin has no such section. */
static bool damage(const char *bin, const char *sec, int how, const char *bad)
{
	char cmd[16 * PATH_MAX], edit[2 * PATH_MAX], part[PATH_MAX];

	snprintf(part, sizeof(part), "%s/part", unit_tmpdir());
	snprintf(edit, sizeof(edit), how == 0 ? "truncate -s $((n / 2)) %s" :
		 how == 1 ? "head -c $n /dev/zero | tr '\\0' '\\377' >%s" :
		 "python3 -c 'import random, sys; random.seed(1); "
		 "sys.stdout.buffer.write(random.randbytes(int(sys.argv[1])))' $n >%s", part);
	snprintf(cmd, sizeof(cmd),
		 "objcopy --dump-section %s=%s %s %s.junk && n=$(stat -c %%s %s) && %s && "
		 "objcopy --update-section %s=%s %s %s", sec, part, bin, part, part, edit,
		 sec, part, bin, bad);
	return sh(cmd);
}

/* A section of @bin damaged: answers within bounds. */
static void damaged(const char *bin, const unsigned long long *pc, const char *sec, int how)
{
	char bad[PATH_MAX], got[2048];

	snprintf(bad, sizeof(bad), "%s/bad-%s-%d", unit_tmpdir(), sec + 1, how);
	if (!damage(bin, sec, how, bad))
		return;		/* no such section in this build */
	ours(bad, pc[0], got, sizeof(got));
	ours(bad, pc[1], got, sizeof(got));
	CHECK(strlen(got) < sizeof(got) - 1, "%s %s: no crash, an answer in bounds",
	      sec, damages[how]);
}


/* ---- dwz ------------------------------------------------------------------------- */

/*
 * tests/unit/fixtures/dwz/: inner() and middle(), always_inline, in a
 * header two units include, so that dwz moves their abstract instances to
 * a partial unit: of the same file, or of the alt file two programs share.
 * dwz leaves the code as it was: the oracle is addr2line -i -f on the
 * program before dwz (binutils 2.40 itself reads these files wrong: it
 * fails on the alt file's references and names the single file's inlined
 * calls after their caller).  In the temporary directory: a4, b4 (two
 * programs of the same units in another order), a5, b5.
 */
static bool __attribute__((format(printf, 1, 2))) run(const char *fmt, ...)
{
	char cmd[8 * PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return sh(cmd);
}

/* Every call site of @bin (three) as @a2l says of @orig. */
static void dwz_same(const char *a2l, const char *bin, const char *orig, const char *what)
{
	char b[PATH_MAX], o[PATH_MAX], got[2048], want[2048];
	unsigned long long pc[3];
	int i;

	snprintf(b, sizeof(b), "%s/%s", unit_tmpdir(), bin);
	snprintf(o, sizeof(o), "%s/%s", unit_tmpdir(), orig);
	if (!CHECK(call_sites_n(b, pc, 3) == 3, "%s: its three call sites", what))
		return;
	for (i = 0; i < 3; i++) {
		ours(b, pc[i], got, sizeof(got));
		theirs(a2l, o, pc[i], want, sizeof(want));
		CHECK(!strcmp(got, want) && *got, "%s, call %d: '%s' (%s before dwz: '%s')",
		      what, i, got, a2l, want);
	}
	ours(b, pc[1], got, sizeof(got));
	CHECK(!strncmp(got, "inner ", 6) && strstr(got, "|middle ") && strstr(got, "|caller_two "),
	      "%s: inner and middle inlined into caller_two ('%s')", what, got);
}

/* @file (in the temporary directory) has inner()'s abstract instance in a
 * partial unit. */
static bool inner_in_partial_unit(const char *file)
{
	return run("readelf --debug-dump=info %s/%s 2>/dev/null | awk '"
		   "/DW_TAG_compile_unit/ { pu = 0 } /DW_TAG_partial_unit/ { pu = 1 } "
		   "/DW_AT_name.*: inner$/ && pu { found = 1 } END { exit !found }'",
		   unit_tmpdir(), file);
}

/* @file moved to the debug directory @dir, named by its build-id (@sup:
 * by its .debug_sup checksum, which dwz -5 writes in place of a note). */
static bool by_build_id(const char *file, const char *dir, bool sup)
{
	const char *id = sup ? "readelf -x .debug_sup \"$f\" | awk '/^  0x/ { for (i = 2; i <= 5; i++) "
			       "printf \"%s\", $i }' | cut -c11-50" :
			       "readelf -n \"$f\" | sed -n 's/.*Build ID: //p'";

	return run("cd %s && f=%s && id=$(%s) && [ ${#id} = 40 ] && d=%s/.build-id/${id%%${id#??}} "
		   "&& mkdir -p $d && mv \"$f\" $d/${id#??}.debug", unit_tmpdir(), file, id, dir);
}

/* Single-file dwz: partial and imported units in the object itself. */
static void dwz_single(int v)
{
	char what[64], file[16];

	snprintf(what, sizeof(what), "dwz, gcc DWARF %d, in the file", v);
	snprintf(file, sizeof(file), "s%d", v);
	if (!CHECK(run("cd %s && cp a%d s%d && dwz s%d", unit_tmpdir(), v, v, v), "%s: dwz", what))
		return;
	CHECK(inner_in_partial_unit(file), "%s: inner() in a partial unit", what);
	dwz_same("addr2line", file, v == 4 ? "a4" : "a5", what);
}

/*
 * dwz -m: a4 and b4 (or a5, b5; clang's ca4, cb4 when @cc is "c") copied
 * to @dir share @dir/common.debug, named by its absolute path or
 * (@relative, -r) from theirs, in .gnu_debugaltlink, or in .debug_sup
 * (@sup, -5: DW_FORM_ref_sup4, strp_sup).
 */
static void dwz_multi(const char *dir, const char *cc, int v, bool relative, bool sup)
{
	const char *t = unit_tmpdir(), *link = sup ? ".debug_sup" : ".gnu_debugaltlink";
	const char *a2l = *cc ? "llvm-addr2line" : "addr2line";
	char what[64], file[PATH_MAX], orig[8], opt[PATH_MAX];

	snprintf(what, sizeof(what), "dwz -m%s%s, %s DWARF %d", relative ? " -r" : "",
		 sup ? " -5" : "", *cc ? "clang" : "gcc", v);
	if (relative)
		snprintf(opt, sizeof(opt), "-r");
	else
		snprintf(opt, sizeof(opt), "-M %s/%s/common.debug", t, dir);
	if (!CHECK(run("cd %s && mkdir %s && cp %sa%d %sb%d %s/ && cd %s && "
		       "dwz -m common.debug %s %s %sa%d %sb%d", t, dir, cc, v, cc, v, dir, dir,
		       sup ? "-5" : "", opt, cc, v, cc, v), "%s: dwz", what))
		return;
	snprintf(file, sizeof(file), "%s/common.debug", dir);
	CHECK(inner_in_partial_unit(file), "%s: inner() in the alt file's partial unit", what);
	snprintf(file, sizeof(file), "%s/%sa%d", dir, cc, v);
	CHECK(run("readelf -S %s/%s | grep -q ' %s '", t, file, link), "%s: the link is in %s",
	      what, link);
	snprintf(orig, sizeof(orig), "%sa%d", cc, v);
	dwz_same(a2l, file, orig, what);
	snprintf(file, sizeof(file), "%s/%sb%d", dir, cc, v);
	snprintf(orig, sizeof(orig), "%sb%d", cc, v);
	dwz_same(a2l, file, orig, what);
}

/* "fn file:line|fn file:line" without the functions' names. */
static void lines_only(const char *in, char *out, size_t len)
{
	size_t at = 0;

	while (*in && at + 1 < len) {
		in += strcspn(in, " |");
		while (*in && *in != '|' && at + 1 < len)
			out[at++] = *in++;
		if (*in == '|')
			out[at++] = *in++;
	}
	out[at] = 0;
}

/*
 * A stripped program whose dwz'd debug file is found by build-id under the
 * debug directory, and the alt file (named /usr/lib/debug/.dwz/...) in that
 * directory's .dwz/, else by its build-id there.  Then the alt file gone,
 * another in its place, and damaged: the lines stay, the names it held go,
 * no crash.
 */
static void dwz_debug_dir(int v, bool sup)
{
	static const char *const secs[] = { ".debug_info", ".debug_abbrev", ".debug_str" };
	const char *t = unit_tmpdir(), *base = strrchr(t, '/') + 1;
	char what[64], dbg[PATH_MAX], alt[2 * PATH_MAX], good[PATH_MAX], bin[PATH_MAX];
	char got[2048], want[2048], a[2048], b[2048];
	unsigned long long pc[3];
	size_t i;
	int how;

	snprintf(what, sizeof(what), "dwz -m%s, gcc DWARF %d, stripped", sup ? " -5" : "", v);
	snprintf(dbg, sizeof(dbg), "%s/dbg%d", t, v);
	snprintf(alt, sizeof(alt), "%s/.dwz/%s/common.debug", dbg, base);
	if (!CHECK(run("cd %s && mkdir -p d%d %s && cp a%d b%d d%d/ && cd d%d && "
		       "dwz -m common.debug %s -M /usr/lib/debug/.dwz/%s/common.debug a%d b%d && "
		       "objcopy --only-keep-debug a%d a%d.debug && strip a%d",
		       t, v, dbg, v, v, v, v, sup ? "-5" : "", base, v, v,
		       v, v, v), "%s: dwz, strip", what))
		return;
	snprintf(bin, sizeof(bin), "d%d/a%d.debug", v, v);
	CHECK(by_build_id(bin, dbg, false), "%s: the debug file by build-id", what);
	bb_elf_set_debug_dir(dbg);
	snprintf(good, sizeof(good), "%s/d%d/common.debug", t, v);
	/* GNU: where the link says, under the debug directory; -5: by build-id. */
	if (sup) {
		snprintf(bin, sizeof(bin), "d%d/common.debug", v);
		CHECK(run("cp %s %s.keep", good, good) && by_build_id(bin, dbg, true),
		      "%s: the alt file by its build-id", what);
		snprintf(good + strlen(good), sizeof(good) - strlen(good), ".keep");
	} else {
		CHECK(run("mkdir -p $(dirname %s) && cp %s %s", alt, good, alt),
		      "%s: the alt file in the debug directory's .dwz/", what);
	}
	snprintf(bin, sizeof(bin), "d%d/a%d", v, v);
	dwz_same("addr2line", bin, v == 4 ? "a4" : "a5", what);

	snprintf(bin, sizeof(bin), "%s/d%d/a%d", t, v, v);
	snprintf(b, sizeof(b), "%s/a%d", t, v);
	if (!sup && call_sites_n(bin, pc, 3) == 3) {
		theirs("addr2line", b, pc[1], want, sizeof(want));
		lines_only(want, b, sizeof(b));
		/* Another dwz run's alt file in its place (another build-id), then none. */
		for (i = 0; i < 2; i++) {
			if (i)
				run("rm -f %s", alt);
			else
				run("cp %s/m5/common.debug %s", t, alt);
			ours(bin, pc[1], got, sizeof(got));
			lines_only(got, a, sizeof(a));
			CHECK(!strncmp(got, "?? ", 3) && !strcmp(a, b), "%s, %s: lines '%s', "
			      "no names from it ('%s')", what, i ? "no alt file" : "another alt file",
			      a, got);
		}
		for (i = 0; i < ARRAY_SIZE(secs); i++) {
			for (how = 0; how < 3; how++) {
				if (!damage(good, secs[i], how, alt))
					continue;
				ours(bin, pc[0], got, sizeof(got));
				ours(bin, pc[1], got, sizeof(got));
				CHECK(strlen(got) < sizeof(got) - 1, "%s, the alt file's %s %s: "
				      "no crash, an answer in bounds", what, secs[i], damages[how]);
			}
		}
	}
	bb_elf_set_debug_dir("/usr/lib/debug");
}

/* Each dwz mode on the fixture, DWARF 4 and 5. */
static void dwz_all(void)
{
	int v;

	if (!sh("command -v dwz")) {
		printf("ok - dwz missing (tests/run-e2e-stacks.sh installs it): skipped # SKIP\n");
		return;
	}
	if (!CHECK(realpath("tests/unit/fixtures/dwz", dwz_dir), "tests/unit/fixtures/dwz"))
		return;
	for (v = 4; v <= 5; v++) {
		if (!CHECK(run("cd %s && gcc -O2 -g -gdwarf-%d -fno-pie -no-pie -o %s/a%d main.c "
			       "one.c two.c && gcc -O2 -g -gdwarf-%d -fno-pie -no-pie -o %s/b%d "
			       "two.c main.c one.c", dwz_dir, v, unit_tmpdir(), v, v,
			       unit_tmpdir(), v), "dwz fixture builds, DWARF %d", v))
			continue;
		dwz_single(v);
		dwz_multi(v == 4 ? "m4" : "m5", "", v, false, false);
		dwz_multi(v == 4 ? "r4" : "r5", "", v, true, false);
		if (v == 5)
			dwz_multi("x5", "", v, false, true);
	}
	/* clang: DWARF 4 only (dwz 0.15 stops at clang's DWARF 5 .debug_addr). */
	if (!sh("command -v clang && command -v llvm-addr2line"))
		printf("ok - clang or llvm-addr2line missing: clang's dwz skipped # SKIP\n");
	else if (CHECK(run("cd %s && clang -O2 -g -gdwarf-4 -fno-pie -no-pie -o %s/ca4 main.c "
			   "one.c two.c && clang -O2 -g -gdwarf-4 -fno-pie -no-pie -o %s/cb4 two.c "
			   "main.c one.c", dwz_dir, unit_tmpdir(), unit_tmpdir()),
		       "dwz fixture builds, clang DWARF 4"))
		dwz_multi("c4", "c", 4, false, false);
	dwz_debug_dir(4, false);
	dwz_debug_dir(5, true);
}

int main(void)
{
	static const char *const secs[] = { ".debug_info", ".debug_abbrev", ".debug_line",
					    ".debug_line_str", ".debug_rnglists" };
	char bin[PATH_MAX], cmd[3 * PATH_MAX], got[64];
	unsigned long long pc[2];
	bool clang, llvm;
	size_t i;
	int how;

	if (!realpath("tests/unit/fixtures/dwarf_fixture.c", src)) {
		CHECK(0, "tests/unit/fixtures/dwarf_fixture.c (run from the tree's top)");
		return unit_done();
	}
	variant("gcc", "-g -gdwarf-4", "addr2line");
	variant("gcc", "-g -gdwarf-5", "addr2line");
	variant("gcc", "-g -gdwarf-5 -gz", "addr2line");
	clang = sh("command -v clang");
	llvm = sh("command -v llvm-addr2line");
	if (clang && llvm) {
		/* clang's DWARF 5: addrx, strx, rnglistx forms. */
		variant("clang", "-g -gdwarf-4", "llvm-addr2line");
		variant("clang", "-g -gdwarf-5", "llvm-addr2line");
	} else {
		printf("ok - clang or llvm-addr2line missing: their builds skipped # SKIP\n");
	}

	/* Without debug information: nothing. */
	snprintf(bin, sizeof(bin), "%s/fx-g0", unit_tmpdir());
	snprintf(cmd, sizeof(cmd), "gcc -O2 -g0 -fno-pie -no-pie -o %s %s", bin, src);
	if (CHECK(sh(cmd) && call_sites(bin, pc) == 2, "gcc -g0 builds")) {
		ours(bin, pc[0], got, sizeof(got));
		CHECK(!*got, "-g0: no source line ('%s')", got);
	}

	dwz_all();

	snprintf(bin, sizeof(bin), "%s/fx-gcc-g_-gdwarf-5", unit_tmpdir());
	if (call_sites(bin, pc) == 2)
		for (i = 0; i < ARRAY_SIZE(secs); i++)
			for (how = 0; how < 3; how++)
				damaged(bin, pc, secs[i], how);
	return unit_done();
}
