/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target: peersec_udp_recvmsg() and peersec_udp_recvmmsg() with
 * recvmsg/recvmmsg wrapped (-Wl,--wrap), so the input is whatever the
 * kernel answers.
 *
 * Input: 1 byte of mode (bit 0: batched; bit 1: MSG_CTRUNC from the
 * kernel; bits 2-7: the caller's label buffer size / 4 when not batched),
 * 2 bytes of the caller's control space, then the control data.  Checks the
 * documented contract: a label is either whole and NUL-terminated or absent
 * with the size it needs; the caller's control data stays inside its buffer
 * and never holds the label message; errors come from the documented set and
 * leave the caller's msghdr and label as they were.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <peersec/peersec.h>

#include "kernel-abi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
ssize_t __wrap_recvmsg(int fd, struct msghdr *msg, int flags);
int __wrap_recvmmsg(int fd, struct mmsghdr *vec, unsigned int vlen,
		    int flags, struct timespec *timeout);
int __wrap_close(int fd);

/* SCM_RIGHTS in the input names no real descriptor: closing is a no-op. */
int __wrap_close(int fd)
{
	return 0;
}

#define check(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "check failed: %s (line %d)\n",	\
				#cond, __LINE__);			\
			abort();					\
		}							\
	} while (0)

static const uint8_t *kdata;
static size_t klen;
static bool kcut;

static void kernel_answer(struct msghdr *msg)
{
	size_t n = klen < msg->msg_controllen ? klen : msg->msg_controllen;

	memcpy(msg->msg_control, kdata, n);
	msg->msg_controllen = n;
	msg->msg_flags = kcut ? MSG_CTRUNC : 0;
}

ssize_t __wrap_recvmsg(int fd, struct msghdr *msg, int flags)
{
	kernel_answer(msg);
	return 17;
}

int __wrap_recvmmsg(int fd, struct mmsghdr *vec, unsigned int vlen,
		    int flags, struct timespec *timeout)
{
	kernel_answer(&vec[0].msg_hdr);
	vec[0].msg_len = 17;
	return 1;
}

static void check_messages(const unsigned char *ctl, size_t len, size_t own)
{
	check(len <= own);
	for (size_t off = 0; off < len;) {
		struct cmsghdr h;

		memcpy(&h, ctl + off, sizeof(h));
		check(h.cmsg_len >= CMSG_LEN(0) && h.cmsg_len <= len - off);
		check(!((h.cmsg_level == SOL_IP || h.cmsg_level == SOL_SOCKET) &&
			h.cmsg_type == SCM_SECURITY));
		off += CMSG_ALIGN(h.cmsg_len);
	}
}

static void one(size_t own, size_t cap)
{
	static union {
		struct cmsghdr align;
		unsigned char buf[PEERSEC_UDP_CONTROL_MAX + 8];
	} ctl;
	static char label[PEERSEC_UDP_LABEL_MAX + 8];
	char data[32];
	struct iovec iov = { data, sizeof(data) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	size_t len = cap;
	ssize_t r;

	memset(label, 'x', sizeof(label));
	msg.msg_control = own > 0 ? ctl.buf : NULL;
	msg.msg_controllen = own;
	r = peersec_udp_recvmsg(3, &msg, 0, cap > 0 ? label : NULL, &len);
	if (r < 0) {
		check(r == -EBADMSG || r == -EOVERFLOW);
		check(len == cap && label[0] == 'x');
		check(msg.msg_controllen == own);
		return;
	}
	check(r == 17);
	check_messages(ctl.buf, msg.msg_controllen, own);
	check(((msg.msg_flags & MSG_CTRUNC) != 0) >= kcut);
	if (len < cap) {
		check(strlen(label) == len);
		check(len < PEERSEC_UDP_LABEL_MAX);
	} else {
		check(len > cap);	/* the size it needs, NUL included */
		check(len <= PEERSEC_UDP_LABEL_MAX);
		if (cap > 0)
			check(label[0] == '\0' && label[1] == 'x');
	}
}

static void batch(size_t own)
{
	static union {
		struct cmsghdr align;
		unsigned char buf[PEERSEC_UDP_CONTROL_SPACE(
				  PEERSEC_UDP_CONTROL_MAX)];
	} ctl;
	struct mmsghdr vec;
	struct peersec_udp_label lab;
	int n;

	memset(&vec, 0, sizeof(vec));
	vec.msg_hdr.msg_control = ctl.buf;
	vec.msg_hdr.msg_controllen = PEERSEC_UDP_CONTROL_SPACE(own);
	n = peersec_udp_recvmmsg(3, &vec, 1, 0, NULL, &lab);
	check(n == 1);
	if (lab.error != 0) {
		check(lab.error == -EBADMSG || lab.error == -EOVERFLOW);
		check(lab.label == NULL && lab.len == 0);
		check(vec.msg_hdr.msg_controllen == 0);
		return;
	}
	check_messages(ctl.buf, vec.msg_hdr.msg_controllen, own);
	check(strlen(lab.label) == lab.len);
	if (lab.len == 0)
		return;		/* "" may be a static string */
	check(lab.label >= (const char *)ctl.buf +
			   vec.msg_hdr.msg_controllen);
	check(lab.label + lab.len <
	      (const char *)ctl.buf + PEERSEC_UDP_CONTROL_SPACE(own));
	check(strlen(lab.label) == lab.len);
	check(lab.len < PEERSEC_UDP_LABEL_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t own;

	if (size < 3)
		return 0;
	own = ((size_t)data[1] | (size_t)data[2] << 8) %
	      (PEERSEC_UDP_CONTROL_MAX + 1);
	kcut = (data[0] & 2) != 0;
	kdata = data + 3;
	klen = size - 3;
	if (data[0] & 1)
		batch(own);
	else
		one(own, (size_t)(data[0] >> 2) * 4);
	return 0;
}
