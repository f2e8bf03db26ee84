// SPDX-License-Identifier: GPL-2.0
/*
 * The DWARF reader (common/dwarf.c, through elfsyms.h): a program built
 * here by gcc and clang, DWARF 4 and 5, compressed or not, looked up at
 * its call sites; addr2line -i -f (llvm-addr2line for clang's) is the
 * oracle.  Then the same program with a section cut short or overwritten
 * (0xff, pseudo-random bytes of a fixed seed): no crash, an answer in bounds.
 */
#include "unit.h"
#include "bpfbox.h"
#include "dwarf.h"
#include "elfsyms.h"

static char src[PATH_MAX];

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

/* The program's two call sites (return address - 1). */
static int call_sites(const char *bin, unsigned long long *pc)
{
	char line[64];
	FILE *p = popen(bin, "r");
	int n = 0;

	while (p && n < 2 && fgets(line, sizeof(line), p))
		pc[n++] = strtoull(line, NULL, 16) - 1;
	if (p)
		pclose(p);
	return n;
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

/* A section of @bin cut to half, or overwritten: answers within bounds. */
static void damaged(const char *bin, const unsigned long long *pc, const char *sec, int how)
{
	char cmd[16 * PATH_MAX], edit[2 * PATH_MAX], part[PATH_MAX], bad[PATH_MAX], got[2048];
	snprintf(part, sizeof(part), "%s/part", unit_tmpdir());
	snprintf(bad, sizeof(bad), "%s/bad-%s-%d", unit_tmpdir(), sec + 1, how);
	snprintf(edit, sizeof(edit), how == 0 ? "truncate -s $((n / 2)) %s" :
		 how == 1 ? "head -c $n /dev/zero | tr '\\0' '\\377' >%s" :
		 "python3 -c 'import random, sys; random.seed(1); "
		 "sys.stdout.buffer.write(random.randbytes(int(sys.argv[1])))' $n >%s", part);
	snprintf(cmd, sizeof(cmd),
		 "objcopy --dump-section %s=%s %s %s.junk && n=$(stat -c %%s %s) && %s && "
		 "objcopy --update-section %s=%s %s %s", sec, part, bin, part, part, edit,
		 sec, part, bin, bad);
	if (!sh(cmd))
		return;		/* no such section in this build */
	ours(bad, pc[0], got, sizeof(got));
	ours(bad, pc[1], got, sizeof(got));
	CHECK(strlen(got) < sizeof(got) - 1, "%s %s: no crash, an answer in bounds",
	      sec, how == 0 ? "cut in half" : how == 1 ? "all 0xff" : "pseudo-random (seed 1)");
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

	snprintf(bin, sizeof(bin), "%s/fx-gcc-g_-gdwarf-5", unit_tmpdir());
	if (call_sites(bin, pc) == 2)
		for (i = 0; i < ARRAY_SIZE(secs); i++)
			for (how = 0; how < 3; how++)
				damaged(bin, pc, secs[i], how);
	return unit_done();
}
