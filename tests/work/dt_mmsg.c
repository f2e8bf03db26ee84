// SPDX-License-Identifier: GPL-2.0
/*
 * deeptrace's e2e workload for sendmmsg/recvmmsg: N DNS questions (A
 * shop.test, IDs 1..N) to 127.0.0.1:PORT in one sendmmsg on a connected
 * UDP socket, then the answers with recvmmsg until all N came (5 s at
 * most).  Prints "sent S" and one "received K" per recvmmsg call, so a
 * test knows how many messages each vector held.
 * Usage: dt_mmsg PORT N (N <= 256); exit 1 on a failure.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define MAX 256

/* A question for shop.test, type A, class IN, recursion desired. */
static size_t question(unsigned char *b, unsigned id)
{
	static const unsigned char rest[] = {
		1, 0, 0, 1, 0, 0, 0, 0, 0, 0,	/* flags RD, QDCOUNT 1 */
		4, 's', 'h', 'o', 'p', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1,
	};

	b[0] = id >> 8;
	b[1] = id;
	memcpy(b + 2, rest, sizeof(rest));
	return 2 + sizeof(rest);
}

int main(int argc, char **argv)
{
	static unsigned char q[MAX][64], a[MAX][512];
	static struct mmsghdr mh[MAX];
	static struct iovec iov[MAX];
	struct sockaddr_in to = { .sin_family = AF_INET };
	struct timeval tv = { .tv_sec = 5 };
	int fd, n, i, got = 0, k;

	if (argc != 3 || (n = atoi(argv[2])) < 1 || n > MAX) {
		fprintf(stderr, "usage: dt_mmsg PORT N (1..%d)\n", MAX);
		return 2;
	}
	to.sin_port = htons(atoi(argv[1]));
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof(to)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		perror("dt_mmsg: socket");
		return 1;
	}
	for (i = 0; i < n; i++) {
		iov[i].iov_base = q[i];
		iov[i].iov_len = question(q[i], i + 1);
		memset(&mh[i], 0, sizeof(mh[i]));
		mh[i].msg_hdr.msg_iov = &iov[i];
		mh[i].msg_hdr.msg_iovlen = 1;
	}
	k = sendmmsg(fd, mh, n, 0);
	printf("sent %d\n", k);
	if (k != n)
		return 1;
	while (got < n) {
		for (i = 0; i < n - got; i++) {
			iov[i].iov_base = a[i];
			iov[i].iov_len = sizeof(a[i]);
			memset(&mh[i], 0, sizeof(mh[i]));
			mh[i].msg_hdr.msg_iov = &iov[i];
			mh[i].msg_hdr.msg_iovlen = 1;
		}
		/* Everything that waits, at least one. */
		k = recvmmsg(fd, mh, n - got, MSG_WAITFORONE, NULL);
		if (k <= 0) {
			perror("dt_mmsg: recvmmsg");
			return 1;
		}
		printf("received %d\n", k);
		got += k;
	}
	return 0;
}
