/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Starting a server in the context decided for it (decide.c): the clone
 * child and the environment it gets.  Its settling and reaping are in
 * children.c.
 *
 * Fail closed at every step: the server is started only when its context
 * was derived, set for the next exec, read back equal, the privileges were
 * dropped, and the exec succeeded.  A child that fails tells the parent why
 * (in their shared memory, and through its close-on-exec status pipe).  The
 * launcher never waits for a server's exec to finish: the event loop
 * settles each start (main.c, children.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <selinux/avc.h>
#include <selinux/selinux.h>

#include <peersec/peersec.h>

#include "inetd.h"

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
	gid_t groups[1 + INETD_GROUPS_MAX];	/* the group, then others */
	size_t ngroups;
	struct rlimit rlim[INETD_RLIM_N];
	char fd_path[40];		/* /proc/self/fd/N of the server */
	const int *ignored;		/* signals the launcher ignores, 0 */
	/* set by a failing child */
	int err;
	const char *step;
};

static _Noreturn void child_fail(struct spawn_args *a, const char *step,
				 int err)
{
	struct inetd_failure f = { step, err != 0 ? err : EIO };

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

/* What the server may keep of the launcher's privileges: nothing.  The
 * securebits make uid 0 no more than a uid (no capabilities on exec, none
 * kept across a uid change, no ambient ones), locked. */
#define SECBITS (SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | \
		 SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED | \
		 SECBIT_NO_CAP_AMBIENT_RAISE | \
		 SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED)
#ifndef SECBIT_NOROOT
#define SECBIT_NOROOT (1 << 0)
#define SECBIT_NOROOT_LOCKED (1 << 1)
#define SECBIT_NO_SETUID_FIXUP_LOCKED (1 << 3)
#define SECBIT_KEEP_CAPS_LOCKED (1 << 5)
#define SECBIT_NO_CAP_AMBIENT_RAISE (1 << 6)
#define SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED (1 << 7)
#endif

static const int rlim_resource[INETD_RLIM_N] = {
	[INETD_RLIM_CPU] = RLIMIT_CPU, [INETD_RLIM_AS] = RLIMIT_AS,
	[INETD_RLIM_NOFILE] = RLIMIT_NOFILE, [INETD_RLIM_NPROC] = RLIMIT_NPROC,
};

/*
 * What no server may get back, settled once for the launcher and every
 * child it makes (children inherit both, and neither can grow again): the
 * securebits above, and an empty capability bounding set.  The launcher
 * keeps its own permitted and effective capabilities (the bounding set
 * limits only what an exec gives); it never executes anything but its
 * servers.
 */
int inetd_caps_init(char *why)
{
	if (prctl(PR_SET_SECUREBITS, SECBITS, 0, 0, 0) < 0 &&
	    prctl(PR_GET_SECUREBITS, 0, 0, 0, 0) != SECBITS) {
		snprintf(why, INETD_WHY_MAX, "securebits: %s", strerror(errno));
		return -1;
	}
	for (int cap = 0; cap < 64; cap++) {
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0)
			continue;
		if (errno == EINVAL)
			break;			/* past the last one */
		snprintf(why, INETD_WHY_MAX, "capability bounding set: %s",
			 strerror(errno));
		return -1;
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 &&
	    errno != EINVAL) {
		snprintf(why, INETD_WHY_MAX, "ambient capabilities: %s",
			 strerror(errno));
		return -1;
	}
	for (int cap = 0; cap < 64; cap++) {
		int r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);

		if (r < 0)
			break;
		if (r != 0) {
			snprintf(why, INETD_WHY_MAX, "capability %d still in the "
				 "bounding set", cap);
			return -1;
		}
	}
	return 0;
}

/* After the uid change: clear permitted, effective and inheritable, and
 * check that nothing is held.  The ambient set always lies within
 * permitted and inheritable; the bounding set and the securebits were
 * settled at start (inetd_caps_init()). */
static void child_caps_none(struct spawn_args *a)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capset, &h, d) < 0)
		child_fail(a, "dropping capabilities", errno);
	memset(d, 0xff, sizeof(d));
	if (syscall(SYS_capget, &h, d) < 0)
		child_fail(a, "reading capabilities", errno);
	for (int i = 0; i < 2; i++)
		if (d[i].effective | d[i].permitted | d[i].inheritable)
			child_fail(a, "capabilities still held", EPERM);
	/* a sample of the bounding set, emptied at start */
	if (prctl(PR_CAPBSET_READ, 0, 0, 0, 0) != 0 ||
	    prctl(PR_CAPBSET_READ, CAP_SETPCAP, 0, 0, 0) != 0 ||
	    prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0) != 0)
		child_fail(a, "capability bounding set not empty", EPERM);
	if (prctl(PR_GET_SECUREBITS, 0, 0, 0, 0) != SECBITS)
		child_fail(a, "securebits not set", EPERM);
}

static int child(void *arg)
{
	struct spawn_args *a = arg;
	const struct inetd_service *s = a->s;
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;
	uid_t uid = s->uid;
	gid_t gid = s->gid;
	int out_fd, err_fd, fl;

	/* 1. a session of its own; the launcher's signal setup is not the
	 * server's: every disposition the default (exec resets the caught
	 * ones; the ignored ones, listed by the parent, here), nothing
	 * blocked */
	if (setsid() < 0)
		child_fail(a, "setsid", errno);
	for (const int *sig = a->ignored; *sig != 0; sig++)
		if (sigaction(*sig, &dfl, NULL) < 0)
			child_fail(a, "signal disposition", errno);
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		child_fail(a, "signal mask", errno);

	/* 2. the context of the next exec, read back */
	child_execcon(a);

	/* 3. stdin, stdout, stderr (UDP: stdout is the answering socket the
	 * launcher made) */
	out_fd = a->io->dgram != NULL ? a->io->reply : a->io->conn;
	err_fd = s->err_to == INETD_STDERR_CONNECTION ? out_fd :
		 s->err_to == INETD_STDERR_LOG ? 2 :
		 open("/dev/null", O_RDWR | O_CLOEXEC);
	if (err_fd < 0)
		child_fail(a, "/dev/null", errno);
	if (place(a->in_fd, 0) < 0 || place(out_fd, 1) < 0 ||
	    place(err_fd, 2) < 0)
		child_fail(a, "dup2", errno);

	/* 4. the process's settings, while it may still raise them */
	umask(s->umask);
	if (s->nice_set && setpriority(PRIO_PROCESS, 0, s->nice) < 0)
		child_fail(a, "nice", errno);
	for (int i = 0; i < INETD_RLIM_N; i++)
		if (s->rlim[i] != INETD_RLIM_UNSET &&
		    setrlimit(rlim_resource[i], &a->rlim[i]) < 0)
			child_fail(a, "rlimit", errno);

	/* 5. the configured user and groups, for good (raw system calls:
	 * libc's would act on every thread of the launcher), then no
	 * capability at all */
	if (syscall(SYS_setgroups, a->ngroups, a->groups) < 0 ||
	    syscall(SYS_setresgid, gid, gid, gid) < 0 ||
	    syscall(SYS_setresuid, uid, uid, uid) < 0)
		child_fail(a, "dropping privileges", errno);
	child_caps_none(a);
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

	/* 6. nothing else crosses the exec */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		child_fail(a, "close_range", errno);
	/* the status pipe is close-on-exec: it stays open until exec */
	fl = fcntl(a->status_fd, F_GETFD);
	if (fl < 0 || !(fl & FD_CLOEXEC))
		child_fail(a, "status pipe", EBADF);

	/* 7. the file the launcher opened and derived the context from, not
	 * whatever the path names now */
	syscall(SYS_execveat, s->exec_fd, "", s->argv, a->env, AT_EMPTY_PATH);
	/* without execveat (valgrind 3.19 and older): the same file, by
	 * its descriptor's /proc entry */
	if (errno == ENOSYS)
		execve(a->fd_path, s->argv, a->env);
	child_fail(a, "exec", errno);
}

/* ---- the parent -------------------------------------------------------- */

/* The signals the launcher ignores (set at its start, or inherited), ended
 * by 0: looked up once, the launcher never changes them afterwards. */
static const int *ignored_signals(void)
{
	static int list[NSIG];
	static bool known;
	size_t n = 0;

	if (known)
		return list;
	for (int sig = 1; sig < NSIG; sig++) {
		struct sigaction sa;

		if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN &&
		    !(sa.sa_flags & SA_SIGINFO))
			list[n++] = sig;
	}
	list[n] = 0;
	known = true;
	return list;
}

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

/*
 * The server's environment: the service's env, the launcher's variables
 * passenv names, PATH (unless env sets it), then the PEERSEC_* ones.  One
 * block the caller frees; *@envp points into it.
 */
#define ENV_OWN 9

static char *env_build(const struct inetd_service *s,
		       const struct inetd_peer *peer, const char *ctx,
		       char ***envp)
{
	char paddr[80], pport[8], laddr[80], lport[8];
	const char *kv[ENV_OWN][2] = {
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
	const char *pass[INETD_ENV_MAX];
	size_t size = 0, n = 0, nenv = 0, npass = 0, slots;
	char *block, *p, **env;

	split_addr(&peer->addr, paddr, sizeof(paddr), pport);
	split_addr(&peer->local, laddr, sizeof(laddr), lport);
	for (char **e = s->env; e != NULL && *e != NULL; e++, nenv++) {
		size += strlen(*e) + 1;
		if (strncmp(*e, "PATH=", 5) == 0)
			kv[0][1] = NULL;
	}
	for (char **e = s->passenv; e != NULL && *e != NULL; e++) {
		pass[npass] = getenv(*e);
		if (pass[npass] != NULL)
			size += strlen(*e) + strlen(pass[npass]) + 2;
		npass++;
	}
	for (size_t i = 0; i < ENV_OWN; i++)
		if (kv[i][1] != NULL)
			size += strlen(kv[i][0]) + strlen(kv[i][1]) + 2;
	slots = nenv + npass + ENV_OWN + 1;
	block = malloc(slots * sizeof(char *) + size);
	if (block == NULL)
		return NULL;
	env = (char **)block;
	p = block + slots * sizeof(char *);
	for (size_t i = 0; i < nenv; i++) {
		env[n++] = p;
		p = stpcpy(p, s->env[i]) + 1;
	}
	for (size_t i = 0; i < npass; i++) {
		if (pass[i] == NULL)
			continue;
		env[n++] = p;
		p = stpcpy(stpcpy(stpcpy(p, s->passenv[i]), "="), pass[i]) + 1;
	}
	for (size_t i = 0; i < ENV_OWN; i++) {
		if (kv[i][1] == NULL)
			continue;
		env[n++] = p;
		p = stpcpy(stpcpy(stpcpy(p, kv[i][0]), "="), kv[i][1]) + 1;
	}
	env[n] = NULL;
	*envp = env;
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
	char why[INETD_WHY_MAX] = "";
	int status[2] = { -1, -1 }, pipe_in[2] = { -1, -1 };
	struct spawn_args a = {
		.s = s, .peer = peer, .io = io, .ctx = ctx,
		.ctx_len = strlen(ctx), .in_fd = io->conn,
	};
	char **env = NULL, *env_block = NULL, *stack;
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
	env_block = env_build(s, peer, ctx, &env);
	if (env_block == NULL) {
		snprintf(why, sizeof(why), "out of memory");
		goto refuse;
	}
	a.env = env;
	a.groups[0] = s->gid;
	memcpy(a.groups + 1, s->groups, s->ngroups * sizeof(gid_t));
	a.ngroups = 1 + s->ngroups;
	snprintf(a.fd_path, sizeof(a.fd_path), "/proc/self/fd/%d", s->exec_fd);
	a.ignored = ignored_signals();
	for (int i = 0; i < INETD_RLIM_N; i++)
		a.rlim[i].rlim_cur = a.rlim[i].rlim_max =
			s->rlim[i] == INETD_RLIM_INFINITY ? RLIM_INFINITY :
			(rlim_t)s->rlim[i];
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
	if (inetd_child_add(st, 0, s->name) < 0) {
		snprintf(why, sizeof(why), "out of memory");
		goto refuse;
	}

	/* Returns once the child has exec'd (its memory is its own) or
	 * exited. */
	pid = clone(child, stack, CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
	if (pid < 0 || a.err != 0) {
		st->nchild--;		/* the slot inetd_child_add() made */
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
	c->born_ms = inetd_now_ms();
	if (s->max_runtime > 0)
		c->kill_ms = c->born_ms + (long long)s->max_runtime * 1000;
	if (io->dgram != NULL) {
		c->reply_fd = io->reply;
		c->reply_drops = io->reply_drops;
		io->reply = -1;
	}
	st->nstarting++;
	if (c->ctx == NULL || (peer->label != NULL && c->label == NULL)) {
		inetd_settle(st, c, "out of memory");
		return -1;
	}
	inetd_early_check(st, c);
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
