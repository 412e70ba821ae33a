/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * unix-peer: both ends of an AF_UNIX exchange whose receiver reads each
 * message's label through SO_PASSSEC (peersec_dgram_enable) and checks it,
 * with credentials and descriptors in the same messages.
 *
 *   unix-peer server [-t dgram|stream|seqpacket] [-o] [-b] [-k K] -n N PATH
 *   unix-peer client [-t dgram|stream|seqpacket] [-f NFDS] [-c COUNT] PATH
 *
 * The client sends COUNT messages "CTX PID NFDS" (CTX: its own context,
 * which is its socket's label, "-" without SELinux; PID: its pid), each with NFDS descriptors
 * attached (SCM_RIGHTS), and on stream and seqpacket sockets waits for a
 * one-byte answer to each, so that no two messages merge into one read.
 *
 * The server binds PATH (a datagram socket, or a listener that accepts one
 * connection), sets SO_PASSCRED and calls peersec_dgram_enable(), and
 * receives N messages with a control buffer of room for the credentials
 * and K descriptors (default 2):
 *   default  peersec_dgram_recvmsg();
 *   -b       peersec_dgram_recvmmsg() in batches of up to 4;
 *   -o       its own recvmsg(2) with PEERSEC_CMSG_LABEL_SPACE more room,
 *            then peersec_cmsg_label().
 * For each message it checks: the label is the sender's CTX; SCM_CREDENTIALS
 * came with the sender's pid; no SCM_SECURITY is left among the caller's
 * messages (except with -o, where it must be there); exactly min(NFDS, K)
 * descriptors arrived, MSG_CTRUNC set exactly when NFDS > K; and once they
 * are closed, the process holds as many descriptors as before the receive.
 * It prints "peer receiver unix LABEL" once per label.
 * Exit 0 when all held, 1 when one did not, 2 on a setup error.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <selinux/selinux.h>

#include <peersec/peersec.h>

#include "kernel-abi.h"
#include "lab-util.h"

#define MAX_FDS 64
#define VLEN 4

static int type = SOCK_DGRAM;
static bool failed;

/* a failed check: said, and the exit status says so */
#define bad(...) (lab_err(__VA_ARGS__), failed = true)

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		lab_die("/proc/self/fd: %s", strerror(errno));
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;
}

static void address(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		lab_die("path too long");
	strcpy(sun->sun_path, path);
}

/* ---- client ---------------------------------------------------------- */

static int client(const char *path, int nfds, int count)
{
	struct sockaddr_un sun;
	char *con = NULL, text[1024];
	int fd, fds[MAX_FDS], tries = 0;

	if (getcon_raw(&con) < 0)
		con = NULL;	/* no SELinux: expect no label ("-") */
	for (int i = 0; i < nfds; i++)
		fds[i] = 0;	/* stdin, nfds times */
	address(path, &sun);
	fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		lab_die("socket: %s", strerror(errno));
	if (type != SOCK_DGRAM) {
		while (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
			if (++tries > 500)
				lab_die("connect %s: %s", path, strerror(errno));
			usleep(20000);
		}
	}
	snprintf(text, sizeof(text), "%s %ld %d", con != NULL ? con : "-",
		 (long)getpid(), nfds);
	for (int i = 0; i < count; i++) {
		union {
			struct cmsghdr align;
			char buf[CMSG_SPACE(MAX_FDS * sizeof(int))];
		} ctl;
		struct iovec iov = { text, strlen(text) };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

		memset(&ctl, 0, sizeof(ctl));	/* the padding is sent too */
		if (type == SOCK_DGRAM) {
			msg.msg_name = &sun;
			msg.msg_namelen = sizeof(sun);
		}
		if (nfds > 0) {
			struct cmsghdr *c = (struct cmsghdr *)ctl.buf;

			msg.msg_control = ctl.buf;
			msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
			memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
		}
		while (sendmsg(fd, &msg, 0) < 0) {
			/* the server may not be bound yet */
			if ((errno != ENOENT && errno != ECONNREFUSED) ||
			    ++tries > 500)
				lab_die("sendmsg: %s", strerror(errno));
			usleep(20000);
		}
		if (type != SOCK_DGRAM && read(fd, text + sizeof(text) - 1, 1) != 1)
			lab_die("no answer from the server");
	}
	printf("sent %d as %s\n", count, con != NULL ? con : "-");
	freecon(con);
	close(fd);
	return 0;
}

/* ---- server ---------------------------------------------------------- */

struct check {
	int fds, creds, labels;
	pid_t pid;
};

static void scan(const struct msghdr *m, struct check *c)
{
	memset(c, 0, sizeof(*c));
	if (m->msg_control == NULL)
		return;
	for (struct cmsghdr *h = CMSG_FIRSTHDR(m); h != NULL;
	     h = CMSG_NXTHDR((struct msghdr *)m, h)) {
		if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS) {
			size_t n = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (size_t i = 0; i < n; i++) {
				int fd;

				memcpy(&fd, CMSG_DATA(h) + i * sizeof(int),
				       sizeof(fd));
				close(fd);
				c->fds++;
			}
		} else if (h->cmsg_level == SOL_SOCKET &&
			   h->cmsg_type == SCM_CREDENTIALS) {
			struct ucred u;

			memcpy(&u, CMSG_DATA(h), sizeof(u));
			c->pid = u.pid;
			c->creds++;
		} else if ((h->cmsg_level == SOL_SOCKET ||
			    h->cmsg_level == SOL_IP) &&
			   h->cmsg_type == SCM_SECURITY) {
			c->labels++;
		}
	}
}

static char last[PEERSEC_UDP_LABEL_MAX];

/* One message received: its text, the library's label and what came in
 * msg_control.  @k: room for descriptors; with @own, the size of the
 * caller's whole control buffer instead. */
static void judge(const char *text, size_t len, const char *label,
		  const struct msghdr *m, int k, bool own, int before)
{
	char claim[1024], con[1024];
	long pid = 0;
	int nfds = 0, want;
	struct check c;

	if (len >= sizeof(claim))
		len = sizeof(claim) - 1;
	memcpy(claim, text, len);
	claim[len] = '\0';
	if (sscanf(claim, "%1023s %ld %d", con, &pid, &nfds) != 3) {
		bad("malformed message '%s'", claim);
		return;
	}
	if (strcmp(label, last) != 0) {
		printf("peer receiver unix %s\n", label[0] ? label : "none");
		snprintf(last, sizeof(last), "%s", label);
	}
	if (strcmp(label, strcmp(con, "-") == 0 ? "" : con) != 0)
		bad("label '%s' is not the sender's context %s", label, con);
	scan(m, &c);
	if (c.creds != 1 || c.pid != pid)
		bad("%s: %d credentials, pid %ld (sent %ld)", con, c.creds,
		    (long)c.pid, pid);
	if (c.labels != (own && label[0] != '\0' ? 1 : 0))
		bad("%s: %d SCM_SECURITY messages among the caller's", con,
		    c.labels);
	if (own) {
		/* The caller's own buffer: what the credentials and the label
		 * leave of it holds whole descriptors. */
		size_t room = (size_t)k - CMSG_SPACE(sizeof(struct ucred)) -
			      (label[0] != '\0' ?
			       CMSG_SPACE(strlen(label) + 1) : 0);

		k = room > CMSG_LEN(0) ?
		    (int)((room - CMSG_LEN(0)) / sizeof(int)) : 0;
	}
	want = nfds < k ? nfds : k;
	if (c.fds != want)
		bad("%s: %d descriptors delivered, want %d", con, c.fds, want);
	if (((m->msg_flags & MSG_CTRUNC) != 0) != (nfds > k))
		bad("%s: MSG_CTRUNC %d with %d descriptors", con,
		    (m->msg_flags & MSG_CTRUNC) != 0, nfds);
	if (before >= 0 && count_fds() != before)
		bad("%s: %d descriptors open, %d before", con, count_fds(),
		    before);
}

/* Stream and seqpacket: one connection per client, one after another;
 * SO_PASSSEC and SO_PASSCRED are set on each accepted socket. */
static int next_client(int lfd, int old)
{
	int fd, one = 1, r;

	if (old >= 0)
		close(old);
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		lab_die("accept: %s", strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0)
		lab_die("SO_PASSCRED: %s", strerror(errno));
	r = peersec_dgram_enable(fd);
	if (r < 0)
		lab_die("peersec_dgram_enable: %s", lab_errname(r));
	return fd;
}

static int server(const char *path, int n, int k, bool own, bool batch)
{
	struct sockaddr_un sun;
	int fd, lfd = -1, one = 1, r;
	size_t space = CMSG_SPACE(sizeof(struct ucred)) +
		       (k > 0 ? CMSG_SPACE(k * sizeof(int)) : 0);

	address(path, &sun);
	unlink(path);
	fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		lab_die("bind %s: %s", path, strerror(errno));
	if (type != SOCK_DGRAM) {
		/* On the listener: accept() passes both options on, and a
		 * client may send before its connection is accepted (the
		 * kernel attaches credentials at send time). */
		if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one,
			       sizeof(one)) < 0)
			lab_die("SO_PASSCRED: %s", strerror(errno));
		r = peersec_dgram_enable(fd);
		if (r < 0)
			lab_die("peersec_dgram_enable: %s", lab_errname(r));
		if (listen(fd, 4) < 0)
			lab_die("listen: %s", strerror(errno));
		lfd = fd;
	}
	lab_ready();
	if (type != SOCK_DGRAM)
		fd = next_client(lfd, -1);
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0)
		lab_die("SO_PASSCRED: %s", strerror(errno));
	r = peersec_dgram_enable(fd);
	if (r < 0)
		lab_die("peersec_dgram_enable: %s", lab_errname(r));

	for (int got = 0; got < n;) {
		static union {
			struct cmsghdr align;
			char buf[PEERSEC_UDP_CONTROL_SPACE(512)];
		} ctl[VLEN];
		char data[VLEN][1024], label[PEERSEC_UDP_LABEL_MAX];
		struct iovec iov[VLEN];
		struct mmsghdr vec[VLEN];
		struct peersec_udp_label labels[VLEN];
		size_t label_len = sizeof(label);
		int before = count_fds(), cnt = 1;
		ssize_t len;

		memset(vec, 0, sizeof(vec));
		for (int i = 0; i < VLEN; i++) {
			iov[i].iov_base = data[i];
			iov[i].iov_len = sizeof(data[i]);
			vec[i].msg_hdr.msg_iov = &iov[i];
			vec[i].msg_hdr.msg_iovlen = 1;
			vec[i].msg_hdr.msg_control = ctl[i].buf;
		}
		if (batch) {
			for (int i = 0; i < VLEN; i++)
				vec[i].msg_hdr.msg_controllen =
					PEERSEC_UDP_CONTROL_SPACE(space);
			cnt = peersec_dgram_recvmmsg(fd, vec,
						     type == SOCK_DGRAM ? VLEN : 1,
						     MSG_WAITFORONE, NULL,
						     labels);
			if (cnt < 0)
				lab_die("peersec_dgram_recvmmsg: %s",
					lab_errname(cnt));
			for (int i = 0; i < cnt; i++) {
				if (labels[i].error != 0) {
					bad("label error %s",
					    lab_errname(labels[i].error));
					continue;
				}
				/* later datagrams' descriptors are still
				 * open: count once the batch is judged */
				judge(data[i], vec[i].msg_len, labels[i].label,
				      &vec[i].msg_hdr, k, false, -1);
			}
			if (count_fds() != before)
				bad("batch of %d: %d descriptors open, %d before",
				    cnt, count_fds(), before);
		} else if (own) {
			struct msghdr *m = &vec[0].msg_hdr;

			m->msg_controllen = space + PEERSEC_CMSG_LABEL_SPACE;
			len = recvmsg(fd, m, 0);
			if (len < 0)
				lab_die("recvmsg: %s", strerror(errno));
			if (len == 0 && type != SOCK_DGRAM) {
				fd = next_client(lfd, fd);
				continue;
			}
			r = peersec_cmsg_label(m, label, &label_len);
			if (r < 0) {
				bad("peersec_cmsg_label: %s", lab_errname(r));
				label[0] = '\0';
			}
			judge(data[0], (size_t)len, label, m,
			      (int)(space + PEERSEC_CMSG_LABEL_SPACE), true,
			      before);
		} else {
			struct msghdr *m = &vec[0].msg_hdr;

			m->msg_controllen = space;
			len = peersec_dgram_recvmsg(fd, m, 0, label, &label_len);
			if (len < 0)
				lab_die("peersec_dgram_recvmsg: %s",
					lab_errname((int)len));
			if (len == 0 && type != SOCK_DGRAM) {
				fd = next_client(lfd, fd);
				continue;
			}
			judge(data[0], (size_t)len, label, m, k, false, before);
		}
		got += cnt;
		if (type != SOCK_DGRAM && write(fd, "k", 1) != 1)
			lab_die("answer: %s", strerror(errno));
	}
	close(fd);
	if (lfd >= 0)
		close(lfd);
	if (type == SOCK_DGRAM)
		unlink(path);
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	int opt, n = 1, k = 2, nfds = 0, count = 1;
	bool own = false, batch = false;
	const char *mode;

	lab_init(argv[0]);
	if (argc < 2)
		goto usage;
	mode = argv[1];
	optind = 2;
	while ((opt = getopt(argc, argv, "t:obk:n:f:c:")) != -1) {
		switch (opt) {
		case 't':
			type = strcmp(optarg, "stream") == 0 ? SOCK_STREAM :
			       strcmp(optarg, "seqpacket") == 0 ? SOCK_SEQPACKET :
			       SOCK_DGRAM;
			break;
		case 'o': own = true; break;
		case 'b': batch = true; break;
		case 'k': k = atoi(optarg); break;
		case 'n': n = atoi(optarg); break;
		case 'f': nfds = atoi(optarg); break;
		case 'c': count = atoi(optarg); break;
		default: goto usage;
		}
	}
	if (optind + 1 != argc || nfds < 0 || nfds > MAX_FDS || k < 0 ||
	    k > MAX_FDS)
		goto usage;
	if (strcmp(mode, "server") == 0)
		return server(argv[optind], n, k, own, batch);
	if (strcmp(mode, "client") == 0)
		return client(argv[optind], nfds, count);
usage:
	fprintf(stderr, "usage: unix-peer server|client [options] PATH\n");
	return 2;
}
