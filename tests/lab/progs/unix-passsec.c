/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * unix-passsec: what the kernel's LSM gives over AF_UNIX, raw, without the
 * library: the bytes of SCM_SECURITY (SO_PASSSEC) on a datagram, and of
 * SO_PEERSEC on a stream socket.  For an LSM the library has not met on a
 * real kernel (AppArmor: no trailing NUL, a mode suffix).
 *
 *   unix-passsec recv NAME     bind the abstract datagram socket @NAME, set
 *                              SO_PASSSEC, print "ready", receive one
 *                              datagram and print what came with it
 *   unix-passsec send NAME     send one datagram to @NAME
 *   unix-passsec listen NAME   listen on the abstract stream socket @NAME,
 *                              print "ready", accept one connection and
 *                              print its SO_PEERSEC
 *   unix-passsec connect NAME  connect to @NAME, print its SO_PEERSEC
 *
 * Output: "scm_security LEN HEX" or "scm_security none", "peersec LEN HEX"
 * or "peersec -ERRNO", then "text 'TEXT'" with any NUL shown as \0.
 * Exit 0, or 2 on a setup error.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "kernel-abi.h"
#include "lab-util.h"

static socklen_t addr_of(const char *name, struct sockaddr_un *sun)
{
	size_t n = strlen(name);

	if (n + 1 > sizeof(sun->sun_path))
		lab_die("name too long");
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path + 1, name, n);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

static void show(const char *what, const unsigned char *p, size_t len)
{
	size_t i;

	printf("%s %zu ", what, len);
	for (i = 0; i < len; i++)
		printf("%02x", p[i]);
	printf("\ntext '");
	for (i = 0; i < len; i++) {
		if (p[i] == '\0')
			printf("\\0");
		else
			putchar(p[i]);
	}
	printf("'\n");
}

static void peersec(int fd)
{
	unsigned char buf[4096];
	socklen_t len = sizeof(buf);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERSEC, buf, &len) < 0)
		printf("peersec %s\n", lab_errname(-errno));
	else
		show("peersec", buf, len);
}

int main(int argc, char **argv)
{
	struct sockaddr_un sun;
	socklen_t alen;
	int fd, one = 1;

	lab_init(argv[0]);
	if (argc != 3)
		lab_die("usage: unix-passsec recv|send|listen|connect NAME");
	alen = addr_of(argv[2], &sun);
	if (strcmp(argv[1], "recv") == 0 || strcmp(argv[1], "send") == 0) {
		fd = socket(AF_UNIX, SOCK_DGRAM, 0);
		if (fd < 0)
			lab_die("socket: %s", strerror(errno));
	} else {
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd < 0)
			lab_die("socket: %s", strerror(errno));
	}
	if (strcmp(argv[1], "recv") == 0) {
		char data[64], ctl[CMSG_SPACE(4096)];
		struct iovec iov = { data, sizeof(data) };
		struct msghdr m = { 0 };
		struct cmsghdr *c;
		int seen = 0;

		if (bind(fd, (struct sockaddr *)&sun, alen) < 0 ||
		    setsockopt(fd, SOL_SOCKET, SO_PASSSEC, &one, sizeof(one)) < 0)
			lab_die("bind/SO_PASSSEC: %s", strerror(errno));
		printf("ready\n");
		fflush(stdout);
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		m.msg_control = ctl;
		m.msg_controllen = sizeof(ctl);
		if (recvmsg(fd, &m, 0) < 0)
			lab_die("recvmsg: %s", strerror(errno));
		for (c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c)) {
			if (c->cmsg_level == SOL_SOCKET &&
			    c->cmsg_type == SCM_SECURITY) {
				show("scm_security", CMSG_DATA(c),
				     c->cmsg_len - CMSG_LEN(0));
				seen = 1;
			}
		}
		if (!seen)
			printf("scm_security none\n");
	} else if (strcmp(argv[1], "send") == 0) {
		if (sendto(fd, "hello", 5, 0, (struct sockaddr *)&sun, alen) < 0)
			lab_die("sendto: %s", strerror(errno));
	} else if (strcmp(argv[1], "listen") == 0) {
		int c;

		if (bind(fd, (struct sockaddr *)&sun, alen) < 0 || listen(fd, 1) < 0)
			lab_die("bind/listen: %s", strerror(errno));
		printf("ready\n");
		fflush(stdout);
		c = accept(fd, NULL, NULL);
		if (c < 0)
			lab_die("accept: %s", strerror(errno));
		peersec(c);
		close(c);
	} else if (strcmp(argv[1], "connect") == 0) {
		if (connect(fd, (struct sockaddr *)&sun, alen) < 0)
			lab_die("connect: %s", strerror(errno));
		peersec(fd);
	} else {
		lab_die("unknown mode %s", argv[1]);
	}
	close(fd);
	return 0;
}
