/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * peersec_context_derive() against a policy the test plays: libselinux's
 * calls are wrapped (-Wl,--wrap=getcon_raw ...), so each test decides the
 * caller's context, the file's context, and what the policy answers.  The
 * wrapped security_compute_create_raw() records the context it was asked
 * about, which is how the MLS range replacement is checked.
 *
 * The real policy's answers are checked in the lab (tests/lab).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <selinux/selinux.h>

#include <peersec/peersec.h>

#define OWN "system_u:system_r:launcher_t:s0-s15:c0.c1023"
#define EXE "/usr/sbin/service"
#define FILECON "system_u:object_r:service_exec_t:s0"

/* What the fake policy does; reset before each test. */
static struct {
	int mls;
	const char *own;		/* NULL: getcon_raw fails */
	int getcon_errno;
	const char *filecon;		/* NULL: getfilecon_raw fails */
	int file_errno;
	security_class_t process;
	int compute_errno;		/* 0: answer */
	const char *new_type;		/* the transition's type; NULL keeps */
	char asked[512];		/* scon of the last compute_create */
	char asked_t[512];		/* tcon of the last compute_create */
	int compute_calls, getcon_calls;
} pol;

int __wrap_is_selinux_mls_enabled(void);
int __wrap_getcon_raw(char **con);
int __wrap_getfilecon_raw(const char *path, char **con);
security_class_t __wrap_string_to_security_class(const char *name);
int __wrap_security_compute_create_raw(const char *scon, const char *tcon,
				       security_class_t tclass, char **newcon);

int __wrap_is_selinux_mls_enabled(void)
{
	return pol.mls;
}

int __wrap_getcon_raw(char **con)
{
	pol.getcon_calls++;
	if (pol.own == NULL) {
		errno = pol.getcon_errno;
		return -1;
	}
	*con = strdup(pol.own);
	return 0;
}

int __wrap_getfilecon_raw(const char *path, char **con)
{
	assert_string_equal(path, EXE);
	if (pol.filecon == NULL) {
		errno = pol.file_errno;
		return -1;
	}
	*con = strdup(pol.filecon);
	return (int)strlen(*con) + 1;
}

security_class_t __wrap_string_to_security_class(const char *name)
{
	assert_string_equal(name, "process");
	return pol.process;
}

/* The transition: scon with its type replaced by new_type. */
int __wrap_security_compute_create_raw(const char *scon, const char *tcon,
				       security_class_t tclass, char **newcon)
{
	const char *p = scon;
	char out[600];

	pol.compute_calls++;
	assert_int_equal(tclass, pol.process);
	snprintf(pol.asked, sizeof(pol.asked), "%s", scon);
	snprintf(pol.asked_t, sizeof(pol.asked_t), "%s", tcon);
	if (pol.compute_errno != 0) {
		errno = pol.compute_errno;
		return -1;
	}
	if (pol.new_type == NULL) {
		*newcon = strdup(scon);
		return 0;
	}
	/* user:role: then the new type, then the rest after the type */
	for (int colons = 0; colons < 2; p++)
		if (*p == ':')
			colons++;
	const char *rest = strchr(p, ':');
	snprintf(out, sizeof(out), "%.*s%s%s", (int)(p - scon), scon,
		 pol.new_type, rest != NULL ? rest : "");
	*newcon = strdup(out);
	return 0;
}

static int reset(void **state)
{
	memset(&pol, 0, sizeof(pol));
	pol.mls = 1;
	pol.own = OWN;
	pol.filecon = FILECON;
	pol.process = 2;
	pol.new_type = "service_t";
	return 0;
}

/* Derive with @base and return the context the policy was asked about
 * (pol.asked), checking the call succeeded. */
static char *derive_ok(const char *peer, const char *base)
{
	char *ctx = NULL;

	assert_int_equal(peersec_context_derive(peer, base, EXE, &ctx), 0);
	assert_non_null(ctx);
	return ctx;
}

/* Only the MLS range replacement: what reached the policy. */
static void check_merge(const char *peer, const char *base,
			const char *expected)
{
	char *ctx = derive_ok(peer, base);

	assert_string_equal(pol.asked, expected);
	free(ctx);
}

static void check_refused(const char *peer, const char *base, int err)
{
	char *ctx = (char *)0x1;

	assert_int_equal(peersec_context_derive(peer, base, EXE, &ctx), err);
	assert_ptr_equal(ctx, (char *)0x1);	/* untouched */
}

/* ---- the MLS range replacement ---------------------------------------- */

static void own_context_takes_peer_range(void **state)
{
	char *ctx = derive_ok("system_u:system_r:client_t:s3:c1", NULL);

	assert_int_equal(pol.getcon_calls, 1);
	assert_string_equal(pol.asked, "system_u:system_r:launcher_t:s3:c1");
	assert_string_equal(pol.asked_t, FILECON);
	assert_string_equal(ctx, "system_u:system_r:service_t:s3:c1");
	free(ctx);
}

static void base_given_is_used_not_own(void **state)
{
	check_merge("u:r:client_t:s2", "staff_u:staff_r:base_t:s0",
		    "staff_u:staff_r:base_t:s2");
	assert_int_equal(pol.getcon_calls, 0);
}

static void ranges_of_every_shape(void **state)
{
	static const struct {
		const char *peer, *want;
	} cases[] = {
		{ "a:b:c:s0", "x:y:z:s0" },
		{ "a:b:c:s0-s0", "x:y:z:s0-s0" },
		{ "a:b:c:s0:c0", "x:y:z:s0:c0" },
		{ "a:b:c:s0:c0.c1023", "x:y:z:s0:c0.c1023" },
		{ "a:b:c:s1-s15:c0,c3.c7,c9", "x:y:z:s1-s15:c0,c3.c7,c9" },
		{ "a:b:c:s0:c0-s2:c0.c5", "x:y:z:s0:c0-s2:c0.c5" },
		{ "a:b:c:SystemLow-SystemHigh", "x:y:z:SystemLow-SystemHigh" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		check_merge(cases[i].peer, "x:y:z:s7:c1", cases[i].want);
		check_merge(cases[i].peer, "x:y:z", cases[i].want);
		check_merge(cases[i].peer, "x:y:z:s0-s15:c0.c1023",
			    cases[i].want);
	}
}

static void peer_user_role_type_are_ignored(void **state)
{
	/* Only the range crosses over: never the peer's user, role or type. */
	check_merge("evil_u:evil_r:unconfined_t:s4", "x:y:z:s0", "x:y:z:s4");
}

static void long_labels(void **state)
{
	char peer[400], want[400];
	char *ctx;

	/* A range over 255 bytes, as CALIPSO produces. */
	strcpy(peer, "u:r:t:s0:c0");
	for (int c = 2; strlen(peer) < 300; c += 2)
		sprintf(peer + strlen(peer), ",c%d", c);
	snprintf(want, sizeof(want), "x:y:z:%s", peer + 6);
	ctx = derive_ok(peer, "x:y:z:s0");
	assert_string_equal(pol.asked, want);
	free(ctx);
}

static void peer_without_range_is_refused(void **state)
{
	check_refused("u:r:t", NULL, -EINVAL);
	check_refused("u:r:t:", NULL, -EINVAL);
	check_refused("u:r", NULL, -EINVAL);
	check_refused("u", NULL, -EINVAL);
	check_refused("", NULL, -EINVAL);
	assert_int_equal(pol.compute_calls, 0);
}

static void malformed_peer_is_refused(void **state)
{
	check_refused(":r:t:s0", NULL, -EINVAL);
	check_refused("u::t:s0", NULL, -EINVAL);
	check_refused("u:r::s0", NULL, -EINVAL);
	check_refused("u:r:t:s0 c0", NULL, -EINVAL);
	check_refused("u:r:t:s0\n", NULL, -EINVAL);
	check_refused("u:r:t:s0\t", NULL, -EINVAL);
	check_refused("u:r:t:s0\x7f", NULL, -EINVAL);
	check_refused("u:r:t:s0\xc3\xa9", NULL, -EINVAL);
	check_refused(" u:r:t:s0", NULL, -EINVAL);
	assert_int_equal(pol.compute_calls, 0);
}

static void malformed_base_is_refused(void **state)
{
	check_refused("u:r:t:s0", "", -EINVAL);
	check_refused("u:r:t:s0", "x:y", -EINVAL);
	check_refused("u:r:t:s0", "x:y:", -EINVAL);
	check_refused("u:r:t:s0", "x::z", -EINVAL);
	check_refused("u:r:t:s0", "x:y:z:", -EINVAL);
	check_refused("u:r:t:s0", "x:y:z s0", -EINVAL);
	assert_int_equal(pol.compute_calls, 0);
}

static void own_context_malformed(void **state)
{
	pol.own = "kernel";
	check_refused("u:r:t:s0", NULL, -EINVAL);
}

static void bad_arguments(void **state)
{
	char *ctx;

	assert_int_equal(peersec_context_derive(NULL, NULL, EXE, &ctx),
			 -EINVAL);
	assert_int_equal(peersec_context_derive("u:r:t:s0", NULL, NULL, &ctx),
			 -EINVAL);
	assert_int_equal(peersec_context_derive("u:r:t:s0", NULL, "", &ctx),
			 -EINVAL);
	assert_int_equal(peersec_context_derive("u:r:t:s0", NULL, EXE, NULL),
			 -EINVAL);
}

/* ---- what the system and the policy answer ---------------------------- */

static void selinux_off_or_mls_less(void **state)
{
	/* libselinux answers 0 without selinuxfs (SELinux off), and 0 for a
	 * policy without MLS */
	pol.mls = -1;
	check_refused("u:r:t:s0", NULL, -EOPNOTSUPP);
	pol.mls = 0;
	check_refused("u:r:t:s0", NULL, -EOPNOTSUPP);
	check_refused("u:r:t", NULL, -EOPNOTSUPP);
	assert_int_equal(pol.getcon_calls, 0);
}

static void own_context_unreadable(void **state)
{
	pol.own = NULL;
	pol.getcon_errno = ENOENT;
	check_refused("u:r:t:s0", NULL, -EIO);
	pol.getcon_errno = ENOMEM;
	check_refused("u:r:t:s0", NULL, -ENOMEM);
	/* with a base, our own context is not needed */
	free(derive_ok("u:r:t:s0", "x:y:z"));
}

static void file_context_errors(void **state)
{
	static const struct {
		int e, want;
	} cases[] = {
		{ ENOENT, -ENOENT }, { ENOTDIR, -ENOENT }, { ELOOP, -ENOENT },
		{ ENAMETOOLONG, -ENOENT }, { EACCES, -EACCES },
		{ ENODATA, -ENODATA }, { ENOTSUP, -ENODATA },
		{ ENOMEM, -ENOMEM }, { EIO, -EIO }, { EBADF, -EIO },
	};

	pol.filecon = NULL;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pol.file_errno = cases[i].e;
		check_refused("u:r:t:s0", NULL, cases[i].want);
	}
	assert_int_equal(pol.compute_calls, 0);
}

static void no_process_class(void **state)
{
	pol.process = 0;
	check_refused("u:r:t:s0", NULL, -EOPNOTSUPP);
	assert_int_equal(pol.compute_calls, 0);
}

static void policy_refusals(void **state)
{
	static const struct {
		int e, want;
	} cases[] = {
		{ EINVAL, -EPERM }, { EACCES, -EACCES }, { EPERM, -EACCES },
		{ ENOMEM, -ENOMEM }, { ENOENT, -EIO }, { EIO, -EIO },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pol.compute_errno = cases[i].e;
		check_refused("u:r:t:s9", NULL, cases[i].want);
		assert_string_equal(pol.asked, "system_u:system_r:launcher_t:s9");
	}
}

static void no_transition_keeps_type(void **state)
{
	char *ctx;

	pol.new_type = NULL;
	ctx = derive_ok("u:r:t:s2:c4", "x:y:z:s0");
	assert_string_equal(ctx, "x:y:z:s2:c4");
	free(ctx);
}

/* ---- threads ------------------------------------------------------------ */

static void *derive_many(void *arg)
{
	for (int i = 0; i < 2000; i++) {
		char *ctx = NULL;

		if (peersec_context_derive("u:r:t:s1:c2", "x:y:z:s0", EXE,
					   &ctx) != 0 ||
		    strcmp(ctx, "x:y:service_t:s1:c2") != 0)
			return (void *)1;
		free(ctx);
	}
	return NULL;
}

static void threads_derive_at_once(void **state)
{
	pthread_t t[4];
	void *ret;

	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, derive_many, NULL),
				 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], &ret), 0);
		assert_null(ret);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(own_context_takes_peer_range, reset),
		cmocka_unit_test_setup(base_given_is_used_not_own, reset),
		cmocka_unit_test_setup(ranges_of_every_shape, reset),
		cmocka_unit_test_setup(peer_user_role_type_are_ignored, reset),
		cmocka_unit_test_setup(long_labels, reset),
		cmocka_unit_test_setup(peer_without_range_is_refused, reset),
		cmocka_unit_test_setup(malformed_peer_is_refused, reset),
		cmocka_unit_test_setup(malformed_base_is_refused, reset),
		cmocka_unit_test_setup(own_context_malformed, reset),
		cmocka_unit_test_setup(bad_arguments, reset),
		cmocka_unit_test_setup(selinux_off_or_mls_less, reset),
		cmocka_unit_test_setup(own_context_unreadable, reset),
		cmocka_unit_test_setup(file_context_errors, reset),
		cmocka_unit_test_setup(no_process_class, reset),
		cmocka_unit_test_setup(policy_refusals, reset),
		cmocka_unit_test_setup(no_transition_keeps_type, reset),
		cmocka_unit_test_setup(threads_derive_at_once, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
