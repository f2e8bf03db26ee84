/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the decoder knows of each syscall, by name (so one table serves
 * every architecture): its strace classes, how each argument is printed
 * and how its return value is.
 *
 * Argument letters (one per argument; the string's length is the count):
 *   d int        l long        u unsigned    x hex         p pointer
 *   f fd         a dirfd (AT_FDCWD)          o mode (octal)
 *   s path (string blob)       v argv (argv blob)          e envp (pointer)
 *   b buffer the call filled (bytes blob, ret bytes)
 *   B buffer the call was given (bytes blob, the next argument's bytes)
 *   g getrandom's buffer (as b, in hex)
 *   n sockaddr given          N sockaddr filled (at exit)
 *   i iovec given (next argument: count)     I iovec filled (ret bytes)
 *   t timespec given (a 16-byte bytes blob), else pointer
 *   O open flags             C open flags without the access mode
 *   M open's mode, present only with O_CREAT or O_TMPFILE in the flags
 *   A AT_* flags             P mmap prot   F mmap flags   K clone flags
 *   S signal                 W wait options               G getrandom flags
 *   Y socket domain          T socket type R socket protocol (after Y)
 *   H sigprocmask how        L clock id    c clock_nanosleep flags
 *   E lseek whence           X access mode r rlimit resource
 *   Z wait status filled     Q two fds filled (pipe)
 *   m madvise advice         k shutdown how
 *   y socket level           z socket option (of the level before it)
 *   w MSG_* flags            q epoll_ctl op
 *   j msync flags            J mlockall flags            h flock op
 *   U mremap flags           D mremap's new address (with MREMAP_FIXED only)
 *   V getpriority's which    1 statx flags 2 statx mask
 * C names its flags after the call: EPOLL_CLOEXEC, EFD_*, SOCK_* (accept4)...
 * "!" alone: printed by a function of its own (clone, fcntl, futex...).
 */
#ifndef TL_SYSDESC_H
#define TL_SYSDESC_H

#include <stdint.h>

/* How the return value is printed. */
enum tl_ret_kind {
	TL_RET_DEC = 0,		/* decimal, or -1 ERRNO (text) */
	TL_RET_HEX,		/* addresses: mmap, brk... */
	TL_RET_SPECIAL,		/* the call's own (fcntl's F_GETFL...) */
	TL_RET_OCT,		/* umask */
};

struct tl_sysdesc {
	const char *name;
	uint16_t classes;	/* TL_CLASS_* */
	uint8_t ret;		/* enum tl_ret_kind */
	char args[7];
};

/* The entry for @name, or NULL. */
const struct tl_sysdesc *tl_sysdesc_find(const char *name);
/* The whole table (sorted by name), for the consistency tests. */
const struct tl_sysdesc *tl_sysdesc_table(unsigned *count);

#endif
