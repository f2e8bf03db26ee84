// SPDX-License-Identifier: GPL-2.0
/*
 * dl_rwread: a workload for deadlock's tests: read after read.
 * read_12() read-locks r1 then r2, read_21() r2 then r1: readers never
 * wait for readers, so r1 <-> r2 is no deadlock (dl_rwlock has the same
 * through a writer, which is one).
 *
 *   dl_rwread [-w]
 */
#include <pthread.h>
#include <stdio.h>
#include "dl_workload.h"

pthread_rwlock_t r1 = PTHREAD_RWLOCK_INITIALIZER;
pthread_rwlock_t r2 = PTHREAD_RWLOCK_INITIALIZER;

NOINLINE void *read_12(void *arg)
{
	pthread_rwlock_rdlock(&r1);
	pthread_rwlock_rdlock(&r2);
	pthread_rwlock_unlock(&r2);
	pthread_rwlock_unlock(&r1);
	return arg;
}

NOINLINE void *read_21(void *arg)
{
	pthread_rwlock_rdlock(&r2);
	pthread_rwlock_rdlock(&r1);
	pthread_rwlock_unlock(&r1);
	pthread_rwlock_unlock(&r2);
	return arg;
}

int main(int argc, char **argv)
{
	ready(wait_flag(argc, argv));
	run_alone(read_12);
	run_alone(read_21);
	printf("done\n");
	return 0;
}
