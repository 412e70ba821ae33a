/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fault injection through the syscall door.  Every libc call the library
 * makes (through lib/sys.c) and every allocation is made to fail once, in
 * turn, with each errno it could give, while a public function runs on a real
 * socket.  Each time the function must answer success or an errno its man
 * page lists under ERRORS, and leave no descriptor behind; leaks of memory
 * are caught by the ASan and valgrind runs of this test.
 *
 * The documented sets are read from the man pages themselves
 * (PEERSEC_SRCDIR/doc/man/man3), so code and documentation cannot drift.
 */
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "peersec-int.h"

/* ---- the injector ------------------------------------------------------ */

static struct {
	bool armed;		/* count and fault only inside the library */
	int calls;		/* calls seen since armed */
	int fault_at;		/* fail the call with this number (1-based) */
	int fault_errno;
	bool fired;
	long injected;		/* faults injected in all */
} inj;

static bool fault_now(void)
{
	if (!inj.armed)
		return false;
	if (++inj.calls != inj.fault_at)
		return false;
	inj.fired = true;
	inj.injected++;
	errno = inj.fault_errno;
	return true;
}

#define WRAP(ret, name, params, args)					\
	ret __real_##name params;					\
	ret __wrap_##name params;					\
	ret __wrap_##name params					\
	{								\
		if (fault_now())					\
			return -1;					\
		return __real_##name args;				\
	}

WRAP(int, getsockopt, (int fd, int l, int n, void *v, socklen_t *len),
     (fd, l, n, v, len))
WRAP(int, setsockopt, (int fd, int l, int n, const void *v, socklen_t len),
     (fd, l, n, v, len))
WRAP(int, getpeername, (int fd, struct sockaddr *sa, socklen_t *len),
     (fd, sa, len))
WRAP(int, getsockname, (int fd, struct sockaddr *sa, socklen_t *len),
     (fd, sa, len))
WRAP(ssize_t, recvmsg, (int fd, struct msghdr *m, int f), (fd, m, f))
WRAP(int, recvmmsg, (int fd, struct mmsghdr *v, unsigned int n, int f,
		     struct timespec *t), (fd, v, n, f, t))
WRAP(int, close, (int fd), (fd))

void *__real_malloc(size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_malloc(size_t size)
{
	if (inj.armed && inj.fault_errno == ENOMEM && fault_now())
		return NULL;
	return __real_malloc(size);
}

/* ---- what the man pages document ----------------------------------------- */

#define MAX_ERRS 32

static int errno_by_name(const char *name)
{
	for (int e = 1; e < 200; e++) {
		const char *n = strerrorname_np(e);

		if (n != NULL && strcmp(n, name) == 0)
			return e;
	}
	fail_msg("unknown errno name %s in a man page", name);
	return 0;
}

/* The errnos listed under ERRORS in @page (following one .so alias). */
static int documented(const char *page, int errs[MAX_ERRS])
{
	const char *src = getenv("PEERSEC_SRCDIR");
	char path[4096], line[512], so[256] = "";
	bool in_errors = false, after_tp = false;
	int n = 0;
	FILE *f;

	assert_non_null(src);
	snprintf(path, sizeof(path), "%s/doc/man/man3/%s.3", src, page);
	f = fopen(path, "re");
	if (f == NULL)
		fail_msg("no man page %s", path);
	if (fgets(line, sizeof(line), f) && sscanf(line, ".so man3/%255[^.].3", so) == 1) {
		fclose(f);
		return documented(so, errs);
	}
	while (fgets(line, sizeof(line), f)) {
		char name[64];

		if (strncmp(line, ".SH", 3) == 0)
			in_errors = strncmp(line, ".SH ERRORS", 10) == 0;
		else if (in_errors && strncmp(line, ".TP", 3) == 0)
			after_tp = true;
		else if (after_tp && sscanf(line, ".B %63[A-Z0-9]", name) == 1 &&
			 name[0] == 'E') {
			assert_true(n < MAX_ERRS);
			errs[n++] = errno_by_name(name);
			after_tp = false;
		} else {
			after_tp = false;
		}
	}
	fclose(f);
	assert_true(n > 0);
	return n;
}

/* ---- descriptors -------------------------------------------------------- */

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* ---- the driver ---------------------------------------------------------- */

static const int faults[] = {
	EINTR, EAGAIN, ENOMEM, EBADF, EFAULT, EINVAL, ENOBUFS, EACCES, EPERM,
	EIO, ENOTSOCK, ENOTCONN, ENOPROTOOPT, ERANGE, EMSGSIZE, ECONNRESET,
};

struct fd_pair {
	int a, b;
};

/* One public function on one kind of socket.  run() returns the function's
 * result; a non-negative result that is a new descriptor is closed by it. */
struct scenario {
	const char *page;
	void (*setup)(struct fd_pair *);
	long (*run)(struct fd_pair *);
};

static void check_result(const char *page, long r, const int *errs, int n)
{
	if (r >= 0)
		return;
	for (int i = 0; i < n; i++)
		if (r == -errs[i])
			return;
	fail_msg("%s answered %s (call %d failed with %s), not in its man page",
		 page, strerrorname_np((int)-r), inj.fault_at,
		 strerrorname_np(inj.fault_errno));
}

static void drive(const struct scenario *s)
{
	int errs[MAX_ERRS];
	int n = documented(s->page, errs);

	for (size_t f = 0; f < sizeof(faults) / sizeof(faults[0]); f++) {
		for (int at = 1;; at++) {
			struct fd_pair p;
			int before;
			long r;

			s->setup(&p);
			before = count_fds();
			inj = (typeof(inj)){ .fault_at = at,
					     .fault_errno = faults[f],
					     .injected = inj.injected };
			inj.armed = true;
			r = s->run(&p);
			inj.armed = false;
			check_result(s->page, r, errs, n);
			assert_int_equal(count_fds(), before);
			close(p.a);
			if (p.b >= 0)
				close(p.b);
			if (!inj.fired)
				break;	/* ran to the end without reaching call @at */
		}
	}
}

/* ---- scenarios ----------------------------------------------------------- */

static void unix_pair(struct fd_pair *p)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	p->a = sv[0];
	p->b = sv[1];
}

static void udp_socket(struct fd_pair *p)
{
	p->a = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	p->b = -1;
	assert_true(p->a >= 0);
}

static void tcp_unconnected(struct fd_pair *p)
{
	p->a = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	p->b = -1;
	assert_true(p->a >= 0);
}

static long run_tcp_get(struct fd_pair *p)
{
	char buf[256];
	size_t len = sizeof(buf);

	return peersec_tcp_get(p->a, buf, &len);
}

static long run_tcp_get_small(struct fd_pair *p)
{
	char buf[1];
	size_t len = sizeof(buf);

	return peersec_tcp_get(p->a, buf, &len);
}

static long run_tcp_get_alloc(struct fd_pair *p)
{
	char *label = NULL;
	int r = peersec_tcp_get_alloc(p->a, &label);

	free(label);
	return r;
}

static const struct scenario scenarios[] = {
	{ "peersec_tcp_get", unix_pair, run_tcp_get },
	{ "peersec_tcp_get", unix_pair, run_tcp_get_small },
	{ "peersec_tcp_get", udp_socket, run_tcp_get },
	{ "peersec_tcp_get", tcp_unconnected, run_tcp_get },
	{ "peersec_tcp_get_alloc", unix_pair, run_tcp_get_alloc },
	{ "peersec_tcp_get_alloc", udp_socket, run_tcp_get_alloc },
};

static void all_scenarios(void **state)
{
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		drive(&scenarios[i]);
	printf("faults injected: %ld over %zu scenarios\n", inj.injected,
	       sizeof(scenarios) / sizeof(scenarios[0]));
	assert_true(inj.injected > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(all_scenarios),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
