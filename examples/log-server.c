/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * log-server: a small syslog-style receiver on an AF_UNIX datagram socket.
 * For each message it prints the sender's security label, pid and uid (the
 * kernel's SCM_CREDENTIALS, not what the message claims) and the text:
 *
 *   label=system_u:system_r:client_t:s0:c1 pid=123 uid=0 msg=<13>...
 *
 *   log-server [-n COUNT] [PATH]
 *
 * PATH defaults to /dev/log; an existing socket there is replaced.  -n
 * stops after COUNT messages.  "ready" is printed once the socket is bound.
 * A message whose label cannot be read for certain is dropped with a line
 * "dropped: ..." (fail closed); "label=" with nothing after it means the
 * kernel attached none (no labeling LSM).  The label is printed raw; a
 * program that shows it to people would translate it with
 * selinux_raw_to_trans_context(3), and must never compare the translation.
 *
 * Build against an installed libpeersec:
 *   cc log-server.c $(pkg-config --cflags --libs peersec) -o log-server
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* struct ucred */
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <peersec/peersec.h>

int main(int argc, char **argv)
{
	const char *path = "/dev/log";
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	long count = -1;
	int fd, one = 1, opt;

	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt != 'n')
			goto usage;
		count = strtol(optarg, NULL, 10);
	}
	if (optind < argc)
		path = argv[optind++];
	if (optind != argc || strlen(path) >= sizeof(sun.sun_path))
		goto usage;
	strcpy(sun.sun_path, path);

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		perror(path);
		return 1;
	}
	/* The sender's pid and uid from the kernel, and its label. */
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0) {
		perror("SO_PASSCRED");
		return 1;
	}
	opt = peersec_dgram_enable(fd);
	if (opt < 0) {
		fprintf(stderr, "peersec_dgram_enable: %s\n", strerror(-opt));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);

	for (long n = 0; count < 0 || n < count; n++) {
		char text[2048], label[PEERSEC_UDP_LABEL_MAX];
		union {
			struct cmsghdr align;
			char buf[CMSG_SPACE(sizeof(struct ucred))];
		} ctl;
		struct iovec iov = { text, sizeof(text) - 1 };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = ctl.buf,
				      .msg_controllen = sizeof(ctl.buf) };
		struct ucred cred = { .pid = 0, .uid = (uid_t)-1 };
		size_t label_len = sizeof(label);
		ssize_t len;

		/* The label never takes the credentials' room: the library
		 * receives into its own larger buffer and takes the label
		 * message out.  Descriptors a sender attaches do not fit
		 * here and are closed, as recvmsg(2) would drop them. */
		len = peersec_dgram_recvmsg(fd, &msg, 0, label, &label_len);
		if (len == -EINTR)
			continue;
		if (len == -EOVERFLOW || len == -EBADMSG) {
			printf("dropped: %s\n", strerror((int)-len));
			fflush(stdout);
			continue;
		}
		if (len < 0) {
			fprintf(stderr, "peersec_dgram_recvmsg: %s\n",
				strerror((int)-len));
			return 1;
		}
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL;
		     c = CMSG_NXTHDR(&msg, c))
			if (c->cmsg_level == SOL_SOCKET &&
			    c->cmsg_type == SCM_CREDENTIALS &&
			    c->cmsg_len == CMSG_LEN(sizeof(cred)))
				memcpy(&cred, CMSG_DATA(c), sizeof(cred));
		while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\0'))
			len--;
		text[len] = '\0';
		printf("label=%s pid=%ld uid=%ld msg=%s\n", label,
		       (long)cred.pid, (long)(int)cred.uid, text);
		fflush(stdout);
	}
	close(fd);
	return 0;

usage:
	fprintf(stderr, "usage: log-server [-n COUNT] [PATH]\n");
	return 2;
}
