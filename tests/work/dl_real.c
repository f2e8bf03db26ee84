// SPDX-License-Identifier: GPL-2.0
/*
 * dl_real: a workload for deadlock's live-deadlock test.  Two threads
 * really deadlock:
 *
 *   thread A                       thread B
 *   lock d1                        lock d2
 *   ------------- barrier (with main) ------------------------
 *   grab_d2_holding_d1: lock d2    grab_d1_holding_d2: lock d1
 *   (blocks forever)               (blocks forever)
 *
 * main waits on the barrier too, sleeps 200 ms so both threads are
 * blocked, prints "deadlocked", then waits forever: the test kills it.
 * "done" is never printed.
 *
 *   dl_real [-w]
 *     -w   wait for a line on stdin before the work (so a test can attach)
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "dl_workload.h"


pthread_mutex_t d1 = PTHREAD_MUTEX_INITIALIZER;
pthread_mutex_t d2 = PTHREAD_MUTEX_INITIALIZER;

static pthread_barrier_t bar;

NOINLINE void grab_d2_holding_d1(void)
{
	pthread_mutex_lock(&d2);	/* B holds d2: never returns */
	pthread_mutex_unlock(&d2);
}

NOINLINE void grab_d1_holding_d2(void)
{
	pthread_mutex_lock(&d1);	/* A holds d1: never returns */
	pthread_mutex_unlock(&d1);
}

static void *thread_a(void *arg)
{
	pthread_mutex_lock(&d1);
	pthread_barrier_wait(&bar);
	grab_d2_holding_d1();
	pthread_mutex_unlock(&d1);
	return arg;
}

static void *thread_b(void *arg)
{
	pthread_mutex_lock(&d2);
	pthread_barrier_wait(&bar);
	grab_d1_holding_d2();
	pthread_mutex_unlock(&d2);
	return arg;
}

int main(int argc, char **argv)
{
	struct timespec ts = { 0, 200 * 1000 * 1000 };
	pthread_t a, b;

	pthread_barrier_init(&bar, NULL, 3);

	ready(wait_flag(argc, argv));

	pthread_create(&a, NULL, thread_a, NULL);
	pthread_create(&b, NULL, thread_b, NULL);
	pthread_barrier_wait(&bar);
	nanosleep(&ts, NULL);
	printf("deadlocked\n");
	fflush(stdout);

	pthread_join(a, NULL);		/* forever */
	pthread_join(b, NULL);
	printf("done\n");
	return 0;
}
