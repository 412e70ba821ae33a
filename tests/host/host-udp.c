/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Host tests of the UDP functions on real sockets, in a fresh network
 * namespace.  This kernel labels no traffic, so every label is empty; what
 * is tested is that the datagram, its address, the caller's own control
 * messages and the flags come back exactly as plain recvmsg gives them.
 * The reference for the control messages is the kernel itself: each
 * datagram is first read with plain recvmsg and MSG_PEEK.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cmocka.h>

#include <peersec/peersec.h>

#include "host-util.h"

static bool lsm_labels;	/* an active LSM might label loopback traffic */

static int udp_socket(int family)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	return fd;
}

/* A bound server socket on the loopback address of @family (AF_INET6:
 * dual-stack, bound to ::), with its port in *@port. */
static int server(int family, in_port_t *port)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd = udp_socket(family), off = 0;

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_any;
		len = sizeof(*sin6);
		assert_int_equal(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY,
					    &off, sizeof(off)), 0);
	}
	assert_int_equal(bind(fd, (struct sockaddr *)&ss, len), 0);
	len = sizeof(ss);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	*port = family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port :
				    ((struct sockaddr_in6 *)&ss)->sin6_port;
	assert_int_equal(peersec_udp_enable(fd), 0);
	return fd;
}

static void send_v4(int fd, in_port_t port, const void *buf, size_t n)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = port };

	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(sendto(fd, buf, n, 0, (struct sockaddr *)&to,
				sizeof(to)), (ssize_t)n);
}

static void send_v6(int fd, in_port_t port, const void *buf, size_t n)
{
	struct sockaddr_in6 to = { .sin6_family = AF_INET6,
				   .sin6_port = port };

	to.sin6_addr = in6addr_loopback;
	assert_int_equal(sendto(fd, buf, n, 0, (struct sockaddr *)&to,
				sizeof(to)), (ssize_t)n);
}

static in_port_t local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	return ss.ss_family == AF_INET ?
	       ((struct sockaddr_in *)&ss)->sin_port :
	       ((struct sockaddr_in6 *)&ss)->sin6_port;
}

static void on(int fd, int level, int name)
{
	int one = 1;

	assert_int_equal(setsockopt(fd, level, name, &one, sizeof(one)), 0);
}

static void assert_no_label(const char *label, size_t len)
{
	if (lsm_labels)
		return;
	assert_string_equal(label, "");
	assert_int_equal(len, 0);
}

/* One receive: what plain recvmsg saw (with MSG_PEEK) and what the
 * library returned, for the same datagram and the same caller buffer. */
struct both {
	char data[2][256];
	struct sockaddr_storage name[2];
	union {
		struct cmsghdr align;
		unsigned char buf[512];
	} ctl[2];
	struct iovec iov[2];
	struct msghdr msg[2];
	ssize_t n[2];
	char label[PEERSEC_UDP_LABEL_MAX];
	size_t label_len;
};

static void both_recv(struct both *b, int fd, size_t own, size_t data_len)
{
	memset(b, 0xa5, sizeof(*b));
	for (int i = 0; i < 2; i++) {
		b->iov[i].iov_base = b->data[i];
		b->iov[i].iov_len = data_len;
		memset(&b->msg[i], 0, sizeof(b->msg[i]));
		b->msg[i].msg_name = &b->name[i];
		b->msg[i].msg_namelen = sizeof(b->name[i]);
		b->msg[i].msg_iov = &b->iov[i];
		b->msg[i].msg_iovlen = 1;
		b->msg[i].msg_control = own > 0 ? b->ctl[i].buf : NULL;
		b->msg[i].msg_controllen = own;
	}
	b->n[0] = recvmsg(fd, &b->msg[0], MSG_PEEK);
	assert_true(b->n[0] >= 0);
	b->label_len = sizeof(b->label);
	b->n[1] = peersec_udp_recvmsg(fd, &b->msg[1], 0, b->label,
				      &b->label_len);
}

static void assert_same(const struct both *b)
{
	assert_int_equal(b->n[1], b->n[0]);
	assert_int_equal(b->msg[1].msg_namelen, b->msg[0].msg_namelen);
	assert_memory_equal(&b->name[1], &b->name[0], b->msg[0].msg_namelen);
	assert_memory_equal(b->data[1], b->data[0],
			    b->n[0] < (ssize_t)b->iov[0].iov_len ?
			    (size_t)b->n[0] : b->iov[0].iov_len);
	/* MSG_PEEK is not echoed back, so the flags compare as they are */
	assert_int_equal(b->msg[1].msg_flags, b->msg[0].msg_flags);
	assert_int_equal(b->msg[1].msg_controllen, b->msg[0].msg_controllen);
	assert_memory_equal(b->ctl[1].buf, b->ctl[0].buf, sizeof(b->ctl[0]));
}

/* ---------------------------------------------------------------------- */

static void enable_errors(void **state)
{
	int tcp = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int tcp6 = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int unix_dgram = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int unix_stream = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int raw = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_UDP);
	int pipefd[2];

	assert_true(tcp >= 0 && tcp6 >= 0 && unix_dgram >= 0 &&
		    unix_stream >= 0 && raw >= 0);
	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);

	assert_int_equal(peersec_udp_enable(tcp), -EPROTOTYPE);
	assert_int_equal(peersec_udp_enable(tcp6), -EPROTOTYPE);
	assert_int_equal(peersec_udp_enable(raw), -EPROTOTYPE);
	assert_int_equal(peersec_udp_enable(unix_dgram), -EAFNOSUPPORT);
	assert_int_equal(peersec_udp_enable(unix_stream), -EAFNOSUPPORT);
	assert_int_equal(peersec_udp_enable(pipefd[0]), -ENOTSOCK);
	close(pipefd[0]);
	assert_int_equal(peersec_udp_enable(pipefd[0]), -EBADF);
	assert_int_equal(peersec_udp_enable(-1), -EBADF);

	close(tcp);
	close(tcp6);
	close(unix_dgram);
	close(unix_stream);
	close(raw);
	close(pipefd[1]);
}

static void enable_sets_passsec(void **state)
{
	for (int i = 0; i < 2; i++) {
		int fd = udp_socket(i == 0 ? AF_INET : AF_INET6);
		int val = 0;
		socklen_t len = sizeof(val);

		assert_int_equal(peersec_udp_enable(fd), 0);
		assert_int_equal(getsockopt(fd, SOL_IP, IP_PASSSEC, &val,
					    &len), 0);
		assert_int_equal(val, 1);
		assert_int_equal(peersec_udp_enable(fd), 0);	/* twice */
		close(fd);
	}
}

/* Datagram, address, IP_PKTINFO and the other messages intact; the
 * caller's buffer at every size from 0 to past what it needs, so every
 * cut the kernel makes is compared with the library's. */
static void inet_matches_recvmsg(void **state)
{
	in_port_t port;
	int srv = server(AF_INET, &port), cli = udp_socket(AF_INET);
	struct both b;

	on(srv, SOL_IP, IP_PKTINFO);
	on(srv, SOL_IP, IP_TTL);
	on(srv, SOL_IP, IP_RECVORIGDSTADDR);
	on(srv, SOL_SOCKET, SO_TIMESTAMPNS);

	for (size_t own = 0; own <= 160; own++) {
		char msg[32];
		int n = snprintf(msg, sizeof(msg), "datagram %zu", own);

		send_v4(cli, port, msg, (size_t)n);
		both_recv(&b, srv, own, sizeof(b.data[0]));
		assert_int_equal(b.n[1], n);
		assert_memory_equal(b.data[1], msg, (size_t)n);
		assert_same(&b);
		assert_no_label(b.label, b.label_len);
		assert_int_equal(((struct sockaddr_in *)&b.name[1])->sin_port,
				 local_port(cli));
		if (own >= 160) {
			assert_int_equal(b.msg[1].msg_flags & MSG_CTRUNC, 0);
		}
	}

	/* and IP_PKTINFO is what it says */
	send_v4(cli, port, "x", 1);
	both_recv(&b, srv, 64, sizeof(b.data[0]));
	{
		struct cmsghdr *c = CMSG_FIRSTHDR(&b.msg[1]);
		struct in_pktinfo pi;

		assert_non_null(c);
		assert_int_equal(c->cmsg_level, SOL_SOCKET);	/* stamp */
		c = CMSG_NXTHDR(&b.msg[1], c);
		assert_non_null(c);
		assert_int_equal(c->cmsg_level, SOL_IP);
		assert_int_equal(c->cmsg_type, IP_PKTINFO);
		memcpy(&pi, CMSG_DATA(c), sizeof(pi));
		assert_int_equal(pi.ipi_addr.s_addr, htonl(INADDR_LOOPBACK));
	}
	close(srv);
	close(cli);
}

static void peek_trunc_dontwait(void **state)
{
	in_port_t port;
	int srv = server(AF_INET, &port), cli = udp_socket(AF_INET);
	char big[100], buf[16], label[64];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	size_t len;

	memset(big, 'p', sizeof(big));

	/* nothing waiting */
	len = sizeof(label);
	assert_int_equal(peersec_udp_recvmsg(srv, &msg, MSG_DONTWAIT, label,
					     &len), -EAGAIN);
	assert_int_equal(len, sizeof(label));

	send_v4(cli, port, big, sizeof(big));

	/* MSG_PEEK leaves it; MSG_TRUNC gives its full length */
	len = sizeof(label);
	assert_int_equal(peersec_udp_recvmsg(srv, &msg, MSG_PEEK, label,
					     &len), sizeof(buf));
	assert_true(msg.msg_flags & MSG_TRUNC);
	assert_no_label(label, len);
	len = sizeof(label);
	assert_int_equal(peersec_udp_recvmsg(srv, &msg,
					     MSG_PEEK | MSG_TRUNC, label,
					     &len), sizeof(big));
	assert_true(msg.msg_flags & MSG_TRUNC);

	/* label buffer of size 0: the datagram still comes, with the
	 * size an empty label needs */
	len = 0;
	assert_int_equal(peersec_udp_recvmsg(srv, &msg, MSG_TRUNC, NULL,
					     &len), sizeof(big));
	assert_int_equal(len, lsm_labels ? len : 1);
	assert_memory_equal(buf, big, sizeof(buf));

	/* consumed */
	len = sizeof(label);
	assert_int_equal(peersec_udp_recvmsg(srv, &msg, MSG_DONTWAIT, label,
					     &len), -EAGAIN);
	close(srv);
	close(cli);
}

static void connected_error_passes(void **state)
{
	in_port_t port;
	int gone = server(AF_INET, &port), cli = udp_socket(AF_INET);
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = port };
	char buf[8], label[64];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	size_t len = sizeof(label);
	ssize_t r;

	close(gone);	/* nobody listens on that port now */
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(cli, (struct sockaddr *)&to, sizeof(to)), 0);
	assert_int_equal(peersec_udp_enable(cli), 0);
	assert_int_equal(send(cli, "?", 1, 0), 1);
	/* the ICMP port unreachable arrives at once on loopback */
	do {
		len = sizeof(label);
		r = peersec_udp_recvmsg(cli, &msg, MSG_DONTWAIT, label, &len);
	} while (r == -EAGAIN && usleep(1000) == 0);
	assert_int_equal(r, -ECONNREFUSED);
	close(cli);
}

/* AF_INET6 dual stack: an IPv4 sender (v4-mapped) and a native IPv6
 * sender; IPV6_PKTINFO intact for both.  Neither carries a label here. */
static void inet6_dual_stack(void **state)
{
	in_port_t port;
	int srv = server(AF_INET6, &port);
	int c4 = udp_socket(AF_INET), c6 = udp_socket(AF_INET6);
	struct both b;

	on(srv, IPPROTO_IPV6, IPV6_RECVPKTINFO);
	on(srv, SOL_IP, IP_PKTINFO);

	for (size_t own = 0; own <= 96; own += 4) {
		send_v4(c4, port, "four", 4);
		both_recv(&b, srv, own, sizeof(b.data[0]));
		assert_int_equal(b.n[1], 4);
		assert_same(&b);
		assert_no_label(b.label, b.label_len);
		assert_true(IN6_IS_ADDR_V4MAPPED(
			&((struct sockaddr_in6 *)&b.name[1])->sin6_addr));

		send_v6(c6, port, "six", 3);
		both_recv(&b, srv, own, sizeof(b.data[0]));
		assert_int_equal(b.n[1], 3);
		assert_same(&b);
		/* native IPv6 never carries a label */
		assert_string_equal(b.label, "");
		assert_int_equal(b.label_len, 0);
		assert_true(IN6_IS_ADDR_LOOPBACK(
			&((struct sockaddr_in6 *)&b.name[1])->sin6_addr));
	}
	close(srv);
	close(c4);
	close(c6);
}

/* The batched form: two senders interleaved, each datagram's address,
 * data, IP_PKTINFO and (empty) label. */
static void batch_mixed(void **state)
{
	enum { VLEN = 8, OWN = 64, SENT = 6 };
	static union {
		struct cmsghdr align;
		unsigned char buf[PEERSEC_UDP_CONTROL_SPACE(OWN)];
	} ctl[VLEN];
	in_port_t port;
	int srv = server(AF_INET, &port);
	int cli[2] = { udp_socket(AF_INET), udp_socket(AF_INET) };
	char data[VLEN][32];
	struct iovec iov[VLEN];
	struct sockaddr_in name[VLEN];
	struct mmsghdr vec[VLEN];
	struct peersec_udp_label labels[VLEN];
	int n;

	on(srv, SOL_IP, IP_PKTINFO);
	for (int i = 0; i < SENT; i++) {
		char m[16];
		int len = snprintf(m, sizeof(m), "from %d #%d", i % 2, i);

		send_v4(cli[i % 2], port, m, (size_t)len);
	}

	memset(vec, 0, sizeof(vec));
	for (int i = 0; i < VLEN; i++) {
		iov[i].iov_base = data[i];
		iov[i].iov_len = sizeof(data[i]);
		vec[i].msg_hdr.msg_iov = &iov[i];
		vec[i].msg_hdr.msg_iovlen = 1;
		vec[i].msg_hdr.msg_name = &name[i];
		vec[i].msg_hdr.msg_namelen = sizeof(name[i]);
		vec[i].msg_hdr.msg_control = ctl[i].buf;
		vec[i].msg_hdr.msg_controllen = sizeof(ctl[i].buf);
	}
	n = peersec_udp_recvmmsg(srv, vec, VLEN, MSG_DONTWAIT, NULL, labels);
	assert_int_equal(n, SENT);
	for (int i = 0; i < n; i++) {
		struct msghdr *h = &vec[i].msg_hdr;
		struct cmsghdr *c = CMSG_FIRSTHDR(h);
		struct in_pktinfo pi;
		char want[16];
		int len = snprintf(want, sizeof(want), "from %d #%d", i % 2,
				   i);

		assert_int_equal(vec[i].msg_len, len);
		assert_memory_equal(data[i], want, (size_t)len);
		assert_int_equal(name[i].sin_port, local_port(cli[i % 2]));
		assert_int_equal(labels[i].error, 0);
		assert_non_null(labels[i].label);
		assert_no_label(labels[i].label, labels[i].len);
		/* only the caller's IP_PKTINFO, whole */
		assert_int_equal(h->msg_controllen,
				 CMSG_SPACE(sizeof(struct in_pktinfo)));
		assert_int_equal(h->msg_flags, 0);
		assert_non_null(c);
		assert_int_equal(c->cmsg_level, SOL_IP);
		assert_int_equal(c->cmsg_type, IP_PKTINFO);
		memcpy(&pi, CMSG_DATA(c), sizeof(pi));
		assert_int_equal(pi.ipi_addr.s_addr, htonl(INADDR_LOOPBACK));
		assert_null(CMSG_NXTHDR(h, c));
	}

	/* nothing left */
	for (int i = 0; i < VLEN; i++)
		vec[i].msg_hdr.msg_controllen = sizeof(ctl[i].buf);
	assert_int_equal(peersec_udp_recvmmsg(srv, vec, VLEN, MSG_DONTWAIT,
					      NULL, labels), -EAGAIN);
	close(srv);
	close(cli[0]);
	close(cli[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(enable_errors),
		cmocka_unit_test(enable_sets_passsec),
		cmocka_unit_test(inet_matches_recvmsg),
		cmocka_unit_test(peek_trunc_dontwait),
		cmocka_unit_test(connected_error_passes),
		cmocka_unit_test(inet6_dual_stack),
		cmocka_unit_test(batch_mixed),
	};

	/* SELinux and Smack mount their filesystems when active.  (Not
	 * host_lsm_active(): its private securityfs mount upsets valgrind,
	 * mount(2) with a NULL type.) */
	lsm_labels = access("/sys/fs/selinux/enforce", F_OK) == 0 ||
		     access("/sys/fs/smackfs/load2", F_OK) == 0;
	host_enter_netns();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
