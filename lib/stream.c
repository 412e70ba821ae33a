/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Stream sockets: SO_PEERSEC, one label for the whole connection.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "peersec-int.h"

/* Scratch space on the stack: labels up to this size never touch the heap in
 * peersec_tcp_get_alloc() before the final copy, and get an exact -ERANGE
 * size in peersec_tcp_get(). */
#define STACK_LABEL 4096

/* How often peersec_tcp_get_alloc() re-reads a label that keeps growing
 * between two reads (it cannot on a connected socket; this only bounds a
 * misbehaving kernel). */
#define ALLOC_TRIES 4

static socklen_t to_optlen(size_t size)
{
	return size > INT_MAX ? INT_MAX : (socklen_t)size;
}

/*
 * The kernel said -ERANGE and that it needs @kernel_len bytes.  Whether those
 * count a NUL depends on the LSM, so read the label once more into scratch
 * space to learn the exact size, NUL included (never less than the kernel
 * wants to write).  A label too long for the
 * scratch space gets kernel_len + 1, which is always enough.
 */
__attribute__((noinline, cold))
static size_t exact_size(int fd, socklen_t kernel_len)
{
	char scratch[STACK_LABEL];
	socklen_t n = kernel_len;
	size_t label_len;

	if (kernel_len == 0 || kernel_len > sizeof(scratch))
		return (size_t)kernel_len + 1;
	if (peersec__sys_getsockopt(fd, SOL_SOCKET, SO_PEERSEC, scratch, &n) < 0 ||
	    n > kernel_len || peersec__label_measure(scratch, n, &label_len) < 0)
		return (size_t)kernel_len + 1;
	/* The kernel copies only when all its bytes fit, NUL padding too. */
	return label_len + 1 > kernel_len ? label_len + 1 : kernel_len;
}

int peersec__stream_read(int fd, char *buf, size_t *len)
{
	size_t cap, label_len;
	socklen_t n;
	int r;

	if (len == NULL)
		return -EINVAL;
	cap = buf != NULL ? *len : 0;
	n = to_optlen(cap);

	r = peersec__sys_getsockopt(fd, SOL_SOCKET, SO_PEERSEC,
				    cap != 0 ? buf : NULL, &n);
	if (r == -ERANGE) {
		*len = exact_size(fd, n);
		return -ERANGE;
	}
	if (r < 0)
		return r;
	if (n > cap)		/* the kernel claims more than it could write */
		return -EBADMSG;

	r = peersec__label_measure(buf, n, &label_len);
	if (r == -ENODATA)
		return -ENOPROTOOPT;	/* an empty label is no label */
	if (r < 0)
		return r;
	if (label_len == cap) {	/* the label fits but its NUL does not */
		*len = label_len + 1;
		return -ERANGE;
	}
	buf[label_len] = '\0';
	*len = label_len;
	return 0;
}

/* What peersec_tcp_get(3) documents. */
static const int tcp_get_errors[] = {
	ENOPROTOOPT, ERANGE, EINVAL, EBADF, ENOTSOCK, EBADMSG, EFAULT, ENOMEM,
	EACCES, 0
};

/* What it documents for peersec_tcp_get_alloc(). */
static const int tcp_get_alloc_errors[] = {
	ENOPROTOOPT, EINVAL, EBADF, ENOTSOCK, EBADMSG, ENOMEM, EOVERFLOW,
	EACCES, 0
};

/*
 * The kernel's "no label" (ENOPROTOOPT) settles the answer: the socket has
 * no peer label.  Why (a datagram socket, one not connected, a connection
 * that carries none) is not asked: on a host without labeled networking
 * every read takes this path, and two more system calls to tell those
 * apart tripled its cost.
 */
static int tcp_get(int fd, char *buf, size_t *len)
{
	return peersec__stream_read(fd, buf, len);
}

PEERSEC_EXPORT int peersec_tcp_get(int fd, char *buf, size_t *len)
{
	return (int)peersec__errors_closed(tcp_get(fd, buf, len),
					   tcp_get_errors);
}

static int tcp_get_alloc(int fd, char **label)
{
	char scratch[STACK_LABEL];
	size_t len = sizeof(scratch);
	char *heap;
	int r;

	if (label == NULL)
		return -EINVAL;

	r = tcp_get(fd, scratch, &len);
	if (r == 0) {
		heap = malloc(len + 1);
		if (heap == NULL)
			return -ENOMEM;
		memcpy(heap, scratch, len + 1);
		*label = heap;
		return 0;
	}

	for (int tries = 0; r == -ERANGE && tries < ALLOC_TRIES; tries++) {
		size_t size = len;

		/* A size past the scratch space may be one byte generous. */
		if (size > PEERSEC_LABEL_MAX + 1)
			return -EOVERFLOW;
		if (size > PEERSEC_LABEL_MAX)
			size = PEERSEC_LABEL_MAX;
		heap = malloc(size);
		if (heap == NULL)
			return -ENOMEM;
		len = size;
		r = tcp_get(fd, heap, &len);
		if (r == 0) {
			*label = heap;
			return 0;
		}
		free(heap);
		if (size == PEERSEC_LABEL_MAX)
			break;
	}
	return r == -ERANGE ? -EOVERFLOW : r;
}

PEERSEC_EXPORT int peersec_tcp_get_alloc(int fd, char **label)
{
	return (int)peersec__errors_closed(tcp_get_alloc(fd, label),
					   tcp_get_alloc_errors);
}

/* The transport-neutral names: AF_UNIX and SCTP users read the same label. */
PEERSEC_EXPORT int peersec_stream_get(int fd, char *buf, size_t *len)
{
	return (int)peersec__errors_closed(tcp_get(fd, buf, len),
					   tcp_get_errors);
}

PEERSEC_EXPORT int peersec_stream_get_alloc(int fd, char **label)
{
	return (int)peersec__errors_closed(tcp_get_alloc(fd, label),
					   tcp_get_alloc_errors);
}
