/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * inetd-abuse: badly behaved clients of peersec-inetd, for the lab's abuse
 * scenario (99-inetd-abuse).  One process makes many clients: under the
 * emulated VM a process start costs more than a hundred connections.
 *
 *   inetd-abuse hold SRC DST PORT COUNT MODE STOPFILE SECONDS
 *	COUNT TCP connections from SRC, kept open until STOPFILE exists (or
 *	SECONDS passed).  MODE: idle (send nothing, read nothing), halfclose
 *	(shutdown(SHUT_WR) at once, read nothing), noread (send a line, never
 *	read).  Prints "ready" once all are connected; at the end "hold
 *	mode=M count=N connected=N answered=N": answered counts connections
 *	with something to read (a server wrote to it) or closed by the other
 *	side.
 *
 *   inetd-abuse tcp SRCS DST PORT COUNT
 *	COUNT TCP connections, the sources taken in turn from the
 *	comma-separated list SRCS; of every three one closes at once, one
 *	resets at once (SO_LINGER 0: usually before the launcher accepted
 *	it), one waits up to 5 s for an answer or the end.  Prints "tcp
 *	sent=N answered=N closed=N failed=N ms=N".
 *
 *   inetd-abuse udp SRCS DST PORT COUNT
 *	COUNT datagrams, sources in turn, each from a new socket (a new
 *	port), as fast as possible, nothing read.
 *	Prints "udp sent=N failed=N ms=N".
 *
 *   inetd-abuse echo SRC DST PORT SECONDS
 *	connect, send "ping", shut the writing side, read until EOF: exit 0
 *	when "ping" came back, 4 when nothing came within SECONDS, 3 when the
 *	connection ended without it.
 *
 *   inetd-abuse twice SRC DST PORT
 *	UDP from one socket: send "one", wait up to 5 s for the answer, then
 *	send "two" and "three" at once (the first handler still runs) and
 *	collect answers for 3 s.  Prints "twice answers=N".
 *
 *   inetd-abuse handler LOGFILE
 *	a hostile UDP handler for the launcher: answers the datagram on
 *	stdin, tries to detach the filter of its answering socket (stdout)
 *	and to attach a program to its SO_REUSEPORT group, tries to bind a
 *	socket of its own to the service's address and port (with
 *	SO_REUSEADDR, SO_REUSEPORT, both, neither), then reads from every
 *	socket it has until its answering socket has dropped 2 datagrams
 *	(what "twice" sends while it runs; SO_MEMINFO), at most 60 s, and
 *	appends "handler got=DATA
 *	detach=ok|refused steer=ok|refused bind=ok|refused stolen=N" to
 *	LOGFILE: N datagrams that reached it without the launcher judging
 *	them.
 *
 *   inetd-abuse steal ADDR PORT UID SECONDS
 *	a local process of another uid: as UID, tries to bind a UDP socket
 *	to ADDR:PORT with SO_REUSEADDR, SO_REUSEPORT, both, neither; when
 *	one binds, reads what comes for SECONDS.  Prints "ready", then
 *	"steal bind=ok|refused errno=E got=N".
 *
 * Exit 0 on success, 1 when a connection could not be made, 2 on usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <linux/filter.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef SO_MEMINFO
#define SO_MEMINFO 55
#endif

#define SRC_MAX 64

static void usage(void)
{
	fprintf(stderr,
		"usage: inetd-abuse hold SRC DST PORT COUNT idle|halfclose|"
		"noread STOPFILE SECONDS\n"
		"       inetd-abuse tcp|udp SRCS DST PORT COUNT\n"
		"       inetd-abuse echo SRC DST PORT SECONDS\n");
	exit(2);
}

static void addr_of(const char *a, int port, struct sockaddr_in *sin)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, a, &sin->sin_addr) != 1) {
		fprintf(stderr, "inetd-abuse: bad address %s\n", a);
		exit(2);
	}
}

/* SRCS, comma-separated, into @src; returns how many. */
static int sources(char *list, struct sockaddr_in *src)
{
	int n = 0;

	for (char *s = strtok(list, ","); s != NULL; s = strtok(NULL, ",")) {
		if (n == SRC_MAX)
			usage();
		addr_of(s, 0, &src[n++]);
	}
	if (n == 0)
		usage();
	return n;
}

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* A socket from @src to @dst, connected; a few retries while the backlog
 * is full.  -1 on failure. */
static int dial(int type, const struct sockaddr_in *src,
		const struct sockaddr_in *dst)
{
	for (int tries = 0; tries < 50; tries++) {
		int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
		int e;

		if (fd < 0)
			return -1;
		if (bind(fd, (const struct sockaddr *)src, sizeof(*src)) == 0 &&
		    connect(fd, (const struct sockaddr *)dst,
			    sizeof(*dst)) == 0)
			return fd;
		e = errno;
		close(fd);
		if (e != ECONNREFUSED && e != EAGAIN) {
			fprintf(stderr, "inetd-abuse: connect: %s\n",
				strerror(e));
			return -1;
		}
		usleep(20000);
	}
	return -1;
}

/* Something to read, or the end: the other side acted. */
static int answered(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLIN | POLLHUP |
						    POLLERR));
}

static int hold(char **argv)
{
	struct sockaddr_in src, dst;
	int count = atoi(argv[3]), connected = 0, got = 0;
	const char *mode = argv[4], *stop = argv[5];
	long until = now_ms() + 1000L * atoi(argv[6]);
	int *fd;

	if (count <= 0 || (strcmp(mode, "idle") != 0 &&
			   strcmp(mode, "halfclose") != 0 &&
			   strcmp(mode, "noread") != 0))
		usage();
	addr_of(argv[0], 0, &src);
	addr_of(argv[1], atoi(argv[2]), &dst);
	fd = calloc((size_t)count, sizeof(*fd));
	if (fd == NULL)
		return 2;
	for (int i = 0; i < count; i++) {
		fd[i] = dial(SOCK_STREAM, &src, &dst);
		if (fd[i] < 0)
			continue;
		connected++;
		if (strcmp(mode, "halfclose") == 0)
			shutdown(fd[i], SHUT_WR);
		else if (strcmp(mode, "noread") == 0)
			(void)!write(fd[i], "request\n", 8);
	}
	printf("ready\n");
	fflush(stdout);
	while (access(stop, F_OK) != 0 && now_ms() < until)
		usleep(50000);
	for (int i = 0; i < count; i++) {
		if (fd[i] < 0)
			continue;
		got += answered(fd[i]);
		close(fd[i]);
	}
	free(fd);
	printf("hold mode=%s count=%d connected=%d answered=%d\n", mode,
	       count, connected, got);
	return connected == count ? 0 : 1;
}

static int tcp(char **argv)
{
	struct sockaddr_in src[SRC_MAX], dst;
	int nsrc = sources(argv[0], src), count = atoi(argv[3]);
	int got = 0, closed = 0, failed = 0;
	long t0 = now_ms();
	char buf[4096];

	addr_of(argv[1], atoi(argv[2]), &dst);
	for (int i = 0; i < count; i++) {
		struct linger rst = { .l_onoff = 1, .l_linger = 0 };
		int fd = dial(SOCK_STREAM, &src[i % nsrc], &dst);

		if (fd < 0) {
			failed++;
			continue;
		}
		if (i % 3 == 1) {
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &rst,
				   sizeof(rst));
		} else if (i % 3 == 2) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			ssize_t n = 0;

			if (poll(&p, 1, 5000) == 1)
				n = recv(fd, buf, sizeof(buf), 0);
			if (n > 0)
				got++;
			else
				closed++;
		}
		close(fd);
	}
	printf("tcp sent=%d answered=%d closed=%d failed=%d ms=%ld\n", count,
	       got, closed, failed, now_ms() - t0);
	return failed == 0 ? 0 : 1;
}

/* Each datagram from a socket of its own (its own source port): while a
 * handler runs, what its sender sends from the same port is dropped
 * (peersec-inetd(8), UDP), and the flood wants every datagram judged. */
static int udp(char **argv)
{
	struct sockaddr_in src[SRC_MAX], dst;
	int nsrc = sources(argv[0], src), count = atoi(argv[3]), failed = 0;
	long t0 = now_ms();

	addr_of(argv[1], atoi(argv[2]), &dst);
	for (int i = 0; i < count; i++) {
		int fd = dial(SOCK_DGRAM, &src[i % nsrc], &dst);

		if (fd < 0 || send(fd, "abuse", 5, 0) != 5)
			failed++;
		if (fd >= 0)
			close(fd);
	}
	printf("udp sent=%d failed=%d ms=%ld\n", count, failed,
	       now_ms() - t0);
	return failed == 0 ? 0 : 1;
}

static int echo(char **argv)
{
	struct sockaddr_in src, dst;
	long until;
	char buf[256];
	size_t got = 0;
	int fd;

	addr_of(argv[0], 0, &src);
	addr_of(argv[1], atoi(argv[2]), &dst);
	until = now_ms() + 1000L * atoi(argv[3]);
	fd = dial(SOCK_STREAM, &src, &dst);
	if (fd < 0)
		return 1;
	if (write(fd, "ping\n", 5) != 5 || shutdown(fd, SHUT_WR) < 0) {
		close(fd);
		return 3;
	}
	for (;;) {
		long left = until - now_ms();
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) != 1) {
			close(fd);
			printf("echo: nothing within %s s\n", argv[3]);
			return 4;
		}
		n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
		if (got == sizeof(buf) - 1)
			break;
	}
	close(fd);
	buf[got] = '\0';
	printf("echo: %s", got ? buf : "(nothing)\n");
	return strstr(buf, "ping") != NULL ? 0 : 3;
}

static int twice(char **argv)
{
	struct sockaddr_in src, dst;
	char buf[512];
	int fd, n = 0;
	long until;

	addr_of(argv[0], 0, &src);
	addr_of(argv[1], atoi(argv[2]), &dst);
	fd = dial(SOCK_DGRAM, &src, &dst);
	if (fd < 0 || send(fd, "one", 3, 0) != 3)
		return 1;
	for (until = now_ms() + 5000; n == 0 && now_ms() < until;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, (int)(until - now_ms())) == 1 &&
		    recv(fd, buf, sizeof(buf), 0) > 0)
			n++;
	}
	if (send(fd, "two", 3, 0) != 3 || send(fd, "three", 5, 0) != 5)
		return 1;
	for (until = now_ms() + 3000; now_ms() < until;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, (int)(until - now_ms())) == 1 &&
		    recv(fd, buf, sizeof(buf), 0) > 0)
			n++;
	}
	close(fd);
	printf("twice answers=%d\n", n);
	return 0;
}

/* A UDP socket bound to @a:@port with SO_REUSEADDR (@how & 1) and
 * SO_REUSEPORT (@how & 2); -1 with errno when it cannot be. */
static int bind_udp(const char *a, int port, int how)
{
	struct sockaddr_in sin;
	int one = 1, fd;

	addr_of(a, port, &sin);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (((how & 1) && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
				     sizeof(one)) < 0) ||
	    ((how & 2) && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one,
				     sizeof(one)) < 0) ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* The first of the four ways that binds, or -1 (errno of the last). */
static int bind_any_way(const char *a, int port)
{
	int fd = -1;

	for (int how = 0; how < 4 && fd < 0; how++)
		fd = bind_udp(a, port, how);
	return fd;
}

/* Datagrams read from @fd (non-blocking) until @until. */
static int drain(int fd, long until)
{
	char buf[256];
	int n = 0;

	while (now_ms() < until) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, (int)(until - now_ms())) == 1 &&
		    recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			n++;
		else
			usleep(50000);	/* SHUT_RD: POLLIN at once */
	}
	return n;
}

/* Datagrams the kernel dropped at socket @fd (its filter included). */
static unsigned int drops(int fd)
{
	unsigned int mem[SK_MEMINFO_VARS] = { 0 };
	socklen_t len = sizeof(mem);

	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len) < 0 ||
	    len <= SK_MEMINFO_DROPS * sizeof(mem[0]))
		return 0;
	return mem[SK_MEMINFO_DROPS];
}

static int handler(const char *logfile)
{
	struct sock_filter to_one = BPF_STMT(BPF_RET | BPF_K, 1);
	struct sock_fprog prog = { .len = 1, .filter = &to_one };
	const char *la = getenv("PEERSEC_LOCAL_ADDR");
	const char *lp = getenv("PEERSEC_LOCAL_PORT");
	char data[256] = "";
	ssize_t r = read(0, data, sizeof(data) - 1);
	int stolen = 0, detached, steered, own = -1;
	long until;
	FILE *log;

	data[r > 0 ? r : 0] = '\0';
	(void)!write(1, "handled\n", 8);
	detached = setsockopt(1, SOL_SOCKET, SO_DETACH_FILTER, &(int){ 0 },
			      sizeof(int)) == 0;
	steered = setsockopt(1, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog,
			     sizeof(prog)) == 0;
	if (la != NULL && lp != NULL)
		own = bind_any_way(la, atoi(lp));
	/* Read whatever reaches it until the two datagrams its sender sends
	 * next were dropped at the answering socket; the bound catches a
	 * sender that never sends them. */
	until = now_ms() + 60000;
	while (now_ms() < until && drops(1) < 2) {
		if (own >= 0)
			stolen += drain(own, now_ms() + 100);
		stolen += drain(1, now_ms() + 100);
	}
	if (own >= 0)
		stolen += drain(own, now_ms() + 100);
	stolen += drain(1, now_ms() + 100);
	log = fopen(logfile, "ae");
	if (log == NULL)
		return 1;
	fprintf(log, "handler got=%s detach=%s steer=%s bind=%s stolen=%d\n",
		data, detached ? "ok" : "refused", steered ? "ok" : "refused",
		own >= 0 ? "ok" : "refused", stolen);
	fclose(log);
	return 0;
}

static int steal(char **argv)
{
	uid_t uid = (uid_t)atoi(argv[2]);
	int fd, e, got = 0;

	if (setgroups(0, NULL) < 0 || setresgid(uid, uid, uid) < 0 ||
	    setresuid(uid, uid, uid) < 0) {
		perror("inetd-abuse steal: setresuid");
		return 1;
	}
	fd = bind_any_way(argv[0], atoi(argv[1]));
	e = fd < 0 ? errno : 0;
	printf("ready\n");
	fflush(stdout);
	if (fd >= 0)
		got = drain(fd, now_ms() + 1000L * atoi(argv[3]));
	printf("steal bind=%s errno=%s got=%d\n", fd >= 0 ? "ok" : "refused",
	       e == EADDRINUSE ? "EADDRINUSE" : e ? strerror(e) : "0", got);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "twice") == 0)
		return twice(argv + 2);
	if (argc == 3 && strcmp(argv[1], "handler") == 0)
		return handler(argv[2]);
	if (argc == 6 && strcmp(argv[1], "steal") == 0)
		return steal(argv + 2);
	if (argc == 9 && strcmp(argv[1], "hold") == 0)
		return hold(argv + 2);
	if (argc == 6 && strcmp(argv[1], "tcp") == 0)
		return tcp(argv + 2);
	if (argc == 6 && strcmp(argv[1], "udp") == 0)
		return udp(argv + 2);
	if (argc == 6 && strcmp(argv[1], "echo") == 0)
		return echo(argv + 2);
	usage();
}
