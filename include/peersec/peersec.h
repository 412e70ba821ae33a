/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file peersec.h
 * @brief libpeersec: the security label of the peer on the other end of a socket.
 *
 * The kernel attaches a security label (an LSM context such as
 * `system_u:system_r:client_t:s0-s0:c0.c3`) to network traffic that arrives
 * through a labeled IPsec security association or a NetLabel mapping, and to
 * AF_UNIX peers.  It hands these labels to userspace in three ways, and this
 * library wraps each:
 *
 *  - stream sockets (TCP, AF_UNIX stream and seqpacket, SCTP one-to-one):
 *    getsockopt(SO_PEERSEC), one label for the whole connection:
 *    peersec_tcp_get(), peersec_tcp_get_alloc();
 *  - UDP: IP_PASSSEC, then an SCM_SECURITY control message with every
 *    datagram: peersec_udp_enable(), peersec_udp_recvmsg(),
 *    peersec_udp_recvmmsg();
 *  - SCTP associations: peersec_sctp_assoc_label(), peersec_sctp_peeloff().
 *
 * Conventions shared by every function:
 *  - The return value is 0 (or a count) on success and a negative errno on
 *    failure.  errno is not part of the interface: the library may change it.
 *  - Each function documents the closed set of errors it returns.  An error
 *    the kernel gives that a function does not document becomes -EIO.
 *  - Labels are returned as NUL-terminated strings.  A length returned with
 *    a label never counts the NUL.  When a caller buffer is too small the
 *    function answers -ERANGE and stores the size needed, NUL included, so
 *    that one retry with a buffer of that size succeeds.
 *  - "No label exists" is never reported as a failure of its own kind: for
 *    stream sockets it is -ENOPROTOOPT, for datagrams an empty label.
 *  - No function keeps global mutable state; all are thread-safe.
 *
 * See peersec(7) for where labels come from.
 */
#ifndef PEERSEC_PEERSEC_H
#define PEERSEC_PEERSEC_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/socket.h>

#include <peersec/version.h>

#if PEERSEC_HAVE_SCTP
#include <stdint.h>	/* linux/sctp.h uses uint16_t without it */
#include <linux/sctp.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Largest label, NUL included, that peersec_tcp_get_alloc() and
 * peersec_sctp_assoc_label() callers can be handed.  A longer label gives
 * -EOVERFLOW.  The kernel sets no limit of its own.
 */
#define PEERSEC_LABEL_MAX 65536

/**
 * @return the library's version as "MAJOR.MINOR.MICRO", the one that is
 * running, which may be newer than the PEERSEC_VERSION_* macros a program
 * was compiled with.  The string is static; never NULL.
 */
const char *peersec_version(void);

/* ---------------------------------------------------------------------- */
/* Stream sockets                                                          */
/* ---------------------------------------------------------------------- */

/**
 * Read the peer label of a connected stream socket into a caller buffer.
 *
 * Works on every socket that SO_PEERSEC serves: TCP over IPv4 and IPv6,
 * AF_UNIX stream and seqpacket, SCTP (the socket's peer label, see
 * peersec_sctp_assoc_label()).  The label is the same for the whole
 * connection.  Whatever the LSM returns (SELinux and Smack count a trailing
 * NUL, AppArmor does not and ends its label with a mode such as
 * " (enforce)", which is kept) the caller gets a C string of the right length.
 * The function allocates nothing.
 *
 * @param fd  a connected stream socket
 * @param[out] buf  where the label is written, NUL-terminated; may be NULL
 *            when *len is 0, to ask for the size
 * @param[in,out] len  on entry the size of @p buf; on success the label's
 *            length without the NUL; on -ERANGE the size needed, NUL included
 *
 * @return 0 on success, or a negative errno:
 *  - -ENOPROTOOPT: no label exists: no active LSM supplies peer labels, or
 *    this connection carries none.  Not a failure of the socket.
 *  - -ERANGE: @p buf is NULL or too small; *len holds the size needed.
 *  - -EINVAL: @p len is NULL.
 *  - -EBADF: @p fd is not an open descriptor.
 *  - -ENOTSOCK: @p fd is not a socket.
 *  - -ENOTCONN: the socket is not connected (nor a listening socket with a
 *    label of its own).
 *  - -EPROTOTYPE: @p fd is a datagram or raw socket: datagrams carry a label
 *    each, read them with peersec_udp_recvmsg().
 *  - -EBADMSG: the kernel returned a label with an embedded NUL.
 *  - -EFAULT: @p buf does not point into the caller's memory.
 *  - -ENOMEM: the kernel ran out of memory.
 *  - -EACCES: the security policy forbids reading this socket's options.
 *  - -EIO: the kernel failed in a way not listed here.
 */
int peersec_tcp_get(int fd, char *buf, size_t *len);

/**
 * Read the peer label of a connected stream socket into memory the function
 * allocates.  Same sockets and normalisation as peersec_tcp_get(); the buffer
 * grows until the label fits, up to PEERSEC_LABEL_MAX bytes.
 *
 * @param fd  a connected stream socket
 * @param[out] label  on success a NUL-terminated label to release with free();
 *             untouched on failure
 *
 * @return 0 on success, or a negative errno: the codes of peersec_tcp_get()
 * except -ERANGE and -EFAULT, and:
 *  - -EINVAL: @p label is NULL.
 *  - -ENOMEM: out of memory (the process's or the kernel's).
 *  - -EOVERFLOW: the label is longer than PEERSEC_LABEL_MAX bytes.
 */
int peersec_tcp_get_alloc(int fd, char **label);

/* ---------------------------------------------------------------------- */
/* UDP: a label per datagram                                               */
/* ---------------------------------------------------------------------- */

/**
 * Ask the kernel to attach each datagram's label to it (IP_PASSSEC).
 *
 * @param fd  an AF_INET or AF_INET6 datagram socket; on AF_INET6 only IPv4
 *            and v4-mapped datagrams can carry a label
 *
 * @return 0 on success, or a negative errno:
 *  - -EBADF, -ENOTSOCK: @p fd is not a socket.
 *  - -EAFNOSUPPORT: @p fd is neither AF_INET nor AF_INET6.
 *  - -EPROTOTYPE: @p fd is not a datagram socket (use peersec_tcp_get()).
 */
int peersec_udp_enable(int fd);

/**
 * Receive one datagram together with its label.
 *
 * Behaves as recvmsg(2) (see its man page for @p msg and @p flags) and also
 * returns the label the kernel attached to this datagram.  The caller's own
 * control messages come back in msg->msg_control exactly as recvmsg would
 * return them; the SCM_SECURITY message is consumed by the library.
 *
 * @param[out] label  the datagram's label, NUL-terminated; "" when it has none
 * @param[in,out] label_len  on entry the size of @p label; on return the
 *            label's length without the NUL
 *
 * @return the datagram's length as recvmsg returns it, or a negative errno.
 * See peersec_udp_recvmsg(3) for the errors and the truncation rules.
 */
ssize_t peersec_udp_recvmsg(int fd, struct msghdr *msg, int flags,
			    char *label, size_t *label_len);

/* ---------------------------------------------------------------------- */
/* SCTP associations                                                       */
/* ---------------------------------------------------------------------- */
#if PEERSEC_HAVE_SCTP

/**
 * Read the peer label that the kernel holds for an SCTP association's socket.
 * Same buffer and error conventions as peersec_tcp_get(); see
 * peersec_sctp_assoc_label(3) for which label that is.
 */
int peersec_sctp_assoc_label(int fd, sctp_assoc_t assoc_id, char *buf,
			     size_t *len);

/**
 * Peel an association off a one-to-many SCTP socket and read the new
 * socket's peer label, which is the association's own.
 *
 * @return the new descriptor (>= 0), or a negative errno; see
 * peersec_sctp_peeloff(3).
 */
int peersec_sctp_peeloff(int fd, sctp_assoc_t assoc_id, int flags, char *buf,
			 size_t *len);

#endif /* PEERSEC_HAVE_SCTP */

/* ---------------------------------------------------------------------- */
/* Labels and contexts (SELinux)                                           */
/* ---------------------------------------------------------------------- */
#if PEERSEC_HAVE_SELINUX

/**
 * Tell whether @p label is the loaded policy's "unlabeled" initial context,
 * the answer the kernel gives for traffic that carried no label (SCTP).
 *
 * @return 1 if it is, 0 if not, or a negative errno; see
 * peersec_label_is_unlabeled(3).
 */
int peersec_label_is_unlabeled(const char *label);

/**
 * Derive the context a service started for a peer should run in: @p base
 * (or the caller's own context when NULL) with its MLS range replaced by the
 * peer label's, then the policy's process transition on @p exec_path's file
 * context.
 *
 * @param[out] context  the derived raw context; release with free()
 * @return 0 or a negative errno; see peersec_context_derive(3).
 */
int peersec_context_derive(const char *peer_label, const char *base,
			   const char *exec_path, char **context);

#endif /* PEERSEC_HAVE_SELINUX */

#ifdef __cplusplus
}
#endif

#endif /* PEERSEC_PEERSEC_H */
