/* SPDX-License-Identifier: GPL-2.0 */
/* A pcap writer (the classic format tcpdump -r and Wireshark read). */
#ifndef BB_PCAP_H
#define BB_PCAP_H

#include <stdint.h>

#define BB_LINKTYPE_ETHERNET 1
#define BB_LINKTYPE_RAW 101	/* packets start at the IPv4/IPv6 header */

struct bb_pcap;

struct bb_pcap *bb_pcap_open(const char *path, uint32_t linktype, uint32_t snaplen);
void bb_pcap_write(struct bb_pcap *p, uint64_t wall_ns, const void *data,
		   uint32_t caplen, uint32_t origlen);
uint64_t bb_pcap_count(const struct bb_pcap *p);
void bb_pcap_close(struct bb_pcap *p);

#endif
