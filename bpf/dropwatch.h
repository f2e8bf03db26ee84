/* SPDX-License-Identifier: GPL-2.0 */
/* dropwatch: structs shared by bpf/dropwatch.bpf.c and applets/dropwatch.c. */
#ifndef DROPWATCH_H
#define DROPWATCH_H

#include "bb_shared.h"

#define DW_MAX_SNAP 256		/* packet bytes an event can carry */

/* Aggregation key: where and why packets were dropped. */
struct dropwatch_key {
	__u64 location;		/* kernel address that freed the skb */
	__u32 reason;		/* enum skb_drop_reason value (0: unknown) */
	__s32 stack_id;		/* kernel stack (--stack), else -1 */
};

/* One drop, as sent in --events mode. */
struct dropwatch_event {
	__u64 ts_ns;		/* CLOCK_BOOTTIME */
	__u64 location;
	__u32 reason;
	__u32 pid;		/* thread running when the drop happened */
	__u32 tgid;
	__u32 netns;
	__u32 ifindex;
	__u32 pkt_len;		/* IP: the IP header's length (from the IP header on);
				 * else skb->len (from the layer the drop was at) */
	__u16 cpu;
	__u16 l3_proto;		/* ETH_P_*, host order */
	__u8 l4_proto;		/* IPPROTO_* when parsed */
	__u8 ip_version;	/* 4, 6, or 0 when not IP */
	__u16 sport;		/* host order */
	__u16 dport;
	__u16 caplen;		/* packet bytes in data[], from the L3 header */
	__u16 nr_frames;	/* kernel stack frames in frames[] */
	__u16 pad;
	__u8 saddr[16];
	__u8 daddr[16];
	char comm[BB_COMM_LEN];
	char ifname[16];
	/* Only when --stack or --pcap/--snaplen asked for them: */
	__u64 frames[BB_MAX_STACK];
	__u8 data[DW_MAX_SNAP];
};

/* Bytes of an event that are always present. */
#define DW_EVENT_HEAD_SIZE __builtin_offsetof(struct dropwatch_event, frames)

#endif
