// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: what memleak's allocator search reads of an ELF file
 * (common/elfsyms.c: DT_NEEDED/RPATH/RUNPATH, exported functions, the GOT
 * slots of relocations).  The input is written to a file, as the
 * functions take paths.  Seeds: tests/fuzz/corpus/elfdyn/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "../../common/bpfbox.h"
#include "../../common/elfsyms.h"

/* Linked with elfsyms.c and util.c alone: no applet runs. */
const struct bb_applet *bb_current;
struct bb_common bb_opts;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct bb_elf_dynamic dyn;
	unsigned long long off;
	FILE *f;

	if (!*path)
		snprintf(path, sizeof(path), "/tmp/fuzz_elfdyn.%d", (int)getpid());
	f = fopen(path, "we");
	if (!f)
		return 0;
	if (fwrite(data, 1, size, f) != size) {
		fclose(f);
		return 0;
	}
	fclose(f);
	if (!bb_elf_dynamic(path, &dyn))
		bb_elf_dynamic_free(&dyn);
	bb_elf_exports(path, "malloc");
	bb_elf_import_slot(path, "malloc", &off);
	return 0;
}
