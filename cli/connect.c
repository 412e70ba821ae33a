/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* peersec connect: the server's label, as this client sees it. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "peersec.h"

int cmd_connect(const struct options *o)
{
	struct address a;
	char where[ADDR_TEXT_MAX];
	char *label = NULL;
	int fd, r, type, proto = 0;

	r = addr_parse(o->addr, o->proto, false, &a);
	if (r)
		return r;
	type = o->proto == PROTO_UNIX ? o->unix_type : SOCK_STREAM;
	if (o->proto == PROTO_SCTP)
		proto = IPPROTO_SCTP;
	fd = socket(a.ss.ss_family, type | SOCK_CLOEXEC, proto);
	if (fd < 0) {
		warnx_("socket (%s): %m%s", proto_name(o->proto, o->unix_type),
		       errno == EPROTONOSUPPORT && proto == IPPROTO_SCTP ?
		       " (no SCTP in this kernel: modprobe sctp)" : "");
		return EXIT_SYSTEM;
	}
	if (connect(fd, (struct sockaddr *)&a.ss, a.len) != 0) {
		warnx_("connect to %s: %m", o->addr);
		close(fd);
		return EXIT_SYSTEM;
	}
	addr_format((struct sockaddr *)&a.ss, a.len, where, sizeof(where));
	r = read_stream_label(fd, o->proto, &label);
	report_peer(o, &(struct peer_report){
		.proto = proto_name(o->proto, o->unix_type), .address = where,
		.label = label, .error = r, .bytes = -1,
		/* a held connection can be read again with 'get' */
		.fd = o->hold ? fd : -1 });
	if (r == 0 && o->hold) {
		char buf[512];

		ssize_t n;

		/* until the server closes or resets the connection */
		do
			n = read(fd, buf, sizeof(buf));
		while (n > 0 || (n < 0 && errno == EINTR));
	}
	close(fd);
	free(label);
	if (r < 0)
		return EXIT_UNREADABLE;
	return label ? EXIT_LABELED : EXIT_NO_LABEL;
}
