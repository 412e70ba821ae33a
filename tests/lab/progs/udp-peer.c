/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * udp-peer: both ends of a UDP exchange that read each datagram's label with
 * libpeersec and check it.
 *
 *   udp-peer server [-s SOCKCON] [-n N] [-b VLEN] [-M] [-w W] [-e EXPECT]
 *                   [-m] [-p PKTADDR] ADDR PORT
 *   udp-peer client [-s SOCKCON] [-S SRCADDR] [-c CLAIM] [-k COUNT] [-B]
 *                   [-e EXPECT] [-x ECHO] ADDR PORT
 *
 * A client sends COUNT datagrams "SEQ CLAIM" (CLAIM is the label it expects
 * the server to read, "-" for none) and waits for each one's echo; the
 * first is resent until the server answers, so the client may start first.
 * -B sends the rest in one burst and then collects the echoes.  -S binds
 * the client to a source address (NetLabel labels by address).
 *
 * The server binds ADDR (an AF_INET6 address such as :: is a dual-stack
 * socket), calls peersec_udp_enable(), and receives until it has seen N
 * different datagrams (sender and SEQ), with peersec_udp_recvmsg(), or with
 * peersec_udp_recvmmsg() in batches of VLEN (-b; it pauses between calls so
 * that datagrams queue up; -M requires a batch holding datagrams of two
 * senders).  For each datagram it prints "peer ADDRESS LABEL" (once per
 * address and label), checks the
 * label against EXPECT (-e) or the datagram's own CLAIM (-m), checks with -p
 * that the caller's IP_PKTINFO (IPV6_PKTINFO on AF_INET6) came back with the
 * destination PKTADDR, and echoes "SEQ LABEL" to the sender.  -w holds the
 * echoes of the first datagrams until W senders have sent one, so that
 * bursting clients (-B) start together and their datagrams interleave.
 *
 * The client reads the label of each echo (-e: the server socket's label)
 * and checks the label the server reported (-x).  A label is a context, or
 * "none" for the empty label, or an error name such as "-EOVERFLOW" (the
 * library failed closed).  Exit 0 when all held, 1 when one did not.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include <peersec/peersec.h>

#include "kernel-abi.h"
#include "lab-util.h"

#define MAX_SEEN 512
#define MAX_VLEN 64
#define CTL_OWN 128
#define DATA_MAX (PEERSEC_UDP_LABEL_MAX + 64)

struct opts {
	const char *sockcon, *claim, *expect, *echo, *pktaddr, *src;
	bool match_claim, burst, need_mixed;
	int n, vlen, count, wait_for;
};

/* One received datagram, as both receive paths report it. */
struct dgram {
	struct sockaddr_storage from;
	socklen_t from_len;
	char data[DATA_MAX];
	size_t len;
	const char *label;	/* "none", a context, or an error name */
	const unsigned char *ctl;
	size_t ctl_len;
};

static const char *token(const char *label, int error)
{
	if (error != 0)
		return lab_errname(error);
	return label[0] == '\0' ? "none" : label;
}

static const char *addr_text(const struct sockaddr_storage *ss)
{
	static char buf[INET6_ADDRSTRLEN + 8];

	if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr,
			  buf, sizeof(buf));
	else
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)ss)->sin6_addr, buf,
			  sizeof(buf));
	return buf;
}

static in_port_t addr_port(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ?
	       ((const struct sockaddr_in *)ss)->sin_port :
	       ((const struct sockaddr_in6 *)ss)->sin6_port;
}

/* Same address and port (two senders on two addresses may share a port). */
static bool same_sender(const struct sockaddr_storage *x,
			const struct sockaddr_storage *y)
{
	char a[INET6_ADDRSTRLEN + 8];

	if (addr_port(x) != addr_port(y))
		return false;
	snprintf(a, sizeof(a), "%s", addr_text(x));
	return strcmp(a, addr_text(y)) == 0;
}

static int udp_socket(const struct lab_addr *a, bool bind_it)
{
	int fd = socket(a->family, SOCK_DGRAM | SOCK_CLOEXEC, 0), off = 0, r;

	if (fd < 0)
		lab_die("socket: %m");
	if (a->family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) < 0)
		lab_die("IPV6_V6ONLY: %m");
	if (bind_it && bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0)
		lab_die("bind %s: %m", addr_text(&a->ss));
	r = peersec_udp_enable(fd);
	if (r < 0)
		lab_die("peersec_udp_enable: %s", lab_errname(r));
	return fd;
}

/* -p: the destination address in the caller's packet-info message. */
static bool check_pktinfo(const struct opts *o, int family,
			  const struct dgram *d)
{
	struct msghdr m = { .msg_control = (void *)d->ctl,
			    .msg_controllen = d->ctl_len };
	char got[INET6_ADDRSTRLEN] = "(none)";

	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (family == AF_INET && c->cmsg_level == SOL_IP &&
		    c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			inet_ntop(AF_INET, &pi.ipi_addr, got, sizeof(got));
		} else if (family == AF_INET6 && c->cmsg_level == SOL_IPV6 &&
			   c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			inet_ntop(AF_INET6, &pi.ipi6_addr, got, sizeof(got));
		} else if (c->cmsg_level == SOL_IP &&
			   c->cmsg_type == SCM_SECURITY) {
			lab_err("the label message reached the caller");
			return false;
		}
	}
	return lab_expect("server (packet info)", o->pktaddr, got);
}

struct seen {
	struct sockaddr_storage from;
	int seq;
};

static bool already_seen(struct seen *seen, int *nseen,
			 const struct dgram *d, int seq)
{
	for (int i = 0; i < *nseen; i++)
		if (seen[i].seq == seq &&
		    memcmp(&seen[i].from, &d->from, sizeof(d->from)) == 0)
			return true;
	if (*nseen < MAX_SEEN) {
		seen[*nseen].from = d->from;
		seen[*nseen].seq = seq;
		(*nseen)++;
	}
	return false;
}

/* "peer ADDRESS LABEL" once per address and label, for the report. */
static void print_peer(const struct dgram *d)
{
	static char *printed[64];
	static int n;
	char line[INET6_ADDRSTRLEN + DATA_MAX + 2];

	snprintf(line, sizeof(line), "%s %s", addr_text(&d->from), d->label);
	for (int i = 0; i < n; i++)
		if (strcmp(printed[i], line) == 0)
			return;
	printf("peer %s\n", line);
	if (n < 64 && (printed[n] = strdup(line)) != NULL)
		n++;
}

/* -w: keep the echo of a first datagram until o->wait_for senders have
 * sent theirs, then answer them all.  True while held. */
static bool hold(const struct opts *o, int fd, const struct dgram *d,
		 const char *reply)
{
	static struct {
		struct sockaddr_storage to;
		socklen_t len;
		char *reply;
	} held[8];
	static int n;
	static bool released;

	if (released)
		return false;
	for (int i = 0; i < n; i++)
		if (same_sender(&held[i].to, &d->from))
			return true;	/* a resend: still waiting */
	if (n < 8) {
		held[n].to = d->from;
		held[n].len = d->from_len;
		held[n].reply = strdup(reply);
		n++;
	}
	if (n < o->wait_for)
		return true;
	released = true;
	for (int i = 0; i < n; i++)
		if (held[i].reply != NULL &&
		    sendto(fd, held[i].reply, strlen(held[i].reply), 0,
			   (const struct sockaddr *)&held[i].to,
			   held[i].len) < 0)
			lab_err("sendto: %m");
	return true;
}

/* Check one datagram and echo it. */
static bool handle(const struct opts *o, int fd, int family,
		   struct seen *seen, int *nseen, const struct dgram *d)
{
	char claim[DATA_MAX], reply[DATA_MAX + 32];
	bool good = true;
	int seq = -1, n;

	claim[0] = '\0';
	if (sscanf(d->data, "%d %s", &seq, claim) != 2)
		lab_die("a datagram that is not \"SEQ CLAIM\": %.40s", d->data);
	if (!already_seen(seen, nseen, d, seq)) {
		print_peer(d);
		good &= lab_expect("server", o->expect, d->label);
		if (o->match_claim && strcmp(claim, "-") != 0)
			good &= lab_expect("server (sender's claim)", claim,
					   d->label);
		if (o->pktaddr != NULL && d->ctl != NULL)
			good &= check_pktinfo(o, family, d);
	}
	n = snprintf(reply, sizeof(reply), "%d %s", seq, d->label);
	if (seq == 0 && o->wait_for > 1 && hold(o, fd, d, reply))
		return good;
	if (sendto(fd, reply, (size_t)n, 0, (const struct sockaddr *)&d->from,
		   d->from_len) < 0)
		lab_err("sendto %s: %m", addr_text(&d->from));
	return good;
}

static void pktinfo_on(int fd, int family)
{
	int one = 1;

	if (family == AF_INET ?
	    setsockopt(fd, SOL_IP, IP_PKTINFO, &one, sizeof(one)) :
	    setsockopt(fd, SOL_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)))
		lab_die("packet info: %m");
}

static int server(const struct opts *o, const struct lab_addr *a)
{
	static struct seen seen[MAX_SEEN];
	static union {
		struct cmsghdr align;
		unsigned char buf[PEERSEC_UDP_CONTROL_SPACE(CTL_OWN)];
	} ctl[MAX_VLEN];
	static struct dgram dg[MAX_VLEN];
	int fd = udp_socket(a, true), nseen = 0, calls = 0, got = 0,
	    max = 0, mixed = 0;
	bool good = true;

	if (o->pktaddr != NULL)
		pktinfo_on(fd, a->family);

	while (nseen < o->n) {
		if (o->vlen == 0) {
			static char label[PEERSEC_UDP_LABEL_MAX];
			struct dgram *d = &dg[0];
			struct iovec iov = { d->data, sizeof(d->data) - 1 };
			struct msghdr m = {
				.msg_name = &d->from,
				.msg_namelen = sizeof(d->from),
				.msg_iov = &iov, .msg_iovlen = 1,
				.msg_control = ctl[0].buf,
				.msg_controllen = CTL_OWN,
			};
			size_t len = sizeof(label);
			ssize_t r;

			memset(&d->from, 0, sizeof(d->from));
			memset(d->data, 0, sizeof(d->data));
			r = peersec_udp_recvmsg(fd, &m, 0, label, &len);
			if (r < 0 && r != -EOVERFLOW && r != -EBADMSG)
				lab_die("peersec_udp_recvmsg: %s",
					lab_errname((int)r));
			/* failed closed: the kernel still wrote the sender
			 * and the data, which is all the echo needs */
			d->len = r < 0 ? strnlen(d->data, sizeof(d->data) - 1)
				       : (size_t)r;
			d->data[d->len] = '\0';
			d->from_len = sizeof(d->from);
			d->label = token(label, r < 0 ? (int)r : 0);
			d->ctl = r < 0 ? NULL : ctl[0].buf;
			d->ctl_len = r < 0 ? 0 : m.msg_controllen;
			if (r >= 0 && len >= sizeof(label))
				lab_die("label buffer too small: %zu", len);
			good &= handle(o, fd, a->family, seen, &nseen, d);
			continue;
		}

		struct mmsghdr vec[MAX_VLEN];
		struct iovec iov[MAX_VLEN];
		struct peersec_udp_label labels[MAX_VLEN];
		int r;

		memset(vec, 0, sizeof(vec));
		for (int i = 0; i < o->vlen; i++) {
			iov[i].iov_base = dg[i].data;
			iov[i].iov_len = sizeof(dg[i].data) - 1;
			vec[i].msg_hdr.msg_name = &dg[i].from;
			vec[i].msg_hdr.msg_namelen = sizeof(dg[i].from);
			vec[i].msg_hdr.msg_iov = &iov[i];
			vec[i].msg_hdr.msg_iovlen = 1;
			vec[i].msg_hdr.msg_control = ctl[i].buf;
			vec[i].msg_hdr.msg_controllen = sizeof(ctl[i].buf);
		}
		r = peersec_udp_recvmmsg(fd, vec, (unsigned int)o->vlen,
					 MSG_WAITFORONE, NULL, labels);
		if (r < 0)
			lab_die("peersec_udp_recvmmsg: %s", lab_errname(r));
		calls++;
		got += r;
		max = r > max ? r : max;
		for (int i = 1; i < r; i++)
			if (!same_sender(&dg[i].from, &dg[0].from)) {
				mixed++;
				break;
			}
		for (int i = 0; i < r; i++) {
			struct dgram *d = &dg[i];

			d->len = vec[i].msg_len;
			d->data[d->len] = '\0';
			d->from_len = vec[i].msg_hdr.msg_namelen;
			d->label = token(labels[i].label, labels[i].error);
			d->ctl = labels[i].error ? NULL : ctl[i].buf;
			d->ctl_len = vec[i].msg_hdr.msg_controllen;
			if (labels[i].error == 0 &&
			    strlen(labels[i].label) != labels[i].len) {
				lab_err("label length %zu for \"%s\"",
					labels[i].len, labels[i].label);
				good = false;
			}
			good &= handle(o, fd, a->family, seen, &nseen, d);
		}
		usleep(100 * 1000);	/* let the next batch queue up */
	}
	if (o->vlen > 0) {
		printf("batches %d datagrams %d largest %d mixed %d\n", calls,
		       got, max, mixed);
		if (o->need_mixed && mixed == 0) {
			lab_err("no batch held datagrams of two senders");
			good = false;
		}
	}
	close(fd);
	return good ? 0 : 1;
}

/* Wait up to @ms for an echo; returns its SEQ, or -1. */
static int read_echo(const struct opts *o, int fd, int ms, bool *good,
		     bool *printed)
{
	static char label[PEERSEC_UDP_LABEL_MAX];
	char data[DATA_MAX], echoed[DATA_MAX];
	struct sockaddr_storage from;
	struct iovec iov = { data, sizeof(data) - 1 };
	struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof(from),
			    .msg_iov = &iov, .msg_iovlen = 1 };
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t len = sizeof(label);
	const char *tok;
	ssize_t r;
	int seq;

	if (poll(&p, 1, ms) <= 0)
		return -1;
	memset(data, 0, sizeof(data));
	r = peersec_udp_recvmsg(fd, &m, MSG_DONTWAIT, label, &len);
	if (r == -EAGAIN)
		return -1;
	if (r < 0 && r != -EOVERFLOW && r != -EBADMSG)
		lab_die("peersec_udp_recvmsg: %s", lab_errname((int)r));
	tok = token(label, r < 0 ? (int)r : 0);
	if (r < 0)
		r = (ssize_t)strnlen(data, sizeof(data) - 1);
	data[r] = '\0';
	if (sscanf(data, "%d %s", &seq, echoed) != 2)
		lab_die("an echo that is not \"SEQ LABEL\": %.40s", data);
	if (!*printed) {
		printf("peer %s %s\n", addr_text(&from), tok);
		*printed = true;
	}
	*good &= lab_expect("client (the reply's label)", o->expect, tok);
	*good &= lab_expect("client (the label the server read)", o->echo,
			    echoed);
	return seq;
}

static void send_seq(int fd, const struct lab_addr *a, const char *claim,
		     int seq)
{
	char msg[DATA_MAX];
	int n = snprintf(msg, sizeof(msg), "%d %s", seq, claim);

	if (sendto(fd, msg, (size_t)n, 0, (const struct sockaddr *)&a->ss,
		   a->len) < 0 && errno != ECONNREFUSED)
		lab_die("sendto: %m");
}

static int client(const struct opts *o, const struct lab_addr *a)
{
	struct lab_addr src = { .family = a->family };
	int fd;

	if (o->src != NULL)
		lab_parse_addr(o->src, "0", &src);
	fd = udp_socket(&src, o->src != NULL);
	static bool echoed[MAX_SEEN];
	bool good = true, printed = false;
	int left = o->count;
	time_t end = time(NULL) + 15 * lab_scale();

	for (int seq = 0; seq < o->count; seq++) {
		send_seq(fd, a, o->claim, seq);
		if (seq > 0 && o->burst) {
			usleep(2000);	/* interleave with other senders */
			continue;
		}
		/* wait for this one's echo, resending */
		while (!echoed[seq]) {
			int s = read_echo(o, fd, 500, &good, &printed);

			if (s >= 0 && s < o->count && !echoed[s]) {
				echoed[s] = true;
				left--;
			} else if (s < 0) {
				if (time(NULL) > end)
					lab_die("no echo for datagram %d", seq);
				send_seq(fd, a, o->claim, seq);
			}
		}
	}
	while (left > 0) {
		int s = read_echo(o, fd, 1000, &good, &printed);

		if (s >= 0 && s < o->count && !echoed[s]) {
			echoed[s] = true;
			left--;
		} else if (s < 0) {
			if (time(NULL) > end)
				lab_die("%d echoes missing", left);
			for (int i = 0; i < o->count; i++)
				if (!echoed[i])
					send_seq(fd, a, o->claim, i);
		}
	}
	close(fd);
	return good ? 0 : 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: %s server [-s SOCKCON] [-n N] [-b VLEN] [-M] [-w W]"
		" [-e EXPECT] [-m] [-p PKTADDR] ADDR PORT\n"
		"       %s client [-s SOCKCON] [-S SRCADDR] [-c CLAIM] [-k COUNT]"
		" [-B] [-e EXPECT] [-x ECHO] ADDR PORT\n",
		lab_prog, lab_prog);
	exit(2);
}

int main(int argc, char **argv)
{
	struct opts o = { .claim = "-", .n = 1, .count = 1 };
	struct lab_addr a;
	const char *mode;
	int c;

	lab_init(argv[0]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		usage();
	mode = argv[1];
	argc--;
	argv++;
	while ((c = getopt(argc, argv, "s:S:c:e:x:mn:b:Mp:k:Bw:")) != -1) {
		switch (c) {
		case 's': o.sockcon = optarg; break;
		case 'S': o.src = optarg; break;
		case 'c': o.claim = optarg; break;
		case 'e': o.expect = optarg; break;
		case 'x': o.echo = optarg; break;
		case 'm': o.match_claim = true; break;
		case 'n': o.n = atoi(optarg); break;
		case 'b': o.vlen = atoi(optarg); break;
		case 'M': o.need_mixed = true; break;
		case 'p': o.pktaddr = optarg; break;
		case 'k': o.count = atoi(optarg); break;
		case 'B': o.burst = true; break;
		case 'w': o.wait_for = atoi(optarg); break;
		default: usage();
		}
	}
	if (optind + 2 != argc || o.n < 1 || o.n > MAX_SEEN ||
	    o.vlen < 0 || o.vlen > MAX_VLEN || o.count < 1 ||
	    o.count > MAX_SEEN)
		usage();
	lab_parse_addr(argv[optind], argv[optind + 1], &a);
	lab_sockcon(o.sockcon);

	if (strcmp(mode, "server") == 0)
		return server(&o, &a);
	if (strcmp(mode, "client") == 0)
		return client(&o, &a);
	usage();
}
