// SPDX-License-Identifier: GPL-2.0
/*
 * dropgen: make the kernel drop an exact number of packets, for dropwatch's
 * end-to-end tests.
 *
 *   dropgen udp|udp6|tcp|tcp6 COUNT [PORT] [ADDR]
 *
 * udp:  COUNT datagrams from one socket to ADDR:PORT (default 127.0.0.1:9,
 *       ::1 for udp6).  With nothing listening, each one is dropped once
 *       (NO_SOCKET in __udp4_lib_rcv / __udp6_lib_rcv).
 * tcp:  COUNT connect() attempts, one socket each.  Each SYN to a closed
 *       port is dropped once (NO_SOCKET in tcp_v4_rcv) and answered with a
 *       RST, so connect() fails with ECONNREFUSED and nothing is resent.
 *       Any other outcome (a timeout would mean retransmitted SYNs, so an
 *       inexact count) is an error.
 *
 * Prints each socket's local address on stdout as dropwatch prints a
 * source ("127.0.0.1:PORT" or "[::1]:PORT"), one line per socket (so one
 * line for udp, COUNT lines for tcp).
 * Exits 0 when every packet was sent, 1 otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "dropgen: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: dropgen udp|udp6|tcp|tcp6 COUNT [PORT] [ADDR]\n");
	exit(2);
}

static socklen_t make_addr(int family, const char *host, unsigned port,
			   struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			usage();
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
		usage();
	return sizeof(*sin6);
}

/* The socket's local address, in dropwatch's notation. */
static void print_local(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char ip[INET6_ADDRSTRLEN];

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		die("getsockname");
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
		printf("%s:%u\n", ip, ntohs(sin->sin_port));
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof(ip));
		printf("[%s]:%u\n", ip, ntohs(sin6->sin6_port));
	}
}

/* The source address the kernel picks for @dst: what a connected UDP
 * socket gets (connecting a UDP socket sends nothing). */
static void source_for(int family, const struct sockaddr_storage *dst, socklen_t len,
		       struct sockaddr_storage *src)
{
	socklen_t slen = sizeof(*src);
	int fd = socket(family, SOCK_DGRAM, 0);

	if (fd < 0)
		die("socket");
	if (connect(fd, (const struct sockaddr *)dst, len))
		die("connect (route)");
	if (getsockname(fd, (struct sockaddr *)src, &slen))
		die("getsockname");
	close(fd);
	if (family == AF_INET)
		((struct sockaddr_in *)src)->sin_port = 0;
	else
		((struct sockaddr_in6 *)src)->sin6_port = 0;
}

static void send_udp(int family, const struct sockaddr_storage *dst, socklen_t len,
		     long count)
{
	static const char payload[] = "dropgen";
	struct sockaddr_storage src;
	int fd = socket(family, SOCK_DGRAM, 0);
	long i;

	if (fd < 0)
		die("socket");
	/* Bound to the source address, so that getsockname() tells it. */
	source_for(family, dst, len, &src);
	if (bind(fd, (struct sockaddr *)&src, len))
		die("bind");
	print_local(fd);
	for (i = 0; i < count; i++)
		if (sendto(fd, payload, sizeof(payload), 0,
			   (const struct sockaddr *)dst, len) != sizeof(payload))
			die("sendto");
	close(fd);
}

static void connect_tcp(int family, const struct sockaddr_storage *dst, socklen_t len,
			long count)
{
	struct timeval tv = { .tv_sec = 5 };
	struct sockaddr_storage src;
	long i;

	source_for(family, dst, len, &src);
	for (i = 0; i < count; i++) {
		int fd = socket(family, SOCK_STREAM, 0);

		if (fd < 0)
			die("socket");
		/* Bound first, so the local address is known before connect()
		 * fails (a closed socket reports 0.0.0.0). */
		if (bind(fd, (struct sockaddr *)&src, len))
			die("bind");
		print_local(fd);
		/* A timeout, rather than a hang, if no RST comes. */
		if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))
			die("setsockopt");
		if (!connect(fd, (const struct sockaddr *)dst, len)) {
			fprintf(stderr, "dropgen: connect succeeded: something listens there\n");
			exit(1);
		}
		if (errno != ECONNREFUSED)
			die("connect (expected ECONNREFUSED)");
		close(fd);
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_storage dst;
	const char *kind, *host;
	unsigned long port = 9;
	socklen_t len;
	long count;
	char *end;
	int family;

	if (argc < 3 || argc > 5)
		usage();
	kind = argv[1];
	count = strtol(argv[2], &end, 10);
	if (*end || count < 0)
		usage();
	if (argc > 3) {
		port = strtoul(argv[3], &end, 10);
		if (*end || !port || port > 65535)
			usage();
	}
	family = strchr(kind, '6') ? AF_INET6 : AF_INET;
	host = argc > 4 ? argv[4] : family == AF_INET ? "127.0.0.1" : "::1";
	len = make_addr(family, host, port, &dst);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(kind, "udp") || !strcmp(kind, "udp6"))
		send_udp(family, &dst, len, count);
	else if (!strcmp(kind, "tcp") || !strcmp(kind, "tcp6"))
		connect_tcp(family, &dst, len, count);
	else
		usage();
	return 0;
}
