// SPDX-License-Identifier: GPL-2.0
/*
 * libdlspin.so: a spinlock of a library's own, for deadlock's
 * --lock-symbols test (tests/work/dl_spin.c uses it).
 */
#include "dlspin.h"

__attribute__((noinline)) void dl_spin_lock(struct dl_spin *s)
{
	while (__atomic_exchange_n(&s->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&s->locked, __ATOMIC_RELAXED))
			__builtin_ia32_pause();
}

__attribute__((noinline)) void dl_spin_unlock(struct dl_spin *s)
{
	__atomic_store_n(&s->locked, 0, __ATOMIC_RELEASE);
}
