/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * derive-check: peersec_context_derive() against the lab's real policy.
 *
 *   derive-check PEER_LABEL BASE EXEC_PATH EXPECTED
 *
 * BASE "-" means NULL (the caller's own context).  EXPECTED is the context
 * the function must return, or the error it must answer ("-EPERM").
 * Prints "derive PEER BASE EXEC -> RESULT" and exits 0 when RESULT is
 * EXPECTED, 1 when not, 2 on a usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <peersec/peersec.h>

static const char *errname(int r)
{
	static const struct {
		int e;
		const char *name;
	} names[] = {
		{ EINVAL, "-EINVAL" }, { EOPNOTSUPP, "-EOPNOTSUPP" },
		{ ENOENT, "-ENOENT" }, { EACCES, "-EACCES" },
		{ ENODATA, "-ENODATA" }, { EPERM, "-EPERM" },
		{ ENOMEM, "-ENOMEM" }, { EIO, "-EIO" },
	};
	static char other[24];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == -r)
			return names[i].name;
	snprintf(other, sizeof(other), "-E%d", -r);
	return other;
}

int main(int argc, char **argv)
{
	const char *base;
	char *ctx = NULL;
	const char *got;
	int r;

	if (argc != 5) {
		fprintf(stderr, "usage: derive-check PEER BASE|- EXEC "
			"EXPECTED\n");
		return 2;
	}
	base = strcmp(argv[2], "-") == 0 ? NULL : argv[2];
	r = peersec_context_derive(argv[1], base, argv[3], &ctx);
	got = r == 0 ? ctx : errname(r);
	printf("derive %s %s %s -> %s\n", argv[1], argv[2], argv[3], got);
	if (strcmp(got, argv[4]) != 0) {
		fprintf(stderr, "derive-check: expected %s\n", argv[4]);
		return 1;
	}
	free(ctx);
	return 0;
}
