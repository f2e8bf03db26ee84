// SPDX-License-Identifier: GPL-2.0
/* User-space probes on a library's functions: see uprobes.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "bpfbox.h"
#include "target.h"
#include "uprobes.h"
#include "usyms.h"

static void symbol_name(const char *prefix, const char *func, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", prefix, func);
}

bool bb_elf_defines(const char *path, const char *prefix, const char *func)
{
	char sym[256];
	unsigned long long off;

	symbol_name(prefix, func, sym, sizeof(sym));
	return !bb_elf_func_offset(path, sym, &off);
}

/* Library directories of the distributions we know. */
static const char *const lib_dirs[] = {
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64",
	"/lib", "/usr/lib",
};

static bool in_program(const char *exe, const char *prefix, const char *func,
		       const char *const *libs, char *out, size_t len)
{
	char interp[256], path[PATH_MAX];
	size_t i;

	if (bb_elf_defines(exe, prefix, func)) {
		snprintf(out, len, "%s", exe);
		return true;
	}
	/* A static program without it has it nowhere. */
	if (bb_elf_interp(exe, interp, sizeof(interp)) != 0)
		return false;
	if (strstr(interp, "musl") && bb_elf_defines(interp, prefix, func)) {
		snprintf(out, len, "%s", interp);
		return true;
	}
	for (; libs && *libs; libs++)
		for (i = 0; i < ARRAY_SIZE(lib_dirs); i++) {
			snprintf(path, sizeof(path), "%s/%s", lib_dirs[i], *libs);
			if (!access(path, R_OK) && bb_elf_defines(path, prefix, func)) {
				snprintf(out, len, "%s", path);
				return true;
			}
		}
	return false;
}

static bool in_process(int pid, const char *only, const char *prefix, const char *func,
		       char *out, size_t len)
{
	char maps[64], line[4096], path[PATH_MAX], last[PATH_MAX] = "";
	bool found = false;
	FILE *f;

	snprintf(maps, sizeof(maps), "/proc/%d/maps", pid);
	f = fopen(maps, "re");
	if (!f)
		bb_die("cannot read %s: %s", maps, strerror(errno));
	while (!found && fgets(line, sizeof(line), f)) {
		char *file = strchr(line, '/');
		const char *base;

		if (!file)
			continue;
		file[strcspn(file, "\n")] = 0;
		if (!strcmp(file, last))
			continue;
		snprintf(last, sizeof(last), "%s", file);
		base = strrchr(file, '/') + 1;
		if (only && strncmp(base, only, strlen(only)) && strcmp(file, only))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/root%s", pid, file);
		if (bb_elf_defines(path, prefix, func)) {
			snprintf(out, len, "%s", path);
			found = true;
		}
	}
	fclose(f);
	return found;
}

bool bb_uprobes_find_module(const struct bb_target *t, const char *only, const char *prefix,
			    const char *func, const char *const *libs, char *out, size_t len)
{
	if (only && !t->launched && !strchr(only, '/'))
		return in_process(t->pid, only, prefix, func, out, len);
	if (only) {
		snprintf(out, len, "%s", only);
		return bb_elf_defines(only, prefix, func);
	}
	if (t->launched)
		return in_program(t->exe, prefix, func, libs, out, len);
	return in_process(t->pid, NULL, prefix, func, out, len);
}

/*
 * Where in a function its probe goes.  Under a uprobe the kernel emulates
 * a few instructions (push of a register, jmp/call, nop): one trap.  Any
 * other it single-steps out of line: measured here (6.18, a VM) 0.8 us a
 * hit on a push, 11-25 us on endbr64, test or mov.  So:
 *  - a leading endbr64 is passed over: it does nothing a probe needs, and
 *    the stack is as at entry (a return probe still finds its address);
 *  - where a NULL argument does nothing (free), so is a leading
 *    "test %rdi,%rdi; je <ret>" (glibc's free): every call with a
 *    pointer goes on to the next instruction; only free(NULL), which
 *    frees nothing, no longer hits the probe.
 * The offset is taken only if the instruction there is one the kernel
 * emulates; otherwise the probe stays at the entry.
 */
static bool emulated_insn(const unsigned char *b)
{
	if (b[0] >= 0x50 && b[0] <= 0x57)			/* push %reg */
		return true;
	if (b[0] == 0x41 && b[1] >= 0x50 && b[1] <= 0x57)	/* push %r8..%r15 */
		return true;
	if (b[0] == 0xe8 || b[0] == 0xe9 || b[0] == 0xeb)	/* call, jmp */
		return true;
	return b[0] == 0x90 || (b[0] == 0x0f && b[1] == 0x1f);	/* nop */
}

static unsigned long long probe_skip(const char *path, unsigned long long off, bool null_noop,
				     bool arg1_only)
{
	unsigned char b[16], t[2];
	size_t i = 0, endbr;
	long target = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (pread(fd, b, sizeof(b), off) != sizeof(b))
		goto out;
	if (!memcmp(b, "\xf3\x0f\x1e\xfa", 4))			/* endbr64 */
		i = 4;
	endbr = i;
	if (null_noop && !memcmp(b + i, "\x48\x85\xff", 3)) {	/* test %rdi,%rdi */
		if (b[i + 3] == 0x74) {				/* je rel8 */
			target = i + 5 + (signed char)b[i + 4];
			i += 5;
		} else if (b[i + 3] == 0x0f && b[i + 4] == 0x84) {	/* je rel32 */
			int32_t rel;

			memcpy(&rel, b + i + 5, sizeof(rel));
			target = i + 9 + (long)rel;
			i += 9;
		}
		/* The NULL path must return at once: ret, or repz ret. */
		if (target < 0 || pread(fd, t, sizeof(t), off + target) != sizeof(t) ||
		    !(t[0] == 0xc3 || (t[0] == 0xf3 && t[1] == 0xc3)))
			i = endbr;
	}
	/* "mov $imm32" into eax, ecx, edx or esi (glibc's pthread_mutex_unlock:
	 * mov $1,%esi; jmp ...) changes nothing such a probe reads, never
	 * %rdi or %rsp: pass it when an emulated instruction follows. */
	if (arg1_only && i == endbr && !emulated_insn(b + i) &&
	    (b[i] == 0xb8 || b[i] == 0xb9 || b[i] == 0xba || b[i] == 0xbe))
		i += 5;
	if (i && !emulated_insn(b + i))
		i = 0;
out:
	close(fd);
	return i;
}

/* The file offset of @pr's probe in @path. */
static unsigned long long probe_offset(const struct bb_uprobe_set *s, const char *path,
				       const struct bb_uprobe *pr)
{
	unsigned long long off, skip;
	char sym[256];

	symbol_name(s->prefix, pr->func, sym, sizeof(sym));
	if (bb_elf_func_offset(path, sym, &off))
		bb_die("cannot find %s in %s", sym, path);
	/* A return probe shares the entry's uprobe: both move, or neither. */
	skip = probe_skip(path, off, pr->null_noop && !pr->returns, pr->arg1_only);
	if (skip)
		bb_info("%s probed at +%llu, an instruction the kernel emulates", sym, skip);
	return off + skip;
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

static size_t present_probes(const struct bb_uprobe_set *s, const char *path,
			     const struct bb_uprobe **out)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t i, n = 0;

	for (i = 0; i < s->nr; i++) {
		const struct bb_uprobe *pr = &s->probes[i];

		if (bb_elf_defines(path, s->prefix, pr->func)) {
			out[n++] = pr;
			continue;
		}
		if (pr->required)
			bb_die("%s has no %s%s", path, s->prefix, pr->func);
		bb_warn("note: %s has no %s%s: not traced", base, s->prefix, pr->func);
	}
	return n;
}

/* Offsets, not names: we resolved them already, and libbpf's name lookup
 * trips on versioned symbols (malloc@@GLIBC_2.2.5). */
static void attach_multi(struct bb_uprobe_set *s, const char *path, int pid,
			 const struct bb_uprobe **pr, size_t n)
{
	unsigned long *entry_off = bb_xcalloc(n, sizeof(*entry_off));
	unsigned long *ret_off = bb_xcalloc(n, sizeof(*ret_off));
	__u64 *cookies = bb_xcalloc(n, sizeof(*cookies));
	LIBBPF_OPTS(bpf_uprobe_multi_opts, entries, .offsets = entry_off, .cookies = cookies);
	LIBBPF_OPTS(bpf_uprobe_multi_opts, returns, .offsets = ret_off, .retprobe = true);
	size_t i;

	for (i = 0; i < n; i++) {
		entry_off[entries.cnt] = probe_offset(s, path, pr[i]);
		cookies[entries.cnt++] = pr[i]->cookie;
		if (pr[i]->returns)
			ret_off[returns.cnt++] = entry_off[i];
	}
	add_link(s, bpf_program__attach_uprobe_multi(program(s, s->entry_multi), pid, path,
						     NULL, &entries), "the functions", path);
	if (returns.cnt)
		add_link(s, bpf_program__attach_uprobe_multi(program(s, s->return_multi), pid,
							     path, NULL, &returns),
			 "the returns", path);
	free(entry_off);
	free(ret_off);
	free(cookies);
}

static void attach_singles(struct bb_uprobe_set *s, const char *path, int pid,
			   const struct bb_uprobe **pr, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		LIBBPF_OPTS(bpf_uprobe_opts, entry);
		LIBBPF_OPTS(bpf_uprobe_opts, ret, .retprobe = true);
		unsigned long long off = probe_offset(s, path, pr[i]);

		add_link(s, bpf_program__attach_uprobe_opts(program(s, pr[i]->prog), pid, path,
							    off, &entry), pr[i]->func, path);
		if (pr[i]->returns)
			add_link(s, bpf_program__attach_uprobe_opts(program(s, s->return_single),
								    pid, path, off, &ret),
				 pr[i]->func, path);
	}
}

void bb_uprobes_attach(struct bb_uprobe_set *s, const char *path, int pid)
{
	const struct bb_uprobe **pr = bb_xcalloc(s->nr, sizeof(*pr));
	size_t n = present_probes(s, path, pr);

	s->links = bb_xcalloc(2 * s->nr, sizeof(*s->links));
	s->nr_links = 0;
	if (s->multi)
		attach_multi(s, path, pid, pr, n);
	else
		attach_singles(s, path, pid, pr, n);
	free(pr);
}

void bb_uprobes_detach(struct bb_uprobe_set *s)
{
	size_t i;

	for (i = 0; i < s->nr_links; i++)
		bpf_link__destroy(s->links[i]);
	s->nr_links = 0;
}
