/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Deciding a server's context: from the peer's label, the service's base
 * context and the server file the launcher opened (services.c), never its
 * path again; the clearance bound; the cache of decisions, accepted and
 * refused; the refusal lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <selinux/avc.h>
#include <selinux/selinux.h>

#include <peersec/peersec.h>

#include "inetd.h"


/* ---- deciding ---------------------------------------------------------- */

static const char *derive_reason(int r)
{
	switch (r) {
	case -EINVAL:
		return "malformed label or base context";
	case -EOPNOTSUPP:
		return "SELinux off or its policy has no MLS";
	case -ENOENT:
		return "server not found";
	case -EACCES:
		return "policy denies the transition or the query";
	case -ENODATA:
		return "server file has no context";
	case -EPERM:
		return "policy rejects the label's range for the base context";
	case -ENOMEM:
		return "out of memory";
	default:
		return "derivation failed";
	}
}

/* The field after the @n-th ':' of @ctx (0: the user), or NULL.  Its
 * length (up to the next ':' for the user, role and type, to the end for
 * the range) in *@len. */
static const char *field(const char *ctx, int n, size_t *len)
{
	for (int i = 0; i < n && ctx != NULL; i++) {
		ctx = strchr(ctx, ':');
		if (ctx != NULL)
			ctx++;
	}
	if (ctx == NULL)
		return NULL;
	*len = n < 3 ? strcspn(ctx, ":") : strlen(ctx);
	return ctx;
}

/* Whether two contexts have the same type (the domain): a server in the
 * launcher's type runs with the launcher's rights, whatever its user, role
 * or level. */
static bool same_type(const char *a, const char *b)
{
	size_t la, lb;
	const char *ta = field(a, 2, &la), *tb = field(b, 2, &lb);

	return ta != NULL && tb != NULL && la == lb && memcmp(ta, tb, la) == 0;
}

/* "user:role:type:" of @ctx followed by @range: a new string, or NULL. */
static char *with_range(const char *ctx, const char *range)
{
	size_t len;
	const char *t = field(ctx, 2, &len);
	char *out;

	if (t == NULL || range == NULL)
		return NULL;
	len += (size_t)(t - ctx);
	out = malloc(len + strlen(range) + 2);
	if (out != NULL)
		sprintf(out, "%.*s:%s", (int)len, ctx, range);
	return out;
}

/* The MLS range of @ctx, or NULL when it has none. */
static const char *range_of(const char *ctx)
{
	size_t len;

	return field(ctx, 3, &len);
}

/*
 * The clearance bound: may a server run at the range of @ctx under @bound
 * (a context whose range is the bound)?  The policy says, through the
 * kernel: "context contains" from the bound to a context of the same user,
 * role and type at the derived range, which an MLS policy grants when the
 * bound's range dominates the other's low level and its high level
 * dominates the other's high (mlsconstrain).  No string comparison.  Any
 * doubt is a refusal: a policy without the class or permission, an error.
 * (Not selinux_check_access(): it answers yes when libselinux thinks
 * SELinux is off.)
 */
static int within_bound(const char *bound, const char *ctx, char *why)
{
	security_class_t cls = string_to_security_class("context");
	access_vector_t perm = cls != 0 ? string_to_av_perm(cls, "contains") :
				0;
	struct av_decision avd;
	char *target = with_range(bound, range_of(ctx));
	int r = -1;

	if (cls == 0 || perm == 0) {
		snprintf(why, INETD_WHY_MAX, "the policy has no \"context contains\""
			 " permission: the clearance bound cannot be checked");
	} else if (target == NULL) {
		snprintf(why, INETD_WHY_MAX, "clearance check: out of memory");
	} else if (security_compute_av_raw(bound, target, cls, perm,
					   &avd) < 0) {
		snprintf(why, INETD_WHY_MAX, "clearance check of %.80s within %.80s:"
			 " %s", range_of(ctx), range_of(bound),
			 strerror(errno));
	} else if (!(avd.allowed & perm)) {
		snprintf(why, INETD_WHY_MAX, "level %.100s is not within the clearance "
			 "bound %.100s", range_of(ctx), range_of(bound));
	} else {
		r = 0;
	}
	free(target);
	return r;
}

/* ---- the derivation ------------------------------------------------------
 *
 * What peersec_context_derive(3) does, from the context of the file the
 * launcher holds open instead of a path: the base context with the peer's
 * range, then the kernel's answer for a process of that context executing
 * a file of that context (security_compute_create, class process).
 */
#define FILECON_MAX 4096

/* The context of the server the service holds open, into @buf (FILECON_MAX
 * bytes): 0, or -errno.  fgetxattr() refuses O_PATH descriptors; the
 * descriptor's /proc/self/fd entry leads to the same inode. */
static int server_context(const struct inetd_service *s, char *buf)
{
	char path[40];
	ssize_t n;

	if (s->exec_fd < 0)
		return -EBADF;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", s->exec_fd);
	n = getxattr(path, "security.selinux", buf, FILECON_MAX - 1);
	if (n < 0)
		return -errno;
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	buf[n] = '\0';
	return n > 0 ? 0 : -ENODATA;
}

static int derive_from_file(const char *peer_label, const char *base,
			    const char *filecon, char **ctx)
{
	security_class_t process;
	char *merged, *result;
	int r;

	if (is_selinux_mls_enabled() <= 0)
		return -EOPNOTSUPP;
	if (range_of(peer_label) == NULL || range_of(peer_label)[0] == '\0')
		return -EINVAL;
	merged = with_range(base, range_of(peer_label));
	if (merged == NULL)
		return -EINVAL;
	process = string_to_security_class("process");
	if (process == 0) {
		free(merged);
		return -EOPNOTSUPP;
	}
	if (security_compute_create_raw(merged, filecon, process,
					&result) < 0) {
		r = errno == EINVAL ? -EPERM : errno == ENOMEM ? -ENOMEM :
		    errno == EACCES || errno == EPERM ? -EACCES : -EIO;
		free(merged);
		return r;
	}
	free(merged);
	*ctx = strdup(result);
	freecon(result);
	return *ctx != NULL ? 0 : -ENOMEM;
}

/* The server file as it is now: a regular file, owned by root or the
 * service's user, writable by nobody else unless allow_writable.  0, or -1
 * with @why. */
static int server_checks(const struct inetd_service *s, char *why)
{
	struct stat sb;

	if (s->exec_fd < 0) {
		snprintf(why, INETD_WHY_MAX, "server %.100s could not be opened at "
			 "the last (re)load: fix it and reload", s->server);
		return -1;
	}
	if (fstat(s->exec_fd, &sb) < 0) {
		snprintf(why, INETD_WHY_MAX, "server %.100s: fstat: %s", s->server,
			 strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(why, INETD_WHY_MAX, "server %.100s is not a regular file",
			 s->server);
		return -1;
	}
	if (sb.st_uid != 0 && sb.st_uid != s->uid) {
		snprintf(why, INETD_WHY_MAX, "server %.100s is owned by uid %u, not "
			 "root or the service's user", s->server,
			 (unsigned int)sb.st_uid);
		return -1;
	}
	/* Its owner may always make it writable: the service's handlers
	 * could rewrite what the next peer runs. */
	if (sb.st_uid != 0 && !s->allow_writable) {
		snprintf(why, INETD_WHY_MAX, "server %.100s is owned by the service's "
			 "user (uid %u), which its handlers could rewrite "
			 "(allow_writable = yes runs it)", s->server,
			 (unsigned int)sb.st_uid);
		return -1;
	}
	if ((sb.st_mode & (S_IWGRP | S_IWOTH)) && !s->allow_writable) {
		snprintf(why, INETD_WHY_MAX, "server %.100s is writable by group or "
			 "others (mode %04o; allow_writable = yes runs it)",
			 s->server, (unsigned int)(sb.st_mode & 07777));
		return -1;
	}
	return 0;
}

/* ---- the context cache -------------------------------------------------
 *
 * Deriving a context costs several selinuxfs round trips (the unlabeled
 * context, the launcher's own, the file's, the transition).  Its inputs are
 * the service (base context, server), the peer label, the server file's
 * context and the policy, so a result is remembered per (service, peer
 * label) and used again only while:
 *   - the configuration is the same: any SIGHUP empties the cache;
 *   - the policy is the same: the entry was made under the policy load
 *     count the kernel's status page (selinux_status_policyload()) shows
 *     now.  Loading a policy or changing a boolean moves that count.  When
 *     the status page cannot be mapped there is no cache at all;
 *   - the server file has the same context: one getxattr per connection.
 * Refusals the policy decided (the derivation, the transition guard, the
 * clearance bound) are remembered the same way, with their reason: a flood
 * of one rejected label costs one derivation.  Failures that may pass
 * (memory, an unreadable answer) are not remembered.  The cache holds
 * INETD_CACHE_MAX entries, labels up to CACHE_LABEL_MAX bytes, and reuses
 * its slots in turn when full.
 */
#define CACHE_LABEL_MAX 4096

static void cache_entry_free(struct inetd_cache_entry *e)
{
	free(e->label);
	free(e->filecon);
	free(e->ctx);
	free(e->why);
	*e = (struct inetd_cache_entry){ 0 };
}

void inetd_cache_flush(struct inetd_state *st)
{
	for (size_t i = 0; i < INETD_CACHE_MAX; i++)
		cache_entry_free(&st->cache[i]);
	st->cache_next = 0;
}

/* The policy load count, or -1 when it cannot be known (no cache then). */
static int policy_count(const struct inetd_state *st)
{
	return st->status_page ? selinux_status_policyload() : -1;
}

static bool same_label(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

static struct inetd_cache_entry *
cache_find(struct inetd_state *st, const struct inetd_service *s,
	   const char *label, const char *filecon)
{
	for (size_t i = 0; i < INETD_CACHE_MAX; i++) {
		struct inetd_cache_entry *e = &st->cache[i];

		if (e->svc == s && same_label(e->label, label) &&
		    strcmp(e->filecon, filecon) == 0)
			return e;
	}
	return NULL;
}

/* Remember @ctx (accepted) or @why (refused). */
static void cache_add(struct inetd_state *st, const struct inetd_service *s,
		      const char *label, const char *filecon, const char *ctx,
		      const char *why)
{
	struct inetd_cache_entry *e = &st->cache[st->cache_next];

	if (label != NULL && strlen(label) >= CACHE_LABEL_MAX)
		return;
	st->cache_next = (st->cache_next + 1) % INETD_CACHE_MAX;
	cache_entry_free(e);
	e->label = label != NULL ? strdup(label) : NULL;
	e->filecon = strdup(filecon);
	e->ctx = ctx != NULL ? strdup(ctx) : NULL;
	e->why = why != NULL ? strdup(why) : NULL;
	if ((label != NULL && e->label == NULL) || e->filecon == NULL ||
	    (e->ctx == NULL) == (e->why == NULL)) {
		cache_entry_free(e);
		return;
	}
	e->svc = s;
}

/* The derivation itself, uncached, from the server file's context
 * @filecon.  A refusal sets *@final when it is the policy's verdict (the
 * same inputs get the same answer until the policy changes). */
static int decide(struct inetd_state *st, const struct inetd_service *s,
		  const struct inetd_peer *peer, const char *filecon,
		  char **ctx, char *why, bool *final)
{
	const char *base = s->base_context != NULL ? s->base_context :
			   st->own_context;
	const char *range_from = peer->label, *bound_range;
	char *unlabeled_from = NULL, *bound = NULL;
	bool unlabeled = false;
	int r;

	/* SCTP without labeling hands out the policy's unlabeled context:
	 * that is no label, whatever the protocol. */
	if (range_from != NULL) {
		r = peersec_label_is_unlabeled(range_from);
		if (r < 0) {
			snprintf(why, INETD_WHY_MAX, "cannot tell whether the label "
				 "is the unlabeled context: %s", strerror(-r));
			return -1;
		}
		if (r == 1) {
			range_from = NULL;
			unlabeled = true;
		}
	}
	if (range_from == NULL) {
		if (s->label_required || s->unlabeled_level == NULL) {
			snprintf(why, INETD_WHY_MAX, "no label%s, and the service "
				 "requires one", unlabeled ?
				 " (the policy's unlabeled context)" : "");
			return -1;
		}
		/* label = optional: only the level configured for unlabeled
		 * peers, never the base's whole range. */
		unlabeled_from = with_range(base, s->unlabeled_level);
		if (unlabeled_from == NULL) {
			snprintf(why, INETD_WHY_MAX, "malformed base context");
			return -1;
		}
		range_from = unlabeled_from;
	}
	/* The base, and so the launcher's own context, explicitly: the
	 * library does not read it again. */
	r = derive_from_file(range_from, base, filecon, ctx);
	free(unlabeled_from);
	if (r < 0) {
		snprintf(why, INETD_WHY_MAX, "derivation: %s (%s)",
			 derive_reason(r), strerror(-r));
		*final = r == -EPERM || r == -EACCES || r == -EINVAL;
		return -1;
	}
	*final = true;		/* the refusals below are the policy's */
	/* No transition for the server: it would run in the launcher's own
	 * domain (or the base's), only at the peer's level.  Refuse. */
	if (same_type(*ctx, st->own_context) || same_type(*ctx, base)) {
		snprintf(why, INETD_WHY_MAX, "no transition: %.90s would run in the "
			 "launcher's domain (%.100s)", s->server, *ctx);
		goto refuse;
	}
	/* The clearance bound: the service's max_range, else the base's
	 * range, else the launcher's own. */
	bound_range = s->max_range;
	if (bound_range == NULL && s->base_context != NULL)
		bound_range = range_of(s->base_context);
	if (bound_range == NULL)
		bound_range = range_of(st->own_context);
	bound = with_range(base, bound_range);
	if (bound == NULL) {
		snprintf(why, INETD_WHY_MAX, "no clearance bound: the launcher's "
			 "context has no range");
		goto refuse;
	}
	if (within_bound(bound, *ctx, why) < 0) {
		/* an error asking is not a verdict */
		*final = strncmp(why, "level ", 6) == 0;
		goto refuse;
	}
	free(bound);
	return 0;
refuse:
	free(bound);
	free(*ctx);
	*ctx = NULL;
	return -1;
}

int inetd_decide(struct inetd_state *st, const struct inetd_service *s,
		 const struct inetd_peer *peer, char **ctx, char *why)
{
	char filecon[FILECON_MAX];
	struct inetd_cache_entry *e;
	int policy = policy_count(st), r;
	bool cacheable, final = false;

	/* no label where one is required: nothing to look at */
	if (peer->label == NULL &&
	    (s->label_required || s->unlabeled_level == NULL)) {
		snprintf(why, INETD_WHY_MAX, "no label, and the service requires "
			 "one");
		return -1;
	}
	if (server_checks(s, why) < 0)
		return -1;
	r = server_context(s, filecon);
	if (r < 0) {
		snprintf(why, INETD_WHY_MAX, "derivation: %s (%s)",
			 derive_reason(r == -ENODATA || r == -ENOTSUP ?
				       -ENODATA : -EIO), strerror(-r));
		return -1;
	}
	cacheable = policy >= 0;
	if (cacheable) {
		if (policy != st->cache_policy) {
			inetd_cache_flush(st);
			/* class and permission numbers may have moved */
			selinux_flush_class_cache();
			st->cache_policy = policy;
		}
		e = cache_find(st, s, peer->label, filecon);
		if (e != NULL && e->why != NULL) {
			snprintf(why, INETD_WHY_MAX, "%s", e->why);
			st->refusals_cached++;
			return -1;
		}
		if (e != NULL) {
			*ctx = strdup(e->ctx);
			if (*ctx != NULL) {
				st->cached++;
				return 0;
			}
			snprintf(why, INETD_WHY_MAX, "out of memory");
			return -1;
		}
	}
	if (!cacheable)
		selinux_flush_class_cache();	/* no policy count to go by */
	st->derived++;
	r = decide(st, s, peer, filecon, ctx, why, &final);
	/* Remember it only if the policy did not change meanwhile. */
	if (cacheable && policy_count(st) == policy && (r == 0 || final))
		cache_add(st, s, peer->label, filecon, r == 0 ? *ctx : NULL,
			  r == 0 ? NULL : why);
	return r;
}

void inetd_refuse(struct inetd_state *st, const struct inetd_service *s,
		  const struct inetd_peer *peer, const char *why)
{
	char addr[80], label[INETD_LOG_LABEL_MAX], reason[2 * INETD_WHY_MAX];

	struct inetd_stats *x = inetd_stats_of(st, s->name, s->proto);

	st->refused++;
	x->refused++;
	if (!inetd_refusal_line(st, x))
		return;
	inetd_addr_format((const struct sockaddr *)&peer->addr, addr,
			  sizeof(addr));
	inetd_escape(peer->label != NULL ? peer->label : "(none)", label,
		     sizeof(label));
	inetd_escape(why, reason, sizeof(reason));
	inetd_log(LOG_WARNING, "refused %s/%s peer %s label %s: %s", s->name,
		  inetd_proto_name(s->proto), addr, label, reason);
}

