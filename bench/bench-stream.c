/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Stream sockets: the library against what a daemon writes without it.
 *
 *   peersec_tcp_get (caller buffer)   vs  getsockopt(SO_PEERSEC), same buffer
 *   peersec_tcp_get_alloc + free      vs  libselinux getpeercon_raw + freecon
 *
 * on the accepted end of one TCP connection over loopback (or, with --unix,
 * an AF_UNIX socketpair).  The label is whatever the kernel gives that
 * connection: in the lab a NetLabel mapping chooses it by source address
 * (--src), on a kernel without a labeling LSM there is none and every
 * variant measures the "no label" answer.
 *
 *   bench-stream [--src ADDR] [--dst ADDR] [--unix] [harness options]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"

int main(int argc, char **argv)
{
	struct bench_opts o;
	const char *src = "127.0.0.1", *dst = "127.0.0.1";
	bool use_unix = false, diagnose = false, labeled, is_short;
	struct fx_stream *s = fx_alloc(sizeof(*s));
	char note[320], title[64];
	int r;

	argc = bench_parse(&o, argc, argv);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--src") == 0 && i + 1 < argc)
			src = argv[++i];
		else if (strcmp(argv[i], "--dst") == 0 && i + 1 < argc)
			dst = argv[++i];
		else if (strcmp(argv[i], "--unix") == 0)
			use_unix = true;
		else if (strcmp(argv[i], "--diagnose") == 0)
			diagnose = true;
		else
			bench_die("usage: bench-stream [--src ADDR] "
				  "[--dst ADDR] [--unix] [--diagnose] [--quick] "
				  "[--rounds N] [--json FILE] [--env NAME]");
	}
	if (s == NULL)
		bench_die("out of memory");
	fx_stream_open(s, src, dst, use_unix);

	labeled = s->want == 0;
	is_short = s->label_len + 1 <= FX_GETPEERCON_FIRST;
	if (labeled)
		snprintf(note, sizeof(note), "%s, labeled: %zu bytes (%zu with "
			 "NUL): \"%.50s%s\"", s->desc, s->label_len,
			 s->label_len + 1, s->buf,
			 s->label_len > 50 ? "..." : "");
	else
		snprintf(note, sizeof(note), "%s, UNLABELED path: each call "
			 "answers ENOPROTOOPT (no label); goal 1.2 for "
			 "tcp_get, the others are for labeled sockets",
			 s->desc);
	snprintf(title, sizeof(title), "stream-%s",
		 !labeled ? "unlabeled" : is_short ? "short" : "long");

	struct bench_variant v[6] = {
		{ "peersec_tcp_get", fx_tcp_get, NULL, s },
		{ "getsockopt(SO_PEERSEC)", fx_getsockopt, NULL, s },
		{ "peersec_tcp_get_alloc+free", fx_tcp_get_alloc, NULL, s },
	};
	struct bench_pair p[8] = {
		/* Unlabeled: "no label" must cost about one getsockopt. */
		{ "tcp_get / getsockopt", 0, 1, GOAL_AT_MOST,
		  labeled ? 1.03 : 1.2 },
		{ "tcp_get_alloc / getsockopt", 2, 1, GOAL_NONE, 0 },
	};
	int nv = 3, np = 2;

#if PEERSEC_HAVE_SELINUX
	v[nv++] = (struct bench_variant){ "getpeercon_raw+freecon",
		fx_getpeercon, NULL, s };
	p[np++] = (struct bench_pair){ "tcp_get_alloc / getpeercon_raw", 2, 3,
		labeled ? GOAL_AT_MOST : GOAL_NONE, is_short ? 1.00 : 0.55 };
	p[np++] = (struct bench_pair){ "getpeercon_raw / getsockopt", 3, 1,
		GOAL_NONE, 0 };
	/* The floor of the line above: no allocating read can cost less
	 * than one getsockopt. */
	p[np++] = (struct bench_pair){ "floor: getsockopt / getpeercon_raw",
		1, 3, GOAL_NONE, 0 };
#endif
	if (diagnose) {
		v[nv] = (struct bench_variant){ "diag: getsockopt+memchr",
			fx_getsockopt_scan, NULL, s };
		p[np++] = (struct bench_pair){ "diag: getsockopt+memchr / "
			"getsockopt", nv++, 1, GOAL_NONE, 0 };
		v[nv] = (struct bench_variant){ "diag: fused fast path",
			fx_fused, NULL, s };
		p[np++] = (struct bench_pair){ "diag: fused fast path / "
			"getsockopt", nv++, 1, GOAL_NONE, 0 };
	}

	r = bench_compare(&o, title, note, v, nv, p, np);
	fx_stream_close(s);
	free(s);
	return r < 0;
}
