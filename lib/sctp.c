/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SCTP association labels.  Placeholder until the SCTP work lands.
 */
#include <errno.h>

#include "peersec-int.h"

PEERSEC_EXPORT int peersec_sctp_assoc_label(int fd, sctp_assoc_t assoc_id,
					    char *buf, size_t *len)
{
	return -ENOSYS;
}

PEERSEC_EXPORT int peersec_sctp_peeloff(int fd, sctp_assoc_t assoc_id,
					int flags, char *buf, size_t *len)
{
	return -ENOSYS;
}
