/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of peersec_label_is_unlabeled(): libselinux's
 * security_get_initial_context_raw() is wrapped, so each test decides which
 * policy is loaded, or that there is none.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <peersec/peersec.h>

static const char *policy_unlabeled;	/* NULL: fail with policy_errno */
static int policy_errno;
static int asked;

int __wrap_security_get_initial_context_raw(const char *name, char **con);
int __wrap_security_get_initial_context_raw(const char *name, char **con)
{
	asked++;
	assert_string_equal(name, "unlabeled");
	if (policy_unlabeled == NULL) {
		errno = policy_errno;
		return -1;
	}
	*con = strdup(policy_unlabeled);
	if (*con == NULL) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

static int reset(void **state)
{
	policy_unlabeled = NULL;
	policy_errno = 0;
	asked = 0;
	return 0;
}

static void reference_policy(void **state)
{
	policy_unlabeled = "system_u:object_r:unlabeled_t:s0";
	assert_int_equal(peersec_label_is_unlabeled(
		"system_u:object_r:unlabeled_t:s0"), 1);
	assert_int_equal(peersec_label_is_unlabeled(
		"system_u:system_r:client_t:s0"), 0);
	/* Raw comparison: no prefix, suffix or MLS rewriting counts. */
	assert_int_equal(peersec_label_is_unlabeled(
		"system_u:object_r:unlabeled_t"), 0);
	assert_int_equal(peersec_label_is_unlabeled(
		"system_u:object_r:unlabeled_t:s0-s0"), 0);
	assert_int_equal(peersec_label_is_unlabeled(
		"system_u:object_r:unlabeled_t:s0 "), 0);
	assert_int_equal(peersec_label_is_unlabeled(""), 0);
	assert_int_equal(asked, 6);	/* asked each time, never cached */
}

/* The policy's own context decides, whatever the type is called. */
static void other_policy(void **state)
{
	policy_unlabeled = "u:r:kernel_unlabeled:s0:c0.c1023";
	assert_int_equal(peersec_label_is_unlabeled(
		"u:r:kernel_unlabeled:s0:c0.c1023"), 1);
	assert_int_equal(peersec_label_is_unlabeled(
		"system_u:object_r:unlabeled_t:s0"), 0);

	/* A policy reload is seen at once. */
	policy_unlabeled = "system_u:object_r:unlabeled_t:s0";
	assert_int_equal(peersec_label_is_unlabeled(
		"u:r:kernel_unlabeled:s0:c0.c1023"), 0);
	assert_int_equal(peersec_label_is_unlabeled(
		"system_u:object_r:unlabeled_t:s0"), 1);
}

/* selinuxfs is mounted but no policy is loaded: the kernel names the SID. */
static void no_policy_loaded(void **state)
{
	policy_unlabeled = "unlabeled";
	assert_int_equal(peersec_label_is_unlabeled("unlabeled"), 1);
	assert_int_equal(peersec_label_is_unlabeled("kernel"), 0);
}

static void errors(void **state)
{
	static const struct { int err, want; } cases[] = {
		{ ENOENT, -ENOENT },	/* no SELinux, selinuxfs not mounted */
		{ EACCES, -EACCES },
		{ ENOMEM, -ENOMEM },
		{ EIO, -EIO },
		{ EPERM, -EIO },
		{ 0, -EIO },		/* failed without saying why */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		policy_errno = cases[i].err;
		assert_int_equal(peersec_label_is_unlabeled(
			"system_u:object_r:unlabeled_t:s0"), cases[i].want);
	}

	/* An empty initial context is no context. */
	policy_unlabeled = "";
	assert_int_equal(peersec_label_is_unlabeled(""), -EIO);
}

static void null_label(void **state)
{
	policy_unlabeled = "system_u:object_r:unlabeled_t:s0";
	assert_int_equal(peersec_label_is_unlabeled(NULL), -EINVAL);
	assert_int_equal(asked, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(reference_policy, reset),
		cmocka_unit_test_setup(other_policy, reset),
		cmocka_unit_test_setup(no_policy_loaded, reset),
		cmocka_unit_test_setup(errors, reset),
		cmocka_unit_test_setup(null_label, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
