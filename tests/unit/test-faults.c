/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fault injection through the syscall door.  Every libc call the library
 * makes (through lib/sys.c) and every allocation is made to fail once, in
 * turn, with each errno it could give, while a public function runs on a real
 * socket.  Each time the function must answer success or an errno its man
 * page lists under ERRORS, and leave no descriptor behind; leaks of memory
 * are caught by the ASan and valgrind runs of this test.
 *
 * The AF_UNIX receives are also swept over descriptor counts and buffer
 * sizes, with the receive's answer changed after it succeeded so that the
 * library's error and cut paths run with every descriptor installed, and
 * faults in the close() calls that follow (fd_sweep()).
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
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

#include "kernel-abi.h"
#include "peersec-int.h"
#include "man-errors.h"

/* ---- the injector ------------------------------------------------------ */

/* What a receive that succeeds hands back to the library, so that the
 * paths after it run with the descriptors installed: the kernel's answer
 * as it is, or with two label messages added (-EBADMSG), with a label cut
 * at the end of the buffer and MSG_CTRUNC (-EOVERFLOW), or with MSG_CTRUNC
 * only (a cut; -EOVERFLOW when no SCM_RIGHTS came). */
enum answer { AS_IS, TWO_LABELS, CUT_LABEL, CTRUNC, ANSWERS };

static struct {
	bool armed;		/* count and fault only inside the library */
	int calls;		/* calls seen since armed */
	int fault_at;		/* fail the call with this number (1-based) */
	int fault_errno;
	bool fired;
	long injected;		/* faults injected in all */
	enum answer answer;
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

/* Change a successful receive's control data (@size: the buffer's) as
 * inj.answer says. */
static void answer(struct msghdr *m, size_t size)
{
	static const char lab[4] = "l_t";
	unsigned char *buf = m->msg_control;
	size_t off = CMSG_ALIGN(m->msg_controllen);
	struct cmsghdr h = { .cmsg_level = SOL_SOCKET,
			     .cmsg_type = SCM_SECURITY };

	switch (inj.answer) {
	case AS_IS:
	case ANSWERS:
		return;
	case TWO_LABELS:
		assert_true(off + 2 * CMSG_SPACE(sizeof(lab)) <= size);
		h.cmsg_len = CMSG_LEN(sizeof(lab));
		for (int i = 0; i < 2; i++) {
			memcpy(buf + off, &h, sizeof(h));
			memcpy(buf + off + CMSG_LEN(0), lab, sizeof(lab));
			off += CMSG_SPACE(sizeof(lab));
		}
		m->msg_controllen = off;
		return;
	case CUT_LABEL:
		assert_true(off + CMSG_LEN(1) <= size);
		h.cmsg_len = size - off;
		memcpy(buf + off, &h, sizeof(h));
		memset(buf + off + CMSG_LEN(0), 'a', size - off - CMSG_LEN(0));
		m->msg_controllen = size;
		m->msg_flags |= MSG_CTRUNC;
		return;
	case CTRUNC:
		m->msg_flags |= MSG_CTRUNC;
		return;
	}
}

ssize_t __real_recvmsg(int fd, struct msghdr *m, int f);
ssize_t __wrap_recvmsg(int fd, struct msghdr *m, int f);
ssize_t __wrap_recvmsg(int fd, struct msghdr *m, int f)
{
	size_t size = m->msg_controllen;
	ssize_t n;

	if (fault_now())
		return -1;
	n = __real_recvmsg(fd, m, f);
	if (n >= 0 && inj.armed)
		answer(m, size);
	return n;
}

int __real_recvmmsg(int fd, struct mmsghdr *v, unsigned int vlen, int f,
		    struct timespec *t);
int __wrap_recvmmsg(int fd, struct mmsghdr *v, unsigned int vlen, int f,
		    struct timespec *t);
int __wrap_recvmmsg(int fd, struct mmsghdr *v, unsigned int vlen, int f,
		    struct timespec *t)
{
	size_t size[4];
	int n;

	if (fault_now())
		return -1;
	assert_true(vlen <= 4);
	for (unsigned int i = 0; i < vlen; i++)
		size[i] = v[i].msg_hdr.msg_controllen;
	n = __real_recvmmsg(fd, v, vlen, f, t);
	for (int i = 0; i < n && inj.armed; i++)
		answer(&v[i].msg_hdr, size[i]);
	return n;
}

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

#define MAX_FDS 253		/* SCM_MAX_FD */

/* The descriptors unix_rights_pending() sends, and whether the receiver
 * asks for the sender's pidfd too (SO_PASSPIDFD, Linux 6.5). */
static int pending_fds = 8;
static bool pending_pidfd;

/* An AF_UNIX datagram pair with SO_PASSSEC and SO_PASSCRED (and
 * SO_PASSPIDFD), and one message waiting that carries pending_fds
 * descriptors. */
static void unix_rights_pending(struct fd_pair *p)
{
	union {
		struct cmsghdr align;
		unsigned char buf[CMSG_SPACE(MAX_FDS * sizeof(int))];
	} ctl;
	struct iovec iov = { "m", 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c = (struct cmsghdr *)ctl.buf;
	int sv[2], one = 1;

	memset(&ctl, 0, sizeof(ctl));
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC |
				    SOCK_NONBLOCK, 0, sv), 0);
	assert_int_equal(peersec_dgram_enable(sv[1]), 0);
	assert_int_equal(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one,
				    sizeof(one)), 0);
	if (pending_pidfd)
		assert_int_equal(setsockopt(sv[1], SOL_SOCKET, SO_PASSPIDFD,
					    &one, sizeof(one)), 0);
	if (pending_fds > 0) {
		msg.msg_control = ctl.buf;
		msg.msg_controllen = CMSG_SPACE(pending_fds * sizeof(int));
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(pending_fds * sizeof(int));
		for (int i = 0; i < pending_fds; i++)
			memcpy(CMSG_DATA(c) + i * sizeof(int), &sv[0],
			       sizeof(int));
	}
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
		if (c->cmsg_level != SOL_SOCKET ||
		    (c->cmsg_type != SCM_RIGHTS && c->cmsg_type != SCM_PIDFD))
			continue;
		for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		     i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			close(fd);
		}
	}
}

/* The caller's control buffer size for the dgram receives; SIZE_MAX for
 * msg_control NULL (an empty buffer for the batched form, which needs
 * one).  fd_sweep() walks it; the scenario table uses room for the
 * credentials and 2 of the 8 descriptors. */
#define OWN_MAX (CMSG_SPACE(sizeof(struct ucred)) + \
		 CMSG_SPACE(MAX_FDS * sizeof(int)) + CMSG_SPACE(sizeof(int)))
static size_t own_size = CMSG_SPACE(sizeof(struct ucred)) +
			 CMSG_SPACE(2 * sizeof(int));

/* The batched form's error for its datagram, when it returned one. */
static int dgram_error;

static long run_dgram_recvmsg(struct fd_pair *p)
{
	char data[16], label[64];
	static union {
		struct cmsghdr align;
		char buf[OWN_MAX];
	} own;
	struct iovec iov = { data, sizeof(data) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = own_size == SIZE_MAX ? NULL : own.buf,
			      .msg_controllen = own_size == SIZE_MAX ? 0 : own_size };
	size_t len = sizeof(label);
	long r = peersec_dgram_recvmsg(p->a, &msg, 0, label, &len);

	inj.armed = false;
	if (r >= 0)
		close_delivered(&msg);
	return r;
}

static long run_dgram_recvmmsg(struct fd_pair *p)
{
	char data[2][16];
	static union {
		struct cmsghdr align;
		char buf[PEERSEC_UDP_CONTROL_SPACE(OWN_MAX)];
	} ctl[2];
	struct iovec iov[2] = { { data[0], 16 }, { data[1], 16 } };
	size_t own = own_size == SIZE_MAX ? 0 : own_size;
	struct mmsghdr vec[2];
	struct peersec_udp_label labels[2];
	int n;

	memset(vec, 0, sizeof(vec));
	for (int i = 0; i < 2; i++) {
		vec[i].msg_hdr.msg_iov = &iov[i];
		vec[i].msg_hdr.msg_iovlen = 1;
		vec[i].msg_hdr.msg_control = ctl[i].buf;
		vec[i].msg_hdr.msg_controllen = PEERSEC_UDP_CONTROL_SPACE(own);
	}
	n = peersec_dgram_recvmmsg(p->a, vec, 2, MSG_DONTWAIT, NULL, labels);
	inj.armed = false;
	dgram_error = n > 0 ? labels[0].error : 0;
	for (int i = 0; i < n; i++)
		if (labels[i].error == 0)
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

/* One receive on a fresh pair, faulting call @at (0: none) with @err and
 * answering @ans; checks the result against the man page and that no
 * descriptor is left.  Returns the function's result, the per-datagram
 * error for the batched form. */
static long one_receive(const struct scenario *s, const int *errs, int n,
			int at, int err, enum answer ans, int *calls)
{
	struct fd_pair p;
	int before;
	long r;

	s->setup(&p);
	before = count_fds();
	inj = (typeof(inj)){ .fault_at = at, .fault_errno = err,
			     .injected = inj.injected, .answer = ans };
	dgram_error = 0;
	inj.armed = true;
	r = s->run(&p);
	inj.armed = false;
	check_result(s->page, r, errs, n);
	if (dgram_error != 0)
		check_result(s->page, dgram_error, errs, n);
	assert_int_equal(count_fds(), before);
	close(p.a);
	close(p.b);
	if (calls != NULL)
		*calls = inj.calls;
	return dgram_error != 0 ? dgram_error : r;
}

/*
 * For one descriptor count and one buffer size, each answer of the kernel
 * (as it is, and mangled so that the library fails or cuts after it has
 * received every descriptor), first with no fault, then with a fault at
 * each later call: the receive itself, and each close() of a descriptor
 * that the caller does not get.  Up to 8 descriptors every answer and
 * every call; with 253, whose receives cost the most, one answer per size
 * in turn, faulted at the receive, the first close and the last.  The
 * errno turns with the size and the call: all_scenarios() gives every
 * errno at every call, here the errno of a failed close() changes
 * nothing.
 */
static long fd_point(const struct scenario *s, const int *errs, int n,
		     size_t size_idx)
{
	long runs = 0;

	for (int a = AS_IS; a < ANSWERS; a++) {
		int calls = 0, positions[3], np = 0;

		if (pending_fds > 8 && (size_t)a != size_idx % ANSWERS)
			continue;
		long r = one_receive(s, errs, n, 0, 0, a, &calls);

		runs++;
		/* the answer reached the path it aims at */
		if (a == TWO_LABELS)
			assert_int_equal(r, -EBADMSG);
		else if (a == CUT_LABEL || (a == CTRUNC && pending_fds == 0))
			assert_int_equal(r, -EOVERFLOW);
		else
			assert_int_equal(r, 1);

		if (calls <= 10) {
			for (int at = 1; at <= calls; at++) {
				int e = faults[(size_idx + at + a) %
					       (sizeof(faults) / sizeof(faults[0]))];

				one_receive(s, errs, n, at, e, a, NULL);
				runs++;
			}
			continue;
		}
		positions[np++] = 1;
		positions[np++] = 2;
		positions[np++] = calls;
		for (int i = 0; i < np; i++) {
			int e = faults[(size_idx + i + a) %
				       (sizeof(faults) / sizeof(faults[0]))];

			one_receive(s, errs, n, positions[i], e, a, NULL);
			runs++;
		}
	}
	return runs;
}

/*
 * Every descriptor count from 0 to 8 and 253 (SCM_MAX_FD), with the
 * sender's pidfd, times every size of the caller's control buffer up to
 * what they all need (and none), for both receive functions: whatever
 * fails, before or after the receive, no descriptor is left open.  Under
 * valgrind, which runs this about twenty times slower, only every third
 * size (3 is prime to the 8 of CMSG_ALIGN, so every alignment still comes)
 * and the last one are tried.
 */
/* Whether this kernel has SO_PASSPIDFD (Linux 6.5).  Without it no
 * SCM_PIDFD can come and the sweep runs without one; CI=true wants it. */
static bool have_passpidfd(void)
{
	const char *ci = getenv("CI");
	int sv[2], one = 1, r;

	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv),
			 0);
	r = setsockopt(sv[1], SOL_SOCKET, SO_PASSPIDFD, &one, sizeof(one));
	close(sv[0]);
	close(sv[1]);
	if (r == 0)
		return true;
	assert_int_equal(errno, ENOPROTOOPT);
	if (ci != NULL && strcmp(ci, "true") == 0)
		fail_msg("SO_PASSPIDFD: ENOPROTOOPT (kernel older than 6.5); "
			 "CI=true wants SCM_PIDFD tested");
	printf("SO_PASSPIDFD: ENOPROTOOPT, kernel older than 6.5: the sweep "
	       "runs without SCM_PIDFD\n");
	return false;
}

static void fd_sweep(const char *page, long (*run)(struct fd_pair *))
{
	static const int counts[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, MAX_FDS };
	const struct scenario s = { page, "peersec_udp_recvmsg",
				    unix_rights_pending, run };
	const size_t stride = RUNNING_ON_VALGRIND ? 3 : 1;
	int errs[2 * MAN_ERRORS_MAX];
	int n = man_errors(s.page, errs);
	long before = inj.injected, runs = 0;
	size_t sizes = 0;

	n += man_errors(s.also, errs + n);
	pending_pidfd = have_passpidfd();
	for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		size_t need = CMSG_SPACE(sizeof(struct ucred)) +
			      CMSG_SPACE(counts[c] * sizeof(int)) +
			      CMSG_SPACE(sizeof(int));

		pending_fds = counts[c];
		own_size = SIZE_MAX;
		runs += fd_point(&s, errs, n, 0);
		sizes++;
		for (own_size = 0; own_size <= need; own_size++) {
			if (own_size % stride != 0 && own_size != need)
				continue;
			runs += fd_point(&s, errs, n, own_size + 1);
			sizes++;
		}
	}
	pending_pidfd = false;
	pending_fds = 8;
	own_size = CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(2 * sizeof(int));
	printf("%s: %zu (fd count, buffer size) pairs, %ld receives, %ld faults\n",
	       page, sizes, runs, inj.injected - before);
	assert_true(inj.injected > before);
}

static void fds_recvmsg(void **state)
{
	fd_sweep("peersec_dgram_recvmsg", run_dgram_recvmsg);
}

static void fds_recvmmsg(void **state)
{
	fd_sweep("peersec_dgram_recvmmsg", run_dgram_recvmmsg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(all_scenarios),
		cmocka_unit_test(fds_recvmsg),
		cmocka_unit_test(fds_recvmmsg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
