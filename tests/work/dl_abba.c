// SPDX-License-Identifier: GPL-2.0
/*
 * dl_abba: a workload for deadlock's tests.  take_ab() locks m1 then m2;
 * after it has finished (pthread_join, so nothing can hang), take_ba()
 * locks m2 then m1.  The lock-order graph gets m1->m2 and m2->m1: exactly
 * one potential deadlock, m1 <-> m2.
 *
 *   dl_abba [-w] [-k KIND]
 *     -w   wait for a line on stdin before the work (so a test can attach)
 *     -k   the mutexes' kind: normal (default), recursive, errorcheck,
 *          robust, pi (robust and PI mutexes take another way through
 *          glibc's pthread_mutex_lock than the others)
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dl_workload.h"


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

/* Re-initialise m1 and m2 as mutexes of @kind. */
static void set_kind(const char *kind)
{
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	if (!strcmp(kind, "recursive"))
		pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	else if (!strcmp(kind, "errorcheck"))
		pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	else if (!strcmp(kind, "robust"))
		pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	else if (!strcmp(kind, "pi"))
		pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
	else if (strcmp(kind, "normal")) {
		fprintf(stderr, "dl_abba: unknown kind %s\n", kind);
		exit(2);
	}
	pthread_mutex_init(&m1, &a);
	pthread_mutex_init(&m2, &a);
	pthread_mutexattr_destroy(&a);
}

int main(int argc, char **argv)
{
	bool wait = false;
	int c;

	while ((c = getopt(argc, argv, "wk:")) != -1) {
		if (c == 'w')
			wait = true;
		else if (c == 'k')
			set_kind(optarg);
		else
			return 2;
	}
	ready(wait);

	run_alone(take_ab);
	run_alone(take_ba);

	printf("done\n");
	return 0;
}
