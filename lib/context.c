/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Child-context derivation.  Placeholder until the launcher work lands.
 */
#include <errno.h>

#include "peersec-int.h"

PEERSEC_EXPORT int peersec_context_derive(const char *peer_label,
					  const char *base,
					  const char *exec_path,
					  char **context)
{
	return -ENOSYS;
}
