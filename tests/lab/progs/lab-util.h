/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared by the lab's in-VM programs (tests/lab/progs): addresses, socket
 * labels, error names, and the checks every stream label read goes through.
 * Programs print each label they read on stdout as one line
 *     peer READER ADDRESS LABEL
 * (READER: who read it, e.g. server, client, receiver; ADDRESS: the peer's,
 * "unix" for AF_UNIX; LABEL: the label or an error name such as
 * -ENOPROTOOPT), which scenarios check and the lab's report shows, and
 * diagnostics on stderr.  They exit 0 when every expectation held, 1 when
 * one failed, 2 on a usage or setup error.
 */
#ifndef LAB_UTIL_H
#define LAB_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

extern const char *lab_prog;	/* set from argv[0] by lab_init() */

void lab_init(const char *argv0);
__attribute__((noreturn, format(printf, 1, 2)))
void lab_die(const char *fmt, ...);
__attribute__((format(printf, 1, 2)))
void lab_err(const char *fmt, ...);

/* "-ENOPROTOOPT" for -ENOPROTOOPT (a library return value), "0" for 0. */
const char *lab_errname(int r);

/*
 * ADDR is an IPv4 or IPv6 literal (PORT then is a port number), or
 * "unix:@name" (abstract) or "unix:/path" for AF_UNIX (PORT is ignored).
 */
struct lab_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	int family;
};
void lab_parse_addr(const char *addr, const char *port, struct lab_addr *a);

/* setsockcreatecon_raw(): sockets this thread creates next get @con;
 * NULL or "" leaves the process's own context. */
void lab_sockcon(const char *con);

/* The run's time scale (LAB_SCALE, set by the VM's /init; 1 when unset):
 * every bound a program sets on waiting for an event is multiplied by it. */
int lab_scale(void);

/* connect() with retries for up to @seconds (scaled) while the server is not
 * yet listening (ECONNREFUSED, ENOENT). Returns the connected fd. */
int lab_connect(int type, int proto, const struct lab_addr *a, int seconds);
int lab_listen(int type, int proto, const struct lab_addr *a, int backlog);

/*
 * Read the peer label of stream socket @fd with peersec_tcp_get_alloc() and
 * cross-check it with peersec_tcp_get() around the exact size (NULL buffer,
 * one byte short, exact, one byte more, 255/256/257-byte buffers).  On
 * success *@out is the label, or the error name ("-ENOPROTOOPT") when the
 * library found none; free() it.  Returns false (after saying why on stderr)
 * when the two functions disagree or a size rule is broken.
 */
bool lab_stream_label(int fd, char **out);

/* Print "ready" on stdout: the server listens (or is bound), so clients may
 * start.  lablib's lab_bg_ready waits for this line. */
void lab_ready(void);

/* Compare @got with @expect (a label or an error name) and say so. */
bool lab_expect(const char *what, const char *expect, const char *got);

/* The peer's address as text, without port ("unix" for AF_UNIX);
 * a static buffer per thread. */
const char *lab_peer_name(int fd);

/* Read one line (up to '\n', which is dropped) into @buf; false on EOF. */
bool lab_read_line(int fd, char *buf, size_t size);
void lab_write_all(int fd, const char *s, size_t n);

#endif
