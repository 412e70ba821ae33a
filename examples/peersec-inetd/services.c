/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The service table at run time: one listening socket per service, opened
 * at start, kept across a reload when a service of the same protocol and
 * address remains, taken from systemd when it passed one.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <peersec/peersec.h>

#include "inetd.h"

#ifndef IPPROTO_SCTP
#define IPPROTO_SCTP 132
#endif

static bool same_socket(const struct inetd_service *a,
			const struct inetd_service *b)
{
	return a->proto == b->proto && a->addr_len == b->addr_len &&
	       memcmp(&a->addr, &b->addr, a->addr_len) == 0;
}

/* A UDP socket that hands the launcher each datagram's label, the local
 * address it was sent to (the handler answers from there) and the kernel's
 * drop count (SO_RXQ_OVFL). */
int inetd_udp_prepare(int fd, int family)
{
	int one = 1, r;

	r = peersec_udp_enable(fd);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	if (family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one,
		       sizeof(one)) < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one)) < 0)
		return -1;
	/* On AF_INET6, IPv4 datagrams report their address through
	 * IP_PKTINFO; set it on both families. */
	return setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
}

/*
 * Who else may bind a UDP service's address and port while the launcher
 * holds it: nobody but the launcher's own answering sockets.
 *
 * The listener has no SO_REUSEADDR (with it, a socket of any uid that sets
 * it too shares the port and takes datagrams: the kernel delivers each to
 * one of them).  It has SO_REUSEPORT, so that the answering sockets the
 * launcher makes for its handlers (udp.c), owned by the launcher's uid, may
 * bind the same address and port: the kernel groups SO_REUSEPORT sockets
 * only with sockets created by the same uid, so a process of another uid,
 * handlers included, gets EADDRINUSE.  A handler holds a socket of that
 * group (its answering socket); its locked filter stops the handler from
 * changing the group's program.  The group's program sends every datagram
 * that no connected socket claims to the group's first socket, the
 * listener, never to an answering socket that is not yet connected.
 */
static int udp_exclusive(int fd)
{
	struct sock_filter first = BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog prog;
	int one = 1, zero = 0;

	memset(&prog, 0, sizeof(prog));	/* the padding goes to the kernel */
	prog.len = 1;
	prog.filter = &first;

	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &zero,
		       sizeof(zero)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0)
		return -1;
	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog,
			  sizeof(prog));
}

/*
 * A passed UDP socket is already bound, maybe with SO_REUSEADDR (systemd
 * sets it): clear it, which shuts the port to later binds of other uids,
 * and make it the first socket of a SO_REUSEPORT group with its program.
 * The kernel lets a program be attached only to a socket already in a
 * group: a throwaway socket bound next to it makes the group.
 */
static int udp_exclusive_passed(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int one = 1, tmp, r;

	if (udp_exclusive(fd) == 0)
		return 0;
	if (errno != EINVAL ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	tmp = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (tmp < 0)
		return -1;
	r = setsockopt(tmp, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (r == 0)
		r = bind(tmp, (struct sockaddr *)&ss, len);
	if (r == 0)
		r = udp_exclusive(fd);
	close(tmp);
	return r;
}

static int open_listener(const struct inetd_service *s)
{
	int family = s->addr.ss_family, one = 1, zero = 0, fd;
	int type = s->proto == INETD_UDP ? SOCK_DGRAM : SOCK_STREAM;
	int proto = s->proto == INETD_SCTP ? IPPROTO_SCTP : 0;
	const char *what;

	fd = socket(family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, proto);
	if (fd < 0) {
		what = "socket";
		goto fail;
	}
	what = "setsockopt";
	if (s->proto == INETD_UDP ? udp_exclusive(fd) < 0 :
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		goto fail;
	if (family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) < 0)
		goto fail;
	what = "bind";
	if (bind(fd, (const struct sockaddr *)&s->addr, s->addr_len) < 0)
		goto fail;
	what = s->proto == INETD_UDP ? "IP_PASSSEC" : "listen";
	if (s->proto == INETD_UDP ? inetd_udp_prepare(fd, family) < 0 :
	    listen(fd, SOMAXCONN) < 0)
		goto fail;
	return fd;
fail:
	{
		int e = errno;
		char addr[80];

		inetd_addr_format((const struct sockaddr *)&s->addr, addr,
				  sizeof(addr));
		inetd_log(LOG_ERR, "service %s: %s %s %s: %s", s->name,
			  inetd_proto_name(s->proto), addr, what,
			  strerror(e));
		if (fd >= 0)
			close(fd);
		return -1;
	}
}

/* A passed socket must be what the service would have opened: family,
 * type, protocol, and listening for a stream. */
static bool passed_fits(const struct inetd_service *s, int fd)
{
	int want_type = s->proto == INETD_UDP ? SOCK_DGRAM : SOCK_STREAM;
	int want_proto = s->proto == INETD_TCP ? IPPROTO_TCP :
			 s->proto == INETD_UDP ? IPPROTO_UDP : IPPROTO_SCTP;
	int domain = -1, type = -1, proto = -1, listening = 0;
	socklen_t l = sizeof(int);
	bool ok;

	getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &l);
	l = sizeof(int);
	getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l);
	l = sizeof(int);
	getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &l);
	l = sizeof(int);
	getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &l);
	ok = domain == s->addr.ss_family && type == want_type &&
	     proto == want_proto && (want_type == SOCK_DGRAM || listening);
	if (!ok)
		inetd_log(LOG_ERR, "service %s: passed socket %d does not fit "
			  "it: family %d, type %d, protocol %d%s; the service "
			  "wants family %d, type %d, protocol %d%s", s->name,
			  fd, domain, type, proto,
			  type == SOCK_STREAM && !listening ?
			  ", not listening" : "",
			  s->addr.ss_family, want_type, want_proto,
			  want_type == SOCK_STREAM ? ", listening" : "");
	return ok;
}

static int adopt(const struct inetd_service *s, int fd)
{
	if (!passed_fits(s, fd)) {
		close(fd);
		return -1;
	}
	if (s->proto == INETD_UDP &&
	    (inetd_udp_prepare(fd, s->addr.ss_family) < 0 ||
	     udp_exclusive_passed(fd) < 0)) {
		inetd_log(LOG_ERR, "service %s: passed socket: IP_PASSSEC, "
			  "SO_REUSEPORT: %s", s->name, strerror(errno));
		close(fd);
		return -1;
	}
	inetd_log(LOG_INFO, "service %s: using socket %d from systemd",
		  s->name, fd);
	return fd;
}

/*
 * The servers: each opened once (O_PATH), when its configuration is taken.
 * Its context is read from that descriptor and it is executed through it
 * (decide.c, spawn.c), so renaming another file over the path changes
 * nothing until the next reload.  One that cannot be opened refuses its
 * peers until then.
 */
static void exec_open(struct inetd_config *cfg)
{
	for (size_t i = 0; i < cfg->n; i++) {
		struct inetd_service *s = &cfg->svc[i];

		s->exec_fd = open(s->server, O_PATH | O_CLOEXEC);
		if (s->exec_fd < 0)
			inetd_log(LOG_ERR, "service %s: server %s: %s: its "
				  "peers are refused until a reload", s->name,
				  s->server, strerror(errno));
	}
}

static void exec_close(struct inetd_config *cfg)
{
	for (size_t i = 0; cfg != NULL && i < cfg->n; i++) {
		if (cfg->svc[i].exec_fd >= 0)
			close(cfg->svc[i].exec_fd);
		cfg->svc[i].exec_fd = -1;
	}
}

int inetd_services_apply(struct inetd_state *st, struct inetd_config *cfg,
			 struct inetd_activation *act)
{
	int *fd = malloc((cfg->n ? cfg->n : 1) * sizeof(*fd));
	unsigned int *drops = calloc(cfg->n ? cfg->n : 1, sizeof(*drops));
	bool *opened = calloc(cfg->n ? cfg->n : 1, sizeof(*opened));
	bool *kept = calloc(st->cfg ? st->cfg->n + 1 : 1, sizeof(*kept));
	size_t i, j;

	if (fd == NULL || drops == NULL || opened == NULL || kept == NULL) {
		inetd_log(LOG_ERR, "out of memory");
		goto fail;
	}
	for (i = 0; i < cfg->n; i++) {
		fd[i] = -1;
		for (j = 0; st->cfg != NULL && j < st->cfg->n; j++) {
			if (!kept[j] && st->fd[j] >= 0 &&
			    same_socket(&st->cfg->svc[j], &cfg->svc[i])) {
				fd[i] = st->fd[j];
				drops[i] = st->fd_drops[j];
				kept[j] = true;
				break;
			}
		}
		if (fd[i] >= 0)
			continue;
		if (act != NULL) {
			int passed = inetd_activation_take(act, &cfg->svc[i]);

			if (passed >= 0) {
				fd[i] = adopt(&cfg->svc[i], passed);
				if (fd[i] < 0)
					goto fail;
				/* what it dropped before is not ours */
				drops[i] = inetd_sock_drops(fd[i]);
				opened[i] = true;
				continue;
			}
		}
		fd[i] = open_listener(&cfg->svc[i]);
		if (fd[i] < 0)
			goto fail;
		opened[i] = true;
	}

	for (j = 0; st->cfg != NULL && j < st->cfg->n; j++) {
		if (!kept[j] && st->fd[j] >= 0) {
			inetd_listener_drops(st, j, 0);
			close(st->fd[j]);
		}
	}
	free(st->fd);
	free(st->fd_drops);
	exec_close(st->cfg);
	inetd_config_free(st->cfg);
	exec_open(cfg);
	st->cfg = cfg;
	st->fd = fd;
	st->fd_drops = drops;
	free(opened);
	free(kept);
	return 0;
fail:
	for (i = 0; fd != NULL && opened != NULL && i < cfg->n; i++)
		if (opened[i] && fd[i] >= 0)
			close(fd[i]);
	free(fd);
	free(drops);
	free(opened);
	free(kept);
	return -1;
}

void inetd_services_close(struct inetd_state *st)
{
	for (size_t i = 0; st->cfg != NULL && i < st->cfg->n; i++)
		if (st->fd[i] >= 0)
			close(st->fd[i]);
	free(st->fd);
	free(st->fd_drops);
	st->fd = NULL;
	st->fd_drops = NULL;
	exec_close(st->cfg);
	inetd_config_free(st->cfg);
	st->cfg = NULL;
}
