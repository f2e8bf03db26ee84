// SPDX-License-Identifier: GPL-2.0
/*
 * dl_ordered: a workload for deadlock's tests.  Four threads at once each
 * take all eight locks[] in increasing order (nested), ROUNDS times.
 * Many lock/unlock events and 28 distinct edges (i->j for i<j), but the
 * order is consistent everywhere: no cycle.
 *
 *   dl_ordered [-w]
 *     -w   wait for a line on stdin before the work (so a test can attach)
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "dl_workload.h"

#define NLOCKS	8
#define NTHREADS 4
#define ROUNDS	1000

pthread_mutex_t locks[NLOCKS];

NOINLINE void *take_in_order(void *arg)
{
	int r, i;

	for (r = 0; r < ROUNDS; r++) {
		for (i = 0; i < NLOCKS; i++)
			pthread_mutex_lock(&locks[i]);
		for (i = NLOCKS - 1; i >= 0; i--)
			pthread_mutex_unlock(&locks[i]);
	}
	return arg;
}

int main(int argc, char **argv)
{
	pthread_t t[NTHREADS];
	int i;

	for (i = 0; i < NLOCKS; i++)
		pthread_mutex_init(&locks[i], NULL);

	ready(wait_flag(argc, argv));

	for (i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, take_in_order, NULL);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);

	printf("done\n");
	return 0;
}
