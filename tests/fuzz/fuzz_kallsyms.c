// SPDX-License-Identifier: GPL-2.0
/* The /proc/kallsyms parser (common/ksyms.c) on any bytes, then lookups. */
#include "fuzz.h"
#include "ksyms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t addrs[] = { 0, 1, 0xffffffff81000000ULL, 0xffffffffc0000000ULL,
					  ~0ULL };
	struct bb_ksyms *ks;
	char path[64], buf[256];
	size_t i;
	int fd;

	fuzz_init();
	fd = fuzz_file(data, size, path, sizeof(path));
	if (!setjmp(fuzz_jump)) {
		ks = bb_ksyms_load(path);
		if (ks) {
			for (i = 0; i < ARRAY_SIZE(addrs); i++)
				bb_ksyms_format(ks, addrs[i], buf, sizeof(buf));
			/* and the address of every 8th byte's value */
			for (i = 0; i + 8 <= size; i += 64) {
				uint64_t a;

				memcpy(&a, data + i, 8);
				bb_ksyms_format(ks, a, buf, sizeof(buf));
			}
			bb_ksyms_free(ks);
		}
	}
	fuzz_close_fds(fd);
	return 0;
}
