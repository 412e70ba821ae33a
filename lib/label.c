/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The normaliser: turns the bytes an LSM gave into a label of known length.
 *
 * SELinux and Smack count a trailing NUL in what they return; AppArmor does
 * not, and its label ends with a mode such as " (enforce)" that belongs to
 * the label.  An empty string means no label.  Anything with a NUL inside
 * the label followed by more bytes is malformed and refused, never cut.
 */
#include <errno.h>
#include <string.h>

#include "peersec-int.h"

int peersec__label_measure(const char *raw, size_t n, size_t *label_len)
{
	const char *nul;
	size_t len;

	if (n == 0)
		return -ENODATA;

	nul = memchr(raw, '\0', n);
	if (nul == NULL) {
		len = n;
	} else {
		len = (size_t)(nul - raw);
		/* Only NULs may follow the first NUL (some LSMs pad). */
		for (const char *p = nul + 1; p < raw + n; p++)
			if (*p != '\0')
				return -EBADMSG;
	}
	if (len == 0)
		return -ENODATA;

	*label_len = len;
	return 0;
}
