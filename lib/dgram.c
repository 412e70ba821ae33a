/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * UDP: a label per datagram (IP_PASSSEC, SCM_SECURITY).
 * Placeholder until the UDP work lands.
 */
#include <errno.h>

#include "peersec-int.h"

PEERSEC_EXPORT int peersec_udp_enable(int fd)
{
	return -ENOSYS;
}

PEERSEC_EXPORT ssize_t peersec_udp_recvmsg(int fd, struct msghdr *msg,
					   int flags, char *label,
					   size_t *label_len)
{
	return -ENOSYS;
}
