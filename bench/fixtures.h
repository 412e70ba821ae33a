/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The sockets and the compared operations, shared by the timing programs
 * (bench-stream, bench-udp), the allocation counter (bench-allocs) and the
 * instruction counter (bench-insns), so that all of them measure the very
 * same code.
 */
#ifndef PEERSEC_BENCH_FIXTURES_H
#define PEERSEC_BENCH_FIXTURES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include <peersec/peersec.h>

#include "bench.h"

/* Room for any label the benchmarks expect, NUL included. */
#define FX_LABEL_SIZE 4096
/* The size libselinux's getpeercon_raw() tries first (INITCONTEXTLEN + 1). */
#define FX_GETPEERCON_FIRST 256

/* Zeroed memory for a fixture, aligned as its page-aligned buffers ask. */
void *fx_alloc(size_t size);

/* ---- stream ------------------------------------------------------------ */

struct fx_stream {
	int fd;			/* the accepted end: its peer is the client */
	int client;
	int want;		/* what every call must return: 0 or -errno */
	size_t label_len;	/* when want == 0 */
	/* page-aligned: the label never straddles a page boundary */
	char buf[FX_LABEL_SIZE] __attribute__((aligned(4096)));
	char desc[160];		/* "TCP 127.0.0.2 -> 127.0.0.1" */
};

/* A connected TCP pair over loopback (@src -> @dst), or an AF_UNIX
 * socketpair when @use_unix; learns what peersec_tcp_get() answers. */
void fx_stream_open(struct fx_stream *s, const char *src, const char *dst,
		    bool use_unix);
void fx_stream_close(struct fx_stream *s);

long fx_tcp_get(void *s, size_t n);		/* peersec_tcp_get */
long fx_getsockopt(void *s, size_t n);		/* getsockopt(SO_PEERSEC) */
long fx_tcp_get_alloc(void *s, size_t n);	/* + free */
#if PEERSEC_HAVE_SELINUX
long fx_getpeercon(void *s, size_t n);		/* getpeercon_raw + freecon */
#endif
/* Diagnostics (bench-stream --diagnose): where the library's time goes. */
long fx_getsockopt_scan(void *s, size_t n);	/* + memchr over the label */
long fx_fused(void *s, size_t n);		/* a proposed fast path */

/* ---- UDP --------------------------------------------------------------- */

/* The batched receive, when this libpeersec has it. */
#ifdef PEERSEC_UDP_CONTROL_SPACE
#define FX_HAVE_UDP_RECVMMSG 1
#endif

#define FX_VLEN_MAX 64
#define FX_DATA_SIZE 2048

struct fx_udp {
	int rx, tx;
	size_t payload;		/* bytes per datagram */
	unsigned int vlen;	/* batch size of the recvmmsg variants */
	size_t capacity;	/* datagrams the receive queue holds */
	bool labeled;		/* datagrams arrive with SCM_SECURITY */
	size_t label_len;	/* of the first datagram */
	char desc[160];

	/* one datagram; page-aligned, so no copy straddles a page boundary
	 * (which TCG, the lab's CPU, makes visibly slower) */
	char data[FX_DATA_SIZE] __attribute__((aligned(4096)));
	char label[FX_LABEL_SIZE] __attribute__((aligned(4096)));
	char cbuf[CMSG_SPACE(FX_LABEL_SIZE)] __attribute__((aligned(4096)));

	/* a batch */
	struct mmsghdr vec[FX_VLEN_MAX];
	struct iovec iov[FX_VLEN_MAX];
	char bdata[FX_VLEN_MAX][FX_DATA_SIZE];
	/* the batch's labels stay in their control buffers (as the library
	 * leaves them): a pointer and a length each */
	const char *blabel[FX_VLEN_MAX];
	size_t blabel_len[FX_VLEN_MAX];
#ifdef FX_HAVE_UDP_RECVMMSG
	struct peersec_udp_label blabels[FX_VLEN_MAX];
#endif
	char bcbuf[FX_VLEN_MAX][CMSG_SPACE(FX_LABEL_SIZE)]
		__attribute__((aligned(__alignof__(struct cmsghdr))));
};

/* A receiver bound to @dst with IP_PASSSEC, a sender bound to @src and
 * connected to it; a receive queue as large as the kernel allows, measured.
 * @max_queue bounds the datagrams queued at once (0: no bound). */
void fx_udp_open(struct fx_udp *u, const char *src, const char *dst,
		 size_t payload, unsigned int vlen, size_t max_queue);
void fx_udp_close(struct fx_udp *u);

/* Untimed: empty the receive queue, then queue min(n, capacity) datagrams.
 * Returns how many were queued. */
long fx_udp_fill(void *u, size_t n);

long fx_udp_recvmsg(void *u, size_t n);		/* peersec_udp_recvmsg */
long fx_hand_recvmsg(void *u, size_t n);	/* recvmsg + CMSG loop */
long fx_hand_recvmmsg(void *u, size_t n);	/* recvmmsg + CMSG loop */
/* Diagnostic (bench-udp --diagnose): a proposed fast path, prototype. */
long fx_fused_recvmsg(void *u, size_t n);
/* The syscall alone, label left in the control buffer: the floor. */
long fx_bare_recvmsg(void *u, size_t n);
long fx_bare_recvmmsg(void *u, size_t n);
#ifdef FX_HAVE_UDP_RECVMMSG
long fx_udp_recvmmsg(void *u, size_t n);	/* the library's batch */
#endif

#endif
