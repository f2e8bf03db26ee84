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
 * For events that come by the hundred thousand: the reader is woken only
 * once @batch bytes wait (a wakeup per event costs a context switch each);
 * it also drains the buffer at every tick, so nothing waits longer than
 * --interval.
 */
static __always_inline __u64 bb_wakeup_after(__u64 batch)
{
	return bpf_ringbuf_query(&bb_events, BPF_RB_AVAIL_DATA) >= batch ? BPF_RB_FORCE_WAKEUP
									    : BPF_RB_NO_WAKEUP;
}

/* bb_event_output, waking the reader as bb_wakeup_after says. */
static __always_inline void bb_event_output_batched(void *data, __u64 size, __u64 batch)
{
	if (bpf_ringbuf_output(&bb_events, data, size, bb_wakeup_after(batch)))
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
 * The user stack at a uprobe, stored in @map: its id, or -1 (counted as
 * lost).  The frame-pointer chain is walked here rather than by
 * bpf_get_stack(), which does the same walk at a fixed price measured at
 * 0.8 us a call (6.18, a VM) even for one frame; here it is ~75 ns a
 * frame.  @first is the first frame: at a function's entry the return
 * address at *sp (%rbp is still the caller's: the walk from it starts at
 * the caller's caller), or 0 for the instruction pointer (a return probe:
 * the caller's own code).  The walk goes only up the stack, so a %rbp
 * that is not a frame pointer (code built without them) ends it without
 * a faulting read.
 */
BB_SUBPROG __s32 bb_user_stack_id(struct pt_regs *regs, void *map, __u64 first)
{
	struct bb_stack *st = bb_stack_scratch_get();
	__u64 fp = PT_REGS_FP(regs), low = PT_REGS_SP(regs), frame[2];
	int i, n = 1;

	if (!st)
		return -1;
	__builtin_memset(st, 0, sizeof(*st));
	st->frames[0] = first ?: PT_REGS_IP(regs);
	/* No break (an unrolled loop needs a fixed count): once the walk
	 * ends, fp is 0, below low, and the rest only tests that. */
	BB_UNROLL
	for (i = 1; i < BB_MAX_STACK; i++) {
		if (fp < low || (fp & 7) ||
		    bpf_probe_read_user(frame, sizeof(frame), (void *)fp) || !frame[1]) {
			fp = 0;
			continue;
		}
		st->frames[i] = frame[1];	/* {saved %rbp, return address} */
		n = i + 1;
		low = fp + sizeof(frame);
		fp = frame[0];
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
