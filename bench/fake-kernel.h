/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A kernel that labels, for counting on a host whose kernel does not.
 *
 * fake-kernel.c defines getsockopt, recvmsg and recvmmsg for the whole
 * process (the library, the hand-written loops and libselinux all bind to
 * them).  Once armed, SO_PEERSEC answers with the given label exactly as
 * SELinux does (NUL counted, -ERANGE with the size needed), and every
 * datagram received on a socket comes with an SCM_SECURITY message holding
 * it, placed and truncated as the kernel's put_cmsg() does.  The datagrams
 * themselves are real: the real syscall runs first.  Everything else goes
 * to the real kernel.
 *
 * Only for counting (allocations, instructions): it adds a copy of the label
 * in userspace to every call, the same to each compared variant.
 */
#ifndef PEERSEC_BENCH_FAKE_KERNEL_H
#define PEERSEC_BENCH_FAKE_KERNEL_H

#include <stddef.h>

/* Arm with a valid-looking MLS context of at least @bytes characters (at
 * most 4 more; NUL not counted).  Returns the label. */
const char *fake_kernel_arm(size_t bytes);

#endif
