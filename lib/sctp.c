/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SCTP association labels.
 *
 * The kernel keeps one peer label per SCTP socket (SELinux: the socket's
 * peer SID), and SO_PEERSEC serves it like on any stream socket, so the
 * label itself is read through the stream door.  What this file adds is the
 * SCTP part: that the descriptor is an SCTP socket, that the association id
 * names a live association of it (SCTP_STATUS), and the peel-off.
 *
 * Kernel rules this relies on (net/sctp/socket.c, security/selinux/hooks.c):
 *  - sctp_id2assoc() ignores the id on one-to-one sockets and on peeled-off
 *    ones (it returns their only association while it is established or
 *    closing); on a one-to-many socket it finds the id among the socket's
 *    own live associations, and ids 0-2 (SCTP_{FUTURE,CURRENT,ALL}_ASSOC)
 *    name none.  SCTP_STATUS answers EINVAL when it finds nothing.
 *  - The socket's peer label is set by its first association; accept() and
 *    sctp_peeloff() give the new socket the association's own label.
 *  - sctp_do_peeloff() answers EINVAL both for an unknown id and for a
 *    socket that is not one-to-many.
 *  - SELinux starts every socket with the unlabeled context as its peer
 *    label; the first association replaces it on the server side when the
 *    INIT arrives, on the connecting side when the COOKIE ACK does.  Until
 *    then SO_PEERSEC would hand out "unlabeled" for a peer that may well be
 *    labeled, so an association still being set up gets no label here.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <sys/socket.h>

#include "peersec-int.h"

/* What peersec_sctp_assoc_label(3) and peersec_sctp_peeloff(3) document;
 * anything else becomes -EIO (lib/errors.h). */
static const int assoc_label_errors[] = {
	ENOENT, ENOTCONN, EINPROGRESS, ENOPROTOOPT, EPROTOTYPE, ERANGE, EINVAL,
	EBADF, ENOTSOCK, EACCES, EBADMSG, EFAULT, ENOMEM, 0
};

static const int peeloff_errors[] = {
	ERANGE, ENOPROTOOPT, ENOENT, EOPNOTSUPP, EINPROGRESS, EPROTOTYPE,
	EINVAL, EBUSY, EMFILE, ENFILE, ENOMEM, EBADF, ENOTSOCK, EACCES,
	EBADMSG, EFAULT, 0
};

static int sock_int(int fd, int name, int *val)
{
	socklen_t n = sizeof(*val);

	*val = 0;
	return peersec__sys_getsockopt(fd, SOL_SOCKET, name, val, &n);
}

/* 0 when @fd is an SCTP socket, -EPROTOTYPE when it is another socket. */
static int check_sctp(int fd)
{
	int proto;
	int r = sock_int(fd, SO_PROTOCOL, &proto);

	if (r < 0)
		return r;
	return proto == IPPROTO_SCTP ? 0 : -EPROTOTYPE;
}

/*
 * SCTP_STATUS found no live association for the id.  A one-to-one socket
 * (SOCK_STREAM) has none at all: not connected, listening, or ended.  Its
 * SO_PEERSEC is not asked: SELinux answers a socket that never had a peer
 * with the unlabeled context, which would pass for a peer's label.  Anything
 * else (a one-to-many socket, or a peeled-off one whose association ended)
 * has no association by that id.
 */
static int no_live_assoc(int fd)
{
	int type;
	int r = sock_int(fd, SO_TYPE, &type);

	if (r < 0)
		return r;
	return type == SOCK_STREAM ? -ENOTCONN : -ENOENT;
}

static int assoc_label(int fd, sctp_assoc_t assoc_id, char *buf, size_t *len)
{
	struct sctp_status status;
	int r;

	if (len == NULL)
		return -EINVAL;
	r = check_sctp(fd);
	if (r < 0)
		return r;

	r = peersec__sys_sctp_status(fd, assoc_id, &status);
	if (r == -EINVAL)
		return no_live_assoc(fd);
	if (r < 0)
		return r;
	/* A socket with one association ignores the id: hold it to 0 or that
	 * association's own id, so a wrong descriptor does not go unnoticed. */
	if (assoc_id != 0 && status.sstat_assoc_id != assoc_id)
		return -ENOENT;
	if (status.sstat_state < SCTP_ESTABLISHED)	/* COOKIE_WAIT/ECHOED */
		return -EINPROGRESS;

	return peersec__stream_read(fd, buf, len);
}

PEERSEC_EXPORT int peersec_sctp_assoc_label(int fd, sctp_assoc_t assoc_id,
					    char *buf, size_t *len)
{
	return (int)peersec__errors_closed(assoc_label(fd, assoc_id, buf, len),
					   assoc_label_errors);
}

/* An error before anything was peeled off must not read as one of the
 * answers that come with an open *newfd. */
static int before_peel(int r)
{
	return r == -ERANGE || r == -ENOPROTOOPT ? -EIO : r;
}

/* The kernel refused the peel-off with EINVAL: tell an unknown association
 * (-ENOENT) from a socket that has nothing to peel off (-EOPNOTSUPP). */
static int peel_refused(int fd)
{
	struct sctp_status status;
	int type;
	int r = sock_int(fd, SO_TYPE, &type);

	if (r < 0)
		return r;
	if (type == SOCK_STREAM)
		return -EOPNOTSUPP;
	/* Only a socket with a single association answers to id 0. */
	r = peersec__sys_sctp_status(fd, 0, &status);
	return r == 0 ? -EOPNOTSUPP : -ENOENT;
}

static int peeloff(int fd, sctp_assoc_t assoc_id, int flags, int *newfd,
		   char *buf, size_t *len)
{
	struct sctp_status status;
	int nfd, r;

	if (newfd == NULL)
		return -EINVAL;
	*newfd = -1;
	if (len == NULL || (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)) != 0)
		return -EINVAL;
	r = check_sctp(fd);
	if (r < 0)
		return before_peel(r);

	/* Peel off only an established association: before, the new socket
	 * would have no label yet, and the caller could not tell that from
	 * "no LSM labels peers". */
	r = peersec__sys_sctp_status(fd, assoc_id, &status);
	if (r == -EINVAL)
		return before_peel(peel_refused(fd));
	if (r < 0)
		return before_peel(r);
	if (status.sstat_assoc_id != assoc_id)	/* it ignored the id */
		return -EOPNOTSUPP;
	if (status.sstat_state < SCTP_ESTABLISHED)
		return -EINPROGRESS;

	nfd = peersec__sys_sctp_peeloff(fd, assoc_id, (unsigned int)flags);
	if (nfd == -EINVAL)
		return before_peel(peel_refused(fd));
	if (nfd == -ENOPROTOOPT)	/* Linux < 4.13: no PEELOFF_FLAGS */
		return -EOPNOTSUPP;
	if (nfd < 0)
		return before_peel(nfd);

	/* From here on the association lives on nfd: closing nfd would end
	 * it.  Hand nfd over whenever the caller can still use it: the label
	 * did not fit (read it again with peersec_sctp_assoc_label()), or
	 * there is none.  Only a failure that leaves the label unknowable
	 * closes it. */
	r = peersec__stream_read(nfd, buf, len);
	if (r == 0 || r == -ERANGE || r == -ENOPROTOOPT) {
		*newfd = nfd;
		return r;
	}
	peersec__sys_close(nfd);
	return r;
}

PEERSEC_EXPORT int peersec_sctp_peeloff(int fd, sctp_assoc_t assoc_id,
					int flags, int *newfd, char *buf,
					size_t *len)
{
	return (int)peersec__errors_closed(peeloff(fd, assoc_id, flags, newfd,
						   buf, len),
					   peeloff_errors);
}
