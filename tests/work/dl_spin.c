// SPDX-License-Identifier: GPL-2.0
/*
 * dl_spin: a workload for deadlock's --lock-symbols test: an ABBA on the
 * spinlocks of libdlspin.so (tests/work/lib/dlspin.c), s1 then s2 in
 * take_ab(), s2 then s1 in take_ba(), one after the other.  No pthread
 * lock orders them: only dl_spin_lock/dl_spin_unlock, probed by name.
 *
 *   dl_spin [-w]
 */
#include <pthread.h>
#include <stdio.h>
#include "dl_workload.h"
#include "lib/dlspin.h"

struct dl_spin s1, s2;

NOINLINE void *take_ab(void *arg)
{
	dl_spin_lock(&s1);
	dl_spin_lock(&s2);
	dl_spin_unlock(&s2);
	dl_spin_unlock(&s1);
	return arg;
}

NOINLINE void *take_ba(void *arg)
{
	dl_spin_lock(&s2);
	dl_spin_lock(&s1);
	dl_spin_unlock(&s1);
	dl_spin_unlock(&s2);
	return arg;
}

int main(int argc, char **argv)
{
	ready(wait_flag(argc, argv));
	run_alone(take_ab);
	run_alone(take_ba);
	printf("done\n");
	return 0;
}
