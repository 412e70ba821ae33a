/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The closed set of errors.  Every public function hands its result through
 * peersec__errors_closed() with the list its man page documents, so that no
 * error the kernel might invent reaches a caller undocumented: anything else
 * becomes -EIO ("the kernel failed in a way this function does not know").
 * Returns @r when it is not negative or when -@r is in the 0-terminated list
 * @documented.  Inline: a success costs one comparison.
 */
#ifndef PEERSEC_ERRORS_H
#define PEERSEC_ERRORS_H

#include <errno.h>

static inline long peersec__errors_closed(long r, const int *documented)
{
	if (r >= 0)
		return r;
	for (const int *e = documented; *e != 0; e++)
		if (r == -*e)
			return r;
	return -EIO;
}

#endif /* PEERSEC_ERRORS_H */
