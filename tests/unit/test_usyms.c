// SPDX-License-Identifier: GPL-2.0
/*
 * User-space symbolizer (common/usyms.c, common/elfsyms.c): real processes
 * built here with gcc from tests/unit/fixtures/ (PIE, -no-pie, a shared
 * library, stripped, with separate debug files, deleted, replaced, a JIT's
 * perf map), looked at alive and after they exit; malformed ELF files.
 */
#include "unit.h"
#include <signal.h>
#include <sys/utsname.h>
#include "bpfbox.h"
#include "elfsyms.h"
#include "usyms.h"

static char fixtures[PATH_MAX + 32];	/* tests/unit/fixtures */
static const char *dir;		/* where the fixtures are built */
static bool have_static;

/* ---- building ------------------------------------------------------------ */

/* Runs a shell command; false (and its output shown) when it fails. */
static __attribute__((format(printf, 1, 2))) bool sh(const char *fmt, ...)
{
	char cmd[4096], *log = unit_path("sh.log"), *full, *out;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (asprintf(&full, "(%s) >%s 2>&1", cmd, log) < 0)
		abort();
	rc = system(full);
	if (rc) {
		out = unit_read_file(log, NULL);
		unit_diag("command failed (%d): %s", rc, cmd);
		unit_diag("%.400s", out ? out : "");
		free(out);
	}
	free(full);
	free(log);
	return !rc;
}

/* The sources: relative to the tree (run-unit.sh runs us from its top),
 * else found from build/tests/test_usyms. */
static bool find_fixtures(void)
{
	char self[PATH_MAX], *p;
	ssize_t n;
	int up;

	if (realpath("tests/unit/fixtures/usyms_fixture.c", self)) {
		*strrchr(self, '/') = 0;
		snprintf(fixtures, sizeof(fixtures), "%s", self);
		return true;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return false;
	self[n] = 0;
	for (up = 0; up < 3 && (p = strrchr(self, '/')); up++)
		*p = 0;
	snprintf(fixtures, sizeof(fixtures), "%s/tests/unit/fixtures", self);
	return !access(fixtures, R_OK);
}

#define CC "gcc -O1 -g -Wall -Wl,--build-id "
#define EXE_LIBS "-L%s -lfixlib -Wl,-rpath,'$ORIGIN' -lpthread"

/* fixture @name: @flags, linked with the library next to it. */
static bool build_exe(const char *name, const char *flags)
{
	return sh(CC "%s -o %s/%s %s/usyms_fixture.c " EXE_LIBS, flags, dir, name, fixtures, dir);
}

static bool build_all(void)
{
	bool ok = true;

	ok &= sh(CC "-shared -fPIC -Wl,-Bsymbolic -o %s/libfixlib.so %s/usyms_fixlib.c", dir, fixtures);
	ok &= sh(CC "-shared -fPIC -DDL_LIB -o %s/libfixdl.so %s/usyms_fixlib.c", dir, fixtures);
	/* The decoy: the same layout, other names. */
	ok &= sh(CC "-shared -fPIC -Wl,-Bsymbolic -Dfixlib_gamma=decoy_gamma "
		 "-Dfixlib_counter=decoy_counter -Dfixlib_bigbss=decoy_bigbss "
		 "-o %s/libdecoy.so %s/usyms_fixlib.c", dir, fixtures);
	ok &= build_exe("fixture_pie", "-fPIE -pie");
	ok &= build_exe("fixture_nopie", "-fno-pie -no-pie");
	ok &= build_exe("fixture_decoy", "-fPIE -pie -Dfixture_alpha=decoy_alpha "
			"-Dfixture_beta=decoy_beta -Dfixture_static_fn=decoy_static_fn "
			"-Dfixture_global_counter=decoy_global_counter");
	/* strip --strip-all, fixture_alpha alone in .dynsym */
	ok &= build_exe("fixture_strip.full", "-fPIE -pie -Wl,--export-dynamic-symbol=fixture_alpha");
	ok &= sh("strip --strip-all -o %s/fixture_strip %s/fixture_strip.full", dir, dir);
	/* Separate debug files: next to it, in .debug/, under the debug
	 * directory, by build id, and one whose CRC is wrong. */
	ok &= build_exe("fixture_dbg.full", "-fPIE -pie -DVARIANT='\"dbg\"'");
	ok &= build_exe("fixture_dbg2.full", "-fPIE -pie -DVARIANT='\"dbg2\"'");
	ok &= build_exe("fixture_dbg3.full", "-fPIE -pie -DVARIANT='\"dbg3\"'");
	ok &= build_exe("fixture_bid.full", "-fPIE -pie -DVARIANT='\"bid\"'");
	ok &= build_exe("fixture_badcrc.full", "-fPIE -pie -DVARIANT='\"badcrc\"'");
	ok &= sh("cd %s && mkdir -p .debug debug%s && "
		 "for f in dbg dbg2 dbg3 badcrc; do "
		 "objcopy --only-keep-debug fixture_$f.full fixture_$f.debug && "
		 "objcopy --strip-all --add-gnu-debuglink=fixture_$f.debug fixture_$f.full fixture_$f; "
		 "done && mv fixture_dbg2.debug .debug/ && mv fixture_dbg3.debug debug%s/ && "
		 "printf x >>fixture_badcrc.debug && "
		 "objcopy --only-keep-debug fixture_bid.full fixture_bid.debug && "
		 "objcopy --strip-all fixture_bid.full fixture_bid && "
		 "id=$(readelf -n fixture_bid | sed -n 's/.*Build ID: *//p') && "
		 "mkdir -p debug/.build-id/${id%%${id#??}} && "
		 "mv fixture_bid.debug debug/.build-id/${id%%${id#??}}/${id#??}.debug",
		 dir, dir, dir);
	have_static = sh("gcc -O1 -static -DSTATIC_FIXTURE -o %s/fixture_static "
			 "%s/usyms_fixture.c -lpthread", dir, fixtures);
	if (!have_static)
		unit_diag("no static glibc: the -static fixture is left out");
	return ok;
}

/* ---- running fixtures ------------------------------------------------------ */

struct proc {
	pid_t pid;
	int in;			/* its stdin */
	FILE *out;		/* its stdout */
	struct {
		char key[16];
		unsigned long long val;
	} vals[32];
	int nr;
};

static pid_t running[64];
static int nr_running;

static void kill_running(void)
{
	int i;

	for (i = 0; i < nr_running; i++)
		if (running[i] > 0)
			kill(running[i], SIGKILL);
}

/* Reads "key 0x..." lines up to "ready". */
static bool read_values(struct proc *p)
{
	char line[256], key[16];
	unsigned long long v;

	while (fgets(line, sizeof(line), p->out)) {
		if (!strcmp(line, "ready\n"))
			return true;
		if (sscanf(line, "%15s %llx", key, &v) == 2 && p->nr < 32) {
			snprintf(p->vals[p->nr].key, sizeof(p->vals[0].key), "%s", key);
			p->vals[p->nr++].val = v;
		}
	}
	return false;
}

static unsigned long long val(const struct proc *p, const char *key)
{
	int i;

	for (i = p->nr - 1; i >= 0; i--)
		if (!strcmp(p->vals[i].key, key))
			return p->vals[i].val;
	unit_diag("the fixture printed no \"%s\"", key);
	return 0;
}

static bool spawn(struct proc *p, const char *exe, const char *arg)
{
	int in[2], out[2];

	memset(p, 0, sizeof(*p));
	if (pipe(in) || pipe(out))
		abort();
	fflush(stdout);
	p->pid = fork();
	if (p->pid < 0)
		abort();
	if (!p->pid) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execl(exe, exe, arg, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	p->in = in[1];
	p->out = fdopen(out[0], "r");
	if (nr_running < 64)
		running[nr_running++] = p->pid;
	if (read_values(p))
		return true;
	unit_diag("%s did not start", exe);
	return false;
}

/* Sends a command and waits for its "ready". */
static bool command(struct proc *p, char c)
{
	return write(p->in, &c, 1) == 1 && read_values(p);
}

static void reap(struct proc *p)
{
	int i;

	if (p->pid <= 0)
		return;
	kill(p->pid, SIGKILL);
	waitpid(p->pid, NULL, 0);
	for (i = 0; i < nr_running; i++)
		if (running[i] == p->pid)
			running[i] = 0;
	close(p->in);
	fclose(p->out);
	p->pid = 0;
}

static char *fixture(const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, name) < 0)
		abort();
	return p;
}

/* ---- checking lookups ------------------------------------------------------ */

/* What a lookup found, in the shape of bb_usyms_format, from the fields. */
static void describe(int rc, const struct bb_usym *s, unsigned long long addr, char *buf,
		     size_t len)
{
	if (rc < 0)
		snprintf(buf, len, "unmapped 0x%llx%s", addr, s->name || s->module ? " (+junk)" : "");
	else if (s->name)
		snprintf(buf, len, "%s+0x%llx (%s)", s->name, s->offset,
			 s->module ? s->module : "-");
	else if (s->module)
		snprintf(buf, len, "%s+0x%llx", s->module, s->module_offset);
	else
		snprintf(buf, len, "anon 0x%llx", s->module_offset);
}

static bool expect(struct bb_usyms *u, unsigned long long addr, bool data, const char *want,
		   const char *what)
{
	char got[256];
	struct bb_usym s;
	int rc = data ? bb_usyms_lookup_data(u, addr, &s) : bb_usyms_lookup(u, addr, &s);

	describe(rc, &s, addr, got, sizeof(got));
	return CHECK_STR(got, want, "%s", what);
}

/* A function's file offset as bb_elf_func_offset says. */
static unsigned long long func_offset(const char *file, const char *name)
{
	unsigned long long off = 0;

	if (bb_elf_func_offset(file, name, &off))
		unit_diag("bb_elf_func_offset(%s, %s) failed", file, name);
	return off;
}

/* The checks for a fixture built from usyms_fixture.c with its library,
 * every name known (.symtab or a debug file). */
static void check_exe(struct bb_usyms *u, const struct proc *p, const char *name,
		      const char *tag)
{
	unsigned long long alpha = val(p, "alpha"), sized = val(p, "sized");
	char want[256], what[256];
	struct bb_usym s;

#define EXPECT(label, addr, data, ...) do {					\
		snprintf(want, sizeof(want), __VA_ARGS__);			\
		snprintf(what, sizeof(what), "%s: %s", tag, label);		\
		expect(u, addr, data, want, what);				\
	} while (0)

	EXPECT("function", alpha, false, "fixture_alpha+0x0 (%s)", name);
	EXPECT("function+3", alpha + 3, false, "fixture_alpha+0x3 (%s)", name);
	EXPECT("another function", val(p, "beta"), false, "fixture_beta+0x0 (%s)", name);
	EXPECT("another function+9", val(p, "beta") + 9, false, "fixture_beta+0x9 (%s)", name);
	EXPECT("static function", val(p, "static"), false, "fixture_static_fn+0x0 (%s)", name);
	EXPECT("1-byte function", sized, false, "fixture_sized+0x0 (%s)", name);
	/* Past st_size, before any other symbol: the module and offset only. */
	bb_usyms_lookup(u, sized, &s);
	EXPECT("past a function's st_size: module+offset", sized + 8, false, "%s+0x%llx", name,
	       s.module_offset + 8);
	EXPECT("global int (.data)", val(p, "global"), true, "fixture_global_counter+0x0 (%s)",
	       name);
	EXPECT("global int+2", val(p, "global") + 2, true, "fixture_global_counter+0x2 (%s)",
	       name);
	EXPECT("static mutex (.bss past the file)", val(p, "mutex"), true,
	       "fixture_mutex+0x0 (%s)", name);
	EXPECT("static mutex+8", val(p, "mutex") + 8, true, "fixture_mutex+0x8 (%s)", name);
	EXPECT("1 MB .bss array+300000", val(p, "bigbss") + 300000, true,
	       "fixture_bigbss+0x493e0 (%s)", name);
	EXPECT("library function", val(p, "gamma"), false, "fixlib_gamma+0x0 (libfixlib.so)");
	EXPECT("library function+2", val(p, "gamma") + 2, false,
	       "fixlib_gamma+0x2 (libfixlib.so)");
	EXPECT("library global", val(p, "libcounter"), true,
	       "fixlib_counter+0x0 (libfixlib.so)");
	EXPECT("library .bss array+100000", val(p, "libbss") + 100000, true,
	       "fixlib_bigbss+0x186a0 (libfixlib.so)");
#undef EXPECT
}

/* module_offset is the file offset uprobes use: the same as bb_elf_func_offset's. */
static void check_module_offsets(struct bb_usyms *u, const struct proc *p, const char *exe,
				 const char *tag)
{
	char *lib = fixture("libfixlib.so");
	struct bb_usym s;

	bb_usyms_lookup(u, val(p, "alpha") + 3, &s);
	CHECK_U64(s.module_offset, func_offset(exe, "fixture_alpha") + 3,
		  "%s: module_offset of fixture_alpha+3 is its file offset", tag);
	bb_usyms_lookup(u, val(p, "gamma"), &s);
	CHECK_U64(s.module_offset, func_offset(lib, "fixlib_gamma"),
		  "%s: module_offset of fixlib_gamma is its file offset", tag);
	free(lib);
}

static void check_format(struct bb_usyms *u, const struct proc *p, const char *name,
			 const char *tag)
{
	char buf[256], want[256];

	unsigned line = 0;
	int end = 0;

	/* Built with -g: the source line of the call before the address. */
	snprintf(want, sizeof(want), "fixture_alpha+0x1 (%s) (usyms_fixture.c:", name);
	bb_usyms_format(u, val(p, "alpha") + 1, buf, sizeof(buf));
	CHECK(!strncmp(buf, want, strlen(want)) &&
	      sscanf(buf + strlen(want), "%u)%n", &line, &end) == 1 && end &&
	      !buf[strlen(want) + end] && line > 30 && line < 40,
	      "%s: format of a function, with its line: %s", tag, buf);
	bb_usyms_format_data(u, val(p, "mutex"), buf, sizeof(buf));
	snprintf(want, sizeof(want), "fixture_mutex+0x0 (%s)", name);
	CHECK_STR(buf, want, "%s: format of a data object", tag);
	bb_usyms_format(u, 0x10, buf, sizeof(buf));
	CHECK_STR(buf, "0x10", "%s: format of an unmapped address", tag);
	bb_usyms_format(u, 0xfffffffffffff000ULL, buf, 8);
	CHECK_STR(buf, "0xfffff", "%s: format truncates to the buffer", tag);
	bb_usyms_format(NULL, 0x1234, buf, sizeof(buf));
	CHECK_STR(buf, "0x1234", "%s: format without a table", tag);
}

/* Some address in the vdso has a vdso function's name, from the copy. */
static void check_vdso(struct bb_usyms *u, const struct proc *p, const char *tag)
{
	unsigned long long base = val(p, "vdso"), a;
	const char *found = NULL;
	struct bb_usym s;

	/* Up to the end of its mapping (ld.so may follow right after). */
	for (a = base; !bb_usyms_lookup(u, a, &s) && s.module && !strcmp(s.module, "[vdso]"); a++)
		if (s.name && !found)
			found = s.name;
	CHECK(a >= base + 4096, "%s: the vdso is module [vdso] (%llu bytes)", tag, a - base);
	CHECK(found && (strstr(found, "time") || strstr(found, "getcpu")),
	      "%s: vdso functions have names (%s)", tag, found ? found : "none");
}

static void check_unmapped(struct bb_usyms *u, const char *tag)
{
	struct bb_usym s = { .name = "x", .module = "y" };

	CHECK(bb_usyms_lookup(u, 0x10, &s) == -1 && !s.name && !s.module,
	      "%s: an unmapped address: -1, no name, no module", tag);
	CHECK(bb_usyms_lookup_data(u, 0x10, &s) == -1, "%s: data lookup unmapped: -1", tag);
}

/* A JIT's code described by /tmp/perf-PID.map. */
static void check_jit(struct bb_usyms *u, const struct proc *p, const char *tag)
{
	unsigned long long jit = val(p, "jit");
	char path[64], text[256], buf[256], want[64];
	struct bb_usym s;

	snprintf(path, sizeof(path), "/tmp/perf-%d.map", p->pid);
	snprintf(text, sizeof(text), "%llx 10 jitted_first\n%llx 40 jitted_fn\n%llx 20 Lua:some thing\n",
		 jit - 0x100, jit, jit + 0x100);
	unit_write_file(path, text, strlen(text));
	bb_usyms_format(u, jit + 0x10, buf, sizeof(buf));
	snprintf(want, sizeof(want), "jitted_fn+0x10 (perf-%d.map)", p->pid);
	CHECK_STR(buf, want, "%s: a perf map names JIT code in an anonymous mapping", tag);
	bb_usyms_format(u, jit + 0x105, buf, sizeof(buf));
	CHECK_CONTAINS(buf, "Lua:some thing+0x5", "%s: perf map names may hold blanks", tag);
	CHECK(!bb_usyms_lookup(u, jit + 0x80, &s) && !s.name && !s.module &&
	      s.module_offset == 0x80, "%s: past a JIT symbol's size: anonymous, no name", tag);
	CHECK(!bb_usyms_lookup_data(u, jit + 0x10, &s) && !s.name,
	      "%s: perf map symbols are code, not data", tag);
	/* Appended later (a JIT keeps writing): read as it grows. */
	snprintf(text, sizeof(text), "%llx 8 jitted_late\n", jit + 0x200);
	sh("printf '%s' >>%s", text, path);
	bb_usyms_format(u, jit + 0x202, buf, sizeof(buf));
	CHECK_CONTAINS(buf, "jitted_late+0x2", "%s: perf map lines appended are read", tag);
	bb_usyms_format(u, jit + 0x11, buf, sizeof(buf));
	CHECK_CONTAINS(buf, "jitted_fn+0x11", "%s: and the older ones kept", tag);
	/* Written anew, shorter (a restarted JIT): read from the start. */
	snprintf(text, sizeof(text), "%llx 40 jitted_again\n", jit);
	sh("printf '%s' >%s", text, path);
	bb_usyms_format(u, jit + 0x12, buf, sizeof(buf));
	CHECK_CONTAINS(buf, "jitted_again+0x12", "%s: a perf map written anew is read anew", tag);
	unlink(path);
}

/* Everything about one fixture, alive then dead. */
static void test_exe(const char *name, unsigned flags, const char *tag)
{
	char *exe = fixture(name), *dl = fixture("libfixdl.so"), dead[128], what[160];
	struct bb_usyms *u;
	struct proc p;
	struct bb_usym s;
	unsigned long long delta = 0;

	setenv("FIXTURE_DL", dl, 1);
	if (!CHECK(spawn(&p, exe, NULL), "%s: the fixture runs", tag))
		goto out;
	u = bb_usyms_open_flags(p.pid, flags);
	if (!CHECK(u, "%s: bb_usyms_open", tag)) {
		reap(&p);
		goto out;
	}
	CHECK(bb_usyms_pid(u) == p.pid, "%s: bb_usyms_pid", tag);
	check_exe(u, &p, name, tag);
	check_module_offsets(u, &p, exe, tag);
	check_format(u, &p, name, tag);
	check_vdso(u, &p, tag);
	check_unmapped(u, tag);
	check_jit(u, &p, tag);

	/* dlopen after the snapshot: unknown until a refresh. */
	if (CHECK(command(&p, 'd') && (delta = val(&p, "delta")), "%s: dlopen", tag)) {
		CHECK(bb_usyms_lookup(u, delta, &s) < 0 || !s.name,
		      "%s: a library dlopen'ed later is not in the snapshot", tag);
		CHECK(!bb_usyms_refresh(u), "%s: refresh while alive", tag);
		snprintf(what, sizeof(what), "%s: after refresh, the dlopen'ed library", tag);
		expect(u, delta + 1, false, "fixdl_delta+0x1 (libfixdl.so)", what);
		CHECK(command(&p, 'c'), "%s: dlclose", tag);
		CHECK(!bb_usyms_refresh(u), "%s: refresh after dlclose", tag);
		snprintf(what, sizeof(what),
			 "%s: after dlclose, a mapping gone and not replaced is still known", tag);
		expect(u, delta + 1, false, "fixdl_delta+0x1 (libfixdl.so)", what);
	}

	reap(&p);
	CHECK(!bb_usyms_refresh(u), "%s: refresh once the process is gone: 0", tag);
	snprintf(dead, sizeof(dead), "%s (exited)", tag);
	check_exe(u, &p, name, dead);
	check_vdso(u, &p, dead);
	bb_usyms_close(u);
out:
	free(exe);
	free(dl);
}

/* Never looked at before it exited: everything read lazily afterwards. */
static void test_lazy_after_exit(void)
{
	char *exe = fixture("fixture_nopie");
	struct bb_usyms *u;
	struct proc p;

	if (!CHECK(spawn(&p, exe, NULL), "lazy: the fixture runs"))
		goto out;
	u = bb_usyms_open(p.pid);
	reap(&p);
	if (CHECK(u, "lazy: bb_usyms_open then the process dies"))
		check_exe(u, &p, "fixture_nopie", "lazy (first lookups after exit)");
	bb_usyms_close(u);
out:
	free(exe);
}

static void test_open_errors(void)
{
	struct bb_usyms *u;
	struct proc p;
	char *exe = fixture("fixture_pie");

	errno = 0;
	CHECK(!bb_usyms_open(0) && errno == ESRCH, "bb_usyms_open(0): NULL, ESRCH");
	errno = 0;
	CHECK(!bb_usyms_open(-5) && errno, "bb_usyms_open(-5): NULL + errno");
	if (spawn(&p, exe, NULL)) {
		pid_t pid = p.pid;

		reap(&p);
		errno = 0;
		u = bb_usyms_open(pid);
		CHECK(!u && errno == ESRCH, "bb_usyms_open of a pid that exited: NULL, ESRCH");
		bb_usyms_close(u);
	}
	bb_usyms_close(NULL);
	CHECK(!bb_usyms_refresh(NULL), "bb_usyms_refresh(NULL) is harmless");
	free(exe);
}

/* Symbols from a separate debug file, a stripped file's .dynsym. */
static void test_debug_files(void)
{
	static const char *const names[] = { "fixture_dbg", "fixture_dbg2", "fixture_dbg3",
					     "fixture_bid" };
	char *exe, want[256], what[256];
	struct bb_usyms *u;
	struct proc p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		exe = fixture(names[i]);
		if (spawn(&p, exe, NULL) && (u = bb_usyms_open(p.pid))) {
			snprintf(what, sizeof(what), "%s (stripped, debug file): static function",
				 names[i]);
			snprintf(want, sizeof(want), "fixture_static_fn+0x2 (%s)", names[i]);
			expect(u, val(&p, "static") + 2, false, want, what);
			snprintf(what, sizeof(what), "%s (stripped, debug file): .bss object", names[i]);
			snprintf(want, sizeof(want), "fixture_mutex+0x0 (%s)", names[i]);
			expect(u, val(&p, "mutex"), true, want, what);
			bb_usyms_close(u);
		} else {
			CHECK(0, "%s runs and opens", names[i]);
		}
		reap(&p);
		free(exe);
	}

	/* The debug file's CRC is wrong: not used, module+offset. */
	exe = fixture("fixture_badcrc");
	if (spawn(&p, exe, NULL) && (u = bb_usyms_open(p.pid))) {
		char *full = fixture("fixture_badcrc.full");

		snprintf(want, sizeof(want), "fixture_badcrc+0x%llx",
			 func_offset(full, "fixture_static_fn"));
		expect(u, val(&p, "static"), false, want,
		       "debuglink with a wrong CRC: ignored, module+offset");
		bb_usyms_close(u);
		free(full);
	} else {
		CHECK(0, "fixture_badcrc runs and opens");
	}
	reap(&p);
	free(exe);

	/* strip --strip-all, no debug file: only .dynsym names. */
	exe = fixture("fixture_strip");
	if (spawn(&p, exe, NULL) && (u = bb_usyms_open(p.pid))) {
		char *full = fixture("fixture_strip.full");

		expect(u, val(&p, "alpha") + 4, false, "fixture_alpha+0x4 (fixture_strip)",
		       "stripped: an exported function resolves through .dynsym");
		snprintf(want, sizeof(want), "fixture_strip+0x%llx",
			 func_offset(full, "fixture_beta") + 1);
		expect(u, val(&p, "beta") + 1, false, want,
		       "stripped: a function not exported is module+file offset");
		snprintf(want, sizeof(want), "fixture_strip+0x%llx",
			 func_offset(full, "fixture_static_fn"));
		expect(u, val(&p, "static"), false, want, "stripped: a static function too");
		bb_usyms_close(u);
		free(full);
	} else {
		CHECK(0, "fixture_strip runs and opens");
	}
	reap(&p);
	free(exe);

	/* bb_elf_func_offset finds symbols through the debug file too. */
	exe = fixture("fixture_dbg");
	{
		char *full = fixture("fixture_dbg.full");
		unsigned long long off = 0;

		char via[PATH_MAX];

		CHECK(!bb_elf_func_offset(exe, "fixture_static_fn", &off) &&
		      off == func_offset(full, "fixture_static_fn"),
		      "bb_elf_func_offset on a stripped file: found in its debug file");
		/* As uprobes name a running process's files: its debug files
		 * are looked for under that process's root. */
		snprintf(via, sizeof(via), "/proc/%d/root%s", (int)getpid(), exe);
		off = 0;
		CHECK(!bb_elf_func_offset(via, "fixture_static_fn", &off) &&
		      off == func_offset(full, "fixture_static_fn"),
		      "bb_elf_func_offset through /proc/PID/root: the debug file under that root");
		free(full);
	}
	free(exe);
	exe = fixture("fixture_strip");
	{
		unsigned long long off = 0;

		CHECK(!bb_elf_func_offset(exe, "fixture_alpha", &off),
		      "bb_elf_func_offset on a stripped file: .dynsym");
		errno = 0;
		CHECK(bb_elf_func_offset(exe, "fixture_beta", &off) == -1 && errno == ENOENT,
		      "bb_elf_func_offset: a name the file does not have: -1, ENOENT");
	}
	free(exe);
}

/* Copies @from to @to_dir/@to with the library next to it (rpath $ORIGIN). */
static char *copy_exe(const char *from, const char *to_dir, const char *to)
{
	char *path;

	if (asprintf(&path, "%s/%s/%s", dir, to_dir, to) < 0)
		abort();
	sh("mkdir -p %s/%s && cp %s/%s %s && cp %s/libfixlib.so %s/%s/", dir, to_dir, dir, from,
	   path, dir, dir, to_dir);
	return path;
}

static void test_deleted(unsigned flags, const char *tag)
{
	char *exe = copy_exe("fixture_pie", tag, "fixture_del"), what[128];
	struct bb_usyms *u;
	struct proc p;

	if (!CHECK(spawn(&p, exe, NULL), "%s: runs", tag))
		goto out;
	unlink(exe);
	u = bb_usyms_open_flags(p.pid, flags);
	if (CHECK(u, "%s: opens", tag)) {
		snprintf(what, sizeof(what), "%s: an executable deleted before the snapshot", tag);
		expect(u, val(&p, "alpha") + 2, false, "fixture_alpha+0x2 (fixture_del)", what);
		snprintf(what, sizeof(what), "%s: its data", tag);
		expect(u, val(&p, "mutex"), true, "fixture_mutex+0x0 (fixture_del)", what);
	}
	reap(&p);
	bb_usyms_close(u);
out:
	free(exe);
}

/* The files are replaced (renamed over) while it runs: their paths now
 * hold decoys with other names at the same places. */
static void test_replaced(unsigned flags, const char *tag)
{
	char *exe = copy_exe("fixture_pie", tag, "fixture_rep"), *lib, what[160];
	struct bb_usyms *u;
	struct bb_usym s;
	struct proc p;

	if (asprintf(&lib, "%s/%s/libfixlib.so", dir, tag) < 0)
		abort();
	if (!CHECK(spawn(&p, exe, NULL), "%s: runs", tag))
		goto out;
	sh("cp %s/fixture_decoy %s.new && mv %s.new %s && cp %s/libdecoy.so %s.new && "
	   "mv %s.new %s", dir, exe, exe, exe, dir, lib, lib, lib);
	u = bb_usyms_open_flags(p.pid, flags);
	if (CHECK(u, "%s: opens", tag)) {
		snprintf(what, sizeof(what), "%s: the executable renamed over: still its own", tag);
		expect(u, val(&p, "alpha"), false, "fixture_alpha+0x0 (fixture_rep)", what);
		bb_usyms_lookup(u, val(&p, "gamma"), &s);
		CHECK(s.module && !strcmp(s.module, "libfixlib.so") &&
		      (!s.name || !strcmp(s.name, "fixlib_gamma")),
		      "%s: the library renamed over: never the new file's names (%s)", tag,
		      s.name ? s.name : "no name");
		if (!(flags & BB_USYMS_NO_MAP_FILES) && geteuid() == 0)
			CHECK(s.name && !strcmp(s.name, "fixlib_gamma"),
			      "%s: ...and, through map_files/, its own", tag);
	}
	reap(&p);
	bb_usyms_close(u);
out:
	free(exe);
	free(lib);
}

/* Files mapped executable that are not good ELF: module+offset. */
static void test_mapped_garbage(void)
{
	static const struct {
		const char *name;
		size_t keep;	/* bytes of fixture_pie kept; 0: random bytes */
	} blobs[] = { { "garbage.bin", 0 }, { "trunc.elf", 200 }, { "half.elf", 1 } };
	char *src = fixture("fixture_pie"), *exe = fixture("fixture_pie"), want[128];
	char what[160];
	size_t len, i, j;
	char *elf = unit_read_file(src, &len), *blob, *path;
	uint64_t seed = 42;
	struct bb_usyms *u;
	struct proc p;

	for (i = 0; elf && i < ARRAY_SIZE(blobs); i++) {
		size_t n = blobs[i].keep == 1 ? len / 2 : blobs[i].keep ? blobs[i].keep : 8192;

		path = fixture(blobs[i].name);
		blob = calloc(1, n);
		for (j = 0; j < n; j++)
			blob[j] = blobs[i].keep ? elf[j] : (char)unit_rand(&seed);
		unit_write_file(path, blob, n);
		if (spawn(&p, exe, path) && val(&p, "blob") && (u = bb_usyms_open(p.pid))) {
			snprintf(want, sizeof(want), "%s+0x10", blobs[i].name);
			snprintf(what, sizeof(what), "a mapped file, not good ELF: %s", want);
			expect(u, val(&p, "blob") + 0x10, false, want, what);
			bb_usyms_close(u);
		} else {
			CHECK(0, "the fixture maps %s", blobs[i].name);
		}
		reap(&p);
		free(blob);
		free(path);
	}
	free(elf);
	free(src);
	free(exe);
}

/* ---- ELF files on their own ------------------------------------------------ */

static void check_bad_file(const char *path, const char *what)
{
	unsigned long long off = 0;
	struct bb_elfsyms *e;
	char interp[64] = "x";
	uint64_t o;

	CHECK(bb_elf_func_offset(path, "fixture_alpha", &off) == -1,
	      "%s: bb_elf_func_offset fails", what);
	CHECK(bb_elf_interp(path, interp, sizeof(interp)) == -1 && !*interp,
	      "%s: bb_elf_interp fails", what);
	e = bb_elfsyms_open(path);
	if (e) {
		CHECK(bb_elfsyms_load(e, path, NULL) == -1 && !bb_elfsyms_find(e, 0x1000, false, &o),
		      "%s: the loader says unusable, finds nothing", what);
		bb_elfsyms_put(e);
	} else {
		CHECK(errno == ENOENT, "%s: cannot be opened", what);
	}
}

static void test_bad_files(void)
{
	char *src = fixture("fixture_pie"), *path;
	static const size_t cuts[] = { 4, 16, 52, 63, 64, 100, 512 };
	uint64_t seed = 7;
	char *elf, what[64], junk[4096];
	size_t len, i;

	path = unit_path("empty");
	unit_write_file(path, "", 0);
	check_bad_file(path, "zero-length file");
	free(path);
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (char)unit_rand(&seed);
	path = unit_path("junk");
	unit_write_file(path, junk, sizeof(junk));
	check_bad_file(path, "random bytes");
	memcpy(junk, "\177ELF\2\1\1", 7);	/* a header that starts right */
	unit_write_file(path, junk, sizeof(junk));
	check_bad_file(path, "ELF magic then random bytes");
	free(path);
	check_bad_file(dir, "a directory");
	check_bad_file("/nonexistent/file", "a missing file");
	check_bad_file("/dev/null", "/dev/null");

	elf = unit_read_file(src, &len);
	path = unit_path("cut");
	for (i = 0; elf && i < ARRAY_SIZE(cuts); i++) {
		unit_write_file(path, elf, cuts[i]);
		snprintf(what, sizeof(what), "fixture cut to %zu bytes", cuts[i]);
		check_bad_file(path, what);
	}
	free(path);
	free(elf);
	free(src);
}

/*
 * Random damage to a real ELF file: bytes flipped in the headers, the
 * section table, anywhere; cuts anywhere.  Run in a child: a crash is a
 * failed check, not the end of the suite.
 */
static void fuzz(void *arg)
{
	const char *src = arg;
	char *path = unit_path("fuzz"), *elf, *buf;
	unsigned long long off;
	uint64_t seed = 0x5eed, o, shoff;
	size_t len, n, i, k, region;
	struct bb_elf_dynamic dyn;
	struct bb_elfsyms *e;
	char interp[64];
	int usable = 0;

	elf = unit_read_file(src, &len);
	if (!elf || len < 4096)
		exit(3);
	memcpy(&shoff, elf + 0x28, 8);
	buf = malloc(len);
	for (i = 0; i < 400; i++) {
		memcpy(buf, elf, len);
		n = len;
		for (k = 1 + unit_rand(&seed) % 16; k; k--) {
			region = unit_rand(&seed) % 4;
			if (region == 0)
				o = unit_rand(&seed) % 64;
			else if (region == 1)
				o = 64 + unit_rand(&seed) % 0x300;
			else if (region == 2 && shoff < len)
				o = shoff + unit_rand(&seed) % (len - shoff);
			else
				o = unit_rand(&seed) % len;
			buf[o] = (char)unit_rand(&seed);
		}
		if (i % 5 == 4)
			n = unit_rand(&seed) % len;
		unit_write_file(path, buf, n);
		bb_elf_func_offset(path, "fixture_alpha", &off);
		bb_elf_interp(path, interp, sizeof(interp));
		if (!bb_elf_dynamic(path, &dyn))
			bb_elf_dynamic_free(&dyn);
		bb_elf_exports(path, "fixture_alpha");
		bb_elf_import_slot(path, "__libc_start_main", &off);
		e = bb_elfsyms_open(path);
		if (e && !bb_elfsyms_load(e, path, NULL)) {
			usable++;
			for (k = 0; k < 64; k++) {
				bb_elfsyms_find(e, unit_rand(&seed) % 0x6000, k & 1, &o);
				bb_elfsyms_vaddr(e, unit_rand(&seed) % 0x6000, &o);
			}
		}
		bb_elfsyms_put(e);
	}
	printf("%d of 400 damaged files still loaded\n", usable);
	free(buf);
	free(elf);
	free(path);
}

/*
 * An arm64 libc.so.6 (Debian's libc6-arm64-cross, when installed), read
 * here as bpfbox-aarch64 reads it on its machine: its GOT slots by
 * R_AARCH64_GLOB_DAT and R_AARCH64_JUMP_SLOT, both kinds for malloc (its
 * address taken, and PLT calls), each in the file's writable segment.
 */
static void test_import_slots_aarch64(void)
{
	const char *libc = "/usr/aarch64-linux-gnu/lib/libc.so.6";
	unsigned long long off[4] = { 0 };
	struct stat st;
	int n;

	if (access(libc, R_OK) || stat(libc, &st)) {
		unit_diag("no %s (libc6-arm64-cross): aarch64 GOT slots not checked", libc);
		return;
	}
	n = bb_elf_import_slots(libc, "malloc", off, 4);
	CHECK(n == 2 && off[0] != off[1] && off[0] + 8 <= (unsigned long long)st.st_size &&
	      off[1] + 8 <= (unsigned long long)st.st_size,
	      "aarch64 libc.so.6: malloc's two GOT slots (GLOB_DAT, JUMP_SLOT) found");
	CHECK(bb_elf_import_slots(libc, "calloc", off, 4) == 1,
	      "aarch64 libc.so.6: calloc's one (JUMP_SLOT)");
	CHECK(bb_elf_import_slots(libc, "malloc", off, 1) == 1,
	      "at most as many slots as asked for");
}

/* What the dynamic linker reads, for memleak's allocator search (uprobes.c). */
static void test_dynamic(void)
{
	char *exe = fixture("fixture_pie"), **n;
	const char *libc = "/lib/x86_64-linux-gnu/libc.so.6";
	struct bb_elf_dynamic dyn;
	unsigned long long off = 0;
	bool has_libc = false, has_fixlib = false;
	struct stat st;

	CHECK(!bb_elf_dynamic(exe, &dyn), "bb_elf_dynamic(fixture_pie): read");
	for (n = dyn.needed; n && *n; n++) {
		has_libc |= !strcmp(*n, "libc.so.6");
		has_fixlib |= !strcmp(*n, "libfixlib.so");
	}
	CHECK(has_libc && has_fixlib, "fixture_pie needs libfixlib.so and libc.so.6");
	CHECK((dyn.runpath && !strcmp(dyn.runpath, "$ORIGIN")) ||
	      (dyn.rpath && !strcmp(dyn.rpath, "$ORIGIN")), "its -rpath '$ORIGIN' read");
	bb_elf_dynamic_free(&dyn);
	CHECK(bb_elf_dynamic("/nonexistent", &dyn) && !dyn.needed, "no file: -1, nothing to free");
	bb_elf_dynamic_free(&dyn);
	CHECK(!bb_elf_import_slot(exe, "__libc_start_main", &off) && !stat(exe, &st) &&
	      off > 0 && off + 8 <= (unsigned long long)st.st_size,
	      "fixture_pie's GOT slot for __libc_start_main: in the file");
	errno = 0;
	CHECK(bb_elf_import_slot(exe, "no_such_function", &off) && errno == ENOENT,
	      "no slot for a function it does not call: ENOENT");
	CHECK(!bb_elf_exports(exe, "__libc_start_main"), "an import is not an export");
	if (!access(libc, R_OK)) {
		CHECK(bb_elf_exports(libc, "malloc") && !bb_elf_exports(libc, "no_such_function"),
		      "libc.so.6 exports malloc, not no_such_function");
		CHECK(!bb_elf_import_slot(libc, "malloc", &off),
		      "libc.so.6 binds its own malloc calls through a slot (interposable)");
	}
	test_import_slots_aarch64();
	free(exe);
}

static void test_fuzz(void)
{
	char *src = fixture("fixture_pie");
	struct unit_child c;

	unit_run_child(fuzz, src, &c);
	if (!CHECK(c.status == 0, "400 damaged ELF files: no crash, no hang"))
		unit_diag("status %d, stderr: %.300s", c.status, c.err);
	else
		unit_diag("%.100s", c.out);
	unit_child_free(&c);
	free(src);
}

/* The loader on its own: a shared table, sizes, aliases. */
static void test_loader(void)
{
	char *pie = fixture("fixture_pie");
	struct bb_elfsyms *a = bb_elfsyms_open(pie), *b = bb_elfsyms_open(pie);
	const char *name;
	uint64_t off = 0;

	CHECK(a && a == b, "the same file twice: one shared table");
	if (a && !bb_elfsyms_load(a, pie, NULL)) {
		CHECK(bb_elfsyms_count(a, false) > 5 && bb_elfsyms_count(a, true) > 3,
		      "code and data tables filled");
		CHECK(!bb_elfsyms_has_debug_file(a), "a file with .symtab needs no debug file");
		CHECK(!bb_elfsyms_find(a, 0, false, &off), "address 0: nothing");
		name = bb_elfsyms_find(a, ~0ULL, false, &off);
		CHECK(!name, "far past the last function (sized): nothing");
	} else {
		CHECK(0, "load fixture_pie");
	}
	bb_elfsyms_put(a);
	bb_elfsyms_put(b);
	free(pie);
}

/* readelf's word on a function's file offset. */
static bool readelf_offset(const char *file, const char *name, unsigned long long *off)
{
	char cmd[512], line[512], sym[256], type[32], ndx[16];
	unsigned long long value = 0, o, v, fs, seg_o = 0, seg_v = 0;
	bool found = false, placed = false;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "readelf -Ws --dyn-syms %s", file);
	f = popen(cmd, "r");
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long long val;
		size_t n = strlen(name);

		if (sscanf(line, " %*[0-9]: %llx %*s %31s %*s %*s %15s %255s", &val, type, ndx,
			   sym) != 4 || strcmp(type, "FUNC") || !strcmp(ndx, "UND"))
			continue;
		if (!strncmp(sym, name, n) && (!sym[n] || !strncmp(sym + n, "@@", 2))) {
			value = val;
			found = true;
		}
	}
	if (f)
		pclose(f);
	snprintf(cmd, sizeof(cmd), "readelf -lW %s", file);
	f = found ? popen(cmd, "r") : NULL;
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, " LOAD %llx %llx %*x %llx", &o, &v, &fs) == 3 && value >= v &&
		    value < v + fs) {
			seg_o = o;
			seg_v = v;
			placed = true;
		}
	}
	if (f)
		pclose(f);
	*off = value - seg_v + seg_o;
	return found && placed;
}

static void test_libc(void)
{
	static const char *const libcs[] = { "/lib/x86_64-linux-gnu/libc.so.6",
					     "/lib/aarch64-linux-gnu/libc.so.6", "/lib64/libc.so.6" };
	static const char *const funcs[] = { "malloc", "free", "calloc", "pthread_mutex_lock" };
	const char *libc = NULL;
	unsigned long long got, want;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(libcs) && !libc; i++)
		if (!access(libcs[i], R_OK))
			libc = libcs[i];
	if (!libc) {
		CHECK(1, "no glibc here: libc checks skipped # SKIP");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(funcs); i++) {
		got = want = 0;
		if (!readelf_offset(libc, funcs[i], &want)) {
			unit_diag("readelf knows no %s in %s", funcs[i], libc);
			continue;
		}
		CHECK(!bb_elf_func_offset(libc, funcs[i], &got),
		      "bb_elf_func_offset finds %s in %s", funcs[i], libc);
		CHECK_U64(got, want, "%s's file offset is readelf's (st_value through PT_LOAD)",
			  funcs[i]);
	}
	errno = 0;
	CHECK(bb_elf_func_offset(libc, "no_such_function_here", &got) == -1 && errno == ENOENT,
	      "libc: no such function: -1, ENOENT");
}

static void test_interp(void)
{
	char *pie = fixture("fixture_pie"), *st = fixture("fixture_static"), interp[256];
	char *lib = fixture("libfixlib.so");
	char want[256] = "", cmd[512], line[512];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "readelf -lW %s", pie);
	f = popen(cmd, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, " [Requesting program interpreter: %255[^]]]", want) == 1)
			break;
	if (f)
		pclose(f);
	CHECK(bb_elf_interp(pie, interp, sizeof(interp)) == 0, "bb_elf_interp(PIE): dynamic");
	CHECK_STR(interp, want, "bb_elf_interp(PIE): the interpreter readelf shows");
	CHECK_CONTAINS(interp, "ld-linux", "bb_elf_interp(PIE): glibc's ld.so");
	CHECK(bb_elf_interp(pie, interp, 5) == 0 && strlen(interp) == 4,
	      "bb_elf_interp: a short buffer is cut, NUL-terminated");
	if (have_static)
		CHECK(bb_elf_interp(st, interp, sizeof(interp)) == 1 && !*interp,
		      "bb_elf_interp(gcc -static): static, no interpreter");
#ifndef __GLIBC__	/* the sanitized build (build/asan) is dynamic */
	CHECK(bb_elf_interp("/proc/self/exe", interp, sizeof(interp)) == 1,
	      "bb_elf_interp(this static musl test): static");
#endif
	CHECK(bb_elf_interp(lib, NULL, 0) == 1, "bb_elf_interp on a library: no PT_INTERP");
	free(pie);
	free(st);
	free(lib);
}

int main(void)
{
	char debug[PATH_MAX + 8];

	atexit(kill_running);
	if (!find_fixtures() || system("gcc --version >/dev/null 2>&1")) {
		CHECK(1, "no gcc or no fixture sources: usyms tests skipped # SKIP");
		return unit_done();
	}
	dir = unit_tmpdir();
	if (!CHECK(build_all(), "fixtures build with gcc"))
		return unit_done();
	/* Build-id and debug-directory lookups go to our own tree. */
	snprintf(debug, sizeof(debug), "%s/debug", dir);
	bb_elf_set_debug_dir(debug);

	test_exe("fixture_pie", 0, "PIE");
	test_exe("fixture_nopie", 0, "no-PIE");
	test_exe("fixture_pie", BB_USYMS_NO_MAP_FILES, "PIE without map_files");
	test_lazy_after_exit();
	test_open_errors();
	test_debug_files();
	test_deleted(0, "deleted");
	test_deleted(BB_USYMS_NO_MAP_FILES, "deleted-nomapfiles");
	test_replaced(0, "replaced");
	test_replaced(BB_USYMS_NO_MAP_FILES, "replaced-nomapfiles");
	test_mapped_garbage();
	test_loader();
	test_bad_files();
	test_dynamic();
	test_fuzz();
	test_libc();
	test_interp();
	return unit_done();
}
