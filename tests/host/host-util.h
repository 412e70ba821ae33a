/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by the host tests (real sockets on this machine's kernel). */
#ifndef PEERSEC_HOST_UTIL_H
#define PEERSEC_HOST_UTIL_H

#include <stdbool.h>
#include <stddef.h>

/* Exit 77 (skip) with @why, or fail (exit 1) when CI=true. */
_Noreturn void host_skip(const char *why);

/* Skip (see host_skip) unless running as root. */
void host_need_root(void);

/* Move this process into a fresh network namespace with lo up, so tests bind
 * loopback ports without meeting anything else on the machine.  Needs root. */
void host_enter_netns(void);

/* The kernel's active LSMs ("lockdown,capability,..."), read from securityfs
 * (mounted in a private mount namespace if it is not mounted).  Never NULL. */
const char *host_lsm_list(void);

/* True when @name is among the active LSMs. */
bool host_lsm_active(const char *name);

/* True when an active LSM supplies SO_PEERSEC labels (SELinux, Smack,
 * AppArmor). */
bool host_lsm_labels_peers(void);

#endif
