// SPDX-License-Identifier: GPL-2.0
/*
 * traceloop's decoder on any bytes taken as a record (as `bpfbox report`
 * hands it one from a file): tl_call_valid(), then every renderer into
 * buffers of every kind of size.  The record is copied into an allocation
 * of exactly its length, so a read past it is caught.  The same bytes as
 * text are a -e trace= spec for both architectures.  Seeds: records of
 * the calls the unit tests render (tests/fuzz/corpus/tl_decode/).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../../applets/traceloop/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void spec(const uint8_t *data, size_t size)
{
	uint8_t bitmap[TL_NR_MAX / 8];
	char err[96], *text = malloc(size + 1);

	if (!text)
		return;
	memcpy(text, data, size);
	text[size] = 0;
	if (tl_parse_trace_spec(TL_ARCH_X86_64, text, bitmap, err, sizeof(err)) &&
	    strlen(err) >= sizeof(err))
		abort();
	tl_parse_trace_spec(TL_ARCH_ARM64, text, bitmap, err, sizeof(err));
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[2048];
	struct tl_call *c;
	size_t want, small;

	if (size > sizeof(struct tl_call))
		size = sizeof(struct tl_call);
	c = malloc(size ? size : 1);
	if (!c)
		return 0;
	memcpy(c, data, size);
	if (!tl_call_valid(c, size)) {
		want = tl_format_call(c, 0, out, sizeof(out));
		/* snprintf's contract: terminated, and the length it wanted */
		if (want < sizeof(out) && strlen(out) != want)
			abort();
		tl_format_call(c, TL_FMT_RAW, out, sizeof(out));
		small = c->seq % 64;	/* a size the record chooses */
		want = tl_format_call(c, 0, out, small);
		if (small && strlen(out) >= small)
			abort();
		tl_format_ret(c, out, sizeof(out));
		tl_syscall_classes(c->arch, c->nr);
	}
	free(c);
	spec(data, size);
	return 0;
}
