// SPDX-License-Identifier: GPL-2.0
/*
 * dropwatch: every skb the kernel frees as a drop goes through the
 * skb:kfree_skb tracepoint with the freeing location and (5.17+) a reason.
 * Default mode counts drops per (location, reason[, stack]) in the kernel;
 * --events sends each drop, with its packet headers, to user space.
 *
 * The tracepoint is reached four ways, tried in order by the loader:
 * tp_btf (typed, cheapest), raw_tp, classic tracepoint; each in a variant
 * with and without the reason argument, since pre-5.17 kernels lack it.
 */
#include "bpfbox.bpf.h"
#include <bpf/bpf_endian.h>
#include "dropwatch.h"

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17

const volatile bool cfg_events = false;
const volatile bool cfg_stack = false;
const volatile bool cfg_parse = false;		/* headers needed (filters) */
const volatile bool cfg_reason_filter = false;	/* only reasons in dw_reasons */
const volatile __u32 cfg_skip_reason[2] = { ~0U, ~0U }; /* noise, unless --all */
const volatile __u8 cfg_l4_proto = 0;
const volatile __u16 cfg_l3_proto = 0;
const volatile __u16 cfg_port = 0;
const volatile __u32 cfg_snaplen = 0;

BB_AGG_MAP(dw_drops, struct dropwatch_key, 10240);

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u8);
} dw_reasons SEC(".maps");

BB_STACK_MAP(dw_stacks, 4096);

/* Headers of the dropped packet, as far as they could be read. */
struct dw_pkt {
	__u16 l3_proto;
	__u8 l4_proto;
	__u8 ip_version;
	__u16 sport;
	__u16 dport;
	__u8 saddr[16];
	__u8 daddr[16];
	__u32 l3_off;		/* network header offset from skb->head */
	__u32 ip_len;		/* the IP header's length of the whole packet */
};

static __always_inline bool reason_wanted(__u32 reason)
{
	if (reason == cfg_skip_reason[0] || reason == cfg_skip_reason[1])
		return false;
	if (cfg_reason_filter && !bpf_map_lookup_elem(&dw_reasons, &reason))
		return false;
	return true;
}

/*
 * tp_btf programs get a typed skb and may load through it directly (the
 * kernel catches faults); the others must use bpf_probe_read_kernel(), a
 * helper call per field.  @typed is a compile-time constant at each call
 * site, so each program keeps only its own branch.
 */
static __always_inline __u32 skb_netns_typed(struct sk_buff *skb)
{
	struct net_device *dev = skb->dev;
	struct sock *sk;

	if (!bpf_core_field_exists(dev->nd_net.net))
		return 0;
	if (dev)
		return dev->nd_net.net->ns.inum;
	sk = skb->sk;
	if (sk)
		return sk->__sk_common.skc_net.net->ns.inum;
	return 0;
}

static __always_inline __u32 skb_netns(struct sk_buff *skb)
{
	struct net_device *dev = BPF_CORE_READ(skb, dev);
	struct sock *sk;

	if (!bpf_core_field_exists(dev->nd_net.net))
		return 0;	/* kernel without network namespaces */
	if (dev)
		return BPF_CORE_READ(dev, nd_net.net, ns.inum);
	sk = BPF_CORE_READ(skb, sk);
	if (sk)
		return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	return 0;
}

static __always_inline void read_ports(unsigned char *l4, struct dw_pkt *p)
{
	__be16 ports[2];

	if (p->l4_proto != IPPROTO_TCP && p->l4_proto != IPPROTO_UDP)
		return;
	if (bpf_probe_read_kernel(ports, sizeof(ports), l4))
		return;
	p->sport = bpf_ntohs(ports[0]);
	p->dport = bpf_ntohs(ports[1]);
}

static __always_inline void parse_ipv4(unsigned char *l3, struct dw_pkt *p)
{
	struct iphdr ip;

	if (bpf_probe_read_kernel(&ip, sizeof(ip), l3) || ip.version != 4)
		return;
	p->ip_version = 4;
	p->l3_proto = ETH_P_IP;
	p->l4_proto = ip.protocol;
	p->ip_len = bpf_ntohs(ip.tot_len);
	__builtin_memcpy(p->saddr, &ip.saddr, 4);
	__builtin_memcpy(p->daddr, &ip.daddr, 4);
	/* Only the first fragment carries the ports. */
	if (!(bpf_ntohs(ip.frag_off) & 0x1fff))
		read_ports(l3 + ip.ihl * 4, p);
}

static __always_inline void parse_ipv6(unsigned char *l3, struct dw_pkt *p)
{
	struct ipv6hdr ip6;

	if (bpf_probe_read_kernel(&ip6, sizeof(ip6), l3) || ip6.version != 6)
		return;
	p->ip_version = 6;
	p->l3_proto = ETH_P_IPV6;
	p->l4_proto = ip6.nexthdr;
	p->ip_len = sizeof(ip6) + bpf_ntohs(ip6.payload_len);
	__builtin_memcpy(p->saddr, &ip6.saddr, 16);
	__builtin_memcpy(p->daddr, &ip6.daddr, 16);
	read_ports(l3 + sizeof(ip6), p);
}

static __always_inline void parse_packet(struct sk_buff *skb, struct dw_pkt *p)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u16 proto = bpf_ntohs(BPF_CORE_READ(skb, protocol));
	__u8 first = 0;

	p->l3_off = BPF_CORE_READ(skb, network_header);
	p->l3_proto = proto;
	/* Locally built packets can be dropped before skb->protocol is set. */
	if (!proto && !bpf_probe_read_kernel(&first, 1, head + p->l3_off))
		proto = (first >> 4) == 4 ? ETH_P_IP : (first >> 4) == 6 ? ETH_P_IPV6 : 0;
	if (proto == ETH_P_IP)
		parse_ipv4(head + p->l3_off, p);
	else if (proto == ETH_P_IPV6)
		parse_ipv6(head + p->l3_off, p);
}

static __always_inline bool packet_filtered(const struct dw_pkt *p)
{
	if (cfg_l3_proto && p->l3_proto != cfg_l3_proto)
		return true;
	if (cfg_l4_proto && p->l4_proto != cfg_l4_proto)
		return true;
	if (cfg_port && p->sport != cfg_port && p->dport != cfg_port)
		return true;
	return false;
}

static __always_inline void count_drop(void *ctx, struct sk_buff *skb, __u64 location,
				       __u32 reason, bool typed)
{
	struct dropwatch_key key = {
		.location = location,
		.reason = reason,
		.stack_id = -1,
	};

	if (cfg_stack)
		key.stack_id = bb_stack_id(ctx, &dw_stacks, 0);
	bb_agg_add(&dw_drops, &key, typed ? skb->len : BPF_CORE_READ(skb, len));
}

static __always_inline void fill_device(struct dropwatch_event *e, struct sk_buff *skb)
{
	struct net_device *dev = BPF_CORE_READ(skb, dev);

	if (!dev)
		return;
	e->ifindex = BPF_CORE_READ(dev, ifindex);
	bpf_core_read_str(e->ifname, sizeof(e->ifname), &dev->name);
}

static __always_inline void fill_payload(void *ctx, struct dropwatch_event *e,
					 struct sk_buff *skb, const struct dw_pkt *p)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u32 avail, n = cfg_snaplen;
	long bytes;

	if (cfg_stack) {
		bytes = bpf_get_stack(ctx, e->frames, sizeof(e->frames), 0);
		if (bytes > 0)
			e->nr_frames = bytes / sizeof(__u64);
		else
			bb_lost_inc(BB_LOST_STACK);
	}
	/* Packet bytes from the L3 header to the end of the linear data. */
	avail = BPF_CORE_READ(skb, tail) - p->l3_off;
	if (!p->ip_version || avail > 65535)
		return;
	if (n > avail)
		n = avail;
	n &= 0x1ff;		/* a bound the verifier can see */
	if (!n || n > DW_MAX_SNAP)
		return;
	if (!bpf_probe_read_kernel(e->data, n, head + p->l3_off))
		e->caplen = n;
}

static __always_inline void send_drop(void *ctx, struct sk_buff *skb, __u64 location,
				      __u32 reason, __u32 netns, const struct dw_pkt *p)
{
	bool full = cfg_stack || cfg_snaplen;
	struct dropwatch_event *e;
	__u64 id = bpf_get_current_pid_tgid();

	/* Reserve sizes must be constants: two call sites. */
	if (full)
		e = bb_event_reserve(sizeof(*e));
	else
		e = bb_event_reserve(DW_EVENT_HEAD_SIZE);
	if (!e)
		return;
	__builtin_memset(e, 0, DW_EVENT_HEAD_SIZE);
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->location = location;
	e->reason = reason;
	e->pid = (__u32)id;
	e->tgid = id >> 32;
	e->netns = netns;
	/* skb->len counts from wherever the layer that dropped it had pulled
	 * to (a socket: the payload): the IP header says the packet's own. */
	e->pkt_len = p->ip_len ? p->ip_len : BPF_CORE_READ(skb, len);
	e->cpu = bpf_get_smp_processor_id();
	e->l3_proto = p->l3_proto;
	e->l4_proto = p->l4_proto;
	e->ip_version = p->ip_version;
	e->sport = p->sport;
	e->dport = p->dport;
	__builtin_memcpy(e->saddr, p->saddr, 16);
	__builtin_memcpy(e->daddr, p->daddr, 16);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	fill_device(e, skb);
	if (full)
		fill_payload(ctx, e, skb, p);
	bpf_ringbuf_submit(e, 0);
}

static __always_inline int handle_drop(void *ctx, struct sk_buff *skb,
				       __u64 location, __u32 reason, bool typed)
{
	struct dw_pkt p = {};
	__u32 netns = 0;

	if (!reason_wanted(reason) || bb_task_filtered())
		return 0;
	/* The default view needs no namespace: do not pay for it. */
	if (bb_cfg_filter.netns || cfg_events) {
		netns = typed ? skb_netns_typed(skb) : skb_netns(skb);
		if (bb_netns_filtered(netns))
			return 0;
	}
	if (cfg_parse || cfg_events) {
		parse_packet(skb, &p);
		if (packet_filtered(&p))
			return 0;
	}
	if (cfg_events)
		send_drop(ctx, skb, location, reason, netns, &p);
	else
		count_drop(ctx, skb, location, reason, typed);
	return 0;
}

SEC("tp_btf/kfree_skb")
int BPF_PROG(dw_tp_btf, struct sk_buff *skb, void *location, int reason)
{
	return handle_drop(ctx, skb, (__u64)location, reason, true);
}

SEC("tp_btf/kfree_skb")
int BPF_PROG(dw_tp_btf_noreason, struct sk_buff *skb, void *location)
{
	return handle_drop(ctx, skb, (__u64)location, 0, true);
}

SEC("raw_tp/kfree_skb")
int BPF_PROG(dw_raw_tp, struct sk_buff *skb, void *location, int reason)
{
	return handle_drop(ctx, skb, (__u64)location, reason, false);
}

SEC("raw_tp/kfree_skb")
int BPF_PROG(dw_raw_tp_noreason, struct sk_buff *skb, void *location)
{
	return handle_drop(ctx, skb, (__u64)location, 0, false);
}

/* The classic tracepoint: its record layout is relocated by CO-RE. */
SEC("tracepoint/skb/kfree_skb")
int dw_tracepoint(struct trace_event_raw_kfree_skb *args)
{
	__u32 reason = 0;

	if (bpf_core_field_exists(args->reason))
		reason = BPF_CORE_READ(args, reason);
	return handle_drop(args, (struct sk_buff *)BPF_CORE_READ(args, skbaddr),
			   (__u64)BPF_CORE_READ(args, location), reason, false);
}
