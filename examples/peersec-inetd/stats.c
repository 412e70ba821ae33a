/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The launcher's accounts: per service, what became of each connection and
 * datagram (inetd.h, struct inetd_stats), reported on SIGUSR1 and when it
 * stops.
 */
#include <errno.h>
#include <linux/sock_diag.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "inetd.h"

#ifndef SO_MEMINFO
#define SO_MEMINFO 55
#endif

struct inetd_stats *inetd_stats_of(struct inetd_state *st, const char *name,
				   enum inetd_proto proto)
{
	static struct inetd_stats other = { .name = "(other)" };
	struct inetd_stats *grown;

	for (size_t i = 0; i < st->nstats; i++)
		if (st->stats[i].proto == proto &&
		    strcmp(st->stats[i].name, name) == 0)
			return &st->stats[i];
	grown = realloc(st->stats, (st->nstats + 1) * sizeof(*grown));
	if (grown == NULL)
		return &other;
	st->stats = grown;
	grown = &st->stats[st->nstats++];
	*grown = (struct inetd_stats){ .proto = proto };
	snprintf(grown->name, sizeof(grown->name), "%s", name);
	return grown;
}

unsigned int inetd_sock_drops(int fd)
{
	unsigned int mem[SK_MEMINFO_VARS] = { 0 };
	socklen_t len = sizeof(mem);

	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len) < 0 ||
	    len <= SK_MEMINFO_DROPS * sizeof(mem[0]))
		return 0;
	return mem[SK_MEMINFO_DROPS];
}

void inetd_listener_drops(struct inetd_state *st, size_t i, unsigned int now)
{
	const struct inetd_service *s = &st->cfg->svc[i];
	unsigned int d;

	if (s->proto != INETD_UDP)
		return;
	if (now == 0)
		now = inetd_sock_drops(st->fd[i]);
	d = now - st->fd_drops[i];	/* the kernel's counter wraps */
	if (d == 0 || d > (1U << 31))	/* a stale, older count */
		return;
	st->fd_drops[i] = now;
	inetd_stats_of(st, s->name, s->proto)->drop_queue += d;
	inetd_log(LOG_WARNING, "dropped %u datagram(s) for %s/udp at the "
		  "listening socket (receive queue full, or refused by a "
		  "filter or the policy)", d, s->name);
}

void inetd_stats_report(struct inetd_state *st, const char *what)
{
	unsigned long served = 0, refused = 0, dropped = 0, received = 0;

	for (size_t i = 0; st->cfg != NULL && i < st->cfg->n; i++)
		inetd_listener_drops(st, i, 0);
	for (size_t i = 0; i < st->nstats; i++) {
		const struct inetd_stats *t = &st->stats[i];
		unsigned long d = t->drop_busy + t->drop_setup + t->drop_queue;

		if (t->proto == INETD_UDP) {
			inetd_log(LOG_NOTICE, "%s: %s/udp: %lu datagram(s) "
				  "read, %lu served, %lu refused, %lu "
				  "dropped (%lu busy peer address, %lu "
				  "answering socket setup, %lu queue); "
				  "running %u", what, t->name, t->received,
				  t->served, t->refused, d, t->drop_busy,
				  t->drop_setup, t->drop_queue,
				  inetd_children_of(st, t->name));
			received += t->received;
			served += t->served;
			refused += t->refused;
			dropped += d;
		} else {
			inetd_log(LOG_NOTICE, "%s: %s/%s: %lu connection(s) "
				  "accepted, %lu served, %lu refused; "
				  "running %u", what, t->name,
				  inetd_proto_name(t->proto), t->received,
				  t->served, t->refused,
				  inetd_children_of(st, t->name));
		}
	}
	inetd_log(LOG_NOTICE, "%s: datagrams: %lu read, %lu served, %lu "
		  "refused, %lu dropped", what, received, served, refused,
		  dropped);
}
