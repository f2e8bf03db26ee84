// SPDX-License-Identifier: GPL-2.0
/*
 * deeptrace: the socket syscalls of every traced task.  Entry saves the
 * arguments per thread (only for calls on IPv4/IPv6 sockets: any other fd
 * costs one early exit); exit sends a message event when bytes moved,
 * with the socket's 4-tuple, role, TCP sequence number and the first
 * --snaplen bytes of payload, and keeps each thread's syscall trace
 * context.  A datagram's peer is the address the call names (sendto,
 * recvfrom, msg_name: unconnected UDP sockets), and each message of a
 * sendmmsg/recvmmsg vector is an event of its own.
 *
 * Hooks: raw_syscalls:sys_enter and sys_exit, reached (loader's order) by
 * tp_btf, raw_tp or the classic tracepoint.  Syscall numbers and the
 * registers holding a syscall's arguments are the target architecture's.
 */
#include "bpfbox.bpf.h"
#include "deeptrace.h"

#define AF_INET 2
#define AF_INET6 10
#define SOCK_STREAM 1
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define EINPROGRESS 115

#if defined(__TARGET_ARCH_arm64)
/* asm-generic/unistd.h's numbering (arm64 has no compat socketcall). */
enum {
	NR_READ = 63, NR_WRITE = 64, NR_CLOSE = 57, NR_READV = 65, NR_WRITEV = 66,
	NR_SENDFILE = 71, NR_CONNECT = 203, NR_ACCEPT = 202, NR_SENDTO = 206,
	NR_RECVFROM = 207, NR_SENDMSG = 211, NR_RECVMSG = 212, NR_ACCEPT4 = 242,
	NR_RECVMMSG = 243, NR_SENDMMSG = 269,
};
#else
enum {
	NR_READ = 0, NR_WRITE = 1, NR_CLOSE = 3, NR_READV = 19, NR_WRITEV = 20,
	NR_SENDFILE = 40, NR_CONNECT = 42, NR_ACCEPT = 43, NR_SENDTO = 44,
	NR_RECVFROM = 45, NR_SENDMSG = 46, NR_RECVMSG = 47, NR_ACCEPT4 = 288,
	NR_RECVMMSG = 299, NR_SENDMMSG = 307,
};
#endif

/* The syscall number at exit (sys_exit's arguments do not carry it). */
#if defined(__TARGET_ARCH_arm64)
#define REGS_SYSCALL_NR(regs) ((long)(regs)->syscallno)
#define REGS_SYSCALL_NR_CORE(regs) ((long)BPF_CORE_READ(regs, syscallno))
#else
#define REGS_SYSCALL_NR(regs) ((long)(regs)->orig_ax)
#define REGS_SYSCALL_NR_CORE(regs) ((long)BPF_CORE_READ(regs, orig_ax))
#endif

const volatile __u32 cfg_snaplen = DT_SNAP_DEFAULT;
const volatile __u16 cfg_port = 0;

/* The reader is woken once this much waits (or at its next tick). */
#define WAKEUP_BATCH (64 << 10)

/* A call in progress on a socket, from entry to exit. */
struct dt_args {
	__u64 start_ns;
	__u64 sock;
	__u64 buf;		/* buffer, iovec array, msghdr or mmsghdr array */
	__u64 count;		/* its length, the iovec count, the vector's length */
	__u64 name;		/* sendto/recvfrom: the peer's sockaddr, or 0 */
	__u16 nr;
};

/* Where one message's bytes and peer address are in the caller's memory. */
struct dt_src {
	__u64 buf;		/* the bytes, or an iovec array */
	__u64 count;		/* their length, or the iovec count */
	__u64 name;		/* a sockaddr, or 0 */
	bool vec;
};

#define DT_MAX_MMSG 64		/* messages of a sendmmsg/recvmmsg vector followed
				 * (a DNS server's batch); the rest are counted */

/*
 * Calls in flight, by thread.  A thread's entry stays (start_ns 0 when no
 * call is pending) and is written in place: an insert and a delete per
 * call cost more than the two lookups.  LRU: threads that ended leave.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct dt_args);
} dt_pending SEC(".maps");

/* Who opened each connection (connect: client, accept: server), and the
 * thread context its connect() ran under: an event loop connects while
 * handling the request that needs it, and writes later, when other
 * requests may have come in; its first request takes this context. */
struct dt_sock_info {
	__u64 connect_ctx;
	__u8 connect_flags;
	__u8 role;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct dt_sock_info);
} dt_roles SEC(".maps");

/* A thread's syscall trace context: opened by a request it reads on a
 * server connection, inherited by what it sends as a client until it
 * answers on that connection. */
struct dt_thread_ctx {
	__u64 id;		/* tid << 32 | seq: unique without atomics (5.10) */
	__u64 sock;		/* the server connection that opened it */
	__u32 seq;
	__u8 responded;
	__u8 overlap;		/* DT_CTX_OVERLAP */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct dt_thread_ctx);
} dt_threads SEC(".maps");

/* The event being built: header, then payload (three times the bound:
 * a copy at an offset masked below DT_SNAP_MAX, of a size masked below
 * twice it, stays inside for the verifier). */
struct dt_scratch {
	__u8 raw[sizeof(struct dt_event) + 3 * DT_SNAP_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dt_scratch);
} dt_scratch SEC(".maps");

static __always_inline bool is_data_call(long nr)
{
	switch (nr) {
	case NR_READ: case NR_WRITE: case NR_READV: case NR_WRITEV: case NR_SENDFILE:
	case NR_SENDTO: case NR_RECVFROM: case NR_SENDMSG: case NR_RECVMSG:
	case NR_SENDMMSG: case NR_RECVMMSG:
		return true;
	}
	return false;
}

/* Every call deeptrace follows: the data calls and the lifecycle. */
static __always_inline bool is_traced_call(long nr)
{
	return is_data_call(nr) || nr == NR_CONNECT || nr == NR_ACCEPT || nr == NR_ACCEPT4 ||
	       nr == NR_CLOSE;
}

static __always_inline bool is_egress(__u16 nr)
{
	return nr == NR_WRITE || nr == NR_WRITEV || nr == NR_SENDTO || nr == NR_SENDMSG ||
	       nr == NR_SENDFILE || nr == NR_SENDMMSG;
}

/* The struct sock behind @fd, if it is an IPv4 or IPv6 socket: read field
 * by field, task -> files -> fdtable -> file -> socket -> sock. */
static __always_inline struct sock *fd_inet_sock(__u64 fd, struct file **filep)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	struct file **fds, *f = NULL;
	struct socket *so;
	struct sock *sk;
	__u16 family;

	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) || !f)
		return NULL;
	if ((BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return NULL;
	if (filep)
		*filep = f;
	so = BPF_CORE_READ(f, private_data);
	sk = BPF_CORE_READ(so, sk);
	if (!sk)
		return NULL;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	return family == AF_INET || family == AF_INET6 ? sk : NULL;
}

/* A connection's start or end: no payload, no tuple needed. */
static __always_inline void send_lifecycle(struct sock *sk, __u8 kind, __u8 role)
{
	struct dt_event *e;
	__u64 id = bpf_get_current_pid_tgid();

	e = bb_event_reserve(sizeof(*e));
	if (!e)
		return;
	__builtin_memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->role = role;
	e->sock = (__u64)sk;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->start_ns = e->end_ns = bpf_ktime_get_boot_ns();
	bpf_ringbuf_submit(e, bb_wakeup_reserved(WAKEUP_BATCH, sizeof(*e)));
}

/* Before 6.13, struct file counted its references in f_count; since, in
 * f_ref (both spelled here: the vmlinux.h of one architecture has one). */
struct file___f_count {
	atomic_long_t f_count;
} __attribute__((preserve_access_index));

struct file_ref___bb {
	atomic_long_t refcnt;
} __attribute__((preserve_access_index));

struct file___f_ref {
	struct file_ref___bb f_ref;
} __attribute__((preserve_access_index));

/* Another descriptor or process holds the file too (a forking server's
 * parent closes the accepted socket its child serves): its close() does
 * not end the connection. */
static __always_inline bool file_shared(struct file *f)
{
	struct file___f_count *old = (void *)f;
	struct file___f_ref *new = (void *)f;

	if (bpf_core_field_exists(new->f_ref))	/* 6.13+: 0 means one reference */
		return (__s64)BPF_CORE_READ(new, f_ref.refcnt.counter) > 0;
	return BPF_CORE_READ(old, f_count.counter) > 1;
}

static __always_inline void send_close(struct sock *sk)
{
	__u64 key = (__u64)sk;

	bpf_map_delete_elem(&dt_roles, &key);
	send_lifecycle(sk, DT_EV_CLOSE, 0);
}

/* A call in flight, until its exit; a failed insert is counted. */
static __always_inline int save_args(__u32 tid, const struct dt_args *a)
{
	struct dt_args *p = bpf_map_lookup_elem(&dt_pending, &tid);

	if (p)
		*p = *a;
	else if (bpf_map_update_elem(&dt_pending, &tid, a, BPF_ANY))
		bb_lost_inc(BB_LOST_APPLET);
	return 0;
}

static __always_inline int sys_enter(long nr, __u64 a0, __u64 a1, __u64 a2, __u64 a4)
{
	struct dt_args a = {};
	struct file *f = NULL;
	__u32 tid;
	struct sock *sk;

	if (!is_traced_call(nr))
		return 0;
	if (bb_task_filtered())
		return 0;
	tid = (__u32)bpf_get_current_pid_tgid();
	a.nr = nr;
	if (nr == NR_ACCEPT || nr == NR_ACCEPT4) {	/* the socket is the result */
		a.start_ns = bpf_ktime_get_boot_ns();
		return save_args(tid, &a);
	}
	sk = fd_inet_sock(a0, &f);
	if (!sk)	/* files, pipes, unix sockets: no clock read */
		return 0;
	if (nr == NR_CLOSE) {
		if (!file_shared(f))
			send_close(sk);
		return 0;
	}
	a.start_ns = bpf_ktime_get_boot_ns();
	a.sock = (__u64)sk;
	a.buf = a1;
	a.count = a2;
	if (nr == NR_SENDTO || nr == NR_RECVFROM)
		a.name = a4;
	return save_args(tid, &a);
}

static __always_inline void set_role(struct sock *sk, __u8 role)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct dt_sock_info info = { .role = role };
	struct dt_thread_ctx *c;
	__u64 key = (__u64)sk;

	if (!sk)
		return;
	c = role == DT_ROLE_CLIENT ? bpf_map_lookup_elem(&dt_threads, &tid) : NULL;
	if (c && !c->responded) {
		info.connect_ctx = c->id;
		info.connect_flags = c->overlap;
	}
	bpf_map_update_elem(&dt_roles, &key, &info, BPF_ANY);
	send_lifecycle(sk, DT_EV_OPEN, role);
}

/* Up to @want bytes from an iovec array into @dst; the count copied. */
static __always_inline __u32 copy_iov(__u8 *dst, const struct iovec *iov, __u64 nr_iov,
				      __u32 want)
{
	__u32 off = 0, n;
	struct iovec v;
	int i;

	BB_UNROLL
	for (i = 0; i < DT_MAX_IOV; i++) {
		if (i >= nr_iov || off >= want)
			break;
		if (bpf_probe_read_user(&v, sizeof(v), &iov[i]))
			break;
		n = want - off;
		if (v.iov_len < n)
			n = v.iov_len;
		/* Bounds by masks only: 5.10's verifier loses a compare's. */
		n &= 2 * DT_SNAP_MAX - 1;
		if (bpf_probe_read_user(dst + (off & (DT_SNAP_MAX - 1)), n, v.iov_base))
			break;
		off += n;
	}
	return off;
}

static __always_inline __u32 copy_payload(__u8 *dst, const struct dt_src *src, __u32 want)
{
	if (src->vec)
		return copy_iov(dst, (void *)src->buf, src->count, want);	/* one copy */
	want &= 2 * DT_SNAP_MAX - 1;
	if (want > DT_SNAP_MAX || !src->buf)
		return 0;
	return bpf_probe_read_user(dst, want, (void *)src->buf) ? 0 : want;
}

/* The peer a datagram call names (an unconnected socket's): its sockaddr,
 * if it is of the socket's family. */
static __always_inline void read_name(struct dt_event *e, __u64 name)
{
	struct sockaddr_in6 sa;

	if (!name || bpf_probe_read_user(&sa, sizeof(sa), (void *)name) ||
	    sa.sin6_family != e->family)
		return;
	e->rport = __builtin_bswap16(sa.sin6_port);
	if (e->family == AF_INET)
		__builtin_memcpy(e->raddr, (__u8 *)&sa + 4, 4);
	else
		__builtin_memcpy(e->raddr, &sa.sin6_addr, 16);
}

static __always_inline void read_tuple(struct dt_event *e, struct sock *sk)
{
	e->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	e->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	e->rport = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	e->netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	e->sock_type = BPF_CORE_READ(sk, sk_type);
	if (e->family == AF_INET) {
		bpf_core_read(e->laddr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(e->raddr, 4, &sk->__sk_common.skc_daddr);
	} else {
		bpf_core_read(e->laddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(e->raddr, 16, &sk->__sk_common.skc_v6_daddr);
	}
}

/* The sequence number of the message's first byte, the same at both ends:
 * the sender's write_seq and the receiver's copied_seq have moved past it. */
static __always_inline __u32 tcp_seq(struct sock *sk, bool egress, __u32 bytes)
{
	struct tcp_sock *tp = (void *)sk;

	if (egress)
		return BPF_CORE_READ(tp, write_seq) - bytes;
	return BPF_CORE_READ(tp, copied_seq) - bytes;
}

static __always_inline void new_context(struct dt_event *e, struct dt_thread_ctx *old)
{
	struct dt_thread_ctx c = {};

	if (old) {
		c.seq = old->seq;
		/* Another request of this thread still waits for its answer. */
		c.overlap = old->sock != e->sock && !old->responded ? DT_CTX_OVERLAP : 0;
	}
	c.seq++;
	c.id = (__u64)e->tid << 32 | c.seq;
	c.sock = e->sock;
	bpf_map_update_elem(&dt_threads, &e->tid, &c, BPF_ANY);
	e->ctx_id = c.id;
	e->ctx_flags = c.overlap;
}

static __always_inline void thread_context(struct dt_event *e, struct dt_sock_info *info)
{
	struct dt_thread_ctx *c = bpf_map_lookup_elem(&dt_threads, &e->tid);
	bool server = e->role == DT_ROLE_SERVER;

	if (info && info->connect_ctx && e->dir == DT_EGRESS && !server) {
		/* The first request on a connection: the context of its connect(). */
		e->ctx_id = info->connect_ctx;
		e->ctx_flags = info->connect_flags;
		info->connect_ctx = 0;
		return;
	}

	if (server && e->dir == DT_INGRESS) {
		if (c && c->sock == e->sock && !c->responded) {	/* more of the request */
			e->ctx_id = c->id;
			e->ctx_flags = c->overlap;
		} else {
			new_context(e, c);
		}
		return;
	}
	if (!c || c->responded)
		return;
	if (server && c->sock != e->sock)	/* answering another request */
		return;
	e->ctx_id = c->id;
	e->ctx_flags = c->overlap;
	if (server)
		c->responded = 1;
}

/* One message: the event, built in the scratch buffer. */
static __always_inline void send_one(const struct dt_args *a, const struct dt_src *src,
				     __u32 bytes)
{
	struct sock *sk = (void *)a->sock;
	struct dt_event *e;
	__u64 id = bpf_get_current_pid_tgid();
	__u32 zero = 0, want;
	struct dt_sock_info *info;
	void *buf = bpf_map_lookup_elem(&dt_scratch, &zero);

	if (!buf)
		return;
	e = buf;
	__builtin_memset(e, 0, sizeof(*e));
	read_tuple(e, sk);
	read_name(e, src->name);
	if (cfg_port && e->lport != cfg_port && e->rport != cfg_port)
		return;
	if (bb_netns_filtered(e->netns))
		return;
	e->kind = DT_EV_MSG;
	e->dir = is_egress(a->nr) ? DT_EGRESS : DT_INGRESS;
	e->sock = a->sock;
	e->syscall = a->nr;
	e->start_ns = a->start_ns;
	e->end_ns = bpf_ktime_get_boot_ns();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->bytes = bytes;
	e->cgroup = bpf_get_current_cgroup_id();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	info = bpf_map_lookup_elem(&dt_roles, &a->sock);
	e->role = info ? info->role : DT_ROLE_UNKNOWN;
	if (e->sock_type == SOCK_STREAM)
		e->tcp_seq = tcp_seq(sk, e->dir == DT_EGRESS, bytes);
	thread_context(e, info);
	want = bytes < cfg_snaplen ? bytes : cfg_snaplen;
	e->cap = copy_payload(e->data, src, want);
	bb_event_output_batched(e, sizeof(*e) + (e->cap & (2 * DT_SNAP_MAX - 1)), WAKEUP_BATCH);
}

/* A msghdr's iovecs and name. */
static __always_inline int msghdr_src(struct dt_src *src, __u64 uaddr)
{
	struct user_msghdr m;

	if (bpf_probe_read_user(&m, sizeof(m), (void *)uaddr))
		return -1;
	src->buf = (__u64)m.msg_iov;
	src->count = m.msg_iovlen;
	src->name = (__u64)m.msg_name;
	src->vec = true;
	return 0;
}

/* Messages of a sendmmsg/recvmmsg vector past DT_MAX_MMSG: counted with
 * the calls not followed, never silently missed. */
static __always_inline void count_unfollowed(__u64 n)
{
	__u32 key = BB_LOST_APPLET;
	__u64 *lost = bpf_map_lookup_elem(&bb_lost, &key);

	if (lost)
		*lost += n;	/* per-CPU */
}

/*
 * The call moved @ret bytes (sendmmsg/recvmmsg: @ret messages): an event
 * per message, in one bounded loop (one copy of send_one for the verifier).
 */
static __always_inline void send_message(const struct dt_args *a, long ret)
{
	bool mmsg = a->nr == NR_SENDMMSG || a->nr == NR_RECVMMSG;
	struct dt_src src = { .buf = a->buf, .count = a->count, .name = a->name };
	struct mmsghdr mh;
	__u32 bytes = ret;
	int i;

	if (a->nr == NR_SENDFILE)
		src.buf = 0;	/* bytes sent, no payload */
	else if (a->nr == NR_READV || a->nr == NR_WRITEV)
		src.vec = true;
	else if ((a->nr == NR_SENDMSG || a->nr == NR_RECVMSG) && msghdr_src(&src, a->buf))
		return;
	if (mmsg && ret > DT_MAX_MMSG)
		count_unfollowed(ret - DT_MAX_MMSG);
	for (i = 0; i < DT_MAX_MMSG; i++) {
		if (mmsg) {
			if (i >= ret)
				break;
			if (bpf_probe_read_user(&mh, sizeof(mh), (struct mmsghdr *)a->buf + i))
				break;
			src.buf = (__u64)mh.msg_hdr.msg_iov;
			src.count = mh.msg_hdr.msg_iovlen;
			src.name = (__u64)mh.msg_hdr.msg_name;
			src.vec = true;
			bytes = mh.msg_len;
			if (!bytes)
				continue;
		} else if (i) {
			break;
		}
		send_one(a, &src, bytes);
	}
}

static __always_inline int sys_exit(long nr, long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct dt_args *p = bpf_map_lookup_elem(&dt_pending, &tid);
	struct dt_args a;

	if (!p || !p->start_ns)
		return 0;
	a = *p;
	p->start_ns = 0;
	if (a.nr != nr)		/* an entry whose exit was never seen */
		return 0;
	switch (a.nr) {
	case NR_CONNECT:
		if (!ret || ret == -EINPROGRESS)
			set_role((void *)a.sock, DT_ROLE_CLIENT);
		return 0;
	case NR_ACCEPT: case NR_ACCEPT4:
		if (ret >= 0)
			set_role(fd_inet_sock(ret, NULL), DT_ROLE_SERVER);
		return 0;
	}
	if (ret > 0)
		send_message(&a, ret);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(dt_enter_btf, struct pt_regs *regs, long id)
{
	if (!is_traced_call(id))	/* before reading the registers */
		return 0;
	return sys_enter(id, PT_REGS_PARM1_SYSCALL(regs), PT_REGS_PARM2_SYSCALL(regs),
			 PT_REGS_PARM3_SYSCALL(regs), PT_REGS_PARM5_SYSCALL(regs));
}

SEC("raw_tp/sys_enter")
int BPF_PROG(dt_enter_raw, struct pt_regs *regs, long id)
{
	if (!is_traced_call(id))	/* before reading the registers */
		return 0;
	return sys_enter(id, PT_REGS_PARM1_CORE_SYSCALL(regs), PT_REGS_PARM2_CORE_SYSCALL(regs),
			 PT_REGS_PARM3_CORE_SYSCALL(regs), PT_REGS_PARM5_CORE_SYSCALL(regs));
}

SEC("tracepoint/raw_syscalls/sys_enter")
int dt_enter_tp(struct trace_event_raw_sys_enter *args)
{
	return sys_enter(args->id, args->args[0], args->args[1], args->args[2], args->args[4]);
}

/*
 * Every syscall of the host reaches the exit hooks: those entry never
 * follows stop at their number, before the per-thread table's lookup.
 */
SEC("tp_btf/sys_exit")
int BPF_PROG(dt_exit_btf, struct pt_regs *regs, long ret)
{
	long nr = REGS_SYSCALL_NR(regs);

	if (!is_traced_call(nr))
		return 0;
	return sys_exit(nr, ret);
}

SEC("raw_tp/sys_exit")
int BPF_PROG(dt_exit_raw, struct pt_regs *regs, long ret)
{
	long nr = REGS_SYSCALL_NR_CORE(regs);

	if (!is_traced_call(nr))
		return 0;
	return sys_exit(nr, ret);
}

SEC("tracepoint/raw_syscalls/sys_exit")
int dt_exit_tp(struct trace_event_raw_sys_exit *args)
{
	if (!is_traced_call(args->id))
		return 0;
	return sys_exit(args->id, args->ret);
}
