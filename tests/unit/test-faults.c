/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fault injection through the syscall door.  Every libc call the library
 * makes (through lib/sys.c) and every allocation is made to fail once, in
 * turn, with each errno it could give, while a public function runs on a real
 * socket.  Each time the function must answer success or an errno its man
 * page lists under ERRORS, and leave no descriptor behind; leaks of memory
 * are caught by the ASan and valgrind runs of this test.
 *
 * The documented sets are read from the man pages themselves
 * (PEERSEC_SRCDIR/doc/man/man3), so code and documentation cannot drift.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "peersec-int.h"
#include "man-errors.h"

/* ---- the injector ------------------------------------------------------ */

static struct {
	bool armed;		/* count and fault only inside the library */
	int calls;		/* calls seen since armed */
	int fault_at;		/* fail the call with this number (1-based) */
	int fault_errno;
	bool fired;
	long injected;		/* faults injected in all */
} inj;

static bool fault_now(void)
{
	if (!inj.armed)
		return false;
	if (++inj.calls != inj.fault_at)
		return false;
	inj.fired = true;
	inj.injected++;
	errno = inj.fault_errno;
	return true;
}

#define WRAP(ret, name, params, args)					\
	ret __real_##name params;					\
	ret __wrap_##name params;					\
	ret __wrap_##name params					\
	{								\
		if (fault_now())					\
			return -1;					\
		return __real_##name args;				\
	}

WRAP(int, getsockopt, (int fd, int l, int n, void *v, socklen_t *len),
     (fd, l, n, v, len))
WRAP(int, setsockopt, (int fd, int l, int n, const void *v, socklen_t len),
     (fd, l, n, v, len))
WRAP(int, getpeername, (int fd, struct sockaddr *sa, socklen_t *len),
     (fd, sa, len))
WRAP(int, getsockname, (int fd, struct sockaddr *sa, socklen_t *len),
     (fd, sa, len))
WRAP(ssize_t, recvmsg, (int fd, struct msghdr *m, int f), (fd, m, f))
WRAP(int, recvmmsg, (int fd, struct mmsghdr *v, unsigned int n, int f,
		     struct timespec *t), (fd, v, n, f, t))

/* Linux releases the descriptor even when close() fails: so does the
 * injector, or a failed close would look like a leak. */
int __real_close(int fd);
int __wrap_close(int fd);
int __wrap_close(int fd)
{
	int r = __real_close(fd);

	if (fault_now())
		return -1;
	return r;
}
#if PEERSEC_HAVE_SCTP
#include <netinet/sctp.h>
WRAP(int, sctp_opt_info, (int fd, sctp_assoc_t id, int opt, void *arg,
			  socklen_t *size), (fd, id, opt, arg, size))
#endif

void *__real_malloc(size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_malloc(size_t size)
{
	if (inj.armed && inj.fault_errno == ENOMEM && fault_now())
		return NULL;
	return __real_malloc(size);
}

/* ---- descriptors -------------------------------------------------------- */

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* ---- the driver ---------------------------------------------------------- */

static const int faults[] = {
	EINTR, EAGAIN, ENOMEM, EBADF, EFAULT, EINVAL, ENOBUFS, EACCES, EPERM,
	EIO, ENOTSOCK, ENOTCONN, ENOPROTOOPT, ERANGE, EMSGSIZE, ECONNRESET,
};

struct fd_pair {
	int a, b;
};

/* One public function on one kind of socket.  run() returns the function's
 * result; a non-negative result that is a new descriptor is closed by it. */
struct scenario {
	const char *page;
	const char *also;	/* a page whose errors @page says it shares */
	void (*setup)(struct fd_pair *);
	long (*run)(struct fd_pair *);
};

static void check_result(const char *page, long r, const int *errs, int n)
{
	if (r >= 0 || man_errors_lists((int)r, errs, n))
		return;
	fail_msg("%s answered %s (call %d failed with %s), not in its man page",
		 page, strerrorname_np((int)-r), inj.fault_at,
		 strerrorname_np(inj.fault_errno));
}

static void drive(const struct scenario *s)
{
	int errs[2 * MAN_ERRORS_MAX];
	int n = man_errors(s->page, errs);

	if (s->also != NULL)
		n += man_errors(s->also, errs + n);

	for (size_t f = 0; f < sizeof(faults) / sizeof(faults[0]); f++) {
		for (int at = 1;; at++) {
			struct fd_pair p;
			int before;
			long r;

			s->setup(&p);
			before = count_fds();
			inj = (typeof(inj)){ .fault_at = at,
					     .fault_errno = faults[f],
					     .injected = inj.injected };
			inj.armed = true;
			r = s->run(&p);
			inj.armed = false;
			check_result(s->page, r, errs, n);
			assert_int_equal(count_fds(), before);
			close(p.a);
			if (p.b >= 0)
				close(p.b);
			if (!inj.fired)
				break;	/* ran to the end without reaching call @at */
		}
	}
}

/* ---- scenarios ----------------------------------------------------------- */

static void unix_pair(struct fd_pair *p)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	p->a = sv[0];
	p->b = sv[1];
}

static void udp_socket(struct fd_pair *p)
{
	p->a = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	p->b = -1;
	assert_true(p->a >= 0);
}

static void tcp_unconnected(struct fd_pair *p)
{
	p->a = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	p->b = -1;
	assert_true(p->a >= 0);
}

static long run_tcp_get(struct fd_pair *p)
{
	char buf[256];
	size_t len = sizeof(buf);

	return peersec_tcp_get(p->a, buf, &len);
}

static long run_tcp_get_small(struct fd_pair *p)
{
	char buf[1];
	size_t len = sizeof(buf);

	return peersec_tcp_get(p->a, buf, &len);
}

static long run_tcp_get_alloc(struct fd_pair *p)
{
	char *label = NULL;
	int r = peersec_tcp_get_alloc(p->a, &label);

	free(label);
	return r;
}

/* A UDP socket on 127.0.0.1 with one datagram waiting, sent by p->b. */
static void udp_pending(struct fd_pair *p)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sin);

	p->a = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	p->b = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(p->a >= 0 && p->b >= 0);
	assert_int_equal(bind(p->a, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(p->a, (struct sockaddr *)&sin, &sl), 0);
	assert_int_equal(peersec_udp_enable(p->a), 0);
	assert_int_equal(sendto(p->b, "hello", 5, 0, (struct sockaddr *)&sin,
				sizeof(sin)), 5);
}

static long run_udp_enable(struct fd_pair *p)
{
	return peersec_udp_enable(p->a);
}

static long run_udp_recvmsg(struct fd_pair *p)
{
	char data[16], label[64];
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
	} own;
	struct iovec iov = { data, sizeof(data) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = own.buf,
			      .msg_controllen = sizeof(own.buf) };
	size_t len = sizeof(label);

	return peersec_udp_recvmsg(p->a, &msg, 0, label, &len);
}

static long run_udp_recvmmsg(struct fd_pair *p)
{
	char data[2][16];
	union {
		struct cmsghdr align;
		char buf[PEERSEC_UDP_CONTROL_SPACE(0)];
	} ctl[2];
	struct iovec iov[2] = { { data[0], 16 }, { data[1], 16 } };
	struct mmsghdr vec[2];
	struct peersec_udp_label labels[2];

	memset(vec, 0, sizeof(vec));
	for (int i = 0; i < 2; i++) {
		vec[i].msg_hdr.msg_iov = &iov[i];
		vec[i].msg_hdr.msg_iovlen = 1;
		vec[i].msg_hdr.msg_control = ctl[i].buf;
		vec[i].msg_hdr.msg_controllen = sizeof(ctl[i].buf);
	}
	return peersec_udp_recvmmsg(p->a, vec, 2, MSG_DONTWAIT, NULL, labels);
}

/* An AF_UNIX datagram pair with SO_PASSSEC and SO_PASSCRED, and one
 * message waiting that carries 8 descriptors. */
static void unix_rights_pending(struct fd_pair *p)
{
	union {
		struct cmsghdr align;
		unsigned char buf[CMSG_SPACE(8 * sizeof(int))];
	} ctl;
	struct iovec iov = { "m", 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctl.buf,
			      .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *c = (struct cmsghdr *)ctl.buf;
	int sv[2], one = 1;

	memset(&ctl, 0, sizeof(ctl));
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC |
				    SOCK_NONBLOCK, 0, sv), 0);
	assert_int_equal(peersec_dgram_enable(sv[1]), 0);
	assert_int_equal(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one,
				    sizeof(one)), 0);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(8 * sizeof(int));
	for (int i = 0; i < 8; i++)
		memcpy(CMSG_DATA(c) + i * sizeof(int), &sv[0], sizeof(int));
	assert_int_equal(sendmsg(sv[0], &msg, 0), 1);
	p->a = sv[1];
	p->b = sv[0];
}

/* Close what a receive delivered, so that only leaks remain. */
static void close_delivered(const struct msghdr *m)
{
	if (m->msg_control == NULL)
		return;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c != NULL;
	     c = CMSG_NXTHDR((struct msghdr *)m, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		     i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			close(fd);
		}
	}
}

/* The caller's control buffer size for run_dgram_recvmsg(); SIZE_MAX for
 * msg_control NULL.  all_buffer_sizes() walks it; the scenario table uses
 * room for the credentials and 2 of the 8 descriptors. */
#define OWN_MAX (CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(8 * sizeof(int)))
static size_t own_size = CMSG_SPACE(sizeof(struct ucred)) +
			 CMSG_SPACE(2 * sizeof(int));

static long run_dgram_recvmsg(struct fd_pair *p)
{
	char data[16], label[64];
	union {
		struct cmsghdr align;
		char buf[OWN_MAX];
	} own;
	struct iovec iov = { data, sizeof(data) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = own_size == SIZE_MAX ? NULL : own.buf,
			      .msg_controllen = own_size == SIZE_MAX ? 0 : own_size };
	size_t len = sizeof(label);
	long r = peersec_dgram_recvmsg(p->a, &msg, 0, label, &len);

	if (r >= 0)
		close_delivered(&msg);
	return r;
}

static long run_dgram_recvmmsg(struct fd_pair *p)
{
	char data[2][16];
	union {
		struct cmsghdr align;
		char buf[PEERSEC_UDP_CONTROL_SPACE(CMSG_SPACE(2 * sizeof(int)))];
	} ctl[2];
	struct iovec iov[2] = { { data[0], 16 }, { data[1], 16 } };
	struct mmsghdr vec[2];
	struct peersec_udp_label labels[2];
	int n;

	memset(vec, 0, sizeof(vec));
	for (int i = 0; i < 2; i++) {
		vec[i].msg_hdr.msg_iov = &iov[i];
		vec[i].msg_hdr.msg_iovlen = 1;
		vec[i].msg_hdr.msg_control = ctl[i].buf;
		vec[i].msg_hdr.msg_controllen = sizeof(ctl[i].buf);
	}
	n = peersec_dgram_recvmmsg(p->a, vec, 2, MSG_DONTWAIT, NULL, labels);
	for (int i = 0; i < n; i++)
		close_delivered(&vec[i].msg_hdr);
	return n;
}

static long run_dgram_enable(struct fd_pair *p)
{
	return peersec_dgram_enable(p->a);
}

static long run_stream_get(struct fd_pair *p)
{
	char buf[256];
	size_t len = sizeof(buf);

	return peersec_stream_get(p->a, buf, &len);
}

static long run_stream_get_alloc(struct fd_pair *p)
{
	char *label = NULL;
	int r = peersec_stream_get_alloc(p->a, &label);

	free(label);
	return r;
}

#if PEERSEC_HAVE_SCTP
static long run_sctp_assoc_label(struct fd_pair *p)
{
	char buf[64];
	size_t len = sizeof(buf);

	return peersec_sctp_assoc_label(p->a, 0, buf, &len);
}

static long run_sctp_peeloff(struct fd_pair *p)
{
	char buf[64];
	size_t len = sizeof(buf);
	int newfd = -1;
	long r = peersec_sctp_peeloff(p->a, 3, 0, &newfd, buf, &len);

	if (newfd >= 0)
		close(newfd);
	return r;
}
#endif

static const struct scenario scenarios[] = {
	{ "peersec_tcp_get", NULL, unix_pair, run_tcp_get },
	{ "peersec_tcp_get", NULL, unix_pair, run_tcp_get_small },
	{ "peersec_tcp_get", NULL, udp_socket, run_tcp_get },
	{ "peersec_tcp_get", NULL, tcp_unconnected, run_tcp_get },
	{ "peersec_tcp_get_alloc", NULL, unix_pair, run_tcp_get_alloc },
	{ "peersec_tcp_get_alloc", NULL, udp_socket, run_tcp_get_alloc },
	{ "peersec_udp_enable", NULL, udp_socket, run_udp_enable },
	{ "peersec_udp_enable", NULL, unix_pair, run_udp_enable },
	{ "peersec_udp_enable", NULL, tcp_unconnected, run_udp_enable },
	{ "peersec_udp_recvmsg", NULL, udp_pending, run_udp_recvmsg },
	{ "peersec_udp_recvmmsg", "peersec_udp_recvmsg", udp_pending, run_udp_recvmmsg },
	{ "peersec_dgram_enable", NULL, unix_pair, run_dgram_enable },
	{ "peersec_dgram_enable", NULL, udp_socket, run_dgram_enable },
	{ "peersec_dgram_enable", NULL, tcp_unconnected, run_dgram_enable },
	{ "peersec_dgram_recvmsg", NULL, unix_rights_pending, run_dgram_recvmsg },
	{ "peersec_dgram_recvmsg", NULL, udp_pending, run_udp_recvmsg },
	{ "peersec_dgram_recvmmsg", "peersec_udp_recvmsg", unix_rights_pending,
	  run_dgram_recvmmsg },
	{ "peersec_stream_get", NULL, unix_pair, run_stream_get },
	{ "peersec_stream_get", NULL, udp_socket, run_stream_get },
	{ "peersec_stream_get_alloc", NULL, unix_pair, run_stream_get_alloc },
#if PEERSEC_HAVE_SCTP
	/* No SCTP on the build machine's kernel: what comes before it. */
	{ "peersec_sctp_assoc_label", NULL, tcp_unconnected, run_sctp_assoc_label },
	{ "peersec_sctp_peeloff", NULL, tcp_unconnected, run_sctp_peeloff },
#endif
};

static void all_scenarios(void **state)
{
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		drive(&scenarios[i]);
	printf("faults injected: %ld over %zu scenarios\n", inj.injected,
	       sizeof(scenarios) / sizeof(scenarios[0]));
	assert_true(inj.injected > 0);
}

/* Every fault at every step of a receive with 8 descriptors waiting, for
 * every size of the caller's control buffer (and none): whatever fails,
 * no descriptor is left open (drive() counts them). */
static void all_buffer_sizes(void **state)
{
	static const struct scenario s = { "peersec_dgram_recvmsg", NULL,
					   unix_rights_pending,
					   run_dgram_recvmsg };
	long before = inj.injected;

	own_size = SIZE_MAX;
	drive(&s);
	for (own_size = 0; own_size <= OWN_MAX; own_size++)
		drive(&s);
	printf("faults injected over %zu buffer sizes: %ld\n",
	       (size_t)OWN_MAX + 2, inj.injected - before);
	assert_true(inj.injected > before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(all_scenarios),
		cmocka_unit_test(all_buffer_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
