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

#define NOINLINE __attribute__((noinline))

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

	run(read_then_write);
	run(write_then_read);

	printf("done\n");
	return 0;
}
