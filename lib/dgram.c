/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Datagrams: a label per message.  IP_PASSSEC (AF_INET, AF_INET6) or
 * SO_PASSSEC (AF_UNIX), then an SCM_SECURITY control message with each
 * datagram, at level SOL_IP or SOL_SOCKET.
 *
 * Both receive functions give the kernel a control buffer laid out as
 *
 *	[ own: room for the caller's messages ][ CMSG_SPACE(label bound) ]
 *
 * so that a label up to the bound always fits whatever the caller's own
 * messages take, and then run peersec__dgram_strip() over what the kernel
 * wrote.  That one function parses the control data, takes the label out
 * through the normaliser, removes its message and cuts the caller's
 * messages exactly as the kernel's put_cmsg() would have cut them in a
 * buffer of own bytes.  It works in place: peersec_udp_recvmsg() runs it on
 * a stack buffer and copies out; peersec_udp_recvmmsg() runs it on the
 * caller's buffers, which the kernel filled directly.
 *
 * Descriptors.  An AF_UNIX message may carry SCM_RIGHTS, and SCM_PIDFD
 * (SO_PASSPIDFD: one pidfd, after everything else).  The kernel installs
 * every descriptor that fits the buffer it was given, which is larger than
 * the caller's: those the caller's buffer would not have held are closed
 * here, as the kernel would not have installed them, and every descriptor
 * received is closed when the receive ends in an error.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "kernel-abi.h"
#include "peersec-int.h"

/* Where a message's data starts, and the space reserved for the label. */
#define HDR_LEN CMSG_LEN(0)
#define LABEL_SPACE CMSG_SPACE(PEERSEC_UDP_LABEL_MAX)

/* recvmmsg(2) takes at most UIO_MAXIOV messages per call. */
#define MMSG_MAX 1024

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

static void reverse(unsigned char *p, size_t n)
{
	for (size_t i = 0, j = n; i + 1 < j; i++, j--) {
		unsigned char c = p[i];

		p[i] = p[j - 1];
		p[j - 1] = c;
	}
}

/* [a bytes][b bytes] becomes [b bytes][a bytes], in place. */
static void rotate(unsigned char *p, size_t a, size_t b)
{
	reverse(p, a);
	reverse(p + a, b);
	reverse(p, a + b);
}

static bool is_label(const struct cmsghdr *h)
{
	return (h->cmsg_level == SOL_IP || h->cmsg_level == SOL_SOCKET) &&
	       h->cmsg_type == SCM_SECURITY;
}

static bool is_rights(const struct cmsghdr *h)
{
	return h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS;
}

static bool is_pidfd(const struct cmsghdr *h)
{
	return h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_PIDFD;
}

/* Close the descriptors of the SCM_RIGHTS or SCM_PIDFD message at @msg
 * (cmsg_len @len) from the @keep'th on. */
static void drop_fds(const unsigned char *msg, size_t len, size_t keep,
		     int (*close_fd)(int))
{
	size_t n = (len - HDR_LEN) / sizeof(int);

	for (size_t i = keep; i < n; i++) {
		int fd;

		memcpy(&fd, msg + HDR_LEN + i * sizeof(int), sizeof(fd));
		close_fd(fd);
	}
}

/* Close every descriptor that the well-formed messages at the start of
 * buf[0..@used) hold: the receive failed, nothing reaches the caller. */
static void drop_all_fds(const unsigned char *buf, size_t used,
			 int (*close_fd)(int))
{
	size_t off = 0;

	while (used - off >= sizeof(struct cmsghdr)) {
		struct cmsghdr h;

		memcpy(&h, buf + off, sizeof(h));
		if (h.cmsg_len < HDR_LEN || h.cmsg_len > used - off)
			return;
		if (is_rights(&h) || is_pidfd(&h))
			drop_fds(buf + off, h.cmsg_len, 0, close_fd);
		off += min_size(CMSG_ALIGN(h.cmsg_len), used - off);
	}
}

/*
 * Walk the messages the kernel wrote.  Every cmsg_len must cover its header
 * and stay inside @used, SCM_RIGHTS must hold whole descriptors and
 * SCM_PIDFD exactly one; at most one label message.  On success *@lab is
 * the label message's offset (SIZE_MAX when there is none), *@lab_len
 * its cmsg_len, and *@rights whether an SCM_RIGHTS message came.
 */
static int find_label(const unsigned char *buf, size_t used, size_t *lab,
		      size_t *lab_len, bool *rights)
{
	size_t off = 0;

	*lab = SIZE_MAX;
	*lab_len = 0;
	*rights = false;
	while (off < used) {
		struct cmsghdr h;

		if (used - off < sizeof(h))
			return -EBADMSG;
		memcpy(&h, buf + off, sizeof(h));
		if (h.cmsg_len < HDR_LEN || h.cmsg_len > used - off)
			return -EBADMSG;
		if (is_label(&h)) {
			if (*lab != SIZE_MAX)
				return -EBADMSG;
			*lab = off;
			*lab_len = h.cmsg_len;
		} else if (is_rights(&h)) {
			if ((h.cmsg_len - HDR_LEN) % sizeof(int) != 0)
				return -EBADMSG;
			*rights = true;
		} else if (is_pidfd(&h) && h.cmsg_len != CMSG_LEN(sizeof(int))) {
			return -EBADMSG;
		}
		off += min_size(CMSG_ALIGN(h.cmsg_len), used - off);
	}
	return 0;
}

/*
 * Redo for the caller's messages, now packed at buf[0..@used), what the
 * kernel does with a buffer of @own bytes.  put_cmsg(): a message that
 * does not fit is cut to what is left (cmsg_len says so) if its header
 * fits, else dropped.  scm_detach_fds(): SCM_RIGHTS keeps the descriptors
 * that fit whole and the others are closed.  scm_pidfd_recv(): SCM_PIDFD
 * comes whole or not at all (MSG_CTRUNC), so its descriptor is closed when
 * fewer than CMSG_LEN(sizeof(int)) bytes are left.  Each step takes
 * CMSG_SPACE, or what is left.  Returns the msg_controllen the kernel would
 * have returned; sets *@ctrunc when it would have set MSG_CTRUNC.
 *
 * With SO_PASSPIDFD and no sender's pid, the kernel writes no SCM_PIDFD but
 * still sets MSG_CTRUNC in a buffer with too little room for one; nothing
 * here says that the option is on, so that flag is not redone.
 */
static size_t cut_like_kernel(unsigned char *buf, size_t used, size_t own,
			      bool *ctrunc, int (*close_fd)(int))
{
	size_t src = 0, dst = 0, left = own;

	/* The common case: it all fits, the last message's padding
	 * included, so the kernel would have written the same bytes.  (An
	 * unaligned @used, which the kernel writes only when it runs out of
	 * room, takes the long way.) */
	if (used <= own && CMSG_ALIGN(used) == used)
		return used;

	while (src < used) {
		struct cmsghdr h;
		size_t len, step;

		memcpy(&h, buf + src, sizeof(h));
		len = h.cmsg_len;
		step = min_size(CMSG_ALIGN(len), used - src);
		if (is_rights(&h) && len > HDR_LEN) {
			size_t n = (len - HDR_LEN) / sizeof(int);
			size_t fit = left > HDR_LEN ?
				     (left - HDR_LEN) / sizeof(int) : 0;

			if (fit < n) {
				*ctrunc = true;
				drop_fds(buf + src, len, fit, close_fd);
				if (fit == 0) {
					src += step;
					continue;
				}
				len = CMSG_LEN(fit * sizeof(int));
			}
		} else if (is_pidfd(&h) && left < CMSG_LEN(sizeof(int))) {
			*ctrunc = true;
			drop_fds(buf + src, len, 0, close_fd);
			src += step;
			continue;
		} else if (left < sizeof(h)) {
			*ctrunc = true;
			src += step;
			continue;
		} else if (left < len) {
			*ctrunc = true;
			len = left;
		}
		h.cmsg_len = len;
		if (dst != src)
			memmove(buf + dst + HDR_LEN, buf + src + HDR_LEN,
				len - HDR_LEN);
		memcpy(buf + dst, &h, sizeof(h));
		dst += min_size(CMSG_ALIGN(len), left);
		left -= min_size(CMSG_ALIGN(len), left);
		src += step;
	}
	return dst;
}

int peersec__dgram_strip(unsigned char *buf, size_t size, size_t used,
			 int kflags, size_t own, int (*close_fd)(int),
			 struct peersec__dgram *out)
{
	bool cut = (kflags & MSG_CTRUNC) != 0, rights;
	size_t lab, lab_len, block, rest, packed, label_len = 0;
	const unsigned char *raw;
	unsigned char *p;
	int r;

	if (used > size) {
		r = -EBADMSG;
		used = size;
		goto fail;
	}
	if (own > size || size - own < LABEL_SPACE) {
		r = -EINVAL;
		goto fail;
	}

	/*
	 * The common case first: the label's message is the only one and the
	 * kernel cut nothing.  The caller then gets no message of its own and
	 * the label stays where it is.  Anything else (no label, an empty or
	 * malformed one, other messages) takes the general path below.
	 */
	if (!cut && used >= HDR_LEN) {
		struct cmsghdr h;

		memcpy(&h, buf, sizeof(h));
		if (is_label(&h) &&
		    h.cmsg_len > HDR_LEN && h.cmsg_len <= used &&
		    used <= CMSG_ALIGN(h.cmsg_len) &&
		    peersec__label_measure((const char *)buf + HDR_LEN,
					   h.cmsg_len - HDR_LEN,
					   &label_len) == 0 &&
		    label_len < PEERSEC_UDP_LABEL_MAX) {
			p = buf + HDR_LEN;	/* size > HDR_LEN + LABEL_MAX */
			p[label_len] = '\0';
			out->ctl_len = 0;
			out->ctrunc = false;
			out->label = (const char *)p;
			out->label_len = label_len;
			return 0;
		}
	}

	r = find_label(buf, used, &lab, &lab_len, &rights);
	if (r < 0)
		goto fail;

	/*
	 * The kernel ran out of room.  A message it cut ends exactly at the
	 * buffer's end: if that may be the label, or the label may have been
	 * dropped after it, the label is unknown.  Descriptors come after the
	 * label (scm_recv()): when some were written, no label was dropped.
	 */
	if (cut && (lab == SIZE_MAX ? !rights : lab + lab_len == size)) {
		r = -EOVERFLOW;
		goto fail;
	}

	if (lab == SIZE_MAX) {
		out->ctrunc = cut;
		out->ctl_len = cut_like_kernel(buf, used, own, &out->ctrunc,
					       close_fd);
		out->label = "";	/* writes nothing: keeps the buffer cold */
		out->label_len = 0;
		return 0;
	}

	raw = buf + lab + HDR_LEN;
	r = -EBADMSG;
	if (lab_len == HDR_LEN)		/* a label message with no label */
		goto fail;
	r = peersec__label_measure((const char *)raw, lab_len - HDR_LEN,
				   &label_len);
	if (r == -ENODATA)
		label_len = 0;		/* "" from the LSM: no label */
	else if (r < 0)
		goto fail;
	if (label_len >= PEERSEC_UDP_LABEL_MAX) {
		r = -EOVERFLOW;
		goto fail;
	}

	/* Move the label message behind the caller's messages. */
	block = min_size(CMSG_ALIGN(lab_len), used - lab);
	rest = used - lab - block;
	if (rest > 0)
		rotate(buf + lab, block, rest);
	packed = used - block;

	/*
	 * When the kernel cut the buffer and the label is whole, the caller's
	 * messages were more than own bytes (the label took no more than
	 * LABEL_SPACE): recvmsg would have cut them too.
	 */
	out->ctrunc = cut;
	out->ctl_len = cut_like_kernel(buf, packed, own, &out->ctrunc,
				       close_fd);

	/* The label now starts at packed + HDR_LEN >= ctl_len: terminate it
	 * there if a byte is left, else move it to own. */
	out->label_len = label_len;
	if (label_len == 0) {
		out->label = "";
		return 0;
	}
	if (packed + HDR_LEN + label_len < size) {
		p = buf + packed + HDR_LEN;
	} else {
		p = buf + own;
		memmove(p, buf + packed + HDR_LEN, label_len);
	}
	p[label_len] = '\0';	/* over the LSM's NUL, padding, or free room */
	out->label = (const char *)p;
	return 0;

fail:
	/* Nothing reaches the caller, so no descriptor may stay open. */
	drop_all_fds(buf, used, close_fd);
	return r;
}

/*
 * Copy the caller's messages as the kernel writes them: headers and data,
 * never the padding between messages, which keeps what the caller had.
 */
static void copy_messages(unsigned char *dst, const unsigned char *src,
			  size_t len)
{
	for (size_t off = 0; off < len;) {
		struct cmsghdr h;

		memcpy(&h, src + off, sizeof(h));
		if (h.cmsg_len < sizeof(h) || h.cmsg_len > len - off)
			break;	/* cannot happen: cut_like_kernel() checked */
		memcpy(dst + off, src + off, h.cmsg_len);
		off += CMSG_ALIGN(h.cmsg_len);
	}
}

/* What peersec_udp_enable(3) documents. */
static const int enable_errors[] = {
	EBADF, ENOTSOCK, EAFNOSUPPORT, EPROTOTYPE, ENOPROTOOPT, ENOMEM, 0
};

/* What peersec_udp_recvmsg(3) documents: the library's own, recvmsg's, and
 * the pending socket errors that ICMP maps to. */
static const int recvmsg_errors[] = {
	EINVAL, EOVERFLOW, EBADMSG, EAGAIN, EINTR, EBADF, ENOTSOCK, EFAULT,
	ENOMEM, ENOTCONN, ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, EHOSTDOWN,
	ENONET, ENOPROTOOPT, EOPNOTSUPP, EMSGSIZE, EACCES, EPROTO, 0
};

/* peersec_udp_recvmmsg(3): the same, less the per-datagram ones. */
static const int recvmmsg_errors[] = {
	EINVAL, EAGAIN, EINTR, EBADF, ENOTSOCK, EFAULT, ENOMEM, ENOTCONN,
	ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, EHOSTDOWN, ENONET,
	ENOPROTOOPT, EOPNOTSUPP, EMSGSIZE, EACCES, EPROTO, 0
};

/* What peersec_dgram_enable(3) documents. */
static const int dgram_enable_errors[] = {
	EBADF, ENOTSOCK, EAFNOSUPPORT, EPROTOTYPE, EPFNOSUPPORT, ENOPROTOOPT,
	ENOMEM, 0
};

/* What peersec_cmsg_label(3) documents. */
static const int cmsg_label_errors[] = {
	EINVAL, ERANGE, EOVERFLOW, EBADMSG, 0
};

/* The socket's family (SO_DOMAIN). */
static int socket_domain(int fd, int *domain)
{
	socklen_t len = sizeof(*domain);

	return peersec__sys_getsockopt(fd, SOL_SOCKET, SO_DOMAIN, domain,
				       &len);
}

/* -EPROTOTYPE unless @fd is a datagram socket. */
static int need_dgram(int fd)
{
	int type = 0;
	socklen_t len = sizeof(type);
	int r;

	r = peersec__sys_getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len);
	if (r < 0)
		return r;
	return type == SOCK_DGRAM ? 0 : -EPROTOTYPE;
}

/* IP_PASSSEC: SOL_IP on AF_INET6 too, since the IPv6 socket code hands
 * SOL_IP options of UDP sockets to the IPv4 code, which labels IPv4
 * datagrams. */
static int ip_passsec(int fd)
{
	int one = 1;
	int r = peersec__sys_setsockopt(fd, SOL_IP, IP_PASSSEC, &one,
					sizeof(one));

	return r < 0 ? r : 0;
}

static int udp_enable(int fd)
{
	int domain = 0;
	int r = socket_domain(fd, &domain);

	if (r < 0)
		return r;
	if (domain != AF_INET && domain != AF_INET6)
		return -EAFNOSUPPORT;
	r = need_dgram(fd);
	return r < 0 ? r : ip_passsec(fd);
}

PEERSEC_EXPORT int peersec_udp_enable(int fd)
{
	return (int)peersec__errors_closed(udp_enable(fd), enable_errors);
}

static int dgram_enable(int fd)
{
	int domain = 0, v6only = 0, one = 1;
	socklen_t len = sizeof(v6only);
	int r = socket_domain(fd, &domain);

	if (r < 0)
		return r;
	if (domain == AF_UNIX) {
		/* Datagram, stream and seqpacket alike. */
		r = peersec__sys_setsockopt(fd, SOL_SOCKET, SO_PASSSEC, &one,
					    sizeof(one));
		return r < 0 ? r : 0;
	}
	if (domain != AF_INET && domain != AF_INET6)
		return -EAFNOSUPPORT;
	r = need_dgram(fd);
	if (r < 0)
		return r;
	if (domain == AF_INET6) {
		/* Only IPv4 datagrams carry labels: an IPv6-only socket
		 * never sees one, which must not pass for "enabled". */
		r = peersec__sys_getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY,
					    &v6only, &len);
		if (r < 0)
			return r;
		if (v6only)
			return -EPFNOSUPPORT;
	}
	return ip_passsec(fd);
}

PEERSEC_EXPORT int peersec_dgram_enable(int fd)
{
	return (int)peersec__errors_closed(dgram_enable(fd),
					   dgram_enable_errors);
}

static ssize_t udp_recvmsg(int fd, struct msghdr *msg, int flags,
			   char *label, size_t *label_len)
{
	union {
		struct cmsghdr align;
		unsigned char buf[PEERSEC_UDP_CONTROL_MAX + LABEL_SPACE];
	} ctl;
	struct peersec__dgram d;
	struct msghdr m;
	size_t own = 0, cap;
	ssize_t n;
	int r;

	if (msg == NULL || label_len == NULL)
		return -EINVAL;
	cap = *label_len;
	if (label == NULL && cap != 0)
		return -EINVAL;
	if (msg->msg_control != NULL)
		own = min_size(msg->msg_controllen, PEERSEC_UDP_CONTROL_MAX);

	/* Offer the kernel the whole buffer whatever own is: the caller's
	 * messages may be more than own, and must not eat the label's room. */
	m = *msg;
	m.msg_control = ctl.buf;
	m.msg_controllen = sizeof(ctl.buf);
	m.msg_flags = 0;
	n = peersec__sys_recvmsg(fd, &m, flags);
	if (n < 0)
		return n;

	r = peersec__dgram_strip(ctl.buf, sizeof(ctl.buf), m.msg_controllen,
				 m.msg_flags, own, peersec__sys_close, &d);
	if (r < 0)
		return r;

	copy_messages(msg->msg_control, ctl.buf, d.ctl_len);
	msg->msg_controllen = d.ctl_len;
	msg->msg_namelen = m.msg_namelen;
	msg->msg_flags = (m.msg_flags & ~MSG_CTRUNC) |
			 (d.ctrunc ? MSG_CTRUNC : 0);

	if (d.label_len < cap) {
		memcpy(label, d.label, d.label_len + 1);
		*label_len = d.label_len;
	} else {
		/* Never a cut label: none at all, and the size it needs. */
		if (cap != 0)
			label[0] = '\0';
		*label_len = d.label_len + 1;
	}
	return n;
}

PEERSEC_EXPORT ssize_t peersec_udp_recvmsg(int fd, struct msghdr *msg,
					   int flags, char *label,
					   size_t *label_len)
{
	return peersec__errors_closed(udp_recvmsg(fd, msg, flags, label,
						  label_len),
				      recvmsg_errors);
}

static int udp_recvmmsg(int fd, struct mmsghdr *vec, unsigned int vlen,
			int flags, struct timespec *timeout,
			struct peersec_udp_label *labels)
{
	unsigned int count = vlen < MMSG_MAX ? vlen : MMSG_MAX;
	int n;

	if (count > 0 && (vec == NULL || labels == NULL))
		return -EINVAL;
	for (unsigned int i = 0; i < count; i++) {
		const struct msghdr *h = &vec[i].msg_hdr;

		if (h->msg_control == NULL || h->msg_controllen < LABEL_SPACE)
			return -EINVAL;
		/* The kernel overwrites msg_controllen: keep the size. */
		labels[i].len = h->msg_controllen;
	}

	n = peersec__sys_recvmmsg(fd, vec, count, flags, timeout);
	if (n < 0)
		return n;

	for (int i = 0; i < n && (unsigned int)i < count; i++) {
		struct msghdr *h = &vec[i].msg_hdr;
		unsigned char *buf = h->msg_control;
		size_t size = labels[i].len;
		struct peersec__dgram d;
		int r;

		r = peersec__dgram_strip(buf, size, h->msg_controllen,
					 h->msg_flags, size - LABEL_SPACE,
					 peersec__sys_close, &d);
		if (r < 0) {
			labels[i].label = NULL;
			labels[i].len = 0;
			labels[i].error = r;
			h->msg_controllen = 0;
			continue;
		}
		h->msg_controllen = d.ctl_len;
		h->msg_flags = (h->msg_flags & ~MSG_CTRUNC) |
			       (d.ctrunc ? MSG_CTRUNC : 0);
		labels[i].label = d.label;
		labels[i].len = d.label_len;
		labels[i].error = 0;
	}
	return n;
}

PEERSEC_EXPORT int peersec_udp_recvmmsg(int fd, struct mmsghdr *vec,
					unsigned int vlen, int flags,
					struct timespec *timeout,
					struct peersec_udp_label *labels)
{
	return (int)peersec__errors_closed(udp_recvmmsg(fd, vec, vlen, flags,
							timeout, labels),
					   recvmmsg_errors);
}

/* The same functions under the names that say what they serve: datagrams
 * of every family, and AF_UNIX stream and seqpacket messages. */
PEERSEC_EXPORT ssize_t peersec_dgram_recvmsg(int fd, struct msghdr *msg,
					     int flags, char *label,
					     size_t *label_len)
{
	return peersec__errors_closed(udp_recvmsg(fd, msg, flags, label,
						  label_len),
				      recvmsg_errors);
}

PEERSEC_EXPORT int peersec_dgram_recvmmsg(int fd, struct mmsghdr *vec,
					  unsigned int vlen, int flags,
					  struct timespec *timeout,
					  struct peersec_udp_label *labels)
{
	return (int)peersec__errors_closed(udp_recvmmsg(fd, vec, vlen, flags,
							timeout, labels),
					   recvmmsg_errors);
}

/*
 * A message the caller received itself: read-only, nothing closed (the
 * descriptors are the caller's).  With MSG_CTRUNC the label is certain
 * only when it is whole (a cut message ends exactly at msg_controllen) or,
 * when there is none, when descriptors were written after where it would
 * have been.
 */
static int cmsg_label(const struct msghdr *msg, char *buf, size_t *len)
{
	const unsigned char *ctl;
	size_t used, cap, lab, lab_len, label_len = 0;
	bool cut, rights;
	int r;

	if (msg == NULL || len == NULL)
		return -EINVAL;
	cap = *len;
	if (buf == NULL && cap != 0)
		return -EINVAL;
	ctl = msg->msg_control;
	used = ctl != NULL ? msg->msg_controllen : 0;
	cut = (msg->msg_flags & MSG_CTRUNC) != 0;

	r = find_label(ctl, used, &lab, &lab_len, &rights);
	if (r < 0)
		return r;
	if (cut && (lab == SIZE_MAX ? !rights : lab + lab_len >= used))
		return -EOVERFLOW;
	if (lab != SIZE_MAX) {
		if (lab_len == HDR_LEN)
			return -EBADMSG;
		r = peersec__label_measure((const char *)ctl + lab + HDR_LEN,
					   lab_len - HDR_LEN, &label_len);
		if (r == -ENODATA)
			label_len = 0;
		else if (r < 0)
			return r;
	}
	if (label_len >= cap) {
		*len = label_len + 1;
		return -ERANGE;
	}
	if (label_len > 0)
		memcpy(buf, ctl + lab + HDR_LEN, label_len);
	buf[label_len] = '\0';
	*len = label_len;
	return 0;
}

PEERSEC_EXPORT int peersec_cmsg_label(const struct msghdr *msg, char *buf,
				      size_t *len)
{
	return (int)peersec__errors_closed(cmsg_label(msg, buf, len),
					   cmsg_label_errors);
}
