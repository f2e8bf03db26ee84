// SPDX-License-Identifier: GPL-2.0
/*
 * dl_rwlock: a workload for deadlock's tests.  read_then_write() takes
 * rw1 for reading then rw2 for writing; after it has finished (joined,
 * so nothing can hang), write_then_read() takes rw2 for writing then rw1
 * for reading.  A reader/writer inversion: one potential deadlock,
 * rw1 <-> rw2.
 *
 *   dl_rwlock [-w]
 *     -w   wait for a line on stdin before the work (so a test can attach)
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "dl_workload.h"


pthread_rwlock_t rw1 = PTHREAD_RWLOCK_INITIALIZER;
pthread_rwlock_t rw2 = PTHREAD_RWLOCK_INITIALIZER;

NOINLINE void *read_then_write(void *arg)
{
	pthread_rwlock_rdlock(&rw1);
	pthread_rwlock_wrlock(&rw2);
	pthread_rwlock_unlock(&rw2);
	pthread_rwlock_unlock(&rw1);
	return arg;
}

NOINLINE void *write_then_read(void *arg)
{
	pthread_rwlock_wrlock(&rw2);
	pthread_rwlock_rdlock(&rw1);
	pthread_rwlock_unlock(&rw1);
	pthread_rwlock_unlock(&rw2);
	return arg;
}

int main(int argc, char **argv)
{

	ready(wait_flag(argc, argv));

	run_alone(read_then_write);
	run_alone(write_then_read);

	printf("done\n");
	return 0;
}
