// SPDX-License-Identifier: GPL-2.0
/*
 * dl_reuse: a workload for deadlock's tests: a lock's memory used again.
 * first() locks A, then the heap mutex M; M is destroyed and freed, and
 * the next malloc of its size returns the same block (glibc's tcache),
 * where a new mutex N is made; second() locks N, then A.  M and N are two
 * locks at one address: A->M and N->A are no cycle.  It prints "reused"
 * when N is at M's address (else the test proves nothing).
 *
 *   dl_reuse [-w] [-f]
 *     -f   free M without pthread_mutex_destroy (its memory freed only)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "dl_workload.h"

pthread_mutex_t A = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t *heap_lock;

NOINLINE void *first(void *arg)
{
	pthread_mutex_lock(&A);
	pthread_mutex_lock(heap_lock);
	pthread_mutex_unlock(heap_lock);
	pthread_mutex_unlock(&A);
	return arg;
}

NOINLINE void *second(void *arg)
{
	pthread_mutex_lock(heap_lock);
	pthread_mutex_lock(&A);
	pthread_mutex_unlock(&A);
	pthread_mutex_unlock(heap_lock);
	return arg;
}

static pthread_mutex_t *new_lock(void)
{
	pthread_mutex_t *m = malloc(sizeof(*m));

	if (!m)
		exit(1);
	pthread_mutex_init(m, NULL);
	return m;
}

int main(int argc, char **argv)
{
	bool destroy = true, wait = false;
	pthread_mutex_t *old;
	int c;

	while ((c = getopt(argc, argv, "wf")) != -1) {
		if (c == 'w')
			wait = true;
		else if (c == 'f')
			destroy = false;
		else
			return 2;
	}
	ready(wait);
	heap_lock = old = new_lock();
	run_alone(first);
	if (destroy)
		pthread_mutex_destroy(heap_lock);
	free(heap_lock);
	heap_lock = new_lock();
	printf("%s\n", heap_lock == old ? "reused" : "not reused");
	run_alone(second);
	pthread_mutex_destroy(heap_lock);
	free(heap_lock);
	printf("done\n");
	return 0;
}
