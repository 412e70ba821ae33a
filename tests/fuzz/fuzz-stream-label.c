/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target: the label normaliser through the stream door.  The input
 * is what the kernel answers to SO_PEERSEC (after one byte that picks the
 * caller's buffer size); peersec_tcp_get() and peersec_tcp_get_alloc() must
 * hand back exactly the label the bytes hold, or a documented error, and
 * their -ERANGE size must make the next call succeed.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "peersec-int.h"

static const uint8_t *answer;	/* one input at a time: libFuzzer is serial */
static size_t answer_len;

int __wrap_getsockopt(int fd, int level, int name, void *val, socklen_t *len);

int __wrap_getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	if (name == SO_TYPE) {
		*(int *)val = SOCK_STREAM;
		return 0;
	}
	if (answer_len == 0) {
		errno = ENOPROTOOPT;
		return -1;
	}
	if (answer_len > *len) {	/* as SELinux does */
		*len = (socklen_t)answer_len;
		errno = ERANGE;
		return -1;
	}
	memcpy(val, answer, answer_len);
	*len = (socklen_t)answer_len;
	return 0;
}

/* What the bytes mean, worked out independently of lib/label.h. */
static int model(const uint8_t *p, size_t n, size_t *label_len)
{
	size_t len = 0;

	while (len < n && p[len] != 0)
		len++;
	for (size_t i = len; i < n; i++)
		if (p[i] != 0)
			return -EBADMSG;
	if (len == 0)
		return -ENOPROTOOPT;
	*label_len = len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *alloc = NULL;
	size_t cap, len, want_len = 0;
	int want, r;

	if (size < 1)
		return 0;
	cap = data[0];
	answer = data + 1;
	answer_len = size - 1;
	want = model(answer, answer_len, &want_len);

	buf = malloc(cap + 1);
	len = cap;
	r = peersec_tcp_get(3, cap ? buf : NULL, &len);
	if (r == -ERANGE) {
		/* The size must be enough, and exact up to the scratch space;
		 * a malformed label shows only once it is read whole. */
		size_t exact = want_len + 1 > answer_len ? want_len + 1
							   : answer_len;

		if (len <= cap || (want == 0 && len < exact) ||
		    (want == 0 && answer_len <= 4096 && len != exact))
			abort();
		buf = realloc(buf, len);
		r = peersec_tcp_get(3, buf, &len);
	}
	if (r != want)
		abort();
	if (r == 0 && (len != want_len || strlen(buf) != len ||
		       memcmp(buf, answer, len) != 0))
		abort();

	r = peersec_tcp_get_alloc(3, &alloc);
	if (r != want || (r == 0 && strcmp(alloc, buf) != 0))
		abort();
	free(alloc);
	free(buf);
	return 0;
}
