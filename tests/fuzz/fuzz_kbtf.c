// SPDX-License-Identifier: GPL-2.0
/* The raw BTF walker (common/kbtf.c) on any bytes: init, then lookups of
 * every kind it steps over, and the names of what it finds. */
#include "fuzz.h"
#include <bpf/btf.h>
#include "kbtf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "color", "pair", "big", "u", "tt", "int", "" };
	struct bb_rawbtf r;
	void *copy = malloc(size ? size : 1);	/* aligned, as a mapping is */
	size_t i;
	int kind;

	memcpy(copy, data, size);
	if (!bb_rawbtf_init(&r, copy, size))
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			for (kind = 0; kind <= BTF_KIND_ENUM64; kind++) {
				const struct btf_type *t = bb_rawbtf_find(&r, names[i], kind);

				if (t && (kind == BTF_KIND_ENUM || kind == BTF_KIND_STRUCT) &&
				    btf_vlen(t))
					(void)bb_rawbtf_str(&r, ((const struct btf_enum *)(t + 1))->name_off);
			}
	free(copy);
	return 0;
}
