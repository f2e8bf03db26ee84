// SPDX-License-Identifier: GPL-2.0
/*
 * traceloop: a syscall flight recorder.
 *
 * raw_syscalls:sys_enter fills the thread's pending call (tl_threads: its
 * number, arguments, time; execve's argv, which the new image no longer
 * has, is read there).  sys_exit completes it: the return value, and what
 * the pointer arguments point to, read now that the kernel has faulted
 * the pages in and the return value says how much a read filled.  Then
 * the call takes the next sequence number of its process's ring and is
 * copied into slot seq % size of it: the ring holds the last `size`
 * calls, and next_seq - size older ones were overwritten, exactly.
 *
 * Rings are slices of one big mmap-able array (user space reads a dump
 * without a syscall per record); a process takes a free slice at its
 * first call (tl_slots: an insert with BPF_NOEXIST is the lock), and user
 * space gives it back once the process has ended and was dumped.
 *
 * A fatal signal about to be delivered to a traced thread is sent to user
 * space with the thread's user stack; a traced process's end too (with a
 * call that never returned, such as exit_group, put in the ring as such).
 */
#include "bpfbox.bpf.h"
#include "tl_record.h"

#define TL_HALF (TL_DATA_MAX / 2)	/* data[]: two halves of a path each */
#define TL_SOCKADDR_MAX 128		/* sizeof(struct sockaddr_storage) */
#define TL_ARGV_MAX 16			/* execve arguments read */
#define TL_IOV_MAX 4			/* readv/writev buffers read */
#define SIG_DFL 0

const volatile __u32 cfg_size = 512;		/* calls per ring (--size) */
const volatile __u32 cfg_max_rings = 1;		/* --max-procs */
const volatile __u32 cfg_snaplen = 32;		/* bytes of data kept (<= TL_HALF) */
const volatile __u32 cfg_self;			/* bpfbox's own tgid: never traced */
const volatile __u8 cfg_arch;			/* enum tl_arch */
const volatile bool cfg_failed_only;		/* -Z */
const volatile bool cfg_follow;			/* -f: each call to user space too */
const volatile bool cfg_summary;		/* -C: per-syscall counts */
const volatile bool cfg_has_trace;		/* -e trace=: cfg_trace is the set */
const volatile __u8 cfg_trace[TL_NR_SLOTS / 8];
const volatile __u8 cfg_capture[TL_NR_SLOTS];	/* enum tl_capture by number */

/* Every ring: ring r is [r * cfg_size, (r + 1) * cfg_size). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);		/* set by user space */
	__type(key, __u32);
	__type(value, struct tl_call);
} tl_calls SEC(".maps");

/* tgid -> its ring (or TL_NO_SLOT: none was free). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);	/* set by user space */
	__type(key, __u32);
	__type(value, struct tl_ring);
} tl_rings SEC(".maps");

/* ring slot -> the tgid owning it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);		/* set by user space: --max-procs */
	__type(key, __u32);
	__type(value, __u32);
} tl_slots SEC(".maps");

/* tid -> its call in progress (type TL_EV_CALL), or idle (type 0). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct tl_call);
} tl_threads SEC(".maps");

/* A zeroed call: the initial value of a thread's entry (too big for the stack). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tl_call);
} tl_zero SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TL_NR_SLOTS);
	__type(key, __u32);
	__type(value, struct tl_stat);
} tl_stats SEC(".maps");

/* Crashing threads' user stacks: a few per run, so the kernel's own stack
 * map does (bb_stack_store's unrolled loop does not build with -mcpu=v3). */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1024);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, BB_MAX_STACK * sizeof(__u64));
} tl_stacks SEC(".maps");

/* ---- rings ------------------------------------------------------------------- */

/* A new process: the first free ring slot among a few, by a hash of its id. */
BB_SUBPROG int claim_ring(__u32 tgid)
{
	struct tl_ring r = { .slot = TL_NO_SLOT };
	__u32 h = tgid * 2654435761U, slot, i;

	BB_UNROLL
	for (i = 0; i < TL_SLOT_TRIES; i++) {
		slot = (h + i) % cfg_max_rings;
		if (r.slot == TL_NO_SLOT &&
		    !bpf_map_update_elem(&tl_slots, &slot, &tgid, BPF_NOEXIST))
			r.slot = slot;
	}
	if (bpf_map_update_elem(&tl_rings, &tgid, &r, BPF_NOEXIST) && r.slot != TL_NO_SLOT)
		bpf_map_delete_elem(&tl_slots, &r.slot);	/* another thread won */
	return 0;
}

/* @tgid's ring, claimed at its first call; NULL (counted) when it has none. */
static __always_inline struct tl_ring *ring_of(__u32 tgid)
{
	struct tl_ring *r = bpf_map_lookup_elem(&tl_rings, &tgid);

	if (!r) {
		claim_ring(tgid);
		r = bpf_map_lookup_elem(&tl_rings, &tgid);
	}
	if (!r || r->slot == TL_NO_SLOT) {
		bb_lost_inc(BB_LOST_APPLET);
		return NULL;
	}
	return r;
}

/* ---- captured contents --------------------------------------------------------- */

/* Blob @i (a constant) is @n bytes at data[@off] (n < 0: the read faulted). */
static __always_inline void set_blob(struct tl_call *s, __u32 i, __u32 arg, __u32 kind,
				     __u32 off, long n, __u32 flags)
{
	if (i >= TL_MAX_BLOBS)
		return;
	if (n < 0) {
		flags |= TL_BLOB_FAULT;
		n = 0;
	}
	s->blobs[i].arg = arg;
	s->blobs[i].kind = kind;
	s->blobs[i].flags = flags;
	s->blobs[i].off = off;
	s->blobs[i].len = n;
	s->nr_blobs = i + 1;
	if (off + n > s->data_len)
		s->data_len = off + n;
}

/* A path: blob @i in half @i of data[]. */
static __always_inline void put_str(struct tl_call *s, __u32 i, __u32 arg)
{
	__u32 off = i ? TL_HALF : 0;
	long n = bpf_probe_read_user_str(&s->data[off], TL_PATH_MAX, (void *)s->args[arg & 7]);

	set_blob(s, i, arg, TL_BLOB_STR, off, n, n == TL_PATH_MAX ? TL_BLOB_TRUNC : 0);
}

/* @want bytes at @src, at most @max: blob @i in half @i of data[]. */
static __always_inline void put_bytes(struct tl_call *s, __u32 i, __u32 arg, __u32 kind,
				      __u64 src, __s64 want, __u32 max)
{
	__u32 off = i ? TL_HALF : 0, flags = 0;
	__u64 n = want > 0 ? want : 0;
	long err;

	if (n > max) {
		n = max;
		flags = TL_BLOB_TRUNC;
	}
	if (n > TL_HALF)
		n = TL_HALF;
	err = bpf_probe_read_user(&s->data[off], n, (void *)src);
	set_blob(s, i, arg, kind, off, err ? -1 : (long)n, flags);
}

/* A sockaddr whose length is at *@lenp (accept, recvfrom: filled by the call). */
static __always_inline void put_sockaddr_at(struct tl_call *s, __u32 i, __u32 arg, __u64 lenp)
{
	__u32 len = 0;

	if (!s->args[arg & 7] || !lenp)
		return;
	if (bpf_probe_read_user(&len, sizeof(len), (void *)lenp))
		set_blob(s, i, arg, TL_BLOB_SOCKADDR, i ? TL_HALF : 0, -1, 0);
	else
		put_bytes(s, i, arg, TL_BLOB_SOCKADDR, s->args[arg & 7], len, TL_SOCKADDR_MAX);
}

/* readv/writev: the first bytes of the first buffers, concatenated, @total at most. */
static __always_inline void put_iov(struct tl_call *s, __s64 total)
{
	struct { __u64 base, len; } iov;
	__u64 vec = s->args[1], off = 0, n;
	__u32 i, flags = 0, cnt = s->args[2];
	long err = 0;

	if (total > cfg_snaplen) {
		total = cfg_snaplen;
		flags = TL_BLOB_TRUNC;
	}
	BB_UNROLL
	for (i = 0; i < TL_IOV_MAX; i++) {
		if (i >= cnt || (__s64)off >= total || err)
			continue;
		err = bpf_probe_read_user(&iov, sizeof(iov), (void *)(vec + i * sizeof(iov)));
		if (err)
			continue;
		n = iov.len;
		if (n > total - off)
			n = total - off;
		n &= TL_HALF * 2 - 1;
		if (n > TL_HALF)
			n = TL_HALF;
		off &= TL_HALF - 1;
		err = bpf_probe_read_user(&s->data[off], n, (void *)iov.base);
		off += n;
	}
	if (off < (__u64)total && cnt > TL_IOV_MAX)
		flags = TL_BLOB_TRUNC;
	set_blob(s, 0, 1, TL_BLOB_IOV, 0, err ? -1 : (long)off, flags);
}

/* execve's argv, at entry (the new image has no trace of it): first half. */
static __always_inline void put_argv(struct tl_call *c, __u32 arg)
{
	__u64 argv = c->args[arg & 7], p;
	__u32 off = 0, i, flags = 0;
	long n = 0;

	BB_UNROLL
	for (i = 0; i < TL_ARGV_MAX; i++) {
		if (n < 0 || off >= TL_HALF - 1)
			continue;
		if (bpf_probe_read_user(&p, sizeof(p), (void *)(argv + i * 8))) {
			n = -1;
			continue;
		}
		if (!p) {
			n = -2;	/* the end */
			continue;
		}
		off &= TL_HALF - 1;
		n = bpf_probe_read_user_str(&c->data[off], TL_HALF - off, (void *)p);
		if (n > 0)
			off += n;
	}
	if (n == -1 && !off)
		set_blob(c, 0, arg, TL_BLOB_ARGV, 0, -1, 0);
	else {
		if (n >= 0)
			flags = TL_BLOB_TRUNC;	/* more arguments, or a longer one */
		set_blob(c, 0, arg, TL_BLOB_ARGV, 0, off, flags);
	}
}

static __always_inline __u32 capture_of(__u32 nr)
{
	return nr < TL_NR_SLOTS ? cfg_capture[nr] : TL_CAP_NONE;
}

/* What a call's pointers point to, at its exit (pages faulted in, sizes known). */
static __always_inline void capture_exit(struct tl_call *s)
{
	__s64 ret = s->ret;

	switch (capture_of(s->nr)) {
	case TL_CAP_PATH0:
		put_str(s, 0, 0);
		break;
	case TL_CAP_PATH1:
		put_str(s, 0, 1);
		break;
	case TL_CAP_PATH0_PATH1:
		put_str(s, 0, 0);
		put_str(s, 1, 1);
		break;
	case TL_CAP_PATH1_PATH3:
		put_str(s, 0, 1);
		put_str(s, 1, 3);
		break;
	case TL_CAP_PATH0_PATH2:
		put_str(s, 0, 0);
		put_str(s, 1, 2);
		break;
	case TL_CAP_WRITE:
		put_bytes(s, 0, 1, TL_BLOB_BYTES, s->args[1], s->args[2], cfg_snaplen);
		break;
	case TL_CAP_READ:
		if (ret > 0)
			put_bytes(s, 0, 1, TL_BLOB_BYTES, s->args[1], ret, cfg_snaplen);
		break;
	case TL_CAP_WRITEV:
		put_iov(s, s->args[2] ? 0x7fffffff : 0);
		break;
	case TL_CAP_READV:
		if (ret > 0)
			put_iov(s, ret);
		break;
	case TL_CAP_SOCKADDR1:
		if (s->args[1])
			put_bytes(s, 0, 1, TL_BLOB_SOCKADDR, s->args[1], s->args[2],
				  TL_SOCKADDR_MAX);
		break;
	case TL_CAP_ACCEPT:
		if (ret >= 0)
			put_sockaddr_at(s, 0, 1, s->args[2]);
		break;
	case TL_CAP_SENDTO:
		put_bytes(s, 0, 1, TL_BLOB_BYTES, s->args[1], s->args[2], cfg_snaplen);
		if (s->args[4])
			put_bytes(s, 1, 4, TL_BLOB_SOCKADDR, s->args[4], s->args[5],
				  TL_SOCKADDR_MAX);
		break;
	case TL_CAP_RECVFROM:
		if (ret > 0)
			put_bytes(s, 0, 1, TL_BLOB_BYTES, s->args[1], ret, cfg_snaplen);
		if (ret >= 0)
			put_sockaddr_at(s, 1, 4, s->args[5]);
		break;
	}
}

/* ---- entry and exit ------------------------------------------------------------- */

static __always_inline bool traced_nr(__u32 nr)
{
	if (!cfg_has_trace)
		return true;
	return nr < TL_NR_SLOTS && (cfg_trace[nr / 8] >> (nr & 7)) & 1;
}

/*
 * The call into its process's ring, at the next sequence number.  Before
 * 5.12 (no fetch-and-add: @atomic false) two threads of one process
 * calling at the same instant on two CPUs may take one number: the README
 * says so.  Programs come in both kinds, and user space loads the ones
 * the kernel has: 5.10's verifier refuses a fetch-and-add even where it
 * can never run.
 */
static __always_inline int commit_as(struct tl_call *c, __u32 flags, bool atomic)
{
	__u32 tgid = c->tgid, idx, n;
	struct tl_ring *r = bpf_map_lookup_elem(&tl_rings, &tgid);
	struct tl_call *s;
	__u64 seq;

	if (!r || r->slot == TL_NO_SLOT)
		return 0;
	if (atomic)
		seq = __sync_fetch_and_add(&r->next_seq, 1);
	else
		seq = r->next_seq++;
	idx = r->slot * cfg_size + (__u32)(seq % cfg_size);
	s = bpf_map_lookup_elem(&tl_calls, &idx);
	if (!s) {
		bb_lost_inc(BB_LOST_APPLET);
		return 0;
	}
	__builtin_memcpy(s, c, offsetof(struct tl_call, data));
	s->type = TL_EV_CALL;
	s->seq = seq;
	s->flags = flags;
	n = c->data_len;
	if (n > TL_DATA_MAX)
		n = TL_DATA_MAX;
	if (n)
		bpf_probe_read_kernel(s->data, n, c->data);
	if (!(flags & TL_CALL_NORETURN))
		capture_exit(s);
	if (cfg_follow) {
		n = s->data_len;
		if (n > TL_DATA_MAX)
			n = TL_DATA_MAX;
		bb_event_output(s, offsetof(struct tl_call, data) + n);
	}
	return 0;
}

BB_SUBPROG int commit_atomic(struct tl_call *c, __u32 flags)
{
	return commit_as(c, flags, true);
}

BB_SUBPROG int commit_plain(struct tl_call *c, __u32 flags)
{
	return commit_as(c, flags, false);
}

static __always_inline int commit(struct tl_call *c, __u32 flags, bool atomic)
{
	return atomic ? commit_atomic(c, flags) : commit_plain(c, flags);
}

/*
 * The thread's entry.  Only threads of a process with a ring have one (it
 * goes at the thread's end, the ring at the process's end): a thread seen
 * before needs no look at the ring here.
 */
static __always_inline struct tl_call *thread_of(__u32 tgid, __u32 tid)
{
	struct tl_call *c = bpf_map_lookup_elem(&tl_threads, &tid), *init;
	__u32 zero = 0;

	if (c)
		return c;
	if (!ring_of(tgid))
		return NULL;
	init = bpf_map_lookup_elem(&tl_zero, &zero);
	return init ? bb_map_lookup_or_init(&tl_threads, &tid, init, BB_LOST_APPLET) : NULL;
}

static __always_inline int on_enter(long id, __u64 a0, __u64 a1, __u64 a2, __u64 a3, __u64 a4,
				    __u64 a5)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32, tid = pid_tgid, cap;
	struct tl_call *c;

	if (tgid == cfg_self || id < 0 || bb_task_filtered() || !traced_nr(id))
		return 0;
	c = thread_of(tgid, tid);
	if (!c)
		return 0;
	c->type = TL_EV_CALL;
	c->arch = cfg_arch;
	c->flags = 0;
	c->nr_blobs = 0;
	c->data_len = 0;
	c->nr = id;
	c->tgid = tgid;
	c->tid = tid;
	c->cpu = bpf_get_smp_processor_id();
	c->exit_ns = 0;
	c->ret = 0;
	c->args[0] = a0;
	c->args[1] = a1;
	c->args[2] = a2;
	c->args[3] = a3;
	c->args[4] = a4;
	c->args[5] = a5;
	bpf_get_current_comm(c->comm, sizeof(c->comm));
	cap = capture_of(id);
	if (cap == TL_CAP_EXECVE || cap == TL_CAP_EXECVEAT) {
		__u32 path = cap == TL_CAP_EXECVE ? 0 : 1;

		put_argv(c, path + 1);
		put_str(c, 1, path);
	}
	c->enter_ns = bpf_ktime_get_boot_ns();	/* last: the duration is the call's */
	return 0;
}

static __always_inline void count(const struct tl_call *c)
{
	__u32 nr = c->nr;
	struct tl_stat *st = nr < TL_NR_SLOTS ? bpf_map_lookup_elem(&tl_stats, &nr) : NULL;

	if (!st)
		return;
	st->calls++;
	st->ns += c->exit_ns - c->enter_ns;
	if (c->ret < 0 && c->ret >= -4095)
		st->errors++;
}

static __always_inline int on_exit(long ret, bool atomic)
{
	__u32 tid = bpf_get_current_pid_tgid();
	struct tl_call *c = bpf_map_lookup_elem(&tl_threads, &tid);

	if (!c || c->type != TL_EV_CALL)
		return 0;
	c->exit_ns = bpf_ktime_get_boot_ns();
	c->type = 0;
	c->ret = ret;
	if (cfg_summary)
		count(c);
	if (cfg_failed_only && !(ret < 0 && ret >= -4095))
		return 0;
	return commit(c, 0, atomic);
}

/* raw_syscalls: typed (tp_btf), raw_tp (pt_regs copied once), classic. */
SEC("tp_btf/sys_enter")
int BPF_PROG(tl_enter_btf, struct pt_regs *regs, long id)
{
	return on_enter(id, PT_REGS_PARM1_SYSCALL(regs), PT_REGS_PARM2_SYSCALL(regs),
			PT_REGS_PARM3_SYSCALL(regs), PT_REGS_PARM4_SYSCALL(regs),
			PT_REGS_PARM5_SYSCALL(regs), PT_REGS_PARM6_SYSCALL(regs));
}

SEC("raw_tp/sys_enter")
int BPF_PROG(tl_enter_raw, struct pt_regs *regs, long id)
{
	struct pt_regs r;

	if (bpf_probe_read_kernel(&r, sizeof(r), regs))
		return 0;
	return on_enter(id, PT_REGS_PARM1_SYSCALL(&r), PT_REGS_PARM2_SYSCALL(&r),
			PT_REGS_PARM3_SYSCALL(&r), PT_REGS_PARM4_SYSCALL(&r),
			PT_REGS_PARM5_SYSCALL(&r), PT_REGS_PARM6_SYSCALL(&r));
}

SEC("tracepoint/raw_syscalls/sys_enter")
int tl_enter_tp(struct trace_event_raw_sys_enter *ctx)
{
	return on_enter(ctx->id, ctx->args[0], ctx->args[1], ctx->args[2], ctx->args[3],
			ctx->args[4], ctx->args[5]);
}

/* The exits commit: each in two kinds, with fetch-and-add (5.12+) and without. */
#define TL_EXIT_PROGS(suffix, atomic)					\
	SEC("tp_btf/sys_exit")						\
	int BPF_PROG(tl_exit_btf##suffix, struct pt_regs *regs, long ret)	\
	{								\
		return on_exit(ret, atomic);				\
	}								\
	SEC("raw_tp/sys_exit")						\
	int BPF_PROG(tl_exit_raw##suffix, struct pt_regs *regs, long ret)	\
	{								\
		return on_exit(ret, atomic);				\
	}								\
	SEC("tracepoint/raw_syscalls/sys_exit")				\
	int tl_exit_tp##suffix(struct trace_event_raw_sys_exit *ctx)	\
	{								\
		return on_exit(ctx->ret, atomic);			\
	}

TL_EXIT_PROGS(, true)
TL_EXIT_PROGS(_old, false)

/* ---- fatal signals ---------------------------------------------------------------- */

/* Signals whose default action ends the process. */
static __always_inline bool kills_by_default(int sig)
{
	switch (sig) {
	case 1 ... 6:		/* HUP INT QUIT ILL TRAP ABRT */
	case 7 ... 15:		/* BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM */
	case 16:		/* STKFLT */
	case 24 ... 27:		/* XCPU XFSZ VTALRM PROF */
	case 29 ... 31:		/* IO PWR SYS */
		return true;
	}
	return false;
}

/* Signals that carry a fault address in si_addr. */
static __always_inline bool has_fault_addr(int sig)
{
	return sig == 4 || sig == 5 || sig == 7 || sig == 8 || sig == 11;
}

static __always_inline int on_signal(void *ctx, int sig, int code, __u64 addr, __u64 handler)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	struct tl_signal e = {};

	if (handler != SIG_DFL || !kills_by_default(sig) ||
	    !bpf_map_lookup_elem(&tl_rings, &tgid))
		return 0;
	e.type = TL_EV_SIGNAL;
	e.arch = cfg_arch;
	e.signo = sig;
	e.code = code;
	e.tgid = tgid;
	e.tid = pid_tgid;
	e.addr = has_fault_addr(sig) ? addr : 0;
	e.ts_ns = bpf_ktime_get_boot_ns();
	bpf_get_current_comm(e.comm, sizeof(e.comm));
	e.stack_id = bpf_get_stackid(ctx, &tl_stacks, BPF_F_USER_STACK);
	if (e.stack_id < 0) {
		e.stack_id = -1;
		bb_lost_inc(BB_LOST_STACK);
	}
	bb_event_output(&e, sizeof(e));
	return 0;
}

static __always_inline int on_signal_info(void *ctx, int sig, struct kernel_siginfo *info,
					  struct k_sigaction *ka)
{
	return on_signal(ctx, sig, BPF_CORE_READ(info, si_code),
			 (__u64)BPF_CORE_READ(info, _sifields._sigfault._addr),
			 (__u64)BPF_CORE_READ(ka, sa.sa_handler));
}

SEC("tp_btf/signal_deliver")
int BPF_PROG(tl_signal_btf, int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
	return on_signal_info(ctx, sig, info, ka);
}

SEC("raw_tp/signal_deliver")
int BPF_PROG(tl_signal_raw, int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
	return on_signal_info(ctx, sig, info, ka);
}

/* The classic tracepoint has no si_addr: the fault address is 0 there. */
SEC("tracepoint/signal/signal_deliver")
int tl_signal_tp(struct trace_event_raw_signal_deliver *ctx)
{
	return on_signal(ctx, ctx->sig, ctx->code, 0, ctx->sa_handler);
}

/* ---- thread and process ends -------------------------------------------------------- */

static __always_inline int on_task_exit(bool atomic)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32, tid = pid_tgid;
	struct task_struct *task = (void *)bpf_get_current_task();
	struct tl_call *c = bpf_map_lookup_elem(&tl_threads, &tid);
	struct tl_exit e = {};

	if (c) {
		/* exit, exit_group, or a call the end interrupted: never returns
		 * (and never fails: not for -Z). */
		if (c->type == TL_EV_CALL && !cfg_failed_only)
			commit(c, TL_CALL_NORETURN, atomic);
		c->type = 0;
		bpf_map_delete_elem(&tl_threads, &tid);
	}
	if (!bpf_map_lookup_elem(&tl_rings, &tgid) || BPF_CORE_READ(task, signal, live.counter))
		return 0;	/* not traced, or other threads live on */
	e.type = TL_EV_EXIT;
	e.tgid = tgid;
	e.exit_code = BPF_CORE_READ(task, exit_code);
	e.ts_ns = bpf_ktime_get_boot_ns();
	bpf_get_current_comm(e.comm, sizeof(e.comm));
	bb_event_output(&e, sizeof(e));
	return 0;
}

#define TL_TASK_EXIT_PROGS(suffix, atomic)				\
	SEC("tp_btf/sched_process_exit")				\
	int BPF_PROG(tl_task_exit_btf##suffix)				\
	{								\
		return on_task_exit(atomic);				\
	}								\
	SEC("raw_tp/sched_process_exit")				\
	int BPF_PROG(tl_task_exit_raw##suffix)				\
	{								\
		return on_task_exit(atomic);				\
	}								\
	SEC("tracepoint/sched/sched_process_exit")			\
	int tl_task_exit_tp##suffix(void *ctx)				\
	{								\
		return on_task_exit(atomic);				\
	}

TL_TASK_EXIT_PROGS(, true)
TL_TASK_EXIT_PROGS(_old, false)
