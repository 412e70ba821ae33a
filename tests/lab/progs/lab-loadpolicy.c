/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lab-loadpolicy POLICY [ENFORCE]: load a compiled SELinux policy into the
 * kernel with a single write() to /sys/fs/selinux/load (the kernel wants the
 * whole policy in one write; cat may split it), then optionally write ENFORCE
 * ("0" or "1") to /sys/fs/selinux/enforce.  Needs no library.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(const char *what)
{
	fprintf(stderr, "lab-loadpolicy: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	struct stat st;
	char *data;
	size_t got = 0;
	ssize_t n;
	int fd;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: lab-loadpolicy POLICY [0|1]\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return fail(argv[1]);
	data = malloc((size_t)st.st_size);
	if (data == NULL)
		return fail("malloc");
	while (got < (size_t)st.st_size) {
		n = read(fd, data + got, (size_t)st.st_size - got);
		if (n <= 0)
			return fail("read");
		got += (size_t)n;
	}
	close(fd);

	fd = open("/sys/fs/selinux/load", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return fail("/sys/fs/selinux/load");
	n = write(fd, data, got);
	if (n != (ssize_t)got)
		return fail("write policy");
	close(fd);

	if (argc == 3) {
		fd = open("/sys/fs/selinux/enforce", O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, argv[2], strlen(argv[2])) < 0)
			return fail("/sys/fs/selinux/enforce");
		close(fd);
	}
	free(data);
	return 0;
}
