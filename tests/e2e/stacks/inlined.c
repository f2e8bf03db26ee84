// SPDX-License-Identifier: GPL-2.0
/*
 * A leak through calls the compiler inlines (always_inline), for the
 * source-line tests (tests/run-e2e-stacks.sh): memleak prints the inlined
 * calls as lines of their own above the frame they are in, each with its
 * file:line, as addr2line -i does (the oracle).  Built there with
 * -gdwarf-4, -gdwarf-5, -gz and with its debug file apart.
 *   keep_copy -> [dup_padded -> grow] -> malloc     1 x 333 bytes
 */
#include <stdlib.h>
#include <string.h>

#define INLINE static inline __attribute__((always_inline))

void *volatile sink;

INLINE char *grow(const char *s, size_t extra)
{
	char *p = malloc(strlen(s) + extra);

	if (p)
		strcpy(p, s);
	return p;
}

INLINE char *dup_padded(const char *s)
{
	return grow(s, 333 - strlen(s));
}

__attribute__((noinline)) void keep_copy(const char *s)
{
	sink = dup_padded(s);
	__asm__ volatile("" ::: "memory");
}

int main(void)
{
	keep_copy("inlined");
	return 0;
}
