/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel's numbers for labeled sockets that glibc does not name (or
 * names only in recent versions), for the library and for everything in
 * the tree that talks to the kernel about labels: one definition each.
 */
#ifndef PEERSEC_KERNEL_ABI_H
#define PEERSEC_KERNEL_ABI_H

#include <netinet/in.h>
#include <sys/socket.h>

/* include/linux/socket.h: the label message, at level SOL_IP (IP_PASSSEC)
 * or SOL_SOCKET (SO_PASSSEC).  The number is also IP_HDRINCL's and
 * IPV6_2292HOPOPTS's, so a match always checks the level too. */
#ifndef SCM_SECURITY
#define SCM_SECURITY 3
#endif

/* asm-generic/socket.h (34 on every architecture Debian builds for but
 * mips, parisc and sparc, whose glibc headers define it). */
#ifndef SO_PASSSEC
#define SO_PASSSEC 34
#endif

/* include/linux/socket.h (Linux 6.5): one descriptor, a pidfd for the
 * sender, installed only when the whole message fits. */
#ifndef SCM_PIDFD
#define SCM_PIDFD 0x04
#endif

/* asm-generic/socket.h (Linux 6.5), used by the tests only.  parisc and
 * sparc number it otherwise: there it needs kernel headers from 6.5. */
#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD 76
#endif

/* include/uapi/linux/in.h */
#ifndef IP_PASSSEC
#define IP_PASSSEC 18
#endif

#endif
