/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the library's files share and the outside never sees.
 *
 * Everything is built with -fvisibility=hidden: a function is exported only
 * when marked PEERSEC_EXPORT *and* named in libpeersec.sym.  Internal
 * functions carry the peersec__ prefix so that they stay out of a static
 * linker's way too.
 */
#ifndef PEERSEC_INT_H
#define PEERSEC_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/socket.h>

#include <peersec/peersec.h>

#define PEERSEC_EXPORT __attribute__((visibility("default")))

/*
 * lib/sys.c: the only file that talks to the kernel.  Each wrapper returns
 * what the syscall returns on success and -errno on failure, so no caller
 * reads errno.  Unit tests wrap the libc functions these call
 * (-Wl,--wrap=getsockopt ...) to make the kernel say anything.
 */
int peersec__sys_getsockopt(int fd, int level, int name, void *val,
			    socklen_t *len);
int peersec__sys_setsockopt(int fd, int level, int name, const void *val,
			    socklen_t len);
ssize_t peersec__sys_recvmsg(int fd, struct msghdr *msg, int flags);
int peersec__sys_recvmmsg(int fd, struct mmsghdr *vec, unsigned int vlen,
			  int flags, struct timespec *timeout);
int peersec__sys_close(int fd);

#if PEERSEC_HAVE_SCTP
/*
 * SCTP (unit tests wrap sctp_opt_info, and getsockopt for the peel-off).
 * peersec__sys_sctp_status() asks the kernel for the
 * status of @assoc_id on @fd (SCTP_STATUS): -EINVAL means that no live
 * association of @fd answers to that id.  peersec__sys_sctp_peeloff()
 * returns the new descriptor or -errno; @flags as sctp_peeloff_flags(3)
 * (SOCK_CLOEXEC, SOCK_NONBLOCK).
 */
struct sctp_status;
int peersec__sys_sctp_status(int fd, sctp_assoc_t assoc_id,
			     struct sctp_status *status);
int peersec__sys_sctp_peeloff(int fd, sctp_assoc_t assoc_id,
			      unsigned int flags);
#endif

/* lib/label.h: the one normaliser, peersec__label_measure(). */
#include "label.h"

/*
 * The stream door shared by peersec_tcp_get() and the SCTP functions:
 * SO_PEERSEC into the caller's buffer, normalised, with the exact -ERANGE
 * size; -ENOPROTOOPT when the socket has no label.
 */
int peersec__stream_read(int fd, char *buf, size_t *len);

/* lib/errors.h: the closed sets of errors, peersec__errors_closed(). */
#include "errors.h"

/*
 * lib/dgram.c: the datagram control-data core, shared by both receive functions
 * and fuzzed on its own (tests/fuzz).
 *
 * The kernel wrote @used bytes of control messages into @buf (@size bytes,
 * at least @own + CMSG_SPACE(PEERSEC_UDP_LABEL_MAX)) and set @kflags as
 * msg_flags.  peersec__dgram_strip() works in place: on 0, buf[0..ctl_len)
 * holds the caller's messages as recvmsg would have returned them in a
 * buffer of @own bytes, ctrunc whether it would have set MSG_CTRUNC, and the
 * label (normalised, NUL-terminated) is at label: inside @buf past
 * buf + ctl_len, or a static "" when there is none.  Errors: -EBADMSG
 * (malformed control data), -EOVERFLOW (the kernel cut the buffer where the
 * label was or could have been), -EINVAL (@size too small for @own).  On
 * error @buf is unspecified.
 *
 * Descriptors (SCM_RIGHTS) that a buffer of @own bytes would not have held
 * are handed to @close_fd, and on error every descriptor found is: the
 * receive functions pass peersec__sys_close, the fuzz target a checker.
 */
struct peersec__dgram {
	size_t ctl_len;
	const char *label;
	size_t label_len;
	bool ctrunc;
};

int peersec__dgram_strip(unsigned char *buf, size_t size, size_t used,
			 int kflags, size_t own, int (*close_fd)(int),
			 struct peersec__dgram *out);

#endif /* PEERSEC_INT_H */
