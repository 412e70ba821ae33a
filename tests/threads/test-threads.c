/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Many threads call every public function at once, each on sockets of its
 * own, and check every answer.  Built with ThreadSanitizer by tools/check.sh
 * (build-tsan), where any data race fails the run.
 *
 *   test-threads [THREADS [ITERATIONS]]
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <peersec/peersec.h>

static int iterations = 2000;
static int failures;	/* written only under the mutex */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void failed(const char *what, long r)
{
	pthread_mutex_lock(&lock);
	failures++;
	fprintf(stderr, "FAIL: %s: %ld (%s)\n", what, r,
		r < 0 ? strerror((int)-r) : "");
	pthread_mutex_unlock(&lock);
}

#define EXPECT(what, r, want)						\
	do {								\
		long r_ = (r);						\
		if (r_ != (want))					\
			failed(what, r_);				\
	} while (0)

/* On a kernel without peer labels every stream answer is "no label"; with
 * labels (the lab) it is a label, the same every time. */
static void stream_round(int fd, char *first, size_t first_size)
{
	char buf[512], *label = NULL;
	size_t len = sizeof(buf);
	int r = peersec_tcp_get(fd, buf, &len);

	if (r == 0) {
		if (first[0] == '\0')
			snprintf(first, first_size, "%s", buf);
		EXPECT("same label", strcmp(first, buf), 0);
		EXPECT("tcp_get_alloc", peersec_tcp_get_alloc(fd, &label), 0);
		if (label != NULL)
			EXPECT("alloc label", strcmp(label, buf), 0);
		free(label);
	} else {
		EXPECT("tcp_get", r, -ENOPROTOOPT);
		EXPECT("tcp_get_alloc", peersec_tcp_get_alloc(fd, &label),
		       -ENOPROTOOPT);
	}
	len = 0;
	r = peersec_tcp_get(fd, NULL, &len);
	if (r != -ERANGE && r != -ENOPROTOOPT)
		failed("size query", r);
}

static void *worker(void *arg)
{
	char first[512] = "";
	int sv[2], dg[2];

	(void)arg;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 ||
	    socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, dg) < 0) {
		failed("socketpair", -errno);
		return NULL;
	}
	for (int i = 0; i < iterations; i++) {
		char buf[64];
		size_t len = sizeof(buf);

		stream_round(sv[i & 1], first, sizeof(first));
		EXPECT("datagram", peersec_tcp_get(dg[0], buf, &len),
		       -EPROTOTYPE);
		EXPECT("closed fd", peersec_tcp_get(-1, buf, &len), -EBADF);
		EXPECT("version", strcmp(peersec_version(),
					 PEERSEC_VERSION_STRING), 0);
	}
	close(sv[0]);
	close(sv[1]);
	close(dg[0]);
	close(dg[1]);
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = argc > 1 ? atoi(argv[1]) : 8;
	pthread_t *t;

	if (argc > 2)
		iterations = atoi(argv[2]);
	t = calloc((size_t)threads, sizeof(*t));
	if (t == NULL)
		return 1;
	for (int i = 0; i < threads; i++)
		if (pthread_create(&t[i], NULL, worker, NULL) != 0)
			return 1;
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	free(t);
	printf("%d threads x %d iterations: %d failures\n", threads, iterations,
	       failures);
	return failures != 0;
}
