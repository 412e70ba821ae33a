/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * inetd-activate: play systemd's part in socket activation for the lab.
 *
 *   inetd-activate NAME=PROTO:ADDR:PORT... -- CMD...
 *
 * PROTO is tcp, udp, or unix (then ADDR is a path and PORT is ignored: an
 * AF_UNIX stream socket, to pass for a service it does not fit).
 * Binds (and for tcp and unix, listens on) each socket, puts them on descriptors 3,
 * 4, ... in order, sets LISTEN_FDS, LISTEN_FDNAMES and LISTEN_PID (our own
 * pid, which exec keeps) and execs CMD.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char names[1024] = "", num[16];
	int i, n = 0;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		char spec[256], *name, *proto, *addr, *port;
		struct sockaddr_in sin = { .sin_family = AF_INET };
		int one = 1, fd, udp;

		snprintf(spec, sizeof(spec), "%s", argv[i]);
		name = strtok(spec, "=");
		proto = strtok(NULL, ":");
		addr = strtok(NULL, ":");
		port = strtok(NULL, ":");
		if (name != NULL && proto != NULL && addr != NULL &&
		    strcmp(proto, "unix") == 0) {
			struct sockaddr_un sun = { .sun_family = AF_UNIX };

			snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", addr);
			unlink(addr);
			fd = socket(AF_UNIX, SOCK_STREAM, 0);
			if (fd < 0 || bind(fd, (struct sockaddr *)&sun,
					   sizeof(sun)) < 0 ||
			    listen(fd, 64) < 0) {
				perror("inetd-activate: unix socket");
				return 2;
			}
			goto place;
		}
		if (name == NULL || proto == NULL || addr == NULL ||
		    port == NULL || inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
			fprintf(stderr, "inetd-activate: bad socket %s\n",
				argv[i]);
			return 2;
		}
		udp = strcmp(proto, "udp") == 0;
		sin.sin_port = htons((unsigned short)atoi(port));
		fd = socket(AF_INET, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
		if (fd < 0 ||
		    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
			       sizeof(one)) < 0 ||
		    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
		    (!udp && listen(fd, 64) < 0)) {
			perror("inetd-activate: socket");
			return 2;
		}
place:
		if (fd != 3 + n) {
			if (dup2(fd, 3 + n) < 0) {
				perror("inetd-activate: dup2");
				return 2;
			}
			close(fd);
		}
		snprintf(names + strlen(names), sizeof(names) - strlen(names),
			 "%s%s", n ? ":" : "", name);
		n++;
	}
	if (i >= argc - 1) {
		fprintf(stderr, "usage: inetd-activate NAME=PROTO:ADDR:PORT... "
			"-- CMD...\n");
		return 2;
	}
	snprintf(num, sizeof(num), "%d", n);
	setenv("LISTEN_FDS", num, 1);
	setenv("LISTEN_FDNAMES", names, 1);
	snprintf(num, sizeof(num), "%d", (int)getpid());
	setenv("LISTEN_PID", num, 1);
	execvp(argv[i + 1], argv + i + 1);
	perror("inetd-activate: exec");
	return 127;
}
