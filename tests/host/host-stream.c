/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * peersec_tcp_get() on real sockets of this machine's kernel.  What a label
 * read must give depends on the active LSMs: without one that labels peers,
 * every connected stream socket answers -ENOPROTOOPT ("no label"), and so
 * do unconnected, listening and datagram sockets: the kernel's answer is
 * the same, and the library does not ask why.
 */
#include <arpa/inet.h>
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
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include <peersec/peersec.h>

#include "host-util.h"

static bool labels;	/* an active LSM labels peers */

/* The answer a connected stream socket must give on this kernel. */
static void assert_connected_answer(int fd)
{
	char buf[4096], *label = NULL;
	size_t len = sizeof(buf);
	int r = peersec_tcp_get(fd, buf, &len);

	if (!labels) {
		assert_int_equal(r, -ENOPROTOOPT);
		assert_int_equal(peersec_tcp_get_alloc(fd, &label), -ENOPROTOOPT);
		assert_null(label);
		return;
	}
	/* With a labeling LSM (never on CI's kernel), a proper C string. */
	if (r == -ENOPROTOOPT)
		return;
	assert_int_equal(r, 0);
	assert_int_equal(strlen(buf), len);
	assert_int_equal(peersec_tcp_get_alloc(fd, &label), 0);
	assert_string_equal(label, buf);
	free(label);
}

static void expect(int fd, int want)
{
	char buf[256], *label = NULL;
	size_t len = sizeof(buf);

	assert_int_equal(peersec_tcp_get(fd, buf, &len), want);
	assert_int_equal(len, sizeof(buf));	/* untouched on failure */
	assert_int_equal(peersec_stream_get(fd, buf, &len), want);
	assert_int_equal(peersec_tcp_get_alloc(fd, &label), want);
	assert_int_equal(peersec_stream_get_alloc(fd, &label), want);
	assert_null(label);
}

static void unix_socketpairs(void **state)
{
	static const int types[] = { SOCK_STREAM, SOCK_SEQPACKET };

	for (size_t i = 0; i < 2; i++) {
		int sv[2];

		assert_int_equal(socketpair(AF_UNIX, types[i] | SOCK_CLOEXEC, 0, sv), 0);
		assert_connected_answer(sv[0]);
		assert_connected_answer(sv[1]);
		close(sv[0]);
		close(sv[1]);
	}
}

static void unix_stream_listener(void **state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t sl;
	int l, c, a;

	/* An abstract address: nothing on the file system. */
	snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1, "peersec-host-%d", getpid());
	sl = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(sun.sun_path + 1));
	l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(bind(l, (struct sockaddr *)&sun, sl), 0);
	assert_int_equal(listen(l, 4), 0);
	expect(l, -ENOPROTOOPT);

	c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	expect(c, -ENOPROTOOPT);
	assert_int_equal(connect(c, (struct sockaddr *)&sun, sl), 0);
	a = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	assert_true(a >= 0);
	assert_connected_answer(c);
	assert_connected_answer(a);
	close(a);
	close(c);
	close(l);
}

static void tcp_loopback(int family)
{
	struct sockaddr_storage ss = { .ss_family = (sa_family_t)family };
	socklen_t sl = family == AF_INET ? sizeof(struct sockaddr_in)
					 : sizeof(struct sockaddr_in6);
	int l, c, a;

	if (family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else
		((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;

	l = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(l >= 0);
	assert_int_equal(bind(l, (struct sockaddr *)&ss, sl), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&ss, &sl), 0);
	expect(l, -ENOPROTOOPT);		/* a listener has no peer */
	assert_int_equal(listen(l, 4), 0);
	expect(l, -ENOPROTOOPT);

	c = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	expect(c, -ENOPROTOOPT);		/* not yet connected */
	assert_int_equal(connect(c, (struct sockaddr *)&ss, sl), 0);
	a = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	assert_true(a >= 0);
	assert_connected_answer(c);
	assert_connected_answer(a);

	/* After the peer is gone the socket keeps what it had. */
	close(c);
	assert_connected_answer(a);
	close(a);
	close(l);
}

static void tcp_ipv4(void **state)
{
	tcp_loopback(AF_INET);
}

static void tcp_ipv6(void **state)
{
	tcp_loopback(AF_INET6);
}

static void datagram_sockets(void **state)
{
	int u4 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int u6 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int sv[2];

	expect(u4, -ENOPROTOOPT);
	expect(u6, -ENOPROTOOPT);
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv), 0);
	if (!labels) {
		expect(sv[0], -ENOPROTOOPT);
		expect(sv[1], -ENOPROTOOPT);
	}
	close(sv[0]);
	close(sv[1]);
	close(u4);
	close(u6);
}

static void not_sockets(void **state)
{
	int file = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	int p[2], closed;

	assert_true(file >= 0);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	closed = dup(file);
	close(closed);

	expect(file, -ENOTSOCK);
	expect(p[0], -ENOTSOCK);
	expect(closed, -EBADF);
	expect(-1, -EBADF);
	close(file);
	close(p[0]);
	close(p[1]);
}

static void bad_arguments(void **state)
{
	int sv[2];
	size_t len = 0;
	char buf[4];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(peersec_tcp_get(sv[0], buf, NULL), -EINVAL);
	assert_int_equal(peersec_tcp_get_alloc(sv[0], NULL), -EINVAL);
	/* A size query on a socket without a label says "no label". */
	if (!labels)
		assert_int_equal(peersec_tcp_get(sv[0], NULL, &len), -ENOPROTOOPT);
	close(sv[0]);
	close(sv[1]);
}

static void version(void **state)
{
	char want[32];

	snprintf(want, sizeof(want), "%d.%d.%d", PEERSEC_VERSION_MAJOR,
		 PEERSEC_VERSION_MINOR, PEERSEC_VERSION_MICRO);
	assert_string_equal(peersec_version(), want);
	assert_string_equal(peersec_version(), PEERSEC_VERSION_STRING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unix_socketpairs),
		cmocka_unit_test(unix_stream_listener),
		cmocka_unit_test(tcp_ipv4),
		cmocka_unit_test(tcp_ipv6),
		cmocka_unit_test(datagram_sockets),
		cmocka_unit_test(not_sockets),
		cmocka_unit_test(bad_arguments),
		cmocka_unit_test(version),
	};

	labels = host_lsm_labels_peers();
	fprintf(stderr, "active LSMs: %s; peer labels: %s\n", host_lsm_list(),
		labels ? "yes" : "no");
	host_enter_netns();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
