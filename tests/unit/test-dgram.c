/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of the UDP functions (lib/dgram.c) against a fake kernel.
 *
 * recvmsg and recvmmsg are wrapped: each call takes the next scripted
 * datagram and writes its control messages with the same rules as the
 * kernel's put_cmsg() (a message that does not fit is cut to what is left
 * and MSG_CTRUNC set; each one takes CMSG_SPACE or what is left;
 * SCM_RIGHTS keeps the descriptors that fit whole and SCM_PIDFD comes
 * whole or not at all, as scm_detach_fds() and scm_pidfd_recv() do).  The
 * caller's expected control data is computed by running those rules over
 * the caller's own buffer with the label message left out, which is what
 * plain recvmsg would have given it: the library must match it byte for
 * byte.  Raw scripts inject malformed control data.
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
#include <time.h>
#include <fcntl.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include <peersec/peersec.h>

#include "kernel-abi.h"


int __wrap_getsockopt(int fd, int level, int name, void *val, socklen_t *len);
int __wrap_setsockopt(int fd, int level, int name, const void *val,
		      socklen_t len);
ssize_t __wrap_recvmsg(int fd, struct msghdr *msg, int flags);
int __wrap_recvmmsg(int fd, struct mmsghdr *vec, unsigned int vlen,
		    int flags, struct timespec *timeout);

/* ---------------------------------------------------------------------- */
/* The fake kernel                                                         */

struct kmsg {
	int level, type;
	const void *data;
	size_t len;
};

struct script {
	ssize_t ret;		/* byte count, or -errno */
	int flags;		/* msg_flags besides MSG_CTRUNC */
	const struct kmsg *msgs;
	size_t nmsgs;
	/* raw control data instead of msgs */
	const unsigned char *raw;
	size_t raw_len;
};

#define MAX_SCRIPT 16
static struct {
	struct script s[MAX_SCRIPT];
	size_t n, next;
	/* what the library passed */
	int flags;
	size_t offered;
	unsigned int vlen;
	struct timespec *timeout;
	int calls;
	/* socket options */
	int domain, type;
	int getsockopt_err, setsockopt_err;
	int set_level, set_name, set_val, set_calls;
} k;

static void reset(void)
{
	memset(&k, 0, sizeof(k));
	k.domain = AF_INET;
	k.type = SOCK_DGRAM;
	k.set_level = k.set_name = -1;
}

static void script(struct script s)
{
	assert_true(k.n < MAX_SCRIPT);
	k.s[k.n++] = s;
}

/* put_cmsg(), as net/core/scm.c does it. */
static void put_cmsg(struct msghdr *m, int level, int type, const void *data,
		     size_t len)
{
	struct cmsghdr h;
	size_t cmlen = CMSG_LEN(len);

	if (m->msg_control == NULL || m->msg_controllen < sizeof(h)) {
		m->msg_flags |= MSG_CTRUNC;
		return;
	}
	if (m->msg_controllen < cmlen) {
		m->msg_flags |= MSG_CTRUNC;
		cmlen = m->msg_controllen;
	}
	memset(&h, 0, sizeof(h));
	h.cmsg_len = cmlen;
	h.cmsg_level = level;
	h.cmsg_type = type;
	memcpy(m->msg_control, &h, sizeof(h));
	memcpy((char *)m->msg_control + sizeof(h), data, cmlen - sizeof(h));
	cmlen = CMSG_SPACE(len) < m->msg_controllen ? CMSG_SPACE(len) :
						      m->msg_controllen;
	m->msg_control = (char *)m->msg_control + cmlen;
	m->msg_controllen -= cmlen;
}

/* scm_detach_fds(): the descriptors that fit whole, MSG_CTRUNC for the
 * others. */
static void put_fds(struct msghdr *m, const void *data, size_t len)
{
	size_t n = len / sizeof(int), fit = 0;

	if (m->msg_control != NULL && m->msg_controllen > CMSG_LEN(0))
		fit = (m->msg_controllen - CMSG_LEN(0)) / sizeof(int);
	if (fit < n) {
		m->msg_flags |= MSG_CTRUNC;
		n = fit;
	}
	if (n > 0)
		put_cmsg(m, SOL_SOCKET, SCM_RIGHTS, data, n * sizeof(int));
}

/* Write @s's control data into @m as the kernel would; skip labels when
 * @no_label (the reference: plain recvmsg without IP_PASSSEC). */
static void kernel_fill(struct msghdr *m, const struct script *s,
			bool no_label)
{
	void *start = m->msg_control;

	m->msg_flags = s->flags;
	if (s->raw != NULL) {
		assert_true(s->raw_len <= m->msg_controllen);
		memcpy(m->msg_control, s->raw, s->raw_len);
		m->msg_controllen = s->raw_len;
		return;
	}
	for (size_t i = 0; i < s->nmsgs; i++) {
		const struct kmsg *c = &s->msgs[i];

		if (no_label && (c->level == SOL_IP || c->level == SOL_SOCKET) &&
		    c->type == SCM_SECURITY)
			continue;
		if (c->level == SOL_SOCKET && c->type == SCM_PIDFD &&
		    (m->msg_control == NULL ||
		     m->msg_controllen < CMSG_LEN(c->len))) {
			m->msg_flags |= MSG_CTRUNC;
			continue;
		}
		if (c->level == SOL_SOCKET && c->type == SCM_RIGHTS)
			put_fds(m, c->data, c->len);
		else
			put_cmsg(m, c->level, c->type, c->data, c->len);
	}
	m->msg_controllen = (size_t)((char *)m->msg_control - (char *)start);
	m->msg_control = start;
}

static const struct sockaddr_in peer = {
	.sin_family = AF_INET,
	.sin_port = 0x3412,
	.sin_addr = { 0x0100007f },
};

static ssize_t deliver(struct msghdr *msg, const struct script *s)
{
	if (s->ret < 0)
		return s->ret;
	if (msg->msg_name != NULL) {
		size_t n = msg->msg_namelen < sizeof(peer) ?
			   msg->msg_namelen : sizeof(peer);

		memcpy(msg->msg_name, &peer, n);
		msg->msg_namelen = sizeof(peer);
	}
	if (msg->msg_iovlen > 0 && msg->msg_iov[0].iov_len > 0)
		((char *)msg->msg_iov[0].iov_base)[0] = 'D';
	kernel_fill(msg, s, false);
	return s->ret;
}

ssize_t __wrap_recvmsg(int fd, struct msghdr *msg, int flags)
{
	const struct script *s;
	ssize_t r;

	k.calls++;
	k.flags = flags;
	k.offered = msg->msg_controllen;
	assert_true(k.next < k.n);
	s = &k.s[k.next++];
	r = deliver(msg, s);
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

int __wrap_recvmmsg(int fd, struct mmsghdr *vec, unsigned int vlen,
		    int flags, struct timespec *timeout)
{
	unsigned int i;

	k.calls++;
	k.flags = flags;
	k.vlen = vlen;
	k.timeout = timeout;
	if (k.n > 0 && k.s[k.next].ret < 0) {
		errno = (int)-k.s[k.next++].ret;
		return -1;
	}
	for (i = 0; i < vlen && k.next < k.n; i++) {
		const struct script *s = &k.s[k.next++];

		vec[i].msg_len = (unsigned int)deliver(&vec[i].msg_hdr, s);
	}
	return (int)i;
}

int __wrap_getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	if (k.getsockopt_err != 0) {
		errno = k.getsockopt_err;
		return -1;
	}
	assert_int_equal(level, SOL_SOCKET);
	assert_int_equal(*len, sizeof(int));
	if (name == SO_DOMAIN)
		*(int *)val = k.domain;
	else if (name == SO_TYPE)
		*(int *)val = k.type;
	else
		fail_msg("unexpected getsockopt %d", name);
	return 0;
}

int __wrap_setsockopt(int fd, int level, int name, const void *val,
		      socklen_t len)
{
	k.set_calls++;
	if (k.setsockopt_err != 0) {
		errno = k.setsockopt_err;
		return -1;
	}
	assert_int_equal(len, sizeof(int));
	k.set_level = level;
	k.set_name = name;
	k.set_val = *(const int *)val;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Helpers                                                                 */

static const unsigned char pktinfo[sizeof(struct in_pktinfo)] = { 1, 0, 0,
	0, 127, 0, 0, 1, 127, 0, 0, 1 };
static const unsigned char ttl[4] = { 64, 0, 0, 0 };
static const unsigned char origdst[16] = { 2, 0, 0x12, 0x34, 127, 0, 0, 1 };
static const unsigned char tstamp[16] = { 9, 8, 7, 6, 5, 4, 3, 2, 1 };
static const char sel[] = "system_u:object_r:peer_t:s0";

#define MSG(lvl, typ, buf) { (lvl), (typ), (buf), sizeof(buf) }
#define LABEL(str) { SOL_IP, SCM_SECURITY, (str), sizeof(str) }	/* with NUL */

/* One receive call: buffers, the message header, results. */
struct rx {
	char data[64];
	struct iovec iov;
	struct sockaddr_in name;
	union {
		struct cmsghdr align;
		unsigned char buf[PEERSEC_UDP_CONTROL_MAX + 64];
	} ctl;
	struct msghdr msg;
	char label[PEERSEC_UDP_LABEL_MAX];
	size_t label_len;
	ssize_t ret;
};

static void rx_init(struct rx *r, size_t own)
{
	memset(r, 0, sizeof(*r));
	memset(r->ctl.buf, 0xa5, sizeof(r->ctl.buf));
	r->iov.iov_base = r->data;
	r->iov.iov_len = sizeof(r->data);
	r->msg.msg_name = &r->name;
	r->msg.msg_namelen = sizeof(r->name);
	r->msg.msg_iov = &r->iov;
	r->msg.msg_iovlen = 1;
	r->msg.msg_control = own > 0 ? r->ctl.buf : NULL;
	r->msg.msg_controllen = own;
	r->label_len = sizeof(r->label);
	memset(r->label, 'x', sizeof(r->label));
}

static ssize_t rx_recv(struct rx *r, int flags)
{
	r->ret = peersec_udp_recvmsg(7, &r->msg, flags, r->label,
				     &r->label_len);
	return r->ret;
}

/* The caller's control data must be what plain recvmsg gives into its
 * buffer of @own bytes when the label message is left out. */
static void assert_caller_view(const struct rx *r, const struct script *s,
			       size_t own)
{
	union {
		struct cmsghdr align;
		unsigned char buf[PEERSEC_UDP_CONTROL_MAX + 64];
	} ref;
	struct msghdr m;

	memset(&m, 0, sizeof(m));
	memset(ref.buf, 0xa5, sizeof(ref.buf));	/* as rx_init() */
	m.msg_control = own > 0 ? ref.buf : NULL;
	m.msg_controllen = own;
	kernel_fill(&m, s, true);
	assert_int_equal(r->msg.msg_controllen, m.msg_controllen);
	assert_int_equal(r->msg.msg_flags, m.msg_flags);
	/* byte for byte, padding included, and nothing written past it */
	assert_memory_equal(r->ctl.buf, ref.buf, sizeof(ref.buf));
}

/* In place (recvmmsg) the padding between messages is not the caller's:
 * compare headers and data. */
static void assert_same_messages(const unsigned char *a,
				 const unsigned char *b, size_t len)
{
	for (size_t off = 0; off < len;) {
		struct cmsghdr h;

		memcpy(&h, b + off, sizeof(h));
		assert_true(h.cmsg_len >= sizeof(h));
		assert_true(h.cmsg_len <= len - off);
		assert_memory_equal(a + off, b + off, h.cmsg_len);
		off += CMSG_ALIGN(h.cmsg_len);
	}
}

/* ---------------------------------------------------------------------- */
/* peersec_udp_enable                                                      */

static void enable_inet(void **state)
{
	reset();
	assert_int_equal(peersec_udp_enable(3), 0);
	assert_int_equal(k.set_level, SOL_IP);
	assert_int_equal(k.set_name, IP_PASSSEC);
	assert_int_equal(k.set_val, 1);
}

static void enable_inet6_uses_sol_ip(void **state)
{
	reset();
	k.domain = AF_INET6;
	assert_int_equal(peersec_udp_enable(3), 0);
	assert_int_equal(k.set_level, SOL_IP);
	assert_int_equal(k.set_name, IP_PASSSEC);
}

static void enable_wrong_family(void **state)
{
	static const int fams[] = { AF_UNIX, AF_NETLINK, AF_PACKET };

	for (size_t i = 0; i < sizeof(fams) / sizeof(fams[0]); i++) {
		reset();
		k.domain = fams[i];
		k.type = SOCK_STREAM;	/* family is checked first */
		assert_int_equal(peersec_udp_enable(3), -EAFNOSUPPORT);
		assert_int_equal(k.set_calls, 0);
	}
}

static void enable_wrong_type(void **state)
{
	static const int types[] = { SOCK_STREAM, SOCK_RAW, SOCK_SEQPACKET };

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		reset();
		k.type = types[i];
		assert_int_equal(peersec_udp_enable(3), -EPROTOTYPE);
		assert_int_equal(k.set_calls, 0);
	}
}

static void enable_errors(void **state)
{
	static const struct { int get, set, want; } cases[] = {
		{ EBADF, 0, -EBADF },
		{ ENOTSOCK, 0, -ENOTSOCK },
		{ ENOPROTOOPT, 0, -ENOPROTOOPT },
		{ ENOPROTOOPT, 0, -ENOPROTOOPT },
		{ EPERM, 0, -EIO },		/* closed set */
		{ 0, ENOPROTOOPT, -ENOPROTOOPT },
		{ 0, ENOMEM, -ENOMEM },
		{ 0, EINVAL, -EIO },
		{ 0, EBADF, -EBADF },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		reset();
		k.getsockopt_err = cases[i].get;
		k.setsockopt_err = cases[i].set;
		assert_int_equal(peersec_udp_enable(3), cases[i].want);
	}
}

/* ---------------------------------------------------------------------- */
/* peersec_udp_recvmsg: shapes                                             */

static void recv_no_cmsg(void **state)
{
	struct rx r;

	reset();
	script((struct script){ .ret = 42 });
	rx_init(&r, 0);
	assert_int_equal(rx_recv(&r, 0), 42);
	assert_string_equal(r.label, "");
	assert_int_equal(r.label_len, 0);
	assert_int_equal(r.msg.msg_controllen, 0);
	assert_int_equal(r.msg.msg_flags, 0);
	assert_int_equal(r.msg.msg_namelen, sizeof(peer));
	assert_memory_equal(&r.name, &peer, sizeof(peer));
	assert_int_equal(r.data[0], 'D');
	/* the kernel was offered room for a label of the bound */
	assert_int_equal(k.offered, PEERSEC_UDP_CONTROL_MAX +
			 CMSG_SPACE(PEERSEC_UDP_LABEL_MAX));
}

static void recv_label_only(void **state)
{
	static const struct kmsg msgs[] = { LABEL(sel) };
	const struct script s = { .ret = 5, .msgs = msgs, .nmsgs = 1 };
	struct rx r;

	for (size_t own = 0; own <= 64; own += 8) {
		reset();
		script(s);
		rx_init(&r, own);
		assert_int_equal(rx_recv(&r, 0), 5);
		assert_string_equal(r.label, sel);
		assert_int_equal(r.label_len, strlen(sel));
		assert_caller_view(&r, &s, own);
		assert_int_equal(r.msg.msg_controllen, 0);
		assert_int_equal(r.msg.msg_flags & MSG_CTRUNC, 0);
	}
}

/* Smack's SCM_SECURITY carries no NUL. */
static void recv_label_without_nul(void **state)
{
	static const struct kmsg msgs[] = {
		{ SOL_IP, SCM_SECURITY, "_", 1 },
	};
	static const struct kmsg msgs8[] = {	/* fills its space exactly */
		{ SOL_IP, SCM_SECURITY, "abcdefgh", 8 },
	};
	struct rx r;

	reset();
	script((struct script){ .ret = 1, .msgs = msgs, .nmsgs = 1 });
	rx_init(&r, 0);
	assert_int_equal(rx_recv(&r, 0), 1);
	assert_string_equal(r.label, "_");
	assert_int_equal(r.label_len, 1);

	reset();
	script((struct script){ .ret = 1, .msgs = msgs8, .nmsgs = 1 });
	rx_init(&r, 0);
	assert_int_equal(rx_recv(&r, 0), 1);
	assert_string_equal(r.label, "abcdefgh");
	assert_int_equal(r.label_len, 8);
}

static void permute(struct kmsg *a, size_t n, size_t k0,
		    void (*fn)(const struct kmsg *, size_t, void *), void *arg)
{
	if (k0 == n) {
		fn(a, n, arg);
		return;
	}
	for (size_t i = k0; i < n; i++) {
		struct kmsg t = a[k0];

		a[k0] = a[i];
		a[i] = t;
		permute(a, n, k0 + 1, fn, arg);
		a[i] = a[k0];
		a[k0] = t;
	}
}

static int checked;

static void check_order(const struct kmsg *msgs, size_t n, void *arg)
{
	const char *want = arg;
	const struct script s = { .ret = 9, .flags = MSG_TRUNC, .msgs = msgs,
				  .nmsgs = n };
	struct rx r;

	/* every caller buffer size, so every cut point is met */
	for (size_t own = 0; own <= 128; own++) {
		reset();
		script(s);
		rx_init(&r, own);
		assert_int_equal(rx_recv(&r, 0), 9);
		assert_string_equal(r.label, want);
		assert_int_equal(r.label_len, strlen(want));
		assert_caller_view(&r, &s, own);
		assert_true(r.msg.msg_flags & MSG_TRUNC);
		checked++;
	}
}

/* The label among the caller's messages, in every order. */
static void recv_label_among_others(void **state)
{
	static char long_label[300];
	struct kmsg msgs[] = {
		MSG(SOL_IP, IP_PKTINFO, pktinfo),
		MSG(SOL_IP, IP_TTL, ttl),
		LABEL(sel),
		MSG(SOL_IP, IP_ORIGDSTADDR, origdst),
		MSG(SOL_SOCKET, SO_TIMESTAMPNS, tstamp),
	};

	checked = 0;
	permute(msgs, 5, 0, check_order, (void *)sel);
	assert_int_equal(checked, 120 * 129);

	/* a label over 255 bytes, and one whose payload is not 8-aligned */
	memset(long_label, 'L', sizeof(long_label) - 1);
	memcpy(long_label, "system_u:", 9);
	msgs[2] = (struct kmsg){ SOL_IP, SCM_SECURITY, long_label,
				 sizeof(long_label) };
	permute(msgs, 4, 0, check_order, long_label);
	msgs[2] = (struct kmsg){ SOL_IP, SCM_SECURITY, "u:r:t:s0", 9 };
	permute(msgs, 4, 0, check_order, (void *)"u:r:t:s0");
}

/* Type 3 at SOL_IPV6 is not the label; at SOL_IP (IP_PASSSEC) and
 * SOL_SOCKET (SO_PASSSEC, AF_UNIX) it is, and one message carries at most
 * one of them. */
static void recv_type3_other_levels(void **state)
{
	static const unsigned char hop[8] = { 17, 0, 1, 4, 0, 0, 0, 0 };
	static const struct kmsg both[] = {
		MSG(SOL_IPV6, 3, hop),		/* IPV6_2292HOPOPTS */
		LABEL(sel),
		{ SOL_SOCKET, SCM_SECURITY, sel, sizeof(sel) },
	};
	static const struct kmsg unix_label[] = {
		MSG(SOL_IPV6, 3, hop),
		{ SOL_SOCKET, SCM_SECURITY, sel, sizeof(sel) },
	};
	static const struct kmsg nolabel[] = {
		MSG(SOL_IPV6, 3, hop),
	};
	const struct script s = { .ret = 3, .msgs = both, .nmsgs = 3 };
	const struct script s1 = { .ret = 3, .msgs = unix_label, .nmsgs = 2 };
	const struct script s2 = { .ret = 3, .msgs = nolabel, .nmsgs = 1 };
	struct rx r;

	reset();
	script(s);
	rx_init(&r, 256);
	assert_int_equal(rx_recv(&r, 0), -EBADMSG);
	assert_int_equal(r.label_len, sizeof(r.label));

	reset();
	script(s1);
	rx_init(&r, 256);
	assert_int_equal(peersec_dgram_recvmsg(7, &r.msg, 0, r.label,
					       &r.label_len), 3);
	assert_string_equal(r.label, sel);
	assert_int_equal(r.msg.msg_controllen, CMSG_SPACE(sizeof(hop)));

	reset();
	script(s2);
	rx_init(&r, 256);
	assert_int_equal(rx_recv(&r, 0), 3);
	assert_string_equal(r.label, "");
	assert_int_equal(r.label_len, 0);
	assert_caller_view(&r, &s2, 256);
}

static void recv_sol_ip_type3_not_a_label(void **state)
{
	static const unsigned char bin[8] = { 'a', 'b', 0, 'c', 'd' };
	static const struct kmsg msgs[] = { MSG(SOL_IP, SCM_SECURITY, bin) };
	struct rx r;

	reset();
	script((struct script){ .ret = 3, .msgs = msgs, .nmsgs = 1 });
	rx_init(&r, 64);
	r.msg.msg_controllen = 64;
	assert_int_equal(rx_recv(&r, 0), -EBADMSG);
	/* fail closed: the caller's msghdr and label are untouched */
	assert_int_equal(r.msg.msg_controllen, 64);
	assert_int_equal(r.label_len, sizeof(r.label));
	assert_int_equal(r.label[0], 'x');
}

static void recv_embedded_nul(void **state)
{
	static const char nul_in[] = "system_u\0object_r";
	static const char nul_pad[] = "u:r:t:s0\0\0\0";	/* NUL padding */
	static const char nuls[] = "\0\0\0";
	static const struct kmsg a[] = { LABEL(nul_in) };
	static const struct kmsg b[] = { LABEL(nul_pad) };
	static const struct kmsg c[] = { LABEL(nuls) };
	struct rx r;

	reset();
	script((struct script){ .ret = 1, .msgs = a, .nmsgs = 1 });
	rx_init(&r, 0);
	assert_int_equal(rx_recv(&r, 0), -EBADMSG);

	reset();
	script((struct script){ .ret = 1, .msgs = b, .nmsgs = 1 });
	rx_init(&r, 0);
	assert_int_equal(rx_recv(&r, 0), 1);
	assert_string_equal(r.label, "u:r:t:s0");
	assert_int_equal(r.label_len, 8);

	/* only NULs: the LSM's empty label, i.e. none */
	reset();
	script((struct script){ .ret = 1, .msgs = c, .nmsgs = 1 });
	rx_init(&r, 0);
	assert_int_equal(rx_recv(&r, 0), 1);
	assert_string_equal(r.label, "");
	assert_int_equal(r.label_len, 0);
}

static void recv_zero_length_label(void **state)
{
	static const struct kmsg msgs[] = {
		MSG(SOL_IP, IP_TTL, ttl),
		{ SOL_IP, SCM_SECURITY, "", 0 },
	};
	struct rx r;

	reset();
	script((struct script){ .ret = 1, .msgs = msgs, .nmsgs = 2 });
	rx_init(&r, 64);
	assert_int_equal(rx_recv(&r, 0), -EBADMSG);
}

static void recv_two_labels(void **state)
{
	static const struct kmsg msgs[] = { LABEL(sel), LABEL("u:r:t:s0") };
	struct rx r;

	reset();
	script((struct script){ .ret = 1, .msgs = msgs, .nmsgs = 2 });
	rx_init(&r, 0);
	assert_int_equal(rx_recv(&r, 0), -EBADMSG);
}

/* Raw control data: a header, then @len payload bytes of 'a'. */
static size_t raw_cmsg(unsigned char *p, size_t cmsg_len, int level,
		       int type, size_t payload)
{
	struct cmsghdr h;

	memset(&h, 0, sizeof(h));
	h.cmsg_len = cmsg_len;
	h.cmsg_level = level;
	h.cmsg_type = type;
	memcpy(p, &h, sizeof(h));
	memset(p + sizeof(h), 'a', payload);
	return sizeof(h) + payload;
}

static void recv_bad_cmsg_len(void **state)
{
	unsigned char raw[256];
	struct rx r;
	size_t n;
	static const size_t short_lens[] = { 0, 1, sizeof(struct cmsghdr) - 1 };

	/* too short, label or not */
	for (size_t i = 0; i < 3; i++) {
		for (int lvl = 0; lvl < 2; lvl++) {
			n = raw_cmsg(raw, short_lens[i],
				     lvl ? SOL_IP : SOL_SOCKET,
				     lvl ? SCM_SECURITY : SO_TIMESTAMP, 8);
			reset();
			script((struct script){ .ret = 1, .raw = raw,
						.raw_len = n });
			rx_init(&r, 0);
			assert_int_equal(rx_recv(&r, 0), -EBADMSG);
		}
	}

	/* too long: claims more than the kernel wrote */
	n = raw_cmsg(raw, CMSG_LEN(9), SOL_IP, SCM_SECURITY, 8);
	reset();
	script((struct script){ .ret = 1, .raw = raw, .raw_len = n });
	rx_init(&r, 0);
	assert_int_equal(rx_recv(&r, 0), -EBADMSG);

	/* a good label, then a caller message running past the end */
	n = raw_cmsg(raw, CMSG_LEN(8), SOL_IP, SCM_SECURITY, 8);
	n += raw_cmsg(raw + n, CMSG_LEN(100), SOL_IP, IP_TTL, 4);
	reset();
	script((struct script){ .ret = 1, .raw = raw, .raw_len = n });
	rx_init(&r, 64);
	assert_int_equal(rx_recv(&r, 0), -EBADMSG);

	/* a good message followed by a few bytes that are no header */
	n = raw_cmsg(raw, CMSG_LEN(8), SOL_IP, SCM_SECURITY, 8) + 4;
	reset();
	script((struct script){ .ret = 1, .raw = raw, .raw_len = n });
	rx_init(&r, 0);
	assert_int_equal(rx_recv(&r, 0), -EBADMSG);

	/* the same label message alone is fine */
	n = raw_cmsg(raw, CMSG_LEN(8), SOL_IP, SCM_SECURITY, 8);
	reset();
	script((struct script){ .ret = 1, .raw = raw, .raw_len = n });
	rx_init(&r, 0);
	assert_int_equal(rx_recv(&r, 0), 1);
	assert_string_equal(r.label, "aaaaaaaa");
}

/* The last message's padding missing from what the kernel wrote: the
 * caller's msg_controllen counts it as put_cmsg() would, whether the
 * caller's buffer holds the padding or ends before it, and not the
 * kernel's unaligned length. */
static void recv_unaligned_end(void **state)
{
	unsigned char raw[64];
	struct rx r;
	size_t n;

	n = raw_cmsg(raw, CMSG_LEN(12), SOL_IP, IP_PKTINFO, 12) + 4;
	n += raw_cmsg(raw + n, CMSG_LEN(4), SOL_IP, IP_TTL, 4);
	assert_int_equal(n, CMSG_SPACE(12) + CMSG_LEN(4));
	for (size_t own = n; own <= 64; own += 4) {
		reset();
		script((struct script){ .ret = 1, .raw = raw, .raw_len = n });
		rx_init(&r, own);
		assert_int_equal(rx_recv(&r, 0), 1);
		assert_int_equal(r.msg.msg_controllen,
				 own < CMSG_SPACE(12) + CMSG_SPACE(4) ?
				 own : CMSG_SPACE(12) + CMSG_SPACE(4));
		assert_int_equal(r.msg.msg_flags, 0);
		assert_same_messages(r.ctl.buf, raw, n);
	}
}

/* A label without a NUL whose message ends exactly at the end of the
 * library's buffer: no byte is left to terminate it in place. */
static void recv_label_at_buffer_end(void **state)
{
	enum { SIZE = PEERSEC_UDP_CONTROL_MAX +
		      CMSG_SPACE(PEERSEC_UDP_LABEL_MAX), LABEL = 4000 };
	static unsigned char raw[SIZE];
	const size_t fill = SIZE - CMSG_LEN(LABEL);
	struct rx r;
	size_t n;

	n = raw_cmsg(raw, fill, SOL_IPV6, 3, fill - CMSG_LEN(0));
	n += raw_cmsg(raw + n, CMSG_LEN(LABEL), SOL_IP, SCM_SECURITY, LABEL);
	assert_int_equal(n, SIZE);
	reset();
	script((struct script){ .ret = 1, .raw = raw, .raw_len = n });
	rx_init(&r, 64);
	assert_int_equal(rx_recv(&r, 0), 1);
	assert_int_equal(r.label_len, LABEL);
	assert_int_equal(strspn(r.label, "a"), LABEL);
	assert_int_equal(r.label[LABEL], '\0');
	/* the caller's big message cut at its 64 bytes */
	assert_int_equal(r.msg.msg_controllen, 64);
	assert_int_equal(r.msg.msg_flags, MSG_CTRUNC);
}

/* Labels at and over the bound. */
static void recv_label_bound(void **state)
{
	static char big[PEERSEC_UDP_CONTROL_MAX + PEERSEC_UDP_LABEL_MAX + 100];
	struct kmsg msgs[] = {
		MSG(SOL_IP, IP_PKTINFO, pktinfo),
		{ SOL_IP, SCM_SECURITY, big, 0 },
		MSG(SOL_IP, IP_ORIGDSTADDR, origdst),
	};
	const struct script s = { .ret = 2, .msgs = msgs, .nmsgs = 3 };
	struct rx r;

	memset(big, 'b', sizeof(big));

	/* the longest label, LABEL_MAX - 1 characters and the NUL, comes
	 * whole however small the caller's buffer */
	big[PEERSEC_UDP_LABEL_MAX - 1] = '\0';
	msgs[1].len = PEERSEC_UDP_LABEL_MAX;
	for (size_t own = 0; own <= 80; own += 4) {
		reset();
		script(s);
		rx_init(&r, own);
		assert_int_equal(rx_recv(&r, 0), 2);
		assert_int_equal(r.label_len, PEERSEC_UDP_LABEL_MAX - 1);
		assert_int_equal(strlen(r.label), PEERSEC_UDP_LABEL_MAX - 1);
		assert_caller_view(&r, &s, own);
	}

	/* LABEL_MAX characters without a NUL: over the bound by one */
	big[PEERSEC_UDP_LABEL_MAX - 1] = 'b';
	reset();
	script(s);
	rx_init(&r, 40);
	assert_int_equal(rx_recv(&r, 0), -EOVERFLOW);

	/* longer, still whole in the library's buffer */
	big[5000] = '\0';
	msgs[1].len = 5001;
	reset();
	script(s);
	rx_init(&r, 40);
	assert_int_equal(rx_recv(&r, 0), -EOVERFLOW);
	assert_int_equal(r.label[0], 'x');

	/* longer than the whole buffer: the kernel cuts the label message
	 * (MSG_CTRUNC) */
	big[5000] = 'b';
	big[sizeof(big) - 1] = '\0';
	msgs[1].len = sizeof(big);
	for (size_t own = 0; own <= 80; own += 8) {
		reset();
		script(s);
		rx_init(&r, own);
		assert_int_equal(rx_recv(&r, 0), -EOVERFLOW);
		assert_int_equal(r.label[0], 'x');
		assert_int_equal(r.label_len, sizeof(r.label));
	}
}

/* The kernel cut the library's buffer, not at the label. */
static void recv_ctrunc(void **state)
{
	static unsigned char huge[PEERSEC_UDP_CONTROL_MAX +
				  PEERSEC_UDP_LABEL_MAX + 512];
	struct kmsg msgs[] = {
		MSG(SOL_IP, IP_PKTINFO, pktinfo),
		LABEL(sel),
		MSG(SOL_IPV6, 3, huge),
	};
	const struct script s = { .ret = 4, .msgs = msgs, .nmsgs = 3 };
	unsigned char raw[128];
	struct rx r;
	size_t n;

	/* label whole, caller's big message after it cut: the caller's
	 * own recvmsg would have cut it too */
	for (size_t own = 0; own <= PEERSEC_UDP_CONTROL_MAX; own += 511) {
		reset();
		script(s);
		rx_init(&r, own);
		assert_int_equal(rx_recv(&r, 0), 4);
		assert_string_equal(r.label, sel);
		assert_true(r.msg.msg_flags & MSG_CTRUNC);
		assert_caller_view(&r, &s, own);
	}

	/* a whole label of the bound, the caller's messages filling its
	 * buffer to less than a header from the end, and one more that the
	 * kernel dropped: only MSG_CTRUNC tells the caller */
	{
		static char lab[PEERSEC_UDP_LABEL_MAX];
		static unsigned char fill[PEERSEC_UDP_CONTROL_MAX -
					  CMSG_SPACE(0) - 8];
		const struct kmsg m2[] = {
			{ SOL_IP, SCM_SECURITY, lab, sizeof(lab) },
			MSG(SOL_IPV6, 3, fill),
			MSG(SOL_IP, IP_TTL, ttl),
		};
		const struct script s2 = { .ret = 4, .msgs = m2, .nmsgs = 3 };

		memset(lab, 'l', sizeof(lab) - 1);
		reset();
		script(s2);
		rx_init(&r, PEERSEC_UDP_CONTROL_MAX);
		assert_int_equal(rx_recv(&r, 0), 4);
		assert_int_equal(r.label_len, sizeof(lab) - 1);
		assert_int_equal(r.msg.msg_flags, MSG_CTRUNC);
		assert_caller_view(&r, &s2, PEERSEC_UDP_CONTROL_MAX);
	}

	/* MSG_CTRUNC and no label seen: one may have been dropped */
	n = raw_cmsg(raw, CMSG_LEN(12), SOL_IP, IP_PKTINFO, 12);
	reset();
	script((struct script){ .ret = 1, .flags = MSG_CTRUNC, .raw = raw,
				.raw_len = n });
	rx_init(&r, 64);
	assert_int_equal(rx_recv(&r, 0), -EOVERFLOW);

	/* MSG_CTRUNC and a label message reaching the buffer's end: it may
	 * be cut, even though it holds a NUL */
	reset();
	{
		static unsigned char edge[PEERSEC_UDP_CONTROL_MAX +
					  CMSG_SPACE(PEERSEC_UDP_LABEL_MAX)];

		n = raw_cmsg(edge, sizeof(edge), SOL_IP, SCM_SECURITY,
			     sizeof(edge) - CMSG_LEN(0));
		edge[CMSG_LEN(0) + 10] = '\0';
		memset(edge + CMSG_LEN(0) + 11, 0, sizeof(edge) - 11 -
		       CMSG_LEN(0));
		script((struct script){ .ret = 1, .flags = MSG_CTRUNC,
					.raw = edge, .raw_len = n });
		rx_init(&r, 0);
		assert_int_equal(rx_recv(&r, 0), -EOVERFLOW);

		/* the same without MSG_CTRUNC is a whole label */
		reset();
		script((struct script){ .ret = 1, .raw = edge, .raw_len = n });
		rx_init(&r, 0);
		assert_int_equal(rx_recv(&r, 0), 1);
		assert_string_equal(r.label, "aaaaaaaaaa");
	}
}

/* ---------------------------------------------------------------------- */
/* peersec_udp_recvmsg: buffers, flags, errors                             */

static void recv_label_buffer_too_small(void **state)
{
	static const struct kmsg msgs[] = {
		MSG(SOL_IP, IP_PKTINFO, pktinfo),
		LABEL(sel),
	};
	const struct script s = { .ret = 11, .msgs = msgs, .nmsgs = 2 };
	const size_t need = sizeof(sel);	/* strlen + NUL */
	char label[64];
	size_t len;
	struct rx r;

	for (size_t cap = 1; cap <= need; cap++) {
		reset();
		script(s);
		rx_init(&r, 64);
		memset(label, 'x', sizeof(label));
		len = cap;
		/* the datagram and the caller's messages are delivered */
		assert_int_equal(peersec_udp_recvmsg(7, &r.msg, 0, label,
						     &len), 11);
		assert_caller_view(&r, &s, 64);
		assert_int_equal(r.data[0], 'D');
		if (cap < need) {
			/* no cut label: "", and the size it needs */
			assert_int_equal(label[0], '\0');
			assert_int_equal(label[1], 'x');
			assert_int_equal(len, need);
			assert_true(len >= cap);
		} else {
			assert_string_equal(label, sel);
			assert_int_equal(len, need - 1);
			assert_true(len < cap);
		}
	}

	/* size 0, label NULL: only the size */
	reset();
	script(s);
	rx_init(&r, 0);
	len = 0;
	assert_int_equal(peersec_udp_recvmsg(7, &r.msg, 0, NULL, &len), 11);
	assert_int_equal(len, need);

	/* size 0 and no label: an empty label needs 1 byte */
	reset();
	script((struct script){ .ret = 3 });
	rx_init(&r, 0);
	len = 0;
	assert_int_equal(peersec_udp_recvmsg(7, &r.msg, 0, NULL, &len), 3);
	assert_int_equal(len, 1);
}

static void recv_invalid_args(void **state)
{
	struct rx r;
	size_t len = 10;

	reset();
	rx_init(&r, 0);
	assert_int_equal(peersec_udp_recvmsg(7, NULL, 0, r.label, &len),
			 -EINVAL);
	assert_int_equal(peersec_udp_recvmsg(7, &r.msg, 0, r.label, NULL),
			 -EINVAL);
	assert_int_equal(peersec_udp_recvmsg(7, &r.msg, 0, NULL, &len),
			 -EINVAL);
	assert_int_equal(k.calls, 0);	/* nothing received */
}

static void recv_errors_pass_through(void **state)
{
	static const int errs[] = { EAGAIN, EINTR, EBADF, ENOTSOCK, EFAULT,
				    ENOMEM, ECONNREFUSED, EHOSTUNREACH,
				    EMSGSIZE, EPROTO };
	struct rx r;

	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		reset();
		script((struct script){ .ret = -errs[i] });
		rx_init(&r, 32);
		assert_int_equal(rx_recv(&r, MSG_DONTWAIT), -errs[i]);
		assert_int_equal(r.msg.msg_controllen, 32);
		assert_int_equal(r.label_len, sizeof(r.label));
		assert_int_equal(r.label[0], 'x');
	}
}

static void recv_errors_closed_set(void **state)
{
	static const int errs[] = { EPERM, EIO, ENOSPC, ERANGE, ENODATA };
	struct rx r;
	struct batch_one { struct mmsghdr vec; struct peersec_udp_label l;
		unsigned char buf[PEERSEC_UDP_CONTROL_SPACE(0)]; } b;

	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		reset();
		script((struct script){ .ret = -errs[i] });
		rx_init(&r, 0);
		assert_int_equal(rx_recv(&r, 0), -EIO);

		reset();
		script((struct script){ .ret = -errs[i] });
		memset(&b, 0, sizeof(b));
		b.vec.msg_hdr.msg_control = b.buf;
		b.vec.msg_hdr.msg_controllen = sizeof(b.buf);
		assert_int_equal(peersec_udp_recvmmsg(7, &b.vec, 1, 0, NULL,
						      &b.l), -EIO);
	}
}

static void recv_flags_pass_through(void **state)
{
	static const struct kmsg msgs[] = { LABEL(sel) };
	struct rx r;

	reset();
	script((struct script){ .ret = 5000, .flags = MSG_TRUNC, .msgs = msgs,
				.nmsgs = 1 });
	rx_init(&r, 0);
	assert_int_equal(rx_recv(&r, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT),
			 5000);
	assert_int_equal(k.flags, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
	assert_int_equal(r.msg.msg_flags, MSG_TRUNC);
	assert_string_equal(r.label, sel);
}

static void recv_control_sizes(void **state)
{
	static const struct kmsg msgs[] = { MSG(SOL_IP, IP_TTL, ttl) };
	const struct script s = { .ret = 1, .msgs = msgs, .nmsgs = 1 };
	static unsigned char big[PEERSEC_UDP_CONTROL_MAX * 2];
	struct rx r;

	/* msg_control NULL with a length: no room, as for the kernel */
	reset();
	script(s);
	rx_init(&r, 0);
	r.msg.msg_controllen = 100;
	assert_int_equal(rx_recv(&r, 0), 1);
	assert_int_equal(r.msg.msg_controllen, 0);
	assert_int_equal(r.msg.msg_flags, MSG_CTRUNC);

	/* a huge buffer is used up to PEERSEC_UDP_CONTROL_MAX */
	reset();
	script(s);
	rx_init(&r, 0);
	r.msg.msg_control = big;
	r.msg.msg_controllen = sizeof(big);
	assert_int_equal(rx_recv(&r, 0), 1);
	assert_int_equal(k.offered, PEERSEC_UDP_CONTROL_MAX +
			 CMSG_SPACE(PEERSEC_UDP_LABEL_MAX));
	assert_int_equal(r.msg.msg_controllen, CMSG_SPACE(sizeof(ttl)));
	assert_int_equal(r.msg.msg_flags, 0);
}

/* ---------------------------------------------------------------------- */
/* peersec_udp_recvmmsg                                                    */

#define VLEN 4
#define OWN 64

struct batch {
	char data[VLEN][16];
	struct iovec iov[VLEN];
	struct sockaddr_in name[VLEN];
	union {
		struct cmsghdr align;
		unsigned char buf[PEERSEC_UDP_CONTROL_SPACE(OWN)];
	} ctl[VLEN];
	struct mmsghdr vec[VLEN];
	struct peersec_udp_label labels[VLEN];
};

static void batch_init(struct batch *b)
{
	memset(b, 0, sizeof(*b));
	for (int i = 0; i < VLEN; i++) {
		b->iov[i].iov_base = b->data[i];
		b->iov[i].iov_len = sizeof(b->data[i]);
		b->vec[i].msg_hdr.msg_iov = &b->iov[i];
		b->vec[i].msg_hdr.msg_iovlen = 1;
		b->vec[i].msg_hdr.msg_name = &b->name[i];
		b->vec[i].msg_hdr.msg_namelen = sizeof(b->name[i]);
		b->vec[i].msg_hdr.msg_control = b->ctl[i].buf;
		b->vec[i].msg_hdr.msg_controllen = sizeof(b->ctl[i].buf);
	}
}

static void assert_batch_view(const struct batch *b, int i,
			      const struct script *s)
{
	union {
		struct cmsghdr align;
		unsigned char buf[OWN];
	} ref;
	struct msghdr m;

	memset(&m, 0, sizeof(m));
	m.msg_control = ref.buf;
	m.msg_controllen = OWN;
	kernel_fill(&m, s, true);
	assert_int_equal(b->vec[i].msg_hdr.msg_controllen, m.msg_controllen);
	assert_int_equal(b->vec[i].msg_hdr.msg_flags, m.msg_flags);
	assert_same_messages(b->ctl[i].buf, ref.buf, m.msg_controllen);
}

static void mmsg_mixed(void **state)
{
	static const char other[] = "system_u:system_r:other_t:s0:c1";
	static const char smack[] = { 'S', 'm', 'a', 'c', 'k' };
	static const unsigned char bin[4] = { 'a', 0, 'b', 0 };
	static const struct kmsg m0[] = {
		MSG(SOL_IP, IP_PKTINFO, pktinfo), LABEL(sel),
		MSG(SOL_IP, IP_ORIGDSTADDR, origdst),
	};
	static const struct kmsg m1[] = {
		LABEL(other), MSG(SOL_IP, IP_PKTINFO, pktinfo),
		MSG(SOL_IP, IP_TTL, ttl), MSG(SOL_IP, IP_ORIGDSTADDR, origdst),
	};
	static const struct kmsg m2[] = { MSG(SOL_IP, IP_PKTINFO, pktinfo) };
	static const struct kmsg m3[] = {
		MSG(SOL_IP, IP_PKTINFO, pktinfo), MSG(SOL_IP, SCM_SECURITY, bin),
	};
	static const struct kmsg m4[] = {
		{ SOL_IP, SCM_SECURITY, smack, sizeof(smack) },
	};
	const struct script s[] = {
		{ .ret = 10, .msgs = m0, .nmsgs = 3 },
		{ .ret = 11, .msgs = m1, .nmsgs = 4 },
		{ .ret = 12, .msgs = m2, .nmsgs = 1 },
		{ .ret = 13, .msgs = m3, .nmsgs = 2 },
		{ .ret = 14, .msgs = m4, .nmsgs = 1 },
	};
	struct timespec ts = { 1, 0 };
	struct batch b;
	int n;

	reset();
	for (int i = 0; i < 5; i++)
		script(s[i]);
	batch_init(&b);
	n = peersec_udp_recvmmsg(7, b.vec, VLEN, MSG_WAITFORONE, &ts,
				 b.labels);
	assert_int_equal(n, VLEN);
	assert_int_equal(k.vlen, VLEN);
	assert_int_equal(k.flags, MSG_WAITFORONE);
	assert_ptr_equal(k.timeout, &ts);

	assert_int_equal(b.labels[0].error, 0);
	assert_string_equal(b.labels[0].label, sel);
	assert_int_equal(b.labels[0].len, strlen(sel));
	assert_int_equal(b.labels[1].error, 0);
	assert_string_equal(b.labels[1].label, other);
	assert_int_equal(b.labels[1].len, strlen(other));
	assert_int_equal(b.labels[2].error, 0);
	assert_string_equal(b.labels[2].label, "");
	assert_int_equal(b.labels[2].len, 0);
	assert_int_equal(b.labels[3].error, -EBADMSG);
	assert_null(b.labels[3].label);
	assert_int_equal(b.vec[3].msg_hdr.msg_controllen, 0);

	for (int i = 0; i < VLEN; i++) {
		assert_int_equal(b.vec[i].msg_len, 10 + i);
		if (i != 3)
			assert_batch_view(&b, i, &s[i]);
		if (b.labels[i].label != NULL && b.labels[i].len > 0) {
			/* the label lies in its own buffer, past the
			 * caller's messages */
			const char *lo = (const char *)b.ctl[i].buf;

			assert_true(b.labels[i].label >=
				    lo + b.vec[i].msg_hdr.msg_controllen);
			assert_true(b.labels[i].label + b.labels[i].len <
				    lo + sizeof(b.ctl[i].buf));
		}
	}

	/* the next call: reset msg_controllen, receive the fifth */
	batch_init(&b);
	n = peersec_udp_recvmmsg(7, b.vec, VLEN, 0, NULL, b.labels);
	assert_int_equal(n, 1);
	assert_string_equal(b.labels[0].label, "Smack");
	assert_int_equal(b.labels[0].len, 5);
}

static void mmsg_own_sizes(void **state)
{
	static const struct kmsg m[] = {
		MSG(SOL_IP, IP_TTL, ttl), LABEL(sel),
		MSG(SOL_IP, IP_ORIGDSTADDR, origdst),
	};
	const struct script s = { .ret = 1, .msgs = m, .nmsgs = 3 };
	static union {
		struct cmsghdr align;
		unsigned char buf[PEERSEC_UDP_CONTROL_SPACE(80)];
	} ctl, ref;

	for (size_t own = 0; own <= 80; own++) {
		struct mmsghdr vec;
		struct peersec_udp_label lab;
		struct msghdr m2;

		reset();
		script(s);
		memset(&vec, 0, sizeof(vec));
		vec.msg_hdr.msg_control = ctl.buf;
		vec.msg_hdr.msg_controllen = PEERSEC_UDP_CONTROL_SPACE(own);
		assert_int_equal(peersec_udp_recvmmsg(7, &vec, 1, 0, NULL,
						      &lab), 1);
		assert_int_equal(lab.error, 0);
		assert_string_equal(lab.label, sel);

		memset(&m2, 0, sizeof(m2));
		m2.msg_control = own > 0 ? ref.buf : NULL;
		m2.msg_controllen = own;
		kernel_fill(&m2, &s, true);
		assert_int_equal(vec.msg_hdr.msg_controllen,
				 m2.msg_controllen);
		assert_int_equal(vec.msg_hdr.msg_flags, m2.msg_flags);
		assert_same_messages(ctl.buf, ref.buf, m2.msg_controllen);
	}
}

static void mmsg_invalid(void **state)
{
	struct batch b;

	reset();
	batch_init(&b);
	assert_int_equal(peersec_udp_recvmmsg(7, NULL, 1, 0, NULL, b.labels),
			 -EINVAL);
	assert_int_equal(peersec_udp_recvmmsg(7, b.vec, 1, 0, NULL, NULL),
			 -EINVAL);
	b.vec[2].msg_hdr.msg_controllen = PEERSEC_UDP_CONTROL_SPACE(0) - 1;
	assert_int_equal(peersec_udp_recvmmsg(7, b.vec, VLEN, 0, NULL,
					      b.labels), -EINVAL);
	batch_init(&b);
	b.vec[1].msg_hdr.msg_control = NULL;
	assert_int_equal(peersec_udp_recvmmsg(7, b.vec, VLEN, 0, NULL,
					      b.labels), -EINVAL);
	assert_int_equal(k.calls, 0);

	/* vlen 0 goes to the kernel as is */
	assert_int_equal(peersec_udp_recvmmsg(7, NULL, 0, 0, NULL, NULL), 0);
	assert_int_equal(k.calls, 1);
}

static void mmsg_errors(void **state)
{
	static const int errs[] = { EAGAIN, EINTR, EBADF, ECONNREFUSED };
	struct batch b;

	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		reset();
		script((struct script){ .ret = -errs[i] });
		batch_init(&b);
		assert_int_equal(peersec_udp_recvmmsg(7, b.vec, VLEN,
						      MSG_DONTWAIT, NULL,
						      b.labels), -errs[i]);
	}
}

static void mmsg_overflow_per_datagram(void **state)
{
	static char big[PEERSEC_UDP_LABEL_MAX + 64];
	static const struct kmsg ok[] = { LABEL(sel) };
	struct kmsg over[] = {
		MSG(SOL_IP, IP_TTL, ttl), { SOL_IP, SCM_SECURITY, big, sizeof(big) },
	};
	struct batch b;

	memset(big, 'o', sizeof(big) - 1);
	reset();
	script((struct script){ .ret = 1, .msgs = ok, .nmsgs = 1 });
	script((struct script){ .ret = 2, .msgs = over, .nmsgs = 2 });
	script((struct script){ .ret = 3, .msgs = ok, .nmsgs = 1 });
	batch_init(&b);
	assert_int_equal(peersec_udp_recvmmsg(7, b.vec, 3, 0, NULL, b.labels),
			 3);
	assert_string_equal(b.labels[0].label, sel);
	assert_int_equal(b.labels[1].error, -EOVERFLOW);
	assert_null(b.labels[1].label);
	assert_string_equal(b.labels[2].label, sel);
}

/* ---------------------------------------------------------------------- */
/* Descriptors on the error paths                                          */

static void open_fds(int *fds, int n)
{
	for (int i = 0; i < n; i++) {
		fds[i] = dup(0);
		assert_true(fds[i] >= 0);
	}
}

static int open_count(const int *fds, int n)
{
	int open = 0;

	for (int i = 0; i < n; i++)
		open += fcntl(fds[i], F_GETFD) >= 0;
	return open;
}

/* Whatever goes wrong after the receive, no descriptor the fake kernel
 * "installed" stays open: two labels (-EBADMSG), a label cut at the end of
 * the buffer (-EOVERFLOW), a label too long (-EOVERFLOW), malformed data
 * after the descriptors (-EBADMSG). */
static void rights_closed_on_errors(void **state)
{
	static char big[PEERSEC_UDP_LABEL_MAX + 64];
	int fds[6];
	struct kmsg two[] = {
		{ SOL_SOCKET, SCM_RIGHTS, fds, sizeof(fds) },
		{ SOL_SOCKET, SCM_SECURITY, sel, sizeof(sel) },
		LABEL(sel),
	};
	struct kmsg over[] = {
		{ SOL_SOCKET, SCM_RIGHTS, fds, sizeof(fds) },
		{ SOL_SOCKET, SCM_SECURITY, big, sizeof(big) },
	};
	struct rx r;

	memset(big, 'o', sizeof(big) - 1);
	for (int round = 0; round < 2; round++) {
		reset();
		open_fds(fds, 6);
		script((struct script){ .ret = 1, .msgs = two, .nmsgs = 3 });
		rx_init(&r, 256);
		r.ret = peersec_dgram_recvmsg(7, &r.msg, 0, r.label,
					      &r.label_len);
		assert_int_equal(r.ret, -EBADMSG);
		assert_int_equal(open_count(fds, 6), 0);

		reset();
		open_fds(fds, 6);
		script((struct script){ .ret = 1, .msgs = over, .nmsgs = 2 });
		rx_init(&r, round == 0 ? 0 : 256);
		r.ret = peersec_dgram_recvmsg(7, &r.msg, 0, r.label,
					      &r.label_len);
		assert_int_equal(r.ret, -EOVERFLOW);
		assert_int_equal(open_count(fds, 6), 0);
	}
}

/* The kernel set MSG_CTRUNC on the library's buffer.  Descriptors come
 * after the label, so when some were written the answer "no label" is
 * certain; with nothing written the label may have been lost. */
static void rights_closed_on_cut(void **state)
{
	int fds[3];
	unsigned char raw[CMSG_SPACE(sizeof(fds))];
	struct cmsghdr h = { .cmsg_len = CMSG_LEN(sizeof(fds)),
			     .cmsg_level = SOL_SOCKET,
			     .cmsg_type = SCM_RIGHTS };
	struct rx r;

	reset();
	open_fds(fds, 3);
	memset(raw, 0, sizeof(raw));
	memcpy(raw, &h, sizeof(h));
	memcpy(raw + CMSG_LEN(0), fds, sizeof(fds));
	/* The kernel wrote the descriptors (and cut what came after): */
	script((struct script){ .ret = 1, .flags = MSG_CTRUNC, .raw = raw,
				.raw_len = CMSG_SPACE(sizeof(fds)) });
	rx_init(&r, 256);
	/* descriptors were written: the label came before them or not at
	 * all, so the answer is certain ("" and the descriptors kept) */
	r.ret = peersec_dgram_recvmsg(7, &r.msg, 0, r.label, &r.label_len);
	assert_int_equal(r.ret, 1);
	assert_int_equal(r.label_len, 0);
	assert_true(r.msg.msg_flags & MSG_CTRUNC);
	assert_int_equal(open_count(fds, 3), 3);
	for (int i = 0; i < 3; i++)
		close(fds[i]);

	/* no descriptors and nothing else: the label may have been lost */
	reset();
	script((struct script){ .ret = 1, .flags = MSG_CTRUNC, .raw = raw,
				.raw_len = 0 });
	rx_init(&r, 256);
	assert_int_equal(peersec_dgram_recvmsg(7, &r.msg, 0, r.label,
					       &r.label_len), -EOVERFLOW);
}

/* Batched: the datagram that fails loses its descriptors, the others keep
 * theirs. */
static void rights_closed_per_datagram(void **state)
{
	int good[2], bad[4];
	struct kmsg ok[] = {
		{ SOL_SOCKET, SCM_RIGHTS, good, sizeof(good) },
		{ SOL_SOCKET, SCM_SECURITY, sel, sizeof(sel) },
	};
	struct kmsg two[] = {
		{ SOL_SOCKET, SCM_RIGHTS, bad, sizeof(bad) },
		{ SOL_SOCKET, SCM_SECURITY, sel, sizeof(sel) },
		LABEL(sel),
	};
	struct batch b;

	reset();
	open_fds(good, 2);
	open_fds(bad, 4);
	script((struct script){ .ret = 1, .msgs = two, .nmsgs = 3 });
	script((struct script){ .ret = 2, .msgs = ok, .nmsgs = 2 });
	batch_init(&b);
	assert_int_equal(peersec_dgram_recvmmsg(7, b.vec, 2, 0, NULL,
						b.labels), 2);
	assert_int_equal(b.labels[0].error, -EBADMSG);
	assert_int_equal(open_count(bad, 4), 0);
	assert_int_equal(b.labels[1].error, 0);
	assert_string_equal(b.labels[1].label, sel);
	assert_int_equal(open_count(good, 2), 2);
	for (int i = 0; i < 2; i++)
		close(good[i]);
}

/* A pipe's read end stands in for the sender's pidfd (the write end is
 * closed at once). */
static int open_pidfd(void)
{
	int p[2];

	assert_int_equal(pipe(p), 0);
	close(p[1]);
	return p[0];
}

/* Where the caller's control data holds an SCM_PIDFD, its descriptor. */
static int delivered_pidfd(const struct msghdr *m)
{
	if (m->msg_control == NULL)
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c != NULL;
	     c = CMSG_NXTHDR((struct msghdr *)m, c)) {
		int fd;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_PIDFD)
			continue;
		assert_int_equal(c->cmsg_len, CMSG_LEN(sizeof(fd)));
		memcpy(&fd, CMSG_DATA(c), sizeof(fd));
		return fd;
	}
	return -1;
}

/* SO_PASSPIDFD, for every size of the caller's buffer: the pidfd reaches
 * the caller when plain recvmsg would have given it (the whole message
 * fits after the credentials and descriptors), and is closed otherwise,
 * with MSG_CTRUNC.  Both receive functions. */
static void pidfd_closed_on_cut(void **state)
{
	static const unsigned char creds[12] = { 1, 0, 0, 0 };
	int rights[2], pidfd;
	const struct kmsg msgs[] = {
		MSG(SOL_SOCKET, SCM_CREDENTIALS, creds),
		{ SOL_SOCKET, SCM_SECURITY, sel, sizeof(sel) },
		{ SOL_SOCKET, SCM_RIGHTS, rights, sizeof(rights) },
		{ SOL_SOCKET, SCM_PIDFD, &pidfd, sizeof(pidfd) },
	};
	const struct script s = { .ret = 1, .msgs = msgs, .nmsgs = 4 };
	const size_t need = CMSG_SPACE(sizeof(creds)) +
			    CMSG_SPACE(sizeof(rights)) + CMSG_SPACE(sizeof(int));

	for (size_t own = 0; own <= need + 8; own++) {
		static union {
			struct cmsghdr align;
			unsigned char buf[PEERSEC_UDP_CONTROL_SPACE(128)];
		} ctl;
		bool fits = own >= CMSG_SPACE(sizeof(creds)) +
				   CMSG_SPACE(sizeof(rights)) +
				   CMSG_LEN(sizeof(int));
		struct mmsghdr vec;
		struct peersec_udp_label lab;
		struct rx r;

		reset();
		open_fds(rights, 2);
		pidfd = open_pidfd();
		script(s);
		rx_init(&r, own);
		r.ret = peersec_dgram_recvmsg(7, &r.msg, 0, r.label,
					      &r.label_len);
		assert_int_equal(r.ret, 1);
		assert_string_equal(r.label, sel);
		assert_caller_view(&r, &s, own);
		assert_int_equal(open_count(&pidfd, 1), fits);
		assert_int_equal(delivered_pidfd(&r.msg), fits ? pidfd : -1);
		if (!fits)
			assert_true(r.msg.msg_flags & MSG_CTRUNC);
		close(pidfd);
		for (int i = 0; i < 2; i++)
			close(rights[i]);

		reset();
		open_fds(rights, 2);
		pidfd = open_pidfd();
		script(s);
		memset(&vec, 0, sizeof(vec));
		vec.msg_hdr.msg_control = ctl.buf;
		vec.msg_hdr.msg_controllen = PEERSEC_UDP_CONTROL_SPACE(own);
		assert_int_equal(peersec_dgram_recvmmsg(7, &vec, 1, 0, NULL,
							&lab), 1);
		assert_int_equal(lab.error, 0);
		assert_int_equal(open_count(&pidfd, 1), fits);
		assert_int_equal(delivered_pidfd(&vec.msg_hdr),
				 fits ? pidfd : -1);
		if (!fits)
			assert_true(vec.msg_hdr.msg_flags & MSG_CTRUNC);
		close(pidfd);
		for (int i = 0; i < 2; i++)
			close(rights[i]);
	}
}

/* Whatever goes wrong after the receive, the pidfd is closed with the
 * other descriptors: two labels and a malformed SCM_PIDFD (-EBADMSG), a
 * label too long and a cut with no label (-EOVERFLOW); in a batch, only
 * the failing datagram's. */
static void pidfd_closed_on_errors(void **state)
{
	/* the longest label message that fits, with no NUL: too long */
	static char full[PEERSEC_UDP_LABEL_MAX];
	int rights[3], pidfd, pidfd2[2];
	const struct kmsg two[] = {
		{ SOL_SOCKET, SCM_SECURITY, sel, sizeof(sel) },
		LABEL(sel),
		{ SOL_SOCKET, SCM_RIGHTS, rights, sizeof(rights) },
		{ SOL_SOCKET, SCM_PIDFD, &pidfd, sizeof(pidfd) },
	};
	const struct kmsg over[] = {
		{ SOL_SOCKET, SCM_SECURITY, full, sizeof(full) },
		{ SOL_SOCKET, SCM_RIGHTS, rights, sizeof(rights) },
		{ SOL_SOCKET, SCM_PIDFD, &pidfd, sizeof(pidfd) },
	};
	const struct kmsg wide[] = {
		{ SOL_SOCKET, SCM_RIGHTS, rights, sizeof(rights) },
		{ SOL_SOCKET, SCM_PIDFD, pidfd2, sizeof(pidfd2) },
	};
	const struct kmsg lone[] = {
		{ SOL_SOCKET, SCM_PIDFD, &pidfd, sizeof(pidfd) },
	};
	const struct {
		const struct kmsg *msgs;
		size_t n;
		int flags, err;
	} cases[] = {
		{ two, 4, 0, -EBADMSG },
		{ over, 3, 0, -EOVERFLOW },
		{ wide, 2, 0, -EBADMSG },
		{ lone, 1, MSG_CTRUNC, -EOVERFLOW },
	};

	memset(full, 'o', sizeof(full));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (size_t own = 0; own <= 256; own += 64) {
			const struct script s = { .ret = 1,
						  .flags = cases[i].flags,
						  .msgs = cases[i].msgs,
						  .nmsgs = cases[i].n };
			struct batch b;
			struct rx r;

			reset();
			open_fds(rights, 3);
			pidfd = open_pidfd();
			pidfd2[0] = open_pidfd();
			pidfd2[1] = open_pidfd();
			script(s);
			rx_init(&r, own);
			r.ret = peersec_dgram_recvmsg(7, &r.msg, 0, r.label,
						      &r.label_len);
			assert_int_equal(r.ret, cases[i].err);
			assert_int_equal(open_count(rights, 3),
					 cases[i].msgs == lone ? 3 : 0);
			assert_int_equal(open_count(&pidfd, 1),
					 cases[i].msgs == wide ? 1 : 0);
			assert_int_equal(open_count(pidfd2, 2),
					 cases[i].msgs == wide ? 0 : 2);
			for (int j = 0; j < 3; j++)
				close(rights[j]);
			close(pidfd);
			close(pidfd2[0]);
			close(pidfd2[1]);
			if (own != 0)
				continue;

			/* batched, between two good datagrams */
			reset();
			open_fds(rights, 3);
			pidfd = open_pidfd();
			pidfd2[0] = open_pidfd();
			pidfd2[1] = open_pidfd();
			script((struct script){ .ret = 1 });	/* no cmsg */
			script(s);
			script((struct script){ .ret = 1 });	/* no cmsg */
			batch_init(&b);
			assert_int_equal(peersec_dgram_recvmmsg(7, b.vec, 3, 0,
								NULL, b.labels),
					 3);
			assert_int_equal(b.labels[0].error, 0);
			assert_int_equal(b.labels[1].error, cases[i].err);
			assert_int_equal(b.labels[2].error, 0);
			assert_int_equal(open_count(&pidfd, 1),
					 cases[i].msgs == wide ? 1 : 0);
			assert_int_equal(open_count(pidfd2, 2),
					 cases[i].msgs == wide ? 0 : 2);
			for (int j = 0; j < 3; j++)
				close(rights[j]);
			close(pidfd);
			close(pidfd2[0]);
			close(pidfd2[1]);
		}
	}
}

/* ---------------------------------------------------------------------- */
/* peersec_cmsg_label                                                      */

static void cmsg_label_cases(void **state)
{
	union {
		struct cmsghdr align;
		unsigned char buf[512];
	} ctl;
	struct msghdr m;
	char out[64];
	size_t len;
	static const struct kmsg one[] = {
		MSG(SOL_SOCKET, SCM_CREDENTIALS, pktinfo),
		{ SOL_SOCKET, SCM_SECURITY, sel, sizeof(sel) },
	};
	static const struct kmsg two[] = {
		{ SOL_SOCKET, SCM_SECURITY, sel, sizeof(sel) }, LABEL(sel),
	};
	static const struct kmsg none[] = { MSG(SOL_IP, IP_TTL, ttl) };
	const struct script s1 = { .msgs = one, .nmsgs = 2 };
	const struct script s2 = { .msgs = two, .nmsgs = 2 };
	const struct script s0 = { .msgs = none, .nmsgs = 1 };
	unsigned char copy[512];

	memset(&ctl, 0, sizeof(ctl));
#define FILL(s, size) do {						\
		memset(&m, 0, sizeof(m));				\
		m.msg_control = ctl.buf;				\
		m.msg_controllen = (size);				\
		kernel_fill(&m, &(s), false);				\
	} while (0)

	/* found, and the message is left as it was */
	FILL(s1, sizeof(ctl.buf));
	memcpy(copy, ctl.buf, sizeof(copy));
	len = sizeof(out);
	assert_int_equal(peersec_cmsg_label(&m, out, &len), 0);
	assert_string_equal(out, sel);
	assert_int_equal(len, strlen(sel));
	assert_memory_equal(copy, ctl.buf, sizeof(copy));

	/* -ERANGE with the size, then it fits */
	len = strlen(sel);
	assert_int_equal(peersec_cmsg_label(&m, out, &len), -ERANGE);
	assert_int_equal(len, sizeof(sel));
	assert_int_equal(peersec_cmsg_label(&m, out, &len), 0);
	len = 0;
	assert_int_equal(peersec_cmsg_label(&m, NULL, &len), -ERANGE);
	assert_int_equal(len, sizeof(sel));

	/* none: "" and 0 */
	FILL(s0, sizeof(ctl.buf));
	len = sizeof(out);
	assert_int_equal(peersec_cmsg_label(&m, out, &len), 0);
	assert_string_equal(out, "");
	assert_int_equal(len, 0);
	m.msg_control = NULL;
	m.msg_controllen = 0;
	len = sizeof(out);
	assert_int_equal(peersec_cmsg_label(&m, out, &len), 0);
	assert_int_equal(len, 0);

	/* two labels */
	FILL(s2, sizeof(ctl.buf));
	len = sizeof(out);
	assert_int_equal(peersec_cmsg_label(&m, out, &len), -EBADMSG);

	/* the kernel cut it: every buffer size that cuts or drops the label */
	for (size_t size = 0; size < CMSG_SPACE(12) + CMSG_LEN(sizeof(sel));
	     size++) {
		FILL(s1, size);
		assert_true(m.msg_flags & MSG_CTRUNC);
		len = sizeof(out);
		assert_int_equal(peersec_cmsg_label(&m, out, &len),
				 -EOVERFLOW);
	}
	/* whole, with MSG_CTRUNC from a message after it: certain */
	{
		const struct kmsg after[] = {
			{ SOL_SOCKET, SCM_SECURITY, sel, sizeof(sel) },
			MSG(SOL_IP, IP_TTL, ttl), MSG(SOL_IP, IP_TTL, ttl),
		};
		const struct script sa = { .msgs = after, .nmsgs = 3 };

		FILL(sa, CMSG_SPACE(sizeof(sel)) + CMSG_SPACE(4) + 8);
		assert_true(m.msg_flags & MSG_CTRUNC);
		len = sizeof(out);
		assert_int_equal(peersec_cmsg_label(&m, out, &len), 0);
		assert_string_equal(out, sel);
	}

	/* bad arguments */
	len = sizeof(out);
	assert_int_equal(peersec_cmsg_label(NULL, out, &len), -EINVAL);
	assert_int_equal(peersec_cmsg_label(&m, out, NULL), -EINVAL);
	assert_int_equal(peersec_cmsg_label(&m, NULL, &len), -EINVAL);

	/* malformed: cmsg_len past the data */
	FILL(s1, sizeof(ctl.buf));
	m.msg_controllen -= 8;
	len = sizeof(out);
	assert_int_equal(peersec_cmsg_label(&m, out, &len), -EBADMSG);
#undef FILL
}

/* ---------------------------------------------------------------------- */
/* peersec_dgram_enable                                                    */

static void dgram_enable_unix(void **state)
{
	reset();
	k.domain = AF_UNIX;
	for (int t = 0; t < 3; t++) {
		static const int types[] = { SOCK_DGRAM, SOCK_STREAM,
					     SOCK_SEQPACKET };

		k.type = types[t];
		assert_int_equal(peersec_dgram_enable(3), 0);
		assert_int_equal(k.set_level, SOL_SOCKET);
		assert_int_equal(k.set_name, 34);	/* SO_PASSSEC */
		assert_int_equal(k.set_val, 1);
	}
	k.domain = AF_INET;
	k.type = SOCK_DGRAM;
	assert_int_equal(peersec_dgram_enable(3), 0);
	assert_int_equal(k.set_level, SOL_IP);
	assert_int_equal(k.set_name, IP_PASSSEC);
	k.type = SOCK_STREAM;
	assert_int_equal(peersec_dgram_enable(3), -EPROTOTYPE);
	k.domain = AF_NETLINK;
	assert_int_equal(peersec_dgram_enable(3), -EAFNOSUPPORT);
	k.domain = AF_INET;
	k.type = SOCK_DGRAM;
	k.setsockopt_err = EPERM;	/* undocumented: -EIO */
	assert_int_equal(peersec_dgram_enable(3), -EIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(enable_inet),
		cmocka_unit_test(enable_inet6_uses_sol_ip),
		cmocka_unit_test(enable_wrong_family),
		cmocka_unit_test(enable_wrong_type),
		cmocka_unit_test(enable_errors),
		cmocka_unit_test(recv_no_cmsg),
		cmocka_unit_test(recv_label_only),
		cmocka_unit_test(recv_label_without_nul),
		cmocka_unit_test(recv_label_among_others),
		cmocka_unit_test(recv_type3_other_levels),
		cmocka_unit_test(recv_sol_ip_type3_not_a_label),
		cmocka_unit_test(recv_embedded_nul),
		cmocka_unit_test(recv_zero_length_label),
		cmocka_unit_test(recv_two_labels),
		cmocka_unit_test(recv_bad_cmsg_len),
		cmocka_unit_test(recv_unaligned_end),
		cmocka_unit_test(recv_label_at_buffer_end),
		cmocka_unit_test(recv_label_bound),
		cmocka_unit_test(recv_ctrunc),
		cmocka_unit_test(recv_label_buffer_too_small),
		cmocka_unit_test(recv_invalid_args),
		cmocka_unit_test(recv_errors_pass_through),
		cmocka_unit_test(recv_errors_closed_set),
		cmocka_unit_test(recv_flags_pass_through),
		cmocka_unit_test(recv_control_sizes),
		cmocka_unit_test(mmsg_mixed),
		cmocka_unit_test(mmsg_own_sizes),
		cmocka_unit_test(mmsg_invalid),
		cmocka_unit_test(mmsg_errors),
		cmocka_unit_test(mmsg_overflow_per_datagram),
		cmocka_unit_test(rights_closed_on_errors),
		cmocka_unit_test(rights_closed_on_cut),
		cmocka_unit_test(rights_closed_per_datagram),
		cmocka_unit_test(pidfd_closed_on_cut),
		cmocka_unit_test(pidfd_closed_on_errors),
		cmocka_unit_test(cmsg_label_cases),
		cmocka_unit_test(dgram_enable_unix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
