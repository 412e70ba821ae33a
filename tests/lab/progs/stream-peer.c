/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stream-peer: both ends of a stream connection (TCP over IPv4/IPv6, AF_UNIX)
 * that read each other's label with libpeersec and check it.
 *
 *   stream-peer server [-S] [-s SOCKCON] [-n N] [-e EXPECT] [-m] ADDR [PORT]
 *   stream-peer client [-S] [-s SOCKCON] [-c CLAIM] [-e EXPECT] ADDR [PORT]
 *
 * -S uses SOCK_SEQPACKET (AF_UNIX) instead of SOCK_STREAM.
 *
 * The server says "ready" once it listens (lab_ready()), then accepts N
 * connections (default 1) and keeps them all open
 * before it reads any label, so N clients are connected at once.  Then, for
 * each connection: it reads the client's line (its CLAIM, "-" if none),
 * reads the peer label, prints "peer server ADDRESS LABEL" and answers
 * "done".  -e checks every label against EXPECT; -m checks each label against
 * its own client's claim, which proves that every accepted socket holds its
 * own client's label.
 *
 * The client connects (retrying while the server is not listening yet),
 * sends CLAIM, reads the server's label, prints "peer client ADDRESS LABEL"
 * and waits for "done".
 *
 * A label is a context string or an error name: "-ENOPROTOOPT" is the
 * library's "no label".  -s labels the program's sockets (setsockcreatecon).
 * Every read also cross-checks peersec_tcp_get() around the label's exact
 * size (lab_stream_label()).  Exit 0 when all held, 1 when one did not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "lab-util.h"

#define MAX_CONN 64
#define LINE_MAX_LAB 16384

struct opts {
	int type;
	const char *sockcon;
	const char *claim;
	const char *expect;
	bool match_claim;
	int n;
};

static int server(const struct opts *o, const struct lab_addr *a)
{
	int fds[MAX_CONN];
	int lfd = lab_listen(o->type, 0, a, MAX_CONN);
	bool good = true;

	lab_ready();
	for (int i = 0; i < o->n; i++) {
		fds[i] = accept(lfd, NULL, NULL);
		if (fds[i] < 0)
			lab_die("accept: %m");
	}
	for (int i = 0; i < o->n; i++) {
		static char claim[LINE_MAX_LAB];
		char *label;

		if (!lab_read_line(fds[i], claim, sizeof(claim)))
			lab_die("connection %d: no claim line", i);
		good &= lab_stream_label(fds[i], &label);
		printf("peer server %s %s\n", lab_peer_name(fds[i]), label);
		good &= lab_expect("server", o->expect, label);
		if (o->match_claim && strcmp(claim, "-") != 0)
			good &= lab_expect("server (client's claim)", claim,
					   label);
		lab_write_all(fds[i], "done\n", 5);
		free(label);
	}
	for (int i = 0; i < o->n; i++)
		close(fds[i]);
	close(lfd);
	return good ? 0 : 1;
}

static int client(const struct opts *o, const struct lab_addr *a)
{
	char done[16];
	char *label;
	bool good;
	int fd = lab_connect(o->type, 0, a, 20);
	char *line;

	/* One write: one record on a SOCK_SEQPACKET socket. */
	if (asprintf(&line, "%s\n", o->claim) < 0)
		lab_die("out of memory");
	lab_write_all(fd, line, strlen(line));
	free(line);
	good = lab_stream_label(fd, &label);
	printf("peer client %s %s\n", lab_peer_name(fd), label);
	good &= lab_expect("client", o->expect, label);
	if (!lab_read_line(fd, done, sizeof(done)) || strcmp(done, "done") != 0)
		lab_die("server did not answer");
	free(label);
	close(fd);
	return good ? 0 : 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: %s server [-S] [-s SOCKCON] [-n N] [-e EXPECT] [-m] ADDR [PORT]\n"
		"       %s client [-S] [-s SOCKCON] [-c CLAIM] [-e EXPECT] ADDR [PORT]\n",
		lab_prog, lab_prog);
	exit(2);
}

int main(int argc, char **argv)
{
	struct opts o = { .type = SOCK_STREAM, .claim = "-", .n = 1 };
	struct lab_addr a;
	const char *mode;
	int c;

	lab_init(argv[0]);
	if (argc < 2)
		usage();
	mode = argv[1];
	argc--;
	argv++;
	while ((c = getopt(argc, argv, "Ss:c:e:mn:")) != -1) {
		switch (c) {
		case 'S': o.type = SOCK_SEQPACKET; break;
		case 's': o.sockcon = optarg; break;
		case 'c': o.claim = optarg; break;
		case 'e': o.expect = optarg; break;
		case 'm': o.match_claim = true; break;
		case 'n': o.n = atoi(optarg); break;
		default: usage();
		}
	}
	if (optind >= argc || o.n < 1 || o.n > MAX_CONN)
		usage();
	lab_parse_addr(argv[optind], argv[optind + 1], &a);
	lab_sockcon(o.sockcon);

	if (strcmp(mode, "server") == 0)
		return server(&o, &a);
	if (strcmp(mode, "client") == 0)
		return client(&o, &a);
	usage();
}
