// SPDX-License-Identifier: GPL-2.0
/*
 * dl_heap: a workload for deadlock's tests: an ABBA on two heap mutexes,
 * one a block of its own (malloc(sizeof(pthread_mutex_t)): 40 bytes, 40
 * usable), one 24 bytes into a struct (malloc(64): 72 usable).  After the
 * work it waits for a line (or EOF) on stdin, so that the report names the
 * locks while the process, and its heap, are still there.
 *
 *   dl_heap
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include "dl_workload.h"

struct obj {
	long pad[3];
	pthread_mutex_t m;
};

static pthread_mutex_t *a;
static struct obj *b;

NOINLINE void *take_ab(void *arg)
{
	pthread_mutex_lock(a);
	pthread_mutex_lock(&b->m);
	pthread_mutex_unlock(&b->m);
	pthread_mutex_unlock(a);
	return arg;
}

NOINLINE void *take_ba(void *arg)
{
	pthread_mutex_lock(&b->m);
	pthread_mutex_lock(a);
	pthread_mutex_unlock(a);
	pthread_mutex_unlock(&b->m);
	return arg;
}

int main(void)
{
	a = malloc(sizeof(*a));
	b = malloc(sizeof(*b));
	if (!a || !b)
		return 1;
	pthread_mutex_init(a, NULL);
	pthread_mutex_init(&b->m, NULL);
	run_alone(take_ab);
	run_alone(take_ba);
	ready(true);
	printf("done\n");
	return 0;
}
