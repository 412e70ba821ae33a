/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Host tests of the SCTP functions and the unlabeled detector on this
 * machine's kernel.
 *
 * Where the kernel has no SCTP (these machines: socket() answers
 * EPROTONOSUPPORT for one-to-one, ESOCKTNOSUPPORT for one-to-many), the
 * tests check that documented answer and the library's answers for every
 * other kind of descriptor.  Where it has SCTP, they also run the
 * unlabeled paths over loopback: association ids, peel-off, and the label
 * SELinux gives unlabeled SCTP traffic.  Labeled paths run in the lab
 * (tests/lab).  Root is used, when present, only to work in a private
 * network namespace.
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
#include <dirent.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <sys/socket.h>
#include <cmocka.h>

#include <peersec/peersec.h>

#include "host-util.h"

static bool have_sctp;

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static bool probe_sctp(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* A kernel without SCTP refuses the sockets, with the errors documented in
 * peersec_sctp_assoc_label(3); the library is not involved. */
static void kernel_without_sctp(void **state)
{
	static const int families[] = { AF_INET, AF_INET6 };

	if (have_sctp)
		skip();
	for (int i = 0; i < 2; i++) {
		errno = 0;
		assert_int_equal(socket(families[i], SOCK_STREAM,
					IPPROTO_SCTP), -1);
		assert_int_equal(errno, EPROTONOSUPPORT);
		errno = 0;
		assert_int_equal(socket(families[i], SOCK_SEQPACKET,
					IPPROTO_SCTP), -1);
		assert_int_equal(errno, ESOCKTNOSUPPORT);
	}
}

/* Both SCTP functions on a descriptor: the expected error, nothing closed,
 * nothing opened, *newfd -1. */
static void expect_refused(int fd, int want)
{
	char buf[256];
	size_t len = sizeof(buf);
	int before = count_fds();
	int nfd = 42;

	assert_int_equal(peersec_sctp_assoc_label(fd, 0, buf, &len), want);
	assert_int_equal(peersec_sctp_assoc_label(fd, 12, buf, &len), want);
	len = sizeof(buf);
	assert_int_equal(peersec_sctp_peeloff(fd, 12, SOCK_CLOEXEC, &nfd, buf,
					      &len), want);
	assert_int_equal(nfd, -1);
	assert_int_equal(count_fds(), before);
	if (want != -EBADF)
		assert_true(fd_open(fd));
}

static void tcp_pair(int fds[3])
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fds[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fds[0] >= 0);
	assert_int_equal(bind(fds[0], (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fds[0], 1), 0);
	assert_int_equal(getsockname(fds[0], (struct sockaddr *)&sa, &sl), 0);
	fds[1] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fds[1] >= 0);
	assert_int_equal(connect(fds[1], (struct sockaddr *)&sa, sizeof(sa)),
			 0);
	fds[2] = accept4(fds[0], NULL, NULL, SOCK_CLOEXEC);
	assert_true(fds[2] >= 0);
}

static void non_sctp_descriptors(void **state)
{
	int tcp[3], unx[2], pipefd[2], fd;

	tcp_pair(tcp);
	for (int i = 0; i < 3; i++)
		expect_refused(tcp[i], -EPROTOTYPE);
	for (int i = 0; i < 3; i++)
		close(tcp[i]);

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	expect_refused(fd, -EPROTOTYPE);
	close(fd);
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		expect_refused(fd, -EPROTOTYPE);
		close(fd);
	}

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
				    unx), 0);
	expect_refused(unx[0], -EPROTOTYPE);
	close(unx[0]);
	close(unx[1]);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				    unx), 0);
	expect_refused(unx[1], -EPROTOTYPE);
	close(unx[0]);
	close(unx[1]);

	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	expect_refused(pipefd[0], -ENOTSOCK);
	close(pipefd[0]);
	close(pipefd[1]);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	expect_refused(fd, -ENOTSOCK);
	close(fd);

	expect_refused(fd, -EBADF);	/* just closed */
	expect_refused(-1, -EBADF);
}

static void bad_arguments(void **state)
{
	char buf[64];
	size_t len = sizeof(buf);
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int nfd = 42;

	assert_int_equal(peersec_sctp_assoc_label(fd, 0, buf, NULL), -EINVAL);
	assert_int_equal(peersec_sctp_peeloff(fd, 3, 0, NULL, buf, &len),
			 -EINVAL);
	assert_int_equal(peersec_sctp_peeloff(fd, 3, 0, &nfd, buf, NULL),
			 -EINVAL);
	assert_int_equal(nfd, -1);
	nfd = 42;
	assert_int_equal(peersec_sctp_peeloff(fd, 3, O_APPEND, &nfd, buf,
					      &len), -EINVAL);
	assert_int_equal(nfd, -1);
	assert_true(fd_open(fd));
	close(fd);
}

/* ---- with SCTP: unlabeled paths over loopback ------------------------- */

/* What an SCTP socket's label must be on this kernel, without labeling. */
static void expect_unlabeled_answer(int r, const char *label)
{
#if PEERSEC_HAVE_SELINUX
	if (host_lsm_active("selinux")) {
		assert_int_equal(r, 0);
		assert_int_equal(peersec_label_is_unlabeled(label), 1);
		return;
	}
#endif
	if (!host_lsm_labels_peers())
		assert_int_equal(r, -ENOPROTOOPT);
}

static int sctp_listener(int type, struct sockaddr_in *sa)
{
	socklen_t sl = sizeof(*sa);
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, IPPROTO_SCTP);

	assert_true(fd >= 0);
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)sa, sizeof(*sa)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)sa, &sl), 0);
	return fd;
}

static void sctp_one_to_one(void **state)
{
	struct sockaddr_in sa;
	char buf[256];
	size_t len;
	int lfd, cfd, afd, nfd, r;

	if (!have_sctp)
		skip();
	lfd = sctp_listener(SOCK_STREAM, &sa);
	len = sizeof(buf);
	assert_int_equal(peersec_sctp_assoc_label(lfd, 0, buf, &len),
			 -ENOTCONN);
	cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_SCTP);
	assert_int_equal(connect(cfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	afd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	assert_true(afd >= 0);

	len = sizeof(buf);
	r = peersec_sctp_assoc_label(afd, 0, buf, &len);
	expect_unlabeled_answer(r, buf);
	len = sizeof(buf);
	r = peersec_sctp_assoc_label(cfd, 0, buf, &len);
	expect_unlabeled_answer(r, buf);
	len = sizeof(buf);
	assert_int_equal(peersec_sctp_assoc_label(afd, 1234567, buf, &len),
			 -ENOENT);
	len = sizeof(buf);
	assert_int_equal(peersec_sctp_peeloff(afd, 0, 0, &nfd, buf, &len),
			 -EOPNOTSUPP);
	assert_int_equal(nfd, -1);
	assert_true(fd_open(afd));
	close(afd);
	close(cfd);
	close(lfd);
}

static void sctp_one_to_many(void **state)
{
	struct sockaddr_in sa;
	sctp_assoc_t id = 0;
	char buf[256];
	size_t len;
	int sfd, cfd, nfd, r, before;

	if (!have_sctp)
		skip();
	sfd = sctp_listener(SOCK_SEQPACKET, &sa);
	cfd = socket(AF_INET, SOCK_SEQPACKET | SOCK_CLOEXEC, IPPROTO_SCTP);
	assert_true(cfd >= 0);
	assert_int_equal(sctp_connectx(cfd, (struct sockaddr *)&sa, 1, &id),
			 0);
	assert_true(id > SCTP_ALL_ASSOC);

	for (sctp_assoc_t bad = 0; bad <= SCTP_ALL_ASSOC; bad++) {
		len = sizeof(buf);
		assert_int_equal(peersec_sctp_assoc_label(cfd, bad, buf, &len),
				 -ENOENT);
	}
	len = sizeof(buf);
	assert_int_equal(peersec_sctp_assoc_label(cfd, id + 1000, buf, &len),
			 -ENOENT);
	len = sizeof(buf);
	r = peersec_sctp_assoc_label(cfd, id, buf, &len);
	expect_unlabeled_answer(r, buf);

	before = count_fds();
	len = sizeof(buf);
	assert_int_equal(peersec_sctp_peeloff(cfd, id + 1000, 0, &nfd, buf,
					      &len), -ENOENT);
	assert_int_equal(count_fds(), before);
	len = sizeof(buf);
	r = peersec_sctp_peeloff(cfd, id, SOCK_CLOEXEC, &nfd, buf, &len);
	assert_true(r == 0 || r == -ENOPROTOOPT);
	expect_unlabeled_answer(r, buf);
	assert_true(nfd >= 0);
	assert_true(fd_open(cfd));
	assert_true(fcntl(nfd, F_GETFD) & FD_CLOEXEC);
	/* The association moved to nfd. */
	len = sizeof(buf);
	assert_int_equal(peersec_sctp_assoc_label(cfd, id, buf, &len),
			 -ENOENT);
	len = sizeof(buf);
	r = peersec_sctp_assoc_label(nfd, id, buf, &len);
	expect_unlabeled_answer(r, buf);
	len = sizeof(buf);
	assert_int_equal(peersec_sctp_peeloff(nfd, id, 0, &r, buf, &len),
			 -EOPNOTSUPP);
	close(nfd);
	close(cfd);
	close(sfd);
}

/* ---- unlabeled detection ---------------------------------------------- */

#if PEERSEC_HAVE_SELINUX
static void unlabeled_detector(void **state)
{
	char con[1024];
	ssize_t n;
	int fd;

	assert_int_equal(peersec_label_is_unlabeled(NULL), -EINVAL);
	fd = open("/sys/fs/selinux/initial_contexts/unlabeled",
		  O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		/* No SELinux here (this machine's kernel: not enabled). */
		assert_int_equal(errno, ENOENT);
		assert_int_equal(peersec_label_is_unlabeled(
			"system_u:object_r:unlabeled_t:s0"), -ENOENT);
		return;
	}
	n = read(fd, con, sizeof(con) - 1);
	close(fd);
	assert_true(n > 0);
	con[n] = '\0';
	assert_int_equal(peersec_label_is_unlabeled(con), 1);
	con[strlen(con) - 1] ^= 1;
	assert_int_equal(peersec_label_is_unlabeled(con), 0);
}
#endif

static int setup(void **state)
{
	if (geteuid() == 0)
		host_enter_netns();
	have_sctp = probe_sctp();
	if (have_sctp)
		fprintf(stderr, "# kernel SCTP: yes; LSMs: %s\n",
			host_lsm_list());
	else
		fprintf(stderr, "# kernel SCTP: no; loopback SCTP checks "
			"skipped (the lab runs them)\n");
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kernel_without_sctp),
		cmocka_unit_test(non_sctp_descriptors),
		cmocka_unit_test(bad_arguments),
		cmocka_unit_test(sctp_one_to_one),
		cmocka_unit_test(sctp_one_to_many),
#if PEERSEC_HAVE_SELINUX
		cmocka_unit_test(unlabeled_detector),
#endif
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
