/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of lib/sctp.c against a small model of the kernel's SCTP
 * sockets.  getsockopt, getpeername, close and libsctp's sctp_opt_info are
 * wrapped (-Wl,--wrap), so the library's calls through lib/sys.c land in the
 * model below, which behaves as net/sctp/socket.c and SELinux do:
 *  - sctp_id2assoc(): a one-to-many socket looks the id up among its own
 *    live associations (ids 0-2 name none); any other SCTP socket ignores
 *    the id and answers with its one association;
 *  - SCTP_STATUS and the peel-off answer EINVAL when that finds nothing;
 *    the peel-off also when the socket is not one-to-many;
 *  - SO_PEERSEC gives the socket's one label, NUL counted, ERANGE plus the
 *    size when it does not fit; a peeled-off socket gets its association's
 *    own label.
 * Errors can be injected per socket and per call.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <sys/socket.h>
#include <cmocka.h>

#include <peersec/peersec.h>
#include "man-errors.h"

#define NFD 32
#define NASSOC 4

struct fake_assoc {
	sctp_assoc_t id;
	const char *label;	/* its own peer label */
	bool live;
	bool setting_up;	/* COOKIE_WAIT or COOKIE_ECHOED */
	size_t label_n;		/* as fake_sock.label_n */
};

struct fake_sock {
	bool open, notsock;
	int proto, type;
	bool many;		/* one-to-many: the id picks the association */
	struct fake_assoc assoc[NASSOC];
	const char *label;	/* SO_PEERSEC; NULL: no label (ENOPROTOOPT) */
	size_t label_n;		/* bytes SO_PEERSEC returns; 0: strlen + 1 */
	const char *grown;	/* the label after the first SO_PEERSEC read */
	bool connected;		/* getpeername() */
	int err_status, err_peersec, err_peel;	/* injected errno */
	int err_protocol, err_type;
	unsigned int peel_flags;
	int closes;
};

static struct fake_sock sock[NFD];
static int child_err_peersec;	/* injected into the next peeled-off socket */
static int calls;		/* every wrapped call */

static int kfail(int e)
{
	errno = e;
	return -1;
}

static struct fake_sock *lookup(int fd, int *err)
{
	if (fd < 0 || fd >= NFD || !sock[fd].open) {
		*err = EBADF;
		return NULL;
	}
	if (sock[fd].notsock) {
		*err = ENOTSOCK;
		return NULL;
	}
	return &sock[fd];
}

/* sctp_id2assoc() */
static struct fake_assoc *id2assoc(struct fake_sock *s, sctp_assoc_t id)
{
	for (int i = 0; i < NASSOC; i++) {
		struct fake_assoc *a = &s->assoc[i];

		if (!a->live)
			continue;
		if (!s->many)
			return a;
		if (id > SCTP_ALL_ASSOC && a->id == id)
			return a;
	}
	return NULL;
}

static int put_int(void *val, socklen_t *len, int v)
{
	if (*len < sizeof(int))
		return kfail(EINVAL);
	memcpy(val, &v, sizeof(v));
	*len = sizeof(v);
	return 0;
}

static int peersec(struct fake_sock *s, void *val, socklen_t *len)
{
	size_t n;

	if (s->err_peersec)
		return kfail(s->err_peersec);
	if (s->label == NULL)
		return kfail(ENOPROTOOPT);
	n = s->label_n ? s->label_n : strlen(s->label) + 1;
	if (n > *len) {
		*len = (socklen_t)n;
		if (s->grown) {
			s->label = s->grown;
			s->grown = NULL;
		}
		return kfail(ERANGE);
	}
	memcpy(val, s->label, n);
	*len = (socklen_t)n;
	return 0;
}

static int new_fd(void)
{
	for (int fd = 3; fd < NFD; fd++)
		if (!sock[fd].open && sock[fd].closes == 0)
			return fd;
	return -1;
}

static int peeloff(struct fake_sock *s, void *val, socklen_t *len)
{
	sctp_peeloff_flags_arg_t arg;
	struct fake_assoc *a;
	struct fake_sock *c;
	int fd;

	if (*len < sizeof(arg))
		return kfail(EINVAL);
	memcpy(&arg, val, sizeof(arg));
	if (s->err_peel)
		return kfail(s->err_peel);
	a = id2assoc(s, arg.p_arg.associd);
	if (a == NULL || !s->many)
		return kfail(EINVAL);
	fd = new_fd();
	if (fd < 0)
		return kfail(EMFILE);
	c = &sock[fd];
	memset(c, 0, sizeof(*c));
	c->open = true;
	c->proto = IPPROTO_SCTP;
	c->type = SOCK_SEQPACKET;
	c->assoc[0] = *a;
	c->label = a->label;
	c->label_n = a->label_n;
	c->connected = true;
	c->peel_flags = arg.flags;
	c->err_peersec = child_err_peersec;
	a->live = false;	/* it moved */
	arg.p_arg.sd = fd;
	memcpy(val, &arg, sizeof(arg));
	return 0;
}

int __wrap_getsockopt(int fd, int level, int name, void *val, socklen_t *len);
int __wrap_getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	struct fake_sock *s;
	int err;

	calls++;
	s = lookup(fd, &err);
	if (s == NULL)
		return kfail(err);
	if (level == SOL_SOCKET && name == SO_PROTOCOL)
		return s->err_protocol ? kfail(s->err_protocol)
				       : put_int(val, len, s->proto);
	if (level == SOL_SOCKET && name == SO_TYPE)
		return s->err_type ? kfail(s->err_type)
				   : put_int(val, len, s->type);
	if (level == SOL_SOCKET && name == SO_PEERSEC)
		return peersec(s, val, len);
	if (level == IPPROTO_SCTP && s->proto == IPPROTO_SCTP &&
	    name == SCTP_SOCKOPT_PEELOFF_FLAGS)
		return peeloff(s, val, len);
	return kfail(ENOPROTOOPT);
}

int __wrap_sctp_opt_info(int fd, sctp_assoc_t id, int opt, void *arg,
			 socklen_t *size);
int __wrap_sctp_opt_info(int fd, sctp_assoc_t id, int opt, void *arg,
			 socklen_t *size)
{
	struct sctp_status st;
	struct fake_assoc *a;
	struct fake_sock *s;
	int err;

	calls++;
	assert_int_equal(opt, SCTP_STATUS);
	assert_true(*size >= sizeof(st));
	s = lookup(fd, &err);
	if (s == NULL)
		return kfail(err);
	if (s->proto != IPPROTO_SCTP)
		return kfail(ENOPROTOOPT);
	if (s->err_status)
		return kfail(s->err_status);
	a = id2assoc(s, id);
	if (a == NULL)
		return kfail(EINVAL);
	memset(&st, 0, sizeof(st));
	st.sstat_assoc_id = a->id;
	st.sstat_state = a->setting_up ? SCTP_COOKIE_ECHOED : SCTP_ESTABLISHED;
	memcpy(arg, &st, sizeof(st));
	*size = sizeof(st);
	return 0;
}

int __wrap_getpeername(int fd, struct sockaddr *sa, socklen_t *len);
int __wrap_getpeername(int fd, struct sockaddr *sa, socklen_t *len)
{
	struct fake_sock *s;
	int err;

	calls++;
	s = lookup(fd, &err);
	if (s == NULL)
		return kfail(err);
	if (!s->connected)
		return kfail(ENOTCONN);
	memset(sa, 0, *len);
	sa->sa_family = AF_INET;
	return 0;
}

int __wrap_close(int fd);
int __wrap_close(int fd)
{
	calls++;
	if (fd < 0 || fd >= NFD || !sock[fd].open)
		return kfail(EBADF);
	sock[fd].open = false;
	sock[fd].closes++;
	return 0;
}

/* ---------------------------------------------------------------------- */

#define LABEL_A "system_u:system_r:client_a_t:s0"
#define LABEL_B "system_u:system_r:client_b_t:s0:c1"
#define UNLABELED "system_u:object_r:unlabeled_t:s0"

static int reset(void **state)
{
	memset(sock, 0, sizeof(sock));
	child_err_peersec = 0;
	calls = 0;
	return 0;
}

static struct fake_sock *mk(int fd, int proto, int type)
{
	struct fake_sock *s = &sock[fd];

	memset(s, 0, sizeof(*s));
	s->open = true;
	s->proto = proto;
	s->type = type;
	return s;
}

/* A one-to-many socket on fd 3: association 10 from client A came first,
 * association 11 from client B second. */
static struct fake_sock *one_to_many(void)
{
	struct fake_sock *s = mk(3, IPPROTO_SCTP, SOCK_SEQPACKET);

	s->many = true;
	s->assoc[0] = (struct fake_assoc){ .id = 10, .label = LABEL_A,
					  .live = true };
	s->assoc[1] = (struct fake_assoc){ .id = 11, .label = LABEL_B,
					  .live = true };
	s->label = LABEL_A;
	return s;
}

/* A one-to-one socket on fd 4 with its association 7. */
static struct fake_sock *one_to_one(void)
{
	struct fake_sock *s = mk(4, IPPROTO_SCTP, SOCK_STREAM);

	s->assoc[0] = (struct fake_assoc){ .id = 7, .label = LABEL_B,
					  .live = true };
	s->label = LABEL_B;
	s->connected = true;
	return s;
}

static void expect_label(int fd, sctp_assoc_t id, const char *want)
{
	char buf[512];
	size_t len = sizeof(buf);

	memset(buf, 'x', sizeof(buf));
	assert_int_equal(peersec_sctp_assoc_label(fd, id, buf, &len), 0);
	assert_string_equal(buf, want);
	assert_int_equal(len, strlen(want));
}

static int label_err(int fd, sctp_assoc_t id)
{
	char buf[512];
	size_t len = sizeof(buf);

	return peersec_sctp_assoc_label(fd, id, buf, &len);
}

/* ---- peersec_sctp_assoc_label() --------------------------------------- */

static void many_socket_label_is_first(void **state)
{
	one_to_many();
	expect_label(3, 10, LABEL_A);
	/* The second association reads the socket's label, the first one's. */
	expect_label(3, 11, LABEL_A);
}

static void many_unknown_assoc(void **state)
{
	struct fake_sock *s = one_to_many();

	assert_int_equal(label_err(3, 99), -ENOENT);
	assert_int_equal(label_err(3, -5), -ENOENT);
	for (sctp_assoc_t id = SCTP_FUTURE_ASSOC; id <= SCTP_ALL_ASSOC; id++)
		assert_int_equal(label_err(3, id), -ENOENT);
	s->assoc[1].live = false;	/* ended */
	assert_int_equal(label_err(3, 11), -ENOENT);
	expect_label(3, 10, LABEL_A);
}

static void many_no_label_yet(void **state)
{
	struct fake_sock *s = one_to_many();

	s->label = NULL;	/* no LSM, or COOKIE ACK not yet in */
	assert_int_equal(label_err(3, 10), -ENOPROTOOPT);
	assert_int_equal(label_err(3, 12), -ENOENT);
}

/* The connecting side of a one-to-many socket, before COMM_UP: the socket
 * still has SELinux's initial "unlabeled" peer label, which is no answer. */
static void many_setting_up(void **state)
{
	struct fake_sock *s = mk(3, IPPROTO_SCTP, SOCK_SEQPACKET);

	s->many = true;
	s->assoc[0] = (struct fake_assoc){ .id = 10, .label = LABEL_A,
					  .live = true };
	s->assoc[0].setting_up = true;
	s->label = UNLABELED;
	assert_int_equal(label_err(3, 10), -EINPROGRESS);
	s->assoc[0].setting_up = false;
	s->label = LABEL_A;
	expect_label(3, 10, LABEL_A);
}

static void one_to_one_ids(void **state)
{
	one_to_one();
	expect_label(4, 0, LABEL_B);
	expect_label(4, 7, LABEL_B);
	assert_int_equal(label_err(4, 8), -ENOENT);
	assert_int_equal(label_err(4, SCTP_ALL_ASSOC), -ENOENT);
}

static void one_to_one_ended(void **state)
{
	struct fake_sock *s = one_to_one();

	s->assoc[0].live = false;
	s->connected = false;
	/* The label is still there, but no association: never handed out. */
	assert_int_equal(label_err(4, 0), -ENOTCONN);
	assert_int_equal(label_err(4, 7), -ENOTCONN);
}

/* SELinux gives a socket that never had a peer the unlabeled context: that
 * must not come out as if a peer had sent it. */
static void one_to_one_never_connected(void **state)
{
	mk(4, IPPROTO_SCTP, SOCK_STREAM)->label = UNLABELED;
	assert_int_equal(label_err(4, 0), -ENOTCONN);
	assert_int_equal(label_err(4, 3), -ENOTCONN);
	sock[4].label = NULL;
	assert_int_equal(label_err(4, 0), -ENOTCONN);
}

static void one_to_one_connected_no_label(void **state)
{
	struct fake_sock *s = one_to_one();

	s->label = NULL;
	assert_int_equal(label_err(4, 0), -ENOPROTOOPT);
	assert_int_equal(label_err(4, 7), -ENOPROTOOPT);
}

static void peeled_socket_ended(void **state)
{
	struct fake_sock *s = mk(5, IPPROTO_SCTP, SOCK_SEQPACKET);

	s->assoc[0] = (struct fake_assoc){ .id = 11, .label = LABEL_B,
					  .live = true };
	s->label = LABEL_B;
	expect_label(5, 0, LABEL_B);
	expect_label(5, 11, LABEL_B);
	assert_int_equal(label_err(5, 10), -ENOENT);
	s->assoc[0].live = false;
	assert_int_equal(label_err(5, 0), -ENOENT);
	assert_int_equal(label_err(5, 11), -ENOENT);
}

static void wrong_socket(void **state)
{
	mk(6, IPPROTO_TCP, SOCK_STREAM)->label = LABEL_A;
	mk(7, IPPROTO_UDP, SOCK_DGRAM);
	mk(8, 0, SOCK_STREAM)->label = LABEL_A;	/* AF_UNIX */
	mk(9, IPPROTO_RAW, SOCK_RAW);
	for (int fd = 6; fd <= 9; fd++)
		assert_int_equal(label_err(fd, 0), -EPROTOTYPE);
	mk(10, 0, 0)->notsock = true;
	assert_int_equal(label_err(10, 0), -ENOTSOCK);
	assert_int_equal(label_err(11, 0), -EBADF);
	assert_int_equal(label_err(-1, 0), -EBADF);
}

static void null_len(void **state)
{
	char buf[64];

	one_to_many();
	calls = 0;
	assert_int_equal(peersec_sctp_assoc_label(3, 10, buf, NULL), -EINVAL);
	assert_int_equal(calls, 0);
}

static void small_buffer(void **state)
{
	char buf[512];
	size_t len = 5;

	one_to_many();
	assert_int_equal(peersec_sctp_assoc_label(3, 10, buf, &len), -ERANGE);
	assert_int_equal(len, strlen(LABEL_A) + 1);
	assert_int_equal(peersec_sctp_assoc_label(3, 10, buf, &len), 0);
	assert_string_equal(buf, LABEL_A);

	/* Room for the label but not its NUL. */
	len = strlen(LABEL_A);
	assert_int_equal(peersec_sctp_assoc_label(3, 10, buf, &len), -ERANGE);
	assert_int_equal(len, strlen(LABEL_A) + 1);

	/* NULL buffer asks for the size. */
	len = 0;
	assert_int_equal(peersec_sctp_assoc_label(3, 10, NULL, &len), -ERANGE);
	assert_int_equal(len, strlen(LABEL_A) + 1);
	len = 100;
	assert_int_equal(peersec_sctp_assoc_label(3, 10, NULL, &len), -ERANGE);
	assert_int_equal(len, strlen(LABEL_A) + 1);

	/* The unknown association wins over the buffer. */
	len = 1;
	assert_int_equal(peersec_sctp_assoc_label(3, 77, buf, &len), -ENOENT);
}

/* The label changes between the kernel's ERANGE and the library's second
 * read (stream.c's exact-size read): every -ERANGE asks for more room than
 * was offered, and a caller that retries with the size given gets the new
 * label whole, never a cut one. */
static void label_growth(void **state)
{
	char buf[512];
	size_t len = 8, offered;
	struct fake_sock *s = one_to_many();
	int r, tries = 0;

	s->grown = LABEL_B;
	do {
		offered = len;
		r = peersec_sctp_assoc_label(3, 10, buf, &len);
		if (r == -ERANGE)
			assert_true(len > offered);
	} while (r == -ERANGE && ++tries < 4);
	assert_int_equal(r, 0);
	assert_string_equal(buf, LABEL_B);
	assert_int_equal(len, strlen(LABEL_B));
}

static void long_label(void **state)
{
	static char big[5000], buf[5000];
	size_t len;

	for (size_t i = 0; i < sizeof(big) - 1; i++)
		big[i] = "c0123456789,"[i % 12];
	memcpy(big, "system_u:object_r:x_t:s0:", 25);
	big[300] = '\0';	/* over 255 bytes */
	one_to_many()->label = big;
	len = 256;
	assert_int_equal(peersec_sctp_assoc_label(3, 10, buf, &len), -ERANGE);
	assert_int_equal(len, 301);
	assert_int_equal(peersec_sctp_assoc_label(3, 10, buf, &len), 0);
	assert_int_equal(len, 300);
	assert_string_equal(buf, big);

	/* Longer than stream.c's scratch space: the size is still enough. */
	big[300] = 'c';
	big[4500] = '\0';
	len = 100;
	assert_int_equal(peersec_sctp_assoc_label(3, 10, buf, &len), -ERANGE);
	assert_true(len >= 4501);
	assert_int_equal(peersec_sctp_assoc_label(3, 10, buf, &len), 0);
	assert_int_equal(len, 4500);
}

static void label_forms(void **state)
{
	struct fake_sock *s = one_to_many();

	/* No trailing NUL (AppArmor style) */
	s->label = "unconfined (enforce)";
	s->label_n = strlen(s->label);
	expect_label(3, 10, "unconfined (enforce)");
	/* Embedded NUL followed by more */
	s->label = "abc\0def";
	s->label_n = 8;
	assert_int_equal(label_err(3, 10), -EBADMSG);
	/* Empty label: no label */
	s->label = "";
	s->label_n = 1;
	assert_int_equal(label_err(3, 10), -ENOPROTOOPT);
	/* The unlabeled context is a label like any other here. */
	s->label = UNLABELED;
	s->label_n = 0;
	expect_label(3, 10, UNLABELED);
}

static void injected_errors(void **state)
{
	struct fake_sock *s = one_to_many();

	s->err_status = EACCES;
	assert_int_equal(label_err(3, 10), -EACCES);
	s->err_status = EHOSTDOWN;	/* not in the documented set */
	assert_int_equal(label_err(3, 10), -EIO);
	s->err_status = 0;
	s->err_peersec = EACCES;
	assert_int_equal(label_err(3, 10), -EACCES);
	s->err_peersec = EFAULT;
	assert_int_equal(label_err(3, 10), -EFAULT);
	s->err_peersec = ENOMEM;
	assert_int_equal(label_err(3, 10), -ENOMEM);
	s->err_peersec = EPERM;		/* not in the documented set */
	assert_int_equal(label_err(3, 10), -EIO);
}

/* ---- peersec_sctp_peeloff() ------------------------------------------- */

static void peel_gets_own_label(void **state)
{
	char buf[256];
	size_t len = sizeof(buf);
	int nfd = 99;

	one_to_many();
	assert_int_equal(peersec_sctp_peeloff(3, 11, SOCK_CLOEXEC, &nfd, buf,
					      &len), 0);
	assert_true(nfd >= 0 && nfd != 3);
	assert_true(sock[nfd].open);
	assert_int_equal(sock[nfd].peel_flags, SOCK_CLOEXEC);
	/* The association's own label, not the socket's first one. */
	assert_string_equal(buf, LABEL_B);
	assert_int_equal(len, strlen(LABEL_B));
	/* Nothing closed; the caller's socket lives on. */
	assert_true(sock[3].open);
	assert_int_equal(sock[3].closes, 0);
	assert_int_equal(sock[nfd].closes, 0);

	/* The association moved: its id now works on the new socket only. */
	expect_label(nfd, 11, LABEL_B);
	expect_label(nfd, 0, LABEL_B);
	assert_int_equal(label_err(nfd, 10), -ENOENT);
	assert_int_equal(label_err(3, 11), -ENOENT);
	expect_label(3, 10, LABEL_A);

	/* A peeled-off socket has nothing more to peel off. */
	len = sizeof(buf);
	assert_int_equal(peersec_sctp_peeloff(nfd, 11, 0, &nfd, buf, &len),
			 -EOPNOTSUPP);
	assert_int_equal(nfd, -1);
}

static void peel_first_association(void **state)
{
	char buf[256];
	size_t len = sizeof(buf);
	int nfd;

	one_to_many();
	assert_int_equal(peersec_sctp_peeloff(3, 10, SOCK_NONBLOCK |
					      SOCK_CLOEXEC, &nfd, buf, &len),
			 0);
	assert_string_equal(buf, LABEL_A);
	assert_int_equal(sock[nfd].peel_flags, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

static void peel_bad_arguments(void **state)
{
	char buf[256];
	size_t len = sizeof(buf);
	int nfd = 42;

	one_to_many();
	calls = 0;
	assert_int_equal(peersec_sctp_peeloff(3, 11, 0, NULL, buf, &len),
			 -EINVAL);
	assert_int_equal(peersec_sctp_peeloff(3, 11, 0, &nfd, buf, NULL),
			 -EINVAL);
	assert_int_equal(nfd, -1);
	nfd = 42;
	assert_int_equal(peersec_sctp_peeloff(3, 11, 0x1000, &nfd, buf, &len),
			 -EINVAL);
	assert_int_equal(nfd, -1);
	assert_int_equal(peersec_sctp_peeloff(3, 11, -1, &nfd, buf, &len),
			 -EINVAL);
	assert_int_equal(calls, 0);	/* nothing asked of the kernel */
	assert_true(sock[3].assoc[1].live);
}

static void peel_unknown_assoc(void **state)
{
	char buf[256];
	size_t len = sizeof(buf);
	int nfd = 42;

	one_to_many();
	assert_int_equal(peersec_sctp_peeloff(3, 12, 0, &nfd, buf, &len),
			 -ENOENT);
	assert_int_equal(nfd, -1);
	assert_int_equal(peersec_sctp_peeloff(3, 0, 0, &nfd, buf, &len),
			 -ENOENT);
	sock[3].assoc[1].live = false;
	assert_int_equal(peersec_sctp_peeloff(3, 11, 0, &nfd, buf, &len),
			 -ENOENT);
	for (int fd = 0; fd < NFD; fd++)
		assert_int_equal(sock[fd].closes, 0);
	assert_true(sock[3].open);
}

static void peel_wrong_socket(void **state)
{
	char buf[256];
	size_t len = sizeof(buf);
	int nfd = 42;

	one_to_one();
	assert_int_equal(peersec_sctp_peeloff(4, 7, 0, &nfd, buf, &len),
			 -EOPNOTSUPP);
	assert_int_equal(nfd, -1);
	sock[4].assoc[0].live = false;	/* even without an association */
	assert_int_equal(peersec_sctp_peeloff(4, 7, 0, &nfd, buf, &len),
			 -EOPNOTSUPP);

	/* A peeled-off socket whose association ended: nothing by that id. */
	mk(5, IPPROTO_SCTP, SOCK_SEQPACKET)->label = LABEL_B;
	assert_int_equal(peersec_sctp_peeloff(5, 11, 0, &nfd, buf, &len),
			 -ENOENT);

	mk(6, IPPROTO_TCP, SOCK_STREAM);
	assert_int_equal(peersec_sctp_peeloff(6, 1, 0, &nfd, buf, &len),
			 -EPROTOTYPE);
	mk(7, 0, 0)->notsock = true;
	assert_int_equal(peersec_sctp_peeloff(7, 1, 0, &nfd, buf, &len),
			 -ENOTSOCK);
	assert_int_equal(peersec_sctp_peeloff(20, 1, 0, &nfd, buf, &len),
			 -EBADF);
	assert_int_equal(nfd, -1);
	for (int fd = 0; fd < NFD; fd++)
		assert_int_equal(sock[fd].closes, 0);
}

static void peel_setting_up(void **state)
{
	char buf[256];
	size_t len = sizeof(buf);
	int nfd = 42;

	one_to_many()->assoc[1].setting_up = true;
	assert_int_equal(peersec_sctp_peeloff(3, 11, 0, &nfd, buf, &len),
			 -EINPROGRESS);
	assert_int_equal(nfd, -1);
	assert_true(sock[3].assoc[1].live);	/* still on the socket */
	for (int fd = 4; fd < NFD; fd++)
		assert_false(sock[fd].open);
	sock[3].assoc[1].setting_up = false;
	assert_int_equal(peersec_sctp_peeloff(3, 11, 0, &nfd, buf, &len), 0);
	assert_string_equal(buf, LABEL_B);
}

static void peel_small_buffer_keeps_fd(void **state)
{
	char buf[256];
	size_t len = 4;
	int nfd = 42;

	one_to_many();
	assert_int_equal(peersec_sctp_peeloff(3, 11, 0, &nfd, buf, &len),
			 -ERANGE);
	assert_true(nfd >= 0);
	assert_true(sock[nfd].open);
	assert_int_equal(sock[nfd].closes, 0);
	assert_int_equal(len, strlen(LABEL_B) + 1);
	/* The association is on nfd: read its label with the size given. */
	assert_int_equal(peersec_sctp_assoc_label(nfd, 0, buf, &len), 0);
	assert_string_equal(buf, LABEL_B);

	/* NULL buffer: peel off, then learn the size. */
	len = 0;
	assert_int_equal(peersec_sctp_peeloff(3, 10, 0, &nfd, NULL, &len),
			 -ERANGE);
	assert_true(nfd >= 0 && sock[nfd].open);
	assert_int_equal(len, strlen(LABEL_A) + 1);
}

static void peel_no_label_keeps_fd(void **state)
{
	char buf[256];
	size_t len = sizeof(buf);
	int nfd = 42;

	one_to_many()->assoc[1].label = NULL;	/* no LSM */
	assert_int_equal(peersec_sctp_peeloff(3, 11, 0, &nfd, buf, &len),
			 -ENOPROTOOPT);
	assert_true(nfd >= 0);
	assert_true(sock[nfd].open);
	assert_int_equal(sock[nfd].closes, 0);
}

static void peel_label_failure_closes_new_fd(void **state)
{
	static const struct { int err, want; } cases[] = {
		{ EACCES, -EACCES }, { EFAULT, -EFAULT }, { ENOMEM, -ENOMEM },
		{ EPERM, -EIO },
		{ 0, -EBADMSG },	/* a malformed label */
	};
	char buf[256];
	size_t len;
	int nfd;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int fd;

		reset(state);
		one_to_many();
		fd = new_fd();
		child_err_peersec = cases[i].err;
		if (cases[i].err == 0) {
			sock[3].assoc[1].label = "a\0bc";
			sock[3].assoc[1].label_n = 5;
		}
		len = sizeof(buf);
		nfd = 42;
		assert_int_equal(peersec_sctp_peeloff(3, 11, 0, &nfd, buf,
						      &len), cases[i].want);
		assert_int_equal(nfd, -1);
		/* The new socket was closed, once; the caller's was not. */
		assert_false(sock[fd].open);
		assert_int_equal(sock[fd].closes, 1);
		assert_true(sock[3].open);
		assert_int_equal(sock[3].closes, 0);
	}
}

static void peel_refused_by_kernel(void **state)
{
	static const struct { int err, want; } cases[] = {
		{ EBUSY, -EBUSY }, { EMFILE, -EMFILE }, { ENFILE, -ENFILE },
		{ ENOMEM, -ENOMEM }, { EACCES, -EACCES },
		{ ENOPROTOOPT, -EOPNOTSUPP },	/* kernel < 4.13 */
		{ ERANGE, -EIO },	/* never with an fd closed */
		{ EPERM, -EIO },
	};
	char buf[256];
	size_t len = sizeof(buf);
	int nfd = 42;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		one_to_many()->err_peel = cases[i].err;
		assert_int_equal(peersec_sctp_peeloff(3, 11, 0, &nfd, buf,
						      &len), cases[i].want);
		assert_int_equal(nfd, -1);
		assert_true(sock[3].assoc[1].live);
		for (int fd = 0; fd < NFD; fd++)
			assert_int_equal(sock[fd].closes, 0);
	}
}

/* ---- every kernel error, against the man pages ------------------------ */

/* Each call the library makes fails in turn with every errno there is:
 * every answer must be one the man page lists, and a failed peel-off must
 * leave nothing open. */
static void every_error_documented(void **state)
{
	int label_errs[MAN_ERRORS_MAX], peel_errs[MAN_ERRORS_MAX];
	int nl = man_errors("peersec_sctp_assoc_label", label_errs);
	int np = man_errors("peersec_sctp_peeloff", peel_errs);

	for (int point = 0; point < 6; point++) {
		for (int e = 1; e < 134; e++) {
			char buf[256];
			size_t len = sizeof(buf);
			struct fake_sock *s;
			int r, nfd = 42, fd;

			if (e == EINTR)	/* lib/sys.c retries it */
				continue;
			reset(state);
			s = one_to_many();
			switch (point) {
			case 0: s->err_protocol = e; break;
			case 1: s->err_status = e; break;
			case 2: s->err_peersec = e; break;
			case 3: s->err_type = e; s->err_status = EINVAL; break;
			case 4: s->err_peel = e; break;
			case 5: child_err_peersec = e; break;
			}
			r = peersec_sctp_assoc_label(3, 10, buf, &len);
			if (r != 0 && !man_errors_lists(r, label_errs, nl))
				fail_msg("assoc_label, fault %d errno %s: "
					 "%d not documented", point,
					 strerrorname_np(e), r);

			len = sizeof(buf);
			fd = new_fd();
			r = peersec_sctp_peeloff(3, 11, 0, &nfd, buf, &len);
			if (r != 0 && !man_errors_lists(r, peel_errs, np))
				fail_msg("peeloff, fault %d errno %s: %d not "
					 "documented", point,
					 strerrorname_np(e), r);
			if (r == 0 || r == -ERANGE || r == -ENOPROTOOPT) {
				assert_int_equal(nfd, fd);
				assert_true(sock[fd].open);
			} else {
				assert_int_equal(nfd, -1);
				assert_false(sock[fd].open);
			}
			assert_true(sock[3].open);
			assert_int_equal(sock[3].closes, 0);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(many_socket_label_is_first, reset),
		cmocka_unit_test_setup(many_unknown_assoc, reset),
		cmocka_unit_test_setup(many_no_label_yet, reset),
		cmocka_unit_test_setup(many_setting_up, reset),
		cmocka_unit_test_setup(one_to_one_ids, reset),
		cmocka_unit_test_setup(one_to_one_ended, reset),
		cmocka_unit_test_setup(one_to_one_never_connected, reset),
		cmocka_unit_test_setup(one_to_one_connected_no_label, reset),
		cmocka_unit_test_setup(peeled_socket_ended, reset),
		cmocka_unit_test_setup(wrong_socket, reset),
		cmocka_unit_test_setup(null_len, reset),
		cmocka_unit_test_setup(small_buffer, reset),
		cmocka_unit_test_setup(label_growth, reset),
		cmocka_unit_test_setup(long_label, reset),
		cmocka_unit_test_setup(label_forms, reset),
		cmocka_unit_test_setup(injected_errors, reset),
		cmocka_unit_test_setup(peel_gets_own_label, reset),
		cmocka_unit_test_setup(peel_first_association, reset),
		cmocka_unit_test_setup(peel_bad_arguments, reset),
		cmocka_unit_test_setup(peel_unknown_assoc, reset),
		cmocka_unit_test_setup(peel_wrong_socket, reset),
		cmocka_unit_test_setup(peel_setting_up, reset),
		cmocka_unit_test_setup(peel_small_buffer_keeps_fd, reset),
		cmocka_unit_test_setup(peel_no_label_keeps_fd, reset),
		cmocka_unit_test_setup(peel_label_failure_closes_new_fd, reset),
		cmocka_unit_test_setup(peel_refused_by_kernel, reset),
		cmocka_unit_test_setup(every_error_documented, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
