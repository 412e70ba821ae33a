/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * peersec-inetd on this machine's kernel, in a fresh network namespace.
 * Loopback traffic carries no label here, so every peer must be refused:
 * the fail-closed path, end to end.  Also: the configuration check, SIGHUP
 * reloads, socket activation, and a flood of early disconnects that must
 * leave the launcher with no child and no extra descriptor.  The limits
 * that act before any label is read (cps, the refusal lines' rate) and the
 * server file checks.
 * The labeled paths (servers started at the peer's level) run in the lab.
 *
 * No fixed delay stands for an event: each wait is on what the launcher
 * says or does (a log line, a count), bounded by WAIT_S only to catch a
 * hang, and a failure names what did not happen.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "host-util.h"

static char inetd[512], whoami[512], dir[64];

#define WAIT_S 60			/* a hang, not a slow machine */

static void path_in(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", dir, name);
}

static void write_file(const char *name, const char *text)
{
	char p[128];
	FILE *f;

	path_in(p, sizeof(p), name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *read_file(const char *name)
{
	static char buf[1 << 20];
	char p[128];
	ssize_t n;
	int fd;

	path_in(p, sizeof(p), name);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static int count(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* Until @done(@arg) is true, looking every 10 ms; fails, naming @what,
 * after WAIT_S seconds. */
static void wait_until(const char *what, bool (*done)(const void *),
		       const void *arg)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!done(arg)) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > WAIT_S)
			fail_msg("in %d s, this did not happen: %s", WAIT_S,
				 what);
		usleep(10000);
	}
}

/* Log file @name has at least @n lines with @needle. */
struct lines {
	const char *log, *needle;
	int n;
};

static bool has_lines(const void *arg)
{
	const struct lines *l = arg;
	const char *t = read_file(l->log);

	return t != NULL && count(t, l->needle) >= l->n;
}

static void wait_lines(const char *log, const char *needle, int n)
{
	struct lines l = { log, needle, n };
	char what[256];

	snprintf(what, sizeof(what), "%d line(s) with \"%s\" in %s", n,
		 needle, log);
	wait_until(what, has_lines, &l);
}

/* The refusals of @svc ("name/proto") in @text: their lines, and the
 * lines the launcher held back and counted. */
static int refusals(const char *text, const char *svc)
{
	char key[96];
	const char *p;
	int n;

	snprintf(key, sizeof(key), "refused %s peer ", svc);
	n = count(text, key);
	snprintf(key, sizeof(key), "held back ");
	for (p = text; (p = strstr(p, key)) != NULL; p++) {
		char name[80];
		int held;

		if (sscanf(p, "held back %d refusal line(s) for %79s", &held,
			   name) == 2 && strcmp(name, svc) == 0)
			n += held;
	}
	return n;
}

/* Ask for a status report (SIGUSR1) and wait for it: held-back refusal
 * lines are reported before it. */
static void status_report(pid_t pid, const char *log)
{
	int n = count(read_file(log) ? read_file(log) : "",
		      "status: datagrams: ");

	kill(pid, SIGUSR1);
	wait_lines(log, "status: datagrams: ", n + 1);
}

/* Status reports until the refusals of @svc in @log reach @n; fails, naming
 * them, after WAIT_S seconds.  Returns the log. */
static const char *until_refusals(pid_t pid, const char *log,
				  const char *svc, int n)
{
	struct timespec t0, t;
	const char *text;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		status_report(pid, log);
		text = read_file(log);
		if (refusals(text, svc) >= n)
			return text;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > WAIT_S)
			fail_msg("in %d s, the launcher did not report %d "
				 "refusals for %s (%d)", WAIT_S, n, svc,
				 refusals(text, svc));
	}
}

/* A TCP service on 127.0.0.1:@port serving whoami, which logs to ran.log. */
static void service(char *out, size_t size, const char *name, int port)
{
	char ran[128];

	path_in(ran, sizeof(ran), "ran.log");
	snprintf(out + strlen(out), size - strlen(out),
		 "service %s\n{\n\tprotocol = tcp\n\tport = %d\n"
		 "\tbind = 127.0.0.1\n\tuser = 0\n\tgroup = 0\n"
		 "\tserver = %s\n\tserver_args = --log %s\n}\n",
		 name, port, whoami, ran);
}

/* Start the launcher on @conf with its log in @log; @fd >= 0 is passed as
 * a systemd socket named @fdname.  Waits until it serves. */
static pid_t start_opt(const char *conf, const char *log, int fd,
		       const char *fdname, const char *opt, const char *arg)
{
	char c[128], l[128];
	pid_t pid;

	path_in(c, sizeof(c), conf);
	path_in(l, sizeof(l), log);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int out = open(l, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int nul = open("/dev/null", O_RDWR);

		/* Dies with the test, and holds none of its pipes. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(nul, 0);
		dup2(nul, 1);
		dup2(out, 2);
		if (fd >= 0) {
			char n[16];

			dup2(fd, 3);
			snprintf(n, sizeof(n), "%d", (int)getpid());
			setenv("LISTEN_PID", n, 1);
			setenv("LISTEN_FDS", "1", 1);
			setenv("LISTEN_FDNAMES", fdname, 1);
		}
		execl(inetd, "peersec-inetd", "-f", c, opt, arg,
		      (char *)NULL);
		_exit(127);
	}
	for (struct timespec t0, t = { 0 }; ; ) {
		const char *txt = read_file(log);
		int status;

		if (t.tv_sec == 0)
			clock_gettime(CLOCK_MONOTONIC, &t0);
		if (txt != NULL && strstr(txt, "running as") != NULL)
			return pid;
		if (waitpid(pid, &status, WNOHANG) == pid)
			fail_msg("the launcher ended instead of serving: %s",
				 read_file(log));
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > WAIT_S)
			fail_msg("in %d s, the launcher did not say \"running "
				 "as\": %s", WAIT_S, read_file(log));
		usleep(10000);
	}
}

static pid_t start(const char *conf, const char *log, int fd,
		   const char *fdname)
{
	return start_opt(conf, log, fd, fdname, NULL, NULL);
}

static void stop(pid_t pid)
{
	int status;

	kill(pid, SIGTERM);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Connect to 127.0.0.1:@port; 0 when the launcher closed it with nothing
 * said, -errno when the connection failed, 1 when data came. */
static int knock(int port, bool reset)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(port) };
	struct timeval tv = { .tv_sec = WAIT_S };	/* a hang */
	char buf[64];
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ssize_t n;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	if (reset) {
		struct linger l = { 1, 0 };

		setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		close(fd);
		return 0;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n > 0 ? 1 : n == 0 ? 0 : -errno;
}

static int fds_of(pid_t pid)
{
	char p[64];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(p, sizeof(p), "/proc/%d/fd", (int)pid);
	d = opendir(p);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static int children_of(pid_t pid)
{
	struct dirent *e;
	DIR *d = opendir("/proc");
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		char p[300], buf[512], *close_paren;
		int fd, ppid;
		ssize_t r;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(p, sizeof(p), "/proc/%s/stat", e->d_name);
		fd = open(p, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		r = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (r <= 0)
			continue;
		buf[r] = '\0';
		close_paren = strrchr(buf, ')');
		if (close_paren != NULL &&
		    sscanf(close_paren + 2, "%*c %d", &ppid) == 1 &&
		    ppid == pid)
			n++;
	}
	closedir(d);
	return n;
}

/* ---- tests ------------------------------------------------------------- */

static void config_check(void **state)
{
	char conf[1024] = "", cmd[1200];

	service(conf, sizeof(conf), "good", 7001);
	write_file("good.conf", conf);
	write_file("bad.conf", "service x\n{\n\tport = 0\n}\n");
	snprintf(cmd, sizeof(cmd), "%s -t -f %s/good.conf >/dev/null 2>&1",
		 inetd, dir);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s -t -f %s/bad.conf 2>%s/check.log",
		 inetd, dir, dir);
	assert_int_equal(WEXITSTATUS(system(cmd)), 1);
	assert_non_null(strstr(read_file("check.log"),
			       "bad.conf:3: port must be a number from 1 to "
			       "65535, not \"0\""));
	/* a bad file at start: nothing runs */
	snprintf(cmd, sizeof(cmd), "%s -f %s/bad.conf 2>/dev/null", inetd,
		 dir);
	assert_int_equal(WEXITSTATUS(system(cmd)), 1);
}

static void unlabeled_peers_refused_flood(void **state)
{
	char conf[1024] = "";
	const char *log, *ran;
	pid_t pid;
	int fds0, i, closed = 0, refused;

	service(conf, sizeof(conf), "who", 7101);
	write_file("flood.conf", conf);
	unlink(strcat(strcpy(conf, dir), "/ran.log"));
	pid = start("flood.conf", "flood.log", -1, NULL);
	fds0 = fds_of(pid);

	for (i = 0; i < 300; i++) {
		int r = knock(7101, i % 2 == 1);

		assert_true(r >= 0);
		closed += i % 2 == 0 && r == 0;
	}
	/* one more connection, which the launcher closes only after it
	 * dealt with every one before it (one backlog, in order) */
	assert_int_equal(knock(7101, false), 0);
	status_report(pid, "flood.log");
	log = read_file("flood.log");
	ran = read_file("ran.log");
	assert_null(ran);		/* no server ever ran */
	assert_int_equal(closed, 150);	/* each closed with nothing said */
	/* every peer refused, logged with its address and reason or counted
	 * in a "held back" line (a reset connection may be gone before it
	 * is accepted: at least the 151 others) */
	refused = refusals(log, "who/tcp");
	assert_in_range(refused, 151, 301);
	assert_int_equal(count(log, "label (none): no label, and the service "
				    "requires one") +
			 count(log, "label (none): reading the peer label: "),
			 count(log, "refused who/tcp peer 127.0.0.1:"));
	assert_int_equal(count(log, "started "), 0);
	assert_int_equal(fds_of(pid), fds0);
	assert_int_equal(children_of(pid), 0);
	stop(pid);
	snprintf(conf, sizeof(conf), "stopping: 0 started, %d refused",
		 refused);
	assert_non_null(strstr(read_file("flood.log"), conf));
}

static void unlabeled_datagrams_refused(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(7401) };
	struct timeval tv = { .tv_usec = 300000 };
	char conf[1024] = "", buf[64], ran[128];
	const char *log = NULL;
	int fd, fds0;
	pid_t pid;

	service(conf, sizeof(conf), "dg", 7401);
	/* the same block, as UDP */
	memcpy(strstr(conf, "tcp"), "udp", 3);
	write_file("dg.conf", conf);
	path_in(ran, sizeof(ran), "ran.log");
	unlink(ran);
	pid = start("dg.conf", "dg.log", -1, NULL);
	fds0 = fds_of(pid);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (int i = 0; i < 50; i++)
		assert_int_equal(send(fd, "hello", 5, 0), 5);
	/* nothing answers */
	assert_int_equal(recv(fd, buf, sizeof(buf), 0), -1);
	close(fd);
	log = until_refusals(pid, "dg.log", "dg/udp", 50);
	assert_int_equal(refusals(log, "dg/udp"), 50);
	assert_int_equal(count(log, "label (none): no label, and the service "
				    "requires one"),
			 count(log, "refused dg/udp peer 127.0.0.1:"));
	assert_null(read_file("ran.log"));
	assert_int_equal(fds_of(pid), fds0);
	assert_int_equal(children_of(pid), 0);
	stop(pid);
}

/* A UDP service on 127.0.0.1:@port, as service() makes a TCP one. */
static void udp_service(char *out, size_t size, const char *name, int port)
{
	size_t at = strlen(out);

	service(out, size, name, port);
	memcpy(strstr(out + at, "tcp"), "udp", 3);
}

/* bind() a UDP socket to @addr:@port with the options @reuse names
 * ("addr", "port", "both", "none"), as uid @uid in a child: 0 or errno. */
static int try_bind(const char *addr, int port, const char *reuse, uid_t uid)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct sockaddr_in sin = { .sin_family = AF_INET,
					   .sin_port = htons(port) };
		int one = 1, fd;

		inet_pton(AF_INET, addr, &sin.sin_addr);
		if (uid != 0 && (setgroups(0, NULL) < 0 ||
				 setresgid(uid, uid, uid) < 0 ||
				 setresuid(uid, uid, uid) < 0))
			_exit(255);
		fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (fd < 0)
			_exit(254);
		if (strcmp(reuse, "addr") == 0 || strcmp(reuse, "both") == 0)
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
				   sizeof(one));
		if (strcmp(reuse, "port") == 0 || strcmp(reuse, "both") == 0)
			setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one,
				   sizeof(one));
		_exit(bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ?
		      errno : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* The figures of the launcher's last "WHAT: NAME/udp: ..." report. */
struct udp_figures {
	unsigned long read, served, refused, dropped, busy, setup, queue;
};

static bool udp_report(const char *log, const char *what, const char *name,
		       struct udp_figures *f)
{
	char key[96];
	const char *p, *last = NULL;

	snprintf(key, sizeof(key), "%s: %s/udp: ", what, name);
	for (p = log; (p = strstr(p, key)) != NULL; p++)
		last = p;
	return last != NULL &&
	       sscanf(last + strlen(key), "%lu datagram(s) read, %lu served, "
		      "%lu refused, %lu dropped (%lu busy peer address, %lu "
		      "answering socket setup, %lu queue)", &f->read,
		      &f->served, &f->refused, &f->dropped, &f->busy,
		      &f->setup, &f->queue) == 7;
}

/*
 * While the launcher holds a UDP service's address and port, nobody else
 * binds them: not another uid with SO_REUSEADDR or SO_REUSEPORT (a handler
 * runs as another uid), not root with SO_REUSEADDR.  Datagrams sent there
 * all reach the launcher.
 */
static void udp_port_exclusive(void **state)
{
	static const char *const reuse[] = { "none", "addr", "port", "both" };
	char conf[1024] = "";
	const char *log = NULL;
	pid_t pid;
	int fd, i;

	udp_service(conf, sizeof(conf), "ex", 7501);
	write_file("ex.conf", conf);
	pid = start("ex.conf", "ex.log", -1, NULL);

	for (i = 0; i < 4; i++) {
		print_message("nobody, SO_REUSE%s\n", reuse[i]);
		assert_int_equal(try_bind("127.0.0.1", 7501, reuse[i], 65534),
				 EADDRINUSE);
		assert_int_equal(try_bind("0.0.0.0", 7501, reuse[i], 65534),
				 EADDRINUSE);
	}
	assert_int_equal(try_bind("127.0.0.1", 7501, "addr", 0), EADDRINUSE);
	assert_int_equal(try_bind("127.0.0.1", 7501, "none", 0), EADDRINUSE);

	/* 30 datagrams, each from its own socket: all reach the launcher */
	for (i = 0; i < 30; i++) {
		struct sockaddr_in sin = { .sin_family = AF_INET,
					   .sin_port = htons(7501) };

		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		assert_int_equal(sendto(fd, "x", 1, 0, (struct sockaddr *)&sin,
					sizeof(sin)), 1);
		close(fd);
	}
	log = until_refusals(pid, "ex.log", "ex/udp", 30);
	assert_int_equal(refusals(log, "ex/udp"), 30);
	stop(pid);
}

/*
 * Every datagram is served, refused with a log line, or dropped and
 * counted: with the launcher stopped, a burst overflows its socket's
 * receive queue; afterwards the status report (SIGUSR1) accounts for every
 * datagram sent, and each refusal and drop has its line.
 */
static void udp_accounting(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(7502) };
	enum { SENT = 3000 };
	struct udp_figures f = { 0 };
	char conf[1024] = "";
	const char *log = NULL, *p;
	unsigned long dropped_lines = 0;
	int fd, i;
	pid_t pid;

	udp_service(conf, sizeof(conf), "acct", 7502);
	write_file("acct.conf", conf);
	pid = start("acct.conf", "acct.log", -1, NULL);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	kill(pid, SIGSTOP);
	for (i = 0; i < SENT; i++)
		assert_int_equal(send(fd, "datagram", 8, 0), 8);
	close(fd);
	kill(pid, SIGCONT);

	/* until a report accounts for all of them (each wait bounded) */
	{
		struct timespec t0, t;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		do {
			status_report(pid, "acct.log");
			log = read_file("acct.log");
			clock_gettime(CLOCK_MONOTONIC, &t);
			if (t.tv_sec - t0.tv_sec > WAIT_S)
				fail_msg("in %d s, the reports did not account "
					 "for the %d datagrams", WAIT_S, SENT);
		} while (!udp_report(log, "status", "acct", &f) ||
			 f.served + f.refused + f.dropped != SENT);
	}
	print_message("read %lu served %lu refused %lu dropped %lu "
		      "(queue %lu)\n", f.read, f.served, f.refused, f.dropped,
		      f.queue);
	assert_int_equal(f.served + f.refused + f.dropped, SENT);
	assert_int_equal(f.served, 0);
	assert_int_equal(f.read, f.refused);
	assert_true(f.queue > 0);	/* the burst overflowed */
	assert_int_equal(f.dropped, f.queue);
	assert_int_equal(refusals(log, "acct/udp"), (int)f.refused);
	for (p = log; (p = strstr(p, "peersec-inetd: warning: dropped ")) !=
		      NULL; p++) {
		unsigned long n;

		if (sscanf(p, "peersec-inetd: warning: dropped %lu datagram(s)"
			   " for acct/udp at the listening socket", &n) == 1)
			dropped_lines += n;
	}
	assert_int_equal(dropped_lines, f.queue);
	stop(pid);
	/* the stop line's report says the same */
	assert_true(udp_report(read_file("acct.log"), "stopping", "acct", &f));
	assert_int_equal(f.served + f.refused + f.dropped, SENT);
}

/* -t and the parser on files the launcher must refuse, each with its
 * reason: a missing or non-executable server, label = optional without
 * unlabeled_level, an address and its v4-mapped form on one port, a
 * duplicate name behind a disabled service, a NUL byte. */
static void config_refusals(void **state)
{
	static const struct {
		const char *file, *text, *want;
	} cases[] = {
		{ "missing.conf",
		  "service m\n{\n\tprotocol = tcp\n\tport = 7\n\tuser = 0\n"
		  "\tserver = /no/such/server\n}\n",
		  "service m (line 1): server /no/such/server: No such file" },
		{ "noexec.conf",
		  "service n\n{\n\tprotocol = tcp\n\tport = 7\n\tuser = 0\n"
		  "\tserver = /etc/passwd\n}\n",
		  "service n (line 1): server /etc/passwd: not executable" },
		{ "optional.conf",
		  "service o\n{\n\tprotocol = tcp\n\tport = 7\n\tuser = 0\n"
		  "\tserver = /bin/true\n\tlabel = optional\n"
		  "\tbase_context = u:r:t:s0-s3\n}\n",
		  "optional.conf:1: service o: label = optional needs "
		  "unlabeled_level" },
		{ "mapped.conf",
		  "service a\n{\n\tprotocol = udp\n\tport = 7\n\tuser = 0\n"
		  "\tserver = /bin/true\n\tbind = 127.0.0.1\n}\n"
		  "service b\n{\n\tprotocol = udp\n\tport = 7\n\tuser = 0\n"
		  "\tserver = /bin/true\n\tbind = ::ffff:127.0.0.1\n}\n",
		  "mapped.conf:9: service b: udp port 7 is taken by service a" },
		{ "dup.conf",
		  "service a\n{\n\tprotocol = tcp\n\tport = 7\n\tuser = 0\n"
		  "\tserver = /bin/true\n\tdisable = yes\n}\n"
		  "service a\n{\n\tprotocol = tcp\n\tport = 8\n\tuser = 0\n"
		  "\tserver = /bin/true\n}\n",
		  "dup.conf:9: service a is defined twice (first at line 1)" },
	};
	char cmd[1024], p[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		write_file(cases[i].file, cases[i].text);
		snprintf(cmd, sizeof(cmd), "%s -t -f %s/%s 2>%s/refusal.log",
			 inetd, dir, cases[i].file, dir);
		print_message("%s\n", cases[i].file);
		assert_int_equal(WEXITSTATUS(system(cmd)), 1);
		assert_non_null(strstr(read_file("refusal.log"),
				       cases[i].want));
	}
	/* a NUL byte, reported as such */
	path_in(p, sizeof(p), "nul.conf");
	{
		FILE *f = fopen(p, "w");

		assert_non_null(f);
		fwrite("service a\n{\n\tprotocol = tcp\0\n}\n", 1, 32, f);
		fclose(f);
	}
	snprintf(cmd, sizeof(cmd), "%s -t -f %s 2>%s/refusal.log", inetd, p,
		 dir);
	assert_int_equal(WEXITSTATUS(system(cmd)), 1);
	assert_non_null(strstr(read_file("refusal.log"),
			       "nul.conf:3: a NUL byte in the line"));
}

/* A passed socket that does not fit its service (AF_UNIX or UDP for a TCP
 * service) stops the launcher at start, with a message. */
static void activation_mismatch(void **state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char conf[1024] = "", c[128], l[128];

	service(conf, sizeof(conf), "act", 7302);
	write_file("mis.conf", conf);
	path_in(c, sizeof(c), "mis.conf");
	path_in(sun.sun_path, sizeof(sun.sun_path), "mis.sock");
	for (int k = 0; k < 2; k++) {
		int fd = k == 0 ? socket(AF_UNIX, SOCK_STREAM, 0) :
			 socket(AF_INET, SOCK_DGRAM, 0);
		int status;
		pid_t pid;

		assert_true(fd >= 0);
		if (k == 0) {
			assert_int_equal(bind(fd, (struct sockaddr *)&sun,
					      sizeof(sun)), 0);
			assert_int_equal(listen(fd, 4), 0);
		}
		path_in(l, sizeof(l), "mis.log");
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			int out = open(l, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			char n[16];

			prctl(PR_SET_PDEATHSIG, SIGKILL);
			dup2(out, 2);
			dup2(fd, 3);
			snprintf(n, sizeof(n), "%d", (int)getpid());
			setenv("LISTEN_PID", n, 1);
			setenv("LISTEN_FDS", "1", 1);
			setenv("LISTEN_FDNAMES", "act", 1);
			execl(inetd, "peersec-inetd", "-f", c, (char *)NULL);
			_exit(127);
		}
		close(fd);
		/* it must exit by itself; a hang is caught by the test's own
		 * timeout */
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 1);
		assert_non_null(strstr(read_file("mis.log"),
			k == 0 ? "service act: passed socket 3 does not fit it: "
				 "family 1, type 1, protocol 0; the service "
				 "wants family 2, type 1, protocol 6, listening" :
				 "service act: passed socket 3 does not fit it: "
				 "family 2, type 2, protocol 17; the service "
				 "wants family 2, type 1, protocol 6, listening"));
		assert_null(strstr(read_file("mis.log"), "running as"));
		unlink(sun.sun_path);
	}
}

/* SIGHUP, and wait for the launcher's answer. */
static int reload_lines(const char *t)
{
	return count(t, "reloaded ") + count(t, "reload refused");
}

static bool reload_answered(const void *arg)
{
	const struct lines *l = arg;

	return reload_lines(read_file(l->log)) > l->n;
}

static void hup(pid_t pid, const char *log)
{
	struct lines l = { log, NULL, reload_lines(read_file(log)) };

	kill(pid, SIGHUP);
	wait_until("the launcher's answer to SIGHUP (\"reloaded\" or "
		   "\"reload refused\")", reload_answered, &l);
}

static void sighup_reload(void **state)
{
	char conf[1024] = "";
	const char *log;
	pid_t pid;
	int fds0;

	service(conf, sizeof(conf), "rl", 7201);
	write_file("rl.conf", conf);
	pid = start("rl.conf", "rl.log", -1, NULL);
	fds0 = fds_of(pid);
	assert_int_equal(knock(7201, false), 0);

	/* bad: refused with file:line, 7201 still served */
	write_file("rl.conf", "service rl\n{\n\tprotocol = tcp\n\tport = 7201\n"
		   "\tcolour = red\n}\n");
	hup(pid, "rl.log");
	log = read_file("rl.log");
	assert_non_null(strstr(log, "reload refused, old configuration kept: "));
	assert_non_null(strstr(log, "rl.conf:5: unknown attribute \"colour\""));
	assert_int_equal(knock(7201, false), 0);

	/* good: the service moves to 7202 */
	conf[0] = '\0';
	service(conf, sizeof(conf), "rl", 7202);
	write_file("rl.conf", conf);
	hup(pid, "rl.log");
	assert_non_null(strstr(read_file("rl.log"), "reloaded "));
	assert_int_equal(knock(7202, false), 0);
	assert_int_equal(knock(7201, false), -ECONNREFUSED);
	assert_int_equal(fds_of(pid), fds0);

	/* a socket that cannot be opened: the old table stays */
	{
		struct sockaddr_in sin = { .sin_family = AF_INET,
					   .sin_port = htons(7203) };
		int busy = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		assert_int_equal(bind(busy, (struct sockaddr *)&sin,
				      sizeof(sin)), 0);
		assert_int_equal(listen(busy, 1), 0);
		conf[0] = '\0';
		service(conf, sizeof(conf), "rl", 7202);
		service(conf, sizeof(conf), "taken", 7203);
		write_file("rl.conf", conf);
		hup(pid, "rl.log");
		assert_non_null(strstr(read_file("rl.log"),
				       "a socket could not be opened"));
		assert_int_equal(knock(7202, false), 0);
		assert_int_equal(fds_of(pid), fds0);
		close(busy);
	}
	stop(pid);
}

static void socket_activation(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(7301) };
	char conf[1024] = "";
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
	pid_t pid;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fd, 16), 0);
	service(conf, sizeof(conf), "act", 7301);
	write_file("act.conf", conf);
	pid = start("act.conf", "act.log", fd, "act");
	close(fd);
	assert_non_null(strstr(read_file("act.log"),
			       "service act: using socket 3 from systemd"));
	assert_int_equal(knock(7301, false), 0);
	assert_non_null(strstr(read_file("act.log"),
			       "refused act/tcp peer 127.0.0.1:"));
	stop(pid);
}

/* A flood of refusals writes at most -r lines a second; the others are
 * counted, per service, in "held back" lines, and lines and counts add up
 * to every refusal. */
static void refusal_lines_limited(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(7601) };
	char conf[1024] = "";
	const char *log;
	int fd, lines;
	pid_t pid;

	udp_service(conf, sizeof(conf), "rate", 7601);
	write_file("rate.conf", conf);
	pid = start_opt("rate.conf", "rate.log", -1, NULL, "-r", "5");
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	kill(pid, SIGSTOP);		/* all of them in one second */
	for (int i = 0; i < 100; i++)
		assert_int_equal(send(fd, "x", 1, 0), 1);
	close(fd);
	kill(pid, SIGCONT);
	log = until_refusals(pid, "rate.log", "rate/udp", 100);
	lines = count(log, "refused rate/udp peer ");
	print_message("refusal lines %d, held back %d\n", lines,
		      100 - lines);
	assert_int_equal(refusals(log, "rate/udp"), 100);
	assert_in_range(lines, 5, 99);
	assert_non_null(strstr(log, "refusal line(s) for rate/udp (more than "
				    "5 a second)"));
	stop(pid);
}

/* cps = 5 3: the sixth connection within a second is refused and the
 * service pauses; what comes meanwhile waits in the backlog and is dealt
 * with after the pause (here: refused for want of a label), at the same
 * rate. */
static void cps_pause(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(7602) };
	char conf[1024] = "";
	const char *log;
	int fd[20];
	pid_t pid;

	service(conf, sizeof(conf), "cps", 7602);
	strcpy(strrchr(conf, '}'), "\tcps = 5 3\n}\n");
	write_file("cps.conf", conf);
	pid = start("cps.conf", "cps.log", -1, NULL);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	kill(pid, SIGSTOP);		/* all of them at once */
	for (int i = 0; i < 20; i++) {
		struct timeval tv = { .tv_sec = WAIT_S };	/* a hang */

		fd[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		setsockopt(fd[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		assert_int_equal(connect(fd[i], (struct sockaddr *)&sin,
					 sizeof(sin)), 0);
	}
	kill(pid, SIGCONT);
	wait_lines("cps.log", "service cps: more than 5 connection(s) in a "
		   "second (cps): paused for 3 s", 1);
	wait_lines("cps.log", "service cps: resumed after its cps pause", 1);
	for (int i = 0; i < 20; i++) {
		char c;

		/* each is closed by the launcher, with nothing said */
		assert_int_equal(read(fd[i], &c, 1), 0);
		close(fd[i]);
	}
	status_report(pid, "cps.log");
	log = read_file("cps.log");
	assert_int_equal(refusals(log, "cps/tcp"), 20);
	/* one refused per pause: at least one, each after 5 taken */
	assert_int_equal(count(log, "over the service's cps rate (5 a "
				    "second): paused for 3 s"),
			 count(log, "(cps): paused for 3 s"));
	assert_in_range(count(log, "(cps): paused for 3 s"), 1, 3);
	stop(pid);
}

/* The server file is opened once and checked at each start: one writable
 * by its group is refused (-t says so too), unless allow_writable; one
 * that is gone at start refuses its peers until a reload. */
static void server_file_checks(void **state)
{
	char conf[1024] = "", srv[128], cmd[1024];
	const char *log;
	pid_t pid;

	path_in(srv, sizeof(srv), "gw-server");
	snprintf(cmd, sizeof(cmd), "cp %s %s && chmod 0775 %s", whoami, srv,
		 srv);
	assert_int_equal(system(cmd), 0);
	service(conf, sizeof(conf), "gw", 7603);
	snprintf(cmd, sizeof(cmd), "%s/gw-server --log", dir);
	{
		/* the same block, with the group-writable copy */
		char *at = strstr(conf, whoami);
		char rest[512];

		snprintf(rest, sizeof(rest), "%s", at + strlen(whoami));
		snprintf(at, sizeof(conf) - (size_t)(at - conf), "%s%s", srv,
			 rest);
	}
	write_file("gw.conf", conf);
	snprintf(cmd, sizeof(cmd), "%s -t -f %s/gw.conf 2>%s/gw-t.log", inetd,
		 dir, dir);
	assert_int_equal(WEXITSTATUS(system(cmd)), 1);
	assert_non_null(strstr(read_file("gw-t.log"), "writable by group or "
				"others"));
	/* a label is checked first; this peer has none: the label-optional
	 * path reaches the file checks */
	strcpy(strrchr(conf, '}'), "\tlabel = optional\n"
	       "\tunlabeled_level = s0\n}\n");
	write_file("gw.conf", conf);
	pid = start("gw.conf", "gw.log", -1, NULL);
	assert_int_equal(knock(7603, false), 0);
	log = read_file("gw.log");
	assert_non_null(strstr(log, "refused gw/tcp peer 127.0.0.1:"));
	assert_non_null(strstr(log, "gw-server is writable by group or others "
				"(mode 0775; allow_writable = yes runs it)"));
	/* allowed: the next check is the file's context (none here) */
	strcpy(strrchr(conf, '}'), "\tallow_writable = yes\n}\n");
	write_file("gw.conf", conf);
	hup(pid, "gw.log");
	assert_int_equal(knock(7603, false), 0);
	assert_non_null(strstr(read_file("gw.log"), "server file has no "
				"context"));
	/* gone at a reload: refused, with what to do */
	unlink(srv);
	hup(pid, "gw.log");
	assert_non_null(strstr(read_file("gw.log"), "service gw: server "));
	assert_int_equal(knock(7603, false), 0);
	assert_non_null(strstr(read_file("gw.log"), "could not be opened at "
				"the last (re)load: fix it and reload"));
	stop(pid);
}

int main(void)
{
	const char *b = getenv("PEERSEC_BUILDDIR");
	char cmd[128];
	int r;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(config_check),
		cmocka_unit_test(unlabeled_peers_refused_flood),
		cmocka_unit_test(unlabeled_datagrams_refused),
		cmocka_unit_test(udp_port_exclusive),
		cmocka_unit_test(udp_accounting),
		cmocka_unit_test(sighup_reload),
		cmocka_unit_test(socket_activation),
		cmocka_unit_test(config_refusals),
		cmocka_unit_test(activation_mismatch),
		cmocka_unit_test(refusal_lines_limited),
		cmocka_unit_test(cps_pause),
		cmocka_unit_test(server_file_checks),
	};

	if (b == NULL)
		host_skip("PEERSEC_BUILDDIR not set (run through meson test)");
	snprintf(inetd, sizeof(inetd), "%s/examples/peersec-inetd/"
		 "peersec-inetd", b);
	snprintf(whoami, sizeof(whoami), "%s/examples/peersec-inetd/"
		 "peersec-whoami", b);
	if (access(inetd, X_OK) != 0)
		host_skip("peersec-inetd was not built (no libselinux)");
	if (host_lsm_labels_peers() && host_lsm_active("selinux"))
		host_skip("SELinux is active: loopback may be labeled here; "
			  "the lab tests the launcher");
	host_enter_netns();
	strcpy(dir, "/tmp/host-inetd-XXXXXX");
	if (mkdtemp(dir) == NULL)
		host_skip("mkdtemp failed");
	signal(SIGPIPE, SIG_IGN);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (r == 0 && system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return r;
}
