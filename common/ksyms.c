// SPDX-License-Identifier: GPL-2.0
/* Kernel symbolizer: see ksyms.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bpfbox.h"
#include "ksyms.h"

struct bb_ksyms {
	struct bb_ksym *syms;
	size_t nr, cap;
	char **arena;		/* blocks of names, never moved once written */
	size_t nr_blocks;
	char *free_at;
	size_t free_left;
	bool all_zero;
	uint8_t *used;		/* bitmap over syms, when tracking */
	void (*first_use)(const struct bb_ksym *sym);
};

static const char *arena_dup(struct bb_ksyms *ks, const char *s)
{
	size_t n = strlen(s) + 1;
	char *d;

	if (n > ks->free_left) {
		size_t block = n > 65536 ? n : 65536;

		ks->arena = bb_xrealloc(ks->arena, ks->nr_blocks + 1, sizeof(*ks->arena));
		ks->arena[ks->nr_blocks++] = ks->free_at = bb_xcalloc(1, block);
		ks->free_left = block;
	}
	d = ks->free_at;
	memcpy(d, s, n);
	ks->free_at += n;
	ks->free_left -= n;
	return d;
}

struct bb_ksyms *bb_ksyms_new(void)
{
	struct bb_ksyms *ks = bb_xcalloc(1, sizeof(*ks));

	ks->all_zero = true;
	return ks;
}

void bb_ksyms_add(struct bb_ksyms *ks, uint64_t addr, const char *name, const char *module)
{
	struct bb_ksym *s;

	if (ks->nr == ks->cap) {
		ks->cap = ks->cap ? ks->cap * 2 : 4096;
		ks->syms = bb_xrealloc(ks->syms, ks->cap, sizeof(*ks->syms));
	}
	s = &ks->syms[ks->nr++];
	s->addr = addr;
	s->name = arena_dup(ks, name);
	s->module = module && *module ? arena_dup(ks, module) : NULL;
	if (addr)
		ks->all_zero = false;
}

/* Only code symbols can be a drop location or a stack frame. */
static bool is_text(char type)
{
	return type == 't' || type == 'T' || type == 'w' || type == 'W';
}

static void parse_line(struct bb_ksyms *ks, char *line)
{
	char type, name[256], module[128] = "";
	unsigned long long addr;
	char *mod;

	if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3 || !is_text(type))
		return;
	mod = strchr(line, '[');
	if (mod && sscanf(mod, "[%127[^]]]", module) != 1)
		module[0] = 0;
	bb_ksyms_add(ks, addr, name, module);
}

struct bb_ksyms *bb_ksyms_load(const char *path)
{
	static char buf[1 << 16];
	char line[512];
	struct bb_ksyms *ks;
	FILE *f = fopen(path, "re");

	if (!f)
		return NULL;
	/* /proc/kallsyms gives what a read asks for: 64K at a time, not
	 * stdio's 1K (5,000 reads of a 6 MB file). */
	setvbuf(f, buf, _IOFBF, sizeof(buf));
	ks = bb_ksyms_new();
	while (fgets(line, sizeof(line), f))
		parse_line(ks, line);
	fclose(f);
	bb_ksyms_sort(ks);
	return ks;
}

static int cmp_addr(const void *a, const void *b)
{
	const struct bb_ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

void bb_ksyms_sort(struct bb_ksyms *ks)
{
	if (ks->nr)	/* qsort of NULL is undefined, even for none */
		qsort(ks->syms, ks->nr, sizeof(*ks->syms), cmp_addr);
}

void bb_ksyms_free(struct bb_ksyms *ks)
{
	size_t i;

	if (!ks)
		return;
	for (i = 0; i < ks->nr_blocks; i++)
		free(ks->arena[i]);
	free(ks->arena);
	free(ks->syms);
	free(ks->used);
	free(ks);
}

size_t bb_ksyms_count(const struct bb_ksyms *ks)
{
	return ks->nr;
}

bool bb_ksyms_restricted(const struct bb_ksyms *ks)
{
	return ks->nr && ks->all_zero;
}

const struct bb_ksym *bb_ksyms_lookup(const struct bb_ksyms *ks, uint64_t addr)
{
	size_t lo = 0, hi = ks->nr;

	if (!ks->nr || ks->all_zero || addr < ks->syms[0].addr)
		return NULL;
	/* Invariant: syms[lo].addr <= addr, and every index >= hi is above. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (ks->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (ks->used && !(ks->used[lo / 8] & (1 << (lo % 8)))) {
		ks->used[lo / 8] |= 1 << (lo % 8);
		ks->first_use(&ks->syms[lo]);
	}
	return &ks->syms[lo];
}

void bb_ksyms_format(const struct bb_ksyms *ks, uint64_t addr, char *buf, size_t len)
{
	const struct bb_ksym *s = ks ? bb_ksyms_lookup(ks, addr) : NULL;

	if (!s)
		snprintf(buf, len, "0x%" PRIx64, addr);
	else if (s->module)
		snprintf(buf, len, "%s+0x%" PRIx64 " [%s]", s->name, addr - s->addr, s->module);
	else
		snprintf(buf, len, "%s+0x%" PRIx64, s->name, addr - s->addr);
}

void bb_ksyms_track(struct bb_ksyms *ks, void (*fn)(const struct bb_ksym *sym))
{
	free(ks->used);
	ks->used = fn ? bb_xcalloc(ks->nr / 8 + 1, 1) : NULL;
	ks->first_use = fn;
}

static struct bb_ksyms *kernel_syms;
static bool kernel_syms_tried;
static void (*kernel_track_fn)(const struct bb_ksym *sym);

void bb_kernel_syms_track(void (*fn)(const struct bb_ksym *sym))
{
	kernel_track_fn = fn;
	if (kernel_syms)
		bb_ksyms_track(kernel_syms, fn);
}

struct bb_ksyms *bb_kernel_syms(void)
{
	if (kernel_syms_tried)
		return kernel_syms;
	kernel_syms_tried = true;
	kernel_syms = bb_ksyms_load("/proc/kallsyms");
	if (!kernel_syms)
		bb_warn("cannot read /proc/kallsyms (%s): kernel addresses shown raw",
			strerror(errno));
	else if (bb_ksyms_restricted(kernel_syms))
		bb_warn("/proc/kallsyms shows no addresses (kernel.kptr_restrict): "
			"kernel addresses shown raw; run as root or sysctl kernel.kptr_restrict=0");
	else if (kernel_track_fn)
		bb_ksyms_track(kernel_syms, kernel_track_fn);
	return kernel_syms;
}

void bb_kernel_syms_set(struct bb_ksyms *ks)
{
	kernel_syms = ks;
	kernel_syms_tried = true;
}

void bb_ksym_mark(uint64_t addr)
{
	if (bb_kernel_syms())
		bb_ksyms_lookup(kernel_syms, addr);
}
