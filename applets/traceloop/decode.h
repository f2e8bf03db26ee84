/* SPDX-License-Identifier: GPL-2.0 */
/*
 * traceloop's decoder: syscall names and classes per architecture, and a
 * recorded call rendered as strace renders it:
 *
 *   openat(AT_FDCWD, "/etc/hosts", O_RDONLY|O_CLOEXEC) = 3
 *   read(3, "127.0.0.1\tlocalhost\n"..., 32) = 32
 *   openat(AT_FDCWD, "/nope", O_RDONLY) = -1 ENOENT (No such file or directory)
 *
 * Pure code (no BPF, no /proc): unit-tested and fuzzed on records that
 * come from files, so every length and offset is checked before use.
 */
#ifndef TL_DECODE_H
#define TL_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "traceloop.h"

/* strace's classes (-e trace=%file...), as a bit mask. */
enum tl_class {
	TL_CLASS_FILE = 1 << 0,		/* takes a file name */
	TL_CLASS_NETWORK = 1 << 1,
	TL_CLASS_PROCESS = 1 << 2,
	TL_CLASS_SIGNAL = 1 << 3,
	TL_CLASS_MEMORY = 1 << 4,
	TL_CLASS_DESC = 1 << 5,		/* takes or returns a file descriptor */
	TL_CLASS_IPC = 1 << 6,
	TL_CLASS_CREDS = 1 << 7,	/* user and group ids, capabilities */
	TL_CLASS_CLOCK = 1 << 8,	/* reads or sets a clock */
};

/* The largest syscall number +1 any table has (a bitmap size for filters). */
#define TL_NR_MAX 1024

/* A syscall's name, or NULL when @arch has no such number. */
const char *tl_syscall_name(unsigned arch, unsigned nr);
/* Its number in @arch, or -1. */
int tl_syscall_number(unsigned arch, const char *name);
/* Its TL_CLASS_* bits (0 when unknown). */
unsigned tl_syscall_classes(unsigned arch, unsigned nr);
/* The arch this build records (TL_ARCH_X86_64 on x86_64...). */
unsigned tl_native_arch(void);

/*
 * -e trace=SPEC (strace's: "open,read", "%file", "!%memory", "all",
 * "none"; a leading "!" negates the whole list) into a bitmap of
 * TL_NR_MAX bits for @arch.  0, or -1 with a one-line reason in @err (an
 * unknown name or class, an empty item).
 */
int tl_parse_trace_spec(unsigned arch, const char *spec, uint8_t *bitmap, char *err,
			size_t errlen);

/* 0 when @c (of @len bytes, as read from a ring or a file) is well formed:
 * type, arch, blob count, every blob inside data_len, data_len inside data. */
int tl_call_valid(const struct tl_call *c, size_t len);

/* Rendering flags. */
#define TL_FMT_RAW	0x01	/* numbers only, as strace -X raw */

/*
 * "name(args) = ret" as strace prints it, without prefix, time or duration;
 * " <unfinished ...>" in place of " = ret" when TL_CALL_UNFINISHED, " = ?"
 * for TL_CALL_NORETURN.  Control bytes in strings escaped (\n, \33...).
 * Writes at most @size bytes with the NUL; returns the length it wanted
 * (snprintf's contract).  @c must have passed tl_call_valid().
 */
size_t tl_format_call(const struct tl_call *c, unsigned flags, char *buf, size_t size);
/* The return value alone: "3", "-1 ENOENT (No such file or directory)",
 * "0x7f3a2c000000" for mmap... */
size_t tl_format_ret(const struct tl_call *c, char *buf, size_t size);

/* Names: "SIGSEGV" (NULL if unknown), "ENOENT", strerror's text, and a
 * si_code as strace shows it for @signo ("SEGV_MAPERR"). */
const char *tl_signal_name(int signo);
const char *tl_errno_name(int err);
const char *tl_errno_text(int err);
const char *tl_sigcode_name(int signo, int code);

#endif
