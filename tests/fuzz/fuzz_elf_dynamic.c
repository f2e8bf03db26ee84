// SPDX-License-Identifier: GPL-2.0
/* The dynamic section reader (common/elfsyms.c bb_elf_dynamic, which
 * finds a program's libraries for deadlock's --lock-symbols) on any file:
 * every string it hands out is a terminated one of the file. */
#include "fuzz.h"
#include "elfsyms.h"

static void on_entry(int64_t tag, const char *str, void *ctx)
{
	size_t *total = ctx;

	*total += strlen(str) + (size_t)tag;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	size_t total = 0;
	int fd;

	fuzz_init();
	fd = fuzz_file(data, size, path, sizeof(path));
	if (!setjmp(fuzz_jump))
		bb_elf_dynamic(path, on_entry, &total);
	fuzz_close_fds(fd);
	return 0;
}
