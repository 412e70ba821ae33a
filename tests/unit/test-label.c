/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The normaliser: every shape of bytes an LSM can hand out. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "peersec-int.h"

static int measure(const char *raw, size_t n, size_t *len)
{
	*len = 12345;
	return peersec__label_measure(raw, n, len);
}

static void selinux_counts_nul(void **state)
{
	static const char raw[] = "system_u:object_r:peer_t:s0";
	size_t len;

	assert_int_equal(measure(raw, sizeof(raw), &len), 0);
	assert_int_equal(len, sizeof(raw) - 1);
}

static void apparmor_has_no_nul(void **state)
{
	static const char raw[] = "/usr/bin/client (enforce)";
	size_t len;

	assert_int_equal(measure(raw, sizeof(raw) - 1, &len), 0);
	assert_int_equal(len, sizeof(raw) - 1);
}

static void empty_is_no_label(void **state)
{
	size_t len;

	assert_int_equal(measure("", 0, &len), -ENODATA);
	assert_int_equal(measure("", 1, &len), -ENODATA);
	assert_int_equal(measure("\0\0\0", 3, &len), -ENODATA);
	assert_int_equal(len, 12345);	/* untouched on failure */
}

static void nul_padding_is_accepted(void **state)
{
	size_t len;

	assert_int_equal(measure("abc\0\0\0", 6, &len), 0);
	assert_int_equal(len, 3);
}

static void embedded_nul_is_refused(void **state)
{
	size_t len;

	assert_int_equal(measure("abc\0def", 7, &len), -EBADMSG);
	assert_int_equal(measure("abc\0def\0", 8, &len), -EBADMSG);
	assert_int_equal(measure("\0x", 2, &len), -EBADMSG);
}

static void one_byte(void **state)
{
	size_t len;

	assert_int_equal(measure("x", 1, &len), 0);
	assert_int_equal(len, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(selinux_counts_nul),
		cmocka_unit_test(apparmor_has_no_nul),
		cmocka_unit_test(empty_is_no_label),
		cmocka_unit_test(nul_padding_is_accepted),
		cmocka_unit_test(embedded_nul_is_refused),
		cmocka_unit_test(one_byte),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
