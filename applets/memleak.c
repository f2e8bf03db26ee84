// SPDX-License-Identifier: GPL-2.0
/*
 * memleak: memory allocated and not freed, by allocating stack.
 *
 * With a target (-p PID, -c CMD, -- CMD ARGS) it probes the allocator the
 * target really uses: glibc's or musl's libc, or the executable itself
 * when it is static.  Without one it follows the kernel's allocations.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "../common/bpfbox.h"
#include "../common/agg.h"
#include "../common/filters.h"
#include "../common/ksyms.h"
#include "../common/loader.h"
#include "../common/output.h"
#include "../common/record.h"
#include "../common/target.h"
#include "../common/uprobes.h"
#include "../common/usyms.h"
#include "memleak.h"
#include "memleak.skel.h"

#define ALLOCS_SHOWN 10		/* -a: allocations listed per stack */

enum { O_SORT = 256, O_EVENTS, O_FOLDED, O_PREFIX, O_MAX_ALLOCS };

static const struct bb_option ml_options[] = {
	{ "command", 'c', "CMD", "run CMD (split into words like a shell, no expansion)" },
	{ "object", 'O', "OBJ", "probe the allocator in OBJ (a path, or a mapped library's name)" },
	{ "symbol-prefix", O_PREFIX, "PFX", "allocator symbols carry a prefix (e.g. je_ for jemalloc)" },
	{ "show-allocs", 'a', NULL, "list the outstanding allocations of each stack" },
	{ "older", 'o', "MS", "only allocations older than MS milliseconds" },
	{ "sample", 's', "N", "track one allocation in N (less overhead)" },
	{ "min-size", 'z', "BYTES", "ignore allocations smaller than BYTES" },
	{ "max-size", 'Z', "BYTES", "ignore allocations larger than BYTES" },
	{ "top-stacks", 'T', "N", "stacks per report (same as --top)" },
	{ "sort", O_SORT, "KEY", "order stacks by size (default) or count" },
	{ "events", O_EVENTS, NULL, "one line per allocator call instead of reports" },
	{ "folded", O_FOLDED, NULL, "final report as folded stacks (flamegraph.pl, speedscope)" },
	{ "max-allocs", O_MAX_ALLOCS, "N", "outstanding allocations tracked at most (default 1M)" },
	{ 0 }
};

static struct {
	const char *command, *object, *prefix;
	bool show_allocs, events, folded;
	unsigned long long older_ms, sample, min_size, max_size, max_allocs;
	enum bb_agg_order order;
} cfg = { .prefix = "", .order = BB_AGG_BY_BYTES, .sample = 1, .max_size = ~0ULL, .max_allocs = 1 << 20 };

static struct bb_target target;
static bool kernel_mode;
static struct memleak_bpf *skel;

static int ml_parse(int key, const char *arg)
{
	unsigned long long n;

	switch (key) {
	case 'c': cfg.command = arg; return 0;
	case 'O': cfg.object = arg; return 0;
	case O_PREFIX: cfg.prefix = arg; return 0;
	case 'a': cfg.show_allocs = true; return 0;
	case O_EVENTS: cfg.events = true; return 0;
	case O_FOLDED: cfg.folded = true; return 0;
	case 'o': return bb_parse_uint(arg, 1ULL << 40, &cfg.older_ms);
	case 's': return bb_parse_uint(arg, 1 << 30, &cfg.sample) || !cfg.sample ? -1 : 0;
	case 'z': return bb_parse_uint(arg, ~0ULL, &cfg.min_size);
	case 'Z': return bb_parse_uint(arg, ~0ULL, &cfg.max_size);
	case O_MAX_ALLOCS:
		return bb_parse_uint(arg, 1 << 26, &cfg.max_allocs) || !cfg.max_allocs ? -1 : 0;
	case 'T':
		if (bb_parse_uint(arg, 1000000, &n))
			return -1;
		bb_opts.top = n;
		return 0;
	case O_SORT:
		if (!strcmp(arg, "size"))
			cfg.order = BB_AGG_BY_BYTES;
		else if (!strcmp(arg, "count"))
			cfg.order = BB_AGG_BY_COUNT;
		else
			return -1;
		return 0;
	}
	return -1;
}

/* ---- finding and probing the allocator ------------------------------------ */

static const struct bb_uprobe user_probes[] = {
	{ "malloc", "ml_malloc", ML_MALLOC, true, true },
	{ "free", "ml_free", ML_FREE, false, true, true },
	{ "calloc", "ml_calloc", ML_CALLOC, true },
	{ "realloc", "ml_realloc", ML_REALLOC, true },
	{ "reallocarray", "ml_reallocarray", ML_REALLOCARRAY, true },
	{ "posix_memalign", "ml_posix_memalign", ML_POSIX_MEMALIGN, true },
	{ "aligned_alloc", "ml_aligned_alloc", ML_ALIGNED_ALLOC, true },
	{ "memalign", "ml_memalign", ML_MEMALIGN, true },
	{ "valloc", "ml_valloc", ML_VALLOC, true },
	{ "pvalloc", "ml_pvalloc", ML_PVALLOC, true },
	{ "mmap", "ml_mmap", ML_MMAP, true },
	{ "mremap", "ml_mremap", ML_MREMAP, true },
	{ "munmap", "ml_munmap", ML_MUNMAP },
};

/* Entries and returns: uprobe.multi where the kernel has it (6.6+). */
static struct bb_hook user_hooks[] = {
	{ .what = "allocator entries", .progs = { "ml_enter_multi", "ml_malloc" },
	  .manual = true },
	{ .what = "allocator returns", .progs = { "ml_return_multi", "ml_return" },
	  .manual = true },
};

static struct bb_uprobe_set probes = {
	.probes = user_probes,
	.nr = ARRAY_SIZE(user_probes),
	.entries = &user_hooks[0],
	.returns = &user_hooks[1],
};

static const char *const libc_names[] = { "libc.so.6", NULL };

static void find_allocator(char *out, size_t len)
{
	if (bb_uprobes_find_module(&target, cfg.object, cfg.prefix, "malloc", libc_names,
				   out, len))
		return;
	bb_die("no allocator found: %s has no %smalloc (give the library with -O, "
	       "and --symbol-prefix if its symbols have one)",
	       cfg.object ? cfg.object : target.exe, cfg.prefix);
}

static void attach_allocator(const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	bb_uprobes_attach(&probes, path, target.pid);
	fprintf(stderr, "memleak: tracing %smalloc and friends in %s, pid %d (%s); "
		"Ctrl-C to stop\n", cfg.prefix, base, target.pid, user_hooks[0].method);
}

/* ---- kernel mode ------------------------------------------------------------ */

static struct bb_hook kernel_hooks[] = {
	{ .what = "kmem:kmalloc", .progs = { "ml_kmalloc" } },
	{ .what = "kmem:kfree", .progs = { "ml_kfree" } },
	{ .what = "kmem:kmem_cache_alloc", .progs = { "ml_kmem_cache_alloc" } },
	{ .what = "kmem:kmem_cache_free", .progs = { "ml_kmem_cache_free" } },
	/* Before 6.1 only: later, kmalloc and kmem_cache_alloc have the node. */
	{ .what = "kmem:kmalloc_node", .progs = { "ml_kmalloc_node" }, .optional = true },
	{ .what = "kmem:kmem_cache_alloc_node", .progs = { "ml_kmem_cache_alloc_node" },
	  .optional = true },
	{ .what = "kmem:mm_page_alloc", .progs = { "ml_page_alloc" }, .optional = true },
	{ .what = "kmem:mm_page_free", .progs = { "ml_page_free" }, .optional = true },
};

static int ml_configure(void *s)
{
	struct memleak_bpf *sk = s;

	bb_filter_fill((struct bb_filter *)&sk->rodata->bb_cfg_filter);
	sk->rodata->cfg_events = cfg.events;
	sk->rodata->cfg_stacks = !cfg.events;	/* events carry no stack */
	sk->rodata->cfg_sample_every = cfg.sample;
	sk->rodata->cfg_min_size = cfg.min_size;
	sk->rodata->cfg_max_size = cfg.max_size;
	bpf_map__set_max_entries(sk->maps.bb_events, bb_opts.buffer_size);
	bpf_map__set_max_entries(sk->maps.ml_allocs, cfg.max_allocs);
	return 0;
}

/* ---- printing ---------------------------------------------------------------- */

static const char *const op_names[ML_OP_NR] = {
	"malloc", "calloc", "realloc", "reallocarray", "posix_memalign", "aligned_alloc",
	"memalign", "valloc", "pvalloc", "mmap", "mremap", "free", "munmap",
	"kmalloc", "kmem_cache_alloc", "page_alloc", "kfree", "kmem_cache_free", "page_free",
};

/* One frame as text: live from the symbolizers, from the file in report. */
static bool is_kernel_addr(uint64_t addr)
{
	return kernel_mode || (!target.syms && !bb_usym_get(addr) && addr >= (1ULL << 63));
}

static void format_frame(uint64_t addr, char *buf, size_t len)
{
	if (is_kernel_addr(addr))
		bb_ksyms_format(bb_kernel_syms(), addr, buf, len);
	else
		bb_usym_format(target.syms, addr, buf, len);
}

static void ml_print_event(const void *data, size_t len)
{
	const struct memleak_event *e = data;
	const char *op;
	char when[32];
	struct bb_json j;

	if (len < sizeof(*e))
		bb_die("corrupt memleak event (%zu bytes)", len);
	op = e->op < ML_OP_NR ? op_names[e->op] : "?";
	bb_format_time(e->ts_ns, bb_wall_base, when, sizeof(when));
	if (!bb_opts.json) {
		printf("%s %7u %7u %-15s %-14s 0x%-14llx %10llu", when, e->tgid, e->tid, e->comm,
		       op, (unsigned long long)e->addr, (unsigned long long)e->size);
		if (e->old_addr)
			printf(" from 0x%llx", (unsigned long long)e->old_addr);
		putchar('\n');
		return;
	}
	bb_json_begin(&j, stdout);
	bb_json_str(&j, "time", when);
	bb_json_u64(&j, "pid", e->tgid);
	bb_json_u64(&j, "tid", e->tid);
	bb_json_str(&j, "comm", e->comm);
	bb_json_str(&j, "op", op);
	bb_json_u64(&j, "addr", e->addr);
	bb_json_u64(&j, "size", e->size);
	if (e->old_addr)
		bb_json_u64(&j, "old_addr", e->old_addr);
	bb_json_end(&j);
}

/* -a: the live allocations, read once per report. */
struct alloc_entry {
	__u64 addr;
	struct memleak_alloc a;
};

static struct alloc_entry *allocs;
static size_t nr_allocs;

static void print_frames_folded(const uint64_t *frames, int n, __u64 bytes)
{
	char sym[BB_FRAME_TEXT];
	int i;

	for (i = n - 1; i >= 0; i--) {
		format_frame(frames[i], sym, sizeof(sym));
		bb_frame_function(sym);	/* a frame per function, as flame graphs want */
		printf("%s%s", sym, i ? ";" : "");
	}
	printf("%s %llu\n", n ? "" : "[unknown]", (unsigned long long)bytes);
}

static void print_allocs_of(__s32 stack_id, uint64_t now)
{
	size_t i, shown = 0;

	for (i = 0; i < nr_allocs && shown < ALLOCS_SHOWN; i++) {
		if (allocs[i].a.stack_id != stack_id)
			continue;
		printf("\t\taddr = 0x%llx size = %llu age = %.3fs\n",
		       (unsigned long long)allocs[i].addr, (unsigned long long)allocs[i].a.size,
		       (now - allocs[i].a.ts_ns) / 1e9);
		shown++;
	}
}

static void row_json(const struct bb_agg_row *r, const char *when, const uint64_t *frames,
		     int n, bool final)
{
	struct bb_json j;

	bb_json_begin(&j, stdout);
	bb_json_str(&j, "type", final ? "final" : "interval");
	bb_json_str(&j, "time", when);
	bb_json_u64(&j, "bytes", r->val.bytes);
	bb_json_u64(&j, "count", r->val.count);
	bb_json_frames(&j, "stack", frames, n, format_frame);
	bb_json_end(&j);
}

static void print_row(const struct bb_agg_row *r, const char *when, uint64_t now, bool final)
{
	const struct memleak_key *k = r->key;
	uint64_t frames[BB_MAX_STACK];
	int n = bb_stack_frames(k->stack_id, frames, BB_MAX_STACK);

	if (cfg.folded) {
		if (final)
			print_frames_folded(frames, n, r->val.bytes);
		return;
	}
	if (bb_opts.json) {
		row_json(r, when, frames, n, final);
		return;
	}
	printf("\t%llu bytes in %llu allocations from stack\n",
	       (unsigned long long)r->val.bytes, (unsigned long long)r->val.count);
	bb_print_frames("\t\t", frames, n, format_frame, "[stack lost]");
	if (cfg.show_allocs)
		print_allocs_of(k->stack_id, now);
}

static void ml_print_table(const struct bb_agg_table *t, bool final)
{
	uint64_t now = bb_now_ns(CLOCK_BOOTTIME);
	char when[32];
	size_t i;

	bb_format_time(t->ts_ns, bb_wall_base, when, sizeof(when));
	if (!bb_opts.json && !cfg.folded)
		printf("[%s] Top %zu stacks with outstanding allocations%s:\n", when, t->nr,
		       final ? " (final)" : "");
	for (i = 0; i < t->nr; i++)
		print_row(&t->rows[i], when, now, final);
	fflush(stdout);
}

/* ---- reports ------------------------------------------------------------------ */

static void read_allocs(int fd)
{
	__u64 key, *prev = NULL;
	size_t cap = 0;

	nr_allocs = 0;
	while (!bpf_map_get_next_key(fd, prev, &key)) {
		prev = &key;
		if (nr_allocs == cap) {
			cap = cap ? cap * 2 : 1024;
			allocs = bb_xrealloc(allocs, cap, sizeof(*allocs));
		}
		if (!bpf_map_lookup_elem(fd, &key, &allocs[nr_allocs].a)) {
			allocs[nr_allocs].addr = key;
			nr_allocs++;
		}
	}
}

/* -o: the in-kernel totals cannot tell ages apart; group the allocations. */
static void table_from_allocs(struct bb_agg_table *t, uint64_t now)
{
	uint64_t older_ns = cfg.older_ms * 1000000ULL;
	size_t i;

	bb_agg_clear(t);
	t->ts_ns = now;
	for (i = 0; i < nr_allocs; i++) {
		struct memleak_key k = { .stack_id = allocs[i].a.stack_id };
		struct bb_agg_val v = { 1, allocs[i].a.size, allocs[i].a.ts_ns,
					allocs[i].a.ts_ns };

		if (now - allocs[i].a.ts_ns >= older_ns)
			bb_agg_put(t, &k, &v, NULL);
	}
}

static void ml_tick(void *ctx, bool final)
{
	static struct bb_agg_table table;
	uint64_t now = bb_now_ns(CLOCK_BOOTTIME);
	int err;

	(void)ctx;
	if (!table.key_size)
		bb_agg_init(&table, sizeof(struct memleak_key), false);
	bb_target_refresh(&target);
	if (cfg.folded && !final)
		return;
	if (cfg.show_allocs || cfg.older_ms)
		read_allocs(bpf_map__fd(skel->maps.ml_allocs));
	if (cfg.older_ms) {
		table_from_allocs(&table, now);
	} else {
		err = bb_agg_read_map(bpf_map__fd(skel->maps.ml_outstanding), &table);
		if (err)
			bb_die("cannot read the outstanding totals: %s", strerror(-err));
	}
	bb_agg_drop_empty(&table);
	bb_agg_sort(&table, cfg.order, bb_opts.top);
	bb_agg_emit(&table, final);
}

/* ---- main ------------------------------------------------------------------------ */

static const struct bb_skel_ops ml_skel = BB_SKEL_OPS(memleak_bpf);

static void start(struct bb_load *l)
{
	char allocator[PATH_MAX];

	if (!kernel_mode)
		find_allocator(allocator, sizeof(allocator));
	bb_load_attach(l);
	skel = l->skel;
	bb_stacks_use_map(bpf_map__fd(skel->maps.ml_stacks), kernel_mode ? NULL : &target.syms);
	if (kernel_mode) {
		fprintf(stderr, "memleak: tracing kernel allocations; Ctrl-C to stop\n");
		return;
	}
	attach_allocator(allocator);
	bb_target_run(&target);
}

static int ml_main(int argc, char **argv)
{
	struct bb_load l = { .ops = &ml_skel, .configure = ml_configure };
	struct bb_loop *loop;

	kernel_mode = !bb_target_choose(&target, cfg.command, argc, argv);
	l.hooks = kernel_mode ? kernel_hooks : user_hooks;
	l.nr_hooks = kernel_mode ? ARRAY_SIZE(kernel_hooks) : ARRAY_SIZE(user_hooks);
	l.uprobes = kernel_mode ? NULL : &probes;
	probes.prefix = cfg.prefix;
	if (bb_opts.write_file)
		bb_record_open(bb_opts.write_file, kernel_mode);
	start(&l);
	bb_install_signals();
	loop = bb_loop_new();
	if (cfg.events)
		bb_loop_add_ringbuf(loop, bpf_map__fd(skel->maps.bb_events),
				    bb_on_event, NULL);
	else
		bb_loop_on_tick(loop, ml_tick, NULL);
	if (!kernel_mode)
		bb_target_watch(&target, loop);
	bb_session_run(&l, loop);
	bb_target_finish(&target);
	return 0;
}

BB_APPLET(memleak,
	.name = "memleak",
	.summary = "outstanding user and kernel allocations, with stacks",
	.usage = "[-p PID | -c CMD | -- CMD [ARGS]]",
	.description =
	"Tracks allocations not yet freed and reports them by allocating stack,\n"
	"every interval and at the end (for a command: when it exits: its leaks).\n"
	"Without a target, follows the kernel's allocations (kmalloc, slab, pages).\n"
	"Examples:\n"
	"  memleak -p 1234 -i 10              top stacks of process 1234 every 10s\n"
	"  memleak -- ./server --port 80      run a command, report what it leaked\n"
	"  memleak -c './app -x' -o 5000 -a   allocations older than 5s, listed\n"
	"  memleak -p 1234 -O libjemalloc.so.2 --symbol-prefix je_\n"
	"  memleak -- ./app --folded > app.folded; flamegraph.pl app.folded\n",
	.common = BB_OPT_OUTPUT | BB_OPT_TASK | BB_OPT_BPF,
	.options = ml_options,
	.parse = ml_parse,
	.lost_other = "allocations not followed (--max-allocs reached, or the pending-call table full)",
	.main = ml_main,
	.print_event = ml_print_event,
	.print_table = ml_print_table,
);
