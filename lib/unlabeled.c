/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unlabeled detection: is a label the loaded policy's "unlabeled" initial
 * context?
 *
 * The kernel hands out the context of its unlabeled initial SID where a
 * peer label is missing (SCTP associations without labeled IPsec or
 * NetLabel).  Its text comes from the policy, so it is asked for at each
 * call (selinuxfs initial_contexts/unlabeled, through libselinux); nothing
 * is cached, so a policy reload is seen and no state is shared between
 * threads.  Unit tests wrap security_get_initial_context_raw().
 */
#include <errno.h>
#include <string.h>
#include <selinux/selinux.h>

#include "peersec-int.h"

static int initial_context_errno(int e)
{
	switch (e) {
	case ENOENT:	/* selinuxfs not mounted, or no such initial SID */
	case EACCES:
	case ENOMEM:
		return -e;
	default:
		return -EIO;
	}
}

PEERSEC_EXPORT int peersec_label_is_unlabeled(const char *label)
{
	char *con = NULL;
	size_t con_len;
	int r;

	if (label == NULL)
		return -EINVAL;

	errno = 0;
	if (security_get_initial_context_raw("unlabeled", &con) < 0)
		return initial_context_errno(errno);

	/* The kernel's answer crosses the normaliser like every label. */
	r = peersec__label_measure(con, strlen(con), &con_len);
	if (r == 0)
		r = strlen(label) == con_len &&
		    memcmp(label, con, con_len) == 0;
	else
		r = -EIO;	/* an empty initial context: never seen */
	freecon(con);
	return r;
}
