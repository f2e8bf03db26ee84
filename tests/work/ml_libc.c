// SPDX-License-Identifier: GPL-2.0
/*
 * ml_libc: leaks through the C library before anything else runs, for
 * memleak's stacks on a libc built without frame pointers: the frame above
 * malloc is strdup's, inside libc, and only libc's unwind rows lead from
 * it to leak_strdup and main.  Those rows must be in place before main's
 * first instruction (memleak runs a started program to its entry point).
 *
 *   ml_libc      leaks 2 blocks of 41 bytes through strdup, then exits
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *keep[2];

__attribute__((noinline)) void leak_strdup(int i)
{
	keep[i] = strdup("a string of forty characters, not more..");
}

int main(void)
{
	leak_strdup(0);
	leak_strdup(1);
	printf("ml_libc: %zu %zu\n", strlen(keep[0]), strlen(keep[1]));
	return 0;
}
