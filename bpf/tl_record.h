/* SPDX-License-Identifier: GPL-2.0 */
/*
 * traceloop's recorder, private to bpf/traceloop.bpf.c and applets/traceloop.c
 * (the decoder does not need it): what to capture for each syscall number,
 * and the per-process ring descriptor.
 */
#ifndef TL_RECORD_H
#define TL_RECORD_H

#include "traceloop.h"

/*
 * What the recorder captures for a syscall: cfg_capture[nr], filled by
 * user space from the syscall names of the running architecture, so that
 * the BPF side knows no syscall number.  Argument positions are in the
 * name: PATH1 is a string at args[1].
 */
enum tl_capture {
	TL_CAP_NONE,
	TL_CAP_PATH0,		/* open, stat, unlink, chdir... */
	TL_CAP_PATH1,		/* openat, newfstatat, unlinkat, statx... */
	TL_CAP_PATH0_PATH1,	/* rename, link, symlink, mount */
	TL_CAP_PATH1_PATH3,	/* renameat(2), linkat */
	TL_CAP_PATH0_PATH2,	/* symlinkat */
	TL_CAP_EXECVE,		/* path args[0], argv args[1]: read at entry */
	TL_CAP_EXECVEAT,	/* path args[1], argv args[2]: read at entry */
	TL_CAP_WRITE,		/* bytes at args[1], args[2] long */
	TL_CAP_READ,		/* bytes at args[1], the return value long */
	TL_CAP_WRITEV,		/* struct iovec at args[1], args[2] of them */
	TL_CAP_READV,		/* the same, the return value long */
	TL_CAP_SOCKADDR1,	/* connect, bind: sockaddr args[1], args[2] long */
	TL_CAP_ACCEPT,		/* accept(4), getsockname, getpeername: at exit,
				 * sockaddr args[1], *args[2] long */
	TL_CAP_SENDTO,		/* bytes args[1] (args[2]), sockaddr args[4] (args[5]) */
	TL_CAP_RECVFROM,	/* bytes args[1] (return value), sockaddr args[4] (*args[5]) */
	TL_CAP_NR,
};

/* A traced process's ring: slots [slot * size, slot * size + size) of
 * tl_calls, the call numbered seq in slot * size + seq % size. */
struct tl_ring {
	__u64 next_seq;		/* calls ever written: next_seq - size overwritten */
	__u32 slot;		/* TL_NO_SLOT: no ring free when it came */
	__u32 pad;
};

/* Syscall numbers the tables cover (decode.h's TL_NR_MAX, checked there). */
#define TL_NR_SLOTS 1024

#define TL_NO_SLOT 0xffffffffU
#define TL_MAX_RINGS 4096	/* --max-procs at most */
#define TL_SLOT_TRIES 16	/* probes for a free ring slot */

/* Summary (-C) per syscall number. */
struct tl_stat {
	__u64 calls;
	__u64 errors;
	__u64 ns;
};

#endif
