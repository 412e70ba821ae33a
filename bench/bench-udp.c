/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * UDP: the library against a hand-written receive loop, per datagram.
 *
 *   peersec_udp_recvmsg                vs  recvmsg + CMSG loop
 *   peersec_udp_recvmmsg (vlen V)      vs  recvmmsg + CMSG loop (vlen V)
 *
 * Same data, control and label buffers.  Before each timed drain the
 * receive queue is filled (untimed) from a second socket, so the sender's
 * cost stays out of the figures.  In the lab a NetLabel mapping of the
 * sender's address (--src) labels the datagrams; without a labeling LSM no
 * datagram carries SCM_SECURITY and the figures are the unlabeled path.
 *
 *   bench-udp [--src ADDR] [--dst ADDR] [--size BYTES] [--vlen V]
 *             [harness options]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"

/* Does the library's UDP receive work here?  (Not while it is a stub.) */
static bool have_udp_recvmsg(struct fx_udp *u)
{
	struct iovec iov = { u->data, sizeof(u->data) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	size_t len = sizeof(u->label);

	return peersec_udp_recvmsg(u->rx, &msg, MSG_DONTWAIT, u->label,
				   &len) != -ENOSYS;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	const char *src = "127.0.0.1", *dst = "127.0.0.1";
	size_t size = 64;
	unsigned int vlen = 32;
	struct fx_udp *u = fx_alloc(sizeof(*u));
	char note[320], title[64];
	int r, nv = 0, np = 0;
	struct bench_variant v[5];
	struct bench_pair p[5];
	bool diagnose = false;
	int lib1 = -1, hand1, libm = -1, handm;

	argc = bench_parse(&o, argc, argv);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--src") == 0 && i + 1 < argc)
			src = argv[++i];
		else if (strcmp(argv[i], "--dst") == 0 && i + 1 < argc)
			dst = argv[++i];
		else if (strcmp(argv[i], "--size") == 0 && i + 1 < argc)
			size = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--vlen") == 0 && i + 1 < argc)
			vlen = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--diagnose") == 0)
			diagnose = true;
		else
			bench_die("usage: bench-udp [--src ADDR] [--dst ADDR] "
				  "[--size BYTES] [--vlen V] [--diagnose] [--quick] "
				  "[--rounds N] [--json FILE] [--env NAME]");
	}
	if (u == NULL)
		bench_die("out of memory");
	fx_udp_open(u, src, dst, size, vlen, o.quick ? 256 : 0);
	o.max_iters = u->capacity;

	if (u->labeled)
		snprintf(note, sizeof(note), "%s, labeled: %zu-byte label "
			 "\"%.50s%s\"", u->desc, u->label_len, u->label,
			 u->label_len > 50 ? "..." : "");
	else
		snprintf(note, sizeof(note), "%s, UNLABELED path: no "
			 "SCM_SECURITY; the goals are for labeled datagrams",
			 u->desc);
	snprintf(title, sizeof(title), "udp-%s",
		 u->labeled ? "labeled" : "unlabeled");

	if (have_udp_recvmsg(u)) {
		lib1 = nv;
		v[nv++] = (struct bench_variant){ "peersec_udp_recvmsg",
			fx_udp_recvmsg, fx_udp_fill, u };
	} else {
		printf("bench-udp: peersec_udp_recvmsg is not implemented in "
		       "this build (-ENOSYS): measuring the hand loops only\n");
	}
	hand1 = nv;
	v[nv++] = (struct bench_variant){ "recvmsg+CMSG loop",
		fx_hand_recvmsg, fx_udp_fill, u };
#ifdef FX_HAVE_UDP_RECVMMSG
	libm = nv;
	v[nv++] = (struct bench_variant){ "peersec_udp_recvmmsg",
		fx_udp_recvmmsg, fx_udp_fill, u };
#endif
	handm = nv;
	v[nv++] = (struct bench_variant){ "recvmmsg+CMSG loop",
		fx_hand_recvmmsg, fx_udp_fill, u };

	if (lib1 >= 0)
		p[np++] = (struct bench_pair){ "udp_recvmsg / hand recvmsg",
			lib1, hand1, u->labeled ? GOAL_AT_MOST : GOAL_NONE,
			1.03 };
	if (libm >= 0)
		p[np++] = (struct bench_pair){ "udp_recvmmsg / hand recvmmsg",
			libm, handm, u->labeled ? GOAL_AT_MOST : GOAL_NONE,
			1.03 };
	p[np++] = (struct bench_pair){ "hand recvmmsg / hand recvmsg",
		handm, hand1, GOAL_NONE, 0 };
	if (diagnose) {
		v[nv] = (struct bench_variant){ "diag: fused fast path",
			fx_fused_recvmsg, fx_udp_fill, u };
		p[np++] = (struct bench_pair){ "diag: fused fast path / hand "
			"recvmsg", nv++, hand1, GOAL_NONE, 0 };
	}

	char vnote[400];

	snprintf(vnote, sizeof(vnote), "%s; batches of vlen %u", note, vlen);
	r = bench_compare(&o, title, vnote, v, nv, p, np);
	fx_udp_close(u);
	free(u);
	return r < 0;
}
