/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Heap allocations per call, counted (alloc-count.c replaces malloc and its
 * relatives for the whole process).  The caller-buffer paths must allocate
 * nothing: peersec_tcp_get() per call, peersec_udp_recvmsg() and the
 * batched form per datagram.  The other variants are printed for contrast,
 * and getpeercon_raw(), which always allocates, proves that the counter sees
 * allocations made inside shared libraries.
 *
 * Exits 1 when a caller-buffer path allocated, or the counter saw nothing
 * where it must.  A count, not a time: safe to assert in a test.
 *
 * On a kernel that labels nothing, --fake-label BYTES puts fake-kernel.c in
 * front of the real kernel, so that the labeled paths run on any machine.
 *
 *   bench-allocs [--src ADDR] [--dst ADDR] [--fake-label BYTES] [--quick]
 *                [--json FILE] [--env NAME]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-count.h"
#include "fake-kernel.h"
#include "fixtures.h"

struct row {
	const char *name;
	bench_op op;
	bench_prepare prepare;
	void *ctx;
	long must;		/* allocations per op it must make; -1: any */
};

static int failed;

static void measure(const struct bench_opts *o, const char *what,
		    struct row *r, size_t n)
{
	unsigned long before;
	long ops;
	char fields[512];

	if (r->prepare != NULL && (long)(n = r->prepare(r->ctx, n)) < 0)
		bench_die("%s: preparing failed", r->name);
	if (r->op(r->ctx, 1 < n ? 1 : n) < 0)	/* warm up */
		bench_die("%s failed", r->name);
	if (r->prepare != NULL && (long)(n = r->prepare(r->ctx, n)) < 0)
		bench_die("%s: preparing failed", r->name);
	before = alloc_count();
	ops = r->op(r->ctx, n);
	unsigned long allocs = alloc_count() - before;

	if (ops <= 0)
		bench_die("%s did no work", r->name);
	double per = (double)allocs / (double)ops;
	bool ok = r->must < 0 || allocs == (unsigned long)r->must * ops;
	char must[24] = "-";

	if (r->must >= 0)
		snprintf(must, sizeof(must), "%ld", r->must);

	if (!ok)
		failed = 1;
	printf("   %-34s %8ld %10lu %10.3f %9s %s\n", r->name, ops, allocs,
	       per, must,
	       r->must < 0 ? "" : ok ? "ok" : "WRONG");
	snprintf(fields, sizeof(fields), "\"variant\":\"%s\",\"ops\":%ld,"
		 "\"allocs\":%lu,\"allocs_per_op\":%.4f,\"expected\":%ld,"
		 "\"met\":%s", r->name, ops, allocs, per, r->must,
		 ok ? "true" : "false");
	bench_json_raw(o, what, fields);
}

static void header(const char *title, const char *desc)
{
	printf("\n== %s\n   %s\n", title, desc);
	printf("   %-34s %8s %10s %10s %9s\n", "variant", "ops", "allocs",
	       "per op", "expected");
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	const char *src = "127.0.0.1", *dst = "127.0.0.1";
	struct fx_stream *s = fx_alloc(sizeof(*s));
	struct fx_udp *u = fx_alloc(sizeof(*u));
	void *(*volatile alloc)(size_t) = malloc;
	unsigned long before;
	size_t n, fake = 0;

	argc = bench_parse(&o, argc, argv);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--src") == 0 && i + 1 < argc)
			src = argv[++i];
		else if (strcmp(argv[i], "--dst") == 0 && i + 1 < argc)
			dst = argv[++i];
		else if (strcmp(argv[i], "--fake-label") == 0 && i + 1 < argc)
			fake = strtoul(argv[++i], NULL, 10);
		else
			bench_die("usage: bench-allocs [--src ADDR] "
				  "[--dst ADDR] [--fake-label BYTES] [--quick] "
				  "[--json FILE] [--env NAME]");
	}
	if (fake != 0)
		printf("bench-allocs: fake labeling kernel, label of %zu "
		       "bytes\n", strlen(fake_kernel_arm(fake)));
	n = o.quick ? 200 : 5000;
	if (s == NULL || u == NULL)
		bench_die("out of memory");

	/* The counter itself. */
	before = alloc_count();
	free(alloc(16));
	if (alloc_count() != before + 1)
		bench_die("the allocation counter does not count");

	fx_stream_open(s, src, dst, false);
	bool labeled = s->want == 0;
	bool is_short = s->label_len + 1 <= FX_GETPEERCON_FIRST;
	char desc[320];

	snprintf(desc, sizeof(desc), "%s, %s%s", s->desc,
		 labeled ? "labeled" : "UNLABELED (every call: ENOPROTOOPT)",
		 fake ? " by the fake kernel" : "");
	header("allocations per call: stream", desc);
	struct row srows[] = {
		{ "peersec_tcp_get", fx_tcp_get, NULL, s, 0 },
		{ "getsockopt(SO_PEERSEC)", fx_getsockopt, NULL, s, 0 },
		{ "peersec_tcp_get_alloc+free", fx_tcp_get_alloc, NULL, s,
		  labeled ? 1 : 0 },
#if PEERSEC_HAVE_SELINUX
		/* malloc, then realloc when the label passes 256 bytes */
		{ "getpeercon_raw+freecon", fx_getpeercon, NULL, s,
		  labeled && !is_short ? 2 : 1 },
#endif
	};
	for (size_t i = 0; i < sizeof(srows) / sizeof(srows[0]); i++)
		measure(&o, "allocs-stream", &srows[i], n);
	fx_stream_close(s);

	fx_udp_open(u, src, dst, 64, 32, o.quick ? 256 : 0);
	snprintf(desc, sizeof(desc), "%s, %s%s", u->desc,
		 u->labeled ? "labeled" : "UNLABELED (no SCM_SECURITY)",
		 fake ? " by the fake kernel" : "");
	header("allocations per datagram: UDP", desc);

	struct iovec iov = { u->data, sizeof(u->data) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	size_t len = sizeof(u->label);
	bool have_lib = peersec_udp_recvmsg(u->rx, &msg, MSG_DONTWAIT,
					    u->label, &len) != -ENOSYS;
	struct row urows[] = {
		{ "peersec_udp_recvmsg", fx_udp_recvmsg, fx_udp_fill, u, 0 },
		{ "recvmsg+CMSG loop", fx_hand_recvmsg, fx_udp_fill, u, 0 },
#ifdef FX_HAVE_UDP_RECVMMSG
		{ "peersec_udp_recvmmsg", fx_udp_recvmmsg, fx_udp_fill, u, 0 },
#endif
		{ "recvmmsg+CMSG loop", fx_hand_recvmmsg, fx_udp_fill, u, 0 },
	};
	for (size_t i = have_lib ? 0 : 1;
	     i < sizeof(urows) / sizeof(urows[0]); i++)
		measure(&o, "allocs-udp", &urows[i], n);
	if (!have_lib)
		printf("   (peersec_udp_recvmsg: not implemented in this "
		       "build, -ENOSYS)\n");
	fx_udp_close(u);

	free(s);
	free(u);
	if (failed)
		fprintf(stderr, "bench-allocs: a variant allocated other than "
			"expected\n");
	return failed;
}
