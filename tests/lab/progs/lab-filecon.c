/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lab-filecon FILE [CONTEXT]: set FILE's SELinux context to CONTEXT when
 * given (setfilecon), then print FILE's context (getfilecon).  Busybox
 * has no chcon or ls -Z; the launcher's tests label their programs with
 * this.  The initramfs keeps such labels (genfscon rootfs in base.cil).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <selinux/selinux.h>

int main(int argc, char **argv)
{
	char *con = NULL;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: lab-filecon FILE [CONTEXT]\n");
		return 2;
	}
	if (argc == 3 && setfilecon_raw(argv[1], argv[2]) < 0) {
		fprintf(stderr, "lab-filecon: setfilecon %s %s: %s\n", argv[1],
			argv[2], strerror(errno));
		return 1;
	}
	if (getfilecon_raw(argv[1], &con) < 0) {
		fprintf(stderr, "lab-filecon: getfilecon %s: %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	printf("%s\n", con);
	freecon(con);
	return 0;
}
