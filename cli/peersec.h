/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * peersec(1): what a peer's label is, for administrators.  Shared
 * declarations of the tool's parts: main.c (options, exit codes), addr.c
 * (addresses), report.c (text and JSON output, translation), listen.c,
 * connect.c, get.c (the subcommands).  The library is called through api.h
 * only.
 */
#ifndef PEERSEC_CLI_H
#define PEERSEC_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>

/* The raw system calls of get.c, for a libc without the wrappers (glibc
 * before 2.36). */
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

/* Exit codes (documented in peersec(1)). */
enum {
	EXIT_LABELED = 0,	/* every label was read */
	EXIT_NO_LABEL = 1,	/* connect/get: the peer has no label */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_SYSTEM = 3,	/* a socket, address or process could not be used */
	EXIT_UNREADABLE = 4,	/* a label exists but could not be read for certain */
	EXIT_DENIED = 5,	/* get: no ptrace rights, or no pidfd_getfd */
};

enum proto { PROTO_TCP, PROTO_UDP, PROTO_SCTP, PROTO_UNIX };

struct options {
	bool json;
	enum proto proto;
	int unix_type;		/* SOCK_STREAM, SOCK_SEQPACKET or SOCK_DGRAM */
	long count;		/* listen: stop after this many peers; 0: never */
	bool hold;		/* connect: keep the connection until the peer ends it */
	const char *addr;
	pid_t pid;		/* get */
	int fd;			/* get */
};

/* addr.c */
struct address {
	struct sockaddr_storage ss;
	socklen_t len;
};
/* HOST:PORT, [V6]:PORT, or for AF_UNIX /path or @abstract.  For listening
 * (@passive) an empty HOST means every address.  0, or a message on stderr
 * and EXIT_USAGE / EXIT_SYSTEM. */
int addr_parse(const char *text, enum proto proto, bool passive,
	       struct address *out);
/* "10.0.0.1:5000", "[fd00::1]:5000", "/run/x.sock", "@name", "unnamed";
 * into @buf of @size bytes. */
void addr_format(const struct sockaddr *sa, socklen_t len, char *buf,
		 size_t size);
#define ADDR_TEXT_MAX 160

const char *proto_name(enum proto proto, int unix_type);

/* report.c: one peer, as a text line or a JSON object on stdout.  @label
 * is the raw label, NULL when the peer has none; @error a negative errno
 * when the label could not be read (fail closed: no label is shown then);
 * @bytes the datagram's size, or -1 for a connection. */
struct peer_report {
	const char *proto;
	const char *address;
	const char *label;
	int error;
	ssize_t bytes;
	pid_t pid;		/* AF_UNIX stream peer's process, or 0 */
	int fd;			/* get: the descriptor read, or -1 */
};
void report_peer(const struct options *o, const struct peer_report *r);
/* "ENOPROTOOPT" for -ENOPROTOOPT */
const char *errno_name(int negative_errno);
/* What a negative errno from the library means, for a person. */
const char *label_error_text(int negative_errno);

/* Subcommands: an exit code. */
int cmd_listen(const struct options *o);
int cmd_connect(const struct options *o);
int cmd_get(const struct options *o);

/* A stream socket's label into *label (malloc'd) or NULL for "no label";
 * returns 0, or a negative errno when it cannot be read.  SCTP one-to-one
 * sockets go through the association's label. */
int read_stream_label(int fd, enum proto proto, char **label);

__attribute__((format(printf, 1, 2)))
void warnx_(const char *fmt, ...);

#endif
