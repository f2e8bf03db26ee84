// SPDX-License-Identifier: GPL-2.0
/*
 * deadlock: the lock-order graph of a process's pthread locks, and who
 * waits for what right now.
 *
 * A lock call's entry records what the thread asks for (its wait slot:
 * while it stays set the thread is blocked) and adds an edge from every
 * lock the thread holds to the new one: asking while holding is the
 * order, whether or not the call ever returns (a real deadlock's last
 * requests never do).  Its return, when it succeeded, pushes the lock on
 * the thread's held set; a trylock's edges wait for its success.  Unlocks
 * pop it.  User space looks for cycles in the edges (potential deadlocks)
 * and in waiting -> holder (live ones).
 *
 * A lock its thread holds already (a recursive mutex, a rwlock read
 * again) adds no edge and is no new hold: its depth counts the re-entries
 * its unlocks undo.  Edges say whether each end was a read (read after
 * read blocks no one) and a lock held besides, every time (a gate: a
 * cycle under one gate cannot close).  A lock's memory destroyed or freed
 * gives the next lock there a new id (DL_GEN_SHIFT).
 */
#define BB_USER_STACKS		/* bb_user_stack_id() and its unwinder */
#include "bpfbox.bpf.h"
#include "deadlock.h"

/* --max-held: locks a thread holds that are tracked (<= DL_MAX_HELD). */
const volatile __u32 cfg_max_held = DL_MAX_HELD;
/* The target process: its threads are the only ones in dl_threads. */
const volatile __u32 cfg_tgid;

/* Entries are ~1 KB: allocated as threads come, not all at load, where
 * the kernel allows it (bb_map_lazy_if_safe). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct dl_thread);
} dl_threads SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);		/* --max-edges */
	__type(key, struct dl_edge_key);
	__type(value, struct dl_edge);
} dl_edges SEC(".maps");

/* Every lock address seen: how many times its memory was destroyed or
 * freed since.  LRU: a lock long unused may lose its count. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u32);
} dl_gens SEC(".maps");

/* Threads that held more than --max-held: the most they held at once. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u32);
} dl_over SEC(".maps");

BB_STACK_MAP(dl_stacks, 16384);

static __always_inline bool is_unlock(__u32 op)
{
	return op == DL_UNLOCK || op == DL_RWUNLOCK;
}

/* A call that waits for the lock (not a try): its request is an edge. */
static __always_inline bool blocks(__u32 op)
{
	return op == DL_LOCK || op == DL_RDLOCK || op == DL_WRLOCK || op == DL_CUSTOM_LOCK;
}

static __always_inline bool reads(__u32 op)
{
	return op == DL_RDLOCK || op == DL_TRYRDLOCK;
}

/* dl_gens values: the generation, and whether a lock was taken in it. */
#define GEN_USED 0x10000

/* The id of the lock at @addr: the address and its generation. */
static __always_inline __u64 lock_id(__u64 addr)
{
	static const __u32 used = GEN_USED;
	__u32 *gen = bpf_map_lookup_elem(&dl_gens, &addr);

	if (!gen) {
		bpf_map_update_elem(&dl_gens, &addr, &used, BPF_NOEXIST);
		return addr;
	}
	if (!(*gen & GEN_USED))
		*gen |= GEN_USED;	/* once per generation */
	return addr | (__u64)(*gen & 0xffff) << DL_GEN_SHIFT;
}

/* The lock at @addr is gone (destroyed, or its memory freed): a lock made
 * there later is another one.  Once per lock (destroyed, then freed, it is
 * gone once); addresses never locked are not kept. */
static __always_inline void forget(__u64 addr)
{
	__u32 *gen = bpf_map_lookup_elem(&dl_gens, &addr);

	if (gen && (*gen & GEN_USED))
		*gen = (*gen + 1) & 0xffff;
}

/* Where @t holds the lock at @addr, or DL_MAX_HELD. */
BB_SUBPROG __u32 find_held(const struct dl_thread *t, __u64 addr)
{
	__u32 i, n = t->nr;

	BB_UNROLL
	for (i = 0; i < DL_MAX_HELD; i++)
		if (i < n && (t->held[i].lock & DL_ADDR_MASK) == addr)
			return i;
	return DL_MAX_HELD;
}

static __always_inline void drop_held(__u32 tid, __u64 lock)
{
	struct dl_thread *t = bpf_map_lookup_elem(&dl_threads, &tid);
	__u32 i, last;

	if (!t || t->nr > DL_MAX_HELD)
		return;
	i = find_held(t, lock);
	if (i >= DL_MAX_HELD) {
		if (t->over)
			t->over--;	/* one that was not tracked */
		return;
	}
	i &= DL_MAX_HELD - 1;
	if (t->held[i].depth) {
		t->held[i].depth--;	/* a recursive mutex's re-entry undone */
		return;
	}
	last = (t->nr - 1) & (DL_MAX_HELD - 1);
	t->held[i] = t->held[last];
	t->nr--;
}

static __noinline void add_edge(struct dl_thread *t, __u32 i, const struct dl_wait *w, __u32 tid,
				__u64 gate)
{
	struct dl_edge_key k = {};
	struct dl_edge e = {}, *have;

	i &= DL_MAX_HELD - 1;
	k.from = t->held[i].lock;
	k.to = w->lock;
	k.modes = (t->held[i].read ? DL_FROM_READ : 0) | (reads(w->op) ? DL_TO_READ : 0);
	if (k.from == k.to)
		return;
	have = bpf_map_lookup_elem(&dl_edges, &k);
	if (have) {
		/* The first witness is kept; a gate only if it was held every time. */
		if (have->gate != gate)
			have->gate = 0;
		return;
	}
	e.gate = gate;
	e.tid = tid;
	e.from_stack = t->held[i].stack_id;
	e.to_stack = w->stack_id;
	bpf_get_current_comm(e.comm, sizeof(e.comm));
	if (bpf_map_update_elem(&dl_edges, &k, &e, BPF_NOEXIST))
		bb_lost_inc(BB_LOST_AGG);
}

/*
 * Every lock @t holds was held when it asked for @w's.  Each edge's gate
 * candidate: the lock in the first or second slot (whichever is not its
 * own @from), held for writing (a lock held for reading excludes no one).
 */
static __always_inline void add_edges(struct dl_thread *t, const struct dl_wait *w, __u32 tid)
{
	__u32 i, n = t->nr;
	__u64 g0 = n > 0 && !t->held[0].read ? t->held[0].lock : 0;
	__u64 g1 = n > 1 && !t->held[1].read ? t->held[1].lock : 0;

	BB_UNROLL
	for (i = 0; i < DL_MAX_HELD; i++)
		if (i < n)	/* (no break: an unrolled loop needs a fixed count) */
			add_edge(t, i, w, tid, i ? g0 : g1);
}

static __always_inline struct dl_thread *thread_of(__u32 tid)
{
	static const struct dl_thread empty;

	return bb_map_lookup_or_init(&dl_threads, &tid, &empty, BB_LOST_APPLET);
}

static __always_inline int enter(struct pt_regs *ctx, __u32 op, __u64 lock)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct dl_thread *t;
	__s32 stack_id;

	if (op == DL_DESTROY || op == DL_FREE) {
		forget(lock);
		return 0;
	}
	if (is_unlock(op)) {
		drop_held(tid, lock);
		return 0;
	}
	stack_id = bb_user_stack_id(ctx, &dl_stacks, bb_entry_return_address(ctx));
	t = thread_of(tid);
	if (!t)
		return 0;
	/* A slot in the thread's own entry: no map update on the hot path. */
	t->wait.lock = lock_id(lock);
	t->wait.ts_ns = bpf_ktime_get_boot_ns();
	t->wait.stack_id = stack_id;
	t->wait.op = op;
	/* Taking again a lock it holds orders nothing. */
	if (blocks(op) && find_held(t, lock) >= DL_MAX_HELD)
		add_edges(t, &t->wait, tid);
	return 0;
}

/* A hold beyond --max-held: counted, and the most held at once kept. */
static __always_inline void untracked(struct dl_thread *t, __u32 tid)
{
	__u32 most = t->nr + ++t->over, *have = bpf_map_lookup_elem(&dl_over, &tid);

	bb_lost_inc(BB_LOST_APPLET);
	if (have && *have >= most)
		return;
	bpf_map_update_elem(&dl_over, &tid, &most, BPF_ANY);
}

static __always_inline int lock_return(long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct dl_thread *t = bpf_map_lookup_elem(&dl_threads, &tid);
	struct dl_wait w;
	__u32 n, i;

	if (!t || !t->wait.lock)
		return 0;
	w = t->wait;
	t->wait.lock = 0;
	if (ret && w.op != DL_CUSTOM_LOCK)
		return 0;	/* a failed trylock (or an error) takes nothing */
	i = find_held(t, w.lock & DL_ADDR_MASK);
	if (i < DL_MAX_HELD) {
		t->held[i & (DL_MAX_HELD - 1)].depth++;	/* a recursive mutex taken again */
		return 0;
	}
	if (!blocks(w.op))
		add_edges(t, &w, tid);
	n = t->nr;
	if (n >= cfg_max_held || n >= DL_MAX_HELD) {
		untracked(t, tid);
		return 0;
	}
	n &= DL_MAX_HELD - 1;
	t->held[n].lock = w.lock;
	t->held[n].stack_id = w.stack_id;
	t->held[n].depth = 0;
	t->held[n].read = reads(w.op);
	t->nr = n + 1;
	return 0;
}

/* Preferred (6.6+): one link per direction, the function in the cookie. */
/* The lock is the first argument of every lock function. */
static __always_inline int enter_op(struct pt_regs *ctx, __u32 op)
{
	return enter(ctx, op, PT_REGS_PARM1(ctx));
}

static __always_inline int return_op(struct pt_regs *ctx)
{
	return lock_return(PT_REGS_RC(ctx));
}

BB_UPROBE_PROGRAMS(dl, enter_op, return_op)
BB_UPROBE_ENTRY(dl_mutex_lock, enter_op, DL_LOCK)
BB_UPROBE_ENTRY(dl_mutex_trylock, enter_op, DL_TRYLOCK)
BB_UPROBE_ENTRY(dl_mutex_unlock, enter_op, DL_UNLOCK)
BB_UPROBE_ENTRY(dl_rdlock, enter_op, DL_RDLOCK)
BB_UPROBE_ENTRY(dl_wrlock, enter_op, DL_WRLOCK)
BB_UPROBE_ENTRY(dl_tryrdlock, enter_op, DL_TRYRDLOCK)
BB_UPROBE_ENTRY(dl_trywrlock, enter_op, DL_TRYWRLOCK)
BB_UPROBE_ENTRY(dl_rwunlock, enter_op, DL_RWUNLOCK)
BB_UPROBE_ENTRY(dl_custom_lock, enter_op, DL_CUSTOM_LOCK)
BB_UPROBE_ENTRY(dl_destroy, enter_op, DL_DESTROY)
BB_UPROBE_ENTRY(dl_free, enter_op, DL_FREE)

/* A thread that ends holds nothing and waits for nothing. */
static __always_inline int thread_exit(void)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;

	/* Every thread of the machine ends here: only the target's matter. */
	if (id >> 32 == cfg_tgid)
		bpf_map_delete_elem(&dl_threads, &tid);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(dl_exit_btf)
{
	return thread_exit();
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(dl_exit_raw)
{
	return thread_exit();
}

SEC("tracepoint/sched/sched_process_exit")
int dl_exit_tp(void *ctx)
{
	return thread_exit();
}
