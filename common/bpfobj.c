// SPDX-License-Identifier: GPL-2.0
/* Embedded BPF objects: see bpfobj.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "bpfbox.h"
#include "bpfobj.h"

const void *bb_bpf_inflate(const unsigned char *gz, size_t len, size_t *size)
{
	static const unsigned char *last_gz;
	static unsigned char *last;
	static size_t last_size;
	z_stream z = { 0 };
	uint32_t isize;

	/* The loader reopens the object when it falls back: inflate once.
	 * Never freed: an open bpf_object keeps pointing into it. */
	if (gz == last_gz) {
		*size = last_size;
		return last;
	}
	if (len < 18)
		bb_die("internal error: embedded BPF object too short");
	memcpy(&isize, gz + len - 4, 4);	/* gzip trailer: size, little endian */
	last = bb_xcalloc(isize + 1, 1);
	z.next_in = (unsigned char *)gz;
	z.avail_in = len;
	z.next_out = last;
	z.avail_out = isize;
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK || inflate(&z, Z_FINISH) != Z_STREAM_END ||
	    z.total_out != isize)
		bb_die("internal error: cannot inflate the embedded BPF object");
	inflateEnd(&z);
	last_gz = gz;
	last_size = isize;
	*size = isize;
	return last;
}
