/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The library's only door to the kernel.  Kept thin on purpose: no logic
 * beyond turning errno into a negative return and retrying the calls that a
 * signal may interrupt without having done anything.  recvmsg and recvmmsg
 * are not retried: -EINTR goes back to the caller, as recvmsg(2) would, with
 * no datagram consumed.
 */
#include <errno.h>
#include <unistd.h>
#include <sys/socket.h>

#include "peersec-int.h"

int peersec__sys_getsockopt(int fd, int level, int name, void *val,
			    socklen_t *len)
{
	while (getsockopt(fd, level, name, val, len) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

int peersec__sys_setsockopt(int fd, int level, int name, const void *val,
			    socklen_t len)
{
	while (setsockopt(fd, level, name, val, len) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

ssize_t peersec__sys_recvmsg(int fd, struct msghdr *msg, int flags)
{
	ssize_t n = recvmsg(fd, msg, flags);

	return n < 0 ? -errno : n;
}

int peersec__sys_recvmmsg(int fd, struct mmsghdr *vec, unsigned int vlen,
			  int flags, struct timespec *timeout)
{
	int n = recvmmsg(fd, vec, vlen, flags, timeout);

	return n < 0 ? -errno : n;
}

int peersec__sys_close(int fd)
{
	/* Linux releases the descriptor even when close() reports EINTR. */
	return close(fd) < 0 && errno != EINTR ? -errno : 0;
}

/* ---------------------------------------------------------------------- */
/* SCTP (lksctp-tools), built only with libsctp                            */
/* ---------------------------------------------------------------------- */
#if PEERSEC_HAVE_SCTP
#include <string.h>
#include <netinet/sctp.h>

int peersec__sys_sctp_status(int fd, sctp_assoc_t assoc_id,
			     struct sctp_status *status)
{
	socklen_t len = sizeof(*status);

	memset(status, 0, sizeof(*status));
	while (sctp_opt_info(fd, assoc_id, SCTP_STATUS, status, &len) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

/*
 * What sctp_peeloff_flags(3) does.  Called directly because libsctp 1.0.19
 * (Debian 12) declares sctp_peeloff_flags() but does not export it.  Needs
 * Linux 4.13 (SCTP_SOCKOPT_PEELOFF_FLAGS); older kernels give -ENOPROTOOPT.
 */
int peersec__sys_sctp_peeloff(int fd, sctp_assoc_t assoc_id,
			      unsigned int flags)
{
	sctp_peeloff_flags_arg_t arg;
	socklen_t len = sizeof(arg);
	int r;

	memset(&arg, 0, sizeof(arg));
	arg.p_arg.associd = assoc_id;
	arg.flags = flags;
	r = peersec__sys_getsockopt(fd, IPPROTO_SCTP,
				    SCTP_SOCKOPT_PEELOFF_FLAGS, &arg, &len);
	return r < 0 ? r : arg.p_arg.sd;
}
#endif /* PEERSEC_HAVE_SCTP */
