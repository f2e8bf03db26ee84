// SPDX-License-Identifier: GPL-2.0
/*
 * deeptrace's streams (applets/deeptrace/stream.c) on any sequence of
 * kernel events: the input is cut into events, each
 *   u8 flags (bit 0 direction, bits 1-2 role, bits 3-4 connection,
 *             bits 5-6 kind: message, close, open, or garbage),
 *             connections 2 and 3 on port 53, 2 a UDP one (two peers),
 *   u8 extra (bytes moved beyond the captured ones, x 64),
 *   u8 cap   (payload bytes that follow),
 *   cap bytes of payload.
 * Spans must come out whole (a start, an end no sooner), nothing read past
 * an event, nothing leaked at the end.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/types.h>
#include "deeptrace.h"
#include "../../applets/deeptrace/span.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_span(const struct dt_span *s)
{
	if (s->end_ns < s->start_ns || !memchr(s->req.endpoint, 0, sizeof(s->req.endpoint)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t kinds[] = { DT_EV_MSG, DT_EV_CLOSE, DT_EV_OPEN, 99 };
	uint64_t now = 1000;
	size_t pos = 0;

	dt_stream_init(on_span, true);
	while (pos + 3 <= size) {
		uint8_t flags = data[pos], extra = data[pos + 1], cap = data[pos + 2];
		struct dt_event *e;

		pos += 3;
		if (cap > size - pos)
			cap = size - pos;
		e = calloc(1, sizeof(*e) + cap);
		e->kind = kinds[flags >> 5 & 3];
		e->dir = flags & 1;
		e->role = flags >> 1 & 3;
		e->sock = 0x1000 + (flags >> 3 & 3);
		e->family = AF_INET;
		e->sock_type = (flags >> 3 & 3) == 2 ? SOCK_DGRAM : SOCK_STREAM;
		e->rport = (flags >> 3 & 3) >= 2 ? 53 : 0;
		e->raddr[3] = e->sock_type == SOCK_DGRAM ? extra & 1 : 0;	/* two peers */
		e->start_ns = now;
		e->end_ns = now += 10;
		e->cap = cap;
		e->bytes = cap + extra * 64;
		memcpy(e->data, data + pos, cap);
		pos += cap;
		dt_stream_event(e, sizeof(*e) + cap);
		free(e);
	}
	dt_stream_finish();
	return 0;
}
