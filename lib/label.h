/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The normaliser: turns the bytes an LSM gave into a label of known length.
 * Every label the kernel hands out crosses it on its way to the caller.  It
 * is inline because it sits on every hot path (one call per label read).
 *
 * SELinux and Smack count a trailing NUL in what they return; AppArmor does
 * not, and its label ends with a mode such as " (enforce)" that belongs to
 * the label.  An empty string means no label.  Anything with a NUL inside
 * the label followed by more bytes is malformed and refused, never cut.
 *
 * peersec__label_measure() looks at @n bytes the kernel wrote at @raw and
 * tells the length of the label they hold, without any trailing NUL:
 *   0         a label of *@label_len bytes at raw[0..*label_len);
 *             raw[*label_len] is either a NUL the kernel wrote or the first
 *             byte past what it wrote;
 *   -ENODATA  no label: nothing written, or only a NUL (an empty label);
 *   -EBADMSG  a NUL inside the label, followed by more bytes.
 */
#ifndef PEERSEC_LABEL_H
#define PEERSEC_LABEL_H

#include <errno.h>
#include <stddef.h>
#include <string.h>

static inline int peersec__label_measure(const char *raw, size_t n, size_t *label_len)
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

#endif /* PEERSEC_LABEL_H */
