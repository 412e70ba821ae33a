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
 *    peersec_stream_get(), peersec_stream_get_alloc() (also named
 *    peersec_tcp_get(), peersec_tcp_get_alloc());
 *  - datagrams (UDP, AF_UNIX) and AF_UNIX messages: IP_PASSSEC or
 *    SO_PASSSEC, then an SCM_SECURITY control message with every message:
 *    peersec_dgram_enable(), peersec_dgram_recvmsg(),
 *    peersec_dgram_recvmmsg(), and peersec_cmsg_label() for callers that
 *    call recvmsg(2) themselves (the UDP-only peersec_udp_enable(), and
 *    peersec_udp_recvmsg() and peersec_udp_recvmmsg(), the same functions
 *    as the dgram ones, remain);
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
 *    that one retry with a buffer of that size succeeds.  (UDP cannot retry:
 *    peersec_udp_recvmsg() delivers the datagram and stores the size, see
 *    there.)
 *  - "No label exists" is never reported as a failure of its own kind: for
 *    stream sockets it is -ENOPROTOOPT, for datagrams an empty label.
 *  - Labels are raw contexts (SELinux: not translated by mcstransd).  To
 *    show one, translate it with selinux_raw_to_trans_context(3); never
 *    compare translated strings, compare raw ones.
 *  - No function keeps global mutable state; all are thread-safe.  The
 *    SELinux functions call libselinux, whose own process-wide state
 *    (selinuxfs mount point, policy status) is set up once and is safe to
 *    share, but a thread that changes it (selinux_set_mapping(3),
 *    set_selinuxmnt(3)) must not run alongside them.
 *  - Every function exists in every build.  A function whose dependency
 *    the library was built without (PEERSEC_HAVE_SCTP,
 *    PEERSEC_HAVE_SELINUX are 0) returns -EOPNOTSUPP.
 *
 * See peersec(7) for where labels come from.
 */
#ifndef PEERSEC_PEERSEC_H
#define PEERSEC_PEERSEC_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/socket.h>

#include <peersec/version.h>

#include <stdint.h>	/* linux/sctp.h uses uint16_t without it */
#include <linux/sctp.h>	/* sctp_assoc_t: the kernel's, in every build */

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
 *  - -ENOPROTOOPT: no label exists for this socket: no active LSM supplies
 *    peer labels, the connection carries none, or the socket cannot have
 *    a connection label (a datagram or raw socket: datagrams carry a label
 *    each, read them with peersec_dgram_recvmsg(); a stream socket not
 *    connected yet).  Not a failure of the socket.  The kernel gives the
 *    same answer in all these cases, and the function does not spend more
 *    system calls telling them apart: a caller that needs to know asks
 *    getsockopt(SO_TYPE) and getpeername(2) itself.  (Under SELinux an
 *    unconnected or listening TCP or AF_UNIX socket answers instead with
 *    the policy's "unlabeled" context, which peersec_label_is_unlabeled()
 *    recognises.)
 *  - -ERANGE: @p buf is NULL or too small; *len holds the size needed.
 *  - -EINVAL: @p len is NULL.
 *  - -EBADF: @p fd is not an open descriptor.
 *  - -ENOTSOCK: @p fd is not a socket.
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

/**
 * peersec_tcp_get() under a name that does not suggest TCP: the same
 * function, for AF_UNIX stream and seqpacket and SCTP one-to-one sockets as
 * much as TCP.  Same arguments, same errors.
 *
 * When no label comes back.  Besides -ENOPROTOOPT (no label), a socket
 * may answer with a label that means none: under SELinux a TCP or
 * AF_UNIX socket whose connect(2) has not finished yet (non-blocking, still
 * in progress) has the policy's unlabeled context, exactly like an
 * unconnected one.  Read the label once the connection is established
 * (writable, SO_ERROR 0); peersec_label_is_unlabeled() recognises that
 * context.
 */
int peersec_stream_get(int fd, char *buf, size_t *len);

/**
 * peersec_tcp_get_alloc() under a transport-neutral name: the same
 * function, same errors.
 */
int peersec_stream_get_alloc(int fd, char **label);

/* ---------------------------------------------------------------------- */
/* UDP: a label per datagram                                               */
/* ---------------------------------------------------------------------- */

/**
 * Longest label, NUL included, that the UDP functions deliver: 4096 bytes.
 * The library reserves control space for a label message this size with
 * every datagram, so the kernel never cuts a label up to this bound.  A
 * datagram whose label is longer fails with -EOVERFLOW (fail closed: it is
 * never delivered with a cut label).  Labeled IPsec cannot carry a context
 * of a page or more, so only unusual NetLabel setups come near the bound.
 *
 * A label buffer of this size is never too small for peersec_udp_recvmsg().
 */
#define PEERSEC_UDP_LABEL_MAX 4096

/**
 * How much of the caller's own control buffer peersec_udp_recvmsg() uses:
 * a larger msg_controllen is treated as this many bytes (about 100 control
 * messages).  The library's buffer for one datagram lives on the stack and
 * takes PEERSEC_UDP_CONTROL_MAX + CMSG_SPACE(PEERSEC_UDP_LABEL_MAX) bytes.
 */
#define PEERSEC_UDP_CONTROL_MAX 4096

/**
 * The control buffer size, per datagram, that peersec_udp_recvmmsg() needs
 * for @p own bytes of the caller's own control messages (0 when it wants
 * none): room for them followed by room for the label message.  The
 * function receives straight into these buffers and leaves each datagram's
 * label in its own buffer, past the caller's messages.
 */
#define PEERSEC_UDP_CONTROL_SPACE(own) \
	((size_t)(own) + CMSG_SPACE(PEERSEC_UDP_LABEL_MAX))

/**
 * Ask the kernel to attach each datagram's label to it: setsockopt
 * IP_PASSSEC at level SOL_IP, on AF_INET and AF_INET6 sockets alike.
 *
 * On an AF_INET6 socket the option labels IPv4 datagrams that reach a
 * dual-stack socket (v4-mapped senders).  Native IPv6 datagrams never carry
 * a label: Linux has no IPv6 counterpart to IP_PASSSEC, and
 * peersec_udp_recvmsg() gives them an empty label.
 *
 * Enabling twice is harmless.  Without an LSM that labels network traffic
 * (SELinux with labeled IPsec or NetLabel) the call still succeeds and every
 * datagram comes with an empty label.
 *
 * @param fd  an AF_INET or AF_INET6 datagram socket (UDP, UDP-Lite)
 *
 * @return 0 on success, or a negative errno (the family is checked first,
 * then the type):
 *  - -EBADF: @p fd is not an open descriptor.
 *  - -ENOTSOCK: @p fd is not a socket.
 *  - -EAFNOSUPPORT: @p fd is neither AF_INET nor AF_INET6 (AF_UNIX sockets
 *    carry SCM_SECURITY through SO_PASSSEC: see peersec_dgram_enable()).
 *  - -EPROTOTYPE: @p fd is not a datagram socket (TCP: use
 *    peersec_tcp_get()).
 *  - -ENOPROTOOPT: the kernel refused IP_PASSSEC on this socket.
 *  - -ENOMEM: the kernel is out of memory.
 *  - -EIO: the kernel answered with an error outside this list.
 */
int peersec_udp_enable(int fd);

/**
 * Receive one datagram together with its label.
 *
 * Behaves as recvmsg(2) (see its man page for @p msg and @p flags; MSG_PEEK,
 * MSG_DONTWAIT, MSG_TRUNC, MSG_WAITALL and MSG_ERRQUEUE work as there):
 * fills msg_name, msg_namelen, the data buffers and msg_flags, and returns
 * the datagram's length.  It also returns the label the kernel attached to
 * this datagram, after peersec_udp_enable().  The function allocates
 * nothing.
 *
 * Control messages.  The caller's own control messages (IP_PKTINFO,
 * SO_TIMESTAMPNS, IP_TTL, ...) come back in msg_control exactly as
 * recvmsg(2) would return them into a buffer of msg_controllen bytes
 * (at most PEERSEC_UDP_CONTROL_MAX are used; msg_control NULL means none):
 * same bytes, same msg_controllen, and MSG_CTRUNC in msg_flags only when
 * that buffer was too small for the caller's own messages.  The label's
 * SCM_SECURITY message is removed: the library receives into a buffer of its
 * own, with room for PEERSEC_UDP_CONTROL_MAX bytes of the caller's messages
 * plus a label of PEERSEC_UDP_LABEL_MAX bytes, so the kernel never cuts a
 * label silently, however small the caller's buffer.
 *
 * The label.  On success @p label holds the datagram's label,
 * NUL-terminated, and *label_len its length without the NUL.  A datagram
 * without a label (no labeling LSM, unlabeled traffic, native IPv6, or
 * peersec_udp_enable() not called) gives "" and *label_len 0: an empty label
 * is the answer "no label", never an error.
 *
 * Label buffer too small.  The datagram is still delivered (the byte count
 * is returned and msg is filled in), but no part of the label is: @p label
 * is set to "" (when its size is not 0) and *label_len to the size the label
 * needs, NUL included, which is larger than the size passed in.  So:
 * the label is valid exactly when *label_len on return is less than the size
 * passed in; otherwise *label_len is the size to use next time.  A buffer of
 * PEERSEC_UDP_LABEL_MAX bytes is never too small.
 *
 * Fail closed.  When the label cannot be read for certain the function
 * returns -EOVERFLOW or -EBADMSG.  The datagram has then been consumed
 * (unless MSG_PEEK was given), its bytes may be in the data buffers, and
 * msg, @p label and *label_len are left as they were: drop it.  The
 * library never presents a cut or malformed label, nor "" in its place.
 * With MSG_PEEK the datagram stays queued and the next read meets it
 * again: drain it with a read without MSG_PEEK (and drop what it gives).
 *
 * Descriptors.  On an AF_UNIX socket a message may carry SCM_RIGHTS, and
 * with SO_PASSPIDFD (Linux 6.5) SCM_PIDFD, the sender's pidfd.  The
 * caller receives exactly the descriptors recvmsg(2) would have given it in
 * its buffer of msg_controllen bytes (MSG_CTRUNC set when some did not
 * fit); the library closes those that the kernel installed in its own
 * larger buffer but the caller's would not have held, and on -EOVERFLOW and
 * -EBADMSG it closes every descriptor received.  None is left open behind
 * the caller's back.
 *
 * Every case where "" comes back without an error: no labeling LSM, or
 * traffic that the policy or network does not label; peersec_udp_enable()
 * (or peersec_dgram_enable()) never called on the socket; MSG_ERRQUEUE (the
 * error queue carries no labels); native IPv6 datagrams (IPv4 ones reaching
 * a dual-stack socket are labeled); an LSM that labels the message with an
 * empty string.  The label is the raw context: display it through
 * selinux_raw_to_trans_context(3), and never compare translated strings.
 *
 * @param fd  a datagram socket, usually after peersec_udp_enable()
 * @param msg  as for recvmsg(2)
 * @param flags  as for recvmsg(2)
 * @param[out] label  the datagram's label, NUL-terminated; may be NULL when
 *            *label_len is 0
 * @param[in,out] label_len  on entry the size of @p label; on return the
 *            label's length without the NUL, or the size it needs (see
 *            above)
 *
 * @return the datagram's length as recvmsg(2) returns it (with MSG_TRUNC,
 * its full length), or a negative errno:
 *  - -EINVAL: @p msg or @p label_len is NULL, or @p label is NULL with
 *    *label_len not 0 (nothing received); or recvmsg(2) said so.
 *  - -EOVERFLOW: the label is longer than PEERSEC_UDP_LABEL_MAX - 1
 *    characters, or the kernel cut the library's control buffer where the
 *    label was or could have been (the caller's own messages took more than
 *    PEERSEC_UDP_CONTROL_MAX bytes): the label is unknown.  The datagram is
 *    consumed.
 *  - -EBADMSG: the kernel's control data is malformed: a cmsg_len shorter
 *    than its header or longer than the data, an empty or non-text label
 *    (a NUL followed by more bytes), two labels.  The datagram is consumed.
 *  - -EAGAIN (== -EWOULDBLOCK): nonblocking and no datagram waiting.
 *  - -EINTR: a signal arrived first.
 *  - -EBADF, -ENOTSOCK: @p fd is not a socket.
 *  - -EFAULT: msg_name or a data buffer points outside the caller's memory.
 *  - -ENOMEM: the kernel is out of memory.
 *  - -ENOTCONN: a connection-based socket that is not connected.
 *  - a pending error of the socket, as recvmsg(2) reports it after an ICMP
 *    error on a connected socket or with IP_RECVERR: -ECONNREFUSED,
 *    -EHOSTUNREACH, -ENETUNREACH, -EHOSTDOWN, -ENONET, -ENOPROTOOPT,
 *    -EOPNOTSUPP, -EMSGSIZE, -EACCES, -EPROTO.
 *  - -EIO: the kernel answered with an error outside this list.
 *  On -EINVAL (from the library), -EAGAIN, -EINTR and the pending errors no
 *  datagram is consumed.
 */
ssize_t peersec_udp_recvmsg(int fd, struct msghdr *msg, int flags,
			    char *label, size_t *label_len);

/* Declared by <sys/socket.h> only under _GNU_SOURCE, and by <time.h>. */
struct mmsghdr;
struct timespec;

/**
 * One datagram's label from peersec_udp_recvmmsg().
 */
struct peersec_udp_label {
	/** The label, NUL-terminated; it lies in the datagram's own
	 * msg_control buffer, past the caller's messages, and lasts until
	 * that buffer is reused.  "" (a static string) when the datagram has
	 * none.  NULL when @p error is not 0. */
	const char *label;
	/** strlen(label); 0 when @p error is not 0. */
	size_t len;
	/** 0, or why this datagram's label could not be read: -EOVERFLOW or
	 * -EBADMSG as for peersec_udp_recvmsg().  Drop such a datagram; the
	 * others in the batch are unaffected. */
	int error;
};

/**
 * Receive up to @p vlen datagrams with one recvmmsg(2) call, each with its
 * own label.  For high-rate servers: nothing is allocated and nothing is
 * copied but the label inside its own buffer; the kernel receives straight
 * into the caller's buffers.
 *
 * Each vec[i].msg_hdr is set up as for recvmmsg(2), except that msg_control
 * must point to a buffer of PEERSEC_UDP_CONTROL_SPACE(own) bytes and
 * msg_controllen must be that size, where own is the space the caller wants
 * for its own control messages (0 for none).  For each datagram received
 * the function then leaves in vec[i]: msg_len (the byte count), msg_name and
 * msg_namelen, and the caller's own control messages in the first own bytes
 * of msg_control, with msg_controllen and MSG_CTRUNC exactly as
 * recvmsg(2) would have left them for a buffer of own bytes.  As with
 * recvmmsg(2), reset msg_controllen (and msg_namelen) before the next call.
 *
 * labels[i] describes datagram i: its label (in its control buffer, see
 * struct peersec_udp_label), or a per-datagram error after which only that
 * datagram should be dropped.  Entries past the returned count are
 * unspecified.  Choose own large enough for every message the caller
 * enabled: messages beyond own take the label's room, and a long label
 * that no longer fits gives that datagram -EOVERFLOW (fail closed).  With
 * own large enough, a label up to PEERSEC_UDP_LABEL_MAX always fits.
 *
 * @param fd  a datagram socket, usually after peersec_udp_enable()
 * @param vec  as for recvmmsg(2), with control buffers as above
 * @param vlen  number of entries in @p vec and @p labels (the kernel takes
 *            at most 1024)
 * @param flags  as for recvmmsg(2) (MSG_WAITFORONE, MSG_DONTWAIT, ...)
 * @param timeout  as for recvmmsg(2); may be NULL
 * @param[out] labels  @p vlen entries, one per datagram
 *
 * @return the number of datagrams received (>= 1; 0 only when @p vlen is
 * 0), or a negative errno, no datagram consumed:
 *  - -EINVAL: @p vec or @p labels is NULL with @p vlen not 0, or an entry's
 *    msg_control is NULL or its msg_controllen is less than
 *    PEERSEC_UDP_CONTROL_SPACE(0) (nothing received); or recvmmsg(2) said
 *    so.
 *  - the other errors of peersec_udp_recvmsg() (-EIO included) except
 *    -EOVERFLOW and -EBADMSG, which are per datagram here.  As with recvmmsg(2), an error
 *    met after the first datagram ends the batch early and is reported by
 *    the next call.
 */
int peersec_udp_recvmmsg(int fd, struct mmsghdr *vec, unsigned int vlen,
			 int flags, struct timespec *timeout,
			 struct peersec_udp_label *labels);

/* ---------------------------------------------------------------------- */
/* Datagrams of every family, AF_UNIX messages                             */
/* ---------------------------------------------------------------------- */

/**
 * Ask the kernel to attach each message's label to it.
 *
 *  - AF_UNIX, datagram, stream and seqpacket: SO_PASSSEC.  Every message
 *    then carries the sending socket's label (SOL_SOCKET, SCM_SECURITY).
 *  - AF_INET and AF_INET6 datagram sockets: IP_PASSSEC at SOL_IP, as
 *    peersec_udp_enable() does.  Only IPv4 datagrams are ever labeled; on an
 *    AF_INET6 socket they are those of v4-mapped senders.  An AF_INET6
 *    socket with IPV6_V6ONLY set can receive no IPv4 datagram and so never a
 *    label: the function refuses it with -EPFNOSUPPORT instead of
 *    succeeding uselessly (clear IPV6_V6ONLY before bind(2) to serve
 *    IPv4 peers).
 *
 * Enabling twice is harmless.  Without a labeling LSM the call still
 * succeeds and every message comes with an empty label.
 *
 * @param fd  an AF_UNIX socket, or an AF_INET or AF_INET6 datagram socket
 *
 * @return 0 on success, or a negative errno:
 *  - -EBADF: @p fd is not an open descriptor.
 *  - -ENOTSOCK: @p fd is not a socket.
 *  - -EAFNOSUPPORT: @p fd is neither AF_UNIX, AF_INET nor AF_INET6.
 *  - -EPROTOTYPE: an AF_INET or AF_INET6 socket that is not a datagram
 *    socket (TCP: use peersec_stream_get()).
 *  - -EPFNOSUPPORT: an AF_INET6 socket with IPV6_V6ONLY: it can never see
 *    a label.
 *  - -ENOPROTOOPT: the kernel refused the option on this socket.
 *  - -ENOMEM: the kernel is out of memory.
 *  - -EIO: the kernel answered with an error outside this list.
 */
int peersec_dgram_enable(int fd);

/**
 * Receive one message with its label: peersec_udp_recvmsg(), the same
 * function and contract, for AF_INET, AF_INET6 and AF_UNIX (datagram,
 * stream and seqpacket) sockets after peersec_dgram_enable().  The label
 * message may come at level SOL_IP or SOL_SOCKET; two in one message are
 * -EBADMSG.  The caller's own messages (SCM_CREDENTIALS, SCM_RIGHTS,
 * IP_PKTINFO, ...) come back as recvmsg(2) gives them, and SCM_RIGHTS and
 * SCM_PIDFD descriptors that do not fit the caller's buffer are closed.
 */
ssize_t peersec_dgram_recvmsg(int fd, struct msghdr *msg, int flags,
			      char *label, size_t *label_len);

/**
 * Receive a batch of messages with their labels: peersec_udp_recvmmsg(),
 * the same function and contract, for AF_INET, AF_INET6 and AF_UNIX
 * sockets.  Descriptors are handled per message as by
 * peersec_dgram_recvmsg(): a message whose label gives an error has all
 * its descriptors closed.
 */
int peersec_dgram_recvmmsg(int fd, struct mmsghdr *vec, unsigned int vlen,
			   int flags, struct timespec *timeout,
			   struct peersec_udp_label *labels);

/**
 * The control space, in bytes, that a caller running its own recvmsg(2)
 * reserves for the label message, on top of CMSG_SPACE() of each of its
 * other messages: room for a label of PEERSEC_UDP_LABEL_MAX bytes.
 */
#define PEERSEC_CMSG_LABEL_SPACE CMSG_SPACE(PEERSEC_UDP_LABEL_MAX)

/**
 * Read the label of a message that the caller received itself with
 * recvmsg(2) or recvmmsg(2) (an event loop's own receive, with its own
 * credentials and descriptors), after peersec_dgram_enable().
 *
 * @p msg is read, never changed: the label's message stays among the
 * caller's messages, and descriptors stay the caller's to close.  The same
 * normalisation and fail-closed rules as peersec_dgram_recvmsg(): a label
 * is never returned cut, malformed, or as "" in place of one that may have
 * been lost.  Reserve PEERSEC_CMSG_LABEL_SPACE bytes for it in msg_control;
 * a smaller buffer makes the kernel cut or drop the label, which this
 * function reports as -EOVERFLOW.  (An AF_UNIX receive with msg_control
 * NULL drops the label; Linux 6.4 and 6.1.28 or later then set MSG_CTRUNC,
 * older kernels only with SO_PASSCRED or descriptors, so give a buffer.)
 *
 * The cases where "" comes back without an error are those of
 * peersec_udp_recvmsg(): no label was attached.  Labels are raw contexts
 * (see selinux_raw_to_trans_context(3) to display one).
 *
 * @param msg  the message header as recvmsg(2) left it: msg_control,
 *            msg_controllen (the bytes written) and msg_flags are read
 * @param[out] buf  the label, NUL-terminated; may be NULL when *len is 0
 * @param[in,out] len  on entry the size of @p buf; on success the label's
 *            length without the NUL (0 for ""); on -ERANGE the size needed,
 *            NUL included
 *
 * @return 0 on success, or a negative errno:
 *  - -EINVAL: @p msg or @p len is NULL, or @p buf is NULL with *len not 0.
 *  - -ERANGE: @p buf is too small (even "" needs one byte); *len holds
 *    the size needed.
 *  - -EOVERFLOW: msg_flags has MSG_CTRUNC and the label may have been cut
 *    or dropped: it is unknown.  Drop the message.
 *  - -EBADMSG: the control data is malformed: a cmsg_len shorter than its
 *    header or past msg_controllen, an empty label message, a NUL inside
 *    the label followed by more bytes, two label messages.
 */
int peersec_cmsg_label(const struct msghdr *msg, char *buf, size_t *len);

/* ---------------------------------------------------------------------- */
/* SCTP associations (-EOPNOTSUPP when PEERSEC_HAVE_SCTP is 0)             */
/* ---------------------------------------------------------------------- */

/**
 * Read the peer label that the kernel holds for an SCTP socket, after
 * checking that @p assoc_id names a live association of it.
 *
 * The kernel keeps one peer label per SCTP socket, and this is the label
 * returned (SO_PEERSEC, normalised as by peersec_tcp_get()):
 *  - one-to-one socket (SOCK_STREAM), accepted or connected: the label of
 *    its association;
 *  - peeled-off socket: the label of the association it was peeled off
 *    with, its own;
 *  - one-to-many socket (SOCK_SEQPACKET): the label of the socket's
 *    *first* association, whichever association @p assoc_id names.  A
 *    later association with another label is let in only if the policy
 *    allows it (SELinux: permission `association`) and keeps its own label
 *    out of reach until it is peeled off: use peersec_sctp_peeloff() to
 *    read it.
 * Without labeled IPsec or NetLabel, SELinux gives SCTP sockets the
 * policy's unlabeled context instead of no label: see
 * peersec_label_is_unlabeled().  The connecting side has its label once the
 * association is established (COOKIE ACK).
 *
 * @param fd  an SCTP socket
 * @param assoc_id  on a one-to-many socket, a live association of @p fd
 *            (from sctp_sndrcvinfo, SCTP_ASSOC_CHANGE, sctp_connectx ...);
 *            on a one-to-one or peeled-off socket, 0 or the id of its
 *            association.  Either way the association must be live.
 * @param[out] buf  where the label is written, NUL-terminated; may be NULL
 *            when *len is 0, to ask for the size
 * @param[in,out] len  on entry the size of @p buf; on success the label's
 *            length without the NUL; on -ERANGE the size needed, NUL included
 *
 * @return 0 on success, or a negative errno:
 *  - -ENOENT: @p assoc_id names no live association of @p fd (on a
 *    one-to-many socket ids 0, 1 and 2 never do); on a peeled-off socket,
 *    also: its association ended.
 *  - -ENOTCONN: @p fd is a one-to-one socket without a live association
 *    (listening, not connected, or ended).
 *  - -EINPROGRESS: the association is still being set up (the connecting
 *    side of a one-to-many socket before SCTP_COMM_UP); its label is not
 *    known yet.
 *  - -ENOPROTOOPT: no label exists: no active LSM supplies SCTP peer labels
 *    (SELinux needs the policy capability extended_socket_class).
 *  - -EPROTOTYPE: @p fd is a socket, but not an SCTP one.
 *  - -ERANGE: @p buf is NULL or too small; *len holds the size needed.
 *  - -EINVAL: @p len is NULL.
 *  - -EBADF: @p fd is not an open descriptor.
 *  - -ENOTSOCK: @p fd is not a socket.
 *  - -EACCES: the security policy forbids reading the socket's options.
 *  - -EBADMSG: the kernel returned a label with an embedded NUL.
 *  - -EFAULT: @p buf does not point into the caller's memory.
 *  - -ENOMEM: the kernel ran out of memory.
 *  - -EOPNOTSUPP: the library was built without libsctp.
 *  - -EIO: the kernel answered with an error outside this list.
 */
int peersec_sctp_assoc_label(int fd, sctp_assoc_t assoc_id, char *buf,
			     size_t *len);

/**
 * Peel an association off a one-to-many SCTP socket (sctp_peeloff_flags(3))
 * and read the new socket's peer label, which is the association's own
 * label, not the first association's.
 *
 * *@p newfd is an open descriptor that the caller owns exactly when the
 * return value is 0, -ERANGE or -ENOPROTOOPT; after any other return it is
 * -1 and nothing was left open (a descriptor peeled off before a later
 * failure has been closed, which ends that association).  @p fd itself is
 * never closed.  On -ERANGE the association is safe on *@p newfd: read its
 * label with peersec_sctp_assoc_label(*newfd, 0, ...) and a buffer of *@p
 * len bytes.
 *
 * @param fd  a one-to-many SCTP socket (SOCK_SEQPACKET)
 * @param assoc_id  an established association of @p fd
 * @param flags  0, or SOCK_CLOEXEC and/or SOCK_NONBLOCK for the new socket
 * @param[out] newfd  the peeled-off socket, or -1 (see above)
 * @param[out] buf  where the label is written, NUL-terminated; may be NULL
 *            when *len is 0, to peel off and ask for the size
 * @param[in,out] len  on entry the size of @p buf; on success the label's
 *            length without the NUL; on -ERANGE the size needed, NUL included
 *
 * @return 0 on success, or a negative errno:
 *  - -ERANGE: peeled off (*@p newfd is open), but @p buf is NULL or too
 *    small for the label; *@p len holds the size needed.
 *  - -ENOPROTOOPT: peeled off (*@p newfd is open), but no label exists: no
 *    active LSM supplies SCTP peer labels.
 *  - -ENOENT: @p assoc_id names no live association of @p fd.
 *  - -EINPROGRESS: the association is still being set up (before
 *    SCTP_COMM_UP); nothing was peeled off.
 *  - -EOPNOTSUPP: @p fd is a one-to-one or an already peeled-off socket,
 *    or the kernel is older than Linux 4.13 (no SCTP_SOCKOPT_PEELOFF_FLAGS),
 *    or the library was built without libsctp.
 *  - -EPROTOTYPE: @p fd is a socket, but not an SCTP one.
 *  - -EINVAL: @p newfd or @p len is NULL, or @p flags has other bits.
 *  - -EBUSY: a thread is waiting to send on that association.
 *  - -EMFILE, -ENFILE, -ENOMEM: out of descriptors or memory.
 *  - -EBADF, -ENOTSOCK: @p fd is not a socket.
 *  - -EACCES: the security policy refused the new socket or reading it.
 *  - -EBADMSG: the kernel returned a label with an embedded NUL.
 *  - -EFAULT: @p buf does not point into the caller's memory.
 *  - -EIO: the kernel answered with an error outside this list.
 */
int peersec_sctp_peeloff(int fd, sctp_assoc_t assoc_id, int flags,
			 int *newfd, char *buf, size_t *len);

/* ---------------------------------------------------------------------- */
/* Labels and contexts (SELinux; -EOPNOTSUPP when PEERSEC_HAVE_SELINUX is 0) */
/* ---------------------------------------------------------------------- */

/**
 * Tell whether @p label is the loaded SELinux policy's "unlabeled" initial
 * context: the label the kernel gives SCTP sockets (and other objects) that
 * received no peer label.  A daemon can treat it like -ENOPROTOOPT from
 * peersec_tcp_get(): "the peer has no label".
 *
 * The context is the policy's own (read from selinuxfs through
 * security_get_initial_context_raw(3) at each call, never cached, so a
 * policy reload is seen); no type name is built in.  The comparison is of
 * raw contexts, byte for byte, as the peersec_* functions return them.
 *
 * @param label  a NUL-terminated raw context
 *
 * @return 1 if @p label is the unlabeled context, 0 if not, or a negative
 * errno:
 *  - -EINVAL: @p label is NULL.
 *  - -ENOENT: no SELinux to ask: SELinux is not enabled in this kernel, or
 *    selinuxfs is not mounted at /sys/fs/selinux.
 *  - -EACCES: the policy forbids reading its initial contexts.
 *  - -ENOMEM: out of memory.
 *  - -EOPNOTSUPP: the library was built without libselinux.
 *  - -EIO: libselinux failed in a way outside this list.
 */
int peersec_label_is_unlabeled(const char *label);

/**
 * Derive the context a service started for a peer should run in: @p base
 * (or the caller's own context when NULL) with its MLS range replaced by the
 * peer label's, then the policy's process transition on @p exec_path's file
 * context (security_compute_create, class process): what systemd's
 * SELinuxContextFromNet= and xinetd's LABELED do.  Raw contexts throughout.
 * When the policy has no transition for the file, the result keeps the
 * base's type: a launcher should refuse rather than run the program in its
 * own domain.
 *
 * @param peer_label  the peer's label; only its MLS range (after the third
 *            ':') is used, and it must have one
 * @param base  user:role:type[:range] to start from, or NULL for the
 *            caller's own context
 * @param exec_path  the program that will be executed
 * @param[out] context  the derived raw context; release with free();
 *            untouched on failure
 *
 * @return 0 on success, or a negative errno:
 *  - -EINVAL: a NULL argument, an empty @p exec_path, a @p peer_label
 *    without an MLS range, or a label or base not shaped like a context.
 *  - -EOPNOTSUPP: SELinux is off, or its policy has no MLS (a label without
 *    a range cannot select a level) or no process class, or the library
 *    was built without libselinux.
 *  - -ENOENT: @p exec_path does not exist.
 *  - -EACCES: the policy refuses: the transition's result is invalid, or
 *    the caller may not read the file's context or ask the policy.
 *  - -ENODATA: @p exec_path has no file context.
 *  - -EPERM: the policy rejects the merged context (the peer's range is not
 *    valid for the base's user, or unknown to the policy).
 *  - -ENOMEM: out of memory.
 *  - -EIO: any other failure of libselinux or the system.
 * See peersec_context_derive(3).
 */
int peersec_context_derive(const char *peer_label, const char *base,
			   const char *exec_path, char **context);

#ifdef __cplusplus
}
#endif

#endif /* PEERSEC_PEERSEC_H */
