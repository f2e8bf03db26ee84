// SPDX-License-Identifier: GPL-2.0
/*
 * ml_threads: memleak's threaded workload.  Four threads at once each
 * churn 20000 malloc/free pairs (blocks handed from thread to thread by
 * the allocator) and leak 100 x 48 bytes (thread_leak): 400 blocks,
 * 19200 bytes outstanding at the end, nothing else of theirs.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define NOINLINE __attribute__((noinline))
#define THREADS 4

void *volatile sink;

NOINLINE void thread_leak(void)
{
	sink = malloc(48);
}

static void *work(void *arg)
{
	(void)arg;
	for (int i = 0; i < 20000; i++) {
		void *p = malloc(16 + i % 200);

		sink = p;
		free(p);
		if (i % 200 == 0)
			thread_leak();
	}
	return NULL;
}

int main(void)
{
	pthread_t t[THREADS];

	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, work, NULL);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	printf("ml_threads: done\n");
	return 0;
}
