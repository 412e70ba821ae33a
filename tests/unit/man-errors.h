/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a function's man page documents, for tests that hold the library to
 * it: the errnos listed under ERRORS in PEERSEC_SRCDIR/doc/man/man3. */
#ifndef PEERSEC_MAN_ERRORS_H
#define PEERSEC_MAN_ERRORS_H

#include <stdbool.h>

#define MAN_ERRORS_MAX 32

/* Fill @errs with the errnos of @page's ERRORS section (following one .so
 * alias); returns how many.  Fails the test when there are none. */
int man_errors(const char *page, int errs[MAN_ERRORS_MAX]);

/* True when @r is -e for one of the @n errnos in @errs. */
bool man_errors_lists(int r, const int *errs, int n);

#endif
