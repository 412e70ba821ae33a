/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lab-runas CONTEXT PROGRAM [ARG...]: run PROGRAM in SELinux context CONTEXT
 * (setexeccon, then exec), so that it and every socket it creates carry that
 * label.  The lab policy lets any lab domain transition to any other.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <selinux/selinux.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: lab-runas CONTEXT PROGRAM [ARG...]\n");
		return 2;
	}
	if (setexeccon_raw(argv[1]) < 0) {
		fprintf(stderr, "lab-runas: setexeccon %s: %s\n", argv[1],
			strerror(errno));
		return 2;
	}
	execvp(argv[2], argv + 2);
	fprintf(stderr, "lab-runas: exec %s: %s\n", argv[2], strerror(errno));
	return 127;
}
