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

/* A file whose rows are in the kernel (id > 0), or could not be (id 0). */
struct loaded {
	const struct bb_elfsyms *elf;
	uint32_t id;
};

static struct {
	int rows_fd, pages_fd, procs_fd, stats_fd;
	struct bb_unwind_krow *rows;	/* the array, mapped */
	uint32_t nr_rows, cap_rows;
	uint32_t nr_pages;
	struct loaded *files;
	size_t nr_files;
	bool warned_full;
} us = { -1, -1, -1, -1 };

static struct bpf_map *map_of(struct bpf_object *obj, const char *name)
{
	return obj ? bpf_object__find_map_by_name(obj, name) : NULL;
}

void bb_ustack_size(struct bpf_object *obj)
{
	struct bpf_map *rows = map_of(obj, "bb_unwind_rows"),
		       *pages = map_of(obj, "bb_unwind_pages"),
		       *procs = map_of(obj, "bb_unwind_procs");

	if (!rows || !pages || !procs)
		return;
	bpf_map__set_max_entries(rows, BB_UNWIND_ROWS);
	bpf_map__set_max_entries(pages, BB_UNWIND_PAGES);
	bpf_map__set_max_entries(procs, 64);
}

void bb_ustack_use(struct bpf_object *obj)
{
	struct bpf_map *rows = map_of(obj, "bb_unwind_rows");
	size_t len;
	void *mem;

	if (!rows || bpf_map__max_entries(rows) < BB_UNWIND_ROWS)
		return;		/* not sized: this applet takes no user stacks */
	len = (size_t)BB_UNWIND_ROWS * sizeof(struct bb_unwind_krow);
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(rows), 0);
	if (mem == MAP_FAILED) {
		bb_warn("cannot map the unwind table (%s): stacks follow frame pointers only",
			strerror(errno));
		return;
	}
	bb_elfsyms_want_unwind();
	us.rows = mem;
	us.cap_rows = BB_UNWIND_ROWS;
	us.nr_rows = 1;		/* row 0 unused: a page's first row is never 0 */
	us.rows_fd = bpf_map__fd(rows);
	us.pages_fd = bpf_map__fd(map_of(obj, "bb_unwind_pages"));
	us.procs_fd = bpf_map__fd(map_of(obj, "bb_unwind_procs"));
	us.stats_fd = bpf_map__fd(map_of(obj, "bb_unwind_stats"));
}

/* ---- a file's rows ---------------------------------------------------------- */

struct pager {
	uint32_t id, first_row;		/* the file's, and where its rows start */
	uint64_t page;
	struct bb_unwind_page cur;
	bool open, failed;
};

static void page_flush(struct pager *pg)
{
	struct bb_unwind_page_key key = { .obj = pg->id, .page = pg->page };

	if (!pg->open)
		return;
	pg->open = false;
	/* Past what the walker's search covers: that page stays unknown. */
	if (pg->cur.nr > BB_UNWIND_PAGE_ROWS)
		return;
	if (bpf_map_update_elem(us.pages_fd, &key, &pg->cur, BPF_ANY))
		pg->failed = true;
	else
		us.nr_pages++;
}

/* Row @j (of the file) is in force on @page: the page's rows grow to it. */
static void page_add(struct pager *pg, uint64_t page, uint32_t j)
{
	if (pg->open && pg->page == page) {
		pg->cur.nr = pg->first_row + j - pg->cur.first + 1;
		return;
	}
	page_flush(pg);
	pg->open = true;
	pg->page = page;
	pg->cur.first = pg->first_row + j;
	pg->cur.nr = 1;
}

/* The page index of rows @v[0, n), already copied at first_row. */
static bool index_pages(struct pager *pg, const struct bb_unwind_row *v, size_t n)
{
	uint64_t p, first, last;
	size_t j;

	for (j = 0; j < n && !pg->failed; j++) {
		first = v[j].pc >> BB_UNWIND_PAGE_SHIFT;
		last = j + 1 < n ? (v[j + 1].pc - 1) >> BB_UNWIND_PAGE_SHIFT : first;
		page_add(pg, first, j);
		/* Whole pages under one rule: their own entry, unless nothing
		 * is known there (the gaps between sections). */
		for (p = first + 1; p <= last && v[j].cfa != BB_CFA_UNKNOWN && !pg->failed; p++)
			page_add(pg, p, j);
	}
	page_flush(pg);
	return !pg->failed;
}

static uint32_t load_rows(const struct bb_elfsyms *elf, const char *module)
{
	const struct bb_unwind_rows *r = bb_elfsyms_unwind_rows(elf);
	struct pager pg = { .id = us.nr_files + 1, .first_row = us.nr_rows };
	size_t j;

	if (!r->nr || r->v[r->nr - 1].pc > UINT32_MAX)
		return 0;	/* no rows, or a file linked above 4 GiB */
	if (r->nr > us.cap_rows - us.nr_rows) {
		if (!us.warned_full)
			bb_warn("the unwind table is full at %s: its stacks and later files' "
				"follow frame pointers", module ? module : "?");
		us.warned_full = true;
		return 0;
	}
	for (j = 0; j < r->nr; j++)
		us.rows[us.nr_rows + j] = (struct bb_unwind_krow){
			.pc = r->v[j].pc, .cfa_off = r->v[j].cfa_off, .ra_off = r->v[j].ra_off,
			.fp_off = r->v[j].fp_off, .cfa = r->v[j].cfa,
		};
	if (!index_pages(&pg, r->v, r->nr)) {
		if (!us.warned_full)
			bb_warn("the unwind page index is full at %s: its stacks and later "
				"files' follow frame pointers", module ? module : "?");
		us.warned_full = true;
		return 0;	/* (its pages already in point to rows never reused) */
	}
	us.nr_rows += r->nr;
	return pg.id;
}

/* The id of @elf's rows in the kernel, loading them the first time. */
static uint32_t file_id(const struct bb_elfsyms *elf, const char *module)
{
	size_t i;

	for (i = 0; i < us.nr_files; i++)
		if (us.files[i].elf == elf)
			return us.files[i].id;
	us.files = bb_xrealloc(us.files, us.nr_files + 1, sizeof(*us.files));
	us.files[us.nr_files].elf = elf;
	us.files[us.nr_files].id = load_rows(elf, module);
	return us.files[us.nr_files++].id;
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
	m->obj = c->elf ? file_id(c->elf, c->module) : 0;
}

void bb_ustack_track(struct bb_usyms *u)
{
	static struct bb_unwind_proc p;
	uint32_t pid;

	if (!us.rows || !u)
		return;
	memset(&p, 0, sizeof(p));
	bb_usyms_each_code(u, add_code, &p);
	pid = bb_usyms_pid(u);
	if (bpf_map_update_elem(us.procs_fd, &pid, &p, BPF_ANY))
		bb_warn("cannot give the kernel the mappings of %u: %s", pid, strerror(errno));
}

uint64_t bb_ustack_unmapped(void)
{
	return us.stats_fd < 0 ? 0 : bb_percpu_sum(us.stats_fd, BB_UNWIND_UNMAPPED);
}
