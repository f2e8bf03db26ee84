// SPDX-License-Identifier: GPL-2.0
/*
 * dl_gate: a workload for deadlock's tests: a gate lock.  take_gab()
 * locks G, A, B; take_gba() locks G, B, A.  A->B and B->A form a cycle,
 * but both orders are taken holding G: they can never run at once, so
 * there is no deadlock (helgrind and TSan agree).  With -n, take_ba()
 * takes B then A without G: a real potential deadlock.
 *
 *   dl_gate [-w] [-n]
 */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include "dl_workload.h"

pthread_mutex_t G = PTHREAD_MUTEX_INITIALIZER;
pthread_mutex_t A = PTHREAD_MUTEX_INITIALIZER;
pthread_mutex_t B = PTHREAD_MUTEX_INITIALIZER;

static void lock2(pthread_mutex_t *x, pthread_mutex_t *y)
{
	pthread_mutex_lock(x);
	pthread_mutex_lock(y);
	pthread_mutex_unlock(y);
	pthread_mutex_unlock(x);
}

NOINLINE void *take_gab(void *arg)
{
	pthread_mutex_lock(&G);
	lock2(&A, &B);
	pthread_mutex_unlock(&G);
	return arg;
}

NOINLINE void *take_gba(void *arg)
{
	pthread_mutex_lock(&G);
	lock2(&B, &A);
	pthread_mutex_unlock(&G);
	return arg;
}

NOINLINE void *take_ba(void *arg)
{
	lock2(&B, &A);
	return arg;
}

int main(int argc, char **argv)
{
	bool wait = false, ungated = false;
	int c;

	while ((c = getopt(argc, argv, "wn")) != -1) {
		if (c == 'w')
			wait = true;
		else if (c == 'n')
			ungated = true;
		else
			return 2;
	}
	ready(wait);
	run_alone(take_gab);
	run_alone(ungated ? take_ba : take_gba);
	printf("done\n");
	return 0;
}
