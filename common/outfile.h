/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output files: every file an applet writes (-w, --pcap, --dot, and every
 * output added later) is created by bb_create_output(), and only by it.
 *
 * bpfbox runs as root and its files hold kernel addresses, so the contract:
 *  - created with mode 0600, O_CLOEXEC, O_NOFOLLOW|O_EXCL: a symbolic link
 *    at the path is refused (with or without --force), never followed;
 *  - an existing regular file is refused unless --force (bb_opts.force),
 *    which removes it first and creates a new file in its place (O_EXCL
 *    again: a link put there in between is refused, not followed);
 *  - an existing non-regular file (/dev/null, /dev/full, a FIFO, a tty) is
 *    opened for writing as it is: nothing there can be clobbered;
 *  - two outputs of one run naming the same file are refused;
 *  - every refusal is one line on stderr and exit status 2 (bb_die).
 * Call it before tracing starts, so that a bad path is said at once.
 */
#ifndef BB_OUTFILE_H
#define BB_OUTFILE_H

#include <stdio.h>

/* A descriptor open for writing at @path; dies (exit 2) if it must not be. */
int bb_create_output(const char *path);
/* The same as a stdio stream. */
FILE *bb_create_output_file(const char *path);
/* Closes @f; a failed write or close (ENOSPC, /dev/full) dies naming @path. */
void bb_close_output_file(FILE *f, const char *path);
/* Writes out what the streams of bb_create_output_file() hold, so that a
 * run killed later leaves them readable: the event loop calls it at every
 * tick and at least every second.  A failed write dies naming the file. */
void bb_flush_outputs(void);

#endif
