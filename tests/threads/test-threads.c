/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Many threads call every public function at once, each on sockets of its
 * own, and check every answer.  Built with ThreadSanitizer by tools/check.sh
 * (build-tsan), where any data race fails the run.
 *
 *   test-threads [THREADS [ITERATIONS]]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <peersec/peersec.h>

static int iterations = 2000;
static int failures;	/* written only under the mutex */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void failed(const char *what, long r)
{
	pthread_mutex_lock(&lock);
	failures++;
	fprintf(stderr, "FAIL: %s: %ld (%s)\n", what, r,
		r < 0 ? strerror((int)-r) : "");
	pthread_mutex_unlock(&lock);
}

#define EXPECT(what, r, want)						\
	do {								\
		long r_ = (r);						\
		if (r_ != (want))					\
			failed(what, r_);				\
	} while (0)

/* On a kernel without peer labels every stream answer is "no label"; with
 * labels (the lab) it is a label, the same every time. */
static void stream_round(int fd, char *first, size_t first_size)
{
	char buf[512], *label = NULL;
	size_t len = sizeof(buf);
	int r = peersec_tcp_get(fd, buf, &len);

	if (r == 0) {
		if (first[0] == '\0')
			snprintf(first, first_size, "%s", buf);
		EXPECT("same label", strcmp(first, buf), 0);
		EXPECT("tcp_get_alloc", peersec_tcp_get_alloc(fd, &label), 0);
		if (label != NULL)
			EXPECT("alloc label", strcmp(label, buf), 0);
		free(label);
	} else {
		EXPECT("tcp_get", r, -ENOPROTOOPT);
		EXPECT("tcp_get_alloc", peersec_tcp_get_alloc(fd, &label),
		       -ENOPROTOOPT);
	}
	len = 0;
	r = peersec_tcp_get(fd, NULL, &len);
	if (r != -ERANGE && r != -ENOPROTOOPT)
		failed("size query", r);
}

/* The SCTP and SELinux functions, whatever this kernel offers: each answer
 * must be one of those the function can give here. */
static void other_rounds(int not_sctp)
{
#if PEERSEC_HAVE_SCTP
	char buf[64];
	size_t len = sizeof(buf);
	int newfd;

	EXPECT("sctp_assoc_label", peersec_sctp_assoc_label(not_sctp, 0, buf, &len),
	       -EPROTOTYPE);
	EXPECT("sctp_peeloff", peersec_sctp_peeloff(not_sctp, 5, 0, &newfd, buf,
						    &len), -EPROTOTYPE);
#endif
#if PEERSEC_HAVE_SELINUX
	{
		int r = peersec_label_is_unlabeled("system_u:object_r:x_t:s0");
		char *ctx = NULL;

		if (r != 0 && r != 1 && r != -ENOENT)
			failed("label_is_unlabeled", r);
		r = peersec_context_derive("system_u:object_r:x_t:s0",
					   "system_u:system_r:y_t:s0",
					   "/proc/self/exe", &ctx);
		if (r != 0 && r != -EOPNOTSUPP && r != -EACCES && r != -EPERM &&
		    r != -ENODATA)
			failed("context_derive", r);
		free(ctx);
	}
#endif
}

/* A datagram to ourselves on loopback, read back with its label ("" on a
 * kernel without labels), one at a time and batched. */
static void udp_round(int rx, int tx, const struct sockaddr_in *to,
		      char *first, size_t first_size)
{
	char data[16], label[PEERSEC_UDP_LABEL_MAX];
	struct iovec iov = { data, sizeof(data) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	size_t label_len = sizeof(label);
	union {
		struct cmsghdr align;
		char buf[PEERSEC_UDP_CONTROL_SPACE(0)];
	} ctl;
	struct mmsghdr vec = { .msg_hdr = msg };
	struct peersec_udp_label l;

	EXPECT("sendto", sendto(tx, "ping", 4, 0, (const struct sockaddr *)to,
				sizeof(*to)), 4);
	EXPECT("udp_recvmsg", peersec_udp_recvmsg(rx, &msg, 0, label,
						  &label_len), 4);
	if (first[0] == '\0' && label_len > 0)
		snprintf(first, first_size, "%s", label);
	EXPECT("udp label", strcmp(label, first), 0);

	EXPECT("sendto", sendto(tx, "pong", 4, 0, (const struct sockaddr *)to,
				sizeof(*to)), 4);
	vec.msg_hdr.msg_control = ctl.buf;
	vec.msg_hdr.msg_controllen = sizeof(ctl.buf);
	EXPECT("udp_recvmmsg", peersec_udp_recvmmsg(rx, &vec, 1, 0, NULL, &l), 1);
	EXPECT("batched label", l.error == 0 && strcmp(l.label, label) == 0, 1);
}

/* AF_UNIX datagrams with SO_PASSSEC and descriptors: the library's
 * receive (room for two of three descriptors) and the caller's own
 * recvmsg with peersec_cmsg_label(). */
static void unix_round(int tx, int rx)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(3 * sizeof(int)) + PEERSEC_CMSG_LABEL_SPACE];
	} ctl;
	char data[8], label[PEERSEC_UDP_LABEL_MAX], other[PEERSEC_UDP_LABEL_MAX];
	struct iovec iov = { data, sizeof(data) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c = (struct cmsghdr *)ctl.buf;
	size_t len = sizeof(label), olen = sizeof(other);
	int fds[3] = { tx, tx, tx }, got;

	memset(&ctl, 0, sizeof(ctl));	/* the padding is sent too */
	for (int round = 0; round < 2; round++) {
		msg.msg_control = ctl.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(fds));
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(fds));
		memcpy(CMSG_DATA(c), fds, sizeof(fds));
		iov.iov_len = 1;
		EXPECT("sendmsg", sendmsg(tx, &msg, 0), 1);
	}
	iov.iov_len = sizeof(data);
	msg.msg_controllen = CMSG_SPACE(sizeof(int));
	EXPECT("dgram_recvmsg", peersec_dgram_recvmsg(rx, &msg, 0, label, &len),
	       1);
	/* CMSG_SPACE(sizeof(int)) holds two whole descriptors */
	EXPECT("two descriptors", msg.msg_controllen == CMSG_SPACE(sizeof(int)) &&
	       c->cmsg_len == CMSG_LEN(2 * sizeof(int)) &&
	       (msg.msg_flags & MSG_CTRUNC) != 0, 1);
	for (int i = 0; i < 2; i++) {
		memcpy(&got, CMSG_DATA(c) + i * sizeof(int), sizeof(got));
		close(got);
	}

	msg.msg_controllen = sizeof(ctl.buf);
	EXPECT("recvmsg", recvmsg(rx, &msg, 0), 1);
	EXPECT("cmsg_label", peersec_cmsg_label(&msg, other, &olen), 0);
	EXPECT("same label", strcmp(label, other), 0);
	for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		     i++) {
			memcpy(&got, CMSG_DATA(c) + i * sizeof(int), sizeof(got));
			close(got);
		}
	}
}

static void *worker(void *arg)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sin);
	char first_udp[PEERSEC_UDP_LABEL_MAX] = "";
	int rx, tx;
	char first[512] = "";
	int sv[2], dg[2];

	(void)arg;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 ||
	    socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, dg) < 0) {
		failed("socketpair", -errno);
		return NULL;
	}
	rx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	tx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (rx < 0 || tx < 0 ||
	    bind(rx, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    getsockname(rx, (struct sockaddr *)&sin, &sl) < 0) {
		failed("udp socket", -errno);
		return NULL;
	}
	EXPECT("udp_enable", peersec_udp_enable(rx), 0);
	EXPECT("dgram_enable", peersec_dgram_enable(dg[1]), 0);
	for (int i = 0; i < iterations; i++) {
		char buf[64];
		size_t len = sizeof(buf);

		stream_round(sv[i & 1], first, sizeof(first));
		EXPECT("datagram", peersec_tcp_get(dg[0], buf, &len),
		       -ENOPROTOOPT);
		EXPECT("closed fd", peersec_tcp_get(-1, buf, &len), -EBADF);
		EXPECT("version", strcmp(peersec_version(),
					 PEERSEC_VERSION_STRING), 0);
		udp_round(rx, tx, &sin, first_udp, sizeof(first_udp));
		other_rounds(dg[0]);
		unix_round(dg[0], dg[1]);
		EXPECT("stream_get", peersec_stream_get(dg[0], buf, &len),
		       -ENOPROTOOPT);
	}
	close(rx);
	close(tx);
	close(sv[0]);
	close(sv[1]);
	close(dg[0]);
	close(dg[1]);
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = argc > 1 ? atoi(argv[1]) : 8;
	pthread_t *t;

	if (argc > 2)
		iterations = atoi(argv[2]);
	t = calloc((size_t)threads, sizeof(*t));
	if (t == NULL)
		return 1;
	for (int i = 0; i < threads; i++)
		if (pthread_create(&t[i], NULL, worker, NULL) != 0)
			return 1;
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	free(t);
	printf("%d threads x %d iterations: %d failures\n", threads, iterations,
	       failures);
	return failures != 0;
}
