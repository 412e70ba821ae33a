/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * peersec_tcp_get() and peersec_tcp_get_alloc() against a fake kernel: the
 * libc calls lib/sys.c makes are wrapped, and the fake answers SO_PEERSEC the
 * way the kernel's LSM hooks do.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "peersec-int.h"

static struct fake {
	const char *label;	/* bytes the kernel returns */
	size_t label_n;		/* how many; 0 = the LSM has no label */
	size_t grow;		/* label_n grows by this after every read */
	int err;		/* SO_PEERSEC fails with this */
	int type;		/* SO_TYPE */
	int peername_err;	/* getpeername fails with this */
	int eintr;		/* this many calls fail with EINTR first */
	int overclaim;		/* report more bytes than the buffer holds */
	int fail_malloc;	/* the next malloc fails */
	int getsockopt_calls, peek_calls, malloc_calls, peername_calls;
} fake;

int __wrap_getsockopt(int fd, int level, int name, void *val, socklen_t *len);
int __wrap_getpeername(int fd, struct sockaddr *sa, socklen_t *len);
void *__real_malloc(size_t size);
void *__wrap_malloc(size_t size);

int __wrap_getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	size_t n = fake.label_n;

	fake.getsockopt_calls++;
	assert_int_equal(level, SOL_SOCKET);
	if (fake.eintr > 0) {
		fake.eintr--;
		errno = EINTR;
		return -1;
	}
	if (name == SO_TYPE) {
		assert_int_equal(*len, sizeof(int));
		*(int *)val = fake.type;
		return 0;
	}
	assert_int_equal(name, SO_PEERSEC);
	if (fake.err != 0) {
		errno = fake.err;
		return -1;
	}
	if (n == 0) {
		errno = ENOPROTOOPT;
		return -1;
	}
	fake.label_n += fake.grow;
	if (n > *len) {		/* as SELinux: ERANGE and the size needed */
		*len = (socklen_t)n;
		errno = ERANGE;
		return -1;
	}
	assert_non_null(val);
	memcpy(val, fake.label, n);
	*len = (socklen_t)n + (fake.overclaim ? 1 : 0);
	return 0;
}

int __wrap_getpeername(int fd, struct sockaddr *sa, socklen_t *len)
{
	fake.peername_calls++;
	if (fake.peername_err != 0) {
		errno = fake.peername_err;
		return -1;
	}
	return 0;
}

void *__wrap_malloc(size_t size)
{
	fake.malloc_calls++;
	if (fake.fail_malloc) {
		fake.fail_malloc = 0;
		return NULL;
	}
	return __real_malloc(size);
}

static int reset(void **state)
{
	memset(&fake, 0, sizeof(fake));
	fake.type = SOCK_STREAM;
	return 0;
}

static void set_label(const char *bytes, size_t n)
{
	fake.label = bytes;
	fake.label_n = n;
}

#define SELINUX "system_u:system_r:client_t:s0-s0:c0.c3"
#define APPARMOR "/usr/bin/client (enforce)"

/* A label as large as @n bytes with its NUL (SELinux style). */
static char *big_label(size_t n)
{
	char *s = __real_malloc(n);

	assert_non_null(s);
	memset(s, 'c', n - 1);
	s[n - 1] = '\0';
	return s;
}

static void selinux_label(void **state)
{
	char buf[64];
	size_t len = sizeof(buf);

	set_label(SELINUX, sizeof(SELINUX));
	assert_int_equal(peersec_tcp_get(3, buf, &len), 0);
	assert_string_equal(buf, SELINUX);
	assert_int_equal(len, strlen(SELINUX));
	assert_int_equal(fake.getsockopt_calls, 1);	/* one syscall, no more */
	assert_int_equal(fake.malloc_calls, 0);
}

static void apparmor_label_gets_its_nul(void **state)
{
	char buf[64];
	size_t len = sizeof(buf);

	memset(buf, 'x', sizeof(buf));
	set_label(APPARMOR, strlen(APPARMOR));
	assert_int_equal(peersec_tcp_get(3, buf, &len), 0);
	assert_string_equal(buf, APPARMOR);
	assert_int_equal(len, strlen(APPARMOR));
}

static void exact_fit_with_nul(void **state)
{
	char buf[sizeof(SELINUX)];
	size_t len = sizeof(buf);

	set_label(SELINUX, sizeof(SELINUX));
	assert_int_equal(peersec_tcp_get(3, buf, &len), 0);
	assert_string_equal(buf, SELINUX);
}

static void no_room_for_missing_nul(void **state)
{
	char buf[sizeof(APPARMOR) - 1];	/* the label fits, its NUL not */
	char big[sizeof(APPARMOR)];
	size_t len = sizeof(buf);

	set_label(APPARMOR, strlen(APPARMOR));
	assert_int_equal(peersec_tcp_get(3, buf, &len), -ERANGE);
	assert_int_equal(len, sizeof(APPARMOR));
	assert_int_equal(peersec_tcp_get(3, big, &len), 0);
	assert_string_equal(big, APPARMOR);
}

static void one_byte_short(void **state)
{
	char buf[sizeof(SELINUX) - 1];
	char big[sizeof(SELINUX)];
	size_t len = sizeof(buf);

	set_label(SELINUX, sizeof(SELINUX));
	assert_int_equal(peersec_tcp_get(3, buf, &len), -ERANGE);
	assert_int_equal(len, sizeof(SELINUX));	/* exact */
	assert_int_equal(peersec_tcp_get(3, big, &len), 0);
	assert_string_equal(big, SELINUX);
}

static void erange_size_is_exact_without_nul(void **state)
{
	char buf[4];
	size_t len = sizeof(buf);

	set_label(APPARMOR, strlen(APPARMOR));
	assert_int_equal(peersec_tcp_get(3, buf, &len), -ERANGE);
	assert_int_equal(len, sizeof(APPARMOR));
}

static void size_query_with_null_buffer(void **state)
{
	size_t len = 0;

	set_label(SELINUX, sizeof(SELINUX));
	assert_int_equal(peersec_tcp_get(3, NULL, &len), -ERANGE);
	assert_int_equal(len, sizeof(SELINUX));
	len = 100;		/* a size with a NULL buffer is ignored */
	assert_int_equal(peersec_tcp_get(3, NULL, &len), -ERANGE);
	assert_int_equal(len, sizeof(SELINUX));
}

static void huge_label_one_retry(void **state)
{
	size_t n = 10000, len = 64;
	char *label = big_label(n), *buf;

	set_label(label, n);
	assert_int_equal(peersec_tcp_get(3, NULL, &len), -ERANGE);
	/* Beyond the scratch space the size may be one byte generous. */
	assert_true(len == n || len == n + 1);
	buf = __real_malloc(len);
	assert_int_equal(peersec_tcp_get(3, buf, &len), 0);
	assert_int_equal(len, n - 1);
	assert_string_equal(buf, label);
	free(buf);
	free(label);
}

static void null_len(void **state)
{
	char buf[8];

	assert_int_equal(peersec_tcp_get(3, buf, NULL), -EINVAL);
	assert_int_equal(fake.getsockopt_calls, 0);
}

static void empty_label_is_no_label(void **state)
{
	char buf[64];
	size_t len = sizeof(buf);

	set_label("", 1);	/* Smack: no label on the packet */
	assert_int_equal(peersec_tcp_get(3, buf, &len), -ENOPROTOOPT);
	assert_int_equal(len, sizeof(buf));
}

/* "No label" is settled by the kernel's first answer, whatever the socket:
 * one system call, no diagnosis. */
static void no_label_connected(void **state)
{
	char buf[64];
	size_t len = sizeof(buf);

	assert_int_equal(peersec_tcp_get(3, buf, &len), -ENOPROTOOPT);
	assert_int_equal(fake.getsockopt_calls, 1);
	assert_int_equal(fake.peername_calls, 0);
	assert_int_equal(len, sizeof(buf));
}

static void no_label_unconnected(void **state)
{
	char buf[64];
	size_t len = sizeof(buf);

	fake.peername_err = ENOTCONN;
	assert_int_equal(peersec_tcp_get(3, buf, &len), -ENOPROTOOPT);
	assert_int_equal(peersec_stream_get(3, buf, &len), -ENOPROTOOPT);
	assert_int_equal(fake.getsockopt_calls, 2);
	assert_int_equal(fake.peername_calls, 0);
}

static void datagram_no_label(void **state)
{
	static const int types[] = { SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET };
	char buf[64];

	for (size_t i = 0; i < 3; i++) {
		size_t len = sizeof(buf);

		fake.type = types[i];
		fake.getsockopt_calls = 0;
		assert_int_equal(peersec_tcp_get(3, buf, &len), -ENOPROTOOPT);
		assert_int_equal(fake.getsockopt_calls, 1);
	}
}

static void kernel_errors_pass(void **state)
{
	static const int errs[] = { EBADF, ENOTSOCK, EFAULT, EINVAL, EACCES,
				    ENOMEM };
	char buf[64];

	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		size_t len = sizeof(buf);

		fake.err = errs[i];
		assert_int_equal(peersec_tcp_get(3, buf, &len), -errs[i]);
		assert_int_equal(len, sizeof(buf));
	}
}

static void undocumented_errors_become_eio(void **state)
{
	static const int errs[] = { ENOBUFS, EAGAIN, EPERM, ENOENT };
	char buf[64], *label = NULL;

	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		size_t len = sizeof(buf);

		fake.err = errs[i];
		assert_int_equal(peersec_tcp_get(3, buf, &len), -EIO);
		assert_int_equal(peersec_tcp_get_alloc(3, &label), -EIO);
		assert_null(label);
	}
}

static void eintr_is_retried(void **state)
{
	char buf[64];
	size_t len = sizeof(buf);

	set_label(SELINUX, sizeof(SELINUX));
	fake.eintr = 3;
	assert_int_equal(peersec_tcp_get(3, buf, &len), 0);
	assert_string_equal(buf, SELINUX);
	assert_int_equal(fake.getsockopt_calls, 4);
}

static void embedded_nul(void **state)
{
	char buf[64];
	size_t len = sizeof(buf);

	set_label("abc\0def", 8);
	assert_int_equal(peersec_tcp_get(3, buf, &len), -EBADMSG);
}

static void kernel_overclaims(void **state)
{
	char buf[sizeof(SELINUX)];
	size_t len = sizeof(buf);

	set_label(SELINUX, sizeof(SELINUX));
	fake.overclaim = 1;
	assert_int_equal(peersec_tcp_get(3, buf, &len), -EBADMSG);
}

static void alloc_small(void **state)
{
	char *label = NULL;

	set_label(SELINUX, sizeof(SELINUX));
	assert_int_equal(peersec_tcp_get_alloc(3, &label), 0);
	assert_string_equal(label, SELINUX);
	assert_int_equal(fake.getsockopt_calls, 1);
	assert_int_equal(fake.malloc_calls, 1);
	free(label);
}

static void alloc_apparmor(void **state)
{
	char *label = NULL;

	set_label(APPARMOR, strlen(APPARMOR));
	assert_int_equal(peersec_tcp_get_alloc(3, &label), 0);
	assert_string_equal(label, APPARMOR);
	free(label);
}

static void alloc_grows(void **state)
{
	static const size_t sizes[] = { 4095, 4096, 4097, 10000, PEERSEC_LABEL_MAX };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char *want = big_label(sizes[i]), *label = NULL;

		reset(state);
		set_label(want, sizes[i]);
		assert_int_equal(peersec_tcp_get_alloc(3, &label), 0);
		assert_string_equal(label, want);
		free(label);
		free(want);
	}
}

static void alloc_bound(void **state)
{
	char *want = big_label(PEERSEC_LABEL_MAX + 1), *label = NULL;

	set_label(want, PEERSEC_LABEL_MAX + 1);
	assert_int_equal(peersec_tcp_get_alloc(3, &label), -EOVERFLOW);
	assert_null(label);
	assert_int_equal(fake.malloc_calls, 0);
	free(want);
}

static void alloc_label_keeps_growing(void **state)
{
	char *want = big_label(PEERSEC_LABEL_MAX), *label = NULL;

	set_label(want, 5000);
	fake.grow = 1000;
	assert_int_equal(peersec_tcp_get_alloc(3, &label), -EOVERFLOW);
	assert_null(label);
	free(want);
}

static void alloc_enomem(void **state)
{
	char *want = big_label(5000), *label = NULL;

	set_label(SELINUX, sizeof(SELINUX));
	fake.fail_malloc = 1;
	assert_int_equal(peersec_tcp_get_alloc(3, &label), -ENOMEM);
	assert_null(label);

	set_label(want, 5000);
	fake.fail_malloc = 1;
	assert_int_equal(peersec_tcp_get_alloc(3, &label), -ENOMEM);
	assert_null(label);
	free(want);
}

static void alloc_errors(void **state)
{
	char *label = NULL;

	assert_int_equal(peersec_tcp_get_alloc(3, NULL), -EINVAL);
	assert_int_equal(peersec_tcp_get_alloc(3, &label), -ENOPROTOOPT);
	fake.err = EBADF;
	assert_int_equal(peersec_tcp_get_alloc(3, &label), -EBADF);
	fake.err = 0;
	fake.type = SOCK_DGRAM;
	assert_int_equal(peersec_tcp_get_alloc(3, &label), -ENOPROTOOPT);
	assert_int_equal(peersec_stream_get_alloc(3, &label), -ENOPROTOOPT);
	assert_null(label);
	assert_int_equal(fake.malloc_calls, 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, reset)
	const struct CMUnitTest tests[] = {
		T(selinux_label),
		T(apparmor_label_gets_its_nul),
		T(exact_fit_with_nul),
		T(no_room_for_missing_nul),
		T(one_byte_short),
		T(erange_size_is_exact_without_nul),
		T(size_query_with_null_buffer),
		T(huge_label_one_retry),
		T(null_len),
		T(empty_label_is_no_label),
		T(no_label_connected),
		T(no_label_unconnected),
		T(datagram_no_label),
		T(kernel_errors_pass),
		T(undocumented_errors_become_eio),
		T(eintr_is_retried),
		T(embedded_nul),
		T(kernel_overclaims),
		T(alloc_small),
		T(alloc_apparmor),
		T(alloc_grows),
		T(alloc_bound),
		T(alloc_label_keeps_growing),
		T(alloc_enomem),
		T(alloc_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
