// SPDX-License-Identifier: GPL-2.0
/* The ELF symbolizer (common/elfsyms.c) on any image: load its tables,
 * translate offsets, look addresses up. */
#include "fuzz.h"
#include "elfsyms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bb_elfsyms *e;
	static const uint64_t probe[] = { 0, 0x1000, 0x400000, 0x401000, ~0ULL };
	uint64_t vaddr, off, offset;
	void *image;
	size_t i;

	fuzz_init();
	image = malloc(size ? size : 1);
	memcpy(image, data, size);
	if (!setjmp(fuzz_jump)) {
		e = bb_elfsyms_from_image(image, size);
		if (e && !bb_elfsyms_load(e, NULL, NULL)) {
			for (i = 0; i + 8 <= size && i < 4096; i += 97) {
				memcpy(&off, data + i, 8);
				if (!bb_elfsyms_vaddr(e, off, &vaddr)) {
					bb_elfsyms_find(e, vaddr, false, &offset);
					bb_elfsyms_find(e, vaddr, true, &offset);
				}
				bb_elfsyms_find(e, off, false, &offset);
			}
			for (i = 0; i < ARRAY_SIZE(probe); i++)
				bb_elfsyms_find(e, probe[i], false, &offset);
		}
		if (e)
			bb_elfsyms_put(e);
	}
	fuzz_close_fds(-1);
	return 0;
}
