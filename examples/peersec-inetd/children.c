/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The launcher's children: the table of servers it started, settling each
 * start (the server's context read back and checked), the limits that
 * count children, and reaping.
 *
 * Fail closed: a start is counted and logged as good only once the running
 * server's context is the derived one; any other is killed with its
 * session and logged as a refusal with the peer's address and label.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>


#include "inetd.h"

/* ---- children ---------------------------------------------------------- */

unsigned int inetd_children_of(const struct inetd_state *st, const char *name)
{
	unsigned int n = 0;

	for (size_t i = 0; i < st->nchild; i++)
		n += strcmp(st->child[i].service, name) == 0;
	return n;
}

/* The IP address of @ss, IPv4 in its v4-mapped form: 16 bytes. */
static void source_of(const struct sockaddr_storage *ss, unsigned char *a)
{
	if (ss->ss_family == AF_INET) {
		memset(a, 0, 10);
		a[10] = a[11] = 0xff;
		memcpy(a + 12, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	} else {
		memcpy(a, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
	}
}

unsigned int inetd_children_from(const struct inetd_state *st,
				 const char *name,
				 const struct sockaddr_storage *addr)
{
	unsigned char a[16], b[16];
	unsigned int n = 0;

	source_of(addr, a);
	for (size_t i = 0; i < st->nchild; i++) {
		if (strcmp(st->child[i].service, name) != 0)
			continue;
		source_of(&st->child[i].addr, b);
		n += memcmp(a, b, 16) == 0;
	}
	return n;
}

bool inetd_may_serve(struct inetd_state *st, struct inetd_service *s)
{
	return st->nchild < st->max_servers &&
	       inetd_children_of(st, s->name) < s->instances &&
	       inetd_cps_open(s);
}

int inetd_runtime_tick(struct inetd_state *st)
{
	long long t = inetd_now_ms(), next = -1;

	for (size_t i = 0; i < st->nchild; i++) {
		struct inetd_child *c = &st->child[i];

		if (c->kill_ms == 0 || c->killed)
			continue;
		if (t >= c->kill_ms) {
			/* its session: the server and what it started */
			kill(-c->pid, SIGKILL);
			c->killed = true;
			if (kill(c->pid, SIGKILL) < 0) {
				/* e.g. an MLS policy's sigkill constraint */
				inetd_log(LOG_ERR, "cannot kill %s/%s pid %d "
					  "after max_runtime %lld s: %s",
					  c->service,
					  inetd_proto_name(c->proto),
					  (int)c->pid,
					  (c->kill_ms - c->born_ms) / 1000,
					  strerror(errno));
				continue;
			}
			inetd_log(LOG_WARNING, "killed %s/%s pid %d: ran for "
				  "max_runtime %lld s", c->service,
				  inetd_proto_name(c->proto), (int)c->pid,
				  (c->kill_ms - c->born_ms) / 1000);
			continue;
		}
		if (next < 0 || c->kill_ms - t < next)
			next = c->kill_ms - t;
	}
	return next > INT_MAX ? INT_MAX : (int)next;
}

int inetd_child_add(struct inetd_state *st, pid_t pid, const char *name)
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

/* The context of @pid into @cur ("" when unreadable): 0 or the errno. */
static int context_of(pid_t pid, char *cur, size_t size)
{
	char path[64];
	ssize_t n;
	int fd, err = 0;

	cur[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/attr/current", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	n = read(fd, cur, size - 1);
	if (n < 0)
		err = errno;
	close(fd);
	while (n > 0 && (cur[n - 1] == '\0' || cur[n - 1] == '\n'))
		n--;
	cur[n > 0 ? n : 0] = '\0';
	return err;
}

static void refuse_child(struct inetd_state *st, const struct inetd_child *c,
			 const char *why)
{
	char addr[80], label[INETD_LOG_LABEL_MAX], reason[2 * INETD_WHY_MAX];

	struct inetd_stats *x = inetd_stats_of(st, c->service, c->proto);

	st->refused++;
	x->refused++;
	if (!inetd_refusal_line(st, x))
		return;
	inetd_addr_format((const struct sockaddr *)&c->addr, addr,
			  sizeof(addr));
	inetd_escape(c->label != NULL ? c->label : "(none)", label,
		     sizeof(label));
	inetd_escape(why, reason, sizeof(reason));
	inetd_log(LOG_WARNING, "refused %s/%s peer %s label %s: %s",
		  c->service, inetd_proto_name(c->proto), addr, label, reason);
}

/* The start of @c is decided: log it, forget what it needed. */
void inetd_settle(struct inetd_state *st, struct inetd_child *c,
		   const char *why)
{
	if (why != NULL) {
		/* its session: the server may have started others already */
		kill(-c->pid, SIGKILL);
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
	char cur[4096], why[INETD_WHY_MAX];
	int err;

	err = context_of(c->pid, cur, sizeof(cur));
	if (cur[0] == '\0') {
		/* unreadable: documented, not fatal; said once per service */
		struct inetd_stats *x = inetd_stats_of(st, c->service, c->proto);

		if (!x->unverified) {
			x->unverified = true;
			inetd_log(LOG_WARNING, "cannot verify the context of "
				  "%s/%s servers: /proc/%d/attr/current: %s; "
				  "they start unverified", c->service,
				  inetd_proto_name(c->proto), (int)c->pid,
				  err != 0 ? strerror(err) : "empty");
		}
		inetd_settle(st, c, NULL);
		return;
	}
	if (strcmp(cur, c->ctx) == 0) {
		inetd_settle(st, c, NULL);
		return;
	}
	if (strcmp(cur, st->own_context) == 0 && !last &&
	    inetd_now_ms() < c->deadline)
		return;			/* credentials not installed yet */
	snprintf(why, sizeof(why), "server runs in %.48s, not %.48s", cur,
		 c->ctx);
	inetd_settle(st, c, why);
}

/* Read the status pipe of @c: end of file is the exec done. */
static void status_read(struct inetd_state *st, struct inetd_child *c,
			bool last)
{
	struct inetd_failure f;
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
		char why[INETD_WHY_MAX];

		snprintf(why, sizeof(why), "%s: %s", f.step,
			 strerror(f.err));
		inetd_settle(st, c, why);
		return;
	}
	if (got != 0) {
		inetd_settle(st, c, "child status unreadable");
		return;
	}
	c->exec_done = true;
	c->deadline = inetd_now_ms() + CHECK_MS;
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

void inetd_early_check(struct inetd_state *st, struct inetd_child *c)
{
	char cur[4096], why[INETD_WHY_MAX];

	for (int i = 0; i < EARLY_TRIES; i++) {
		if (i > 0)
			sched_yield();
		context_of(c->pid, cur, sizeof(cur));
		if (strcmp(cur, c->ctx) == 0) {
			inetd_settle(st, c, NULL);
			return;
		}
		if (cur[0] == '\0')
			return;
		if (strcmp(cur, st->own_context) != 0) {
			snprintf(why, sizeof(why), "server runs in %.48s, "
				 "not %.48s", cur, c->ctx);
			inetd_settle(st, c, why);
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
		inetd_settle(st, c, "exited before its start was checked");
	{
		long long ms = inetd_now_ms() - c->born_ms;

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
