/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Deciding a server's context and starting it there.
 *
 * Fail closed at every step: the server is started only when its context
 * was derived, set for the next exec, read back equal, the privileges were
 * dropped, and the exec succeeded; then the launcher reads the running
 * server's context and kills it if it is not the derived one.  A child that
 * fails tells the parent why (in their shared memory, and through its
 * close-on-exec status pipe), and the parent logs the refusal with the
 * peer's address and label.  The launcher never waits for a server's exec
 * to finish: the event loop settles each start (main.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>
#include <selinux/avc.h>
#include <selinux/selinux.h>

#include <peersec/peersec.h>

#include "inetd.h"

#define WHY_MAX INETD_WHY_MAX

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
		snprintf(why, WHY_MAX, "the policy has no \"context contains\""
			 " permission: the clearance bound cannot be checked");
	} else if (target == NULL) {
		snprintf(why, WHY_MAX, "clearance check: out of memory");
	} else if (security_compute_av_raw(bound, target, cls, perm,
					   &avd) < 0) {
		snprintf(why, WHY_MAX, "clearance check of %.80s within %.80s:"
			 " %s", range_of(ctx), range_of(bound),
			 strerror(errno));
	} else if (!(avd.allowed & perm)) {
		snprintf(why, WHY_MAX, "level %.100s is not within the clearance "
			 "bound %.100s", range_of(ctx), range_of(bound));
	} else {
		r = 0;
	}
	free(target);
	return r;
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
 * Only accepted derivations are remembered; refusals are decided afresh.
 * The cache holds INETD_CACHE_MAX entries, labels up to CACHE_LABEL_MAX
 * bytes, and reuses its slots in turn when full.
 */
#define CACHE_LABEL_MAX 4096
#define FILECON_MAX 4096

static void cache_entry_free(struct inetd_cache_entry *e)
{
	free(e->label);
	free(e->filecon);
	free(e->ctx);
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

/* The server file's context into @buf, or false. */
static bool file_context(const char *path, char *buf)
{
	ssize_t n = getxattr(path, "security.selinux", buf, FILECON_MAX - 1);

	if (n <= 0)
		return false;
	buf[n] = '\0';
	return buf[0] != '\0';
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

static void cache_add(struct inetd_state *st, const struct inetd_service *s,
		      const char *label, const char *filecon, const char *ctx)
{
	struct inetd_cache_entry *e = &st->cache[st->cache_next];

	if (label != NULL && strlen(label) >= CACHE_LABEL_MAX)
		return;
	st->cache_next = (st->cache_next + 1) % INETD_CACHE_MAX;
	cache_entry_free(e);
	e->label = label != NULL ? strdup(label) : NULL;
	e->filecon = strdup(filecon);
	e->ctx = strdup(ctx);
	if ((label != NULL && e->label == NULL) || e->filecon == NULL ||
	    e->ctx == NULL) {
		cache_entry_free(e);
		return;
	}
	e->svc = s;
}

/* The derivation itself, uncached. */
static int decide(struct inetd_state *st, const struct inetd_service *s,
		  const struct inetd_peer *peer, char **ctx, char *why)
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
			snprintf(why, WHY_MAX, "cannot tell whether the label "
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
			snprintf(why, WHY_MAX, "no label%s, and the service "
				 "requires one", unlabeled ?
				 " (the policy's unlabeled context)" : "");
			return -1;
		}
		/* label = optional: only the level configured for unlabeled
		 * peers, never the base's whole range. */
		unlabeled_from = with_range(base, s->unlabeled_level);
		if (unlabeled_from == NULL) {
			snprintf(why, WHY_MAX, "malformed base context");
			return -1;
		}
		range_from = unlabeled_from;
	}
	/* The base, and so the launcher's own context, explicitly: the
	 * library does not read it again. */
	r = peersec_context_derive(range_from, base, s->server, ctx);
	free(unlabeled_from);
	if (r < 0) {
		snprintf(why, WHY_MAX, "derivation: %s (%s)",
			 derive_reason(r), strerror(-r));
		return -1;
	}
	/* No transition for the server: it would run in the launcher's own
	 * domain (or the base's), only at the peer's level.  Refuse. */
	if (same_type(*ctx, st->own_context) || same_type(*ctx, base)) {
		snprintf(why, WHY_MAX, "no transition: %.90s would run in the "
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
		snprintf(why, WHY_MAX, "no clearance bound: the launcher's "
			 "context has no range");
		goto refuse;
	}
	if (within_bound(bound, *ctx, why) < 0)
		goto refuse;
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
	int policy = policy_count(st);
	bool cacheable = policy >= 0 && file_context(s->server, filecon);

	if (cacheable) {
		if (policy != st->cache_policy) {
			inetd_cache_flush(st);
			/* class and permission numbers may have moved */
			selinux_flush_class_cache();
			st->cache_policy = policy;
		}
		e = cache_find(st, s, peer->label, filecon);
		if (e != NULL) {
			*ctx = strdup(e->ctx);
			if (*ctx != NULL) {
				st->cached++;
				return 0;
			}
			snprintf(why, WHY_MAX, "out of memory");
			return -1;
		}
	}
	if (!cacheable)
		selinux_flush_class_cache();	/* no policy count to go by */
	st->derived++;
	if (decide(st, s, peer, ctx, why) < 0)
		return -1;
	/* Remember it only if the policy did not change meanwhile. */
	if (cacheable && policy_count(st) == policy)
		cache_add(st, s, peer->label, filecon, *ctx);
	return 0;
}

void inetd_refuse(struct inetd_state *st, const struct inetd_service *s,
		  const struct inetd_peer *peer, const char *why)
{
	char addr[80], label[INETD_LOG_LABEL_MAX], reason[2 * WHY_MAX];

	st->refused++;
	inetd_stats_of(st, s->name, s->proto)->refused++;
	inetd_addr_format((const struct sockaddr *)&peer->addr, addr,
			  sizeof(addr));
	inetd_escape(peer->label != NULL ? peer->label : "(none)", label,
		     sizeof(label));
	inetd_escape(why, reason, sizeof(reason));
	inetd_log(LOG_WARNING, "refused %s/%s peer %s label %s: %s", s->name,
		  inetd_proto_name(s->proto), addr, label, reason);
}

/* ---- children ---------------------------------------------------------- */

unsigned int inetd_children_of(const struct inetd_state *st, const char *name)
{
	unsigned int n = 0;

	for (size_t i = 0; i < st->nchild; i++)
		n += strcmp(st->child[i].service, name) == 0;
	return n;
}

static int child_add(struct inetd_state *st, pid_t pid, const char *name)
{
	if (st->nchild == st->child_cap) {
		size_t cap = st->child_cap ? st->child_cap * 2 : 64;
		struct inetd_child *c = realloc(st->child, cap * sizeof(*c));

		if (c == NULL)
			return -1;
		st->child = c;
		st->child_cap = cap;
	}
	st->child[st->nchild] = (struct inetd_child){
		.pid = pid, .status_fd = -1, .reply_fd = -1,
	};
	snprintf(st->child[st->nchild].service, INETD_NAME_MAX + 1, "%s",
		 name);
	st->nchild++;
	return 0;
}

static struct inetd_child *child_find(struct inetd_state *st, pid_t pid)
{
	for (size_t i = 0; i < st->nchild; i++)
		if (st->child[i].pid == pid)
			return &st->child[i];
	return NULL;
}

/* ---- settling a start ---------------------------------------------------
 *
 * The child execs without the launcher waiting for it.  Its status pipe is
 * close-on-exec: end of file on it means the exec is done.  Then the
 * launcher reads the server's context and kills it unless it is the derived
 * one; only then is the start counted and logged as good.  The pipe closes a
 * moment before the kernel installs the new credentials, so for that moment
 * the child still shows the launcher's own context: the event loop looks
 * again every millisecond, for CHECK_MS at most.
 */
#define CHECK_MS 200

/* What a failing child writes into its status pipe (besides telling the
 * parent through the memory they share): where the clone did not share
 * memory (a tool that turns it into a fork, as valgrind does), the parent
 * learns of the failure from there. */
struct failure {
	const char *step;		/* a string literal: same address */
	int err;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The context of process @pid, or "" when it cannot be read. */
static void context_of(pid_t pid, char *cur, size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	cur[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/attr/current", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, cur, size - 1);
	close(fd);
	while (n > 0 && (cur[n - 1] == '\0' || cur[n - 1] == '\n'))
		n--;
	cur[n > 0 ? n : 0] = '\0';
}

static void refuse_child(struct inetd_state *st, const struct inetd_child *c,
			 const char *why)
{
	char addr[80], label[INETD_LOG_LABEL_MAX], reason[2 * WHY_MAX];

	st->refused++;
	inetd_stats_of(st, c->service, c->proto)->refused++;
	inetd_addr_format((const struct sockaddr *)&c->addr, addr,
			  sizeof(addr));
	inetd_escape(c->label != NULL ? c->label : "(none)", label,
		     sizeof(label));
	inetd_escape(why, reason, sizeof(reason));
	inetd_log(LOG_WARNING, "refused %s/%s peer %s label %s: %s",
		  c->service, inetd_proto_name(c->proto), addr, label, reason);
}

/* The start of @c is decided: log it, forget what it needed. */
static void settle(struct inetd_state *st, struct inetd_child *c,
		   const char *why)
{
	if (why != NULL) {
		kill(c->pid, SIGKILL);
		refuse_child(st, c, why);
	} else {
		char addr[80], label[INETD_LOG_LABEL_MAX];

		st->started++;
		inetd_stats_of(st, c->service, c->proto)->served++;
		inetd_addr_format((const struct sockaddr *)&c->addr, addr,
				  sizeof(addr));
		inetd_escape(c->label != NULL ? c->label : "(none)", label,
			     sizeof(label));
		inetd_log(LOG_INFO, "started %s/%s pid %d for %s label %s "
			  "context %.200s", c->service,
			  inetd_proto_name(c->proto), (int)c->pid, addr,
			  label, c->ctx);
	}
	close(c->status_fd);
	c->status_fd = -1;
	free(c->ctx);
	free(c->label);
	c->ctx = NULL;
	c->label = NULL;
	st->nstarting--;
}

/*
 * The exec of @c is done: is the server where we put it?  @last: the child
 * has exited, no later look will tell more.
 */
static void check_context(struct inetd_state *st, struct inetd_child *c,
			  bool last)
{
	char cur[4096], why[WHY_MAX];

	context_of(c->pid, cur, sizeof(cur));
	if (cur[0] == '\0' || strcmp(cur, c->ctx) == 0) {
		/* unreadable: documented, not fatal */
		settle(st, c, NULL);
		return;
	}
	if (strcmp(cur, st->own_context) == 0 && !last &&
	    now_ms() < c->deadline)
		return;			/* credentials not installed yet */
	snprintf(why, sizeof(why), "server runs in %.48s, not %.48s", cur,
		 c->ctx);
	settle(st, c, why);
}

/* Read the status pipe of @c: end of file is the exec done. */
static void status_read(struct inetd_state *st, struct inetd_child *c,
			bool last)
{
	struct failure f;
	ssize_t got;

	if (c->exec_done) {
		check_context(st, c, last);
		return;
	}
	do
		got = read(c->status_fd, &f, sizeof(f));
	while (got < 0 && errno == EINTR);
	if (got < 0 && errno == EAGAIN && !last)
		return;			/* still before its exec */
	if (got == (ssize_t)sizeof(f)) {
		char why[WHY_MAX];

		snprintf(why, sizeof(why), "%s: %s", f.step,
			 strerror(f.err));
		settle(st, c, why);
		return;
	}
	if (got != 0) {
		settle(st, c, "child status unreadable");
		return;
	}
	c->exec_done = true;
	c->deadline = now_ms() + CHECK_MS;
	check_context(st, c, last);
}

/*
 * Right after the clone returns, the child's exec is replacing its memory:
 * look at its context.  The new context is installed a moment later, and
 * opening /proc/PID/attr/current waits while the exec holds the task's
 * exec_update_lock (Linux 5.7 and later), which it takes just after it
 * releases us and drops only once the new context is installed.  So after
 * at most a few yields (to let the child reach the lock) the server's
 * context is there and the start is settled without a trip through the
 * event loop.  If it still shows the launcher's own context (or cannot be
 * read) nothing is settled: the status pipe decides, as above.  Any other
 * context is wrong.
 */
#define EARLY_TRIES 4

static void early_check(struct inetd_state *st, struct inetd_child *c)
{
	char cur[4096], why[WHY_MAX];

	for (int i = 0; i < EARLY_TRIES; i++) {
		if (i > 0)
			sched_yield();
		context_of(c->pid, cur, sizeof(cur));
		if (strcmp(cur, c->ctx) == 0) {
			settle(st, c, NULL);
			return;
		}
		if (cur[0] == '\0')
			return;
		if (strcmp(cur, st->own_context) != 0) {
			snprintf(why, sizeof(why), "server runs in %.48s, "
				 "not %.48s", cur, c->ctx);
			settle(st, c, why);
			return;
		}
	}
}

size_t inetd_starting_fds(const struct inetd_state *st, int *fd, pid_t *who)
{
	size_t n = 0;

	for (size_t i = 0; i < st->nchild && n < st->nstarting; i++) {
		const struct inetd_child *c = &st->child[i];

		if (c->status_fd >= 0 && !c->exec_done) {
			fd[n] = c->status_fd;
			who[n++] = c->pid;
		}
	}
	return n;
}

void inetd_starting_ready(struct inetd_state *st, pid_t pid)
{
	struct inetd_child *c = child_find(st, pid);

	if (c != NULL && c->status_fd >= 0)
		status_read(st, c, false);
}

int inetd_starting_timeout(const struct inetd_state *st)
{
	for (size_t i = 0; i < st->nchild && st->nstarting > 0; i++)
		if (st->child[i].status_fd >= 0 && st->child[i].exec_done)
			return 1;
	return -1;
}

void inetd_starting_tick(struct inetd_state *st)
{
	for (size_t i = 0; i < st->nchild && st->nstarting > 0; i++)
		if (st->child[i].status_fd >= 0 && st->child[i].exec_done)
			check_context(st, &st->child[i], false);
}

static void child_remove(struct inetd_state *st, struct inetd_child *c,
			 int status)
{
	if (c->status_fd >= 0)		/* cannot be: settled before */
		settle(st, c, "exited before its start was checked");
	{
		long long ms = now_ms() - c->born_ms;

		if (WIFSIGNALED(status))
			inetd_log(LOG_INFO, "ended %s/%s pid %d: killed by "
				  "signal %d after %lld.%03lld s", c->service,
				  inetd_proto_name(c->proto), (int)c->pid,
				  WTERMSIG(status), ms / 1000, ms % 1000);
		else
			inetd_log(LOG_INFO, "ended %s/%s pid %d: exit status "
				  "%d after %lld.%03lld s", c->service,
				  inetd_proto_name(c->proto), (int)c->pid,
				  WEXITSTATUS(status), ms / 1000, ms % 1000);
	}
	inetd_udp_reply_done(st, c);
	*c = st->child[--st->nchild];
}

void inetd_reap(struct inetd_state *st)
{
	int status;
	pid_t pid;

	for (;;) {
		struct inetd_child *c;

		if (st->nstarting > 0) {
			/* Look before reaping: a child whose start is not
			 * settled is checked while it is still a zombie,
			 * whose context can be read. */
			siginfo_t si = { 0 };

			if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG |
				   WNOWAIT) < 0 || si.si_pid == 0)
				return;
			c = child_find(st, si.si_pid);
			if (c != NULL && c->status_fd >= 0)
				status_read(st, c, true);
			pid = waitpid(si.si_pid, &status, WNOHANG);
		} else {
			pid = waitpid(-1, &status, WNOHANG);
		}
		if (pid <= 0)
			return;
		c = child_find(st, pid);
		if (c != NULL)
			child_remove(st, c, status);
	}
}

/* ---- the child ----------------------------------------------------------
 *
 * The child shares the launcher's memory (clone with CLONE_VM and
 * CLONE_VFORK, as posix_spawn does): no page tables are copied and no page
 * is copied on write, and the launcher waits only until the child's exec
 * has replaced its memory, or the child has failed.  So the child runs only
 * system calls on its own stack, on data the parent prepared (the
 * environment included), and touches no libc state but errno: no malloc,
 * no stdio, no libselinux (it caches).  It reports a failure in the
 * parent's struct spawn_args, then exits.
 */
#define CHILD_STACK (256 * 1024)
#define CTX_MAX 65535			/* longest context the child takes */

struct spawn_args {
	const struct inetd_service *s;
	const struct inetd_peer *peer;
	const struct inetd_io *io;
	const char *ctx;
	size_t ctx_len;
	char **env;
	int in_fd, status_fd;
	/* set by a failing child */
	int err;
	const char *step;
};

static _Noreturn void child_fail(struct spawn_args *a, const char *step,
				 int err)
{
	struct failure f = { step, err != 0 ? err : EIO };

	a->step = f.step;
	a->err = f.err;
	(void)!write(a->status_fd, &f, sizeof(f));
	_exit(126);
}

/* The context of the next exec is @a->ctx: set it, and read it back. */
static void child_execcon(struct spawn_args *a)
{
	static const char attr[] = "/proc/thread-self/attr/exec";
	char got[CTX_MAX + 2];
	ssize_t n;
	int fd;

	fd = open(attr, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		child_fail(a, "setexeccon", errno);
	if (write(fd, a->ctx, a->ctx_len + 1) != (ssize_t)a->ctx_len + 1)
		child_fail(a, "setexeccon", errno);
	n = pread(fd, got, sizeof(got), 0);
	if (n < 0)
		child_fail(a, "getexeccon", errno);
	close(fd);
	while (n > 0 && (got[n - 1] == '\0' || got[n - 1] == '\n'))
		n--;
	if ((size_t)n != a->ctx_len || memcmp(got, a->ctx, a->ctx_len) != 0)
		child_fail(a, "exec context read back differs", EPERM);
}

/* Put @fd on @target, whatever descriptor it is now. */
static int place(int fd, int target)
{
	if (fd == target) {
		int fl = fcntl(fd, F_GETFD);

		return fl < 0 ? -1 : fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
	}
	return dup2(fd, target) < 0 ? -1 : 0;
}

static int child(void *arg)
{
	struct spawn_args *a = arg;
	const struct inetd_service *s = a->s;
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;
	uid_t uid = s->uid;
	gid_t gid = s->gid;
	int out_fd, fl;

	/* The launcher's signal setup is not the server's. */
	sigaction(SIGPIPE, &dfl, NULL);
	sigaction(SIGCHLD, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	/* 1. the context of the next exec, read back */
	child_execcon(a);

	/* 2. UDP: the answering socket the launcher made */
	out_fd = a->io->dgram != NULL ? a->io->reply : a->io->conn;

	/* 3. stdin, stdout; stderr stays the launcher's log */
	if (place(a->in_fd, 0) < 0 || place(out_fd, 1) < 0)
		child_fail(a, "dup2", errno);

	/* 4. the configured user and group, for good (raw system calls:
	 * libc's would act on every thread of the launcher) */
	if (syscall(SYS_setgroups, 1, &gid) < 0 ||
	    syscall(SYS_setresgid, gid, gid, gid) < 0 ||
	    syscall(SYS_setresuid, uid, uid, uid) < 0)
		child_fail(a, "dropping privileges", errno);
	{
		uid_t r, e, sv;
		gid_t rg, eg, sg;

		if (getresuid(&r, &e, &sv) < 0 ||
		    getresgid(&rg, &eg, &sg) < 0 ||
		    r != uid || e != uid || sv != uid || rg != gid ||
		    eg != gid || sg != gid ||
		    (uid != 0 && syscall(SYS_setuid, 0) == 0))
			child_fail(a, "privileges still held", EPERM);
	}

	/* 5. nothing else crosses the exec */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		child_fail(a, "close_range", errno);
	/* the status pipe is close-on-exec: it stays open until exec */
	fl = fcntl(a->status_fd, F_GETFD);
	if (fl < 0 || !(fl & FD_CLOEXEC))
		child_fail(a, "status pipe", EBADF);

	execve(s->server, s->argv, a->env);
	child_fail(a, "exec", errno);
}

/* ---- the parent -------------------------------------------------------- */

/* The server's environment, in one block the caller frees: @env gets
 * pointers into it. */
#define ENV_N 9

static void split_addr(const struct sockaddr_storage *ss, char *addr,
		       size_t size, char *port)
{
	char full[80], *colon;

	inetd_addr_format((const struct sockaddr *)ss, full, sizeof(full));
	colon = strrchr(full, ':');
	if (colon == NULL) {		/* not an IP address: cannot be */
		snprintf(addr, size, "?");
		snprintf(port, 8, "?");
		return;
	}
	*colon = '\0';
	snprintf(port, 8, "%s", colon + 1);
	if (full[0] == '[') {
		full[strlen(full) - 1] = '\0';
		snprintf(addr, size, "%s", full + 1);
	} else {
		snprintf(addr, size, "%s", full);
	}
}

static char *env_build(const struct inetd_service *s,
		       const struct inetd_peer *peer, const char *ctx,
		       char *env[ENV_N + 1])
{
	char paddr[80], pport[8], laddr[80], lport[8];
	const char *kv[ENV_N][2] = {
		{ "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:"
			  "/usr/bin:/sbin:/bin" },
		{ "PEERSEC_SERVICE", s->name },
		{ "PEERSEC_PROTOCOL", inetd_proto_name(s->proto) },
		{ "PEERSEC_PEER_ADDR", paddr },
		{ "PEERSEC_PEER_PORT", pport },
		{ "PEERSEC_LOCAL_ADDR", laddr },
		{ "PEERSEC_LOCAL_PORT", lport },
		{ "PEERSEC_PEER_LABEL", peer->label },
		{ "PEERSEC_CONTEXT", ctx },
	};
	size_t size = 0, n = 0;
	char *block, *p;

	split_addr(&peer->addr, paddr, sizeof(paddr), pport);
	split_addr(&peer->local, laddr, sizeof(laddr), lport);
	for (size_t i = 0; i < ENV_N; i++)
		if (kv[i][1] != NULL)
			size += strlen(kv[i][0]) + strlen(kv[i][1]) + 2;
	block = malloc(size);
	if (block == NULL)
		return NULL;
	p = block;
	for (size_t i = 0; i < ENV_N; i++) {
		if (kv[i][1] == NULL)
			continue;
		env[n++] = p;
		p = stpcpy(stpcpy(stpcpy(p, kv[i][0]), "="), kv[i][1]) + 1;
	}
	env[n] = NULL;
	return block;
}

/* The child's stack: made once, with a guard page below it. */
static char *child_stack(void)
{
	static char *top;
	long page = sysconf(_SC_PAGESIZE);
	char *m;

	if (top != NULL)
		return top;
	m = mmap(NULL, CHILD_STACK + page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	if (mprotect(m, page, PROT_NONE) < 0) {
		munmap(m, CHILD_STACK + page);
		return NULL;
	}
	top = m + page + CHILD_STACK;
	return top;
}

int inetd_spawn(struct inetd_state *st, const struct inetd_service *s,
		const struct inetd_peer *peer, const char *ctx,
		struct inetd_io *io)
{
	char why[WHY_MAX] = "";
	int status[2] = { -1, -1 }, pipe_in[2] = { -1, -1 };
	struct spawn_args a = {
		.s = s, .peer = peer, .io = io, .ctx = ctx,
		.ctx_len = strlen(ctx), .in_fd = io->conn,
	};
	char *env[ENV_N + 1], *env_block = NULL, *stack;
	struct inetd_child *c;
	pid_t pid;

	stack = child_stack();
	if (stack == NULL) {
		snprintf(why, sizeof(why), "child stack: %s",
			 strerror(errno));
		goto refuse;
	}
	if (a.ctx_len > CTX_MAX) {
		snprintf(why, sizeof(why), "context too long");
		goto refuse;
	}
	env_block = env_build(s, peer, ctx, env);
	if (env_block == NULL) {
		snprintf(why, sizeof(why), "out of memory");
		goto refuse;
	}
	a.env = env;
	if (pipe2(status, O_CLOEXEC | O_NONBLOCK) < 0) {
		snprintf(why, sizeof(why), "pipe: %s", strerror(errno));
		goto refuse;
	}
	a.status_fd = status[1];
	if (io->dgram != NULL) {
		/* The datagram waits in a pipe: 64 KiB by default, enough
		 * for any UDP payload, so this write never blocks. */
		if (pipe2(pipe_in, O_CLOEXEC | O_NONBLOCK) < 0 ||
		    fcntl(pipe_in[1], F_SETPIPE_SZ, INETD_DGRAM_MAX) < 0 ||
		    write(pipe_in[1], io->dgram, io->dgram_len) !=
			    (ssize_t)io->dgram_len) {
			snprintf(why, sizeof(why), "datagram pipe: %s",
				 strerror(errno));
			goto refuse;
		}
		close(pipe_in[1]);
		pipe_in[1] = -1;
		/* the reader blocks, as on any pipe */
		fcntl(pipe_in[0], F_SETFL, 0);
		a.in_fd = pipe_in[0];
	}
	if (child_add(st, 0, s->name) < 0) {
		snprintf(why, sizeof(why), "out of memory");
		goto refuse;
	}

	/* Returns once the child has exec'd (its memory is its own) or
	 * exited. */
	pid = clone(child, stack, CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
	if (pid < 0 || a.err != 0) {
		st->nchild--;		/* the slot child_add() made */
		if (pid < 0)
			snprintf(why, sizeof(why), "clone: %s",
				 strerror(errno));
		else
			snprintf(why, sizeof(why), "%s: %s", a.step,
				 strerror(a.err));
		goto refuse;
	}
	free(env_block);
	close(status[1]);
	if (pipe_in[0] >= 0)
		close(pipe_in[0]);

	c = &st->child[st->nchild - 1];
	c->pid = pid;
	c->status_fd = status[0];
	c->proto = s->proto;
	c->addr = peer->addr;
	c->ctx = strdup(ctx);
	c->label = peer->label != NULL ? strdup(peer->label) : NULL;
	c->born_ms = now_ms();
	if (io->dgram != NULL) {
		c->reply_fd = io->reply;
		c->reply_drops = io->reply_drops;
		io->reply = -1;
	}
	st->nstarting++;
	if (c->ctx == NULL || (peer->label != NULL && c->label == NULL)) {
		settle(st, c, "out of memory");
		return -1;
	}
	early_check(st, c);
	return 0;
refuse:
	free(env_block);
	for (int i = 0; i < 2; i++) {
		if (status[i] >= 0)
			close(status[i]);
		if (pipe_in[i] >= 0)
			close(pipe_in[i]);
	}
	inetd_refuse(st, s, peer, why);
	return -1;
}
