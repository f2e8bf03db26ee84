/* SPDX-License-Identifier: GPL-2.0 */
/* libdlspin.so's spinlock (tests/work/lib/dlspin.c). */
#ifndef DLSPIN_H
#define DLSPIN_H

struct dl_spin {
	int locked;
};

void dl_spin_lock(struct dl_spin *s);
void dl_spin_unlock(struct dl_spin *s);

#endif
