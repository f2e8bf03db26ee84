// SPDX-License-Identifier: GPL-2.0
/*
 * dl_abba: a workload for deadlock's tests.  take_ab() locks m1 then m2;
 * after it has finished (pthread_join, so nothing can hang), take_ba()
 * locks m2 then m1.  The lock-order graph gets m1->m2 and m2->m1: exactly
 * one potential deadlock, m1 <-> m2.
 *
 *   dl_abba [-w]
 *     -w   wait for a line on stdin before the work (so a test can attach)
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define NOINLINE __attribute__((noinline))

pthread_mutex_t m1 = PTHREAD_MUTEX_INITIALIZER;
pthread_mutex_t m2 = PTHREAD_MUTEX_INITIALIZER;

NOINLINE void *take_ab(void *arg)
{
	pthread_mutex_lock(&m1);
	pthread_mutex_lock(&m2);
	pthread_mutex_unlock(&m2);
	pthread_mutex_unlock(&m1);
	return arg;
}

NOINLINE void *take_ba(void *arg)
{
	pthread_mutex_lock(&m2);
	pthread_mutex_lock(&m1);
	pthread_mutex_unlock(&m1);
	pthread_mutex_unlock(&m2);
	return arg;
}

/* Run one worker in its own thread and wait for it to finish. */
static void run(void *(*fn)(void *))
{
	pthread_t t;

	pthread_create(&t, NULL, fn, NULL);
	pthread_join(t, NULL);
}

int main(int argc, char **argv)
{
	char line[64];

	printf("ready\n");
	fflush(stdout);
	if (argc > 1 && !strcmp(argv[1], "-w") && !fgets(line, sizeof(line), stdin))
		line[0] = 0;	/* EOF: just go on */

	run(take_ab);
	run(take_ba);

	printf("done\n");
	return 0;
}
