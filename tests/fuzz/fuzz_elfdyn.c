// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: what the allocator and lock-function searches read of
 * an ELF file (common/elfsyms.c: DT_NEEDED/RPATH/RUNPATH, exported
 * functions, the GOT slots of relocations).  The functions take paths: the
 * input is a memfd.  Seeds: tests/fuzz/corpus/elfdyn/.
 */
#include "fuzz.h"
#include "elfsyms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bb_elf_dynamic dyn;
	unsigned long long off;
	char path[64];
	int fd;

	fuzz_init();
	fd = fuzz_file(data, size, path, sizeof(path));
	if (!setjmp(fuzz_jump)) {
		if (!bb_elf_dynamic(path, &dyn))
			bb_elf_dynamic_free(&dyn);
		bb_elf_exports(path, "malloc");
		bb_elf_import_slot(path, "malloc", &off);
	}
	fuzz_close_fds(fd);	/* the input's memfd is reused */
	return 0;
}
