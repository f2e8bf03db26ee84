// SPDX-License-Identifier: GPL-2.0
/*
 * dl_three: a workload for deadlock's tests.  Three threads run one
 * after another (so nothing can hang): take_ab (ma->mb), take_bc
 * (mb->mc), take_ca (mc->ma).  One potential deadlock: the 3-cycle
 * ma -> mb -> mc -> ma.
 *
 *   dl_three [-w]
 *     -w   wait for a line on stdin before the work (so a test can attach)
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "dl_workload.h"


pthread_mutex_t ma = PTHREAD_MUTEX_INITIALIZER;
pthread_mutex_t mb = PTHREAD_MUTEX_INITIALIZER;
pthread_mutex_t mc = PTHREAD_MUTEX_INITIALIZER;

/* Lock @outer, then @inner while holding it; release both. */
static void nest(pthread_mutex_t *outer, pthread_mutex_t *inner)
{
	pthread_mutex_lock(outer);
	pthread_mutex_lock(inner);
	pthread_mutex_unlock(inner);
	pthread_mutex_unlock(outer);
}

NOINLINE void *take_ab(void *arg)
{
	nest(&ma, &mb);
	return arg;
}

NOINLINE void *take_bc(void *arg)
{
	nest(&mb, &mc);
	return arg;
}

NOINLINE void *take_ca(void *arg)
{
	nest(&mc, &ma);
	return arg;
}

int main(int argc, char **argv)
{

	ready(wait_flag(argc, argv));

	run_alone(take_ab);
	run_alone(take_bc);
	run_alone(take_ca);

	printf("done\n");
	return 0;
}
