/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Host tests of the datagram functions on AF_UNIX sockets, and of the
 * descriptors that SCM_RIGHTS and SCM_PIDFD carry.  The reference is the
 * kernel: every message is sent twice, read once with plain recvmsg into a
 * buffer of the caller's size, once through the library into the same size,
 * and the two must agree on the messages, MSG_CTRUNC and the descriptors
 * delivered, for every descriptor count from 0 to 8 (and the kernel's
 * maximum, 253) and every control buffer size up to what they all need,
 * with and without SO_PASSCRED and SO_PASSPIDFD.  After each round no
 * descriptor may be left open in the process.
 *
 * This kernel labels nothing unless an LSM that labels AF_UNIX peers is
 * active; labels are then checked to be the same through both paths.
 */
#include <dirent.h>
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
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include <peersec/peersec.h>

#include "host-util.h"
#include "kernel-abi.h"

#define MAX_FDS 253		/* SCM_MAX_FD */
#define CTL_MAX (CMSG_SPACE(sizeof(struct ucred)) + \
		 CMSG_SPACE(MAX_FDS * sizeof(int)) + 64)

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the directory's own descriptor */
}

/* The receiver's options besides SO_PASSSEC. */
enum { PASSCRED = 1, PASSPIDFD = 2 };

/* SO_PASSPIDFD needs Linux 6.5: older kernels skip the test, or fail it
 * when CI=true. */
static bool set_passpidfd(int fd)
{
	const char *ci = getenv("CI");
	int one = 1;

	if (setsockopt(fd, SOL_SOCKET, SO_PASSPIDFD, &one, sizeof(one)) == 0)
		return true;
	assert_int_equal(errno, ENOPROTOOPT);
	if (ci != NULL && strcmp(ci, "true") == 0)
		fail_msg("SO_PASSPIDFD: ENOPROTOOPT (kernel older than 6.5); "
			 "CI=true wants SCM_PIDFD tested");
	fprintf(stderr, "SO_PASSPIDFD: ENOPROTOOPT, kernel older than 6.5: "
		"SCM_PIDFD not tested\n");
	return false;
}

static bool pair(int type, int opts, int sv[2])
{
	int one = 1;

	assert_int_equal(socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(peersec_dgram_enable(sv[1]), 0);
	if (opts & PASSCRED)
		assert_int_equal(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED,
					    &one, sizeof(one)), 0);
	if ((opts & PASSPIDFD) && !set_passpidfd(sv[1])) {
		close(sv[0]);
		close(sv[1]);
		return false;
	}
	return true;
}

/* Send "m" with @n copies of @fd attached. */
static void send_fds(int sock, int fd, int n)
{
	union {
		struct cmsghdr align;
		unsigned char buf[CMSG_SPACE(MAX_FDS * sizeof(int))];
	} ctl;
	struct iovec iov = { "m", 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	int fds[MAX_FDS];

	memset(&ctl, 0, sizeof(ctl));	/* the padding is sent too */
	for (int i = 0; i < n; i++)
		fds[i] = fd;
	if (n > 0) {
		struct cmsghdr *c = (struct cmsghdr *)ctl.buf;

		msg.msg_control = ctl.buf;
		msg.msg_controllen = CMSG_SPACE(n * sizeof(int));
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(n * sizeof(int));
		memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	}
	assert_int_equal(sendmsg(sock, &msg, 0), 1);
}

/* What a receive left: its messages (level, type, length) and the
 * descriptors it delivered, which are closed here once counted. */
struct seen {
	int nmsgs;
	int level[8], type[8];
	size_t len[8];
	int fds, pidfds;
	size_t controllen;
	bool ctrunc;
	bool label;
};

static void collect(const struct msghdr *m, struct seen *s)
{
	memset(s, 0, sizeof(*s));
	s->controllen = m->msg_controllen;
	s->ctrunc = (m->msg_flags & MSG_CTRUNC) != 0;
	if (m->msg_control == NULL)
		return;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c != NULL;
	     c = CMSG_NXTHDR((struct msghdr *)m, c)) {
		assert_true(s->nmsgs < 8);
		s->level[s->nmsgs] = c->cmsg_level;
		s->type[s->nmsgs] = c->cmsg_type;
		s->len[s->nmsgs] = c->cmsg_len;
		s->nmsgs++;
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (size_t i = 0; i < n; i++) {
				int fd;

				memcpy(&fd, CMSG_DATA(c) + i * sizeof(int),
				       sizeof(fd));
				assert_int_equal(close(fd), 0);
				s->fds++;
			}
		}
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_PIDFD) {
			int fd;

			assert_int_equal(c->cmsg_len, CMSG_LEN(sizeof(fd)));
			memcpy(&fd, CMSG_DATA(c), sizeof(fd));
			assert_int_equal(close(fd), 0);
			s->pidfds++;
		}
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_SECURITY)
			s->label = true;
	}
}

static void assert_same(const struct seen *a, const struct seen *b,
			size_t size, int nfd)
{
	if (a->nmsgs != b->nmsgs || a->fds != b->fds ||
	    a->pidfds != b->pidfds || a->controllen != b->controllen ||
	    a->ctrunc != b->ctrunc)
		fail_msg("buffer %zu, %d fds: library %d msgs %d+%d fds len %zu "
			 "ctrunc %d; recvmsg %d msgs %d+%d fds len %zu ctrunc %d",
			 size, nfd, a->nmsgs, a->fds, a->pidfds, a->controllen,
			 a->ctrunc, b->nmsgs, b->fds, b->pidfds, b->controllen,
			 b->ctrunc);
	for (int i = 0; i < a->nmsgs; i++) {
		assert_int_equal(a->level[i], b->level[i]);
		assert_int_equal(a->type[i], b->type[i]);
		assert_int_equal(a->len[i], b->len[i]);
	}
}

/* One descriptor count, one buffer size (SIZE_MAX: msg_control NULL).
 * Returns the number of pidfds plain recvmsg got. */
static int one_round(int sv[2], int nfd, size_t size, bool batch)
{
	static union {
		struct cmsghdr align;
		unsigned char buf[PEERSEC_UDP_CONTROL_SPACE(CTL_MAX)];
	} ctl;
	char data[8], label[PEERSEC_UDP_LABEL_MAX];
	struct iovec iov = { data, 1 };	/* one message on streams too */
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	size_t label_len = sizeof(label);
	struct seen ref, lib;
	int zero = 0;
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int before;

	assert_true(null >= 0);
	before = count_fds();
	send_fds(sv[0], null, nfd);
	send_fds(sv[0], null, nfd);
	assert_int_equal(close(null), 0);
	before--;

	/* The kernel's answer for this buffer, without the label message,
	 * which is the library's (SO_PASSSEC counts at the receive). */
	assert_int_equal(setsockopt(sv[1], SOL_SOCKET, SO_PASSSEC, &zero,
				    sizeof(zero)), 0);
	m.msg_control = size == SIZE_MAX ? NULL : ctl.buf;
	m.msg_controllen = size == SIZE_MAX ? 0 : size;
	assert_int_equal(recvmsg(sv[1], &m, 0), 1);
	collect(&m, &ref);
	assert_false(ref.label);
	assert_int_equal(peersec_dgram_enable(sv[1]), 0);

	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	if (!batch) {
		m.msg_control = size == SIZE_MAX ? NULL : ctl.buf;
		m.msg_controllen = size == SIZE_MAX ? 0 : size;
		assert_int_equal(peersec_dgram_recvmsg(sv[1], &m, 0, label,
						       &label_len), 1);
	} else {
		struct mmsghdr vec[1];
		struct peersec_udp_label lab[1];
		size_t own = size == SIZE_MAX ? 0 : size;

		memset(vec, 0, sizeof(vec));
		vec[0].msg_hdr = m;
		vec[0].msg_hdr.msg_control = ctl.buf;
		vec[0].msg_hdr.msg_controllen = PEERSEC_UDP_CONTROL_SPACE(own);
		assert_int_equal(peersec_dgram_recvmmsg(sv[1], vec, 1, 0, NULL,
							lab), 1);
		assert_int_equal(lab[0].error, 0);
		m = vec[0].msg_hdr;
		/* the kernel's NULL buffer sets MSG_CTRUNC for descriptors
		 * exactly as an empty one */
		if (size == SIZE_MAX)
			ref.ctrunc = nfd > 0 || ref.ctrunc;
	}
	collect(&m, &lib);
	assert_false(lib.label);	/* never left among the caller's */
	assert_same(&lib, &ref, size, nfd);
	assert_int_equal(count_fds(), before);
	return ref.pidfds;
}

static void rights_sizes(int type, int opts, bool batch)
{
	static const int counts[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, MAX_FDS };
	int sv[2];

	if (!pair(type, opts, sv)) {
		skip();
		return;
	}
	for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		int nfd = counts[c];
		size_t need = CMSG_SPACE(sizeof(struct ucred)) +
			      CMSG_SPACE(nfd * sizeof(int)) + 16 +
			      ((opts & PASSPIDFD) ? CMSG_SPACE(sizeof(int)) : 0);

		one_round(sv, nfd, SIZE_MAX, batch);
		for (size_t size = 0; size <= need; size++) {
			int pidfds = one_round(sv, nfd, size, batch);

			/* the kernel did send one, so the sweep saw it */
			if (size == need)
				assert_int_equal(pidfds,
						 (opts & PASSPIDFD) ? 1 : 0);
		}
	}
	close(sv[0]);
	close(sv[1]);
}

static void rights_dgram(void **state)
{
	rights_sizes(SOCK_DGRAM, 0, false);
	rights_sizes(SOCK_DGRAM, PASSCRED, false);
}

static void rights_seqpacket(void **state)
{
	rights_sizes(SOCK_SEQPACKET, 0, false);
	rights_sizes(SOCK_SEQPACKET, PASSCRED, false);
}

static void rights_stream(void **state)
{
	rights_sizes(SOCK_STREAM, PASSCRED, false);
}

static void rights_batch(void **state)
{
	rights_sizes(SOCK_DGRAM, 0, true);
	rights_sizes(SOCK_DGRAM, PASSCRED, true);
}

/* SO_PASSPIDFD: the sender's pidfd comes last, whole or not at all; the
 * library installs it whatever the caller's room, so must close it when
 * plain recvmsg would not have delivered it. */
static void pidfd_dgram(void **state)
{
	rights_sizes(SOCK_DGRAM, PASSPIDFD, false);
	rights_sizes(SOCK_DGRAM, PASSPIDFD | PASSCRED, false);
}

static void pidfd_batch(void **state)
{
	rights_sizes(SOCK_DGRAM, PASSPIDFD | PASSCRED, true);
}

/* A peer sends 8 descriptors to a caller with room for 2, or none at all:
 * the caller gets what fits, and nothing stays open in the process. */
static void rights_eight_into_two(void **state)
{
	union {
		struct cmsghdr align;
		unsigned char buf[CMSG_SPACE(2 * sizeof(int))];
	} ctl;
	char data[8], label[64];
	struct iovec iov = { data, sizeof(data) };
	int sv[2], before, null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	assert_true(pair(SOCK_DGRAM, 0, sv));
	before = count_fds();
	send_fds(sv[0], null, 8);
	send_fds(sv[0], null, 8);
	for (int round = 0; round < 2; round++) {
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
		size_t len = sizeof(label);
		struct seen s;

		if (round == 0) {
			m.msg_control = ctl.buf;
			m.msg_controllen = sizeof(ctl.buf);
		}
		assert_int_equal(peersec_dgram_recvmsg(sv[1], &m, 0, label,
						       &len), 1);
		assert_true(m.msg_flags & MSG_CTRUNC);
		collect(&m, &s);
		assert_int_equal(s.fds, round == 0 ? 2 : 0);
		assert_int_equal(count_fds(), before);
	}
	close(null);
	close(sv[0]);
	close(sv[1]);
}

static void enable_families(void **state)
{
	int sv[2], v, fd, off = 0, on = 1;
	socklen_t len = sizeof(v);
	int pipefd[2];
	static const int types[] = { SOCK_DGRAM, SOCK_STREAM, SOCK_SEQPACKET };

	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(socketpair(AF_UNIX, types[i], 0, sv), 0);
		assert_int_equal(peersec_dgram_enable(sv[0]), 0);
		assert_int_equal(peersec_dgram_enable(sv[0]), 0);
		v = 0;
		len = sizeof(v);
		assert_int_equal(getsockopt(sv[0], SOL_SOCKET, SO_PASSSEC, &v,
					    &len), 0);
		assert_int_equal(v, 1);
		/* the UDP-only name keeps refusing AF_UNIX */
		assert_int_equal(peersec_udp_enable(sv[0]), -EAFNOSUPPORT);
		close(sv[0]);
		close(sv[1]);
	}

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_int_equal(peersec_dgram_enable(fd), 0);
	close(fd);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(peersec_dgram_enable(fd), -EPROTOTYPE);
	close(fd);
	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd >= 0) {
		assert_int_equal(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off,
					    sizeof(off)), 0);
		assert_int_equal(peersec_dgram_enable(fd), 0);
		assert_int_equal(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
					    sizeof(on)), 0);
		assert_int_equal(peersec_dgram_enable(fd), -EPFNOSUPPORT);
		close(fd);
	}
	fd = socket(AF_NETLINK, SOCK_DGRAM, 0);
	if (fd >= 0) {
		assert_int_equal(peersec_dgram_enable(fd), -EAFNOSUPPORT);
		close(fd);
	}
	assert_int_equal(pipe(pipefd), 0);
	assert_int_equal(peersec_dgram_enable(pipefd[0]), -ENOTSOCK);
	close(pipefd[0]);
	close(pipefd[1]);
	assert_int_equal(peersec_dgram_enable(pipefd[0]), -EBADF);
}

/* The caller's own recvmsg, then peersec_cmsg_label(): nothing in the
 * message changes, and the label (if this kernel gives one) is what the
 * library's receive gives for the same message. */
static void own_recvmsg(void **state)
{
	union {
		struct cmsghdr align;
		unsigned char buf[CMSG_SPACE(sizeof(struct ucred)) +
				  PEERSEC_CMSG_LABEL_SPACE +
				  CMSG_SPACE(4 * sizeof(int))];
	} ctl, copy;
	char data[8], a[PEERSEC_UDP_LABEL_MAX], b[PEERSEC_UDP_LABEL_MAX];
	struct iovec iov = { data, sizeof(data) };
	int sv[2], null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	size_t alen = sizeof(a), blen = sizeof(b);
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl.buf,
			    .msg_controllen = sizeof(ctl.buf) };
	struct seen s;

	memset(&ctl, 0, sizeof(ctl));	/* compared whole below */
	assert_true(pair(SOCK_DGRAM, PASSCRED, sv));
	send_fds(sv[0], null, 4);
	send_fds(sv[0], null, 4);
	assert_int_equal(recvmsg(sv[1], &m, 0), 1);
	memcpy(copy.buf, ctl.buf, sizeof(ctl.buf));
	assert_int_equal(peersec_cmsg_label(&m, a, &alen), 0);
	assert_memory_equal(copy.buf, ctl.buf, sizeof(ctl.buf));
	collect(&m, &s);
	assert_int_equal(s.fds, 4);		/* the caller's, untouched */
	assert_int_equal(s.label, alen > 0);

	m.msg_controllen = sizeof(ctl.buf);
	assert_int_equal(peersec_dgram_recvmsg(sv[1], &m, 0, b, &blen), 1);
	collect(&m, &s);
	assert_int_equal(s.fds, 4);
	assert_string_equal(a, b);
	if (!host_lsm_labels_peers())
		assert_int_equal(alen, 0);

	/* too small a label buffer: -ERANGE and the size, nothing lost */
	alen = 0;
	assert_int_equal(peersec_cmsg_label(&m, NULL, &alen), -ERANGE);
	assert_int_equal(alen, blen + 1);
	close(null);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(enable_families),
		cmocka_unit_test(rights_eight_into_two),
		cmocka_unit_test(rights_dgram),
		cmocka_unit_test(rights_seqpacket),
		cmocka_unit_test(rights_stream),
		cmocka_unit_test(rights_batch),
		cmocka_unit_test(pidfd_dgram),
		cmocka_unit_test(pidfd_batch),
		cmocka_unit_test(own_recvmsg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
