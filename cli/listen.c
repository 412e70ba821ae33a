/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * peersec listen: accept peers and print each one's label.  Stream
 * transports: one line per connection, which is closed at once.  Datagrams
 * (udp, unix --type dgram): one line per datagram; a datagram whose label
 * cannot be read for certain is reported and dropped (fail closed).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/un.h>

#include "api.h"
#include "peersec.h"

static int listen_socket(const struct options *o, const struct address *a,
			 int type)
{
	int proto = o->proto == PROTO_SCTP ? IPPROTO_SCTP : 0;
	int fd = socket(a->ss.ss_family, type | SOCK_CLOEXEC, proto);
	int one = 1, zero = 0;

	if (fd < 0) {
		warnx_("socket (%s): %m%s", proto_name(o->proto, o->unix_type),
		       errno == EPROTONOSUPPORT && proto == IPPROTO_SCTP ?
		       " (no SCTP in this kernel: modprobe sctp)" : "");
		return -1;
	}
	if (a->ss.ss_family != AF_UNIX)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* the wildcard "::" takes IPv4 peers too */
	if (a->ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) != 0) {
		warnx_("bind %s: %m", o->addr);
		close(fd);
		return -1;
	}
	if (type != SOCK_DGRAM && listen(fd, 64) != 0) {
		warnx_("listen %s: %m", o->addr);
		close(fd);
		return -1;
	}
	return fd;
}

static pid_t unix_peer_pid(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
		return 0;
	return cred.pid;
}

static int listen_stream(const struct options *o, int lfd)
{
	int status = EXIT_LABELED;

	for (long n = 0; o->count == 0 || n < o->count; n++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		char where[ADDR_TEXT_MAX];
		char *label;
		int fd, r;

		fd = accept4(lfd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED) {
				n--;
				continue;
			}
			warnx_("accept: %m");
			return EXIT_SYSTEM;
		}
		addr_format((struct sockaddr *)&ss, len, where, sizeof(where));
		r = read_stream_label(fd, o->proto, &label);
		report_peer(o, &(struct peer_report){
			.proto = proto_name(o->proto, o->unix_type),
			.address = where, .label = label, .error = r,
			.bytes = -1, .fd = -1,
			.pid = o->proto == PROTO_UNIX ? unix_peer_pid(fd) : 0 });
		if (r < 0)
			status = EXIT_UNREADABLE;
		free(label);
		close(fd);
	}
	return status;
}

static int listen_dgram(const struct options *o, int fd)
{
	static char data[65536];
	static char label[API_DGRAM_LABEL_MAX];
	int status = EXIT_LABELED;
	int r;

	r = api_dgram_enable(fd);
	if (r < 0) {
		warnx_("cannot ask for datagram labels: %s", strerror(-r));
		return EXIT_SYSTEM;
	}
	for (long n = 0; o->count == 0 || n < o->count; n++) {
		struct sockaddr_storage ss;
		struct iovec iov = { data, sizeof(data) };
		struct msghdr msg = { .msg_name = &ss, .msg_namelen = sizeof(ss),
				      .msg_iov = &iov, .msg_iovlen = 1 };
		char where[ADDR_TEXT_MAX];
		size_t len = sizeof(label);
		ssize_t got;

		got = api_dgram_recvmsg(fd, &msg, 0, label, &len);
		if (got == -EINTR) {
			n--;
			continue;
		}
		if (got < 0 && got != -EOVERFLOW && got != -EBADMSG) {
			warnx_("receiving: %s", strerror((int)-got));
			return EXIT_SYSTEM;
		}
		if (got >= 0)
			addr_format((struct sockaddr *)&ss, msg.msg_namelen, where,
				    sizeof(where));
		else	/* the sender is not known for certain either */
			snprintf(where, sizeof(where), "unknown");
		report_peer(o, &(struct peer_report){
			.proto = proto_name(o->proto, o->unix_type),
			.address = where,
			.label = got >= 0 && len > 0 ? label : NULL,
			.error = got < 0 ? (int)got : 0,
			.bytes = got >= 0 ? got : -1, .fd = -1 });
		if (got < 0)
			status = EXIT_UNREADABLE;
	}
	return status;
}

int cmd_listen(const struct options *o)
{
	struct address a;
	char where[ADDR_TEXT_MAX];
	int type, fd, r;

	r = addr_parse(o->addr, o->proto, true, &a);
	if (r)
		return r;
	if (o->proto == PROTO_UNIX)
		type = o->unix_type;
	else
		type = o->proto == PROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;
	fd = listen_socket(o, &a, type);
	if (fd < 0)
		return EXIT_SYSTEM;
	{
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);

		if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
			addr_format((struct sockaddr *)&ss, len, where, sizeof(where));
		else
			snprintf(where, sizeof(where), "%s", o->addr);
	}
	/* on stderr: stdout holds only peers (JSON lines with --json) */
	fprintf(stderr, "peersec: listening on %s %s\n",
		proto_name(o->proto, o->unix_type), where);
	r = type == SOCK_DGRAM ? listen_dgram(o, fd) : listen_stream(o, fd);
	close(fd);
	if (a.ss.ss_family == AF_UNIX) {
		const struct sockaddr_un *sun = (const struct sockaddr_un *)&a.ss;

		if (sun->sun_path[0])
			unlink(sun->sun_path);
	}
	return r;
}
