/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The only place where peersec(1) and the Python binding (python/) name the
 * library's functions.  Each wrapper below holds exactly one call.  The
 * library's transport-neutral names replace them one line each:
 * api_stream_get -> peersec_stream_get, api_stream_get_alloc ->
 * peersec_stream_get_alloc, api_dgram_enable -> peersec_dgram_enable,
 * api_dgram_recvmsg -> peersec_dgram_recvmsg; api_sctp_assoc_label keeps
 * its call.  The compatibility block at the end of this file is then unused
 * and goes.
 *
 * Every wrapper keeps the library's contract: 0 or a count on success, a
 * negative errno on failure, "no label" as -ENOPROTOOPT (stream) or an empty
 * label (datagram).
 */
#ifndef PEERSEC_CLI_API_H
#define PEERSEC_CLI_API_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include <peersec/peersec.h>

#ifndef SCM_SECURITY
#define SCM_SECURITY 3	/* include/linux/socket.h; glibc does not name it */
#endif

/* Largest datagram label: the library's bound. */
#define API_DGRAM_LABEL_MAX PEERSEC_UDP_LABEL_MAX

static inline int api_compat_dgram_enable(int fd);
static inline ssize_t api_compat_dgram_recvmsg(int fd, struct msghdr *msg,
					       int flags, char *label,
					       size_t *label_len);

/* Peer label of a connected stream socket (TCP, AF_UNIX stream and
 * seqpacket, SCTP one-to-one), into a caller buffer. */
static inline int api_stream_get(int fd, char *buf, size_t *len)
{
	return peersec_tcp_get(fd, buf, len);
}

/* The same, allocated; free() it. */
static inline int api_stream_get_alloc(int fd, char **label)
{
	return peersec_tcp_get_alloc(fd, label);
}

/* Labels with every datagram: IP_PASSSEC (inet), SO_PASSSEC (AF_UNIX).
 * After the merge: return peersec_dgram_enable(fd); */
static inline int api_dgram_enable(int fd)
{
	return api_compat_dgram_enable(fd);
}

/* One datagram and its label: peersec_udp_recvmsg()'s contract, AF_UNIX
 * too.  After the merge:
 * return peersec_dgram_recvmsg(fd, msg, flags, label, label_len); */
static inline ssize_t api_dgram_recvmsg(int fd, struct msghdr *msg, int flags,
					char *label, size_t *label_len)
{
	return api_compat_dgram_recvmsg(fd, msg, flags, label, label_len);
}

#if PEERSEC_HAVE_SCTP
/* The SCTP socket's peer label, after checking that @assoc_id is live. */
static inline int api_sctp_assoc_label(int fd, sctp_assoc_t assoc_id,
				       char *buf, size_t *len)
{
	return peersec_sctp_assoc_label(fd, assoc_id, buf, len);
}
#endif

/* ------------------------------------------------------------------------
 * Until the library has its transport-neutral datagram functions: inet
 * sockets go to the UDP functions, AF_UNIX datagrams are handled here
 * (SO_PASSSEC, then the label message at SOL_SOCKET/SCM_SECURITY).  Fails
 * closed like the library: a cut control buffer or a malformed label gives
 * -EOVERFLOW or -EBADMSG.  The
 * caller's own control messages are not supported here (-EOPNOTSUPP);
 * descriptors passed with SCM_RIGHTS are closed.
 */
static inline bool api_is_unix(int fd)
{
	int domain = 0;
	socklen_t dlen = sizeof(domain);

	return getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &dlen) == 0 &&
	       domain == AF_UNIX;
}

static inline int api_compat_dgram_enable(int fd)
{
	int one = 1;

	if (!api_is_unix(fd))
		return peersec_udp_enable(fd);
	return setsockopt(fd, SOL_SOCKET, SO_PASSSEC, &one, sizeof(one)) == 0 ?
	       0 : -errno;
}

static inline ssize_t api_compat_dgram_recvmsg(int fd, struct msghdr *msg,
					       int flags, char *label,
					       size_t *label_len)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(API_DGRAM_LABEL_MAX) +
			 CMSG_SPACE(64 * sizeof(int))];
	} control;
	struct msghdr m;
	const char *found = NULL;
	size_t found_len = 0;
	int bad = 0;
	ssize_t n;

	if (!api_is_unix(fd))
		return peersec_udp_recvmsg(fd, msg, flags, label, label_len);
	if (!msg || !label_len || (!label && *label_len))
		return -EINVAL;
	if (msg->msg_control && msg->msg_controllen)
		return -EOPNOTSUPP;
	m = *msg;
	m.msg_control = control.buf;
	m.msg_controllen = sizeof(control.buf);
	n = recvmsg(fd, &m, flags | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		size_t len = c->cmsg_len - CMSG_LEN(0);

		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_RIGHTS) {
			for (size_t i = 0; i + sizeof(int) <= len; i += sizeof(int)) {
				int passed;

				memcpy(&passed, CMSG_DATA(c) + i, sizeof(passed));
				close(passed);
			}
		} else if (c->cmsg_type == SCM_SECURITY) {
			const char *p = (const char *)CMSG_DATA(c);
			size_t l = strnlen(p, len);

			/* text, optionally NUL-terminated, once */
			if (found || l == 0 || (l < len && l + 1 != len))
				bad = -EBADMSG;
			found = p;
			found_len = l;
		}
	}
	if (m.msg_flags & MSG_CTRUNC)
		bad = -EOVERFLOW;
	else if (!bad && found_len >= API_DGRAM_LABEL_MAX)
		bad = -EOVERFLOW;
	if (bad)
		return bad;
	msg->msg_namelen = m.msg_namelen;
	/* the kernel echoes MSG_CMSG_CLOEXEC; the caller did not ask for it */
	msg->msg_flags = m.msg_flags & ~(MSG_CMSG_CLOEXEC & ~flags);
	msg->msg_controllen = 0;
	if (found_len + 1 > *label_len) {
		if (*label_len)
			label[0] = '\0';
		*label_len = found_len + 1;
		return n;
	}
	if (found_len)
		memcpy(label, found, found_len);
	label[found_len] = '\0';
	*label_len = found_len;
	return n;
}

#endif
