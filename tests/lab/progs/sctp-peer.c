/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sctp-peer: both ends of SCTP associations that read labels with
 * libpeersec's SCTP functions and check them against what the kernel's
 * rules say they must be.
 *
 *   sctp-peer server [-m] [-n N] [-e EXPECT] [-E ADDR=EXPECT]... ADDR PORT
 *   sctp-peer client [-m] [-b BIND] [-x connect|connectx|sendmsg]
 *                    [-e EXPECT] [-R] ADDR PORT
 *
 * One-to-one (default): the server accepts N associations; each accepted
 * socket must hold its own peer's label.  One-to-many (-m): the server waits
 * for N associations on one SOCK_SEQPACKET socket; for every association the
 * socket must report the label of the *first* one, and after
 * peersec_sctp_peeloff() each association its own.
 *
 * The client binds to BIND (its source address, which picks the label the
 * scenario configured), sets the association up the way -x says
 * (connect(), sctp_connectx(), or an implicit setup by sctp_sendmsg() on a
 * one-to-many socket: the kernel's SCTP_SENDMSG_CONNECT path), and must read
 * EXPECT as the server's label: the connecting side's label.  One-to-many
 * clients also peel their association off and read it there.
 *
 * With -R the client expects the server's kernel to refuse the association
 * (SELinux drops the INIT when the policy denies it): it gives up after one
 * INIT and 200 ms, and succeeds when no association came up.
 *
 * EXPECT is a context, an error name such as "-ENOPROTOOPT", or "unlabeled":
 * the policy's unlabeled initial context, read from selinuxfs by the program
 * itself, which peersec_label_is_unlabeled() must also recognise.  -E sets
 * the expected label per peer address (the server's view); -e for the rest.
 *
 * Every label read is checked around its exact size (NULL buffer, one byte
 * short, exact, one more, 255, 256, 257 bytes).  Output, one line per label
 * read (lab-util.h): "peer server ADDRESS LABEL" for each association's own
 * label as the server reads it (accepted or peeled-off socket), "peer
 * server-socket ADDRESS LABEL" for what the one-to-many socket reports for
 * that association, "peer client ADDRESS LABEL" for the connecting side.
 * Servers print "ready" once they listen.  Exit 0 when every expectation
 * held, 1 when one did not, 2 on a setup error.
 *
 * Hand-shake, so that no association ends while the other side still reads
 * it: the client reads its labels, then sends "ready"; the server reads its
 * labels once all N associations sent "ready", then answers "done".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <sys/socket.h>

#include <peersec/peersec.h>

#include "lab-util.h"

#define MAX_ASSOC 16
#define MAX_EXPECT 16
#define WAIT_S 25

struct opts {
	bool many;
	int n;
	const char *expect;
	const char *bind;
	const char *via;
	bool refused;
	struct {
		const char *addr, *label;
	} per_addr[MAX_EXPECT];
	int n_per_addr;
};

static bool good = true;

__attribute__((format(printf, 2, 3)))
static void check(bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return;
	fprintf(stderr, "%s: ", lab_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	good = false;
}

/* "-ENOENT" for -ENOENT, "0" for 0: lab_errname() with every name. */
static const char *errname(int r)
{
	static __thread char name[32];
	const char *n = r < 0 ? strerrorname_np(-r) : NULL;

	if (n == NULL)
		return lab_errname(r);
	snprintf(name, sizeof(name), "-%s", n);
	return name;
}

/* ------------------------------------------------------------- labels */

static char unlabeled[4096];

static void read_unlabeled(void)
{
	int fd = open("/sys/fs/selinux/initial_contexts/unlabeled",
		      O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, unlabeled, sizeof(unlabeled) - 1) : -1;

	if (fd >= 0)
		close(fd);
	unlabeled[n > 0 ? n : 0] = '\0';
}

/* EXPECT as the label it stands for. */
static const char *resolve(const char *expect)
{
	if (expect != NULL && strcmp(expect, "unlabeled") == 0)
		return unlabeled;
	return expect;
}

static const char *expect_for(const struct opts *o, const char *addr)
{
	for (int i = 0; i < o->n_per_addr; i++)
		if (strcmp(o->per_addr[i].addr, addr) == 0)
			return resolve(o->per_addr[i].label);
	return resolve(o->expect);
}

/* Compare with what is expected; a label must also get the right answer
 * from the unlabeled detector. */
static void expect_label(const char *what, const char *expect,
			 const char *got)
{
	int u;

	good &= lab_expect(what, expect, got);
	if (got[0] == '-')
		return;		/* an error name */
	u = peersec_label_is_unlabeled(got);
	fprintf(stderr, "%s: %s: peersec_label_is_unlabeled = %d\n",
		lab_prog, what, u);
	check(u == (strcmp(got, unlabeled) == 0),
	      "%s: unlabeled detector disagrees with selinuxfs (%s)", what,
	      unlabeled);
}

/* peersec_sctp_assoc_label() with @size bytes must give the label when it
 * fits with its NUL, else -ERANGE and the exact size. */
static void check_size(int fd, sctp_assoc_t id, const char *label,
		       size_t size)
{
	size_t need = strlen(label) + 1, len = size;
	char *buf = size != 0 ? malloc(size) : NULL;
	int r;

	if (size != 0 && buf == NULL)
		lab_die("out of memory");
	r = peersec_sctp_assoc_label(fd, id, buf, &len);
	if (need <= size ? r != 0 || len != need - 1 || strcmp(buf, label)
			 : r != -ERANGE || len != need) {
		lab_err("peersec_sctp_assoc_label(id %d) with %zu bytes: %s "
			"len %zu; label needs %zu", (int)id, size,
			errname(r), len, need);
		good = false;
	}
	free(buf);
}

/* The label of association @id of @fd, or the error name; free() it. */
static char *assoc_label(int fd, sctp_assoc_t id)
{
	size_t len = 0, need;
	char *label;
	int r = peersec_sctp_assoc_label(fd, id, NULL, &len);

	if (r != -ERANGE)
		return strdup(errname(r));
	need = len;
	label = malloc(need);
	if (label == NULL)
		lab_die("out of memory");
	r = peersec_sctp_assoc_label(fd, id, label, &len);
	if (r != 0) {
		lab_err("second read (%zu bytes): %s", need, errname(r));
		good = false;
		free(label);
		return strdup(errname(r));
	}
	size_t sizes[] = { 0, need - 1, need, need + 1, 255, 256, 257 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		check_size(fd, id, label, sizes[i]);
	return label;
}

static void expect_err(const char *what, int r, int want)
{
	check(r == want, "%s: got %s, expected %s", what, errname(r),
	      errname(want));
}

/* The function's answer for an association that is not there. */
static void expect_no_assoc(int fd, sctp_assoc_t id, int want)
{
	char buf[64], what[64];
	size_t len = sizeof(buf);

	snprintf(what, sizeof(what), "assoc_label(id %d)", (int)id);
	expect_err(what, peersec_sctp_assoc_label(fd, id, buf, &len), want);
}

/* ------------------------------------------------------------ sockets */

/* "ready" on stdout once the server listens: the scenario starts the
 * clients then (sctp_bg_ready). */
static void say_ready(void)
{
	printf("ready\n");
	fflush(stdout);
}

static void timeouts(int fd)
{
	struct timeval tv = { WAIT_S * lab_scale(), 0 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static void subscribe(int fd)
{
	struct sctp_event_subscribe ev = {
		.sctp_data_io_event = 1,
		.sctp_association_event = 1,
	};

	if (setsockopt(fd, IPPROTO_SCTP, SCTP_EVENTS, &ev, sizeof(ev)) < 0)
		lab_die("SCTP_EVENTS: %s", strerror(errno));
}

static sctp_assoc_t status_id(int fd)
{
	struct sctp_status st = { 0 };
	socklen_t len = sizeof(st);

	if (sctp_opt_info(fd, 0, SCTP_STATUS, &st, &len) < 0)
		lab_die("SCTP_STATUS: %s", strerror(errno));
	return st.sstat_assoc_id;
}

static const char *addr_text(const struct sockaddr *sa)
{
	static char name[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
			  name, sizeof(name));
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)sa)->sin6_addr, name,
			  sizeof(name));
	else
		snprintf(name, sizeof(name), "?");
	return name;
}

/* The primary peer address of association @id. */
static const char *assoc_peer(int fd, sctp_assoc_t id)
{
	struct sctp_status st = { 0 };
	socklen_t len = sizeof(st);

	if (sctp_opt_info(fd, id, SCTP_STATUS, &st, &len) < 0)
		lab_die("SCTP_STATUS(%d): %s", (int)id, strerror(errno));
	return addr_text((struct sockaddr *)&st.sstat_primary.spinfo_address);
}

/* Receive one message; *id is its association, *event the SCTP_ASSOC_CHANGE
 * state for a notification (-1 for data). */
static ssize_t receive(int fd, char *buf, size_t size, sctp_assoc_t *id,
		       int *event)
{
	struct sctp_sndrcvinfo sinfo = { 0 };
	int flags = 0;
	ssize_t n = sctp_recvmsg(fd, buf, size - 1, NULL, NULL, &sinfo,
				 &flags);

	if (n < 0)
		return n;
	buf[n] = '\0';
	*event = -1;
	*id = sinfo.sinfo_assoc_id;
	if (flags & MSG_NOTIFICATION) {
		union sctp_notification sn;

		memset(&sn, 0, sizeof(sn));
		memcpy(&sn, buf,
		       (size_t)n < sizeof(sn) ? (size_t)n : sizeof(sn));
		*event = -2;
		if (sn.sn_header.sn_type == SCTP_ASSOC_CHANGE) {
			*event = sn.sn_assoc_change.sac_state;
			*id = sn.sn_assoc_change.sac_assoc_id;
		}
	}
	return n;
}

static void send_line(int fd, const char *s)
{
	if (sctp_sendmsg(fd, s, strlen(s), NULL, 0, 0, 0, 0, 0, 0) < 0)
		lab_die("sctp_sendmsg: %s", strerror(errno));
}

/* Wait for "done" on a socket that holds one association. */
static void wait_done(int fd)
{
	char buf[256];
	sctp_assoc_t id;
	int event;

	for (;;) {
		if (receive(fd, buf, sizeof(buf), &id, &event) < 0)
			lab_die("waiting for done: %s", strerror(errno));
		if (event == -1 && strncmp(buf, "done", 4) == 0)
			return;
	}
}

/* ------------------------------------------------------------- server */

static int server_one_to_one(const struct opts *o, const struct lab_addr *a)
{
	int fds[MAX_ASSOC];
	int lfd = lab_listen(SOCK_STREAM, IPPROTO_SCTP, a, MAX_ASSOC);
	char buf[64];
	size_t len = sizeof(buf);
	int nfd;

	timeouts(lfd);
	say_ready();
	expect_err("listening socket", peersec_sctp_assoc_label(lfd, 0, buf,
								  &len),
		   -ENOTCONN);
	for (int i = 0; i < o->n; i++) {
		fds[i] = accept(lfd, NULL, NULL);
		if (fds[i] < 0)
			lab_die("accept: %s", strerror(errno));
		timeouts(fds[i]);
	}
	for (int i = 0; i < o->n; i++) {
		char line[1024], *label, *by_id;
		const char *peer = lab_peer_name(fds[i]);
		sctp_assoc_t id;
		int event;

		do {
			if (receive(fds[i], line, sizeof(line), &id,
				    &event) < 0)
				lab_die("waiting for ready: %s",
					strerror(errno));
		} while (event != -1 || strncmp(line, "ready", 5) != 0);

		id = status_id(fds[i]);
		label = assoc_label(fds[i], 0);
		by_id = assoc_label(fds[i], id);
		printf("peer server %s %s\n", peer, label);
		expect_label("accepted socket", expect_for(o, peer), label);
		check(strcmp(label, by_id) == 0,
		      "id 0 gave %s but the association's id %s", label,
		      by_id);
		expect_no_assoc(fds[i], id + 1000, -ENOENT);
		len = sizeof(buf);
		expect_err("peel-off on a one-to-one socket",
			   peersec_sctp_peeloff(fds[i], id, 0, &nfd, buf,
						&len), -EOPNOTSUPP);
		check(nfd == -1, "newfd %d after a failed peel-off", nfd);
		send_line(fds[i], "done\n");
		free(label);
		free(by_id);
	}
	for (int i = 0; i < o->n; i++)
		close(fds[i]);
	close(lfd);
	return good ? 0 : 1;
}

struct assoc {
	sctp_assoc_t id;
	char peer[INET6_ADDRSTRLEN];
	bool up, ready;
};

static int server_one_to_many(const struct opts *o, const struct lab_addr *a)
{
	struct assoc as[MAX_ASSOC];
	int fd = lab_listen(SOCK_SEQPACKET, IPPROTO_SCTP, a, MAX_ASSOC);
	int n_up = 0, n_ready = 0;
	const char *first;

	timeouts(fd);
	subscribe(fd);
	say_ready();
	expect_no_assoc(fd, 0, -ENOENT);
	memset(as, 0, sizeof(as));

	while (n_up < o->n || n_ready < o->n) {
		char buf[1024];
		sctp_assoc_t id;
		int event, i;

		if (receive(fd, buf, sizeof(buf), &id, &event) < 0)
			lab_die("waiting for %d associations (%d up, %d "
				"ready): %s", o->n, n_up, n_ready,
				strerror(errno));
		for (i = 0; i < n_up; i++)
			if (as[i].id == id)
				break;
		if (event == SCTP_COMM_UP && i == n_up && n_up < MAX_ASSOC) {
			as[i].id = id;
			as[i].up = true;
			snprintf(as[i].peer, sizeof(as[i].peer), "%s",
				 assoc_peer(fd, id));
			fprintf(stderr, "%s: association %d from %s is up\n",
				lab_prog, (int)id, as[i].peer);
			n_up++;
		} else if (event == -1 && i < n_up && !as[i].ready &&
			   strncmp(buf, "ready", 5) == 0) {
			as[i].ready = true;
			n_ready++;
		}
	}

	/* The socket holds the first association's label, for every one. */
	first = expect_for(o, as[0].peer);
	for (int i = 0; i < o->n; i++) {
		char *label = assoc_label(fd, as[i].id);

		printf("peer server-socket %s %s\n", as[i].peer, label);
		expect_label("one-to-many socket (first association's label)",
			     first, label);
		free(label);
	}
	for (sctp_assoc_t id = 0; id <= SCTP_ALL_ASSOC; id++)
		expect_no_assoc(fd, id, -ENOENT);
	expect_no_assoc(fd, as[o->n - 1].id + 1000, -ENOENT);
	{
		char buf[64];
		size_t len = sizeof(buf);
		int nfd = 42;

		expect_err("peel-off of an unknown id",
			   peersec_sctp_peeloff(fd, as[o->n - 1].id + 1000, 0,
						&nfd, buf, &len), -ENOENT);
		check(nfd == -1, "newfd %d after a failed peel-off", nfd);
	}

	/* Each association, peeled off, has its own label.  Every other one
	 * with a buffer too small: -ERANGE must keep the association. */
	for (int i = 0; i < o->n; i++) {
		static char big[65536];
		char small[8];
		size_t len = i % 2 ? sizeof(big) : sizeof(small);
		char *label;
		int nfd = 42;
		int r = peersec_sctp_peeloff(fd, as[i].id, SOCK_CLOEXEC, &nfd,
					     i % 2 ? big : small, &len);

		if (nfd < 0) {
			lab_err("peel-off of %d: %s", (int)as[i].id,
				errname(r));
			good = false;
			continue;
		}
		label = assoc_label(nfd, as[i].id);
		if (i % 2) {
			check(r == 0 && strcmp(big, label) == 0,
			      "peel-off gave %s, then %s", big, label);
		} else {
			check(r == -ERANGE && len == strlen(label) + 1,
			      "peel-off into 8 bytes: %s (%s)", errname(r),
			      label);
		}
		printf("peer server %s %s\n", as[i].peer, label);
		expect_label("peeled-off association (its own label)",
			     expect_for(o, as[i].peer), label);
		expect_no_assoc(fd, as[i].id, -ENOENT);	/* it moved */
		{
			char b[64];
			size_t l = sizeof(b);
			int again;

			expect_err("peel-off from a peeled-off socket",
				   peersec_sctp_peeloff(nfd, as[i].id, 0,
							&again, b, &l),
				   -EOPNOTSUPP);
		}
		send_line(nfd, "done\n");
		free(label);
		close(nfd);
	}
	close(fd);
	return good ? 0 : 1;
}

/* ------------------------------------------------------------- client */

static int client_socket(const struct opts *o, const struct lab_addr *a,
			 int type)
{
	int fd = socket(a->family, type | SOCK_CLOEXEC, IPPROTO_SCTP);

	if (fd < 0)
		lab_die("socket: %s", strerror(errno));
	timeouts(fd);
	if (o->bind != NULL) {
		struct lab_addr b;

		lab_parse_addr(o->bind, "0", &b);
		if (bind(fd, (struct sockaddr *)&b.ss, b.len) < 0)
			lab_die("bind %s: %s", o->bind, strerror(errno));
	}
	if (type == SOCK_SEQPACKET)
		subscribe(fd);
	return fd;
}

static void pause_a_bit(void)
{
	struct timespec t = { 0, 100 * 1000 * 1000 };

	nanosleep(&t, NULL);
}

/* Set an association up on @fd; its id.  Retries while the server is not
 * listening yet. */
static sctp_assoc_t associate(const struct opts *o, const struct lab_addr *a,
			      int *fdp, int type)
{
	for (int tries = 0; tries < WAIT_S * lab_scale() * 10; tries++) {
		int fd = *fdp, r = 0, event;
		sctp_assoc_t id = 0, got;
		char buf[1024];

		if (strcmp(o->via, "connectx") == 0)
			r = sctp_connectx(fd, (struct sockaddr *)&a->ss, 1,
					  &id);
		else if (strcmp(o->via, "sendmsg") == 0)
			r = sctp_sendmsg(fd, "hello\n", 6,
					 (struct sockaddr *)&a->ss, a->len, 0,
					 0, 0, 0, 0) < 0 ? -1 : 0;
		else
			r = connect(fd, (struct sockaddr *)&a->ss, a->len);
		if (r == 0 && type == SOCK_STREAM)
			return id != 0 ? id : status_id(fd);
		if (r == 0) {
			/* One-to-many: the association is usable, and its
			 * label known, once COMM_UP is in. */
			while (receive(fd, buf, sizeof(buf), &got,
				       &event) >= 0) {
				if (event == SCTP_COMM_UP) {
					if (id != 0 && got != id)
						lab_die("connectx said %d, "
							"COMM_UP %d", (int)id,
							(int)got);
					return got;
				}
				if (event == SCTP_CANT_STR_ASSOC ||
				    event == SCTP_COMM_LOST)
					break;
			}
		} else if (errno != ECONNREFUSED) {
			lab_die("%s: %s", o->via, strerror(errno));
		}
		close(fd);
		pause_a_bit();
		*fdp = client_socket(o, a, type);
	}
	lab_die("no association after %d s", WAIT_S * lab_scale());
}

/*
 * -R: the association must not come up.  While its INIT goes unanswered the
 * association is being set up: the library must say so (-EINPROGRESS on a
 * one-to-many socket, -ENOTCONN on a one-to-one one) instead of handing out
 * the socket's initial peer label, which SELinux sets to "unlabeled".
 */
static int refused(const struct opts *o, const struct lab_addr *a, int type)
{
	struct sctp_initmsg init = {
		.sinit_max_attempts = 1,
		.sinit_max_init_timeo = 200,
	};
	struct sctp_rtoinfo rto = {
		.srto_initial = 200, .srto_max = 200, .srto_min = 100,
	};
	int fd = client_socket(o, a, type), fl, r, e, lr, kr;
	const char *to = addr_text((struct sockaddr *)&a->ss);
	char buf[256], raw[256];
	size_t len = sizeof(buf);
	socklen_t n = sizeof(raw);
	sctp_assoc_t id = 0;

	if (setsockopt(fd, IPPROTO_SCTP, SCTP_INITMSG, &init,
		       sizeof(init)) < 0 ||
	    setsockopt(fd, IPPROTO_SCTP, SCTP_RTOINFO, &rto, sizeof(rto)) < 0)
		lab_die("SCTP_INITMSG/SCTP_RTOINFO: %s", strerror(errno));
	fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	r = sctp_connectx(fd, (struct sockaddr *)&a->ss, 1, &id);
	e = errno;
	if (r == 0 || e != EINPROGRESS) {
		lab_err("sctp_connectx: %s", r == 0 ? "up at once"
						   : strerror(e));
		return 1;
	}

	lr = peersec_sctp_assoc_label(fd, type == SOCK_SEQPACKET ? id : 0,
				      buf, &len);
	kr = getsockopt(fd, SOL_SOCKET, SO_PEERSEC, raw, &n);
	printf("peer client-setup %s %s\n", to, errname(lr));
	fprintf(stderr, "%s: association %d being set up: library %s, "
		"kernel's SO_PEERSEC %s\n", lab_prog, (int)id, errname(lr),
		kr == 0 ? raw : strerror(errno));
	expect_err("label while the association is set up", lr,
		   type == SOCK_SEQPACKET ? -EINPROGRESS : -ENOTCONN);

	fcntl(fd, F_SETFL, fl);
	if (type == SOCK_SEQPACKET) {
		sctp_assoc_t got;
		int event;

		e = ETIMEDOUT;
		while (receive(fd, raw, sizeof(raw), &got, &event) >= 0) {
			if (event == SCTP_COMM_UP) {
				e = 0;
				break;
			}
			if (event == SCTP_CANT_STR_ASSOC ||
			    event == SCTP_COMM_LOST)
				break;
		}
	} else {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		socklen_t el = sizeof(e);

		if (poll(&p, 1, WAIT_S * 1000) != 1 ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0)
			e = ETIMEDOUT;
	}
	if (e == 0) {
		printf("peer client %s association-up\n", to);
		lab_err("the association was let in");
		return 1;
	}
	printf("peer client %s %s\n", to, errname(-e));
	fprintf(stderr, "%s: no association, as expected: %s\n", lab_prog,
		strerror(e));
	close(fd);
	return good ? 0 : 1;
}

static int client(const struct opts *o, const struct lab_addr *a)
{
	int type = o->many ? SOCK_SEQPACKET : SOCK_STREAM;
	const char *expect = resolve(o->expect);
	char peer[INET6_ADDRSTRLEN];
	sctp_assoc_t id;
	char *label;
	int fd;

	if (o->refused)
		return refused(o, a, type);
	fd = client_socket(o, a, type);

	if (!o->many)
		expect_no_assoc(fd, 0, -ENOTCONN);
	id = associate(o, a, &fd, type);
	snprintf(peer, sizeof(peer), "%s", assoc_peer(fd, id));
	fprintf(stderr, "%s: association %d with %s is up (via %s)\n",
		lab_prog, (int)id, peer, o->via);

	label = assoc_label(fd, o->many ? id : 0);
	printf("peer client %s %s\n", peer, label);
	expect_label("connecting side", expect, label);
	if (!o->many) {
		char *by_id = assoc_label(fd, id);

		check(strcmp(label, by_id) == 0, "id 0: %s, own id: %s", label,
		      by_id);
		free(by_id);
		send_line(fd, "ready\n");
		wait_done(fd);
	} else {
		char buf[4096];
		size_t len = sizeof(buf);
		int nfd;
		int r = peersec_sctp_peeloff(fd, id, 0, &nfd, buf, &len);

		expect_no_assoc(fd, id + 1000, -ENOENT);
		if (nfd < 0)
			lab_die("client peel-off: %s", errname(r));
		check(r == 0 && strcmp(buf, label) == 0,
		      "peeled off: %s, socket: %s", r == 0 ? buf : "error",
		      label);
		expect_no_assoc(fd, id, -ENOENT);
		send_line(nfd, "ready\n");
		wait_done(nfd);
		close(nfd);
	}
	free(label);
	close(fd);
	return good ? 0 : 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: %s server [-m] [-n N] [-e EXPECT] "
		"[-E ADDR=EXPECT]... ADDR PORT\n"
		"       %s client [-m] [-b BIND] "
		"[-x connect|connectx|sendmsg] [-e EXPECT] [-R] ADDR PORT\n",
		lab_prog, lab_prog);
	exit(2);
}

int main(int argc, char **argv)
{
	struct opts o = { .n = 1, .via = "connect" };
	struct lab_addr a;
	const char *mode;
	char *eq;
	int c;

	lab_init(argv[0]);
	if (argc < 2)
		usage();
	mode = argv[1];
	argc--;
	argv++;
	while ((c = getopt(argc, argv, "mn:e:E:b:x:R")) != -1) {
		switch (c) {
		case 'm': o.many = true; break;
		case 'n': o.n = atoi(optarg); break;
		case 'e': o.expect = optarg; break;
		case 'b': o.bind = optarg; break;
		case 'x': o.via = optarg; break;
		case 'R': o.refused = true; break;
		case 'E':
			eq = strchr(optarg, '=');
			if (eq == NULL || o.n_per_addr == MAX_EXPECT)
				usage();
			*eq = '\0';
			o.per_addr[o.n_per_addr].addr = optarg;
			o.per_addr[o.n_per_addr++].label = eq + 1;
			break;
		default: usage();
		}
	}
	if (optind + 2 != argc || o.n < 1 || o.n > MAX_ASSOC)
		usage();
	if (strcmp(o.via, "connect") != 0 && strcmp(o.via, "connectx") != 0 &&
	    strcmp(o.via, "sendmsg") != 0)
		usage();
	if (strcmp(o.via, "sendmsg") == 0 && (!o.many || o.refused))
		lab_die("-x sendmsg sets up associations on one-to-many "
			"sockets only (-m)");
	lab_parse_addr(argv[optind], argv[optind + 1], &a);
	read_unlabeled();

	if (strcmp(mode, "server") == 0)
		return o.many ? server_one_to_many(&o, &a)
			      : server_one_to_one(&o, &a);
	if (strcmp(mode, "client") == 0)
		return client(&o, &a);
	usage();
}
