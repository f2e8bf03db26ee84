// SPDX-License-Identifier: GPL-2.0
/*
 * lockmain: one thread locks m1 then m2 through liblocklib.so, another,
 * after it finished, m2 then m1: a lock-order cycle, never a hang.
 */
#include <pthread.h>

#define NOINLINE __attribute__((noinline))

void lock_both(pthread_mutex_t *a, pthread_mutex_t *b);

pthread_mutex_t m1 = PTHREAD_MUTEX_INITIALIZER;
pthread_mutex_t m2 = PTHREAD_MUTEX_INITIALIZER;

NOINLINE void *forward(void *arg)
{
	lock_both(&m1, &m2);
	__asm__ volatile("" ::: "memory");
	return arg;
}

NOINLINE void *backward(void *arg)
{
	lock_both(&m2, &m1);
	__asm__ volatile("" ::: "memory");
	return arg;
}

int main(void)
{
	pthread_t t;

	pthread_create(&t, NULL, forward, NULL);
	pthread_join(t, NULL);
	pthread_create(&t, NULL, backward, NULL);
	pthread_join(t, NULL);
	return 0;
}
