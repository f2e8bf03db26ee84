/* SPDX-License-Identifier: GPL-2.0 */
/*
 * traceloop: structs shared by bpf/traceloop.bpf.c, applets/traceloop.c and
 * the decoder (applets/traceloop/decode.c).
 *
 * The contract between the recorder and the decoder is struct tl_call: one
 * syscall, its entry and exit joined in the kernel per thread, with what
 * its pointer arguments pointed to captured as "blobs" in data[].  Fields
 * may be added (in the reserved space or at the end of the fixed part);
 * none is renamed or moved without changing both sides.
 *
 * Records come back from record files: the decoder validates every count,
 * offset and length before it reads data[] (tl_call_valid()).
 */
#ifndef TRACELOOP_H
#define TRACELOOP_H

#include "bb_shared.h"

#define TL_NR_ARGS 6
#define TL_MAX_BLOBS 4		/* captured items per call */
#define TL_DATA_MAX 512		/* captured bytes per call, all blobs */
#define TL_PATH_MAX 256		/* one path's bytes kept, with its NUL */

/* The syscall numbering a record's @nr is in. */
enum tl_arch {
	TL_ARCH_X86_64 = 1,
	TL_ARCH_ARM64 = 2,
};

/* What a record is: the first byte of every traceloop event. */
enum tl_ev_type {
	TL_EV_CALL = 1,		/* struct tl_call */
	TL_EV_SIGNAL,		/* struct tl_signal: a fatal signal delivered */
	TL_EV_EXIT,		/* struct tl_exit: a traced process ended */
	TL_EV_DUMP,		/* struct tl_dump: a ring's dump begins */
};

/* What a blob holds. */
enum tl_blob_kind {
	TL_BLOB_STR = 1,	/* a NUL-terminated string (a path) */
	TL_BLOB_BYTES,		/* the first bytes of a buffer (read/write data) */
	TL_BLOB_SOCKADDR,	/* a struct sockaddr_* as the process passed it */
	TL_BLOB_ARGV,		/* execve's argv: strings, each NUL-terminated */
	TL_BLOB_IOV,		/* readv/writev: the first bytes of the first buffers,
				 * concatenated */
};

/* Blob flags. */
#define TL_BLOB_TRUNC	0x01	/* more existed than was captured */
#define TL_BLOB_FAULT	0x02	/* reading the user memory failed: no bytes */

struct tl_blob {
	__u8 arg;		/* which argument (0-5) it belongs to */
	__u8 kind;		/* enum tl_blob_kind */
	__u8 flags;		/* TL_BLOB_* */
	__u8 pad;
	__u16 off;		/* into data[] */
	__u16 len;		/* bytes in data[] (a string's NUL included) */
};

/* Call flags. */
#define TL_CALL_UNFINISHED	0x01	/* no exit yet when the ring was read */
#define TL_CALL_NORETURN	0x02	/* never returned (exit, exit_group, a
					 * successful execve seen from the old image) */

struct tl_call {
	__u8 type;		/* TL_EV_CALL */
	__u8 arch;		/* enum tl_arch */
	__u16 flags;		/* TL_CALL_* */
	__u16 nr_blobs;		/* valid entries of blobs[] */
	__u16 data_len;		/* valid bytes of data[] */
	__u32 nr;		/* syscall number, in @arch's numbering */
	__u32 tgid;
	__u32 tid;
	__u32 cpu;		/* at entry */
	__u64 seq;		/* the ring's sequence number: order and overwrites */
	__u64 enter_ns;		/* CLOCK_BOOTTIME */
	__u64 exit_ns;		/* 0 when unfinished */
	__u64 args[TL_NR_ARGS];
	__s64 ret;		/* raw: -errno on failure */
	char comm[BB_COMM_LEN];
	__u64 reserved[2];
	struct tl_blob blobs[TL_MAX_BLOBS];
	__u8 data[TL_DATA_MAX];
};

/* A fatal signal delivered to a traced thread (signal:signal_deliver or
 * signal_generate of a fatal one): the process's ring is dumped with it. */
struct tl_signal {
	__u8 type;		/* TL_EV_SIGNAL */
	__u8 arch;
	__u16 pad;
	__s32 signo;
	__s32 code;		/* si_code */
	__u32 tgid;
	__u32 tid;
	__s32 stack_id;		/* user stack of @tid, -1 when lost */
	__u64 addr;		/* si_addr (fault address) */
	__u64 ts_ns;
	char comm[BB_COMM_LEN];
};

/* A traced process ended. */
struct tl_exit {
	__u8 type;		/* TL_EV_EXIT */
	__u8 pad[3];
	__u32 tgid;
	__s32 exit_code;	/* task->exit_code: status << 8 | signal */
	__u32 pad2;
	__u64 ts_ns;
	char comm[BB_COMM_LEN];
};

/* A ring's dump begins: what it held and what was overwritten. */
struct tl_dump {
	__u8 type;		/* TL_EV_DUMP */
	__u8 reason;		/* enum tl_dump_reason */
	__u16 pad;
	__u32 tgid;		/* the ring's process, 0 for a cgroup's ring */
	__u64 cgroup_id;
	__u64 held;		/* records in this dump */
	__u64 overwritten;	/* older records lost to the ring's size */
	__u64 ts_ns;
};

enum tl_dump_reason {
	TL_DUMP_SIGNAL = 1,	/* SIGUSR1 to bpfbox */
	TL_DUMP_CRASH,		/* a fatal signal in the traced process */
	TL_DUMP_EXIT,		/* the traced process exited */
	TL_DUMP_END,		/* Ctrl-C, --duration */
};

#endif
