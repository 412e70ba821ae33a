/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Stream fixture: one connection, and the four ways to read its peer label.
 * Each operation checks its answer against the first call's, so that a
 * variant that starts failing is reported, never timed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fixtures.h"

#if PEERSEC_HAVE_SELINUX
#include <selinux/selinux.h>
#endif

void *fx_alloc(size_t size)
{
	size_t rounded = (size + 4095) & ~(size_t)4095;
	void *p = aligned_alloc(4096, rounded);

	if (p == NULL)
		bench_die("out of memory");
	memset(p, 0, rounded);
	return p;
}

static long fail(const char *what, int r, int want)
{
	fprintf(stderr, "%s: %s returned %d (%s), the first call gave %d\n",
		program_invocation_short_name, what, r, strerror(r < 0 ? -r : 0),
		want);
	return -1;
}

long fx_tcp_get(void *p, size_t n)
{
	struct fx_stream *s = p;

	for (size_t i = 0; i < n; i++) {
		size_t len = sizeof(s->buf);
		int r = peersec_tcp_get(s->fd, s->buf, &len);

		if (r != s->want)
			return fail("peersec_tcp_get", r, s->want);
	}
	return (long)n;
}

long fx_getsockopt(void *p, size_t n)
{
	struct fx_stream *s = p;

	for (size_t i = 0; i < n; i++) {
		socklen_t len = sizeof(s->buf);
		int r = getsockopt(s->fd, SOL_SOCKET, SO_PEERSEC, s->buf, &len);

		if (r < 0)
			r = -errno;
		if (r != s->want)
			return fail("getsockopt(SO_PEERSEC)", r, s->want);
	}
	return (long)n;
}

long fx_tcp_get_alloc(void *p, size_t n)
{
	struct fx_stream *s = p;

	for (size_t i = 0; i < n; i++) {
		char *label = NULL;
		int r = peersec_tcp_get_alloc(s->fd, &label);

		if (r != s->want)
			return fail("peersec_tcp_get_alloc", r, s->want);
		free(label);
	}
	return (long)n;
}

/*
 * Diagnostics.  getsockopt and a memchr() over what it returned: the part of
 * the library's cost that is the embedded-NUL check, which every label needs.
 */
long fx_getsockopt_scan(void *p, size_t n)
{
	struct fx_stream *s = p;

	for (size_t i = 0; i < n; i++) {
		socklen_t len = sizeof(s->buf);
		int r = getsockopt(s->fd, SOL_SOCKET, SO_PEERSEC, s->buf, &len);

		if (r < 0)
			r = -errno;
		else if (len > 0 && memchr(s->buf, '\0', len - 1) != NULL)
			r = -EBADMSG;
		if (r != s->want)
			return fail("getsockopt+memchr", r, s->want);
	}
	return (long)n;
}

/*
 * A fast path proposed for peersec_tcp_get() (bench/README.md, "missed
 * goals"): one function, no layers, for the common answer of SELinux and
 * Smack (the label fits, NUL-terminated, no NUL inside); anything else falls
 * back to the library (which here means a second syscall; inside the library
 * the slow path would go on from the first answer instead).
 */
static int fused_tcp_get(int fd, char *buf, size_t *len)
{
	size_t cap = *len;
	socklen_t n = cap > INT_MAX ? INT_MAX : (socklen_t)cap;

	if (buf != NULL && n > 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_PEERSEC, buf, &n) == 0 &&
	    n > 1 && n <= cap && buf[n - 1] == '\0' &&
	    memchr(buf, '\0', n - 1) == NULL) {
		*len = n - 1;
		return 0;
	}
	return peersec_tcp_get(fd, buf, len);
}

long fx_fused(void *p, size_t n)
{
	struct fx_stream *s = p;

	for (size_t i = 0; i < n; i++) {
		size_t len = sizeof(s->buf);
		int r = fused_tcp_get(s->fd, s->buf, &len);

		if (r != s->want)
			return fail("fused fast path", r, s->want);
	}
	return (long)n;
}

#if PEERSEC_HAVE_SELINUX
long fx_getpeercon(void *p, size_t n)
{
	struct fx_stream *s = p;

	for (size_t i = 0; i < n; i++) {
		char *con = NULL;
		int r = getpeercon_raw(s->fd, &con);

		if (r < 0)
			r = -errno;
		if (r != s->want)
			return fail("getpeercon_raw", r, s->want);
		if (r == 0)
			freecon(con);
	}
	return (long)n;
}
#endif

static void tcp_pair(struct fx_stream *s, const char *src, const char *dst)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct sockaddr_in b = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	int l, one = 1;

	if (inet_pton(AF_INET, dst, &a.sin_addr) != 1 ||
	    inet_pton(AF_INET, src, &b.sin_addr) != 1)
		bench_die("bad IPv4 address %s or %s", src, dst);
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	s->client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || s->client < 0)
		bench_die("socket: %s", strerror(errno));
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(l, (struct sockaddr *)&a, &alen) < 0 ||
	    listen(l, 1) < 0)
		bench_die("listen on %s: %s", dst, strerror(errno));
	if (bind(s->client, (struct sockaddr *)&b, sizeof(b)) < 0 ||
	    connect(s->client, (struct sockaddr *)&a, sizeof(a)) < 0)
		bench_die("connect %s -> %s: %s", src, dst, strerror(errno));
	s->fd = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	if (s->fd < 0)
		bench_die("accept: %s", strerror(errno));
	close(l);
	snprintf(s->desc, sizeof(s->desc), "TCP %s -> %s", src, dst);
}

void fx_stream_open(struct fx_stream *s, const char *src, const char *dst,
		    bool use_unix)
{
	size_t len;

	memset(s, 0, sizeof(*s));
	if (use_unix) {
		int sv[2];

		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
			bench_die("socketpair: %s", strerror(errno));
		s->fd = sv[0];
		s->client = sv[1];
		snprintf(s->desc, sizeof(s->desc), "AF_UNIX socketpair");
	} else {
		tcp_pair(s, src, dst);
	}

	len = sizeof(s->buf);
	s->want = peersec_tcp_get(s->fd, s->buf, &len);
	if (s->want == 0)
		s->label_len = len;
	else if (s->want != -ENOPROTOOPT)
		bench_die("peersec_tcp_get: %s", strerror(-s->want));
}

void fx_stream_close(struct fx_stream *s)
{
	close(s->client);
	close(s->fd);
}
