/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * inetd-client: the lab's client of peersec-inetd.
 *
 *   inetd-client ask PROTO SRC DST PORT [SECONDS]
 *	connect (tcp, sctp) or send one datagram "hello" (udp) from address
 *	SRC to DST:PORT, print what comes back.  Exit 0 when something came
 *	back, 3 when the connection closed with nothing, 4 on timeout (default
 *	10 s), 2 on a setup error.
 *
 *   inetd-client flood PROTO SRC DST PORT COUNT
 *	COUNT connections (or datagrams) as fast as possible; of every three
 *	connections one closes at once, one resets at once (SO_LINGER 0), one
 *	waits for the answer.  Prints "flood sent=N answered=N failed=N
 *	ms=N" and exits 0 when nothing failed to connect.
 *
 * SRC selects the label: the lab maps source addresses to labels with
 * NetLabel (lab_netlabel).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef IPPROTO_SCTP
#define IPPROTO_SCTP 132
#endif

enum { UDP, TCP, SCTP };

static int proto_of(const char *s)
{
	if (strcmp(s, "tcp") == 0)
		return TCP;
	if (strcmp(s, "udp") == 0)
		return UDP;
	if (strcmp(s, "sctp") == 0)
		return SCTP;
	fprintf(stderr, "inetd-client: unknown protocol %s\n", s);
	exit(2);
}

static void addr_of(const char *a, const char *port, struct sockaddr_in *sin)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((unsigned short)atoi(port));
	if (inet_pton(AF_INET, a, &sin->sin_addr) != 1) {
		fprintf(stderr, "inetd-client: bad address %s\n", a);
		exit(2);
	}
}

/* A socket bound to @src and connected to @dst; -1 on failure. */
static int dial(int proto, const struct sockaddr_in *src,
		const struct sockaddr_in *dst)
{
	int type = proto == UDP ? SOCK_DGRAM : SOCK_STREAM;
	int fd = socket(AF_INET, type | SOCK_CLOEXEC,
			proto == SCTP ? IPPROTO_SCTP : 0);

	if (fd < 0)
		return -1;
	if (bind(fd, (const struct sockaddr *)src, sizeof(*src)) < 0 ||
	    connect(fd, (const struct sockaddr *)dst, sizeof(*dst)) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Read until EOF or a timeout; returns bytes read, -1 on timeout. */
static ssize_t drain(int fd, int proto, int ms, char *buf, size_t size)
{
	size_t got = 0;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, ms) <= 0)
			return got > 0 ? (ssize_t)got : -1;
		n = recv(fd, buf + got, size - 1 - got, 0);
		if (n <= 0)
			return (ssize_t)got;
		got += (size_t)n;
		buf[got] = '\0';
		if (proto == UDP || got >= size - 1)
			return (ssize_t)got;
	}
}

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int ask(int proto, const struct sockaddr_in *src,
	       const struct sockaddr_in *dst, int seconds)
{
	char buf[8192];
	ssize_t n;
	int fd = dial(proto, src, dst);

	if (fd < 0) {
		fprintf(stderr, "inetd-client: connect: %s\n", strerror(errno));
		return 3;
	}
	if (proto == UDP && send(fd, "hello", 5, 0) != 5) {
		fprintf(stderr, "inetd-client: send: %s\n", strerror(errno));
		return 2;
	}
	n = drain(fd, proto, seconds * 1000, buf, sizeof(buf));
	close(fd);
	if (n < 0) {
		fprintf(stderr, "inetd-client: no answer in %d s\n", seconds);
		return 4;
	}
	if (n == 0) {
		fprintf(stderr, "inetd-client: closed without an answer\n");
		return 3;
	}
	fputs(buf, stdout);
	return 0;
}

static int flood(int proto, const struct sockaddr_in *src,
		 const struct sockaddr_in *dst, int count)
{
	long t0 = now_ms();
	int answered = 0, failed = 0;
	char buf[8192];

	for (int i = 0; i < count; i++) {
		struct linger rst = { .l_onoff = 1, .l_linger = 0 };
		int fd;

		/* A few retries: the backlog may be full for a moment. */
		for (int tries = 0; tries < 50; tries++) {
			fd = dial(proto, src, dst);
			if (fd >= 0 || (errno != ECONNREFUSED &&
					errno != EAGAIN))
				break;
			usleep(20000);
		}
		if (fd < 0) {
			failed++;
			continue;
		}
		if (proto == UDP) {
			if (send(fd, "flood", 5, 0) != 5)
				failed++;
			else if (i % 3 == 2 &&
				 drain(fd, proto, 5000, buf, sizeof(buf)) > 0)
				answered++;
		} else if (i % 3 == 0) {
			/* gone before the launcher looks */
		} else if (i % 3 == 1) {
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &rst,
				   sizeof(rst));
		} else if (drain(fd, proto, 10000, buf, sizeof(buf)) > 0) {
			answered++;
		}
		close(fd);
	}
	printf("flood sent=%d answered=%d failed=%d ms=%ld\n", count,
	       answered, failed, now_ms() - t0);
	return failed == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_in src, dst;
	int proto;

	if (argc < 6 || (strcmp(argv[1], "ask") != 0 &&
			 strcmp(argv[1], "flood") != 0)) {
		fprintf(stderr, "usage: inetd-client ask|flood PROTO SRC DST "
			"PORT [SECONDS|COUNT]\n");
		return 2;
	}
	proto = proto_of(argv[2]);
	addr_of(argv[3], "0", &src);
	addr_of(argv[4], argv[5], &dst);
	if (strcmp(argv[1], "ask") == 0)
		return ask(proto, &src, &dst, argc > 6 ? atoi(argv[6]) : 10);
	return flood(proto, &src, &dst, argc > 6 ? atoi(argv[6]) : 300);
}
