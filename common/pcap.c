// SPDX-License-Identifier: GPL-2.0
/* pcap writer: see pcap.h.  Microsecond timestamps, native byte order. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bpfbox.h"
#include "outfile.h"
#include "pcap.h"

struct bb_pcap {
	FILE *f;
	const char *path;
	uint64_t count;
};

struct pcap_file_header {
	uint32_t magic;
	uint16_t major, minor;
	int32_t thiszone;
	uint32_t sigfigs, snaplen, linktype;
};

struct pcap_rec_header {
	uint32_t sec, usec, caplen, len;
};

static void pcap_write_or_die(struct bb_pcap *p, const void *d, size_t n)
{
	if (fwrite(d, 1, n, p->f) != n)
		bb_die("writing %s: %s", p->path, strerror(errno));
}

struct bb_pcap *bb_pcap_open(const char *path, uint32_t linktype, uint32_t snaplen)
{
	struct pcap_file_header h = { 0xa1b2c3d4, 2, 4, 0, 0, snaplen, linktype };
	struct bb_pcap *p = bb_xcalloc(1, sizeof(*p));

	p->f = bb_create_output_file(path);
	p->path = path;
	pcap_write_or_die(p, &h, sizeof(h));
	return p;
}

void bb_pcap_write(struct bb_pcap *p, uint64_t wall_ns, const void *data,
		   uint32_t caplen, uint32_t origlen)
{
	struct pcap_rec_header r = {
		(uint32_t)(wall_ns / 1000000000ULL),
		(uint32_t)(wall_ns % 1000000000ULL / 1000), caplen,
		origlen < caplen ? caplen : origlen,
	};

	pcap_write_or_die(p, &r, sizeof(r));
	pcap_write_or_die(p, data, caplen);
	p->count++;
}

uint64_t bb_pcap_count(const struct bb_pcap *p)
{
	return p->count;
}

void bb_pcap_close(struct bb_pcap *p)
{
	if (!p)
		return;
	bb_close_output_file(p->f, p->path);
	free(p);
}
