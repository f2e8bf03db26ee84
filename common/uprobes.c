// SPDX-License-Identifier: GPL-2.0
/* User-space probes on a library's functions: see uprobes.h. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "bpfbox.h"
#include "loader.h"
#include "target.h"
#include "uprobes.h"
#include "usyms.h"
#include "elfsyms.h"

#include <elf.h>

static void symbol_name(const char *prefix, const char *func, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", prefix, func);
}

/* Does ELF @path define function @prefix@func? */
static bool elf_defines(const char *path, const char *prefix, const char *func)
{
	char sym[256];
	unsigned long long off;

	symbol_name(prefix, func, sym, sizeof(sym));
	return !bb_elf_func_offset(path, sym, &off);
}

/* Library directories of the distributions we know, for this machine's
 * programs (Debian's multiarch triplet first). */
static const char *const lib_dirs[] = {
	"/lib/" BB_ARCH "-linux-gnu", "/usr/lib/" BB_ARCH "-linux-gnu", "/lib64", "/usr/lib64",
	"/lib", "/usr/lib",
};

/* Is @path the file @only names: a name prefix of its base name, or the path? */
static bool named(const char *path, const char *only)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	return !only || !strncmp(base, only, strlen(only)) || !strcmp(path, only);
}

/* Does @path, named as @only asks, define @prefix@func?  Then it is @out. */
static bool candidate(const char *path, const char *only, const char *prefix, const char *func,
		      char *out, size_t len)
{
	if (!named(path, only) || !elf_defines(path, prefix, func))
		return false;
	snprintf(out, len, "%s", path);
	return true;
}

/*
 * The objects of a started program in the order the dynamic linker looks
 * up a symbol in them: the executable, the preloaded objects (LD_PRELOAD,
 * /etc/ld.so.preload), then the needed libraries breadth first, each found
 * through the RPATH of the executable (when the needing object has no
 * RUNPATH), LD_LIBRARY_PATH, the needing object's RUNPATH and the system
 * directories.  ld.so.cache is not read: the directories stand for it.
 */
#define LD_MAX_OBJECTS 512

struct ld_scope {
	char *paths[LD_MAX_OBJECTS];
	size_t nr;
	char *exe_rpath;		/* DT_RPATH of the executable */
	char library_path[4096];	/* LD_LIBRARY_PATH */
};

static bool scope_has(const struct ld_scope *sc, const char *path)
{
	char real[PATH_MAX];
	size_t i;

	if (!realpath(path, real))
		return true;	/* nothing to load */
	for (i = 0; i < sc->nr; i++)
		if (!strcmp(sc->paths[i], real))
			return true;
	return false;
}

static void scope_add(struct ld_scope *sc, const char *path)
{
	char real[PATH_MAX];

	if (sc->nr < LD_MAX_OBJECTS && !scope_has(sc, path) && realpath(path, real))
		sc->paths[sc->nr++] = bb_xstrdup(real);
}

/* @name in the directories of @list (':'-separated, $ORIGIN: @origin's). */
static bool search_dirs(const char *list, const char *origin, const char *name, char *out,
			size_t len)
{
	const char *p = list, *end, *slash = strrchr(origin, '/');
	int dlen = slash ? (int)(slash - origin) : 0;

	for (; list && *p; p = *end ? end + 1 : end) {
		end = p + strcspn(p, ":");
		if (end == p)
			continue;
		if (!strncmp(p, "$ORIGIN", 7) || !strncmp(p, "${ORIGIN}", 9)) {
			const char *rest = p + (p[1] == '{' ? 9 : 7);

			snprintf(out, len, "%.*s%.*s/%s", dlen, origin, (int)(end - rest), rest, name);
		} else {
			snprintf(out, len, "%.*s/%s", (int)(end - p), p, name);
		}
		if (!access(out, R_OK))
			return true;
	}
	return false;
}

static bool find_library(const struct ld_scope *sc, const char *name, const char *by,
			 const struct bb_elf_dynamic *by_dyn, char *out, size_t len)
{
	size_t i;

	if (strchr(name, '/')) {
		snprintf(out, len, "%s", name);
		return !access(out, R_OK);
	}
	if ((!by_dyn || !by_dyn->runpath) && search_dirs(sc->exe_rpath, sc->paths[0], name, out, len))
		return true;
	if (search_dirs(sc->library_path, by, name, out, len))
		return true;
	if (by_dyn && search_dirs(by_dyn->runpath, by, name, out, len))
		return true;
	for (i = 0; i < ARRAY_SIZE(lib_dirs); i++) {
		snprintf(out, len, "%s/%s", lib_dirs[i], name);
		if (!access(out, R_OK))
			return true;
	}
	return false;
}

/* Each word of @list (blanks or ':' between them), found as a library. */
static void add_preloads(struct ld_scope *sc, const char *list)
{
	char *copy = bb_xstrdup(list), *w, *save = NULL, path[PATH_MAX];

	for (w = strtok_r(copy, " \t\n:", &save); w; w = strtok_r(NULL, " \t\n:", &save))
		if (find_library(sc, w, sc->paths[0], NULL, path, sizeof(path)))
			scope_add(sc, path);
	free(copy);
}

static void build_scope(struct ld_scope *sc, const struct bb_target *t)
{
	char buf[4096], path[PATH_MAX], **n;
	struct bb_elf_dynamic dyn;
	ssize_t got;
	size_t i;
	int fd;

	memset(sc, 0, sizeof(*sc));
	scope_add(sc, t->exe);
	if (!sc->nr)
		return;
	if (!bb_elf_dynamic(sc->paths[0], &dyn)) {
		sc->exe_rpath = dyn.rpath;
		dyn.rpath = NULL;
		bb_elf_dynamic_free(&dyn);
	}
	bb_target_getenv(t, "LD_LIBRARY_PATH", sc->library_path, sizeof(sc->library_path));
	if (bb_target_getenv(t, "LD_PRELOAD", buf, sizeof(buf)))
		add_preloads(sc, buf);
	fd = open("/etc/ld.so.preload", O_RDONLY | O_CLOEXEC);
	got = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (got > 0) {
		buf[got] = 0;
		add_preloads(sc, buf);
	}
	for (i = 0; i < sc->nr; i++) {
		if (bb_elf_dynamic(sc->paths[i], &dyn))
			continue;
		for (n = dyn.needed; *n; n++)
			if (find_library(sc, *n, sc->paths[i], &dyn, path, sizeof(path)))
				scope_add(sc, path);
		bb_elf_dynamic_free(&dyn);
	}
}

static void free_scope(struct ld_scope *sc)
{
	size_t i;

	for (i = 0; i < sc->nr; i++)
		free(sc->paths[i]);
	free(sc->exe_rpath);
}

/*
 * A program about to start: the first object of the linker's lookup order
 * that exports it (named as @only asks); else one that defines it without
 * exporting it (the executable's own function, -O with a prefix), musl's
 * loader-libc, then @libs.
 */
static bool in_program(const struct bb_target *t, const char *only, const char *prefix,
		       const char *func, const char *const *libs, char *out, size_t len)
{
	char interp[256], path[PATH_MAX], sym[256];
	struct ld_scope sc;
	bool found = false;
	size_t i;

	/* A static program without it has it nowhere. */
	if (bb_elf_interp(t->exe, interp, sizeof(interp)) != 0)
		return candidate(t->exe, only, prefix, func, out, len);
	symbol_name(prefix, func, sym, sizeof(sym));
	build_scope(&sc, t);
	for (i = 0; i < sc.nr && !found; i++) {
		found = named(sc.paths[i], only) && bb_elf_exports(sc.paths[i], sym);
		if (found)
			snprintf(out, len, "%s", sc.paths[i]);
	}
	for (i = 0; i < sc.nr && !found; i++)
		found = candidate(sc.paths[i], only, prefix, func, out, len);
	free_scope(&sc);
	if (found || (strstr(interp, "musl") && candidate(interp, only, prefix, func, out, len)))
		return true;
	for (; libs && *libs; libs++)
		for (i = 0; i < ARRAY_SIZE(lib_dirs); i++) {
			snprintf(path, sizeof(path), "%s/%s", lib_dirs[i], *libs);
			if (candidate(path, only, prefix, func, out, len))
				return true;
		}
	return false;
}

/* The index of @t's executable among its mapped files, or -1. */
static long exe_index(const struct bb_target *t)
{
	const char *file;
	size_t i;

	for (i = 0; (file = bb_usyms_file(t->syms, i)); i++)
		if (!strcmp(file, t->exe))
			return i;
	return -1;
}

/*
 * In a running process: where mapped file @i's GOT slot for @sym points,
 * as the dynamic linker relocated it (the executable's first: its calls
 * are the program's).  The file there must export @sym: an unresolved
 * lazy slot points back into its own PLT.
 */
static bool slot_target(const struct bb_target *t, size_t i, const char *sym, char *out,
			size_t len)
{
	unsigned long long off, slot, value = 0;
	char path[PATH_MAX + 32];
	const char *file = bb_usyms_file(t->syms, i);
	long at;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/root%s", t->pid, file);
	if (!*file || bb_elf_import_slot(path, sym, &off))
		return false;
	slot = bb_usyms_file_addr(t->syms, i, off);
	snprintf(path, sizeof(path), "/proc/%d/mem", t->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (!slot || pread(fd, &value, sizeof(value), slot) != sizeof(value))
		value = 0;
	close(fd);
	at = value ? bb_usyms_file_of(t->syms, value) : -1;
	if (at < 0 || !*bb_usyms_file(t->syms, at))
		return false;
	snprintf(out, len, "/proc/%d/root%s", t->pid, bb_usyms_file(t->syms, at));
	return bb_elf_exports(out, sym);
}

static bool by_slots(const struct bb_target *t, const char *prefix, const char *func, char *out,
		     size_t len)
{
	long exe = exe_index(t);
	char sym[256];
	size_t i;

	symbol_name(prefix, func, sym, sizeof(sym));
	if (exe >= 0 && slot_target(t, exe, sym, out, len))
		return true;
	for (i = 0; bb_usyms_file(t->syms, i); i++)
		if ((long)i != exe && slot_target(t, i, sym, out, len))
			return true;
	return false;
}

/* The first file @t's process maps that defines it (@only: whose name
 * starts so, or that path), seen through /proc/PID/root. */
static bool in_process(const struct bb_target *t, const char *only, const char *prefix,
		       const char *func, char *out, size_t len)
{
	const char *file;
	size_t i;

	for (i = 0; (file = bb_usyms_file(t->syms, i)); i++) {
		if (!*file || !named(file, only))
			continue;
		snprintf(out, len, "/proc/%d/root%s", t->pid, file);
		if (elf_defines(out, prefix, func))
			return true;
	}
	return false;
}

bool bb_uprobes_find_module(const struct bb_target *t, const char *only, const char *prefix,
			    const char *func, const char *const *libs, char *out, size_t len)
{
	if (only && strchr(only, '/')) {
		snprintf(out, len, "%s", only);
		return elf_defines(only, prefix, func);
	}
	if (t->launched)
		return in_program(t, only, prefix, func, libs, out, len);
	return (!only && by_slots(t, prefix, func, out, len)) ||
	       in_process(t, only, prefix, func, out, len);
}

/*
 * Where in a function its probes go.  Under a uprobe the kernel emulates
 * a few instructions (push of a register, jmp/call, nop): one trap.  Any
 * other it single-steps out of line: measured here (6.18, a VM) 0.8 us a
 * hit on a push, 11-25 us on endbr64, test or mov.  So a probe moves past
 * instructions that change nothing its programs read, to an emulated one:
 *  - a leading endbr64: the stack is as at entry (a return probe still
 *    finds its address);
 *  - where a NULL argument does nothing (free), a leading
 *    "test %rdi,%rdi; je <ret>": only free(NULL), which frees nothing, no
 *    longer hits the probe;
 *  - for programs that read only %rdi, %rsp and %rbp (BB_PROBE_ARG1_ONLY):
 *    a "mov $imm32" (glibc's pthread_mutex_unlock: mov $1,%esi; jmp), or a
 *    guard: loads, register moves and tests ending in a conditional jump
 *    (glibc's pthread_mutex_lock: "mov 0x10(%rdi),%eax ... jne <full>;
 *    push %rbx").  A guard splits the probe in two, one on each way out,
 *    so every call still hits exactly one.
 * A moved probe must not be a branch target inside the function (it would
 * be hit twice, or with other registers): checked when the whole function
 * is known, by counting every byte sequence that decodes as a branch to
 * it, an overcount that can only refuse a move.  Otherwise the probe stays
 * at the entry.
 */
static bool emulated_insn(const unsigned char *b, size_t avail)
{
	if (avail < 2)
		return false;
	if (b[0] >= 0x50 && b[0] <= 0x57)			/* push %reg */
		return true;
	if (b[0] == 0x41 && b[1] >= 0x50 && b[1] <= 0x57)	/* push %r8..%r15 */
		return true;
	if (b[0] == 0xe8 || b[0] == 0xe9 || b[0] == 0xeb)	/* call, jmp */
		return true;
	return b[0] == 0x90 || (b[0] == 0x0f && b[1] == 0x1f);	/* nop */
}

static long rel32(const unsigned char *b)
{
	int32_t v;

	memcpy(&v, b, sizeof(v));
	return v;
}

/* The target of a direct jmp, jcc or call at @c[j], or -1. */
static long branch_target(const unsigned char *c, size_t len, size_t j)
{
	if ((c[j] == 0xeb || (c[j] >= 0x70 && c[j] <= 0x7f)) && j + 2 <= len)
		return j + 2 + (signed char)c[j + 1];
	if ((c[j] == 0xe8 || c[j] == 0xe9) && j + 5 <= len)
		return j + 5 + rel32(c + j + 1);
	if (c[j] == 0x0f && j + 6 <= len && c[j + 1] >= 0x80 && c[j + 1] <= 0x8f)
		return j + 6 + rel32(c + j + 2);
	return -1;
}

/* Branches to @to from anywhere in @c, reading every byte as the start of
 * an instruction: never fewer than the real ones. */
static unsigned branches_to(const unsigned char *c, size_t len, size_t to)
{
	unsigned n = 0;
	size_t j;

	for (j = 0; j < len; j++)
		n += branch_target(c, len, j) == (long)to;
	return n;
}

/* Bytes taken by a ModRM operand (with SIB and displacement) at @m. */
static size_t modrm_len(const unsigned char *m)
{
	unsigned mod = m[0] >> 6, rm = m[0] & 7;
	size_t n = 1;

	if (mod == 3)
		return 1;
	if (rm == 4) {
		n++;
		if (mod == 0 && (m[1] & 7) == 5)
			n += 4;
	} else if (mod == 0 && rm == 5) {		/* %rip-relative */
		n += 4;
	}
	return n + (mod == 1 ? 1 : mod == 2 ? 4 : 0);
}

/* Is register field @r (extended by REX bit @ext) one a probe reads? */
static bool read_reg(unsigned r, bool ext)
{
	return !ext && (r == 4 || r == 5 || r == 7);	/* %rsp, %rbp, %rdi */
}

/*
 * The length of the instruction at @b when it writes neither memory nor a
 * register a probe reads (%rdi, %rsp, %rbp): a load, a register move, an
 * ALU operation on a register with an immediate, test or cmp.  0 for
 * anything else.
 */
static size_t harmless_insn(const unsigned char *b, size_t avail)
{
	size_t n = 0;
	unsigned rex = 0, mod, reg, rm;

	if (avail < 16)
		return 0;
	if (b[n] == 0x64 || b[n] == 0x65)		/* %fs:, %gs: (thread pointer) */
		n++;
	if ((b[n] & 0xf0) == 0x40)
		rex = b[n++];
	mod = b[n + 1] >> 6;
	reg = (b[n + 1] >> 3) & 7;
	rm = b[n + 1] & 7;
	switch (b[n]) {
	case 0x8b:					/* mov r/m, reg: a load */
		return read_reg(reg, rex & 4) ? 0 : n + 1 + modrm_len(b + n + 1);
	case 0x89:					/* mov reg, reg */
		return mod != 3 || read_reg(rm, rex & 1) ? 0 : n + 2;
	case 0x85: case 0x39: case 0x3b: case 0x84: case 0x38: case 0x3a:	/* test, cmp */
		return n + 1 + modrm_len(b + n + 1);
	case 0x81: case 0x83:				/* and/or/add/.../cmp $imm */
		if (reg != 7 && (mod != 3 || read_reg(rm, rex & 1)))
			return 0;
		return n + 1 + modrm_len(b + n + 1) + (b[n] == 0x81 ? 4 : 1);
	}
	return 0;
}

struct code {
	const unsigned char *c;
	size_t len;
	bool whole;
};

/* May a probe move to @p, reached only by falling through to it? */
static bool movable_to(const struct code *f, size_t p)
{
	return p < f->len && emulated_insn(f->c + p, f->len - p) &&
	       (!f->whole || !branches_to(f->c, f->len, p));
}

/* Past "test %rdi,%rdi; je <ret>" at @i, or @i. */
static size_t past_null_test(const struct code *f, size_t i)
{
	const unsigned char *b = f->c + i;
	long target = -1, next = i;

	if (i + 9 > f->len || memcmp(b, "\x48\x85\xff", 3))
		return i;
	if (b[3] == 0x74) {					/* je rel8 */
		next = i + 5;
		target = next + (signed char)b[4];
	} else if (b[3] == 0x0f && b[4] == 0x84) {		/* je rel32 */
		next = i + 9;
		target = next + rel32(b + 5);
	}
	/* The NULL path must return at once: ret, or repz ret. */
	if (target < 0 || (size_t)target + 2 > f->len ||
	    !(f->c[target] == 0xc3 || (f->c[target] == 0xf3 && f->c[target + 1] == 0xc3)))
		return i;
	return next;
}

/*
 * A guard at @i: harmless instructions then a forward conditional jump to
 * a place in the function that only it jumps to.  Fills the two ways out.
 */
static bool guard_split(const struct code *f, size_t i, unsigned long out[2])
{
	size_t n, insns;
	long to;

	for (insns = 0; insns < 8 && i < f->len; insns++, i += n) {
		n = harmless_insn(f->c + i, f->len - i);
		if (n)
			continue;
		if (!((f->c[i] >= 0x70 && f->c[i] <= 0x7f) ||
		      (f->c[i] == 0x0f && i + 1 < f->len && (f->c[i + 1] & 0xf0) == 0x80)))
			return false;
		to = branch_target(f->c, f->len, i);
		n = f->c[i] == 0x0f ? 6 : 2;
		if (to <= (long)(i + n) || (size_t)to >= f->len || !movable_to(f, i + n) ||
		    branches_to(f->c, f->len, to) != 1)
			return false;
		out[0] = i + n;
		out[1] = to;
		return true;
	}
	return false;
}

size_t bb_probe_points(const unsigned char *code, size_t len, unsigned flags,
		       unsigned long points[BB_PROBE_MAX_POINTS])
{
	struct code f = { code, len, flags & BB_PROBE_WHOLE };
	size_t i = 0, next;

	points[0] = 0;
	if (len >= 4 && !memcmp(code, "\xf3\x0f\x1e\xfa", 4))	/* endbr64 */
		i = 4;
	if (emulated_insn(code + i, len - i))
		goto single;
	next = flags & BB_PROBE_NULL_NOOP ? past_null_test(&f, i) : i;
	if (next != i) {
		i = next;
		goto single;
	}
	if (!(flags & BB_PROBE_ARG1_ONLY))
		return 1;
	/* mov $imm32 into %eax, %ecx, %edx or %esi */
	if (i + 5 <= len && (code[i] == 0xb8 || code[i] == 0xb9 || code[i] == 0xba ||
			     code[i] == 0xbe) && movable_to(&f, i + 5)) {
		points[0] = i + 5;
		return 1;
	}
	if (f.whole && guard_split(&f, i, points))
		return 2;
	return 1;
single:
	if (i && movable_to(&f, i))
		points[0] = i;
	return 1;
}

/* The functions the kernel probes: at most this much of one is read. */
#define MAX_FUNC_READ 65536

/* A probe of the set that @path has, and where its probes go. */
struct placed {
	const struct bb_uprobe *pr;
	size_t n;				/* points */
	unsigned long off[BB_PROBE_MAX_POINTS];	/* file offsets */
};

/* Places @pl->pr, whose function is @size bytes at file offset @start in
 * the file open as @fd (@sym: its name, for messages). */
static void place(const struct bb_uprobe_set *s, struct placed *pl, int fd, const char *sym,
		  unsigned long long start, unsigned long long size)
{
	const struct bb_uprobe *pr = pl->pr;
	unsigned flags = 0;
	unsigned char *code;
	ssize_t got;
	size_t i;

	pl->n = 1;
	pl->off[0] = start;
	/* bb_probe_points() decodes x86-64 code only: on other machines
	 * (arm64) every probe stays at its function's entry, which is always
	 * right; moving them would want a decoder of their own, and tests. */
	if (strcmp(BB_ARCH, "x86_64"))
		return;
	/* A return probe shares the entry's uprobe: both move, or neither. */
	if (pr->null_noop && !pr->returns)
		flags |= BB_PROBE_NULL_NOOP;
	if (s->arg1_only)
		flags |= BB_PROBE_ARG1_ONLY;
	if (size && size <= MAX_FUNC_READ)
		flags |= BB_PROBE_WHOLE;
	else
		size = 64;
	code = bb_xcalloc(1, size);
	got = fd < 0 ? -1 : pread(fd, code, size, start);
	pl->n = 1;
	pl->off[0] = 0;
	if (got > 0)
		pl->n = bb_probe_points(code, got, got == (ssize_t)size ? flags :
					flags & ~BB_PROBE_WHOLE, pl->off);
	free(code);
	if (pl->n > 1)
		bb_info("%s probed at +%lu and +%lu, the two ways past its first test", sym,
			pl->off[0], pl->off[1]);
	else if (pl->off[0])
		bb_info("%s probed at +%lu, an instruction the kernel emulates", sym, pl->off[0]);
	for (i = 0; i < pl->n; i++)
		pl->off[i] += start;
}

static struct bpf_program *program(const struct bb_uprobe_set *s, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(s->obj, name);

	if (!p)
		bb_die("internal error: no BPF program '%s'", name);
	return p;
}

static void add_link(struct bb_uprobe_set *s, struct bpf_link *l, const char *what,
		     const char *path)
{
	if (!l)
		bb_die("cannot probe %s in %s: %s", what, path, strerror(errno));
	s->links[s->nr_links++] = l;
}

/* The probes of @s that @path has, placed (optional ones it lacks are
 * noted); how many. */
static size_t place_probes(const struct bb_uprobe_set *s, const char *path, struct placed *out)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	unsigned long long start, size;
	char sym[256];
	size_t i, n = 0;

	/* A file that cannot be read has no symbols: not "it has no malloc". */
	if (fd < 0)
		bb_die("cannot read %s: %s%s", path, strerror(errno),
		       strncmp(path, "/proc/", 6) ? "" : " (the process exited?)");
	for (i = 0; i < s->nr; i++) {
		const struct bb_uprobe *pr = &s->probes[i];

		symbol_name(s->prefix, pr->func, sym, sizeof(sym));
		if (!bb_elf_func_range(path, sym, &start, &size)) {
			out[n].pr = pr;
			place(s, &out[n++], fd, sym, start, size);
			continue;
		}
		if (pr->required)
			bb_die("%s has no %s", path, sym);
		bb_warn("note: %s has no %s: not traced", base, sym);
	}
	if (fd >= 0)
		close(fd);
	return n;
}

/* Did the loader choose @h's uprobe.multi program (its first)? */
static bool multi(const struct bb_hook *h)
{
	return h->chosen && !strcmp(h->chosen, h->progs[0]);
}

void bb_uprobes_autoload(struct bb_uprobe_set *s, struct bpf_object *obj)
{
	size_t i;

	s->obj = obj;
	if (multi(s->entries))
		return;
	for (i = 0; i < s->nr; i++)
		bpf_program__set_autoload(program(s, s->probes[i].prog), true);
}

/* One uprobe.multi link over @n @off (with @cookies, or none). */
static void attach_one_multi(struct bb_uprobe_set *s, const char *prog, bool ret,
			     const char *path, int pid, unsigned long *off, __u64 *cookies,
			     size_t n)
{
	LIBBPF_OPTS(bpf_uprobe_multi_opts, o, .offsets = off, .cookies = cookies, .cnt = n,
		    .retprobe = ret);

	/* Offsets, not names: we resolved them already, and libbpf's name
	 * lookup trips on versioned symbols (malloc@@GLIBC_2.2.5). */
	add_link(s, bpf_program__attach_uprobe_multi(program(s, prog), pid, path, NULL, &o),
		 ret ? "the returns" : "the functions", path);
}

static void attach_one(struct bb_uprobe_set *s, const char *prog, bool ret, const char *path,
		       int pid, unsigned long off, const char *func)
{
	LIBBPF_OPTS(bpf_uprobe_opts, o, .retprobe = ret);

	add_link(s, bpf_program__attach_uprobe_opts(program(s, prog), pid, path, off, &o),
		 func, path);
}

/* Every point of every placed probe (only those probed on return, for
 * @ret): one multi link, or a uprobe each. */
static void attach_direction(struct bb_uprobe_set *s, bool ret, const char *path, int pid,
			     const struct placed *pl, size_t n)
{
	const struct bb_hook *h = ret ? s->returns : s->entries;
	unsigned long *off = bb_xcalloc(n * BB_PROBE_MAX_POINTS, sizeof(*off));
	__u64 *cookies = bb_xcalloc(n * BB_PROBE_MAX_POINTS, sizeof(*cookies));
	size_t i, k, cnt = 0;

	for (i = 0; i < n; i++)
		for (k = 0; k < pl[i].n && (!ret || pl[i].pr->returns); k++) {
			if (!multi(h))
				attach_one(s, ret ? h->progs[1] : pl[i].pr->prog, ret, path, pid,
					   pl[i].off[k], pl[i].pr->func);
			off[cnt] = pl[i].off[k];
			cookies[cnt++] = pl[i].pr->cookie;
		}
	if (multi(h) && cnt)
		attach_one_multi(s, h->progs[0], ret, path, pid, off, ret ? NULL : cookies, cnt);
	free(off);
	free(cookies);
}

void bb_uprobes_attach(struct bb_uprobe_set *s, const char *path, int pid)
{
	struct placed *pl = bb_xcalloc(s->nr, sizeof(*pl));
	size_t n = place_probes(s, path, pl);

	free(s->links);
	s->links = bb_xcalloc(2 * BB_PROBE_MAX_POINTS * s->nr, sizeof(*s->links));
	s->nr_links = 0;
	attach_direction(s, false, path, pid, pl, n);
	attach_direction(s, true, path, pid, pl, n);
	free(pl);
}

void bb_uprobes_detach(struct bb_uprobe_set *s)
{
	size_t i;

	for (i = 0; i < s->nr_links; i++)
		bpf_link__destroy(s->links[i]);
	s->nr_links = 0;
	free(s->links);
	s->links = NULL;
}
