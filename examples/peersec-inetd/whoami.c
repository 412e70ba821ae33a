/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * peersec-whoami: a server for peersec-inetd that tells its client where it
 * runs.  It writes one line to stdout:
 *
 *   context=CTX label=LABEL peer=ADDR:PORT uid=U gid=G fds=N [data=...]
 *
 * CTX is the process's own context (/proc/self/attr/current), LABEL the peer
 * label the launcher saw, N the number of open descriptors (0, 1 and 2
 * expected).  Over UDP it reads the datagram from stdin first and repeats
 * it as data=.  Over a stream it reads nothing.
 *
 * With "--log FILE" it also appends the line, with its pid, to FILE: a
 * record of every server that ran, which the lab checks.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;		/* the directory's own descriptor */
}

int main(int argc, char **argv)
{
	char ctx[4096] = "", data[1024] = "";
	const char *proto = getenv("PEERSEC_PROTOCOL");
	const char *label = getenv("PEERSEC_PEER_LABEL");
	const char *addr = getenv("PEERSEC_PEER_ADDR");
	const char *port = getenv("PEERSEC_PEER_PORT");
	char line[8192];
	int fds = open_fds();
	int fd, n;

	fd = open("/proc/self/attr/current", O_RDONLY);
	if (fd >= 0) {
		ssize_t r = read(fd, ctx, sizeof(ctx) - 1);

		ctx[r > 0 ? r : 0] = '\0';
		ctx[strcspn(ctx, "\n")] = '\0';
		close(fd);
	}
	if (proto != NULL && strcmp(proto, "udp") == 0) {
		ssize_t r = read(0, data, sizeof(data) - 1);

		data[r > 0 ? r : 0] = '\0';
		data[strcspn(data, "\n")] = '\0';
	}
	n = snprintf(line, sizeof(line),
		     "context=%s label=%s peer=%s:%s uid=%d gid=%d fds=%d%s%s\n",
		     ctx, label ? label : "(none)", addr ? addr : "?",
		     port ? port : "?", (int)getuid(), (int)getgid(), fds,
		     data[0] ? " data=" : "", data);
	if (n > (int)sizeof(line) - 1)
		n = sizeof(line) - 1;
	if (argc == 3 && strcmp(argv[1], "--log") == 0) {
		int log = open(argv[2], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
			       0666);

		if (log >= 0) {
			dprintf(log, "pid=%d %s", (int)getpid(), line);
			close(log);
		}
	}
	return write(1, line, (size_t)n) == n ? 0 : 1;
}
