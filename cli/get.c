/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * peersec get: the peer label of a connection another process holds.  The
 * descriptor is copied into this process with pidfd_open(2) and
 * pidfd_getfd(2) (Linux 5.3 and 5.6), which need ptrace rights over the
 * process (PTRACE_MODE_ATTACH_REALCREDS: the same user and Yama's
 * ptrace_scope allowing it, or CAP_SYS_PTRACE; and the LSM's ptrace check).
 * The copy shares the socket: reading its label does not disturb the owner.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "peersec.h"

static int take_fd(const struct options *o, int *out)
{
	int pidfd, fd;

	pidfd = (int)syscall(SYS_pidfd_open, o->pid, 0);
	if (pidfd < 0) {
		if (errno == ENOSYS) {
			warnx_("this kernel has no pidfd_open (Linux 5.3 or later needed)");
			return EXIT_DENIED;
		}
		if (errno == ESRCH)
			warnx_("no process %ld", (long)o->pid);
		else
			warnx_("pidfd_open %ld: %m", (long)o->pid);
		return EXIT_SYSTEM;
	}
	fd = (int)syscall(SYS_pidfd_getfd, pidfd, o->fd, 0);
	if (fd < 0) {
		int e = errno;

		close(pidfd);
		switch (e) {
		case ENOSYS:
			warnx_("this kernel has no pidfd_getfd (Linux 5.6 or later needed)");
			return EXIT_DENIED;
		case EPERM:
		case EACCES:
			warnx_("no ptrace rights over process %ld (%s): run as its user "
			       "with kernel.yama.ptrace_scope 0, or with CAP_SYS_PTRACE",
			       (long)o->pid, strerror(e));
			return EXIT_DENIED;
		case EBADF:
			warnx_("process %ld has no descriptor %d", (long)o->pid, o->fd);
			return EXIT_SYSTEM;
		case ESRCH:
			warnx_("process %ld has exited", (long)o->pid);
			return EXIT_SYSTEM;
		default:
			warnx_("pidfd_getfd %ld %d: %s", (long)o->pid, o->fd, strerror(e));
			return EXIT_SYSTEM;
		}
	}
	close(pidfd);
	*out = fd;
	return 0;
}

/* What kind of socket @fd is: the tool's protocol, or an exit code with a
 * message. */
static int classify(int fd, const struct options *o, enum proto *proto,
		    int *unix_type)
{
	int domain, type, protocol;
	socklen_t len = sizeof(int);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0) {
		if (errno == ENOTSOCK)
			warnx_("descriptor %d of process %ld is not a socket", o->fd,
			       (long)o->pid);
		else
			warnx_("descriptor %d of process %ld: %m", o->fd, (long)o->pid);
		return EXIT_SYSTEM;
	}
	len = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0)
		type = -1;
	len = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &len) != 0)
		protocol = 0;
	*unix_type = type;
	if (type == SOCK_DGRAM || type == SOCK_RAW) {
		warnx_("descriptor %d of process %ld is a datagram socket: each datagram "
		       "carries its own label, which only its receiver reads "
		       "(peersec listen)", o->fd, (long)o->pid);
		return EXIT_SYSTEM;
	}
	{
		int listening = 0;

		len = sizeof(int);
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == 0 &&
		    listening) {
			warnx_("descriptor %d of process %ld is a listening socket: it has "
			       "no peer (its accepted connections do)", o->fd,
			       (long)o->pid);
			return EXIT_SYSTEM;
		}
	}
	if (domain == AF_UNIX)
		*proto = PROTO_UNIX;
	else if ((domain == AF_INET || domain == AF_INET6) && protocol == IPPROTO_SCTP &&
		 type == SOCK_STREAM)
		*proto = PROTO_SCTP;
	else if (domain == AF_INET || domain == AF_INET6)
		*proto = PROTO_TCP;	/* SCTP one-to-many: SO_PEERSEC too */
	else {
		warnx_("descriptor %d of process %ld is a socket of family %d, "
		       "which carries no peer label", o->fd, (long)o->pid, domain);
		return EXIT_SYSTEM;
	}
	return 0;
}

int cmd_get(const struct options *o)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char where[ADDR_TEXT_MAX];
	enum proto proto;
	char *label = NULL;
	int fd, r, unix_type;

	r = take_fd(o, &fd);
	if (r)
		return r;
	r = classify(fd, o, &proto, &unix_type);
	if (r) {
		close(fd);
		return r;
	}
	if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0)
		addr_format((struct sockaddr *)&ss, len, where, sizeof(where));
	else if (errno == ENOTCONN)
		snprintf(where, sizeof(where), "not-connected");
	else
		snprintf(where, sizeof(where), "unknown");
	r = read_stream_label(fd, proto, &label);
	report_peer(o, &(struct peer_report){
		.proto = proto_name(proto, unix_type), .address = where,
		.label = label, .error = r, .bytes = -1, .fd = o->fd,
		.pid = o->pid });
	close(fd);
	free(label);
	if (r < 0)
		return EXIT_UNREADABLE;
	return label ? EXIT_LABELED : EXIT_NO_LABEL;
}
