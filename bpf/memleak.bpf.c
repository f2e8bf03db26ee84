// SPDX-License-Identifier: GPL-2.0
/*
 * memleak: outstanding allocations, by address and by allocating stack.
 *
 * User mode: uprobes on the allocator's entry points remember the request
 * per thread; one uretprobe, shared by every allocating function, turns
 * the returned address into an entry of ml_allocs and adds its size to
 * the stack's outstanding total.  free/munmap take both back.  Kernel
 * mode does the same from the kmem tracepoints.
 *
 * The per-stack totals (ml_outstanding) let user space read only the top
 * stacks instead of walking every live allocation.
 */
#define BB_USER_STACKS		/* bb_user_stack_id() and its unwinder */
#include "bpfbox.bpf.h"
#include "memleak.h"

const volatile bool cfg_events = false;
const volatile __u32 cfg_sample_every = 1;	/* -s N: 1 in N allocations */
const volatile __u64 cfg_min_size = 0;		/* -z */
const volatile __u64 cfg_max_size = ~0ULL;	/* -Z */
const volatile bool cfg_stacks = true;	/* false in --events mode: no tables */

/* A call between its entry and its return, per thread. */
struct pending {
	__u64 size;
	__u64 old_addr;		/* realloc/mremap: freed when the call succeeds */
	__u64 memptr;		/* posix_memalign: where the result is written */
	__u64 ts_ns;
	__u32 op;
	__u16 depth;		/* allocator calls made inside this one */
	__u8 skip;		/* not sampled, or outside the size bounds */
	__u8 pad;
};

/* A pending call older than this was abandoned (thread killed, longjmp). */
#define STALE_NS 1000000000ULL

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct pending);
} ml_pending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1 << 20);		/* resized by --max-allocs */
	__type(key, struct memleak_addr);
	__type(value, struct memleak_alloc);
} ml_allocs SEC(".maps");

/*
 * Per process (tgid), the code of the allocator when it is a shared
 * library (libc.so.6), set by user space.  The mmaps and mremaps called
 * from inside it are the library's own (glibc's thread stacks, its locale
 * archive, what its malloc maps is nested already): not the program's
 * requests.  The in-process engine, which sees only calls that go
 * through the PLT, cannot see them: so both engines report the same.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct memleak_text);
} ml_alloc_text SEC(".maps");

static __always_inline bool from_allocator(struct pt_regs *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct memleak_text *t = bpf_map_lookup_elem(&ml_alloc_text, &tgid);
	__u64 ret;

	if (!t)
		return false;
	ret = bb_entry_return_address(ctx);
	return ret >= t->lo && ret < t->hi;
}

/* Whose block @addr is: the calling process's, or the kernel's (@op). */
static __always_inline struct memleak_addr block_of(__u64 addr, __u32 op)
{
	struct memleak_addr k = { .addr = addr };

	if (op < ML_KMALLOC)
		k.tgid = bpf_get_current_pid_tgid() >> 32;
	return k;
}

BB_STACK_MAP(ml_stacks, 16384);

BB_AGG_MAP(ml_outstanding, struct memleak_key, 16384);

static __always_inline void send_event(__u32 op, __u64 addr, __u64 size, __u64 old,
				       __s32 stack_id)
{
	struct memleak_event *e;
	__u64 id;

	if (!cfg_events)
		return;
	e = bb_event_reserve(sizeof(*e));
	if (!e)
		return;
	id = bpf_get_current_pid_tgid();
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->addr = addr;
	e->size = size;
	e->old_addr = old;
	e->tgid = id >> 32;
	e->tid = (__u32)id;
	e->op = op;
	e->stack_id = stack_id;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
}

static __always_inline bool size_wanted(__u64 size)
{
	if (size < cfg_min_size || size > cfg_max_size)
		return false;
	/* Sampling decides at the request, so frees need no extra state. */
	return cfg_sample_every <= 1 || bpf_get_prandom_u32() % cfg_sample_every == 0;
}

/*
 * Allocators call each other (reallocarray calls realloc, musl's malloc
 * calls mmap for a new group): only the outermost call is the program's
 * request.  Inner calls just count depth, so their returns are not taken
 * for the outer one's, and the allocator's own mmaps are not reported.
 */
static __always_inline int enter(__u32 op, __u64 size, __u64 old, __u64 memptr,
				 bool internal)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 now = bpf_ktime_get_boot_ns();
	struct pending *cur = bpf_map_lookup_elem(&ml_pending, &tid);
	struct pending p = { .size = size, .old_addr = old, .memptr = memptr,
			     .ts_ns = now, .op = op };

	/* --tid, --comm...: calls of other threads are not followed (their
	 * frees still find what was taken here). */
	if (bb_task_filtered())
		return 0;

	if (cur && now - cur->ts_ns < STALE_NS) {
		cur->depth++;
		return 0;
	}
	/* (The library's own call is pending too: its return is not taken
	 * for another's.) */
	p.skip = internal || (!old && !size_wanted(size));
	if (bpf_map_update_elem(&ml_pending, &tid, &p, BPF_ANY))
		bb_lost_inc(BB_LOST_APPLET);
	return 0;
}

static __always_inline void forget(__u64 addr, __u32 op)
{
	struct memleak_addr block = block_of(addr, op);
	struct memleak_alloc *a = bpf_map_lookup_elem(&ml_allocs, &block);
	struct memleak_key key = { .tgid = block.tgid };

	if (!a)
		return;		/* not ours: before attach, or not sampled */
	key.stack_id = a->stack_id;
	if (!cfg_events)
		bb_agg_update(&ml_outstanding, &key, -1, -(__s64)a->size);
	send_event(op, addr, a->size, 0, -1);
	bpf_map_delete_elem(&ml_allocs, &block);
}

static __always_inline void remember(void *ctx, __u64 addr, __u64 size, __u32 op,
				     __u64 old, __u64 stack_flags)
{
	struct memleak_alloc a = { .size = size, .ts_ns = bpf_ktime_get_boot_ns(),
				   .stack_id = -1 };
	struct memleak_addr block = block_of(addr, op);
	struct memleak_key key = { .tgid = block.tgid };
	/* An int, not the helper's long: before 6.4 the verifier turns the
	 * call into a direct one to the map's update, which returned int,
	 * so -EEXIST came back as 0xffffffef in a 64-bit register and
	 * compared unequal (realloc in place lost its block on 5.10, 6.1). */
	int err;

	/* (@stack_flags is a constant: the branch not taken is compiled out,
	 * so tracepoints never read registers.) */
	if (cfg_stacks && (stack_flags & BPF_F_USER_STACK))
		a.stack_id = bb_user_stack_id(ctx, &ml_stacks, 0);
	else if (cfg_stacks)
		a.stack_id = bb_stack_id(ctx, &ml_stacks, stack_flags);
	err = bpf_map_update_elem(&ml_allocs, &block, &a, BPF_NOEXIST);
	if (err == -EEXIST) {
		/* A block handed out twice without a free seen: count it once. */
		forget(addr, op < ML_KMALLOC ? ML_FREE : ML_KFREE);
		err = bpf_map_update_elem(&ml_allocs, &block, &a, BPF_ANY);
	}
	if (err) {
		bb_lost_inc(BB_LOST_APPLET);	/* --max-allocs reached */
		return;
	}
	key.stack_id = a.stack_id;
	if (!cfg_events)
		bb_agg_update(&ml_outstanding, &key, 1, size);
	send_event(op, addr, size, old, a.stack_id);
}

/* The shared return path of every allocating function. */
static __always_inline int alloc_return(struct pt_regs *ctx, __u64 addr)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct pending *p = bpf_map_lookup_elem(&ml_pending, &tid);
	struct pending c;

	/*
	 * A return is probed only for a call that entered once both links
	 * were in place (the entries are attached first), so its entry ran,
	 * unless the kernel skipped that program without a count of its own
	 * (before 6.0 a uprobe's BPF program is not run while another holds
	 * bpf_prog_active on the CPU).  Such a call is lost: counted here,
	 * unless its thread is filtered out (no entry kept for it).
	 */
	if (!p) {
		if (!bb_task_filtered())
			bb_lost_inc(BB_LOST_APPLET);
		return 0;
	}
	if (p->depth) {
		p->depth--;	/* an inner call returned */
		return 0;
	}
	c = *p;
	bpf_map_delete_elem(&ml_pending, &tid);
	if (c.skip)
		return 0;
	if (c.op == ML_POSIX_MEMALIGN) {
		/* Returns an error code; the block is written to *memptr. */
		if (addr || bpf_probe_read_user(&addr, sizeof(addr), (void *)c.memptr))
			return 0;
	}
	if (c.op == ML_MMAP || c.op == ML_MREMAP) {
		if ((long)addr == -1)
			return 0;	/* MAP_FAILED */
	} else if (!addr) {
		/* realloc(p, 0) frees p and may return NULL. */
		if (c.op == ML_REALLOC && c.old_addr && !c.size)
			forget(c.old_addr, ML_FREE);
		return 0;
	}
	if (c.old_addr && c.old_addr != addr)
		forget(c.old_addr, ML_FREE);
	if (c.old_addr && !size_wanted(c.size)) {
		forget(addr, ML_FREE);
		return 0;
	}
	remember(ctx, addr, c.size, c.op, c.old_addr, BPF_F_USER_STACK);
	return 0;
}

/* Every allocator entry point, told apart by @op: the arguments differ. */
static __always_inline int enter_op(struct pt_regs *ctx, __u32 op)
{
	__u64 a1 = PT_REGS_PARM1(ctx), a2 = PT_REGS_PARM2(ctx), a3 = PT_REGS_PARM3(ctx);

	switch (op) {
	case ML_MALLOC:
	case ML_VALLOC:
	case ML_PVALLOC:
		return enter(op, a1, 0, 0, false);
	case ML_CALLOC:
		return enter(op, a1 * a2, 0, 0, false);
	case ML_REALLOC:
		return enter(op, a2, a1, 0, false);
	case ML_REALLOCARRAY:
		return enter(op, a2 * a3, a1, 0, false);
	case ML_POSIX_MEMALIGN:
		return enter(op, a3, 0, a1, false);
	case ML_ALIGNED_ALLOC:
	case ML_MEMALIGN:
		return enter(op, a2, 0, 0, false);
	case ML_MMAP:
		return enter(op, a2, 0, 0, from_allocator(ctx));
	case ML_MREMAP:
		return enter(op, a3, a1, 0, from_allocator(ctx));
	case ML_FREE:
	case ML_MUNMAP:
		if (a1)
			forget(a1, op);
		return 0;
	}
	return 0;
}

/*
 * Preferred (6.6+): one uprobe.multi link for all entries, the function
 * told by its cookie, and one for all returns.  Detaching a link costs a
 * grace period (~0.1 s here): two links instead of two dozen.
 */
static __always_inline int return_op(struct pt_regs *ctx)
{
	return alloc_return(ctx, PT_REGS_RC(ctx));
}

BB_UPROBE_PROGRAMS(ml, enter_op, return_op)
BB_UPROBE_ENTRY(ml_malloc, enter_op, ML_MALLOC)
BB_UPROBE_ENTRY(ml_calloc, enter_op, ML_CALLOC)
BB_UPROBE_ENTRY(ml_realloc, enter_op, ML_REALLOC)
BB_UPROBE_ENTRY(ml_reallocarray, enter_op, ML_REALLOCARRAY)
BB_UPROBE_ENTRY(ml_posix_memalign, enter_op, ML_POSIX_MEMALIGN)
BB_UPROBE_ENTRY(ml_aligned_alloc, enter_op, ML_ALIGNED_ALLOC)
BB_UPROBE_ENTRY(ml_memalign, enter_op, ML_MEMALIGN)
BB_UPROBE_ENTRY(ml_valloc, enter_op, ML_VALLOC)
BB_UPROBE_ENTRY(ml_pvalloc, enter_op, ML_PVALLOC)
BB_UPROBE_ENTRY(ml_mmap, enter_op, ML_MMAP)
BB_UPROBE_ENTRY(ml_mremap, enter_op, ML_MREMAP)
BB_UPROBE_ENTRY(ml_free, enter_op, ML_FREE)
BB_UPROBE_ENTRY(ml_munmap, enter_op, ML_MUNMAP)

/* Kernel mode: the kmem tracepoints carry the address and size. */
static __always_inline int kernel_alloc(void *ctx, __u64 addr, __u64 size, __u32 op)
{
	if (!addr || bb_task_filtered() || !size_wanted(size))
		return 0;
	remember(ctx, addr, size, op, 0, 0);
	return 0;
}

static __always_inline int kernel_free(__u64 addr, __u32 op)
{
	if (addr)
		forget(addr, op);
	return 0;
}

/*
 * Kernels before 6.1 (5.10) record kmalloc and kmem_cache_alloc in one
 * event class, kmem_alloc, and (before 5.12) kfree and kmem_cache_free in
 * kmem_free: the same fields in structs of other names.  CO-RE resolves
 * whichever this kernel has; the other branch is dead code.
 */
struct trace_event_raw_kmem_alloc___old {
	const void *ptr;
	size_t bytes_alloc;
} __attribute__((preserve_access_index));

struct trace_event_raw_kmem_free___old {
	const void *ptr;
} __attribute__((preserve_access_index));

static __always_inline int old_alloc(void *args, __u32 op)
{
	struct trace_event_raw_kmem_alloc___old *old = args;

	return kernel_alloc(args, (__u64)BPF_CORE_READ(old, ptr),
			    BPF_CORE_READ(old, bytes_alloc), op);
}

static __always_inline int old_free(void *args, __u32 op)
{
	struct trace_event_raw_kmem_free___old *old = args;

	return kernel_free((__u64)BPF_CORE_READ(old, ptr), op);
}

SEC("tracepoint/kmem/kmalloc")
int ml_kmalloc(struct trace_event_raw_kmalloc *args)
{
	if (!bpf_core_type_exists(struct trace_event_raw_kmalloc))
		return old_alloc(args, ML_KMALLOC);
	return kernel_alloc(args, (__u64)BPF_CORE_READ(args, ptr),
			    BPF_CORE_READ(args, bytes_alloc), ML_KMALLOC);
}

SEC("tracepoint/kmem/kmem_cache_alloc")
int ml_kmem_cache_alloc(struct trace_event_raw_kmem_cache_alloc *args)
{
	if (!bpf_core_type_exists(struct trace_event_raw_kmem_cache_alloc))
		return old_alloc(args, ML_KMEM_CACHE_ALLOC);
	return kernel_alloc(args, (__u64)BPF_CORE_READ(args, ptr),
			    BPF_CORE_READ(args, bytes_alloc), ML_KMEM_CACHE_ALLOC);
}

/* Before 6.1 the NUMA-node variants are tracepoints of their own (class
 * kmem_alloc_node): the same two fields.  Later kernels lack both the
 * tracepoints (their hooks are optional) and the struct. */
struct trace_event_raw_kmem_alloc_node___old {
	const void *ptr;
	size_t bytes_alloc;
} __attribute__((preserve_access_index));

static __always_inline int node_alloc(void *args, __u32 op)
{
	struct trace_event_raw_kmem_alloc_node___old *old = args;

	if (!bpf_core_type_exists(struct trace_event_raw_kmem_alloc_node___old))
		return 0;
	return kernel_alloc(args, (__u64)BPF_CORE_READ(old, ptr),
			    BPF_CORE_READ(old, bytes_alloc), op);
}

SEC("tracepoint/kmem/kmalloc_node")
int ml_kmalloc_node(void *args)
{
	return node_alloc(args, ML_KMALLOC);
}

SEC("tracepoint/kmem/kmem_cache_alloc_node")
int ml_kmem_cache_alloc_node(void *args)
{
	return node_alloc(args, ML_KMEM_CACHE_ALLOC);
}

SEC("tracepoint/kmem/kfree")
int ml_kfree(struct trace_event_raw_kfree *args)
{
	if (!bpf_core_type_exists(struct trace_event_raw_kfree))
		return old_free(args, ML_KFREE);
	return kernel_free((__u64)BPF_CORE_READ(args, ptr), ML_KFREE);
}

SEC("tracepoint/kmem/kmem_cache_free")
int ml_kmem_cache_free(struct trace_event_raw_kmem_cache_free *args)
{
	if (!bpf_core_type_exists(struct trace_event_raw_kmem_cache_free))
		return old_free(args, ML_KMEM_CACHE_FREE);
	return kernel_free((__u64)BPF_CORE_READ(args, ptr), ML_KMEM_CACHE_FREE);
}

/* Pages are keyed by page frame number, sized by their order. */
SEC("tracepoint/kmem/mm_page_alloc")
int ml_page_alloc(struct trace_event_raw_mm_page_alloc *args)
{
	return kernel_alloc(args, BPF_CORE_READ(args, pfn),
			    4096ULL << BPF_CORE_READ(args, order), ML_PAGE_ALLOC);
}

SEC("tracepoint/kmem/mm_page_free")
int ml_page_free(struct trace_event_raw_mm_page_free *args)
{
	return kernel_free(BPF_CORE_READ(args, pfn), ML_PAGE_FREE);
}
