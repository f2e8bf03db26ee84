// SPDX-License-Identifier: GPL-2.0
/*
 * liblocklib.so: takes two mutexes in the order given, three calls deep,
 * built without frame pointers (as Debian builds its libraries).  The
 * stack test checks that deadlock's acquisition stacks go through
 * lock_both -> lock_first/lock_second -> take down to the program's main.
 */
#include <pthread.h>

#define NOINLINE __attribute__((noinline))

NOINLINE void take(pthread_mutex_t *m)
{
	pthread_mutex_lock(m);
	__asm__ volatile("" ::: "memory");
}

NOINLINE void lock_second(pthread_mutex_t *m)
{
	take(m);
	__asm__ volatile("" ::: "memory");
}

NOINLINE void lock_first(pthread_mutex_t *m)
{
	take(m);
	__asm__ volatile("" ::: "memory");
}

NOINLINE void lock_both(pthread_mutex_t *a, pthread_mutex_t *b)
{
	lock_first(a);
	lock_second(b);
	pthread_mutex_unlock(b);
	pthread_mutex_unlock(a);
}
