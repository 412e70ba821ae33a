/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Child-context derivation: the context a service started on behalf of a
 * network peer should run in.  The same algorithm as systemd's
 * SELinuxContextFromNet= and xinetd's LABELED flag, on raw contexts:
 *
 *   1. start from @base, or the caller's own context (getcon_raw);
 *   2. replace its MLS range (everything after the third ':') with the peer
 *      label's;
 *   3. ask the policy for the process transition of that context on the
 *      executable's file context (security_compute_create_raw, class
 *      "process").
 *
 * Step 2 is plain string work and lives in merge_range(); steps 1 and 3 talk
 * to libselinux, which unit tests wrap (-Wl,--wrap=getcon_raw ...) to make
 * the policy say anything.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <selinux/selinux.h>

#include "peersec-int.h"

/* A context's user, role and type are its first three ':'-separated fields;
 * the MLS range, when present, is the rest (it may hold ':' itself, as in
 * "s0:c0.c3"). */
#define CONTEXT_FIELDS 3

/*
 * libselinux keeps the class names it has looked up in a list it does not
 * lock (libselinux 3.4 stringrep.c).  Serialise our own lookups so that two
 * threads deriving at once cannot corrupt it.
 */
static pthread_mutex_t class_lock = PTHREAD_MUTEX_INITIALIZER;

static bool bad_char(char c)
{
	/* Contexts are printable ASCII without blanks. */
	return (unsigned char)c <= ' ' || (unsigned char)c >= 0x7f;
}

/*
 * Check @ctx's shape and return the offset of its MLS range: the byte after
 * the third ':', or the length of @ctx when it has only three fields.
 * -EINVAL when a field is empty or a character cannot be in a context.
 */
static int range_offset(const char *ctx, size_t *off)
{
	size_t field_start = 0, i;
	int colons = 0;

	for (i = 0; ctx[i] != '\0'; i++) {
		if (bad_char(ctx[i]))
			return -EINVAL;
		if (ctx[i] != ':' || colons == CONTEXT_FIELDS)
			continue;
		if (i == field_start)	/* empty user, role or type */
			return -EINVAL;
		colons++;
		field_start = i + 1;
		if (colons == CONTEXT_FIELDS)
			*off = field_start;
	}
	if (colons < CONTEXT_FIELDS - 1)
		return -EINVAL;
	if (colons == CONTEXT_FIELDS - 1) {	/* user:role:type */
		if (i == field_start)
			return -EINVAL;
		*off = i;
	}
	return 0;
}

/*
 * @base's user, role and type with @peer's MLS range: a new string in
 * *@out.  @peer must carry a non-empty range; @base may have one or not.
 */
static int merge_range(const char *base, const char *peer, char **out)
{
	size_t base_off, peer_off, peer_len, prefix;
	char *merged;
	int r;

	r = range_offset(peer, &peer_off);
	if (r < 0)
		return r;
	peer_len = strlen(peer);
	if (peer_off >= peer_len)	/* no MLS range, or an empty one */
		return -EINVAL;
	r = range_offset(base, &base_off);
	if (r < 0)
		return r;

	/* base_off points past "u:r:t:" or at the end of "u:r:t". */
	if (base[base_off - 1] != ':')
		prefix = base_off;
	else if (base[base_off] != '\0')
		prefix = base_off - 1;
	else			/* "u:r:t:", an empty range */
		return -EINVAL;
	merged = malloc(prefix + 1 + (peer_len - peer_off) + 1);
	if (merged == NULL)
		return -ENOMEM;
	memcpy(merged, base, prefix);
	merged[prefix] = ':';
	memcpy(merged + prefix + 1, peer + peer_off, peer_len - peer_off + 1);
	*out = merged;
	return 0;
}

/* getfilecon_raw's failures, in the documented terms. */
static int file_error(int e)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR:
	case ELOOP:
	case ENAMETOOLONG:
		return -ENOENT;
	case EACCES:
	case EPERM:
		return -EACCES;
	case ENODATA:
	case ENOTSUP:
		return -ENODATA;
	case ENOMEM:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

/* security_compute_create_raw's failures, in the documented terms. */
static int compute_error(int e)
{
	switch (e) {
	case EINVAL:	/* the merged context is not valid in this policy */
		return -EPERM;
	case EACCES:	/* the result is invalid, or we may not ask */
	case EPERM:
		return -EACCES;
	case ENOMEM:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

/* A string libselinux allocated, copied into memory the caller frees with
 * free(): freecon() is free() today, but that is not a promise. */
static int hand_over(char *con, char **out)
{
	char *copy = strdup(con);

	freecon(con);
	if (copy == NULL)
		return -ENOMEM;
	*out = copy;
	return 0;
}

/* peersec_context_derive(3) */
static const int derive_errors[] = {
	EINVAL, EOPNOTSUPP, ENOENT, EACCES, ENODATA, EPERM, ENOMEM, EIO, 0
};

static int derive(const char *peer_label, const char *base,
		  const char *exec_path, char **context)
{
	char *own = NULL, *merged = NULL, *filecon = NULL, *result = NULL;
	security_class_t process;
	int r;

	if (peer_label == NULL || exec_path == NULL || exec_path[0] == '\0' ||
	    context == NULL)
		return -EINVAL;

	/* Not is_selinux_enabled(): it also wants /etc/selinux/config, which
	 * a system may lack while its kernel enforces a policy.  The policy's
	 * own word (selinuxfs "mls") is 0 when SELinux is off, too. */
	if (is_selinux_mls_enabled() <= 0)
		return -EOPNOTSUPP;

	if (base == NULL) {
		if (getcon_raw(&own) < 0)
			return errno == ENOMEM ? -ENOMEM : -EIO;
		base = own;
	}
	r = merge_range(base, peer_label, &merged);
	if (own != NULL)
		freecon(own);
	if (r < 0)
		return r;

	if (getfilecon_raw(exec_path, &filecon) < 0) {
		r = file_error(errno);
		goto out;
	}

	pthread_mutex_lock(&class_lock);
	process = string_to_security_class("process");
	pthread_mutex_unlock(&class_lock);
	if (process == 0) {
		r = -EOPNOTSUPP;	/* a policy without the process class */
		goto out;
	}

	if (security_compute_create_raw(merged, filecon, process,
					&result) < 0) {
		r = compute_error(errno);
		goto out;
	}
	r = hand_over(result, context);
out:
	free(merged);
	if (filecon != NULL)
		freecon(filecon);
	return r;
}

PEERSEC_EXPORT int peersec_context_derive(const char *peer_label,
					  const char *base,
					  const char *exec_path,
					  char **context)
{
	return (int)peersec__errors_closed(derive(peer_label, base, exec_path,
						  context),
					   derive_errors);
}
