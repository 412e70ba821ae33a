/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Bad input from callers, for every public function: descriptors of every
 * kind (closed, -1, file, pipe, epoll, eventfd, sockets of the wrong family
 * or type), NULL pointers, zero and huge lengths.  Each gets the errno its
 * man page documents, and nothing is consumed or leaked.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include <peersec/peersec.h>

#include "host-util.h"

/* The kinds of descriptor every function is handed. */
enum kind {
	CLOSED, MINUS_ONE, FILE_FD, PIPE_FD, EPOLL_FD, EVENT_FD,
	UNIX_STREAM, UNIX_DGRAM, TCP_UNCONNECTED, TCP_LISTENING, UDP4, UDP6,
	NETLINK, NKINDS
};

static const char *const kind_names[NKINDS] = {
	"closed", "-1", "file", "pipe", "epoll", "eventfd", "unix stream",
	"unix dgram", "tcp unconnected", "tcp listening", "udp4", "udp6",
	"netlink",
};

static int fds[NKINDS];
static int peers[2];	/* the other ends of the unix pairs */

static int open_kind(enum kind k)
{
	int sv[2], fd = -1;

	switch (k) {
	case CLOSED:	/* high enough that no later open() reuses it */
		fd = fcntl(0, F_DUPFD_CLOEXEC, 900);
		close(fd);
		return fd;
	case MINUS_ONE:
		return -1;
	case FILE_FD:
		return open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	case PIPE_FD:
		assert_int_equal(pipe2(sv, O_CLOEXEC), 0);
		close(sv[1]);
		return sv[0];
	case EPOLL_FD:
		return epoll_create1(EPOLL_CLOEXEC);
	case EVENT_FD:
		return eventfd(0, EFD_CLOEXEC);
	case UNIX_STREAM:
	case UNIX_DGRAM:
		assert_int_equal(socketpair(AF_UNIX, (k == UNIX_STREAM ? SOCK_STREAM : SOCK_DGRAM) |
					    SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv), 0);
		peers[k == UNIX_DGRAM] = sv[1];
		return sv[0];
	case TCP_UNCONNECTED:
		return socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	case TCP_LISTENING:
		fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
		assert_int_equal(listen(fd, 1), 0);
		return fd;
	case UDP4:
		return socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	case UDP6:
		return socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	case NETLINK:
		return socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0);
	case NKINDS:
		break;
	}
	return -1;
}

/* What each function must answer for each kind (this kernel has no peer
 * labels, no SELinux and no SCTP; see host-util.c).  0 = success. */
static const int want_tcp_get[NKINDS] = {
	-EBADF, -EBADF, -ENOTSOCK, -ENOTSOCK, -ENOTSOCK, -ENOTSOCK,
	-ENOPROTOOPT, -ENOPROTOOPT, -ENOPROTOOPT, -ENOPROTOOPT, -ENOPROTOOPT,
	-ENOPROTOOPT, -ENOPROTOOPT,
};
static const int want_dgram_enable[NKINDS] = {
	-EBADF, -EBADF, -ENOTSOCK, -ENOTSOCK, -ENOTSOCK, -ENOTSOCK,
	0, 0, -EPROTOTYPE, -EPROTOTYPE, 0, 0, -EAFNOSUPPORT,
};
static const int want_udp_enable[NKINDS] = {
	-EBADF, -EBADF, -ENOTSOCK, -ENOTSOCK, -ENOTSOCK, -ENOTSOCK,
	-EAFNOSUPPORT, -EAFNOSUPPORT, -EPROTOTYPE, -EPROTOTYPE, 0, 0,
	-EAFNOSUPPORT,
};
/* recvmsg with MSG_DONTWAIT on an empty queue. */
static const int want_udp_recvmsg[NKINDS] = {
	-EBADF, -EBADF, -ENOTSOCK, -ENOTSOCK, -ENOTSOCK, -ENOTSOCK,
	-EAGAIN, -EAGAIN, -ENOTCONN, -ENOTCONN, -EAGAIN, -EAGAIN, -EAGAIN,
};
#if PEERSEC_HAVE_SCTP
static const int want_sctp[NKINDS] = {
	-EBADF, -EBADF, -ENOTSOCK, -ENOTSOCK, -ENOTSOCK, -ENOTSOCK,
	-EPROTOTYPE, -EPROTOTYPE, -EPROTOTYPE, -EPROTOTYPE, -EPROTOTYPE,
	-EPROTOTYPE, -EPROTOTYPE,
};
#endif

static int setup(void **state)
{
	for (int k = 0; k < NKINDS; k++)
		fds[k] = open_kind((enum kind)k);
	return 0;
}

static int teardown(void **state)
{
	for (int k = 0; k < NKINDS; k++)
		if (fds[k] >= 0)
			close(fds[k]);
	close(peers[0]);
	close(peers[1]);
	return 0;
}

static void check(const char *fn, enum kind k, long got, int want)
{
	if (got != want)
		fail_msg("%s on %s: got %ld (%s), want %d (%s)", fn,
			 kind_names[k], got, got < 0 ? strerrorname_np((int)-got) : "",
			 want, want < 0 ? strerrorname_np(-want) : "");
}

static void stream_functions(void **state)
{
	for (int k = 0; k < NKINDS; k++) {
		char buf[64], *label = NULL;
		size_t len = sizeof(buf);

		check("peersec_tcp_get", k, peersec_tcp_get(fds[k], buf, &len),
		      want_tcp_get[k]);
		assert_int_equal(len, sizeof(buf));
		check("peersec_tcp_get_alloc", k,
		      peersec_tcp_get_alloc(fds[k], &label), want_tcp_get[k]);
		assert_null(label);
		check("peersec_stream_get", k,
		      peersec_stream_get(fds[k], buf, &len), want_tcp_get[k]);
		check("peersec_stream_get_alloc", k,
		      peersec_stream_get_alloc(fds[k], &label), want_tcp_get[k]);
		assert_null(label);
		/* Zero and huge lengths change nothing on the error path. */
		len = 0;
		check("peersec_tcp_get len 0", k, peersec_tcp_get(fds[k], buf, &len),
		      want_tcp_get[k]);
		len = SIZE_MAX;	/* a size with no buffer is ignored */
		check("peersec_tcp_get NULL, SIZE_MAX", k,
		      peersec_tcp_get(fds[k], NULL, &len), want_tcp_get[k]);
	}
	assert_int_equal(peersec_tcp_get(fds[UNIX_STREAM], NULL, NULL), -EINVAL);
	assert_int_equal(peersec_tcp_get_alloc(fds[UNIX_STREAM], NULL), -EINVAL);
}

static void udp_functions(void **state)
{
	for (int k = 0; k < NKINDS; k++) {
		char data[16], label[64] = "untouched";
		struct iovec iov = { data, sizeof(data) };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
		size_t label_len = sizeof(label);

		check("peersec_udp_enable", k, peersec_udp_enable(fds[k]),
		      want_udp_enable[k]);
		check("peersec_udp_recvmsg", k,
		      peersec_udp_recvmsg(fds[k], &msg, MSG_DONTWAIT, label,
					  &label_len),
		      want_udp_recvmsg[k]);
		assert_int_equal(label_len, sizeof(label));
		assert_string_equal(label, "untouched");
		check("peersec_dgram_enable", k, peersec_dgram_enable(fds[k]),
		      want_dgram_enable[k]);
		check("peersec_dgram_recvmsg", k,
		      peersec_dgram_recvmsg(fds[k], &msg, MSG_DONTWAIT, label,
					    &label_len),
		      want_udp_recvmsg[k]);
		assert_int_equal(label_len, sizeof(label));
		assert_string_equal(label, "untouched");
	}
}

static void udp_bad_arguments(void **state)
{
	char data[16], label[64], control[PEERSEC_UDP_CONTROL_SPACE(0)];
	struct iovec iov = { data, sizeof(data) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct mmsghdr vec[1] = { { .msg_hdr = msg } };
	struct peersec_udp_label labels[1];
	size_t label_len = sizeof(label);
	int fd = fds[UDP4];

	assert_int_equal(peersec_udp_recvmsg(fd, NULL, 0, label, &label_len), -EINVAL);
	assert_int_equal(peersec_udp_recvmsg(fd, &msg, 0, label, NULL), -EINVAL);
	assert_int_equal(peersec_udp_recvmsg(fd, &msg, 0, NULL, &label_len), -EINVAL);

	assert_int_equal(peersec_udp_recvmmsg(fd, vec, 0, 0, NULL, labels), 0);
	assert_int_equal(peersec_udp_recvmmsg(fd, NULL, 1, 0, NULL, labels), -EINVAL);
	assert_int_equal(peersec_udp_recvmmsg(fd, vec, 1, 0, NULL, NULL), -EINVAL);
	/* No control buffer, then one too small for a label. */
	assert_int_equal(peersec_udp_recvmmsg(fd, vec, 1, MSG_DONTWAIT, NULL, labels), -EINVAL);
	vec[0].msg_hdr.msg_control = control;
	vec[0].msg_hdr.msg_controllen = sizeof(control) - 1;
	assert_int_equal(peersec_udp_recvmmsg(fd, vec, 1, MSG_DONTWAIT, NULL, labels), -EINVAL);
	vec[0].msg_hdr.msg_controllen = sizeof(control);
	assert_int_equal(peersec_udp_recvmmsg(fd, vec, 1, MSG_DONTWAIT, NULL, labels), -EAGAIN);
	assert_int_equal(peersec_udp_recvmmsg(-1, vec, 1, MSG_DONTWAIT, NULL, labels), -EBADF);
}

#if PEERSEC_HAVE_SCTP
static void sctp_functions(void **state)
{
	for (int k = 0; k < NKINDS; k++) {
		char buf[64];
		size_t len = sizeof(buf);
		int newfd = 12345;

		check("peersec_sctp_assoc_label", k,
		      peersec_sctp_assoc_label(fds[k], 0, buf, &len), want_sctp[k]);
		assert_int_equal(len, sizeof(buf));
		check("peersec_sctp_peeloff", k,
		      peersec_sctp_peeloff(fds[k], 1, 0, &newfd, buf, &len),
		      want_sctp[k]);
		assert_int_equal(newfd, -1);
	}
	assert_int_equal(peersec_sctp_assoc_label(fds[UDP4], 0, NULL, NULL), -EINVAL);
	assert_int_equal(peersec_sctp_peeloff(fds[UDP4], 1, 0, NULL, NULL, NULL), -EINVAL);
	{
		char buf[8];
		size_t len = sizeof(buf);
		int newfd;

		assert_int_equal(peersec_sctp_peeloff(fds[UDP4], 1, 0x4, &newfd, buf, &len),
				 -EINVAL);
		assert_int_equal(newfd, -1);
	}
}
#endif

#if PEERSEC_HAVE_SELINUX
static void selinux_functions(void **state)
{
	char *ctx = (char *)"untouched";

	assert_int_equal(peersec_label_is_unlabeled(NULL), -EINVAL);
	assert_int_equal(peersec_context_derive(NULL, NULL, "/bin/true", &ctx), -EINVAL);
	assert_int_equal(peersec_context_derive("u:r:t:s0", NULL, NULL, &ctx), -EINVAL);
	assert_int_equal(peersec_context_derive("u:r:t:s0", NULL, "", &ctx), -EINVAL);
	assert_int_equal(peersec_context_derive("u:r:t:s0", NULL, "/bin/true", NULL), -EINVAL);
	assert_string_equal(ctx, "untouched");
	if (!host_lsm_active("selinux")) {
		/* No SELinux: the documented answers for a missing policy. */
		assert_int_equal(peersec_label_is_unlabeled("u:r:t:s0"), -ENOENT);
		assert_int_equal(peersec_context_derive("u:r:t:s0", "u:r:t:s0",
							"/bin/true", &ctx),
				 -EOPNOTSUPP);
		assert_string_equal(ctx, "untouched");
	}
}
#endif

/* A build without a dependency still has its functions: they answer
 * -EOPNOTSUPP and leave nothing open. */
static void absent_functions(void **state)
{
	char buf[64], *ctx = (char *)"untouched";
	size_t len = sizeof(buf);
	int newfd = 7;

#if !PEERSEC_HAVE_SCTP
	assert_int_equal(peersec_sctp_assoc_label(fds[UDP4], 0, buf, &len),
			 -EOPNOTSUPP);
	assert_int_equal(peersec_sctp_peeloff(fds[UDP4], 1, 0, &newfd, buf, &len),
			 -EOPNOTSUPP);
	assert_int_equal(newfd, -1);
#endif
#if !PEERSEC_HAVE_SELINUX
	assert_int_equal(peersec_label_is_unlabeled("u:r:t:s0"), -EOPNOTSUPP);
	assert_int_equal(peersec_context_derive("u:r:t:s0", NULL, "/bin/true",
						&ctx), -EOPNOTSUPP);
	assert_string_equal(ctx, "untouched");
#endif
	(void)buf;
	(void)len;
	(void)newfd;
	(void)ctx;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(absent_functions),
		cmocka_unit_test(stream_functions),
		cmocka_unit_test(udp_functions),
		cmocka_unit_test(udp_bad_arguments),
#if PEERSEC_HAVE_SCTP
		cmocka_unit_test(sctp_functions),
#endif
#if PEERSEC_HAVE_SELINUX
		cmocka_unit_test(selinux_functions),
#endif
	};

	if (host_lsm_labels_peers())
		host_skip("this test expects a kernel without peer labels");
	return cmocka_run_group_tests(tests, setup, teardown);
}
