/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * peersec(1): the command line, and the exit codes every subcommand shares.
 *
 *   peersec [--json] listen tcp|udp|sctp|unix ADDR [-n COUNT] [--type T]
 *   peersec [--json] connect tcp|sctp|unix ADDR [--hold] [--type T]
 *   peersec [--json] get --pid PID --fd N
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <peersec/peersec.h>

#include "peersec.h"

static const char usage_text[] =
	"Usage: peersec [--json] listen tcp|udp|sctp|unix ADDR [-n COUNT] [--type TYPE]\n"
	"       peersec [--json] connect tcp|sctp|unix ADDR [--hold] [--type TYPE]\n"
	"       peersec [--json] get --pid PID --fd N\n"
	"       peersec --help | --version\n"
	"\n"
	"Show the security label of a socket's peer (labeled IPsec, NetLabel,\n"
	"CIPSO, AF_UNIX), raw and translated.\n"
	"\n"
	"  listen    accept peers on ADDR and print each one's label (UDP: one\n"
	"            line per datagram)\n"
	"  connect   connect to ADDR and print the server's label\n"
	"  get       print the peer label of descriptor N of process PID\n"
	"            (pidfd_getfd: needs ptrace rights over PID)\n"
	"\n"
	"ADDR is HOST:PORT or [IPV6]:PORT (listen: :PORT for every address),\n"
	"or for unix a path or @abstract-name.\n"
	"\n"
	"  -j, --json         one JSON object per peer, one per line\n"
	"  -n, --count COUNT  listen: stop after COUNT peers (datagrams for UDP)\n"
	"  -t, --type TYPE    unix: stream (default), seqpacket or dgram\n"
	"      --hold         connect: keep the connection open until the server\n"
	"                     closes it (another process can then 'get' it)\n"
	"  -p, --pid PID, -f, --fd N   get: the process and its descriptor\n"
	"\n"
	"Exit status: 0 labels read; 1 the peer has no label (connect, get);\n"
	"2 usage; 3 system error; 4 a label could not be read for certain;\n"
	"5 get: no ptrace rights over PID or no pidfd_getfd in this kernel.\n";

void warnx_(const char *fmt, ...)
{
	va_list ap;

	fputs("peersec: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("peersec: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'peersec --help'.\n", stderr);
	return EXIT_USAGE;
}

static bool parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static bool parse_proto(const char *s, struct options *o)
{
	static const struct { const char *name; enum proto p; } names[] = {
		{ "tcp", PROTO_TCP }, { "udp", PROTO_UDP },
		{ "sctp", PROTO_SCTP }, { "unix", PROTO_UNIX },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i].name) == 0) {
			o->proto = names[i].p;
			return true;
		}
	}
	return false;
}

int main(int argc, char **argv)
{
	enum { OPT_HOLD = 256, OPT_VERSION };
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "count", required_argument, NULL, 'n' },
		{ "type", required_argument, NULL, 't' },
		{ "pid", required_argument, NULL, 'p' },
		{ "fd", required_argument, NULL, 'f' },
		{ "hold", no_argument, NULL, OPT_HOLD },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	struct options o = { .unix_type = SOCK_STREAM, .pid = -1, .fd = -1 };
	const char *cmd, *type = NULL;
	bool have_count = false;
	long v;
	int c;

	while ((c = getopt_long(argc, argv, "jn:t:p:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o.json = true;
			break;
		case 'n':
			if (!parse_long(optarg, 1, LONG_MAX, &o.count))
				return usage_error("bad count '%s'", optarg);
			have_count = true;
			break;
		case 't':
			type = optarg;
			break;
		case 'p':
			if (!parse_long(optarg, 1, INT_MAX, &v))
				return usage_error("bad process id '%s'", optarg);
			o.pid = (pid_t)v;
			break;
		case 'f':
			if (!parse_long(optarg, 0, INT_MAX, &v))
				return usage_error("bad descriptor '%s'", optarg);
			o.fd = (int)v;
			break;
		case OPT_HOLD:
			o.hold = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case OPT_VERSION:
			printf("peersec (libpeersec %s)\n", peersec_version());
			return 0;
		default:
			fputs("Try 'peersec --help'.\n", stderr);
			return EXIT_USAGE;
		}
	}
	/* GNU getopt has moved the subcommand and its arguments to the end. */
	if (optind >= argc)
		return usage_error("%s", "no subcommand (listen, connect or get)");
	cmd = argv[optind++];
	const int npos = argc - optind;
	char **pos = argv + optind;

	if (npos > 2)
		return usage_error("unexpected argument '%s'", pos[2]);
	if (type) {
		if (strcmp(type, "stream") == 0)
			o.unix_type = SOCK_STREAM;
		else if (strcmp(type, "seqpacket") == 0)
			o.unix_type = SOCK_SEQPACKET;
		else if (strcmp(type, "dgram") == 0)
			o.unix_type = SOCK_DGRAM;
		else
			return usage_error("bad socket type '%s' (stream, seqpacket, dgram)",
					   type);
	}

	/* A peer that leaves early must not kill the tool. */
	signal(SIGPIPE, SIG_IGN);

	if (strcmp(cmd, "get") == 0) {
		if (npos)
			return usage_error("unexpected argument '%s'", pos[0]);
		if (o.pid < 0 || o.fd < 0)
			return usage_error("%s", "get needs --pid PID and --fd N");
		if (type || have_count || o.hold)
			return usage_error("%s", "get takes only --pid, --fd and --json");
		return cmd_get(&o);
	}
	if (strcmp(cmd, "listen") != 0 && strcmp(cmd, "connect") != 0)
		return usage_error("unknown subcommand '%s'", cmd);
	if (npos != 2)
		return usage_error("%s needs a protocol and an address", cmd);
	if (!parse_proto(pos[0], &o))
		return usage_error("unknown protocol '%s' (tcp, udp, sctp, unix)", pos[0]);
	o.addr = pos[1];
	if (type && o.proto != PROTO_UNIX)
		return usage_error("%s", "--type applies to unix only");
	if (o.pid >= 0 || o.fd >= 0)
		return usage_error("%s", "--pid and --fd apply to get only");
	if (cmd[0] == 'l') {
		if (o.hold)
			return usage_error("%s", "--hold applies to connect only");
		return cmd_listen(&o);
	}
	if (have_count)
		return usage_error("%s", "--count applies to listen only");
	if (o.proto == PROTO_UDP)
		return usage_error("%s", "connect udp: a datagram's label is read by its "
				   "receiver; use 'listen udp' there");
	if (o.proto == PROTO_UNIX && o.unix_type == SOCK_DGRAM)
		return usage_error("%s", "connect unix --type dgram: a datagram's label is "
				   "read by its receiver; use 'listen unix' there");
	return cmd_connect(&o);
}
