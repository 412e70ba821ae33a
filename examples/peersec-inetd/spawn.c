/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Deciding a server's context and starting it there.
 *
 * Fail closed at every step: the server is started only when its context
 * was derived, set for the next exec, read back equal, the privileges were
 * dropped, and the exec succeeded; then the launcher reads the running
 * server's context and kills it if it is not the derived one.  A child that
 * fails tells the parent why through a close-on-exec pipe, and the parent
 * logs the refusal with the peer's address and label.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <selinux/selinux.h>

#include <peersec/peersec.h>

#include "inetd.h"

#define WHY_MAX 128
#define ENV_MAX 12

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

/* Whether two contexts have the same user:role:type. */
static bool same_domain(const char *a, const char *b)
{
	int colons = 0;

	for (; *a != '\0' && *a == *b; a++, b++)
		if (*a == ':' && ++colons == 3)
			return true;
	/* both ended, or one ended where the other's range starts */
	return colons == 2 && (*a == '\0' || *a == ':') &&
	       (*b == '\0' || *b == ':');
}

int inetd_decide(struct inetd_state *st, const struct inetd_service *s,
		 const struct inetd_peer *peer, char **ctx, char *why)
{
	const char *range_from = peer->label;
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
		if (s->label_required) {
			snprintf(why, WHY_MAX, "no label%s, and the service "
				 "requires one", unlabeled ?
				 " (the policy's unlabeled context)" : "");
			return -1;
		}
		/* An unlabeled peer of a label = optional service: the
		 * base's own range. */
		range_from = s->base_context != NULL ? s->base_context :
			     st->own_context;
	}
	r = peersec_context_derive(range_from, s->base_context, s->server,
				   ctx);
	if (r < 0) {
		snprintf(why, WHY_MAX, "derivation: %s (%s)",
			 derive_reason(r), strerror(-r));
		return -1;
	}
	/* No transition for the server: it would run in the launcher's own
	 * domain (or the base's), only at the peer's level.  Refuse. */
	if (same_domain(*ctx, st->own_context) ||
	    (s->base_context != NULL && same_domain(*ctx, s->base_context))) {
		snprintf(why, WHY_MAX, "no transition: %s would run in the "
			 "launcher's domain (%s)", s->server, *ctx);
		free(*ctx);
		*ctx = NULL;
		return -1;
	}
	return 0;
}

void inetd_refuse(struct inetd_state *st, const struct inetd_service *s,
		  const struct inetd_peer *peer, const char *why)
{
	char addr[80];

	st->refused++;
	inetd_addr_format((const struct sockaddr *)&peer->addr, addr,
			  sizeof(addr));
	inetd_log(LOG_WARNING, "refused %s/%s peer %s label %s: %s", s->name,
		  inetd_proto_name(s->proto), addr,
		  peer->label != NULL ? peer->label : "(none)", why);
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
	st->child[st->nchild].pid = pid;
	snprintf(st->child[st->nchild].service, INETD_NAME_MAX + 1, "%s",
		 name);
	st->nchild++;
	return 0;
}

void inetd_reap(struct inetd_state *st)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (size_t i = 0; i < st->nchild; i++) {
			if (st->child[i].pid != pid)
				continue;
			if (WIFSIGNALED(status))
				inetd_log(LOG_DEBUG, "%s pid %d killed by "
					  "signal %d", st->child[i].service,
					  (int)pid, WTERMSIG(status));
			st->child[i] = st->child[--st->nchild];
			break;
		}
	}
}

/* ---- the child --------------------------------------------------------- */

/* What a failing child reports through its status pipe. */
struct failure {
	int err;
	char step[64];
};

static _Noreturn void child_fail(int status_fd, const char *step, int err)
{
	struct failure f = { .err = err };

	snprintf(f.step, sizeof(f.step), "%s", step);
	(void)!write(status_fd, &f, sizeof(f));
	_exit(126);
}

/* The answering socket of a UDP handler, made in the server's context so
 * that what it sends carries the server's label. */
static int reply_socket(const struct inetd_peer *peer, const char *ctx)
{
	int family = peer->local.ss_family, one = 1, fd;
	socklen_t len = family == AF_INET ? sizeof(struct sockaddr_in) :
			sizeof(struct sockaddr_in6);

	if (setsockcreatecon_raw(ctx) < 0)
		return -1;
	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (setsockcreatecon_raw(NULL) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (const struct sockaddr *)&peer->local, len) < 0 ||
	    connect(fd, (const struct sockaddr *)&peer->addr, len) < 0 ||
	    shutdown(fd, SHUT_RD) < 0)
		return -1;
	return fd;
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

/* KEY=VALUE in the server's environment (the child's own memory: it is
 * alone in its process, and exec frees it). */
static void env_add(char **env, size_t *n, const char *key, const char *value)
{
	size_t size;
	char *buf;

	if (*n >= ENV_MAX || value == NULL)
		return;
	size = strlen(key) + strlen(value) + 2;
	buf = malloc(size);
	if (buf == NULL)
		return;
	snprintf(buf, size, "%s=%s", key, value);
	env[(*n)++] = buf;
}

static void split_addr(const struct sockaddr_storage *ss, char *addr,
		       size_t size, char *port)
{
	char full[80], *colon;

	inetd_addr_format((const struct sockaddr *)ss, full, sizeof(full));
	colon = strrchr(full, ':');
	*colon = '\0';
	snprintf(port, 8, "%s", colon + 1);
	if (full[0] == '[') {
		full[strlen(full) - 1] = '\0';
		snprintf(addr, size, "%s", full + 1);
	} else {
		snprintf(addr, size, "%s", full);
	}
}

static _Noreturn void child(const struct inetd_service *s,
			    const struct inetd_peer *peer, const char *ctx,
			    const struct inetd_io *io, int in_fd,
			    int status_fd)
{
	char paddr[80], pport[8], laddr[80], lport[8];
	char *env[ENV_MAX + 1] = { 0 };
	char *got = NULL;
	sigset_t none;
	int out_fd;
	size_t n = 0;

	/* The launcher's signal setup is not the server's. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);

	/* 1. the context of the next exec, read back */
	if (setexeccon_raw(ctx) < 0)
		child_fail(status_fd, "setexeccon", errno);
	if (getexeccon_raw(&got) < 0)
		child_fail(status_fd, "getexeccon", errno);
	if (got == NULL || strcmp(got, ctx) != 0)
		child_fail(status_fd, "exec context read back differs",
			   EPERM);
	freecon(got);

	/* 2. UDP: the answering socket, while we may still bind */
	out_fd = io->conn;
	if (io->dgram != NULL) {
		out_fd = reply_socket(peer, ctx);
		if (out_fd < 0)
			child_fail(status_fd, "answering socket", errno);
	}

	/* 3. stdin, stdout; stderr stays the launcher's log */
	if (place(in_fd, 0) < 0 || place(out_fd, 1) < 0)
		child_fail(status_fd, "dup2", errno);

	/* 4. the configured user and group, for good */
	if (setgroups(1, &s->gid) < 0 || setgid(s->gid) < 0 ||
	    setuid(s->uid) < 0)
		child_fail(status_fd, "dropping privileges", errno);
	if (getuid() != s->uid || geteuid() != s->uid ||
	    getgid() != s->gid || getegid() != s->gid ||
	    (s->uid != 0 && setuid(0) == 0))
		child_fail(status_fd, "privileges still held", EPERM);

	/* 5. nothing else crosses the exec */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		child_fail(status_fd, "close_range", errno);
	/* status_fd is close-on-exec: it stays open until exec. */
	{
		int fl = fcntl(status_fd, F_GETFD);

		if (fl < 0 || !(fl & FD_CLOEXEC))
			child_fail(status_fd, "status pipe", EBADF);
	}

	split_addr(&peer->addr, paddr, sizeof(paddr), pport);
	split_addr(&peer->local, laddr, sizeof(laddr), lport);
	env_add(env, &n, "PATH",
		"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	env_add(env, &n, "PEERSEC_SERVICE", s->name);
	env_add(env, &n, "PEERSEC_PROTOCOL",
		inetd_proto_name(s->proto));
	env_add(env, &n, "PEERSEC_PEER_ADDR", paddr);
	env_add(env, &n, "PEERSEC_PEER_PORT", pport);
	env_add(env, &n, "PEERSEC_LOCAL_ADDR", laddr);
	env_add(env, &n, "PEERSEC_LOCAL_PORT", lport);
	env_add(env, &n, "PEERSEC_PEER_LABEL",
		peer->label);
	env_add(env, &n, "PEERSEC_CONTEXT", ctx);

	execve(s->server, s->argv, env);
	child_fail(status_fd, "exec", errno);
}

/* ---- the parent -------------------------------------------------------- */

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

/*
 * After a successful exec: is the server where we put it?  The status pipe
 * closes a moment before the kernel installs the new credentials, so for
 * that moment the child still shows the launcher's own context: look again
 * then.  Anything else that is not @ctx is wrong.
 */
static int check_running(struct inetd_state *st, pid_t pid, const char *ctx,
			 char *why)
{
	char cur[4096];

	for (int tries = 0; tries < 200; tries++) {
		context_of(pid, cur, sizeof(cur));
		if (cur[0] == '\0')
			return 0;	/* unreadable: documented, not fatal */
		if (strcmp(cur, ctx) == 0)
			return 0;
		if (strcmp(cur, st->own_context) != 0)
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	}
	snprintf(why, WHY_MAX, "server runs in %.48s, not %.48s", cur, ctx);
	return -1;
}

int inetd_spawn(struct inetd_state *st, const struct inetd_service *s,
		const struct inetd_peer *peer, const char *ctx,
		const struct inetd_io *io)
{
	char why[WHY_MAX] = "";
	int status[2] = { -1, -1 }, pipe_in[2] = { -1, -1 };
	int in_fd = io->conn;
	struct failure f;
	ssize_t got;
	pid_t pid;

	if (pipe2(status, O_CLOEXEC) < 0) {
		snprintf(why, sizeof(why), "pipe: %s", strerror(errno));
		goto refuse;
	}
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
		in_fd = pipe_in[0];
	}

	pid = fork();
	if (pid < 0) {
		snprintf(why, sizeof(why), "fork: %s", strerror(errno));
		goto refuse;
	}
	if (pid == 0) {
		close(status[0]);
		child(s, peer, ctx, io, in_fd, status[1]);
	}

	close(status[1]);
	status[1] = -1;
	if (child_add(st, pid, s->name) < 0) {
		/* We could not track it: do not let it run. */
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		snprintf(why, sizeof(why), "out of memory");
		goto refuse;
	}
	/* EOF: exec succeeded.  A record: the child failed before exec. */
	do
		got = read(status[0], &f, sizeof(f));
	while (got < 0 && errno == EINTR);
	if (got == (ssize_t)sizeof(f)) {
		f.step[sizeof(f.step) - 1] = '\0';
		snprintf(why, sizeof(why), "%s: %s", f.step,
			 strerror(f.err));
		goto refuse;
	}
	if (got != 0) {
		kill(pid, SIGKILL);
		snprintf(why, sizeof(why), "child status unreadable");
		goto refuse;
	}
	if (check_running(st, pid, ctx, why) < 0) {
		kill(pid, SIGKILL);
		goto refuse;
	}
	close(status[0]);
	if (pipe_in[0] >= 0)
		close(pipe_in[0]);
	st->started++;
	{
		char addr[80];

		inetd_addr_format((const struct sockaddr *)&peer->addr, addr,
				  sizeof(addr));
		inetd_log(LOG_INFO, "started %s/%s pid %d for %s label %s "
			  "context %s", s->name, inetd_proto_name(s->proto),
			  (int)pid, addr,
			  peer->label != NULL ? peer->label : "(none)", ctx);
	}
	return 0;
refuse:
	for (int i = 0; i < 2; i++) {
		if (status[i] >= 0)
			close(status[i]);
		if (pipe_in[i] >= 0)
			close(pipe_in[i]);
	}
	inetd_refuse(st, s, peer, why);
	return -1;
}
