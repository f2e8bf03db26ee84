/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A ptrace-stopped thread's general registers, read and written the same
 * way on every architecture: PTRACE_GETREGSET/SETREGSET of NT_PRSTATUS
 * (arm64 has no PTRACE_GETREGS), and the registers callers name by role.
 * Used by the start-up breakpoint (target.c) and memleak's injection.
 */
#ifndef BB_PTREGS_H
#define BB_PTREGS_H

#include <elf.h>
#include <stdbool.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>

#if defined(__x86_64__)
#define BB_REGS_PC(r)	((r).rip)
#define BB_REGS_SP(r)	((r).rsp)
#define BB_REGS_RET(r)	((r).rax)	/* a call's return value */
#elif defined(__aarch64__)
#define BB_REGS_PC(r)	((r).pc)
#define BB_REGS_SP(r)	((r).sp)
#define BB_REGS_RET(r)	((r).regs[0])
#endif

#ifdef BB_REGS_PC
#define BB_HAVE_REGS 1

/* @request: PTRACE_GETREGSET or PTRACE_SETREGSET.  True when it worked. */
static inline bool bb_regs_access(int tid, int request, struct user_regs_struct *regs)
{
	struct iovec io = { .iov_base = regs, .iov_len = sizeof(*regs) };

	return !ptrace(request, tid, (void *)NT_PRSTATUS, &io);
}
#endif

#endif
