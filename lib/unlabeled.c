/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unlabeled detection.  Placeholder until the SCTP work lands.
 */
#include <errno.h>

#include "peersec-int.h"

PEERSEC_EXPORT int peersec_label_is_unlabeled(const char *label)
{
	return -ENOSYS;
}
