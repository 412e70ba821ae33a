/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Stream sockets: the library against what a daemon writes without it.
 *
 *   peersec_tcp_get (caller buffer)   vs  getsockopt(SO_PEERSEC), same buffer
 *   peersec_tcp_get_alloc + free      vs  libselinux getpeercon_raw + freecon
 *
 * on the accepted end of one TCP connection over loopback (or, with --unix,
 * an AF_UNIX socketpair).  The label is whatever the kernel gives that
 * connection: in the lab a NetLabel or IPsec mapping chooses it (pick the
 * source address with --src), on a kernel without a labeling LSM there is
 * none and every variant measures the "no label" answer.
 *
 *   bench-stream [--src ADDR] [--dst ADDR] [--unix] [harness options]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <peersec/peersec.h>
#if PEERSEC_HAVE_SELINUX
#include <selinux/selinux.h>
#endif

#include "bench.h"

/* What a daemon would pass: room for any label it expects. */
#define BUF_SIZE 4096

/* The libselinux size that getpeercon_raw() tries first (its
 * INITCONTEXTLEN + 1); longer labels cost it a second getsockopt. */
#define GETPEERCON_FIRST 256

struct ctx {
	int fd;
	int want;		/* expected return: 0 or a negative errno */
	char buf[BUF_SIZE];
};

static int fail(const char *what, int r, int want)
{
	fprintf(stderr, "bench-stream: %s returned %d (%s), first call gave "
		"%d\n", what, r, strerror(r < 0 ? -r : 0), want);
	return -1;
}

static int v_tcp_get(void *p, size_t iters, uint64_t *ns, size_t *ops)
{
	struct ctx *c = p;
	uint64_t t0 = bench_now_ns();

	for (size_t i = 0; i < iters; i++) {
		size_t len = sizeof(c->buf);
		int r = peersec_tcp_get(c->fd, c->buf, &len);

		if (r != c->want)
			return fail("peersec_tcp_get", r, c->want);
	}
	*ns = bench_now_ns() - t0;
	*ops = iters;
	return 0;
}

static int v_getsockopt(void *p, size_t iters, uint64_t *ns, size_t *ops)
{
	struct ctx *c = p;
	uint64_t t0 = bench_now_ns();

	for (size_t i = 0; i < iters; i++) {
		socklen_t len = sizeof(c->buf);
		int r = getsockopt(c->fd, SOL_SOCKET, SO_PEERSEC, c->buf, &len);

		if ((r < 0 ? -errno : 0) != c->want)
			return fail("getsockopt", r < 0 ? -errno : 0, c->want);
	}
	*ns = bench_now_ns() - t0;
	*ops = iters;
	return 0;
}

static int v_tcp_get_alloc(void *p, size_t iters, uint64_t *ns, size_t *ops)
{
	struct ctx *c = p;
	uint64_t t0 = bench_now_ns();

	for (size_t i = 0; i < iters; i++) {
		char *label = NULL;
		int r = peersec_tcp_get_alloc(c->fd, &label);

		if (r != c->want)
			return fail("peersec_tcp_get_alloc", r, c->want);
		free(label);
	}
	*ns = bench_now_ns() - t0;
	*ops = iters;
	return 0;
}

#if PEERSEC_HAVE_SELINUX
static int v_getpeercon(void *p, size_t iters, uint64_t *ns, size_t *ops)
{
	struct ctx *c = p;
	uint64_t t0 = bench_now_ns();

	for (size_t i = 0; i < iters; i++) {
		char *con = NULL;
		int r = getpeercon_raw(c->fd, &con);

		if ((r < 0 ? -errno : 0) != c->want)
			return fail("getpeercon_raw", r < 0 ? -errno : 0,
				    c->want);
		if (r == 0)
			freecon(con);
	}
	*ns = bench_now_ns() - t0;
	*ops = iters;
	return 0;
}
#endif

static int tcp_pair(const char *src, const char *dst, int *server)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct sockaddr_in b = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	int l, c, one = 1;

	if (inet_pton(AF_INET, dst, &a.sin_addr) != 1 ||
	    inet_pton(AF_INET, src, &b.sin_addr) != 1)
		bench_die("bad IPv4 address %s or %s", src, dst);
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || c < 0)
		bench_die("socket: %s", strerror(errno));
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(l, (struct sockaddr *)&a, &alen) < 0 ||
	    listen(l, 1) < 0)
		bench_die("listen on %s: %s", dst, strerror(errno));
	if (bind(c, (struct sockaddr *)&b, sizeof(b)) < 0 ||
	    connect(c, (struct sockaddr *)&a, sizeof(a)) < 0)
		bench_die("connect %s -> %s: %s", src, dst, strerror(errno));
	*server = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	if (*server < 0)
		bench_die("accept: %s", strerror(errno));
	close(l);
	return c;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	const char *src = "127.0.0.1", *dst = "127.0.0.1";
	int use_unix = 0, client, rc = 0, r;
	struct ctx *c = calloc(1, sizeof(*c));
	char note[256];
	size_t len;

	argc = bench_parse(&o, argc, argv);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--src") == 0 && i + 1 < argc)
			src = argv[++i];
		else if (strcmp(argv[i], "--dst") == 0 && i + 1 < argc)
			dst = argv[++i];
		else if (strcmp(argv[i], "--unix") == 0)
			use_unix = 1;
		else
			bench_die("usage: bench-stream [--src ADDR] "
				  "[--dst ADDR] [--unix] [--quick] "
				  "[--rounds N] [--json FILE] [--env NAME]");
	}
	if (c == NULL)
		bench_die("out of memory");

	if (use_unix) {
		int sv[2];

		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
			bench_die("socketpair: %s", strerror(errno));
		c->fd = sv[0];
		client = sv[1];
	} else {
		client = tcp_pair(src, dst, &c->fd);
	}

	len = sizeof(c->buf);
	c->want = peersec_tcp_get(c->fd, c->buf, &len);
	if (c->want == 0) {
		snprintf(note, sizeof(note), "%s, labeled: %zu-byte label "
			 "(%zu with NUL) \"%.60s%s\"",
			 use_unix ? "AF_UNIX socketpair" : "TCP over loopback",
			 len, len + 1, c->buf, len > 60 ? "..." : "");
	} else if (c->want == -ENOPROTOOPT) {
		/* The raw call says ENOPROTOOPT too; the library then asks
		 * the kernel why (SO_TYPE, getpeername). */
		snprintf(note, sizeof(note), "%s, UNLABELED path: every call "
			 "answers ENOPROTOOPT (no label); goals apply to "
			 "labeled sockets", use_unix ? "AF_UNIX socketpair" :
			 "TCP over loopback");
	} else {
		bench_die("peersec_tcp_get: %s", strerror(-c->want));
	}
	bool labeled = c->want == 0;

	struct bench_variant v[] = {
		{ "peersec_tcp_get", v_tcp_get, c },
		{ "getsockopt(SO_PEERSEC)", v_getsockopt, c },
		{ "peersec_tcp_get_alloc+free", v_tcp_get_alloc, c },
#if PEERSEC_HAVE_SELINUX
		{ "getpeercon_raw+freecon", v_getpeercon, c },
#endif
	};
	struct bench_pair p[] = {
		{ "tcp_get / getsockopt", 0, 1,
		  labeled ? GOAL_AT_MOST : GOAL_NONE, 1.03 },
		{ "tcp_get_alloc / getsockopt", 2, 1, GOAL_NONE, 0 },
#if PEERSEC_HAVE_SELINUX
		{ "tcp_get_alloc / getpeercon_raw", 2, 3,
		  labeled ? GOAL_AT_MOST : GOAL_NONE,
		  len + 1 <= GETPEERCON_FIRST ? 1.00 : 0.55 },
		{ "getpeercon_raw / getsockopt", 3, 1, GOAL_NONE, 0 },
#endif
	};
	char title[64];

	snprintf(title, sizeof(title), "stream%s%s", labeled ? "" : "-unlabeled",
		 labeled ? (len + 1 <= GETPEERCON_FIRST ? "-short" : "-long") :
		 "");
	r = bench_compare(&o, title, note, v, sizeof(v) / sizeof(v[0]), p,
			  sizeof(p) / sizeof(p[0]));
	if (r < 0)
		rc = 1;
	close(client);
	close(c->fd);
	free(c);
	return rc;
}
