// SPDX-License-Identifier: GPL-2.0
/*
 * dl_hung: a workload for deadlock's look at a running process: threads
 * that wait, but in no deadlock.  It prints "waiting" once they do, then
 * sleeps until killed.
 *
 *   dl_hung -c    a thread waits on a condition variable no one signals
 *   dl_hung -r    a thread waits for mutex m, whose owner runs (spins)
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "dl_workload.h"

pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static volatile int spin = 1;

NOINLINE void *wait_on_cond(void *arg)
{
	pthread_mutex_lock(&m);
	for (;;)
		pthread_cond_wait(&cv, &m);
	return arg;
}

NOINLINE void *hold_and_run(void *arg)
{
	pthread_mutex_lock(&m);
	while (spin)
		;
	return arg;
}

NOINLINE void *wait_for_m(void *arg)
{
	pthread_mutex_lock(&m);
	return arg;
}

int main(int argc, char **argv)
{
	pthread_t a, b;

	if (argc != 2 || (strcmp(argv[1], "-c") && strcmp(argv[1], "-r")))
		return 2;
	if (!strcmp(argv[1], "-c")) {
		pthread_create(&a, NULL, wait_on_cond, NULL);
	} else {
		pthread_create(&a, NULL, hold_and_run, NULL);
		usleep(100000);
		pthread_create(&b, NULL, wait_for_m, NULL);
	}
	usleep(200000);
	printf("waiting\n");
	fflush(stdout);
	for (;;)
		pause();
}
