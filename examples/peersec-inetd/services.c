/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The service table at run time: one listening socket per service, opened
 * at start, kept across a reload when a service of the same protocol and
 * address remains, taken from systemd when it passed one.
 */
#include <errno.h>
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

/* A UDP socket that hands the launcher each datagram's label and the local
 * address it was sent to (the handler answers from there). */
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
	/* On AF_INET6, IPv4 datagrams report their address through
	 * IP_PKTINFO; set it on both families. */
	return setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
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
	/* UDP handlers bind their answering socket to the same address and
	 * port: SO_REUSEADDR on both lets them. */
	what = "setsockopt";
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
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

static int adopt(const struct inetd_service *s, int fd)
{
	if (s->proto == INETD_UDP &&
	    inetd_udp_prepare(fd, s->addr.ss_family) < 0) {
		inetd_log(LOG_ERR, "service %s: passed socket: IP_PASSSEC: "
			  "%s", s->name, strerror(errno));
		close(fd);
		return -1;
	}
	inetd_log(LOG_INFO, "service %s: using socket %d from systemd",
		  s->name, fd);
	return fd;
}

int inetd_services_apply(struct inetd_state *st, struct inetd_config *cfg,
			 struct inetd_activation *act)
{
	int *fd = malloc((cfg->n ? cfg->n : 1) * sizeof(*fd));
	bool *opened = calloc(cfg->n ? cfg->n : 1, sizeof(*opened));
	bool *kept = calloc(st->cfg ? st->cfg->n + 1 : 1, sizeof(*kept));
	size_t i, j;

	if (fd == NULL || opened == NULL || kept == NULL) {
		inetd_log(LOG_ERR, "out of memory");
		goto fail;
	}
	for (i = 0; i < cfg->n; i++) {
		fd[i] = -1;
		for (j = 0; st->cfg != NULL && j < st->cfg->n; j++) {
			if (!kept[j] && st->fd[j] >= 0 &&
			    same_socket(&st->cfg->svc[j], &cfg->svc[i])) {
				fd[i] = st->fd[j];
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
				opened[i] = true;
				continue;
			}
		}
		fd[i] = open_listener(&cfg->svc[i]);
		if (fd[i] < 0)
			goto fail;
		opened[i] = true;
	}

	for (j = 0; st->cfg != NULL && j < st->cfg->n; j++)
		if (!kept[j] && st->fd[j] >= 0)
			close(st->fd[j]);
	free(st->fd);
	inetd_config_free(st->cfg);
	st->cfg = cfg;
	st->fd = fd;
	free(opened);
	free(kept);
	return 0;
fail:
	for (i = 0; fd != NULL && opened != NULL && i < cfg->n; i++)
		if (opened[i] && fd[i] >= 0)
			close(fd[i]);
	free(fd);
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
	st->fd = NULL;
	inetd_config_free(st->cfg);
	st->cfg = NULL;
}
