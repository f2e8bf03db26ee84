/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF half of the shared core: event delivery with lost-event
 * accounting, the per-key aggregator, and the task/namespace filters.
 * Each applet's X.bpf.c includes this once; user space (common/) finds
 * the maps and read-only config below by name.
 */
#ifndef BPFBOX_BPF_H
#define BPFBOX_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bb_shared.h"

char LICENSE[] SEC("license") = "GPL";

#ifndef EEXIST
#define EEXIST 17	/* what a BPF_NOEXIST update of a present key returns */
#endif

/* Before a loop: unroll it.  Verifiers before ~6.0 reject a loop whose
 * body falls through into its head ("back-edge from insn N to N+1"), a
 * layout clang picks as it likes, so bpfbox's loops leave none. */
#define BB_UNROLL _Pragma("unroll")

/* Set by user space before load; the verifier prunes disabled filters. */
const volatile struct bb_filter bb_cfg_filter = {};

/* Sized by user space (--buffer-size) before load. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} bb_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BB_LOST_NR);
	__type(key, __u32);
	__type(value, __u64);
} bb_lost SEC(".maps");

static __always_inline void bb_lost_inc(enum bb_lost_kind kind)
{
	__u32 key = kind;
	__u64 *n = bpf_map_lookup_elem(&bb_lost, &key);

	if (n)
		(*n)++;		/* per-CPU: no atomics needed */
}

/* Reserve an event; a full ring buffer is counted, never silent. */
static __always_inline void *bb_event_reserve(__u64 size)
{
	void *e = bpf_ringbuf_reserve(&bb_events, size, 0);

	if (!e)
		bb_lost_inc(BB_LOST_RINGBUF);
	return e;
}

/* Copy out a variable-size event (payloads whose size is known late). */
static __always_inline void bb_event_output(void *data, __u64 size)
{
	if (bpf_ringbuf_output(&bb_events, data, size, 0))
		bb_lost_inc(BB_LOST_RINGBUF);
}

/*
 * Stacks by id.  Not BPF_MAP_TYPE_STACK_TRACE: its bucket is the hash
 * modulo the size, and a second stack landing in a used bucket is lost
 * (or, with BPF_F_REUSE_STACKID, overwrites one still referenced).  Here
 * the id is a 31-bit hash of the frames, in an ordinary hash map.
 */
struct bb_stack {
	__u64 frames[BB_MAX_STACK];	/* zero after the last frame */
};

#define BB_STACK_MAP(name, entries)					\
	struct {							\
		__uint(type, BPF_MAP_TYPE_HASH);			\
		__uint(max_entries, entries);				\
		__type(key, __u32);					\
		__type(value, struct bb_stack);				\
	} name SEC(".maps")

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bb_stack);
} bb_stack_scratch SEC(".maps");

static __always_inline bool bb_same_stack(const struct bb_stack *a, const struct bb_stack *b)
{
	int i;

	BB_UNROLL
	for (i = 0; i < BB_MAX_STACK; i++)
		if (a->frames[i] != b->frames[i])
			return false;
	return true;
}

/*
 * @st (its first @bytes, zero after) stored in @map; its id, or -1
 * (counted as lost).  The id is a 31-bit hash of the frames; two stacks
 * with one hash (for 300 stacks, about 2 chances in 10^5) are told apart
 * by comparing the frames, the second one moving to the next of a few
 * other ids.
 */
/* A BPF-to-BPF call, not inlined: one copy in the object for every program
 * (the unrolled loops are big).  Unused in some applets. */
#define BB_SUBPROG static __noinline __attribute__((unused))

BB_SUBPROG __s32 bb_stack_store(void *map, struct bb_stack *st, long bytes)
{
	__u64 h = 0xcbf29ce484222325ULL;	/* FNV-1a over the addresses */
	struct bb_stack *have;
	__u32 id, try;
	int i;

	if (bytes <= 0) {
		bb_lost_inc(BB_LOST_STACK);
		return -1;
	}
	BB_UNROLL
	for (i = 0; i < BB_MAX_STACK; i++) {
		if (i * 8 >= bytes)
			break;
		h ^= st->frames[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 32;
	BB_UNROLL
	for (try = 0; try < 4; try++) {
		id = (__u32)(h + try * 0x9e3779b9U) & 0x7fffffff;
		/* Nearly always known: a lockless lookup, not an update that
		 * takes the bucket lock to fail with -EEXIST. */
		have = bpf_map_lookup_elem(map, &id);
		if (!have && !bpf_map_update_elem(map, &id, st, BPF_NOEXIST))
			return id;
		if (!have)
			have = bpf_map_lookup_elem(map, &id);	/* another CPU's */
		if (have && bb_same_stack(have, st))
			return id;
	}
	bb_lost_inc(BB_LOST_STACK);	/* the map is full, or four collisions */
	return -1;
}

static __always_inline struct bb_stack *bb_stack_scratch_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&bb_stack_scratch, &zero);
}

/* The current stack (kernel, or user with BPF_F_USER_STACK) stored in
 * @map; its id, or -1 (counted as lost). */
static __always_inline __s32 bb_stack_id(void *ctx, void *map, __u64 flags)
{
	struct bb_stack *st = bb_stack_scratch_get();

	if (!st)
		return -1;
	return bb_stack_store(map, st, bpf_get_stack(ctx, st->frames, sizeof(st->frames), flags));
}

/*
 * User stacks without frame pointers.  User space (common/ustack.c) turns
 * each object's .eh_frame into rows (how to find the caller from any
 * instruction: the CFA from the stack or frame pointer, the return address
 * and the saved frame pointer at offsets from it) and tells, per traced
 * process, which object each executable mapping holds.  The walk below
 * follows the rows; an object without any (a JIT, a file without
 * .eh_frame) is walked through its frame pointers.  The maps stay at one
 * entry unless user space sizes them (applets taking user stacks).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);	/* filled by memcpy, not a syscall a row */
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bb_unwind_krow);
} bb_unwind_rows SEC(".maps");

/* Arrays, not hashes: a frame costs a few inlined array lookups, no hashing. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bb_unwind_page);
} bb_unwind_pages SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);			/* tgid */
	__type(value, __u32);			/* its slot in bb_unwind_procs */
} bb_unwind_pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bb_unwind_proc);
} bb_unwind_procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BB_UNWIND_STATS);
	__type(key, __u32);
	__type(value, __u64);
} bb_unwind_stats SEC(".maps");

static __always_inline void bb_unwind_count(__u32 stat)
{
	__u64 *n = bpf_map_lookup_elem(&bb_unwind_stats, &stat);

	if (n)
		(*n)++;
}

/* A frame of the walk: where its code is, its stack and frame pointers. */
struct bb_uw {
	__u64 pc, sp, fp;
};

/* The walk's frame, per CPU: bb_unwind_step() is a global function (see
 * there), which may take no pointer before 5.12. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bb_uw);
} bb_uw_scratch SEC(".maps");

enum { BB_UW_OK, BB_UW_END, BB_UW_CUT };

/* The mapping holding @pc in @p (sorted by start): binary search. */
BB_SUBPROG int bb_unwind_map_of(const struct bb_unwind_proc *p, __u64 pc)
{
	__u32 lo = 0, hi = p->nr, mid;
	int i;

	if (hi > BB_UNWIND_MAPS)
		hi = BB_UNWIND_MAPS;
	BB_UNROLL
	for (i = 0; i < 8; i++) {	/* 2^8 > BB_UNWIND_MAPS; no break: see BB_UNROLL */
		mid = (lo + hi) / 2;
		if (lo >= hi)
			continue;
		if (p->maps[mid & (BB_UNWIND_MAPS - 1)].start <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || pc >= p->maps[(lo - 1) & (BB_UNWIND_MAPS - 1)].end)
		return -1;
	return (lo - 1) & (BB_UNWIND_MAPS - 1);
}

/* The row of @m's file in force at link-time address @link: its page's
 * rows, binary search.  0, or -1 when none says. */
BB_SUBPROG int bb_unwind_row_of(const struct bb_unwind_map *m, __u64 link,
				struct bb_unwind_krow *out)
{
	__u64 page = (link >> BB_UNWIND_PAGE_SHIFT) - m->first_page;
	const struct bb_unwind_page *pg;
	const struct bb_unwind_krow *r;
	__u32 lo, hi, mid, first;
	int i;

	if (page >= m->pages)
		return -1;
	mid = m->page_base + page;
	pg = bpf_map_lookup_elem(&bb_unwind_pages, &mid);
	if (!pg || !pg->nr)
		return -1;
	first = lo = pg->first;
	hi = lo + pg->nr;
	BB_UNROLL
	for (i = 0; i < 10; i++) {	/* 2^10 > BB_UNWIND_PAGE_ROWS */
		mid = (lo + hi) / 2;
		if (lo >= hi)
			continue;
		r = bpf_map_lookup_elem(&bb_unwind_rows, &mid);
		if (r && r->pc <= (__u32)link)
			lo = mid + 1;
		else
			hi = mid;	/* (no row: only past the array's end) */
	}
	if (lo == first)
		return -1;
	mid = lo - 1;
	r = bpf_map_lookup_elem(&bb_unwind_rows, &mid);
	if (!r)
		return -1;
	*out = *r;
	return 0;
}

/* One frame up through the frame pointer: {saved fp, return address}. */
static __always_inline int bb_unwind_fp_step(struct bb_uw *s)
{
	__u64 frame[2];

	/* Only up the stack: a %rbp that is no frame pointer ends it without
	 * a faulting read. */
	if (s->fp < s->sp || (s->fp & 7) ||
	    bpf_probe_read_user(frame, sizeof(frame), (void *)s->fp))
		return BB_UW_CUT;
	if (!frame[1])
		return BB_UW_END;
	s->pc = frame[1];
	s->sp = s->fp + sizeof(frame);
	s->fp = frame[0];
	return BB_UW_OK;
}

/*
 * The walk's frame (bb_uw_scratch) to its caller's, by the current
 * process's rows.  Its pc is a return address (its call instruction,
 * pc - 1, says how to go on), or with @exact the next instruction of an
 * interrupted function (a probe at its entry).
 *
 * A global function: the verifier checks it once, on its own, however
 * many times the walk calls it (a static one is checked again at every
 * call: 31 frames of two binary searches took 5.10's verifier past its
 * limits).  So it finds its state in maps, not in pointer arguments.
 */
__attribute__((noinline)) int bb_unwind_step(__u32 slot, __u32 exact)
{
	__u32 zero = 0;
	struct bb_uw *s = bpf_map_lookup_elem(&bb_uw_scratch, &zero);
	const struct bb_unwind_proc *p = bpf_map_lookup_elem(&bb_unwind_procs, &slot);
	const struct bb_unwind_map *m;
	struct bb_unwind_krow row;
	__u64 pc, cfa, ra, fp;
	int i;

	if (!s || !p)
		return BB_UW_CUT;
	pc = s->pc - !exact;
	i = bb_unwind_map_of(p, pc);
	if (i < 0) {
		bb_unwind_count(BB_UNWIND_UNMAPPED);
		return BB_UW_CUT;
	}
	m = &p->maps[i & (BB_UNWIND_MAPS - 1)];
	if (!m->page_base)
		return bb_unwind_fp_step(s);
	if (bb_unwind_row_of(m, pc - m->bias, &row))
		return BB_UW_CUT;
	if (row.cfa == BB_CFA_END)
		return BB_UW_END;
	if (!row.ra_off)
		return BB_UW_CUT;	/* in a link register (arm64's leaf): not followed */
	if (row.cfa == BB_CFA_SP)
		cfa = s->sp + row.cfa_off;
	else if (row.cfa == BB_CFA_FP)
		cfa = s->fp + row.cfa_off;
	else
		return BB_UW_CUT;
	fp = s->fp;
	if (cfa <= s->sp || bpf_probe_read_user(&ra, sizeof(ra), (void *)(cfa + row.ra_off)) ||
	    (row.fp_off && bpf_probe_read_user(&fp, sizeof(fp), (void *)(cfa + row.fp_off))))
		return BB_UW_CUT;
	if (!ra)
		return BB_UW_END;
	s->pc = ra;
	s->sp = cfa;
	s->fp = fp;
	return BB_UW_OK;
}

/*
 * The user stack at a uprobe, stored in @map: its id, or -1 (counted as
 * lost).  @first is nonzero at a function's entry (the return address
 * at *sp, used when the function has no rows), 0 at a return (the
 * instruction pointer is then in the caller).  A process with unwind rows
 * is walked by them; a frame they cannot vouch for ends the stack with
 * BB_FRAME_TRUNCATED.  Without rows (none loaded for this process) the
 * walk follows the frame pointers, as bpf_get_stack() would, but at ~75 ns
 * a frame instead of its 0.8 us a call (6.18, a VM).
 */
BB_SUBPROG __s32 bb_user_stack_id(struct pt_regs *regs, void *map, __u64 first)
{
	struct bb_stack *st = bb_stack_scratch_get();
	__u32 zero = 0, tgid = bpf_get_current_pid_tgid() >> 32;
	struct bb_uw *s = bpf_map_lookup_elem(&bb_uw_scratch, &zero);
	__u32 *slot = bpf_map_lookup_elem(&bb_unwind_pids, &tgid);
	__u32 p = slot ? *slot + 1 : 0;		/* the process's slot + 1; 0: none */
	int i, n = 1, r = BB_UW_OK;

	if (!st || !s)
		return -1;
	__builtin_memset(st, 0, sizeof(*st));
	s->pc = PT_REGS_IP(regs);
	s->sp = PT_REGS_SP(regs);
	s->fp = PT_REGS_FP(regs);
	/* At an entry the function's own row leads to its caller, whatever
	 * its prologue did before the probe; without one, *sp (x86). */
	if (first && (!p || bb_unwind_step(p - 1, 1) != BB_UW_OK)) {
		s->pc = first;
		s->sp = PT_REGS_SP(regs) + 8;
		s->fp = PT_REGS_FP(regs);
	}
	st->frames[0] = s->pc;
	/* No break (an unrolled loop needs a fixed count): once the walk
	 * ends, r says so and the rest only tests it. */
	BB_UNROLL
	for (i = 1; i < BB_MAX_STACK; i++) {
		if (r != BB_UW_OK)
			continue;
		r = p ? bb_unwind_step(p - 1, 0) : bb_unwind_fp_step(s);
		if (r == BB_UW_OK) {
			st->frames[i] = s->pc;
			n = i + 1;
		} else if (r == BB_UW_CUT && p) {
			st->frames[i] = BB_FRAME_TRUNCATED;
			n = i + 1;
			bb_unwind_count(BB_UNWIND_CUT);
		}
	}
	/* Still going after the last slot: more frames than fit, shown so. */
	if (r == BB_UW_OK && p && n == BB_MAX_STACK) {
		st->frames[BB_MAX_STACK - 1] = BB_FRAME_TRUNCATED;
		bb_unwind_count(BB_UNWIND_CUT);
	}
	return bb_stack_store(map, st, n * 8);
}

/*
 * The programs of a set of uprobes (common/uprobes.h): @prefix_enter_multi
 * and @prefix_return_multi, one uprobe.multi link each (6.6+, the function
 * in the cookie), and @prefix_return, a uretprobe per function before.
 * Entries go to @entry(ctx, cookie), returns to @ret(ctx).
 */
#define BB_UPROBE_PROGRAMS(prefix, entry, ret)				\
	SEC("uprobe.multi")						\
	int prefix##_enter_multi(struct pt_regs *ctx)			\
	{								\
		return entry(ctx, bpf_get_attach_cookie(ctx));		\
	}								\
	SEC("uretprobe.multi")						\
	int prefix##_return_multi(struct pt_regs *ctx)			\
	{								\
		return ret(ctx);					\
	}								\
	SEC("uretprobe")						\
	int prefix##_return(struct pt_regs *ctx)			\
	{								\
		return ret(ctx);					\
	}

/* A function's own entry program, before uprobe.multi: @entry(ctx, @cookie). */
#define BB_UPROBE_ENTRY(name, entry, cookie)				\
	SEC("uprobe")							\
	int name(struct pt_regs *ctx)					\
	{								\
		return entry(ctx, cookie);				\
	}

/*
 * Aggregator.  A per-CPU hash: the hot path does plain increments (a BPF
 * program does not nest on one CPU), user space sums the CPUs.  Keys are
 * never deleted by the reader: per-interval figures are deltas computed in
 * user space, so no increment can be lost between a read and a delete.
 */
#define BB_AGG_MAP(name, key_type, entries)				\
	struct {							\
		__uint(type, BPF_MAP_TYPE_PERCPU_HASH);			\
		__uint(max_entries, entries);				\
		__type(key, key_type);					\
		__type(value, struct bb_agg_val);			\
	} name SEC(".maps")

#define BB_AGG_HIST_MAP(name, key_type, entries)			\
	struct {							\
		__uint(type, BPF_MAP_TYPE_PERCPU_HASH);			\
		__uint(max_entries, entries);				\
		__type(key, key_type);					\
		__type(value, struct bb_agg_hval);			\
	} name SEC(".maps")

/*
 * @map's value for @key, made from @init when there is none yet; NULL
 * (counted as lost, @lost) when the map is full.
 */
static __always_inline void *bb_map_lookup_or_init(void *map, const void *key, const void *init,
						   __u32 lost)
{
	void *v = bpf_map_lookup_elem(map, key);

	if (v)
		return v;
	/* EEXIST means another CPU raced us in: the value exists now. */
	bpf_map_update_elem(map, key, init, BPF_NOEXIST);
	v = bpf_map_lookup_elem(map, key);
	if (!v)
		bb_lost_inc(lost);
	return v;
}

static __always_inline struct bb_agg_val *bb_agg_slot(void *map, const void *key)
{
	struct bb_agg_hval zero = {};

	return bb_map_lookup_or_init(map, key, &zero, BB_LOST_AGG);
}

static __always_inline void bb_agg_count(struct bb_agg_val *v, __u64 bytes)
{
	__u64 now = bpf_ktime_get_boot_ns();

	if (!v->count)
		v->first_ns = now;
	v->count++;
	v->bytes += bytes;
	v->last_ns = now;
}

/* Count one hit of @key carrying @bytes (a size, a length, a latency). */
static __always_inline void bb_agg_add(void *map, const void *key, __u64 bytes)
{
	struct bb_agg_val *v = bb_agg_slot(map, key);

	if (v)
		bb_agg_count(v, bytes);
}

/*
 * Signed update, for figures that go up and down (outstanding memory).
 * Counters are u64 per CPU: one CPU may go "negative" (a free on another
 * CPU than the malloc); the sum over CPUs, modulo 2^64, is still right.
 * No times: first and last hits mean nothing for such a figure.
 */
static __always_inline void bb_agg_update(void *map, const void *key, __s64 dcount,
					  __s64 dbytes)
{
	struct bb_agg_val *v = bb_agg_slot(map, key);

	if (!v)
		return;
	v->count += dcount;
	v->bytes += dbytes;
}

static __always_inline __u32 bb_log2(__u64 v)
{
	__u32 r = 0;

	/* Unrolled binary search: bounded, verifier-friendly. */
	if (v >> 32) { v >>= 32; r += 32; }
	if (v >> 16) { v >>= 16; r += 16; }
	if (v >> 8) { v >>= 8; r += 8; }
	if (v >> 4) { v >>= 4; r += 4; }
	if (v >> 2) { v >>= 2; r += 2; }
	if (v >> 1) r += 1;
	return r;
}

/* As bb_agg_add, and also file @bytes into a log2 histogram. */
static __always_inline void bb_agg_hist_add(void *map, const void *key, __u64 bytes)
{
	struct bb_agg_hval *h = (void *)bb_agg_slot(map, key);
	__u32 slot;

	if (!h)
		return;
	bb_agg_count(&h->v, bytes);
	slot = bytes ? bb_log2(bytes) + 1 : 0;
	if (slot >= BB_HIST_SLOTS)
		slot = BB_HIST_SLOTS - 1;
	h->slots[slot]++;
}

/* Filters.  Return true when the event must be ignored. */
static __always_inline bool bb_comm_differs(void)
{
	char comm[BB_COMM_LEN];
	int i;

	bpf_get_current_comm(comm, sizeof(comm));
	BB_UNROLL
	for (i = 0; i < BB_COMM_LEN; i++) {
		if (comm[i] != bb_cfg_filter.comm[i])
			return true;
		if (!comm[i])
			break;
	}
	return false;
}

static __always_inline __u32 bb_current_mntns(void)
{
	struct task_struct *t = (void *)bpf_get_current_task();

	return BPF_CORE_READ(t, nsproxy, mnt_ns, ns.inum);
}

static __always_inline bool bb_task_filtered(void)
{
	__u64 id = bpf_get_current_pid_tgid();

	if (bb_cfg_filter.tgid && (id >> 32) != bb_cfg_filter.tgid)
		return true;
	if (bb_cfg_filter.pid && (__u32)id != bb_cfg_filter.pid)
		return true;
	if (bb_cfg_filter.cgroup_id &&
	    bpf_get_current_cgroup_id() != bb_cfg_filter.cgroup_id)
		return true;
	if (bb_cfg_filter.mntns && bb_current_mntns() != bb_cfg_filter.mntns)
		return true;
	if (bb_cfg_filter.has_comm && bb_comm_differs())
		return true;
	return false;
}

/* For objects that carry their own namespace (packets, sockets). */
static __always_inline bool bb_netns_filtered(__u32 inum)
{
	return bb_cfg_filter.netns && inum != bb_cfg_filter.netns;
}

#endif
