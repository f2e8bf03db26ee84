/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every fuzz target shares: an input as a file (memfd: the parsers
 * read paths), bb_die() turned into a jump back to the target (it would
 * exit), and output thrown away.  Targets: tests/fuzz/fuzz_NAME.c with
 * LLVMFuzzerTestOneInput; seeds and crashers in tests/fuzz/corpus/NAME/.
 */
#ifndef BB_FUZZ_H
#define BB_FUZZ_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* glibc: the sanitized build defines it everywhere */
#endif
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include "bpfbox.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static jmp_buf fuzz_jump;
static int fuzz_first_fd;	/* descriptors from here on are the run's */

static void __attribute__((noreturn)) fuzz_died(void)
{
	longjmp(fuzz_jump, 1);
}

/* Once per process: output to /dev/null, bb_die() back to us. */
static inline void fuzz_init(void)
{
	static int done;

	if (done++)
		return;
	if (!freopen("/dev/null", "w", stdout))
		abort();
	bb_die_hook = fuzz_died;
	fuzz_first_fd = dup(0);
	close(fuzz_first_fd);
}

/* Descriptors a run left open (bb_die() jumps past their closing). */
static inline void fuzz_close_fds(int keep)
{
	int fd;

	for (fd = fuzz_first_fd; fd < fuzz_first_fd + 64; fd++)
		if (fd != keep)
			close(fd);
}

/* @data as a file: a memfd, rewritten per input; its path in @path. */
static inline int fuzz_file(const uint8_t *data, size_t size, char *path, size_t len)
{
	static int fd = -1;

	if (fd < 0)
		fd = memfd_create("fuzz-input", 0);
	if (fd < 0 || ftruncate(fd, 0) || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	snprintf(path, len, "/proc/self/fd/%d", fd);
	return fd;
}

#endif
