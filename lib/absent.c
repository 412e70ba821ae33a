/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The functions whose dependency this build lacks.  They exist in every
 * build, so that the exported set never depends on build options and a
 * program linked against a full build still loads: here they answer
 * -EOPNOTSUPP (and the peel-off leaves no descriptor).
 */
#include <errno.h>

#include "peersec-int.h"

#if !PEERSEC_HAVE_SCTP
PEERSEC_EXPORT int peersec_sctp_assoc_label(int fd, sctp_assoc_t assoc_id,
					    char *buf, size_t *len)
{
	return -EOPNOTSUPP;
}

PEERSEC_EXPORT int peersec_sctp_peeloff(int fd, sctp_assoc_t assoc_id,
					int flags, int *newfd, char *buf,
					size_t *len)
{
	if (newfd != NULL)
		*newfd = -1;
	return -EOPNOTSUPP;
}
#endif

#if !PEERSEC_HAVE_SELINUX
PEERSEC_EXPORT int peersec_label_is_unlabeled(const char *label)
{
	return -EOPNOTSUPP;
}

PEERSEC_EXPORT int peersec_context_derive(const char *peer_label,
					  const char *base,
					  const char *exec_path,
					  char **context)
{
	return -EOPNOTSUPP;
}
#endif
