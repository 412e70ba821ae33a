/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "man-errors.h"

static int errno_by_name(const char *name)
{
	if (strcmp(name, "EWOULDBLOCK") == 0)	/* an alias of EAGAIN */
		return EWOULDBLOCK;
	for (int e = 1; e < 200; e++) {
		const char *n = strerrorname_np(e);

		if (n != NULL && strcmp(n, name) == 0)
			return e;
	}
	fail_msg("unknown errno name %s in a man page", name);
	return 0;
}

int man_errors(const char *page, int errs[MAN_ERRORS_MAX])
{
	const char *src = getenv("PEERSEC_SRCDIR");
	char path[4096], line[512], so[256] = "";
	bool in_errors = false, after_tp = false;
	int n = 0;
	FILE *f;

	assert_non_null(src);
	snprintf(path, sizeof(path), "%s/doc/man/man3/%s.3", src, page);
	f = fopen(path, "re");
	if (f == NULL)
		fail_msg("no man page %s", path);
	if (fgets(line, sizeof(line), f) &&
	    sscanf(line, ".so man3/%255[^.].3", so) == 1) {
		fclose(f);
		return man_errors(so, errs);
	}
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, ".SH", 3) == 0) {
			in_errors = strncmp(line, ".SH ERRORS", 10) == 0;
			after_tp = false;
		} else if (in_errors && strncmp(line, ".TP", 3) == 0) {
			after_tp = true;
		} else if (after_tp && (strncmp(line, ".B ", 3) == 0 ||
					strncmp(line, ".BR ", 4) == 0)) {
			/* ".B EAGAIN" or ".BR EAGAIN \" or \" EWOULDBLOCK" */
			for (char *p = line + 3; *p != '\0'; p++) {
				char name[64];
				int used;

				if (*p != 'E' || (p[-1] != ' ' && p[-1] != '"') ||
				    sscanf(p, "%63[A-Z0-9]%n", name, &used) != 1)
					continue;
				assert_true(n < MAN_ERRORS_MAX);
				errs[n++] = errno_by_name(name);
				p += used - 1;
			}
			after_tp = false;
		} else {
			after_tp = false;
		}
	}
	fclose(f);
	assert_true(n > 0);
	return n;
}

bool man_errors_lists(int r, const int *errs, int n)
{
	for (int i = 0; i < n; i++)
		if (r == -errs[i])
			return true;
	return false;
}
