/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* peersec(1): addresses on the command line and in the output. */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "peersec.h"

const char *proto_name(enum proto proto, int unix_type)
{
	switch (proto) {
	case PROTO_TCP: return "tcp";
	case PROTO_UDP: return "udp";
	case PROTO_SCTP: return "sctp";
	case PROTO_UNIX:
		return unix_type == SOCK_DGRAM ? "unix-dgram" :
		       unix_type == SOCK_SEQPACKET ? "unix-seqpacket" : "unix";
	}
	return "?";
}

static int parse_unix(const char *text, struct address *out)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&out->ss;
	size_t n = strlen(text);

	memset(out, 0, sizeof(*out));
	sun->sun_family = AF_UNIX;
	if (n == 0 || (text[0] == '@' && n == 1)) {
		warnx_("empty AF_UNIX address");
		return EXIT_USAGE;
	}
	if (n >= sizeof(sun->sun_path)) {
		warnx_("AF_UNIX address too long (at most %zu bytes): %s",
		       sizeof(sun->sun_path) - 1, text);
		return EXIT_USAGE;
	}
	memcpy(sun->sun_path, text, n);
	if (text[0] == '@') {		/* abstract: no NUL counted */
		sun->sun_path[0] = '\0';
		out->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	} else {
		out->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	}
	return 0;
}

int addr_parse(const char *text, enum proto proto, bool passive,
	       struct address *out)
{
	struct addrinfo hints = { 0 }, *res = NULL;
	const char *colon, *port;
	char *host;
	int r;

	if (proto == PROTO_UNIX)
		return parse_unix(text, out);

	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (!close || close[1] != ':') {
			warnx_("bad address '%s' (want [IPV6]:PORT)", text);
			return EXIT_USAGE;
		}
		host = strndup(text + 1, (size_t)(close - text - 1));
		port = close + 2;
	} else {
		colon = strrchr(text, ':');
		if (!colon || strchr(text, ':') != colon) {
			warnx_("bad address '%s' (want HOST:PORT or [IPV6]:PORT)", text);
			return EXIT_USAGE;
		}
		host = strndup(text, (size_t)(colon - text));
		port = colon + 1;
	}
	if (!host) {
		warnx_("out of memory");
		return EXIT_SYSTEM;
	}
	if (!*port) {
		warnx_("no port in '%s'", text);
		free(host);
		return EXIT_USAGE;
	}
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = proto == PROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
	if (!*host && !passive) {
		warnx_("no host in '%s'", text);
		free(host);
		return EXIT_USAGE;
	}
	/* every address: the dual-stack wildcard */
	r = getaddrinfo(*host ? host : "::", port, &hints, &res);
	free(host);
	if (r != 0) {
		warnx_("%s: %s", text, r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
		return r == EAI_NONAME || r == EAI_SERVICE ? EXIT_USAGE : EXIT_SYSTEM;
	}
	memset(out, 0, sizeof(*out));
	memcpy(&out->ss, res->ai_addr, res->ai_addrlen);
	out->len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

void addr_format(const struct sockaddr *sa, socklen_t len, char *buf,
		 size_t size)
{
	char host[INET6_ADDRSTRLEN];

	if (len < sizeof(sa_family_t)) {
		snprintf(buf, size, "unnamed");
		return;
	}
	switch (sa->sa_family) {
	case AF_INET: {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		snprintf(buf, size, "%s:%u", host, ntohs(in->sin_port));
		return;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {	/* dual stack */
			inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], host,
				  sizeof(host));
			snprintf(buf, size, "%s:%u", host, ntohs(in6->sin6_port));
			return;
		}
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		snprintf(buf, size, "[%s]:%u", host, ntohs(in6->sin6_port));
		return;
	}
	case AF_UNIX: {
		const struct sockaddr_un *sun = (const struct sockaddr_un *)sa;
		size_t n = len - offsetof(struct sockaddr_un, sun_path);

		if (len <= offsetof(struct sockaddr_un, sun_path) || n == 0)
			snprintf(buf, size, "unnamed");
		else if (sun->sun_path[0] == '\0')
			snprintf(buf, size, "@%.*s", (int)(n - 1), sun->sun_path + 1);
		else
			snprintf(buf, size, "%.*s", (int)strnlen(sun->sun_path, n),
				 sun->sun_path);
		return;
	}
	default:
		snprintf(buf, size, "family %d", sa->sa_family);
	}
}
