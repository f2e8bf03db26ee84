// SPDX-License-Identifier: GPL-2.0
/* The kernel's unwind tables, filled from user space: see ustack.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bpfbox.h"
#include "loader.h"
#include "../bpf/bb_shared.h"
#include "elfsyms.h"
#include "unwind.h"
#include "usyms.h"
#include "ustack.h"

/* A file whose rows are in the kernel (page_base > 0), or could not be. */
struct loaded {
	const struct bb_elfsyms *elf;
	uint32_t page_base, pages;	/* in bb_unwind_pages */
	uint64_t first_page;		/* the link-time page of page_base */
};

static struct {
	int pids_fd, procs_fd, stats_fd;
	struct bb_unwind_krow *rows;	/* the arrays, mapped */
	struct bb_unwind_page *pages;
	uint32_t nr_rows, nr_pages;
	struct loaded *files;
	size_t nr_files;
	int pids[BB_UNWIND_PROCS];	/* the process in each slot */
	uint32_t nr_pids;
	bool warned_full;
} us = { -1, -1, -1 };

static struct bpf_map *map_of(struct bpf_object *obj, const char *name)
{
	return obj ? bpf_object__find_map_by_name(obj, name) : NULL;
}

void bb_ustack_size(struct bpf_object *obj)
{
	struct bpf_map *rows = map_of(obj, "bb_unwind_rows"),
		       *pages = map_of(obj, "bb_unwind_pages"),
		       *pids = map_of(obj, "bb_unwind_pids"),
		       *procs = map_of(obj, "bb_unwind_procs");

	if (!rows || !pages || !pids || !procs)
		return;
	bpf_map__set_max_entries(rows, BB_UNWIND_ROWS);
	bpf_map__set_max_entries(pages, BB_UNWIND_PAGES);
	bpf_map__set_max_entries(pids, BB_UNWIND_PROCS);
	bpf_map__set_max_entries(procs, BB_UNWIND_PROCS);
}

static void *map_array(struct bpf_object *obj, const char *name, size_t len)
{
	void *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 bpf_map__fd(map_of(obj, name)), 0);

	return mem == MAP_FAILED ? NULL : mem;
}

void bb_ustack_use(struct bpf_object *obj)
{
	struct bpf_map *rows = map_of(obj, "bb_unwind_rows");

	if (!rows || bpf_map__max_entries(rows) < BB_UNWIND_ROWS)
		return;		/* not sized: this applet takes no user stacks */
	us.rows = map_array(obj, "bb_unwind_rows", sizeof(*us.rows) * BB_UNWIND_ROWS);
	us.pages = map_array(obj, "bb_unwind_pages", sizeof(*us.pages) * BB_UNWIND_PAGES);
	if (!us.rows || !us.pages) {
		bb_warn("cannot map the unwind tables (%s): stacks follow frame pointers only",
			strerror(errno));
		us.rows = NULL;
		return;
	}
	bb_elfsyms_want_unwind();
	us.nr_rows = 1;		/* index 0 unused: a page's first row is never 0 */
	us.nr_pages = 1;	/* page_base 0 means "no rows" */
	us.pids_fd = bpf_map__fd(map_of(obj, "bb_unwind_pids"));
	us.procs_fd = bpf_map__fd(map_of(obj, "bb_unwind_procs"));
	us.stats_fd = bpf_map__fd(map_of(obj, "bb_unwind_stats"));
}

/* ---- a file's rows ---------------------------------------------------------- */

/* Row @j (of the file, copied at @first_row) is in force on @page. */
static void page_add(const struct loaded *f, uint32_t first_row, uint64_t page, uint32_t j)
{
	struct bb_unwind_page *pg = &us.pages[f->page_base + (page - f->first_page)];

	if (pg->nr)
		pg->nr = first_row + j - pg->first + 1;
	else
		*pg = (struct bb_unwind_page){ .first = first_row + j, .nr = 1 };
}

/* The page index of rows @v[0, n), copied at @first_row. */
static void index_pages(struct loaded *f, uint32_t first_row, const struct bb_unwind_row *v,
			size_t n)
{
	uint64_t p, first, last;
	size_t j;

	for (j = 0; j < n; j++) {
		first = v[j].pc >> BB_UNWIND_PAGE_SHIFT;
		last = j + 1 < n ? (v[j + 1].pc - 1) >> BB_UNWIND_PAGE_SHIFT : first;
		page_add(f, first_row, first, j);
		/* Whole pages under one rule: theirs, unless nothing is known
		 * there (the gaps between sections). */
		for (p = first + 1; p <= last && v[j].cfa != BB_CFA_UNKNOWN; p++)
			page_add(f, first_row, p, j);
	}
	/* Past what the walker's search covers: that page stays unknown. */
	for (p = 0; p < f->pages; p++)
		if (us.pages[f->page_base + p].nr > BB_UNWIND_PAGE_ROWS)
			us.pages[f->page_base + p].nr = 0;
}

static void load_rows(struct loaded *f, const char *module)
{
	const struct bb_unwind_rows *r = bb_elfsyms_unwind_rows(f->elf);
	size_t j;

	if (!r->nr || r->v[r->nr - 1].pc > UINT32_MAX)
		return;		/* no rows, or a file linked above 4 GiB */
	f->first_page = r->v[0].pc >> BB_UNWIND_PAGE_SHIFT;
	f->pages = (r->v[r->nr - 1].pc >> BB_UNWIND_PAGE_SHIFT) - f->first_page + 1;
	if (r->nr > BB_UNWIND_ROWS - us.nr_rows || f->pages > BB_UNWIND_PAGES - us.nr_pages) {
		if (!us.warned_full)
			bb_warn("the unwind tables are full at %s: its stacks and later files' "
				"follow frame pointers", module ? module : "?");
		us.warned_full = true;
		f->pages = 0;
		return;
	}
	for (j = 0; j < r->nr; j++)
		us.rows[us.nr_rows + j] = (struct bb_unwind_krow){
			.pc = r->v[j].pc, .cfa_off = r->v[j].cfa_off, .ra_off = r->v[j].ra_off,
			.fp_off = r->v[j].fp_off, .cfa = r->v[j].cfa,
		};
	f->page_base = us.nr_pages;
	index_pages(f, us.nr_rows, r->v, r->nr);
	us.nr_rows += r->nr;
	us.nr_pages += f->pages;
}

/* @elf's rows in the kernel, loaded the first time. */
static const struct loaded *file_of(const struct bb_elfsyms *elf, const char *module)
{
	struct loaded *f;
	size_t i;

	for (i = 0; i < us.nr_files; i++)
		if (us.files[i].elf == elf)
			return &us.files[i];
	us.files = bb_xrealloc(us.files, us.nr_files + 1, sizeof(*us.files));
	f = &us.files[us.nr_files++];
	*f = (struct loaded){ .elf = elf };
	load_rows(f, module);
	return f;
}

/* ---- a process's mappings ---------------------------------------------------- */

static void add_code(const struct bb_usyms_code *c, void *ctx)
{
	struct bb_unwind_proc *p = ctx;
	struct bb_unwind_map *m;

	if (p->nr == BB_UNWIND_MAPS)
		return;		/* the rest: frames there end the stack */
	m = &p->maps[p->nr++];
	m->start = c->start;
	m->end = c->end;
	m->bias = c->bias;
	if (c->elf) {
		const struct loaded *f = file_of(c->elf, c->module);

		m->page_base = f->page_base;
		m->pages = f->pages;
		m->first_page = f->first_page;
	}
}

/* The process's slot in bb_unwind_procs, given the first time; -1: full. */
static int slot_of(int pid)
{
	uint32_t i;

	for (i = 0; i < us.nr_pids; i++)
		if (us.pids[i] == pid)
			return i;
	if (us.nr_pids == BB_UNWIND_PROCS)
		return -1;
	us.pids[us.nr_pids] = pid;
	return us.nr_pids++;
}

void bb_ustack_track(struct bb_usyms *u)
{
	static struct bb_unwind_proc p;
	uint32_t pid;
	int slot;

	if (!us.rows || !u)
		return;
	pid = bb_usyms_pid(u);
	slot = slot_of(pid);
	if (slot < 0)
		return;		/* its stacks follow frame pointers */
	memset(&p, 0, sizeof(p));
	bb_usyms_each_code(u, add_code, &p);
	/* The table first, then the pid that leads to it. */
	if (bpf_map_update_elem(us.procs_fd, &slot, &p, BPF_ANY) ||
	    bpf_map_update_elem(us.pids_fd, &pid, &slot, BPF_ANY))
		bb_warn("cannot give the kernel the mappings of %u: %s", pid, strerror(errno));
}

uint64_t bb_ustack_unmapped(void)
{
	return us.stats_fd < 0 ? 0 : bb_percpu_sum(us.stats_fd, BB_UNWIND_UNMAPPED);
}
