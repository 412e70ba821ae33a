/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "peersec-int.h"

PEERSEC_EXPORT const char *peersec_version(void)
{
	return PEERSEC_VERSION_STRING;
}
