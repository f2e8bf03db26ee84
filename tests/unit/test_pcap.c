// SPDX-License-Identifier: GPL-2.0
/* pcap writer (common/pcap.c): the file read back byte by byte, and by tcpdump. */
#include "unit.h"
#include "bpfbox.h"
#include "pcap.h"

#define SNAPLEN 128

struct pkt {
	uint64_t wall_ns;
	uint32_t caplen, origlen;
	uint32_t sec, usec, len;	/* what the file must say */
	uint8_t data[SNAPLEN];
};

/* An IPv4/UDP header (what LINKTYPE_RAW packets start with), then a pattern. */
static void fill_ipv4(struct pkt *p, uint8_t seed)
{
	static const uint8_t hdr[28] = {
		0x45, 0, 0, 0, 0x12, 0x34, 0x40, 0, 64, 17, 0, 0,
		10, 0, 0, 1, 10, 0, 0, 2,
		0x30, 0x39, 0x00, 0x35, 0, 0, 0, 0,	/* udp 12345 > 53 */
	};
	uint32_t i, tot = p->origlen, ulen = p->origlen - 20;

	for (i = 0; i < p->caplen; i++)
		p->data[i] = i < sizeof(hdr) ? hdr[i] : (uint8_t)(seed + i);
	p->data[2] = tot >> 8;
	p->data[3] = tot;
	p->data[24] = ulen >> 8;
	p->data[25] = ulen;
}

static struct pkt pkts[] = {
	/* whole packet */
	{ 1700000000123456789ULL, 40, 40, 1700000000, 123456, 40 },
	/* snapped: the file keeps the original length */
	{ 1700000001999999999ULL, SNAPLEN, 1500, 1700000001, 999999, 1500 },
	/* original shorter than captured: len is raised to caplen */
	{ 1700000002000000999ULL, 60, 30, 1700000002, 0, 60 },
};

static uint32_t u32_at(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint16_t u16_at(const unsigned char *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

static void check_file(const char *path)
{
	size_t len, off = 24, want = 24, i;
	unsigned char *b = (unsigned char *)unit_read_file(path, &len);

	for (i = 0; i < ARRAY_SIZE(pkts); i++)
		want += 16 + pkts[i].caplen;
	if (!CHECK(b, "pcap file readable"))
		return;
	CHECK_U64(len, want, "file size: 24 + 3 x (16 + caplen)");
	if (len < 24)
		goto out;
	CHECK_U64(u32_at(b), 0xa1b2c3d4, "global header: magic (microseconds, native order)");
	CHECK(u16_at(b + 4) == 2 && u16_at(b + 6) == 4, "global header: version 2.4");
	CHECK(u32_at(b + 8) == 0 && u32_at(b + 12) == 0, "global header: thiszone, sigfigs 0");
	CHECK_U64(u32_at(b + 16), SNAPLEN, "global header: snaplen");
	CHECK_U64(u32_at(b + 20), BB_LINKTYPE_RAW, "global header: linktype 101 (raw IP)");
	for (i = 0; i < ARRAY_SIZE(pkts) && off + 16 <= len; i++) {
		const struct pkt *p = &pkts[i];
		const unsigned char *r = b + off;

		CHECK_U64(u32_at(r), p->sec, "packet %zu: seconds", i);
		CHECK_U64(u32_at(r + 4), p->usec, "packet %zu: microseconds", i);
		CHECK_U64(u32_at(r + 8), p->caplen, "packet %zu: caplen", i);
		CHECK_U64(u32_at(r + 12), p->len, "packet %zu: original length", i);
		off += 16;
		CHECK(off + p->caplen <= len && !memcmp(b + off, p->data, p->caplen),
		      "packet %zu: data", i);
		off += p->caplen;
	}
out:
	free(b);
}

/* tcpdump, when installed, must read every packet. */
static void check_tcpdump(const char *path)
{
	char cmd[512], line[512];
	int lines = 0, status;
	FILE *p;

	if (system("command -v tcpdump >/dev/null 2>&1")) {
		printf("ok - tcpdump reads the file # skip tcpdump not installed\n");
		unit.pass++;
		return;
	}
	snprintf(cmd, sizeof(cmd), "tcpdump -n -r '%s' 2>/dev/null", path);
	p = popen(cmd, "r");
	if (!CHECK(p, "run tcpdump -r"))
		return;
	while (fgets(line, sizeof(line), p))
		if (strchr(line, '\n'))
			lines++;
	status = pclose(p);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "tcpdump -r exits 0");
	CHECK_U64(lines, ARRAY_SIZE(pkts), "tcpdump -r reads 3 packets");
}

static void test_write(void)
{
	char *path = unit_path("drops.pcap");
	struct bb_pcap *pc;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pkts); i++)
		fill_ipv4(&pkts[i], i * 16);
	pc = bb_pcap_open(path, BB_LINKTYPE_RAW, SNAPLEN);
	CHECK_U64(bb_pcap_count(pc), 0, "new file: 0 packets");
	for (i = 0; i < ARRAY_SIZE(pkts); i++)
		bb_pcap_write(pc, pkts[i].wall_ns, pkts[i].data, pkts[i].caplen, pkts[i].origlen);
	CHECK_U64(bb_pcap_count(pc), 3, "three packets counted");
	bb_pcap_close(pc);
	bb_pcap_close(NULL);
	check_file(path);
	check_tcpdump(path);
	free(path);
}

static void open_bad(void *arg)
{
	bb_pcap_open(arg, BB_LINKTYPE_RAW, SNAPLEN);
}

static void test_open_error(void)
{
	char *path = unit_path("no/such/dir.pcap");
	struct unit_child c;

	unit_run_child(open_bad, path, &c);
	if (!CHECK(c.status == 2 && strstr(c.err, "cannot create") && strstr(c.err, path),
		   "unwritable path: exit 2 naming the file"))
		unit_diag("status %d, stderr: %s", c.status, c.err);
	unit_child_free(&c);
	free(path);
}

int main(void)
{
	test_write();
	test_open_error();
	return unit_done();
}
