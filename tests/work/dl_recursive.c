// SPDX-License-Identifier: GPL-2.0
/*
 * dl_recursive: a workload for deadlock's tests, on recursive and
 * error-checking mutexes.  By default, one thread:
 *
 *   lock R, lock C, lock R again (recursive: no edge, no new hold),
 *   unlock R (R still held), lock D, unlock D, C, R;
 *   lock E (error-checking), lock E again (EDEADLK: nothing taken),
 *   lock C, unlock C, E.
 *
 * Edges R->C, R->D, C->D, E->C and no cycle (C->R would be a false one,
 * R's re-entry).  With -x, an ABBA through a recursive mutex instead:
 * take_rra() locks R, R again, then A; later take_ar() locks A then R:
 * edges R->A and A->R, one cycle.
 *
 *   dl_recursive [-w] [-x]
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "dl_workload.h"

pthread_mutex_t R, C, D, E, A;

NOINLINE void *reenter(void *arg)
{
	int err;

	pthread_mutex_lock(&R);
	pthread_mutex_lock(&C);
	pthread_mutex_lock(&R);
	pthread_mutex_unlock(&R);
	pthread_mutex_lock(&D);
	pthread_mutex_unlock(&D);
	pthread_mutex_unlock(&C);
	pthread_mutex_unlock(&R);

	pthread_mutex_lock(&E);
	err = pthread_mutex_lock(&E);
	printf("relock=%s\n", err == EDEADLK ? "EDEADLK" : strerror(err));
	pthread_mutex_lock(&C);
	pthread_mutex_unlock(&C);
	pthread_mutex_unlock(&E);
	return arg;
}

NOINLINE void *take_rra(void *arg)
{
	pthread_mutex_lock(&R);
	pthread_mutex_lock(&R);
	pthread_mutex_lock(&A);
	pthread_mutex_unlock(&A);
	pthread_mutex_unlock(&R);
	pthread_mutex_unlock(&R);
	return arg;
}

NOINLINE void *take_ar(void *arg)
{
	pthread_mutex_lock(&A);
	pthread_mutex_lock(&R);
	pthread_mutex_unlock(&R);
	pthread_mutex_unlock(&A);
	return arg;
}

static void init(pthread_mutex_t *m, int kind)
{
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, kind);
	pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
}

int main(int argc, char **argv)
{
	bool abba = false, wait = false;
	int c;

	while ((c = getopt(argc, argv, "wx")) != -1) {
		if (c == 'w')
			wait = true;
		else if (c == 'x')
			abba = true;
		else
			return 2;
	}
	init(&R, PTHREAD_MUTEX_RECURSIVE);
	init(&C, PTHREAD_MUTEX_NORMAL);
	init(&D, PTHREAD_MUTEX_NORMAL);
	init(&E, PTHREAD_MUTEX_ERRORCHECK);
	init(&A, PTHREAD_MUTEX_NORMAL);
	ready(wait);
	if (abba) {
		run_alone(take_rra);
		run_alone(take_ar);
	} else {
		run_alone(reenter);
	}
	printf("done\n");
	return 0;
}
