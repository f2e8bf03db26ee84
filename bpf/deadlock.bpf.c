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
 */
#include "bpfbox.bpf.h"
#include "deadlock.h"

/* --max-held: locks a thread holds that are tracked (<= DL_MAX_HELD). */
const volatile __u32 cfg_max_held = DL_MAX_HELD;
/* The target process: its threads are the only ones in dl_threads. */
const volatile __u32 cfg_tgid;

/* Entries are ~0.5 KB: allocated as threads come, not all at load, where
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

static __always_inline void drop_held(__u32 tid, __u64 lock)
{
	struct dl_thread *t = bpf_map_lookup_elem(&dl_threads, &tid);
	__u32 i, last;

	if (!t || !t->nr || t->nr > DL_MAX_HELD)
		return;
	last = (t->nr - 1) & (DL_MAX_HELD - 1);
	/* The most recent hold of it (recursive mutexes nest): swap-remove. */
	BB_UNROLL
	for (i = 0; i < DL_MAX_HELD; i++) {
		__u32 j = (last - i) & (DL_MAX_HELD - 1);

		if (i >= t->nr)
			break;
		if (t->held[j].lock == lock) {
			t->held[j] = t->held[last];
			t->nr--;
			return;
		}
	}
}

static __noinline void add_edge(struct dl_thread *t, __u32 i, const struct dl_wait *w, __u32 tid)
{
	struct dl_edge_key k = { .from = t->held[i].lock, .to = w->lock };
	struct dl_edge e = { .tid = tid, .from_stack = t->held[i].stack_id,
			     .to_stack = w->stack_id };

	if (k.from == k.to || bpf_map_lookup_elem(&dl_edges, &k))
		return;		/* the first witness of an order is kept */
	bpf_get_current_comm(e.comm, sizeof(e.comm));
	if (bpf_map_update_elem(&dl_edges, &k, &e, BPF_NOEXIST))
		bb_lost_inc(BB_LOST_AGG);
}

/* Every lock @t holds was held when it asked for @w's. */
static __always_inline void add_edges(struct dl_thread *t, const struct dl_wait *w, __u32 tid)
{
	__u32 i, n = t->nr;

	BB_UNROLL
	for (i = 0; i < DL_MAX_HELD; i++)
		if (i < n)	/* (no break: an unrolled loop needs a fixed count) */
			add_edge(t, i, w, tid);
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

	if (is_unlock(op)) {
		drop_held(tid, lock);
		return 0;
	}
	stack_id = bb_user_stack_id(ctx, &dl_stacks, bb_entry_return_address(ctx));
	t = thread_of(tid);
	if (!t)
		return 0;
	/* A slot in the thread's own entry: no map update on the hot path. */
	t->wait.lock = lock;
	t->wait.ts_ns = bpf_ktime_get_boot_ns();
	t->wait.stack_id = stack_id;
	t->wait.op = op;
	if (blocks(op))
		add_edges(t, &t->wait, tid);
	return 0;
}

static __always_inline int lock_return(long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct dl_thread *t = bpf_map_lookup_elem(&dl_threads, &tid);
	struct dl_wait w;
	__u32 n;

	if (!t || !t->wait.lock)
		return 0;
	w = t->wait;
	t->wait.lock = 0;
	if (ret && w.op != DL_CUSTOM_LOCK)
		return 0;	/* a failed trylock (or an error) takes nothing */
	if (!blocks(w.op))
		add_edges(t, &w, tid);
	n = t->nr;
	if (n >= cfg_max_held || n >= DL_MAX_HELD) {
		bb_lost_inc(BB_LOST_APPLET);	/* held set full: counted */
		return 0;
	}
	t->held[n & (DL_MAX_HELD - 1)].lock = w.lock;
	t->held[n & (DL_MAX_HELD - 1)].stack_id = w.stack_id;
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
