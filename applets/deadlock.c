// SPDX-License-Identifier: GPL-2.0
/*
 * deadlock: lock-order cycles (potential deadlocks) and live deadlocks of
 * a process's pthread mutexes and rwlocks.
 *
 * Every interval it reads the new lock-order edges and reports each new
 * cycle once, with the stacks of both ends of every edge; and it looks at
 * the threads blocked in a lock call whose holders wait in turn: a live
 * deadlock, reported while the program hangs.  Exit status 1 when any was
 * found, so it can gate a CI job.
 */
#include <errno.h>
#include <search.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include "../common/bpfbox.h"
#include "../common/filters.h"
#include "../common/loader.h"
#include "../common/lockgraph.h"
#include "../common/output.h"
#include "../common/outfile.h"
#include "../common/record.h"
#include "../common/target.h"
#include "../common/uprobes.h"
#include "../common/usyms.h"
#include "deadlock.h"
#include "deadlock.skel.h"
#include "deadlock/snapshot.h"

#define MAX_CYCLE 16
#define BLOCKED_NS 500000000ULL	/* in a lock call longer: blocked */

enum { O_DOT = 256, O_LOCK_SYMS, O_UNLOCK_SYMS, O_MAX_EDGES, O_MAX_HELD, O_SNAPSHOT };

static const struct bb_option dl_options[] = {
	{ "command", 'c', "CMD", "run CMD (split into words like a shell, no expansion)" },
	{ "dot", O_DOT, "FILE", "write the lock graph for Graphviz, cycles in red" },
	{ "lock-symbols", O_LOCK_SYMS, "F[,F]", "more functions that take a lock (first argument; OBJ:F: in file OBJ*)" },
	{ "unlock-symbols", O_UNLOCK_SYMS, "F[,F]", "more functions that release one" },
	{ "max-edges", O_MAX_EDGES, "N", "lock-order edges kept at most (default 65536)" },
	{ "max-held", O_MAX_HELD, "N", "locks one thread holds that are tracked (1-64, default 64)" },
	{ "snapshot", O_SNAPSHOT, NULL, "with -p: only look at the threads as they are, no tracing" },
	{ 0 }
};

static struct {
	const char *command, *dot, *lock_syms, *unlock_syms;
	unsigned long long max_edges, max_held;
	bool snapshot;
} cfg = { .max_edges = 65536, .max_held = DL_MAX_HELD };

static int dl_parse(int key, const char *arg)
{
	switch (key) {
	case 'c': cfg.command = arg; return 0;
	case O_DOT: cfg.dot = arg; return 0;
	case O_LOCK_SYMS: cfg.lock_syms = arg; return 0;
	case O_UNLOCK_SYMS: cfg.unlock_syms = arg; return 0;
	case O_SNAPSHOT: cfg.snapshot = true; return 0;
	case O_MAX_EDGES:
		return bb_parse_uint(arg, 1 << 24, &cfg.max_edges) || !cfg.max_edges ? -1 : 0;
	case O_MAX_HELD:
		return bb_parse_uint(arg, DL_MAX_HELD, &cfg.max_held) || !cfg.max_held ? -1 : 0;
	}
	return -1;
}

static struct bb_target target;
static struct deadlock_bpf *skel;
static struct bb_lockgraph *graph;
static unsigned potential, live;

/* ---- probes ------------------------------------------------------------------ */

/*
 * The C library's lock functions.  Destroying a lock, or freeing the
 * memory it starts, forgets it (a lock made there later is another).
 * After OWN_CODE_FIRST, those probed only where they are code of their
 * own: glibc's C11 mtx_* call its pthread functions (probed already), and
 * its pthread_spin_lock starts with a locked instruction, which uprobes
 * refuse (and loops back to it).
 */
static struct bb_uprobe probe_list[] = {
	{ "pthread_mutex_lock", "dl_mutex_lock", DL_LOCK, true, true },
	{ "pthread_mutex_trylock", "dl_mutex_trylock", DL_TRYLOCK, true },
	{ "pthread_mutex_unlock", "dl_mutex_unlock", DL_UNLOCK, false, true },
	{ "pthread_rwlock_rdlock", "dl_rdlock", DL_RDLOCK, true },
	{ "pthread_rwlock_wrlock", "dl_wrlock", DL_WRLOCK, true },
	{ "pthread_rwlock_tryrdlock", "dl_tryrdlock", DL_TRYRDLOCK, true },
	{ "pthread_rwlock_trywrlock", "dl_trywrlock", DL_TRYWRLOCK, true },
	{ "pthread_rwlock_unlock", "dl_rwunlock", DL_RWUNLOCK },
	{ "pthread_mutex_destroy", "dl_destroy", DL_DESTROY },
	{ "pthread_rwlock_destroy", "dl_destroy", DL_DESTROY },
	{ "free", "dl_free", DL_FREE, false, false, true },
#define OWN_CODE_FIRST 11
	{ "pthread_spin_lock", "dl_mutex_lock", DL_LOCK, true },
	{ "pthread_spin_trylock", "dl_mutex_trylock", DL_TRYLOCK, true },
	{ "pthread_spin_unlock", "dl_mutex_unlock", DL_UNLOCK },
	{ "pthread_spin_destroy", "dl_destroy", DL_DESTROY },
	{ "mtx_lock", "dl_mutex_lock", DL_LOCK, true },
	{ "mtx_trylock", "dl_mutex_trylock", DL_TRYLOCK, true },
	{ "mtx_unlock", "dl_mutex_unlock", DL_UNLOCK },
	{ "mtx_destroy", "dl_destroy", DL_DESTROY },
};

static struct bb_hook hooks[] = {
	{ .what = "lock entries", .progs = { "dl_enter_multi", "dl_mutex_lock" }, .manual = true },
	{ .what = "lock returns", .progs = { "dl_return_multi", "dl_return" }, .manual = true },
	{ .what = "sched:sched_process_exit",
	  .progs = { "dl_exit_btf", "dl_exit_raw", "dl_exit_tp" } },
};

static struct bb_uprobe_set probes = {
	.prefix = "",
	.probes = probe_list,
	.entries = &hooks[0],
	.returns = &hooks[1],
	/* The programs read the lock (first argument), the stack and the return. */
	.arg1_only = true,
};

static const char *const pthread_libs[] = { "libc.so.6", "libpthread.so.0", NULL };

/*
 * --lock-symbols/--unlock-symbols: functions of any file of the process
 * (OBJ:FUNC: of the file whose name starts with OBJ), the lock in their
 * first argument.  Each is a set of probes of its own, on its own file.
 */
#define MAX_CUSTOM 16

static struct custom {
	struct bb_uprobe pr;
	struct bb_uprobe_set set;
	char path[PATH_MAX];
} customs[MAX_CUSTOM];
static size_t nr_customs;

static void add_custom(const char *list, enum dl_op op)
{
	char *copy, *tok, *save = NULL, *func, *obj;
	struct custom *c;

	if (!list)
		return;
	copy = bb_xstrdup(list);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (nr_customs == MAX_CUSTOM)
			bb_die("too many lock functions (at most %d)", MAX_CUSTOM);
		func = strrchr(tok, ':') ? strrchr(tok, ':') + 1 : tok;
		obj = func == tok ? NULL : tok;
		if (obj)
			func[-1] = 0;
		if (!*func || (obj && !*obj))
			bb_die("bad lock function '%s' (FUNC or OBJ:FUNC)", tok);
		c = &customs[nr_customs++];
		if (!bb_uprobes_find_module(&target, obj, "", func, pthread_libs, c->path,
					    sizeof(c->path)))
			bb_die("no file of %s%s%s defines %s", target.exe, obj ? " named " : "",
			       obj ? obj : "", func);
		c->pr = (struct bb_uprobe){ bb_xstrdup(func),
			op == DL_CUSTOM_LOCK ? "dl_custom_lock" : "dl_mutex_unlock", op,
			op == DL_CUSTOM_LOCK, true };
		c->set = (struct bb_uprobe_set){ .prefix = "", .probes = &c->pr, .nr = 1,
			.entries = &hooks[0], .returns = &hooks[1], .arg1_only = true };
	}
	free(copy);
}

static void attach_customs(void)
{
	size_t i;

	for (i = 0; i < nr_customs; i++) {
		bb_uprobes_attach(&customs[i].set, customs[i].path, target.pid);
		fprintf(stderr, "deadlock: tracing %s in %s\n", customs[i].pr.func,
			strrchr(customs[i].path, '/') ? strrchr(customs[i].path, '/') + 1 :
			customs[i].path);
	}
}

static void detach_customs(void)
{
	size_t i;

	for (i = 0; i < nr_customs; i++)
		bb_uprobes_detach(&customs[i].set);
}

/* glibc, whose functions after OWN_CODE_FIRST are not probed. */
static bool is_glibc(const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	return !strncmp(base, "libc.so", 7) || !strncmp(base, "libpthread", 10);
}

static int dl_configure(void *s)
{
	struct deadlock_bpf *sk = s;
	size_t i;

	bpf_map__set_max_entries(sk->maps.dl_edges, cfg.max_edges);
	sk->rodata->cfg_max_held = cfg.max_held;
	sk->rodata->cfg_tgid = target.pid;
	bb_map_lazy_if_safe(sk->maps.dl_threads);
	/* New lock orders and stacks are rare: their rows as they come. */
	bb_map_lazy(sk->maps.dl_edges);
	bb_map_lazy(sk->maps.dl_stacks);
	for (i = 0; i < nr_customs; i++)
		bb_uprobes_autoload(&customs[i].set, sk->obj);
	return 0;
}

/* ---- naming ------------------------------------------------------------------ */

static bool target_glibc;	/* its heap can be walked (dl_heap_block) */

/* A lock in the heap: "heap 0x... (in a block of N bytes)", as far as the
 * allocator's own records tell (glibc's main heap, the process alive). */
static bool heap_name(__u64 addr, const struct bb_usym *s, char *buf, size_t len)
{
	uint64_t block, usable;

	if (!target_glibc || target.exited || !s->module || strcmp(s->module, "[heap]") ||
	    !dl_heap_block(target.pid, addr - s->module_offset, addr, &block, &usable))
		return false;
	if (block == addr)
		snprintf(buf, len, "heap 0x%llx (a block of %llu bytes)", (unsigned long long)addr,
			 (unsigned long long)usable);
	else
		snprintf(buf, len, "heap 0x%llx (in a block of %llu bytes, at +%llu)",
			 (unsigned long long)addr, (unsigned long long)usable,
			 (unsigned long long)(addr - block));
	return true;
}

/* A lock as helgrind names it: its variable, when it is a global or static,
 * else the heap block it is in; one made again where a destroyed one was:
 * "#N", its generation. */
static void lock_name(__u64 id, char *buf, size_t len)
{
	__u64 addr = id & DL_ADDR_MASK;
	unsigned gen = id >> DL_GEN_SHIFT;
	struct bb_usym s = { 0 };
	size_t n;

	if (target.syms && !bb_usyms_lookup_data(target.syms, addr, &s) && s.name) {
		if (s.offset)
			snprintf(buf, len, "%s+0x%llx (0x%llx)", s.name, s.offset,
				 (unsigned long long)addr);
		else
			snprintf(buf, len, "%s (0x%llx)", s.name, (unsigned long long)addr);
	} else if (!heap_name(addr, &s, buf, len)) {
		snprintf(buf, len, "0x%llx", (unsigned long long)addr);
	}
	n = strlen(buf);
	if (gen && n < len)
		snprintf(buf + n, len - n, " #%u", gen);
}

static void format_frame(uint64_t addr, char *buf, size_t len)
{
	bb_usym_format(target.syms, addr, buf, len);
}

static void print_stack(const char *indent, __s32 id)
{
	uint64_t frames[BB_MAX_STACK];

	bb_print_frames(indent, frames, bb_stack_frames(id, frames, BB_MAX_STACK), format_frame,
			"[stack lost]");
}

static void json_stack(struct bb_json *j, const char *key, __s32 id)
{
	uint64_t frames[BB_MAX_STACK];

	bb_json_frames(j, key, frames, bb_stack_frames(id, frames, BB_MAX_STACK), format_frame);
}

/*
 * What is reported, potential or live, as one record: printed at once,
 * or written with -w and printed by `bpfbox report` the same way.
 */
#define NAME_LEN 96

enum { REPORT_POTENTIAL = 1, REPORT_LIVE, REPORT_GATED };

struct report_step {
	__u64 lock;		/* potential: the held lock; live: the awaited one */
	__u64 next;		/* potential: the lock asked for next */
	__u32 tid;
	__u32 holder;		/* live: the thread holding @lock */
	__s32 stack1;		/* potential: where @lock was taken; live: where it waits */
	__s32 stack2;		/* potential: where @next was requested */
	char comm[BB_COMM_LEN];
	char name[NAME_LEN];
	char next_name[NAME_LEN];
};

struct report {
	__u32 kind;
	__u32 n;
	struct report_step steps[MAX_CYCLE];
};

static size_t report_size(__u32 n)
{
	return offsetof(struct report, steps) + n * sizeof(struct report_step);
}

static void print_potential_text(const struct report *r)
{
	__u32 i;

	printf("potential deadlock: lock-order cycle of %u locks:", r->n);
	for (i = 0; i < r->n; i++)
		printf(" %s ->", bb_esc(r->steps[i].name));
	printf(" %s\n", bb_esc(r->steps[0].name));
	for (i = 0; i < r->n; i++) {
		const struct report_step *st = &r->steps[i];

		printf("  thread %u (%s) took %s, then asked for %s\n", st->tid, bb_esc(st->comm),
		       bb_esc(st->name), bb_esc(st->next_name));
		printf("    %s taken at:\n", bb_esc(st->name));
		print_stack("      ", st->stack1);
		printf("    %s requested at:\n", bb_esc(st->next_name));
		print_stack("      ", st->stack2);
	}
	printf("\n");
}

static void print_potential_json(const struct report *r)
{
	struct bb_json j;
	__u32 i;

	bb_json_begin(&j, stdout);
	bb_json_str(&j, "type", "potential");
	bb_json_raw(&j, "locks", "[");
	for (i = 0; i < r->n; i++) {
		printf("%s", i ? "," : "");
		bb_json_escape(stdout, r->steps[i].name);
	}
	printf("],\"edges\":[");
	for (i = 0; i < r->n; i++) {
		const struct report_step *st = &r->steps[i];
		struct bb_json k;

		printf("%s", i ? "," : "");
		bb_json_begin(&k, stdout);
		bb_json_u64(&k, "tid", st->tid);
		bb_json_str(&k, "comm", st->comm);
		bb_json_u64(&k, "from", st->lock);
		bb_json_u64(&k, "to", st->next);
		json_stack(&k, "held_stack", st->stack1);
		json_stack(&k, "requested_stack", st->stack2);
		fputc('}', stdout);
	}
	fputc(']', stdout);
	bb_json_end(&j);
}

static void print_live(const struct report *r)
{
	struct bb_json j;
	__u32 i;

	if (!bb_opts.json) {
		printf("LIVE DEADLOCK: threads blocked in a cycle, now:\n");
		for (i = 0; i < r->n; i++) {
			printf("  thread %u waits for %s, held by thread %u, at:\n",
			       r->steps[i].tid, bb_esc(r->steps[i].name), r->steps[i].holder);
			print_stack("      ", r->steps[i].stack1);
		}
		printf("\n");
		return;
	}
	bb_json_begin(&j, stdout);
	bb_json_str(&j, "type", "live");
	bb_json_raw(&j, "threads", "[");
	for (i = 0; i < r->n; i++) {
		struct bb_json k;

		printf("%s", i ? "," : "");
		bb_json_begin(&k, stdout);
		bb_json_u64(&k, "tid", r->steps[i].tid);
		bb_json_str(&k, "waits_for", r->steps[i].name);
		bb_json_u64(&k, "held_by", r->steps[i].holder);
		json_stack(&k, "stack", r->steps[i].stack1);
		fputc('}', stdout);
	}
	fputc(']', stdout);
	bb_json_end(&j);
}

static void print_gated(const struct report *r)
{
	struct bb_json j;
	__u32 i;

	if (!bb_opts.json) {
		printf("no deadlock: lock-order cycle of %u locks under gate lock %s:", r->n,
		       r->steps[0].next_name);
		for (i = 0; i < r->n; i++)
			printf(" %s ->", r->steps[i].name);
		printf(" %s\n\n", r->steps[0].name);
		return;
	}
	bb_json_begin(&j, stdout);
	bb_json_str(&j, "type", "gated");
	bb_json_str(&j, "gate", r->steps[0].next_name);
	bb_json_raw(&j, "locks", "[");
	for (i = 0; i < r->n; i++) {
		printf("%s", i ? "," : "");
		bb_json_escape(stdout, r->steps[i].name);
	}
	fputc(']', stdout);
	bb_json_end(&j);
}

/* A recorded report: its steps all there, their strings terminated. */
static const char *dl_check_event(void *data, size_t len)
{
	struct report *r = data;
	__u32 i;

	if (r->n < 1 || r->n > MAX_CYCLE || len != report_size(r->n))
		return "deadlock report of a wrong length";
	if (r->kind != REPORT_POTENTIAL && r->kind != REPORT_LIVE && r->kind != REPORT_GATED)
		return "deadlock report of an unknown kind";
	for (i = 0; i < r->n; i++) {
		bb_rec_terminate(r->steps[i].comm, sizeof(r->steps[i].comm));
		bb_rec_terminate(r->steps[i].name, sizeof(r->steps[i].name));
		bb_rec_terminate(r->steps[i].next_name, sizeof(r->steps[i].next_name));
	}
	return NULL;
}

static const struct bb_rec_shape dl_event_shape = {
	.min_len = offsetof(struct report, steps) + sizeof(struct report_step),
	.max_len = sizeof(struct report),
	.check = dl_check_event,
};

static void dl_print_event(const void *data, size_t len)
{
	const struct report *r = data;	/* ours, or checked by dl_event_shape */

	(void)len;
	if (r->kind == REPORT_LIVE)
		print_live(r);
	else if (r->kind == REPORT_GATED)
		print_gated(r);
	else if (bb_opts.json)
		print_potential_json(r);
	else
		print_potential_text(r);
	fflush(stdout);
}

/* ---- potential deadlocks: cycles of the lock-order graph ------------------------ */

/*
 * One entry of the kernel's edge map: a pair of locks in one mode.  The
 * graph has one edge per pair (struct pair), and a cycle is a potential
 * deadlock when each of its pairs can be taken in a mode that blocks the
 * next: not a lock read then asked for reading again.  A cycle whose every
 * edge was taken holding one same other lock (its gate) cannot close
 * either: reported apart, as no deadlock.
 */
struct edge {
	struct dl_edge_key key;
	struct dl_edge e;
	size_t pair;
};

struct pair {
	__u64 from, to;
	long variant[4];	/* edges[] index by modes, or -1 */
	bool in_cycle;		/* part of a reported cycle (--dot) */
};

static struct edge *edges;
static size_t nr_edges, cap_edges;
static struct pair *pairs;
static size_t nr_pairs, cap_pairs;
static void *edge_index, *pair_index, *gated_seen;	/* tsearch() trees */
static unsigned gated;

/* The tree's entries are indexes (+ 1); the key looked for is PROBE. */
#define PROBE ((void *)~(uintptr_t)0)
static struct dl_edge_key probe_key;
static struct pair probe_pair;

static const struct dl_edge_key *edge_key_of(const void *p)
{
	return p == PROBE ? &probe_key : &edges[(uintptr_t)p - 1].key;
}

static int cmp_edge(const void *a, const void *b)
{
	const struct dl_edge_key *x = edge_key_of(a), *y = edge_key_of(b);

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	if (x->to != y->to)
		return x->to < y->to ? -1 : 1;
	return (x->modes > y->modes) - (x->modes < y->modes);
}

static const struct pair *pair_of(const void *p)
{
	return p == PROBE ? &probe_pair : &pairs[(uintptr_t)p - 1];
}

static int cmp_pair(const void *a, const void *b)
{
	const struct pair *x = pair_of(a), *y = pair_of(b);

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return (x->to > y->to) - (x->to < y->to);
}

static int cmp_u64(const void *a, const void *b)
{
	return (*(const __u64 *)a > *(const __u64 *)b) - (*(const __u64 *)a < *(const __u64 *)b);
}

/*
 * A witness for each edge of the cycle (choice[i]: edges[] index),
 * writes first.  False when every lock of the cycle was only ever read
 * (read after read: no one waits).  A cycle through a writer is kept:
 * a reader can wait too, behind a writer that waits (writer-preferring
 * locks, or any whose writer queued first).
 */
static bool choose_modes(void *const *data, size_t n, long *choice)
{
	static const int order[4] = { 0, DL_TO_READ, DL_FROM_READ, DL_FROM_READ | DL_TO_READ };
	bool writer = false;
	size_t i;
	int m;

	for (i = 0; i < n; i++) {
		const struct pair *pr = &pairs[(size_t)data[i]];

		for (m = 0; m < 4 && pr->variant[order[m]] < 0; m++)
			;
		choice[i] = pr->variant[order[m & 3]];
		writer |= order[m & 3] != (DL_FROM_READ | DL_TO_READ);
	}
	return writer;
}

/* The lock every edge of the cycle, in every mode, was taken holding; 0 if none. */
static __u64 gate_of(const uint64_t *locks, void *const *data, size_t n)
{
	__u64 gate = 0;
	size_t i, k;
	int m;

	for (i = 0; i < n; i++)
		for (m = 0; m < 4; m++) {
			long v = pairs[(size_t)data[i]].variant[m];

			if (v < 0)
				continue;
			if (!edges[v].e.gate || (gate && edges[v].e.gate != gate))
				return 0;
			gate = edges[v].e.gate;
		}
	for (k = 0; k < n; k++)
		if (locks[k] == gate)
			return 0;
	return gate;
}

/* A gated cycle, said once (it is offered again as its edges change). */
static void note_gated(const uint64_t *locks, size_t n, __u64 gate)
{
	struct report r = { .kind = REPORT_GATED, .n = n };
	__u64 h = gate, *key;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ locks[i]) * 0x100000001b3ULL;
	key = bb_xcalloc(1, sizeof(*key));
	*key = h;
	if (*(__u64 **)tsearch(key, &gated_seen, cmp_u64) != key) {
		free(key);
		return;
	}
	gated++;
	for (i = 0; i < n; i++) {
		r.steps[i].lock = locks[i] & DL_ADDR_MASK;
		lock_name(locks[i], r.steps[i].name, sizeof(r.steps[i].name));
	}
	r.steps[0].next = gate & DL_ADDR_MASK;
	lock_name(gate, r.steps[0].next_name, sizeof(r.steps[0].next_name));
	bb_emit_event(&r, report_size(r.n));
}

static bool on_cycle(const uint64_t *locks, void *const *data, size_t n, void *ctx)
{
	struct report r = { .kind = REPORT_POTENTIAL, .n = n };
	long choice[MAX_CYCLE];
	__u64 gate;
	size_t i;

	(void)ctx;
	if (!choose_modes(data, n, choice))
		return false;	/* read after read all round: nobody blocks */
	gate = gate_of(locks, data, n);
	if (gate) {
		note_gated(locks, n, gate);
		return false;	/* until an edge is taken without it */
	}
	potential++;
	for (i = 0; i < n; i++) {
		const struct edge *e = &edges[choice[i]];
		struct report_step *st = &r.steps[i];

		pairs[(size_t)data[i]].in_cycle = true;
		st->lock = e->key.from & DL_ADDR_MASK;
		st->next = e->key.to & DL_ADDR_MASK;
		st->tid = e->e.tid;
		st->stack1 = e->e.from_stack;
		st->stack2 = e->e.to_stack;
		memcpy(st->comm, e->e.comm, sizeof(st->comm));
		lock_name(e->key.from, st->name, sizeof(st->name));
		lock_name(e->key.to, st->next_name, sizeof(st->next_name));
	}
	bb_emit_event(&r, report_size(r.n));
	return true;
}

/* The pair of @k's locks: new ones join the graph, known ones are touched. */
static size_t pair_for(const struct dl_edge_key *k)
{
	void **found;
	size_t i;

	probe_pair.from = k->from;
	probe_pair.to = k->to;
	found = tfind(PROBE, &pair_index, cmp_pair);
	if (found) {
		i = (uintptr_t)*found - 1;
		bb_lockgraph_touch(graph, k->from, k->to);
		return i;
	}
	if (nr_pairs == cap_pairs) {
		cap_pairs = cap_pairs ? cap_pairs * 2 : 256;
		pairs = bb_xrealloc(pairs, cap_pairs, sizeof(*pairs));
	}
	i = nr_pairs++;
	pairs[i] = (struct pair){ k->from, k->to, { -1, -1, -1, -1 }, false };
	tsearch((void *)(uintptr_t)(i + 1), &pair_index, cmp_pair);
	bb_lockgraph_add_edge(graph, k->from, k->to, (void *)i);
	return i;
}

static void add_edge(const struct dl_edge_key *key, const struct dl_edge *e)
{
	size_t i;

	if (nr_edges == cap_edges) {
		cap_edges = cap_edges ? cap_edges * 2 : 256;
		edges = bb_xrealloc(edges, cap_edges, sizeof(*edges));
	}
	i = nr_edges++;
	edges[i].key = *key;
	edges[i].e = *e;
	tsearch((void *)(uintptr_t)(i + 1), &edge_index, cmp_edge);
	edges[i].pair = pair_for(key);
	pairs[edges[i].pair].variant[key->modes & 3] = i;
}

static void read_edges(void)
{
	int fd = bpf_map__fd(skel->maps.dl_edges);
	struct dl_edge_key key, *prev = NULL;
	struct dl_edge e;
	void **found;

	/* Edges are never deleted; a gate can only go (it was not held once). */
	while (!bpf_map_get_next_key(fd, prev, &key)) {
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &e) || key.from == key.to || key.modes > 3)
			continue;
		probe_key = key;
		found = tfind(PROBE, &edge_index, cmp_edge);
		if (!found) {
			add_edge(&key, &e);
		} else if (edges[(uintptr_t)*found - 1].e.gate != e.gate) {
			edges[(uintptr_t)*found - 1].e.gate = e.gate;
			bb_lockgraph_touch(graph, key.from, key.to);
		}
	}
}

/* ---- live deadlocks: threads waiting in a cycle ------------------------------------ */

struct waiter {
	__u32 tid;
	struct dl_wait w;
	__u32 holder;		/* the thread holding w.lock, or 0 */
};

/* The kernel's thread table, read once per look. */
struct thread_copy {
	__u32 tid;
	struct dl_thread t;
};

static size_t read_threads(struct thread_copy **out)
{
	int fd = bpf_map__fd(skel->maps.dl_threads);
	static struct thread_copy *v;
	static size_t cap;
	__u32 tid, *prev = NULL;
	size_t n = 0;

	while (!bpf_map_get_next_key(fd, prev, &tid)) {
		prev = &tid;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			v = bb_xrealloc(v, cap, sizeof(*v));
		}
		if (!bpf_map_lookup_elem(fd, &tid, &v[n].t))
			v[n++].tid = tid;
	}
	*out = v;
	return n;
}

static __u32 holder_of(const struct thread_copy *th, size_t n, __u64 lock)
{
	size_t k;
	__u32 i;

	for (k = 0; k < n; k++)
		for (i = 0; i < th[k].t.nr && i < DL_MAX_HELD; i++)
			if (th[k].t.held[i].lock == lock)
				return th[k].tid;
	return 0;
}

/* Threads in a lock call for long enough to be blocked, with the holder
 * of what each waits for. */
static size_t read_waiters(struct waiter *w, size_t max, uint64_t now)
{
	struct thread_copy *th;
	size_t nt = read_threads(&th), k, n = 0;

	for (k = 0; k < nt && n < max; k++) {
		const struct dl_wait *wt = &th[k].t.wait;

		if (!wt->lock || now - wt->ts_ns < BLOCKED_NS)
			continue;
		w[n].w = *wt;
		w[n].tid = th[k].tid;
		w[n].holder = holder_of(th, nt, wt->lock);
		n++;
	}
	return n;
}

static const struct waiter *waiter_of(const struct waiter *w, size_t n, __u32 tid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (w[i].tid == tid)
			return &w[i];
	return NULL;
}

static void report_live(const struct waiter *w, size_t n, const struct waiter *start)
{
	struct report r = { .kind = REPORT_LIVE };
	const struct waiter *cur = start;

	live++;
	do {
		struct report_step *st = &r.steps[r.n++];

		st->lock = cur->w.lock & DL_ADDR_MASK;
		st->tid = cur->tid;
		st->holder = cur->holder;
		st->stack1 = cur->w.stack_id;
		st->stack2 = -1;
		lock_name(cur->w.lock, st->name, sizeof(st->name));
		cur = waiter_of(w, n, cur->holder);
	} while (cur && cur != start && r.n < MAX_CYCLE);
	bb_emit_event(&r, report_size(r.n));
}

/* Follow waiter -> holder; a walk that comes back to where it started is a cycle. */
static bool find_cycle(const struct waiter *w, size_t n)
{
	size_t i, steps;

	for (i = 0; i < n; i++) {
		const struct waiter *cur = &w[i];

		for (steps = 0; cur && steps < n; steps++) {
			cur = waiter_of(w, n, cur->holder);
			if (cur == &w[i]) {
				report_live(w, n, &w[i]);
				return true;
			}
		}
	}
	return false;
}

static bool find_live(void)
{
	struct waiter w[256];
	uint64_t now = bb_now_ns(CLOCK_BOOTTIME);

	return find_cycle(w, read_waiters(w, ARRAY_SIZE(w), now));
}

/* ---- a hung process, as it is ------------------------------------------------------ */

/* The snapshot's stacks, by id (no BPF stack map yet; its ids are hashes). */
#define SNAP_STACK_ID 0x7fff0000
#define MAX_BLOCKED 256

/* A stack of the snapshot's report into the file (-w), as the core does
 * the BPF map's at the end. */
static void record_snap_stack(__s32 id, const uint64_t *frames, int n)
{
	uint32_t hdr[2] = { id, n };

	if (!bb_recording())
		return;
	bb_usym_record_stack(target.syms, frames, n);
	bb_record_write(BB_REC_STACK, hdr, sizeof(hdr), frames, n * sizeof(frames[0]));
}

/*
 * Threads of the running target blocked on mutexes now, each waiting for
 * the owner of its mutex: a cycle is a deadlock that happened before we
 * came (no probe saw it form).  Reported as a live one.
 */
static bool look_now(void)
{
	struct dl_blocked *b = bb_xcalloc(MAX_BLOCKED, sizeof(*b));
	struct waiter *w = bb_xcalloc(MAX_BLOCKED, sizeof(*w));
	size_t n = dl_snapshot(target.pid, target_glibc, target.syms, b, MAX_BLOCKED), i;
	bool found;

	for (i = 0; i < n; i++) {
		w[i].tid = b[i].tid;
		w[i].w.lock = b[i].lock;
		w[i].w.stack_id = SNAP_STACK_ID + i;
		w[i].holder = b[i].owner;
		bb_stacks_add(SNAP_STACK_ID + i, b[i].frames, b[i].nr_frames);
	}
	fprintf(stderr, "deadlock: pid %d now: %zu thread%s waiting for a mutex\n", target.pid, n,
		n == 1 ? "" : "s");
	found = find_cycle(w, n);
	for (i = 0; found && i < n; i++)
		record_snap_stack(SNAP_STACK_ID + i, b[i].frames, b[i].nr_frames);
	free(b);
	free(w);
	return found;
}

/* ---- the loop -------------------------------------------------------------------- */

/* A Graphviz quoted string: a thread named q"];evil[x=" stays a name. */
static void dot_string(FILE *f, const char *s)
{
	char text[1024];

	bb_esc_to(s, text, sizeof(text));	/* no raw control bytes either */
	fputc('"', f);
	for (s = text; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static FILE *dot_file;

static void write_dot(void)
{
	char a[256], b[256], label[64];
	size_t i;

	if (!dot_file)
		return;
	fprintf(dot_file, "digraph locks {\n\tnode [shape=box];\n");
	for (i = 0; i < nr_pairs; i++) {
		const struct dl_edge *e = NULL;
		int m;

		for (m = 0; m < 4 && !e; m++)
			if (pairs[i].variant[m] >= 0)
				e = &edges[pairs[i].variant[m]].e;
		lock_name(pairs[i].from, a, sizeof(a));
		lock_name(pairs[i].to, b, sizeof(b));
		snprintf(label, sizeof(label), "%u %.16s", e ? e->tid : 0, e ? e->comm : "");
		fputc('\t', dot_file);
		dot_string(dot_file, a);
		fputs(" -> ", dot_file);
		dot_string(dot_file, b);
		fputs(" [label=", dot_file);
		dot_string(dot_file, label);
		fprintf(dot_file, "%s];\n", pairs[i].in_cycle ? ", color=red" : "");
	}
	fprintf(dot_file, "}\n");
	bb_close_output_file(dot_file, cfg.dot);
	dot_file = NULL;
}

/* The loss line counts holds beyond --max-held; whose they were: */
static void print_over(void)
{
	int fd = bpf_map__fd(skel->maps.dl_over);
	__u32 tid, *prev = NULL, most;

	while (!bpf_map_get_next_key(fd, prev, &tid)) {
		prev = &tid;
		if (!bpf_map_lookup_elem(fd, &tid, &most))
			bb_warn("thread %u held %u locks at once (%llu tracked: --max-held)", tid,
				most, cfg.max_held);
	}
}

static void dl_tick(void *ctx, bool final)
{
	(void)ctx;
	bb_target_refresh(&target);
	read_edges();
	bb_lockgraph_report_cycles(graph, MAX_CYCLE, 64, on_cycle, NULL);
	if (!final && find_live())
		bb_stop = 1;	/* it hangs for good: nothing more to learn */
	fflush(stdout);
	if (final)
		print_over();
}

static void print_summary(void)
{
	struct bb_json j;

	if (!bb_opts.json) {
		fprintf(stderr, "deadlock: %u potential, %u live deadlock%s; %zu lock-order edge%s",
			potential, live, potential + live == 1 ? "" : "s", nr_pairs,
			nr_pairs == 1 ? "" : "s");
		if (gated)
			fprintf(stderr, "; %u cycle%s under a gate lock (no deadlock)", gated,
				gated == 1 ? "" : "s");
		fputc('\n', stderr);
		return;
	}
	bb_json_begin(&j, stdout);
	bb_json_str(&j, "type", "summary");
	bb_json_u64(&j, "potential", potential);
	bb_json_u64(&j, "live", live);
	bb_json_u64(&j, "edges", nr_pairs);
	bb_json_u64(&j, "gated", gated);
	bb_json_end(&j);
}

static const struct bb_skel_ops dl_skel = BB_SKEL_OPS(deadlock_bpf);

static int dl_main(int argc, char **argv)
{
	struct bb_load l = { .ops = &dl_skel, .hooks = hooks, .nr_hooks = ARRAY_SIZE(hooks),
			     .configure = dl_configure, .uprobes = &probes };
	char path[PATH_MAX];
	struct bb_loop *loop;

	/* Every output before tracing: a bad path is said at once. */
	if (cfg.dot)
		dot_file = bb_create_output_file(cfg.dot);
	if (bb_opts.write_file)
		bb_record_open(bb_opts.write_file, 0);
	if (!bb_target_choose(&target, cfg.command, argc, argv))
		bb_die("give one target: -p PID, -c CMD, or -- CMD ARGS");
	if (!bb_uprobes_find_module(&target, NULL, "", "pthread_mutex_lock", pthread_libs,
				    path, sizeof(path)))
		bb_die("%s has no pthread_mutex_lock (not a threaded program?)", target.exe);
	if (cfg.snapshot && target.launched)
		bb_die("--snapshot looks at a running process: give -p PID");
	target_glibc = is_glibc(path);
	if (!target.launched && (look_now() || cfg.snapshot)) {
		/* It hangs already (nothing more to learn), or only this was asked. */
		bb_record_close(NULL, 0);
		print_summary();
		return live ? 1 : 0;
	}
	probes.nr = target_glibc ? OWN_CODE_FIRST : ARRAY_SIZE(probe_list);
	add_custom(cfg.lock_syms, DL_CUSTOM_LOCK);
	add_custom(cfg.unlock_syms, DL_UNLOCK);
	bb_load_attach(&l);
	skel = l.skel;
	bb_stacks_use_map(bpf_map__fd(skel->maps.dl_stacks), &target.syms);
	bb_uprobes_attach(&probes, path, target.pid);
	/* Before the "tracing" line: a SIGINT sent on seeing it must stop
	 * us with a report, not kill us. */
	bb_install_signals();
	fprintf(stderr, "deadlock: tracing pthread locks in %s, pid %d (%s); Ctrl-C to stop\n",
		strrchr(path, '/') + 1, target.pid, hooks[0].method);
	attach_customs();
	graph = bb_lockgraph_new();
	bb_target_run(&target);
	loop = bb_loop_new();
	if (!bb_opts.interval_set)
		bb_opts.interval = 1;
	bb_loop_on_tick(loop, dl_tick, NULL);
	bb_target_watch(&target, loop);
	bb_session_run(&l, loop);
	detach_customs();
	bb_target_finish(&target);
	print_summary();
	write_dot();	/* after the summary: a write error loses only the graph */
	return potential || live ? 1 : 0;
}

BB_APPLET(deadlock,
	.name = "deadlock",
	.summary = "lock-order cycles and live deadlocks of pthread locks",
	.usage = "[-p PID | -c CMD | -- CMD [ARGS]]",
	.description =
	"Builds the order in which a process takes its pthread mutexes and rwlocks,\n"
	"reports every cycle (a potential deadlock) once, with both stacks of each\n"
	"edge, and threads blocked in a cycle right now (a live deadlock).  With -p,\n"
	"a process that hangs already is diagnosed first, from its threads as they are.\n"
	"Exit status: 0 none found, 1 found, 2 could not run.\n"
	"Examples:\n"
	"  deadlock -- ./server --threads 8       run it, report lock-order cycles\n"
	"  deadlock -p 1234 --dot locks.dot       a running process; the lock graph\n"
	"  deadlock -p 1234 --snapshot            a hung one: who waits for whom, no probes\n"
	"  deadlock --lock-symbols my_lock --unlock-symbols my_unlock -- ./app\n"
	"                                         its own lock functions (any file of it)\n"
	"  deadlock --lock-symbols libspin.so:spin_lock --unlock-symbols spin_unlock -- ./app\n",
	/* -p, no task filters: holders are found among all the target's threads. */
	.common = BB_OPT_OUTPUT | BB_OPT_PID | BB_OPT_BPF,
	.options = dl_options,
	.parse = dl_parse,
	.lost_other = "locks not tracked (a thread held more than --max-held, or the thread table was full)",
	.main = dl_main,
	.print_event = dl_print_event,
	.event_shape = &dl_event_shape,
);
