// SPDX-License-Identifier: GPL-2.0
/*
 * memleak: memory allocated and not freed, by allocating stack.
 *
 * With a target (-p PID, -c CMD, -- CMD ARGS) it probes the malloc the
 * target really calls, found as the dynamic linker binds it (uprobes.c):
 * jemalloc, tcmalloc, a preloaded one, libc's, or the executable's own.
 * A started program is followed through its execs (and its children with
 * -f), and when it exits its memory is scanned to tell leaks from live
 * blocks (memleak/leakscan.c).  Without a target it follows the kernel's
 * allocations.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <elf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "../common/bpfbox.h"
#include "../common/elfsyms.h"
#include "../common/agg.h"
#include "../common/filters.h"
#include "../common/ksyms.h"
#include "../common/loader.h"
#include "../common/outfile.h"
#include "../common/output.h"
#include "../common/record.h"
#include "../common/target.h"
#include "../common/uprobes.h"
#include "../common/usyms.h"
#include "memleak.h"
#include "memleak/inproc.h"
#include "memleak/inject.h"
#include "memleak/leakscan.h"
#include "memleak.skel.h"

#define ALLOCS_SHOWN 10		/* -a: allocations listed per stack */
#define MAX_ALLOCS_LIMIT (1U << 22)	/* --max-allocs at most */

enum { O_SORT = 256, O_EVENTS, O_FOLDED, O_PREFIX, O_MAX_ALLOCS, O_OLDER, O_ERROR_EXIT,
       O_SUPPRESS, O_ENGINE };

static const struct bb_option ml_options[] = {
	{ "command", 'c', "CMD", "run CMD (split into words like a shell, no expansion)" },
	{ "follow-forks", 'f', NULL, "follow the started program's children, each reported on its own" },
	{ "object", 'O', "OBJ", "probe the allocator in OBJ (a path, or a mapped library's name)" },
	{ "symbol-prefix", O_PREFIX, "PFX", "allocator symbols carry a prefix (e.g. je_ for jemalloc)" },
	{ "show-allocs", 'a', NULL, "list the outstanding allocations of each stack" },
	{ "output", 'o', "FILE", "the report in FILE (new, 0600), apart from the program's output" },
	{ "older", O_OLDER, "MS", "only allocations older than MS milliseconds (bcc's -o)" },
	{ "error-exitcode", O_ERROR_EXIT, "N", "exit N when leaks remain at the end (definitely lost)" },
	{ "suppress", O_SUPPRESS, "FILE", "leave out stacks through the functions or objects FILE names" },
	{ "sample", 's', "N", "track one allocation in N (less overhead)" },
	{ "min-size", 'z', "BYTES", "ignore allocations smaller than BYTES" },
	{ "max-size", 'Z', "BYTES", "ignore allocations larger than BYTES" },
	{ "top-stacks", 'T', "N", "stacks per report (same as --top)" },
	{ "sort", O_SORT, "KEY", "order stacks by size (default) or count" },
	{ "events", O_EVENTS, NULL, "one line per allocator call instead of reports" },
	{ "folded", O_FOLDED, NULL, "final report as folded stacks (flamegraph.pl, speedscope)" },
	{ "max-allocs", O_MAX_ALLOCS, "N", "outstanding allocations tracked at most (default 1M)" },
	{ "engine", O_ENGINE, "E", "inprocess (a started dynamic program's default), uprobe, or inject (-p)" },
	{ 0 }
};

static struct {
	const char *command, *object, *prefix, *output;
	bool show_allocs, events, folded, follow_forks;
	unsigned long long older_ms, sample, min_size, max_size, max_allocs, error_exitcode;
	enum bb_agg_order order;
	enum { ENGINE_AUTO, ENGINE_INPROCESS, ENGINE_UPROBE, ENGINE_INJECT } engine;
} cfg = { .prefix = "", .order = BB_AGG_BY_BYTES, .sample = 1, .max_size = ~0ULL, .max_allocs = 1 << 20 };

static struct bb_target target;
static bool kernel_mode;
static struct memleak_bpf *skel;

/*
 * Suppressions: a stack through one of these functions, or objects (a
 * mapped file's name), is left out.  The C library's own one-time
 * buffers (stdio, locale, time zone, ld.so) are left out by default
 * unless lost: a program cannot free them.
 */
static const char *const default_suppressions[] = {
	"_IO_file_doallocate", "setlocale", "_nl_find_locale", "_nl_load_locale_from_archive",
	"__tzfile_read", "tzset_internal", "_dl_allocate_tls", "_dl_map_object",
	"__libc_dlopen_mode", "__nss_database_get",
};
static char **suppressions;
static size_t nr_suppressions;

static void read_suppressions(const char *path)
{
	FILE *f = fopen(path, "re");
	char line[512];

	if (!f)
		bb_die("cannot read %s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *w = line + strspn(line, " \t");

		w[strcspn(w, " \t\r\n")] = 0;
		if (!*w || *w == '#')
			continue;
		suppressions = bb_xrealloc(suppressions, nr_suppressions + 1, sizeof(*suppressions));
		suppressions[nr_suppressions++] = bb_xstrdup(w);
	}
	fclose(f);
}

static int ml_parse(int key, const char *arg)
{
	unsigned long long n;

	switch (key) {
	case 'c': cfg.command = arg; return 0;
	case 'O': cfg.object = arg; return 0;
	case O_PREFIX: cfg.prefix = arg; return 0;
	case 'a': cfg.show_allocs = true; return 0;
	case 'f': cfg.follow_forks = true; return 0;
	case O_EVENTS: cfg.events = true; return 0;
	case O_FOLDED: cfg.folded = true; return 0;
	case 'o':
		/* bcc's -o was the age: a number here is that mistake, not a file. */
		if (arg[strspn(arg, "0123456789")] == 0)
			bb_die("-o takes the report's file; --older %s for allocations older "
			       "than %s ms", arg, arg);
		cfg.output = arg;
		return 0;
	case O_OLDER: return bb_parse_uint(arg, 1ULL << 40, &cfg.older_ms);
	case O_SUPPRESS: read_suppressions(arg); return 0;
	case O_ENGINE:
		if (!strcmp(arg, "inprocess"))
			cfg.engine = ENGINE_INPROCESS;
		else if (!strcmp(arg, "uprobe"))
			cfg.engine = ENGINE_UPROBE;
		else if (!strcmp(arg, "inject"))
			cfg.engine = ENGINE_INJECT;
		else
			bb_die("--engine: '%s' is neither inprocess, uprobe nor inject", arg);
		return 0;
	case O_ERROR_EXIT:
		return bb_parse_uint(arg, 255, &cfg.error_exitcode) || !cfg.error_exitcode ? -1 : 0;
	case 's': return bb_parse_uint(arg, 1 << 30, &cfg.sample) || !cfg.sample ? -1 : 0;
	case 'z': return bb_parse_uint(arg, ~0ULL, &cfg.min_size);
	case 'Z': return bb_parse_uint(arg, ~0ULL, &cfg.max_size);
	case O_MAX_ALLOCS:
		/* ~100 bytes of kernel memory each: 4M is 400 MB already. */
		if (bb_parse_uint(arg, MAX_ALLOCS_LIMIT, &cfg.max_allocs) || !cfg.max_allocs)
			bb_die("--max-allocs: '%s' is not a number from 1 to %u (each takes "
			       "~100 bytes of kernel memory)", arg, MAX_ALLOCS_LIMIT);
		return 0;
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

static void find_allocator(const struct bb_target *t, char *out, size_t len)
{
	if (bb_uprobes_find_module(t, cfg.object, cfg.prefix, "malloc", libc_names, out, len))
		return;
	if (!bb_target_alive(&target))	/* an exit mid-attach looks like no malloc */
		bb_die("process %d exited while memleak was attaching to it", target.pid);
	bb_die("no allocator found: %s has no %smalloc (give the library with -O, "
	       "and --symbol-prefix if its symbols have one)",
	       cfg.object ? cfg.object : t->exe, cfg.prefix);
}

/* Which allocator @path holds, told by a function only that one has. */
static const char *allocator_name(const char *path)
{
	static const struct { const char *func, *name; } marks[] = {
		{ "mallctl", "jemalloc" }, { "je_mallctl", "jemalloc" },
		{ "tc_malloc", "tcmalloc" }, { "mi_malloc", "mimalloc" },
		{ "__libc_malloc_impl", "musl" }, { "__libc_malloc", "glibc" },
	};
	unsigned long long off;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(marks); i++)
		if (!bb_elf_func_offset(path, marks[i].func, &off))
			return marks[i].name;
	return strstr(path, "musl") ? "musl" : "unknown";
}

/* Process @t's probes: the loader's set for the target, a copy for a child. */
static struct bb_uprobe_set *probes_of(const struct bb_target *t)
{
	return t->data ? t->data : &probes;
}

static void say_engine(void);

struct alloc_text {
	const char *module;
	struct memleak_text r;
};

static void widen_text(const struct bb_usyms_code *c, void *ctx)
{
	struct alloc_text *a = ctx;

	if (!c->module || strcmp(c->module, a->module))
		return;
	if (!a->r.hi || c->start < a->r.lo)
		a->r.lo = c->start;
	if (c->end > a->r.hi)
		a->r.hi = c->end;
}

/* Where the allocator library's code is in @t (ml_alloc_text in
 * memleak.bpf.c): the mmaps it makes itself are not the program's, as the
 * in-process engine does not see them.  In a static program the
 * allocator is the executable, whose every call is the program's. */
static void note_allocator_text(const struct bb_target *t, const char *base)
{
	const char *exe = strrchr(t->exe, '/') ? strrchr(t->exe, '/') + 1 : t->exe;
	struct alloc_text a = { .module = base };
	int fd = bpf_map__fd(skel->maps.ml_alloc_text);
	__u32 pid = t->pid;

	if (strcmp(base, exe))
		bb_usyms_each_code(t->syms, widen_text, &a);
	if (a.r.hi)
		bpf_map_update_elem(fd, &pid, &a.r, BPF_ANY);
	else
		bpf_map_delete_elem(fd, &pid);
}

static void attach_allocator(const struct bb_target *t, const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	bb_uprobes_attach(probes_of(t), path, t->pid);
	note_allocator_text(t, base);
	say_engine();
	if (t != &target && probes_of(&target)->nr_links) {
		fprintf(stderr, "memleak: following pid %d (%s): %s (%s)\n", t->pid, t->cmdline,
			base, allocator_name(path));
		return;
	}
	fprintf(stderr, "memleak: tracing %smalloc and friends in %s (%s), pid %d (%s); "
		"Ctrl-C to stop\n", cfg.prefix, base, allocator_name(path), t->pid,
		user_hooks[0].method);
}

/* Every entry of map @fd whose key's 32 bits at @tgid_off are @pid deleted. */
static void forget_map(int fd, size_t key_size, size_t tgid_off, int pid)
{
	char key[16], *keys = NULL, *prev = NULL;
	size_t n = 0, cap = 0, i;
	__u32 tgid;

	if (key_size > sizeof(key))
		bb_die("memleak: map key of %zu bytes", key_size);
	/* Keys first, deletions after: deleting under the walk restarts it. */
	while (!bpf_map_get_next_key(fd, prev, key)) {
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			keys = bb_xrealloc(keys, cap, key_size);
		}
		memcpy(keys + n * key_size, key, key_size);
		prev = keys + n++ * key_size;
	}
	for (i = 0; i < n; i++) {
		memcpy(&tgid, keys + i * key_size + tgid_off, sizeof(tgid));
		if (tgid == (__u32)pid)
			bpf_map_delete_elem(fd, keys + i * key_size);
	}
	free(keys);
}

/* What process @pid had outstanding is gone (its image replaced). */
static void forget_process(int pid)
{
	forget_map(bpf_map__fd(skel->maps.ml_allocs), sizeof(struct memleak_addr),
		   offsetof(struct memleak_addr, tgid), pid);
	forget_map(bpf_map__fd(skel->maps.ml_outstanding), sizeof(struct memleak_key),
		   offsetof(struct memleak_key, tgid), pid);
}

/* ---- the engines ---------------------------------------------------------- */

/*
 * The in-process engine (memleak/inproc.c): for a command memleak starts,
 * when it is a dynamic glibc program, an object preloaded into it keeps
 * the tables in memory bpfbox maps too: no trap per call.  The uprobe
 * engine otherwise: a running process (-p: attaching by uprobes touches
 * nothing in it), a static program or another libc's, -f (the in-process
 * engine follows one process), --events (a line per call).
 */
static bool inproc_ready;	/* the preload is in the command's environment */
static bool inproc_used;	/* an image was followed in-process */
static char engine_note[PATH_MAX + 256];

/* The malloc the program binds is glibc's (jemalloc's, linked or
 * preloaded, is traced where it is: the uprobe engine). */
static const char *glibc_malloc_reason(const char *path, char *why, size_t len)
{
	struct bb_target t = { .launched = true, .pid = -1 };
	char allocator[PATH_MAX];
	const char *name;

	snprintf(t.exe, sizeof(t.exe), "%s", path);
	if (!bb_uprobes_find_module(&t, NULL, "", "malloc", libc_names, allocator,
				    sizeof(allocator)))
		return NULL;
	name = allocator_name(allocator);
	if (!strcmp(name, "glibc"))
		return NULL;
	snprintf(why, len, "its malloc is %s's, in %s (the in-process engine stands in "
		 "for glibc's)", name, allocator);
	return why;
}

static const char *uprobe_reason(const char *command, int argc, char **argv, char *why,
				 size_t len)
{
	char path[PATH_MAX], **words = command ? bb_split_words(command) : argv;
	const char *name = words && words[0] ? words[0] : "";
	enum ml_program kind;

	if (!command && !argc)
		return "-p: attaching by uprobes touches nothing in a running process";
	if (cfg.engine == ENGINE_UPROBE)
		return "asked for (--engine uprobe)";
	if (cfg.follow_forks)
		return "-f: the in-process engine follows one process";
	if (cfg.events)
		return "--events: a line per call";
	if (cfg.object || *cfg.prefix)
		return "-O / --symbol-prefix name the allocator to probe";
	if (bb_opts.tid || bb_opts.comm[0] || bb_opts.cgroup_id || bb_opts.mntns)
		return "--tid, --comm, --cgroup, --mntns filter in the kernel";
	if (!ml_find_program(name, path, sizeof(path)))
		return NULL;	/* exec will say */
	kind = ml_program_kind(path);
	if (kind == ML_PROG_GLIBC)
		return glibc_malloc_reason(path, why, len);
	snprintf(why, len, "%s is %s (the in-process engine preloads into dynamic glibc "
		 "programs)", path, kind == ML_PROG_STATIC ? "static" :
		 kind == ML_PROG_OTHER ? "linked with another libc" : "no ELF program");
	return why;
}

/* --engine inject: a running dynamic glibc process, nothing the engine
 * cannot do asked for. */
static void choose_injection(const char *command, int argc)
{
	char exe[64];
	enum ml_program kind;

	if (command || argc || !bb_opts.tgid)
		bb_die("--engine inject is for a running process (-p PID); a program memleak "
		       "starts gets the in-process engine preloaded");
	if (cfg.events || cfg.object || *cfg.prefix || bb_opts.tid || bb_opts.comm[0] ||
	    bb_opts.cgroup_id || bb_opts.mntns)
		bb_die("--engine inject: --events, -O, --symbol-prefix, --tid, --comm, --cgroup "
		       "and --mntns are the uprobe engine's");
	snprintf(exe, sizeof(exe), "/proc/%d/exe", bb_opts.tgid);
	kind = ml_program_kind(exe);
	if (kind != ML_PROG_GLIBC)
		bb_die("--engine inject: pid %d is %s (the engine loads into dynamic glibc "
		       "programs): the uprobe engine traces it", bb_opts.tgid,
		       kind == ML_PROG_STATIC ? "a static program" :
		       kind == ML_PROG_OTHER ? "linked with another libc" : "no readable ELF program");
	if (!ml_inproc_prepare(cfg.max_allocs, cfg.min_size, cfg.max_size, cfg.sample))
		bb_die("--engine inject: the in-process engine could not be prepared: %s",
		       strerror(errno));
	inproc_ready = true;
}

/* Before the command starts: which engine, said in one line. */
static void choose_engine(const char *command, int argc, char **argv)
{
	char why_buf[PATH_MAX + 128];
	const char *why;

	if (cfg.engine == ENGINE_INJECT) {
		choose_injection(command, argc);
		return;
	}
	why = uprobe_reason(command, argc, argv, why_buf, sizeof(why_buf));

	if (!why && !ml_inproc_prepare(cfg.max_allocs, cfg.min_size, cfg.max_size,
				       cfg.sample)) {
		snprintf(why_buf, sizeof(why_buf), "the in-process engine could not be "
			 "prepared: %s", strerror(errno));
		why = why_buf;
	}
	if (why) {
		if (cfg.engine == ENGINE_INPROCESS)
			bb_die("--engine inprocess: %s", why);
		snprintf(engine_note, sizeof(engine_note), "uprobe engine: %s", why);
		return;
	}
	inproc_ready = true;
	snprintf(engine_note, sizeof(engine_note), "in-process engine (preloaded: no trap "
		 "per call; --engine uprobe for the other)");
}

/* Said once, when the first image is traced (not before a refusal). */
static void say_engine(void)
{
	if (engine_note[0])
		fprintf(stderr, "memleak: %s\n", engine_note);
	engine_note[0] = 0;
}

/*
 * A started program at an exec, its first included: the allocator of the
 * new image is the one to trace, and what the old image had outstanding
 * (env's, a shell's) went away with it.  A dynamic glibc image is followed
 * in-process when the command was prepared so (the preload inherited).
 */
static void on_exec(struct bb_target *t)
{
	bool inproc = inproc_ready && ml_program_kind(t->exe) == ML_PROG_GLIBC;
	char allocator[PATH_MAX];

	if (probes_of(t)->nr_links || (ml_inproc_pid() && ml_inproc_pid() == t->pid))
		fprintf(stderr, "memleak: pid %d execs %s: its allocations start over\n",
			t->pid, t->exe);
	if (probes_of(t)->nr_links) {
		bb_uprobes_detach(probes_of(t));
		forget_process(t->pid);
	}
	/* (Stopped at the exec: nothing writes the tables meanwhile.) */
	ml_inproc_follow(inproc ? t->pid : 0);
	if (inproc) {
		ml_inproc_set_maps(t->syms);	/* (x86: its libraries mapped already) */
		say_engine();
		if (!inproc_used)
			fprintf(stderr, "memleak: tracing malloc and friends in-process, "
				"pid %d (preload); Ctrl-C to stop\n", t->pid);
		inproc_used = true;
		return;
	}
	find_allocator(t, allocator, sizeof(allocator));
	attach_allocator(t, allocator);
}

/* --engine inject: the engine into the running target, its tables ours. */
static void inject_engine(struct bb_target *t)
{
	int slots;

	if (!t->syms)
		bb_die("--engine inject: pid %d's mappings: %s", t->pid, strerror(errno));
	ml_inproc_follow(t->pid);
	ml_inproc_set_maps(t->syms);
	slots = ml_inject(t->pid);
	bb_target_refresh(t);		/* (the engine, an exec meanwhile) */
	ml_inproc_set_maps(t->syms);
	inproc_used = true;
	fprintf(stderr, "memleak: tracing malloc and friends in-process, pid %d (%s): engine "
		"injected through ptrace, %d GOT slots pointed at it; only allocations made "
		"from now on are followed; Ctrl-C to stop\n", t->pid, t->exe, slots);
}

/* -f: a child of a followed process, stopped until its probes are placed. */
static void on_fork(struct bb_target *parent, struct bb_target *child)
{
	struct bb_uprobe_set *set = bb_xcalloc(1, sizeof(*set));
	char allocator[PATH_MAX];

	(void)parent;
	*set = probes;
	set->links = NULL;
	set->nr_links = 0;
	child->data = set;
	find_allocator(child, allocator, sizeof(allocator));
	attach_allocator(child, allocator);
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
	/* (In-process: the kernel's table only for an image exec'd later that
	 * the uprobe engine follows; a preallocated 1M would cost ~100 MB.) */
	bpf_map__set_max_entries(sk->maps.ml_allocs, inproc_ready && cfg.max_allocs > 65536 ?
				 65536 : cfg.max_allocs);
	/* Per stack, not per allocation: rows as stacks come (ml_allocs and
	 * ml_pending, written on every call, stay preallocated). */
	bb_map_lazy(sk->maps.ml_stacks);
	bb_map_lazy(sk->maps.ml_outstanding);
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

/* -f: the process whose rows are being printed. */
static const struct bb_target *printing = &target;

static void format_frame(uint64_t addr, char *buf, size_t len)
{
	if (is_kernel_addr(addr))
		bb_ksyms_format(bb_kernel_syms(), addr, buf, len);
	else
		bb_usym_format(printing->syms, addr, buf, len);
}

static void ml_print_event(const void *data, size_t len)
{
	const struct memleak_event *e = data;
	const char *op;
	char when[32];
	struct bb_json j;

	(void)len;	/* the kernel's, or checked by ml_event_shape */
	op = e->op < ML_OP_NR ? op_names[e->op] : "?";
	bb_format_time(e->ts_ns, bb_wall_base, when, sizeof(when));
	if (!bb_opts.json) {
		printf("%s %7u %7u %-15s %-14s 0x%-14llx %10llu", when, e->tgid, e->tid,
		       bb_esc(e->comm),
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

static const struct bb_rec_shape ml_event_shape = {
	.min_len = sizeof(struct memleak_event),
	.max_len = sizeof(struct memleak_event),
	.strings = { { offsetof(struct memleak_event, comm), BB_COMM_LEN } },
};

/* -a: the live allocations, read once per report. */
struct alloc_entry {
	struct memleak_addr key;
	struct memleak_alloc a;
};

static struct alloc_entry *allocs;
static size_t nr_allocs;

static unsigned long long leaked_bytes;	/* in the final report: --error-exitcode */

static void print_frames_folded(const uint64_t *frames, int n, __u64 bytes)
{
	char sym[BB_FRAME_TEXT];
	int i;

	for (i = n - 1; i >= 0; i--) {
		format_frame(frames[i], sym, sizeof(sym));
		bb_frame_function(sym);	/* a frame per function, as flame graphs want */
		printf("%s%s", bb_esc(sym), i ? ";" : "");
	}
	printf("%s %llu\n", n ? "" : "[unknown]", (unsigned long long)bytes);
}

static void print_allocs_of(const struct memleak_key *k, uint64_t now)
{
	size_t i, shown = 0;

	for (i = 0; i < nr_allocs && shown < ALLOCS_SHOWN; i++) {
		if (allocs[i].a.stack_id != k->stack_id || allocs[i].key.tgid != k->tgid)
			continue;
		printf("\t\taddr = 0x%llx size = %llu age = %.3fs\n",
		       (unsigned long long)allocs[i].key.addr, (unsigned long long)allocs[i].a.size,
		       (now - allocs[i].a.ts_ns) / 1e9);
		shown++;
	}
}

static void row_json(const struct bb_agg_row *r, enum ml_kind kind, const char *when,
		     const uint64_t *frames, int n, bool final)
{
	struct bb_json j;

	bb_json_begin(&j, stdout);
	bb_json_str(&j, "type", final ? "final" : "interval");
	bb_json_str(&j, "time", when);
	if (cfg.follow_forks)
		bb_json_u64(&j, "pid", ((const struct memleak_key *)r->key)->tgid);
	if (kind != ML_KIND_UNKNOWN)
		bb_json_str(&j, "kind", ml_kind_names[kind]);
	bb_json_u64(&j, "bytes", r->val.bytes);
	bb_json_u64(&j, "count", r->val.count);
	bb_json_frames(&j, "stack", frames, n, format_frame);
	bb_json_end(&j);
}

static void print_row(const struct bb_agg_row *r, enum ml_kind kind, const char *when,
		      uint64_t now, bool final)
{
	const struct memleak_key *k = r->key;
	uint64_t frames[BB_MAX_STACK];
	int n = bb_stack_frames(k->stack_id, frames, BB_MAX_STACK);

	if (final && (kind == ML_DEFINITELY || kind == ML_KIND_UNKNOWN))
		leaked_bytes += r->val.bytes;
	if (cfg.folded) {
		if (final)
			print_frames_folded(frames, n, r->val.bytes);
		return;
	}
	if (bb_opts.json) {
		row_json(r, kind, when, frames, n, final);
		return;
	}
	printf("\t%llu bytes in %llu allocations from stack\n",
	       (unsigned long long)r->val.bytes, (unsigned long long)r->val.count);
	bb_print_frames("\t\t", frames, n, format_frame, "[stack lost]");
	if (cfg.show_allocs)
		print_allocs_of(k, now);
}

static size_t cap_allocs;

static struct alloc_entry *next_alloc(void)
{
	if (nr_allocs == cap_allocs) {
		cap_allocs = cap_allocs ? cap_allocs * 2 : 1024;
		allocs = bb_xrealloc(allocs, cap_allocs, sizeof(*allocs));
	}
	return &allocs[nr_allocs];
}

/* The in-process engine's stack slot as the report's stack id. */
static __s32 inproc_stack_id(int32_t slot)
{
	return slot < 0 ? -1 : ML_SHM_STACK_BASE + slot;
}

static void add_inproc_alloc(void *ctx, const struct ml_shm_alloc *a)
{
	struct alloc_entry *e = next_alloc();

	(void)ctx;
	e->key = (struct memleak_addr){ .addr = a->addr, .tgid = ml_inproc_pid() };
	e->a = (struct memleak_alloc){ .size = a->size, .ts_ns = a->ts_ns,
				       .stack_id = inproc_stack_id(a->stack) };
	nr_allocs++;
}

static void read_allocs(int fd)
{
	struct memleak_addr key, *prev = NULL;

	nr_allocs = 0;
	while (!bpf_map_get_next_key(fd, prev, &key)) {
		prev = &key;
		if (!bpf_map_lookup_elem(fd, &key, &next_alloc()->a)) {
			allocs[nr_allocs].key = key;
			nr_allocs++;
		}
	}
	if (ml_inproc_pid())
		ml_inproc_each_alloc(add_inproc_alloc, NULL);
}

/* ---- leak kinds ---------------------------------------------------------------- */

/* A final-table key with the leak kind: the memleak_key first, so a row
 * reads as one either way. */
struct kind_key {
	struct memleak_key k;
	__u32 kind;		/* enum ml_kind */
	__u32 pad;
};

/* The blocks scanned at their process's exit, sorted by (tgid, addr). */
static struct ml_block *scanned;
static size_t nr_scanned;

static size_t read_mem(void *ctx, uint64_t addr, void *buf, size_t len)
{
	ssize_t n = pread(*(int *)ctx, buf, len, addr);

	return n > 0 ? n : 0;
}

/* A stopped tracee's stack pointer (0: unknown, its whole stack scanned). */
static uint64_t stack_pointer(int pid)
{
	struct user_regs_struct regs;
	struct iovec io = { &regs, sizeof(regs) };

	if (ptrace(PTRACE_GETREGSET, pid, (void *)NT_PRSTATUS, &io))
		return 0;
#if defined(__x86_64__)
	return regs.rsp;
#elif defined(__aarch64__)
	return regs.sp;
#else
	return 0;
#endif
}

static void add_root(struct ml_region **roots, size_t *nr, uint64_t start, uint64_t end)
{
	if (start >= end)
		return;
	*roots = bb_xrealloc(*roots, *nr + 1, sizeof(**roots));
	(*roots)[(*nr)++] = (struct ml_region){ start, end };
}

/* The first of the sorted @b at or after @addr. */
static size_t first_block_from(const struct ml_block *b, size_t n, uint64_t addr)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (b[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The roots: writable memory outside the blocks (globals, thread stacks;
 * the main stack from the stack pointer up: below it, dead frames).  For
 * a program followed from its start, a mapping that holds blocks is the
 * allocator's, left out (its free chunks keep stale pointers).  For one
 * attached (-p), the blocks it had before are unknown and may be what
 * leads to the tracked ones: the memory between blocks is a root too,
 * erring towards "reachable".
 */
static struct ml_region *find_roots(const struct bb_target *t, const struct ml_block *b,
				    size_t n, size_t *nr)
{
	struct bb_usyms_region r;
	struct ml_region *roots = NULL;
	uint64_t sp = stack_pointer(t->pid), at, shm_start = 0, shm_end = 0;
	size_t i, k;

	if (ml_inproc_pid() == t->pid)
		ml_inproc_extent(&shm_start, &shm_end);

	*nr = 0;
	for (i = 0; bb_usyms_region(t->syms, i, &r); i++) {
		/* (The in-process engine's tables: bpfbox's, not the program's,
		 * and full of pointers to its blocks.) */
		if (!r.writable || (r.start >= shm_start && r.end <= shm_end))
			continue;
		if (r.name && !strcmp(r.name, "[stack]") && sp > r.start && sp < r.end)
			r.start = sp & ~7ULL;
		k = first_block_from(b, n, r.start);
		if (k == n || b[k].addr >= r.end) {
			add_root(&roots, nr, r.start, r.end);
			continue;
		}
		if (t->launched)
			continue;
		for (at = r.start; k < n && b[k].addr < r.end; k++) {
			add_root(&roots, nr, at, b[k].addr);
			if (b[k].addr + b[k].size > at)
				at = b[k].addr + b[k].size;
		}
		add_root(&roots, nr, at, r.end);
	}
	return roots;
}

static int cmp_scanned(const void *a, const void *b)
{
	const struct ml_block *x = a, *y = b;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* A process held still (a started one at its exit, its memory intact; one
 * attached, in ptrace stops at the report): each of its blocks' kind. */
static void scan_at_exit(struct bb_target *t)
{
	struct ml_block *b;
	struct ml_region *roots;
	size_t i, n = 0, nr_roots;
	char path[64];
	int fd;

	read_allocs(bpf_map__fd(skel->maps.ml_allocs));
	b = bb_xcalloc(nr_allocs + 1, sizeof(*b));
	for (i = 0; i < nr_allocs; i++)
		if (allocs[i].key.tgid == (__u32)t->pid)
			b[n++] = (struct ml_block){ .addr = allocs[i].key.addr,
						    .size = allocs[i].a.size, .tgid = t->pid };
	qsort(b, n, sizeof(*b), cmp_scanned);
	snprintf(path, sizeof(path), "/proc/%d/mem", t->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		bb_warn("cannot read the memory of %d (%s): leak kinds unknown", t->pid,
			strerror(errno));
		free(b);
		return;
	}
	roots = find_roots(t, b, n, &nr_roots);
	ml_classify(b, n, roots, nr_roots, read_mem, &fd);
	close(fd);
	free(roots);
	scanned = bb_xrealloc(scanned, nr_scanned + n, sizeof(*scanned));
	memcpy(scanned + nr_scanned, b, n * sizeof(*b));
	nr_scanned += n;
	qsort(scanned, nr_scanned, sizeof(*scanned), cmp_scanned);
	free(b);
}

static enum ml_kind kind_of(__u32 tgid, __u64 addr)
{
	struct ml_block key = { .addr = addr, .tgid = tgid };
	const struct ml_block *b = nr_scanned ? bsearch(&key, scanned, nr_scanned,
							 sizeof(*scanned), cmp_scanned) : NULL;

	return b ? b->kind : ML_KIND_UNKNOWN;
}

/* Is frame text @sym ("func+0x1a (module)") one the list names? */
static bool frame_named(const char *sym, const char *const *names, size_t n)
{
	const char *mod = strrchr(sym, '(');
	size_t i, flen = strcspn(sym, "+ ");

	for (i = 0; i < n; i++) {
		if (strlen(names[i]) == flen && !strncmp(sym, names[i], flen))
			return true;
		if (mod && !strncmp(mod + 1, names[i], strlen(names[i])) &&
		    mod[1 + strlen(names[i])] == ')')
			return true;
	}
	return false;
}

/*
 * What the suppression lists say of each frame, by address, for one
 * report of one process: a program's stacks share most of their frames,
 * and each is named once, without source lines (a DWARF lookup for every
 * frame of every stack cost more than all the rest of a report).
 */
enum { NAMED_BY_USER = 1, NAMED_BY_DEFAULT = 2, VERDICT_KNOWN = 4 };
#define VERDICT_SLOTS 65536
static struct frame_verdict {
	uint64_t addr;
	uint8_t v;
} *verdicts;

static void forget_verdicts(void)
{
	if (verdicts)
		memset(verdicts, 0, VERDICT_SLOTS * sizeof(*verdicts));
}

static uint8_t frame_verdict(uint64_t addr)
{
	struct frame_verdict *e = NULL;
	char sym[BB_FRAME_TEXT];
	bool no_lines = bb_opts.no_lines;
	uint32_t i, h;
	uint8_t v = VERDICT_KNOWN;

	if (!verdicts)
		verdicts = bb_xcalloc(VERDICT_SLOTS, sizeof(*verdicts));
	h = (uint32_t)((addr * 0x9e3779b97f4a7c15ULL) >> 48);
	for (i = 0; i < 64 && !e; i++) {
		e = &verdicts[(h + i) & (VERDICT_SLOTS - 1)];
		if (e->v && e->addr != addr)
			e = NULL;
	}
	if (e && e->v)
		return e->v;
	bb_opts.no_lines = true;	/* the function's own line is all we match */
	format_frame(addr, sym, sizeof(sym));
	bb_opts.no_lines = no_lines;
	bb_frame_plain(sym);		/* (a recorded text may have them) */
	if (frame_named(sym, (const char *const *)suppressions, nr_suppressions))
		v |= NAMED_BY_USER;
	if (frame_named(sym, default_suppressions, ARRAY_SIZE(default_suppressions)))
		v |= NAMED_BY_DEFAULT;
	if (e)
		*e = (struct frame_verdict){ addr, v };
	return v;
}

static bool suppressed(const uint64_t *frames, int n, enum ml_kind kind)
{
	bool lost = kind == ML_DEFINITELY || kind == ML_INDIRECTLY;
	uint8_t v;
	int i;

	for (i = 0; i < n; i++) {
		v = frame_verdict(frames[i]);
		if ((v & NAMED_BY_USER) || (!lost && (v & NAMED_BY_DEFAULT)))
			return true;
	}
	return false;
}

static enum ml_kind row_kind(const struct bb_agg_table *t, const struct bb_agg_row *r)
{
	return t->key_size == sizeof(struct kind_key) ? ((const struct kind_key *)r->key)->kind :
		ML_KIND_UNKNOWN;
}

static bool row_suppressed(const struct bb_agg_table *t, const struct bb_agg_row *r)
{
	uint64_t frames[BB_MAX_STACK];
	int n;

	if (!nr_suppressions && t->key_size != sizeof(struct kind_key))
		return false;
	n = bb_stack_frames(((const struct memleak_key *)r->key)->stack_id, frames, BB_MAX_STACK);
	return suppressed(frames, n, row_kind(t, r));
}

/* The rows of process @pid (0: every process) and of @kind (-1: any), the
 * top ones, under a line with their kind's total when the table has kinds. */
static void print_group(const struct bb_agg_table *t, __u32 pid, int kind, const char *when,
			uint64_t now, bool final)
{
	unsigned long long bytes = 0, count = 0;
	size_t i, shown = 0;
	bool *in = bb_xcalloc(t->nr + 1, sizeof(*in));

	for (i = 0; i < t->nr; i++) {
		const struct memleak_key *k = t->rows[i].key;

		in[i] = (!pid || k->tgid == pid) && (kind < 0 || (int)row_kind(t, &t->rows[i]) == kind) &&
			!row_suppressed(t, &t->rows[i]);
		if (in[i]) {
			bytes += t->rows[i].val.bytes;
			count += t->rows[i].val.count;
		}
	}
	if (kind >= 0 && count && !bb_opts.json && !cfg.folded)
		printf("  -- %s: %llu bytes in %llu blocks\n", ml_kind_names[kind], bytes, count);
	for (i = 0; i < t->nr && (!bb_opts.top || shown < bb_opts.top); i++)
		if (in[i]) {
			print_row(&t->rows[i], row_kind(t, &t->rows[i]), when, now, final);
			shown++;
		}
	free(in);
}

/* Reports lead with what is definitely lost. */
static const int kind_order[] = { ML_DEFINITELY, ML_INDIRECTLY, ML_POSSIBLY, ML_REACHABLE,
				  ML_KIND_UNKNOWN };

static void print_process(const struct bb_agg_table *t, __u32 pid, const char *when,
			  uint64_t now, bool final)
{
	size_t i;

	if (t->key_size != sizeof(struct kind_key)) {
		print_group(t, pid, -1, when, now, final);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(kind_order); i++)
		print_group(t, pid, kind_order[i], when, now, final);
}

static void ml_print_table(const struct bb_agg_table *t, bool final)
{
	uint64_t now = bb_now_ns(CLOCK_BOOTTIME);
	char when[32];

	bb_format_time(t->ts_ns, bb_wall_base, when, sizeof(when));
	if (!bb_opts.json && !cfg.folded)
		printf("[%s] Top %zu stacks with outstanding allocations%s:\n", when, t->nr,
		       final ? " (final)" : "");
	forget_verdicts();	/* (an exec since the last report: other names) */
	if (!cfg.follow_forks) {
		print_process(t, 0, when, now, final);
		fflush(stdout);
		return;
	}
	/* -f: each process on its own, its frames named through its own map. */
	for (printing = &target; printing; printing = printing->next) {
		forget_verdicts();	/* (another process: its own names) */
		if (!bb_opts.json && !cfg.folded)
			printf("  process %d (%s)%s:\n", printing->pid, printing->cmdline,
			       printing->exited ? ", exited" : "");
		print_process(t, printing->pid, when, now, final);
	}
	printing = &target;
	fflush(stdout);
}

/* ---- reports ------------------------------------------------------------------ */

/* --older, and leak kinds: the in-kernel totals cannot tell ages or kinds
 * apart; group the allocations (@t's key: memleak_key, or kind_key). */
static void table_from_allocs(struct bb_agg_table *t, uint64_t now)
{
	uint64_t older_ns = cfg.older_ms * 1000000ULL;
	size_t i;

	bb_agg_clear(t);
	t->ts_ns = now;
	for (i = 0; i < nr_allocs; i++) {
		struct kind_key k = { .k = { .stack_id = allocs[i].a.stack_id,
					     .tgid = allocs[i].key.tgid } };
		struct bb_agg_val v = { 1, allocs[i].a.size, allocs[i].a.ts_ns,
					allocs[i].a.ts_ns };

		if (t->key_size == sizeof(k))
			k.kind = kind_of(allocs[i].key.tgid, allocs[i].key.addr);
		if (now - allocs[i].a.ts_ns >= older_ns)
			bb_agg_put(t, &k, &v, NULL);
	}
}

/* The in-process engine's stacks, each handed to the report once. */
static void add_inproc_stack(void *ctx, int32_t id, const struct ml_shm_stack *st)
{
	static bool *known;
	uint64_t frames[BB_MAX_STACK];
	uint32_t i, slot = id - ML_SHM_STACK_BASE;

	(void)ctx;
	if (!known)
		known = bb_xcalloc(ML_SHM_STACKS, sizeof(*known));
	if (known[slot])
		return;
	known[slot] = true;
	for (i = 0; i < st->nr && i < BB_MAX_STACK; i++)
		frames[i] = st->frames[i];
	bb_stacks_add(id, frames, i);
}

static void add_inproc_total(void *ctx, int32_t id, const struct ml_shm_stack *st)
{
	struct memleak_key k = { .stack_id = id, .tgid = ml_inproc_pid() };
	struct bb_agg_val v = { st->count, st->bytes, 0, 0 };

	if (st->count > 0)
		bb_agg_put(ctx, &k, &v, NULL);
}

/* The object met code in no mapping it knows (a dlopen): the map again. */
static int on_maps_asked(void *ctx)
{
	(void)ctx;
	ml_inproc_drain();
	if (ml_inproc_pid() == target.pid && !target.exited) {
		bb_target_refresh(&target);
		ml_inproc_set_maps(target.syms);
	}
	return 0;
}

/* What the in-process engine could not follow, in the loss line. */
static void inproc_losses(void)
{
	struct bpf_map *m = bpf_object__find_map_by_name(skel->obj, "bb_lost");
	uint64_t lost[2], *vals;
	__u32 keys[2] = { BB_LOST_APPLET, BB_LOST_STACK };
	int ncpu = libbpf_num_possible_cpus(), i;

	ml_inproc_lost(&lost[0], &lost[1]);
	if (!m || ncpu <= 0)
		return;
	vals = bb_xcalloc(ncpu, sizeof(*vals));
	for (i = 0; i < 2; i++) {
		if (!lost[i] || bpf_map_lookup_elem(bpf_map__fd(m), &keys[i], vals))
			continue;
		vals[0] += lost[i];
		bpf_map_update_elem(bpf_map__fd(m), &keys[i], vals, BPF_ANY);
	}
	free(vals);
}

static void ml_tick(void *ctx, bool final)
{
	static struct bb_agg_table table, kinds;
	uint64_t now = bb_now_ns(CLOCK_BOOTTIME);
	bool by_kind = final && nr_scanned;
	struct bb_agg_table *t = by_kind ? &kinds : &table;
	int err;

	(void)ctx;
	if (!table.key_size) {
		bb_agg_init(&table, sizeof(struct memleak_key), false);
		bb_agg_init(&kinds, sizeof(struct kind_key), false);
	}
	bb_target_refresh(&target);
	if (cfg.folded && !final)
		return;
	if (inproc_used && ml_inproc_pid() == target.pid && !target.exited)
		ml_inproc_set_maps(target.syms);	/* (a dlopen since) */
	if (inproc_used)
		ml_inproc_each_stack(add_inproc_stack, NULL);
	if (final && inproc_used) {
		static bool once;

		if (!once && cfg.engine == ENGINE_INJECT)
			fprintf(stderr, "memleak: the engine was injected into the running pid %d: "
				"only allocations made after the injection are followed\n",
				ml_inproc_pid());
		if (!once) {
			uint64_t by_rows, by_libgcc;

			inproc_losses();
			ml_inproc_walks(&by_rows, &by_libgcc);
			bb_info("in-process engine: %llu stacks walked by the unwind rows, %llu by "
				"libgcc's unwinder", (unsigned long long)by_rows,
				(unsigned long long)by_libgcc);
		}
		once = true;
		if (!ml_inproc_loaded(ml_inproc_pid()))
			bb_warn("the in-process engine did not load in pid %d (a secure-execution "
				"program ignores LD_PRELOAD): nothing was followed; try --engine "
				"uprobe", ml_inproc_pid());
	}
	if (final && !kernel_mode && !cfg.events && !target.launched && !target.exited &&
	    bb_target_hold(&target)) {
		/* -p: the process held still while its memory is scanned. */
		bb_target_refresh(&target);
		scan_at_exit(&target);
		bb_target_release(&target);
		by_kind = nr_scanned > 0;
		t = by_kind ? &kinds : &table;
	}
	if (cfg.show_allocs || cfg.older_ms || by_kind)
		read_allocs(bpf_map__fd(skel->maps.ml_allocs));
	if (cfg.older_ms || by_kind) {
		table_from_allocs(t, now);
	} else {
		err = bb_agg_read_map(bpf_map__fd(skel->maps.ml_outstanding), &table);
		if (err)
			bb_die("cannot read the outstanding totals: %s", strerror(-err));
		if (ml_inproc_pid())
			ml_inproc_each_stack(add_inproc_total, &table);
	}
	bb_agg_drop_empty(t);
	/* The top rows of each process and kind: ml_print_table. */
	bb_agg_sort(t, cfg.order, 0);
	bb_agg_emit(t, final);
}

/* ---- the end: the report's file, the program's fate, the exit status ------------- */

/* -o: our stdout becomes the file.  A started program was forked before
 * (bb_target_choose): it keeps the terminal, its output never mixes in. */
static void report_to_file(const char *path)
{
	int fd = bb_create_output(path);	/* 0600, no link followed */

	fflush(stdout);
	if (dup2(fd, STDOUT_FILENO) < 0)
		bb_die("cannot write to %s: %s", path, strerror(errno));
	close(fd);
}

/* How each started process ended, on stderr (and in the JSON stream). */
static void report_ends(void)
{
	const struct bb_target *p;
	char how[64];
	struct bb_json j;
	int st;

	for (p = &target; target.launched && p; p = p->next) {
		st = p->wait_status;
		if (p->killed)
			snprintf(how, sizeof(how), "still running: killed at the end");
		else if (WIFEXITED(st))
			snprintf(how, sizeof(how), "exited with status %d", WEXITSTATUS(st));
		else if (WIFSIGNALED(st))
			snprintf(how, sizeof(how), "killed by signal %d (%s)%s", WTERMSIG(st),
				 strsignal(WTERMSIG(st)), WCOREDUMP(st) ? ", core dumped" : "");
		else
			continue;
		fprintf(stderr, "memleak: pid %d (%s) %s\n", p->pid, p->cmdline, how);
		if (!bb_opts.json)
			continue;
		bb_json_begin(&j, stdout);
		bb_json_str(&j, "type", "exit");
		bb_json_u64(&j, "pid", p->pid);
		bb_json_str(&j, "command", p->cmdline);
		bb_json_str(&j, "how", how);
		bb_json_end(&j);
	}
	fflush(stdout);
}

/* valgrind's convention: the program's own status (128 + a fatal signal),
 * unless --error-exitcode and leaks remain. */
static int exit_status(void)
{
	int st = target.wait_status;

	if (cfg.error_exitcode && leaked_bytes)
		return cfg.error_exitcode;
	if (!target.launched || target.killed)
		return 0;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 0;
}

/* ---- main ------------------------------------------------------------------------ */

static const struct bb_skel_ops ml_skel = BB_SKEL_OPS(memleak_bpf);

static void start(struct bb_load *l)
{
	char allocator[PATH_MAX];

	/* A running process: its allocator now, before loading anything. */
	if (!kernel_mode && !target.launched && cfg.engine != ENGINE_INJECT)
		find_allocator(&target, allocator, sizeof(allocator));
	bb_load_attach(l);
	skel = l->skel;
	bb_stacks_use_map(bpf_map__fd(skel->maps.ml_stacks), kernel_mode ? NULL : &target.syms);
	if (kernel_mode) {
		fprintf(stderr, "memleak: tracing kernel allocations; Ctrl-C to stop\n");
		return;
	}
	if (!target.launched && cfg.engine == ENGINE_INJECT) {
		inject_engine(&target);
		return;
	}
	if (!target.launched) {
		attach_allocator(&target, allocator);
		return;
	}
	/* A started program: its allocator at each exec (a wrapper's target). */
	target.on_exec = on_exec;
	target.on_exit_stop = scan_at_exit;
	target.on_fork = on_fork;
	target.follow_forks = cfg.follow_forks;
	bb_target_run(&target);
}

/* Options that cannot all hold, or that the chosen mode would ignore. */
static void check_options(void)
{
	if (cfg.min_size > cfg.max_size)
		bb_die("-z %llu is above -Z %llu: no allocation could be tracked",
		       cfg.min_size, cfg.max_size);
	if (cfg.events && (cfg.show_allocs || cfg.older_ms || cfg.folded))
		bb_die("--events prints every call: -a, -o and --folded are for the reports");
}

static int ml_main(int argc, char **argv)
{
	struct bb_load l = { .ops = &ml_skel, .configure = ml_configure };
	struct bb_target *p;
	struct bb_loop *loop;

	check_options();
	if (cfg.command || argc || bb_opts.tgid)
		choose_engine(cfg.command, argc, argv);
	kernel_mode = !bb_target_choose(&target, cfg.command, argc, argv);
	if (cfg.follow_forks && !target.launched)
		bb_die("-f follows the children of a program memleak starts (-c CMD or -- CMD)");
	l.hooks = kernel_mode ? kernel_hooks : user_hooks;
	l.nr_hooks = kernel_mode ? ARRAY_SIZE(kernel_hooks) : ARRAY_SIZE(user_hooks);
	l.uprobes = kernel_mode ? NULL : &probes;
	probes.prefix = cfg.prefix;
	if (cfg.output)
		report_to_file(cfg.output);
	if (bb_opts.write_file)
		bb_record_open(bb_opts.write_file, kernel_mode);
	/* Before the "tracing" line: a SIGINT sent on seeing it must stop
	 * us with a report, not kill us (and an injection is finished). */
	bb_install_signals();
	start(&l);
	loop = bb_loop_new();
	if (cfg.events)
		bb_loop_add_ringbuf(loop, bpf_map__fd(skel->maps.bb_events),
				    bb_on_event, NULL);
	else
		bb_loop_on_tick(loop, ml_tick, NULL);
	if (!kernel_mode)
		bb_target_watch(&target, loop);
	if (inproc_ready && ml_inproc_event_fd() >= 0)
		bb_loop_add_fd(loop, ml_inproc_event_fd(), on_maps_asked, NULL);
	bb_session_run(&l, loop);
	for (p = target.next; p; p = p->next)
		bb_uprobes_detach(p->data);
	bb_target_finish(&target);
	report_ends();
	if (cfg.engine == ENGINE_INJECT)
		ml_inproc_follow(0);	/* the engine stays, passive: calls pass through */
	return exit_status();
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
	"  memleak -c './app -x' --older 5000 -a   allocations older than 5s, listed\n"
	"  memleak -o leaks.txt --error-exitcode 3 -- make check   a CI gate\n"
	"  memleak -f -- sh -c './a; ./b'     each process of a script on its own\n"
	"  memleak -p 1234 -O libjemalloc.so.2 --symbol-prefix je_\n"
	"  memleak -- ./app --folded > app.folded; flamegraph.pl app.folded\n",
	.common = BB_OPT_OUTPUT | BB_OPT_TASK | BB_OPT_BPF,
	.options = ml_options,
	.parse = ml_parse,
	.lost_other = "allocations not followed (--max-allocs reached, or the pending-call table full)",
	.main = ml_main,
	.print_event = ml_print_event,
	.event_shape = &ml_event_shape,
	.print_table = ml_print_table,
	.agg_key_sizes = { sizeof(struct memleak_key), sizeof(struct kind_key) },
);
