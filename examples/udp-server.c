/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * udp-server: receive datagrams, print each sender's address and the
 * datagram's security label, and send the label back to the sender.
 *
 *   udp-server [-b] [-n COUNT] PORT
 *
 * Listens on every address (a dual-stack IPv6 socket: IPv4 senders can be
 * labeled, native IPv6 senders never are).  Each datagram is answered with
 * one datagram holding its label, "" when it has none, or "!" followed by
 * the error when its label could not be read (the datagram is then not
 * trusted: only its sender's address is used, to say so).
 * -b receives in batches of 16 with peersec_udp_recvmmsg(); -n stops after
 * COUNT datagrams.  Port 0 picks a free port; the first line printed is
 * always "listening on port N".
 *
 * Build against an installed libpeersec:
 *   cc udp-server.c $(pkg-config --cflags --libs peersec) -o udp-server
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* recvmmsg, struct mmsghdr */
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <peersec/peersec.h>

#define BATCH 16

static void answer(int fd, const struct sockaddr_in6 *from, socklen_t len,
		   const char *label, int error)
{
	char addr[INET6_ADDRSTRLEN] = "?";
	char reply[PEERSEC_UDP_LABEL_MAX + 32];
	int n;

	inet_ntop(AF_INET6, &from->sin6_addr, addr, sizeof(addr));
	if (error != 0) {
		n = snprintf(reply, sizeof(reply), "!%s", strerror(-error));
		printf("%s port %u: no trusted label: %s\n", addr,
		       ntohs(from->sin6_port), strerror(-error));
	} else {
		n = snprintf(reply, sizeof(reply), "%s", label);
		printf("%s port %u: label \"%s\"\n", addr,
		       ntohs(from->sin6_port), label);
	}
	fflush(stdout);
	if (sendto(fd, reply, (size_t)n, 0, (const struct sockaddr *)from,
		   len) < 0)
		perror("sendto");
}

/* One datagram at a time. */
static int serve_one(int fd)
{
	char data[2048], label[PEERSEC_UDP_LABEL_MAX];
	struct sockaddr_in6 from;
	struct iovec iov = { data, sizeof(data) };
	struct msghdr msg = {
		.msg_name = &from, .msg_namelen = sizeof(from),
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	size_t len = sizeof(label);
	ssize_t n;

	memset(&from, 0, sizeof(from));
	n = peersec_udp_recvmsg(fd, &msg, 0, label, &len);
	if (n == -EOVERFLOW || n == -EBADMSG) {
		/* Consumed but untrusted; the kernel did write the sender's
		 * address, so say why it gets no answer it can use. */
		if (from.sin6_family == AF_INET6)
			answer(fd, &from, sizeof(from), NULL, (int)n);
		return 1;
	}
	if (n < 0) {
		fprintf(stderr, "peersec_udp_recvmsg: %s\n", strerror((int)-n));
		return n == -EINTR ? 0 : -1;
	}
	answer(fd, &from, msg.msg_namelen, label, 0);
	return 1;
}

/* Up to BATCH datagrams per system call. */
static int serve_batch(int fd, int max)
{
	static union {
		struct cmsghdr align;
		unsigned char buf[PEERSEC_UDP_CONTROL_SPACE(0)];
	} ctl[BATCH];
	static char data[BATCH][2048];
	struct sockaddr_in6 from[BATCH];
	struct iovec iov[BATCH];
	struct mmsghdr vec[BATCH];
	struct peersec_udp_label labels[BATCH];
	int n;

	if (max > BATCH)
		max = BATCH;
	for (int i = 0; i < max; i++) {
		iov[i] = (struct iovec){ data[i], sizeof(data[i]) };
		memset(&vec[i], 0, sizeof(vec[i]));
		vec[i].msg_hdr.msg_name = &from[i];
		vec[i].msg_hdr.msg_namelen = sizeof(from[i]);
		vec[i].msg_hdr.msg_iov = &iov[i];
		vec[i].msg_hdr.msg_iovlen = 1;
		vec[i].msg_hdr.msg_control = ctl[i].buf;
		vec[i].msg_hdr.msg_controllen = sizeof(ctl[i].buf);
	}
	n = peersec_udp_recvmmsg(fd, vec, (unsigned int)max, MSG_WAITFORONE,
				 NULL, labels);
	if (n < 0) {
		fprintf(stderr, "peersec_udp_recvmmsg: %s\n", strerror(-n));
		return n == -EINTR ? 0 : -1;
	}
	for (int i = 0; i < n; i++)
		answer(fd, &from[i], vec[i].msg_hdr.msg_namelen,
		       labels[i].label, labels[i].error);
	return n;
}

int main(int argc, char **argv)
{
	struct sockaddr_in6 addr = { .sin6_family = AF_INET6 };
	socklen_t addr_len = sizeof(addr);
	int batch = 0, count = -1, off = 0, fd, c, r;

	while ((c = getopt(argc, argv, "bn:")) != -1) {
		switch (c) {
		case 'b': batch = 1; break;
		case 'n': count = atoi(optarg); break;
		default: goto usage;
		}
	}
	if (optind + 1 != argc)
		goto usage;
	addr.sin6_port = htons((unsigned short)atoi(argv[optind]));
	addr.sin6_addr = in6addr_any;

	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) < 0 ||
	    bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&addr, &addr_len) < 0) {
		perror("udp-server");
		return 1;
	}
	r = peersec_udp_enable(fd);
	if (r < 0) {
		fprintf(stderr, "peersec_udp_enable: %s\n", strerror(-r));
		return 1;
	}
	printf("listening on port %u\n", ntohs(addr.sin6_port));
	fflush(stdout);

	while (count != 0) {
		r = batch ? serve_batch(fd, count < 0 ? BATCH : count) :
			    serve_one(fd);
		if (r < 0)
			return 1;
		if (count > 0)
			count -= r < count ? r : count;
	}
	close(fd);
	return 0;
usage:
	fprintf(stderr, "usage: %s [-b] [-n COUNT] PORT\n", argv[0]);
	return 2;
}
