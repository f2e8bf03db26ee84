/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What deadlock's workloads (tests/work/dl_*.c) share: saying "ready" and,
 * with -w, waiting for a line on stdin before the work (so that a test
 * can attach first); running a worker alone in its thread (so that the
 * lock orders two workers show never overlap in time and cannot hang).
 */
#ifndef DL_WORKLOAD_H
#define DL_WORKLOAD_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define NOINLINE __attribute__((noinline))

/* Is -w the first argument? */
static inline bool wait_flag(int argc, char **argv)
{
	return argc > 1 && !strcmp(argv[1], "-w");
}

static inline void ready(bool wait)
{
	char line[64];

	printf("ready\n");
	fflush(stdout);
	if (wait && !fgets(line, sizeof(line), stdin))
		line[0] = 0;	/* EOF: just go on */
}

/* Runs @fn in a thread of its own and waits for it to finish. */
static inline void run_alone(void *(*fn)(void *))
{
	pthread_t t;

	pthread_create(&t, NULL, fn, NULL);
	pthread_join(t, NULL);
}

#endif
