/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The only place where peersec(1) and the Python binding (python/) name the
 * library's functions: one call per wrapper, so that both follow the
 * library's names from one file.
 *
 * Every wrapper keeps the library's contract: 0 or a count on success, a
 * negative errno on failure, "no label" as -ENOPROTOOPT (stream) or an empty
 * label (datagram).
 */
#ifndef PEERSEC_CLI_API_H
#define PEERSEC_CLI_API_H

#include <sys/socket.h>

#include <peersec/peersec.h>

/* Largest datagram label: the library's bound. */
#define API_DGRAM_LABEL_MAX PEERSEC_UDP_LABEL_MAX

/* Peer label of a connected stream socket (TCP, AF_UNIX stream and
 * seqpacket, SCTP one-to-one), into a caller buffer. */
static inline int api_stream_get(int fd, char *buf, size_t *len)
{
	return peersec_stream_get(fd, buf, len);
}

/* The same, allocated; free() it. */
static inline int api_stream_get_alloc(int fd, char **label)
{
	return peersec_stream_get_alloc(fd, label);
}

/* Labels with every datagram: IP_PASSSEC (inet), SO_PASSSEC (AF_UNIX). */
static inline int api_dgram_enable(int fd)
{
	return peersec_dgram_enable(fd);
}

/* One datagram and its label, for AF_INET, AF_INET6 and AF_UNIX. */
static inline ssize_t api_dgram_recvmsg(int fd, struct msghdr *msg, int flags,
					char *label, size_t *label_len)
{
	return peersec_dgram_recvmsg(fd, msg, flags, label, label_len);
}

/* The SCTP socket's peer label, after checking that @assoc_id is live;
 * -EOPNOTSUPP in a build without libsctp. */
static inline int api_sctp_assoc_label(int fd, sctp_assoc_t assoc_id,
				       char *buf, size_t *len)
{
	return peersec_sctp_assoc_label(fd, assoc_id, buf, len);
}

#endif
