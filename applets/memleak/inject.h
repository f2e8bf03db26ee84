/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memleak --engine inject: the in-process engine loaded into a running
 * process through ptrace (dlopen called on one of its threads), then put
 * in place of malloc and friends in every loaded object's GOT.
 */
#ifndef ML_INJECT_H
#define ML_INJECT_H

/* Loads the engine (memfds of ml_inproc_prepare) into @pid and switches
 * its allocator calls to it; dies with one line (exit 2) when it cannot.
 * Returns the number of GOT slots rewritten. */
int ml_inject(int pid);

#endif
