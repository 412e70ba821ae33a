/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * UDP fixture: a receiver whose queue is filled before each timed drain, so
 * that the sender stays out of the measurement, and the ways to drain it.
 *
 * The hand-written loops are what a careful daemon writes without the
 * library: a control buffer with room for the label, MSG_CTRUNC refused,
 * every control message walked, the label copied out NUL-terminated into the
 * same label buffer the library writes to.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fixtures.h"
#include "kernel-abi.h"

#define SEND_CHUNK 64

#ifdef FX_HAVE_UDP_RECVMMSG
_Static_assert(sizeof(((struct fx_udp *)0)->bcbuf[0]) >=
	       PEERSEC_UDP_CONTROL_SPACE(0),
	       "batch control buffers as the library asks");
#endif

static long fail(const char *what, long r)
{
	fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what,
		strerror(r < 0 ? (int)-r : 0));
	return -1;
}

/* Empty the queue; returns how many datagrams it held. */
static size_t drain_all(struct fx_udp *u)
{
	size_t n = 0;

	while (recv(u->rx, u->data, sizeof(u->data), MSG_DONTWAIT) >= 0)
		n++;
	return n;
}

static int send_n(struct fx_udp *u, size_t n)
{
	struct mmsghdr m[SEND_CHUNK];
	struct iovec iov = { .iov_base = u->bdata[0], .iov_len = u->payload };

	for (int i = 0; i < SEND_CHUNK; i++)
		m[i] = (struct mmsghdr){
			.msg_hdr = { .msg_iov = &iov, .msg_iovlen = 1 },
		};
	while (n > 0) {
		unsigned int k = n < SEND_CHUNK ? (unsigned int)n : SEND_CHUNK;
		int r = sendmmsg(u->tx, m, k, 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		n -= (size_t)r;
	}
	return 0;
}

long fx_udp_fill(void *p, size_t n)
{
	struct fx_udp *u = p;
	int r;

	drain_all(u);
	if (n > u->capacity)
		n = u->capacity;
	r = send_n(u, n);
	if (r < 0)
		return fail("sendmmsg", r);
	return (long)n;
}

/* The label of one received message, as a daemon would extract it. */
static int hand_label(struct msghdr *msg, char *label, size_t size,
		      size_t *len)
{
	if (msg->msg_flags & MSG_CTRUNC)
		return -EMSGSIZE;
	*len = 0;
	label[0] = '\0';
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c != NULL;
	     c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == SOL_IP && c->cmsg_type == SCM_SECURITY) {
			size_t n = c->cmsg_len - CMSG_LEN(0);

			n = strnlen((const char *)CMSG_DATA(c), n);
			if (n >= size)
				return -ERANGE;
			memcpy(label, CMSG_DATA(c), n);
			label[n] = '\0';
			*len = n;
		}
	}
	return 0;
}

long fx_hand_recvmsg(void *p, size_t n)
{
	struct fx_udp *u = p;
	struct iovec iov = { .iov_base = u->data, .iov_len = sizeof(u->data) };
	size_t i;

	for (i = 0; i < n; i++) {
		struct msghdr msg = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = u->cbuf,
			.msg_controllen = sizeof(u->cbuf),
		};
		size_t len;
		ssize_t r = recvmsg(u->rx, &msg, MSG_DONTWAIT);

		if (r < 0) {
			if (errno == EAGAIN)
				break;
			return fail("recvmsg", -errno);
		}
		if (hand_label(&msg, u->label, sizeof(u->label), &len) < 0)
			return fail("hand-written CMSG loop", -EMSGSIZE);
		if (u->labeled && len == 0)
			return fail("recvmsg: a datagram without label",
				    -ENODATA);
	}
	return (long)i;
}

long fx_bare_recvmsg(void *p, size_t n)
{
	struct fx_udp *u = p;
	struct iovec iov = { .iov_base = u->data, .iov_len = sizeof(u->data) };
	size_t i;

	for (i = 0; i < n; i++) {
		struct msghdr msg = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = u->cbuf,
			.msg_controllen = sizeof(u->cbuf),
		};

		if (recvmsg(u->rx, &msg, MSG_DONTWAIT) < 0) {
			if (errno == EAGAIN)
				break;
			return fail("recvmsg", -errno);
		}
	}
	return (long)i;
}

long fx_udp_recvmsg(void *p, size_t n)
{
	struct fx_udp *u = p;
	struct iovec iov = { .iov_base = u->data, .iov_len = sizeof(u->data) };
	size_t i;

	for (i = 0; i < n; i++) {
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
		size_t len = sizeof(u->label);
		ssize_t r = peersec_udp_recvmsg(u->rx, &msg, MSG_DONTWAIT,
						u->label, &len);

		if (r == -EAGAIN)
			break;
		if (r < 0)
			return fail("peersec_udp_recvmsg", r);
		if (u->labeled && len == 0)
			return fail("peersec_udp_recvmsg: a datagram without "
				    "label", -ENODATA);
	}
	return (long)i;
}

/* The label of one message of a batch, found in place: a pointer into the
 * control buffer and a length, as the library's batched form gives it. */
static int hand_label_ref(struct msghdr *msg, const char **label, size_t *len)
{
	if (msg->msg_flags & MSG_CTRUNC)
		return -EMSGSIZE;
	*label = "";
	*len = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c != NULL;
	     c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == SOL_IP && c->cmsg_type == SCM_SECURITY) {
			size_t max = c->cmsg_len - CMSG_LEN(0);
			size_t n = strnlen((const char *)CMSG_DATA(c), max);

			if (n == max)	/* no NUL: not a C string */
				return -EBADMSG;
			*label = (const char *)CMSG_DATA(c);
			*len = n;
		}
	}
	return 0;
}

/*
 * A fast path proposed for peersec_udp_recvmsg() (bench/README.md, "what
 * stands in the way"), for the common case only: the caller passes no
 * control buffer of its own and the kernel wrote exactly one control
 * message, the label, NUL-terminated.  Same checks as the library on that
 * case (no truncation, one label, NUL at the end and nowhere else, fits the
 * caller's buffer).  A prototype: anything else returns -ENOTSUP here,
 * where the library would go on with its general code.
 */
static ssize_t fused_udp_recvmsg(int fd, struct msghdr *msg, int flags,
				 char *label, size_t *label_len)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(FX_LABEL_SIZE)];
	} ctl;
	struct msghdr m = *msg;
	struct cmsghdr *c;
	const char *d;
	size_t k;
	ssize_t n;

	if (msg->msg_control != NULL || label == NULL || *label_len == 0)
		return -ENOTSUP;
	m.msg_control = ctl.b;
	m.msg_controllen = sizeof(ctl.b);
	n = recvmsg(fd, &m, flags);
	if (n < 0)
		return -errno;
	if (m.msg_flags & MSG_CTRUNC)
		return -ENOTSUP;
	c = CMSG_FIRSTHDR(&m);
	if (c == NULL) {
		k = 0;
	} else {
		if (c->cmsg_level != SOL_IP || c->cmsg_type != SCM_SECURITY ||
		    CMSG_NXTHDR(&m, c) != NULL)
			return -ENOTSUP;
		k = c->cmsg_len - CMSG_LEN(0);
		d = (const char *)CMSG_DATA(c);
		if (k < 2 || d[k - 1] != '\0' || k > *label_len ||
		    memchr(d, '\0', k - 1) != NULL)
			return -ENOTSUP;
		memcpy(label, d, k);
		k--;
	}
	if (k == 0)
		label[0] = '\0';
	*label_len = k;
	msg->msg_namelen = m.msg_namelen;
	msg->msg_flags = m.msg_flags;
	msg->msg_controllen = 0;
	return n;
}

long fx_fused_recvmsg(void *p, size_t n)
{
	struct fx_udp *u = p;
	struct iovec iov = { .iov_base = u->data, .iov_len = sizeof(u->data) };
	size_t i;

	for (i = 0; i < n; i++) {
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
		size_t len = sizeof(u->label);
		ssize_t r = fused_udp_recvmsg(u->rx, &msg, MSG_DONTWAIT,
					      u->label, &len);

		if (r == -EAGAIN)
			break;
		if (r < 0)
			return fail("fused fast path (prototype)", r);
		if (u->labeled && len == 0)
			return fail("fused fast path: a datagram without label",
				    -ENODATA);
	}
	return (long)i;
}

long fx_hand_recvmmsg(void *p, size_t n)
{
	struct fx_udp *u = p;
	size_t done = 0;

	while (done < n) {
		unsigned int want = n - done < u->vlen ? (unsigned int)(n - done)
						       : u->vlen;
		int r;

		for (unsigned int j = 0; j < want; j++)
			u->vec[j].msg_hdr.msg_controllen = sizeof(u->bcbuf[j]);
		r = recvmmsg(u->rx, u->vec, want, MSG_DONTWAIT, NULL);
		if (r < 0) {
			if (errno == EAGAIN)
				break;
			return fail("recvmmsg", -errno);
		}
		for (int j = 0; j < r; j++) {
			if (hand_label_ref(&u->vec[j].msg_hdr, &u->blabel[j],
					   &u->blabel_len[j]) < 0)
				return fail("hand-written CMSG loop",
					    -EMSGSIZE);
			if (u->labeled && u->blabel_len[j] == 0)
				return fail("recvmmsg: a datagram without "
					    "label", -ENODATA);
		}
		done += (size_t)r;
	}
	return (long)done;
}

#ifdef FX_HAVE_UDP_RECVMMSG
long fx_udp_recvmmsg(void *p, size_t n)
{
	struct fx_udp *u = p;
	size_t done = 0;

	while (done < n) {
		unsigned int want = n - done < u->vlen ? (unsigned int)(n - done)
						       : u->vlen;
		int r;

		for (unsigned int j = 0; j < want; j++)
			u->vec[j].msg_hdr.msg_controllen = sizeof(u->bcbuf[j]);
		r = peersec_udp_recvmmsg(u->rx, u->vec, want, MSG_DONTWAIT,
					 NULL, u->blabels);
		if (r == -EAGAIN)
			break;
		if (r < 0)
			return fail("peersec_udp_recvmmsg", r);
		for (int j = 0; j < r; j++) {
			if (u->blabels[j].error != 0)
				return fail("peersec_udp_recvmmsg: a label",
					    u->blabels[j].error);
			if (u->labeled && u->blabels[j].len == 0)
				return fail("peersec_udp_recvmmsg: a datagram "
					    "without label", -ENODATA);
		}
		done += (size_t)r;
	}
	return (long)done;
}
#endif

long fx_bare_recvmmsg(void *p, size_t n)
{
	struct fx_udp *u = p;
	size_t done = 0;

	while (done < n) {
		unsigned int want = n - done < u->vlen ? (unsigned int)(n - done)
						       : u->vlen;
		int r;

		for (unsigned int j = 0; j < want; j++)
			u->vec[j].msg_hdr.msg_controllen = sizeof(u->bcbuf[j]);
		r = recvmmsg(u->rx, u->vec, want, MSG_DONTWAIT, NULL);
		if (r < 0) {
			if (errno == EAGAIN)
				break;
			return fail("recvmmsg", -errno);
		}
		done += (size_t)r;
	}
	return (long)done;
}

static void udp_socket(int *fd, const char *addr, struct sockaddr_in *sin)
{
	socklen_t len = sizeof(*sin);

	*sin = (struct sockaddr_in){ .sin_family = AF_INET };
	if (inet_pton(AF_INET, addr, &sin->sin_addr) != 1)
		bench_die("bad IPv4 address %s", addr);
	*fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (*fd < 0 || bind(*fd, (struct sockaddr *)sin, sizeof(*sin)) < 0 ||
	    getsockname(*fd, (struct sockaddr *)sin, &len) < 0)
		bench_die("UDP socket on %s: %s", addr, strerror(errno));
}

void fx_udp_open(struct fx_udp *u, const char *src, const char *dst,
		 size_t payload, unsigned int vlen, size_t max_queue)
{
	struct sockaddr_in rx_addr, tx_addr;
	int one = 1, big = 64 << 20;
	size_t sent, got, len;

	memset(u, 0, sizeof(*u));
	if (payload > FX_DATA_SIZE || vlen == 0 || vlen > FX_VLEN_MAX)
		bench_die("payload at most %d bytes, vlen 1 to %d",
			  FX_DATA_SIZE, FX_VLEN_MAX);
	u->payload = payload;
	u->vlen = vlen;
	memset(u->bdata[0], 'x', payload);

	udp_socket(&u->rx, dst, &rx_addr);
	udp_socket(&u->tx, src, &tx_addr);
	if (connect(u->tx, (struct sockaddr *)&rx_addr, sizeof(rx_addr)) < 0)
		bench_die("connect: %s", strerror(errno));
	if (setsockopt(u->rx, SOL_IP, IP_PASSSEC, &one, sizeof(one)) < 0)
		bench_die("IP_PASSSEC: %s", strerror(errno));
	/* As deep a queue as we may have: root may exceed rmem_max. */
	if (setsockopt(u->rx, SOL_SOCKET, SO_RCVBUFFORCE, &big,
		       sizeof(big)) < 0)
		setsockopt(u->rx, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));

	for (unsigned int j = 0; j < FX_VLEN_MAX; j++) {
		u->iov[j] = (struct iovec){ u->bdata[j], sizeof(u->bdata[j]) };
		u->vec[j].msg_hdr = (struct msghdr){
			.msg_iov = &u->iov[j], .msg_iovlen = 1,
			.msg_control = u->bcbuf[j],
			.msg_controllen = sizeof(u->bcbuf[j]),
		};
	}

	/* Loopback drops what does not fit, silently: count what stays. */
	sent = max_queue != 0 ? max_queue : 20000;
	if (send_n(u, sent) < 0)
		bench_die("sendmmsg: %s", strerror(errno));
	got = drain_all(u);
	u->capacity = got < sent ? got * 9 / 10 : got;
	if (u->capacity < 16)
		bench_die("the receive queue holds only %zu datagrams", got);

	/* Does this path carry labels? */
	if (send_n(u, 1) < 0 || fx_hand_recvmsg(u, 1) != 1)
		bench_die("probe datagram lost");
	len = strlen(u->label);
	u->labeled = len > 0;
	u->label_len = len;
	snprintf(u->desc, sizeof(u->desc),
		 "UDP %s -> %s, %zu-byte datagrams, queue of %zu", src, dst,
		 payload, u->capacity);
}

void fx_udp_close(struct fx_udp *u)
{
	close(u->rx);
	close(u->tx);
}
