/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stream-errors: the answers of peersec_tcp_get() and peersec_tcp_get_alloc()
 * on sockets that have no peer label to give, against the real kernel and
 * policy.  Each case prints one line "case NAME: ANSWER", which the scenario
 * compares with the documented answer.  One AF_UNIX socketpair case reads a
 * real label: both ends carry the process's own context.
 *
 *   stream-errors
 *
 * Exit 0 when the two functions agreed on every case and the size rules
 * held, 1 when not.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <selinux/selinux.h>
#include <peersec/peersec.h>

#include "lab-util.h"

static bool check(const char *name, int fd)
{
	char buf[256];
	size_t len = sizeof(buf);
	char *label = NULL;
	int r = peersec_tcp_get(fd, buf, &len);
	int ra = peersec_tcp_get_alloc(fd, &label);
	bool good = true;

	printf("case %s: %s\n", name, r == 0 ? buf : lab_errname(r));
	if (r == 0) {
		int u = peersec_label_is_unlabeled(buf);

		printf("case %s, peersec_label_is_unlabeled: %s\n", name,
		       u >= 0 ? (u ? "1" : "0") : lab_errname(u));
	}
	if (ra != r || (r == 0 && strcmp(label, buf) != 0)) {
		lab_err("%s: peersec_tcp_get_alloc says %s", name,
			ra == 0 ? label : lab_errname(ra));
		good = false;
	}
	free(label);
	return good;
}

static int tcp_socket(bool listening)
{
	struct sockaddr_in in = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		lab_die("socket: %m");
	if (listening && (bind(fd, (struct sockaddr *)&in, sizeof(in)) < 0 ||
			  listen(fd, 1) < 0))
		lab_die("listen: %m");
	return fd;
}

int main(int argc, char **argv)
{
	char *self = NULL;
	int sv[2], pfd[2];
	size_t len = 0;
	bool good = true;
	int fd;

	lab_init(argv[0]);
	if (getcon_raw(&self) < 0)
		lab_die("getcon: %m");

	fd = tcp_socket(false);
	good &= check("unconnected TCP socket", fd);
	close(fd);

	fd = tcp_socket(true);
	good &= check("listening TCP socket", fd);
	close(fd);

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	good &= check("UDP socket", fd);
	close(fd);

	if (pipe(pfd) < 0)
		lab_die("pipe: %m");
	good &= check("pipe", pfd[0]);
	close(pfd[0]);
	close(pfd[1]);

	good &= check("closed descriptor", pfd[0]);

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		lab_die("socketpair: %m");
	good &= check("AF_UNIX socketpair", sv[0]);
	printf("case len NULL: %s\n",
	       lab_errname(peersec_tcp_get(sv[0], NULL, NULL)));
	printf("case size query: %s\n",
	       lab_errname(peersec_tcp_get(sv[0], NULL, &len)));
	good &= lab_expect("size query answer", "ok",
			   len == strlen(self) + 1 ? "ok" : "wrong size");
	close(sv[0]);
	close(sv[1]);
	free(self);
	return good ? 0 : 1;
}
