// SPDX-License-Identifier: GPL-2.0
/*
 * dl_trylock: a workload for deadlock's tests.  A failed trylock must add
 * no edge.
 *
 *   thread A (take_ab)             thread B (try_ba)
 *   lock t1                        lock t2
 *   ------------- barrier: A holds t1, B holds t2 -------------
 *                                  trylock t1 -> EBUSY (no edge t2->t1)
 *                                  unlock t2
 *   ------------- barrier ------------------------------------
 *   lock t2 (edge t1->t2)
 *   unlock t2, unlock t1
 *
 * So the graph has only t1->t2: no cycle.  Prints "trylock=EBUSY" when
 * the trylock failed as intended.
 *
 *   dl_trylock [-w]
 *     -w   wait for a line on stdin before the work (so a test can attach)
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "dl_workload.h"


pthread_mutex_t t1 = PTHREAD_MUTEX_INITIALIZER;
pthread_mutex_t t2 = PTHREAD_MUTEX_INITIALIZER;

static pthread_barrier_t bar;
static int try_rc = -1;

NOINLINE void *take_ab(void *arg)
{
	pthread_mutex_lock(&t1);
	pthread_barrier_wait(&bar);	/* both hold their first lock */
	pthread_barrier_wait(&bar);	/* B has tried t1 and dropped t2 */
	pthread_mutex_lock(&t2);
	pthread_mutex_unlock(&t2);
	pthread_mutex_unlock(&t1);
	return arg;
}

NOINLINE void *try_ba(void *arg)
{
	pthread_mutex_lock(&t2);
	pthread_barrier_wait(&bar);
	try_rc = pthread_mutex_trylock(&t1);	/* A holds t1: EBUSY */
	if (try_rc == 0)
		pthread_mutex_unlock(&t1);	/* should not happen */
	pthread_mutex_unlock(&t2);
	pthread_barrier_wait(&bar);
	return arg;
}

int main(int argc, char **argv)
{
	pthread_t a, b;

	pthread_barrier_init(&bar, NULL, 2);

	ready(wait_flag(argc, argv));

	pthread_create(&a, NULL, take_ab, NULL);
	pthread_create(&b, NULL, try_ba, NULL);
	pthread_join(a, NULL);
	pthread_join(b, NULL);

	if (try_rc == EBUSY)
		printf("trylock=EBUSY\n");
	else
		printf("trylock=%d\n", try_rc);
	printf("done\n");
	return 0;
}
