/* SPDX-License-Identifier: GPL-2.0 */
/* deeptrace: the message event the kernel side sends for every socket
 * syscall that moved bytes, and the close of a connection. */
#ifndef DEEPTRACE_H
#define DEEPTRACE_H

#define DT_SNAP_MAX 4096	/* --snaplen's bound (a power of two) */
#define DT_SNAP_DEFAULT 1024
#define DT_MAX_IOV 8		/* iovec entries copied from (readv, sendmsg...) */

enum dt_kind {
	DT_EV_MSG = 1,		/* bytes moved: payload follows */
	DT_EV_CLOSE,		/* close() of the socket by this task */
	DT_EV_OPEN,		/* connect() or accept(): a new connection on
				 * this struct sock (the last one may have ended
				 * with its process, no close() seen) */
};

enum dt_dir {
	DT_INGRESS = 0,		/* read by the task */
	DT_EGRESS = 1,		/* written by the task */
};

enum dt_role {
	DT_ROLE_UNKNOWN = 0,	/* opened before tracing began */
	DT_ROLE_CLIENT,		/* connect() */
	DT_ROLE_SERVER,		/* accept() */
};

/* ctx_flags */
#define DT_CTX_OVERLAP 1	/* the thread context was opened while another
				 * request of this thread was unanswered (an
				 * event loop): not proof of causality */

struct dt_event {
	__u64 start_ns;		/* syscall entry (CLOCK_BOOTTIME) */
	__u64 end_ns;		/* syscall exit */
	__u64 sock;		/* the kernel's struct sock: the connection */
	__u64 ctx_id;		/* the thread's syscall trace context, or 0 */
	__u64 cgroup;
	__u32 pid, tid;
	__u32 netns;
	__u32 tcp_seq;		/* of the message's first byte (TCP) */
	__u32 bytes;		/* moved by the call */
	__u32 cap;		/* payload bytes that follow */
	__u16 lport, rport;	/* host order */
	__u8 laddr[16], raddr[16];	/* IPv4 in the first 4 bytes */
	__u8 family;		/* AF_INET, AF_INET6 */
	__u8 kind;		/* enum dt_kind */
	__u8 dir;		/* enum dt_dir */
	__u8 role;		/* enum dt_role */
	__u8 sock_type;		/* SOCK_STREAM, SOCK_DGRAM */
	__u8 ctx_flags;
	__u16 syscall;		/* number, in the recording machine's numbering */
	char comm[16];
	__u8 data[];
};

#endif
