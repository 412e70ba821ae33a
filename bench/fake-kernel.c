/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A labeling kernel in userspace: see fake-kernel.h.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fake-kernel.h"
#include "kernel-abi.h"

static char label[8192];
static size_t label_size;	/* with the NUL; 0: not armed */

const char *fake_kernel_arm(size_t bytes)
{
	static const char head[] = "system_u:system_r:client_t:s0:c0";
	size_t len = sizeof(head) - 1;

	if (bytes < len)
		bytes = len;
	if (bytes >= sizeof(label) - 8)
		bytes = sizeof(label) - 8;
	memcpy(label, head, len);
	/* Categories that do not merge into ranges: c0,c2,c4 ... until the
	 * label is at least @bytes long. */
	for (unsigned int c = 2; len < bytes; c += 2)
		len += (size_t)snprintf(label + len, sizeof(label) - len,
					",c%u", c);
	label_size = len + 1;
	return label;
}

int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	if (label_size == 0 || level != SOL_SOCKET || name != SO_PEERSEC)
		return (int)syscall(SYS_getsockopt, fd, level, name, val, len);
	/* as selinux_socket_getpeersec_stream() */
	if (*len < label_size) {
		*len = (socklen_t)label_size;
		errno = ERANGE;
		return -1;
	}
	memcpy(val, label, label_size);
	*len = (socklen_t)label_size;
	return 0;
}

/* Append the label to @msg's control data as put_cmsg() would; @room is the
 * control space the caller gave. */
static void put_label(struct msghdr *msg, size_t room)
{
	size_t used = msg->msg_controllen;	/* what the kernel wrote */
	size_t cmlen = CMSG_LEN(label_size);
	struct cmsghdr c = {
		.cmsg_level = SOL_IP, .cmsg_type = SCM_SECURITY,
		.cmsg_len = cmlen,
	};
	char *at;

	if (msg->msg_control == NULL || room - used < sizeof(c)) {
		msg->msg_flags |= MSG_CTRUNC;
		return;
	}
	at = (char *)msg->msg_control + used;
	if (room - used < cmlen) {
		msg->msg_flags |= MSG_CTRUNC;
		cmlen = room - used;
		c.cmsg_len = cmlen;
	}
	memcpy(at, &c, sizeof(c));
	memcpy(at + sizeof(c), label, cmlen - sizeof(c));
	cmlen = CMSG_SPACE(label_size);
	msg->msg_controllen = used + (cmlen < room - used ? cmlen : room - used);
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	size_t room = msg->msg_controllen;
	ssize_t n = syscall(SYS_recvmsg, fd, msg, flags);

	if (n >= 0 && label_size != 0)
		put_label(msg, room);
	return n;
}

int recvmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags,
	     struct timespec *timeout)
{
	size_t room[256];
	int n;

	if (vlen > 256)
		vlen = 256;
	for (unsigned int i = 0; i < vlen; i++)
		room[i] = vec[i].msg_hdr.msg_controllen;
	n = (int)syscall(SYS_recvmmsg, fd, vec, vlen, flags, timeout);
	for (int i = 0; label_size != 0 && i < n; i++)
		put_label(&vec[i].msg_hdr, room[i]);
	return n;
}
