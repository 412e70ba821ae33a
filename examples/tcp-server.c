/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tcp-server: accept TCP connections and print each client's address and
 * security label; the client is told its label too.
 *
 *   tcp-server [-1] PORT      listen on every address (IPv4 and IPv6)
 *
 * -1 serves one connection, then exits.  Port 0 picks a free port; the
 * first line printed is always "listening on port N".
 *
 * Build against an installed libpeersec:
 *   cc tcp-server.c $(pkg-config --cflags --libs peersec) -o tcp-server
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* accept4 */
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <peersec/peersec.h>

static void serve(int conn)
{
	struct sockaddr_in6 peer;
	socklen_t peer_len = sizeof(peer);
	char addr[INET6_ADDRSTRLEN] = "?";
	char *label = NULL;
	int r;

	if (getpeername(conn, (struct sockaddr *)&peer, &peer_len) == 0)
		inet_ntop(AF_INET6, &peer.sin6_addr, addr, sizeof(addr));

	r = peersec_tcp_get_alloc(conn, &label);
	if (r == 0) {
		printf("[%s]:%u label %s\n", addr, ntohs(peer.sin6_port), label);
		dprintf(conn, "label: %s\n", label);
		free(label);
	} else if (r == -ENOPROTOOPT) {
		printf("[%s]:%u no label\n", addr, ntohs(peer.sin6_port));
		dprintf(conn, "no label\n");
	} else {
		printf("[%s]:%u error: %s\n", addr, ntohs(peer.sin6_port),
		       strerror(-r));
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
				     .sin6_addr = IN6ADDR_ANY_INIT };
	socklen_t sl = sizeof(sin6);
	int once = 0, off = 0, on = 1, l;

	if (argc > 1 && strcmp(argv[1], "-1") == 0) {
		once = 1;
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: tcp-server [-1] PORT\n");
		return 2;
	}
	sin6.sin6_port = htons((uint16_t)atoi(argv[1]));

	l = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 ||
	    setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) < 0 ||
	    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
	    bind(l, (struct sockaddr *)&sin6, sizeof(sin6)) < 0 ||
	    listen(l, 16) < 0 ||
	    getsockname(l, (struct sockaddr *)&sin6, &sl) < 0) {
		perror("tcp-server: listen");
		return 1;
	}
	printf("listening on port %u (libpeersec %s)\n", ntohs(sin6.sin6_port),
	       peersec_version());
	fflush(stdout);

	do {
		int conn = accept4(l, NULL, NULL, SOCK_CLOEXEC);

		if (conn < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			perror("tcp-server: accept");
			return 1;
		}
		serve(conn);
		close(conn);
	} while (!once);
	close(l);
	return 0;
}
