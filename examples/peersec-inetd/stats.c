/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The launcher's accounts: per service, what became of each connection and
 * datagram (inetd.h, struct inetd_stats), reported on SIGUSR1 and when it
 * stops; the limits on what comes in (cps) and on the refusal lines.
 */
#include <errno.h>
#include <linux/sock_diag.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

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

long long inetd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the refusal lines ----------------------------------------------------
 *
 * A flood of refused peers must not flood the log: at most refusal_rate
 * lines a second, all services together.  The ones held back are counted
 * per service and reported, with their number, once the second is over
 * (the event loop wakes for it) and before every status report.  The
 * counts (refused) are kept whatever the log says.
 */
void inetd_refusal_flush(struct inetd_state *st, bool now)
{
	long long t = inetd_now_ms();

	if (!now && t - st->log_second_ms < 1000)
		return;
	if (st->log_held > 0) {
		for (size_t i = 0; i < st->nstats; i++) {
			struct inetd_stats *x = &st->stats[i];

			if (x->held == 0)
				continue;
			inetd_log(LOG_WARNING, "held back %lu refusal line(s) "
				  "for %s/%s (more than %u a second)", x->held,
				  x->name, inetd_proto_name(x->proto),
				  st->refusal_rate);
			x->held = 0;
		}
		st->log_held = 0;
	}
	if (t - st->log_second_ms >= 1000) {
		st->log_second_ms = t;
		st->log_lines = 0;
	}
}

bool inetd_refusal_line(struct inetd_state *st, struct inetd_stats *stats)
{
	if (st->refusal_rate == 0)
		return true;
	inetd_refusal_flush(st, false);
	if (st->log_lines < st->refusal_rate) {
		st->log_lines++;
		return true;
	}
	stats->held++;
	st->log_held++;
	return false;
}

/* ---- cps ------------------------------------------------------------------
 *
 * xinetd's "cps = RATE WAIT": more than RATE connections (datagrams) within
 * one second and the service pauses for WAIT seconds.  The one over the
 * rate is refused; while paused the listener is not polled, so what comes
 * waits in the backlog (the socket buffer) and is served after the pause.
 */
bool inetd_cps_take(struct inetd_state *st, struct inetd_service *s)
{
	long long t = inetd_now_ms();

	(void)st;
	if (s->cps_rate == 0)
		return true;
	if (t - s->cps_start_ms >= 1000) {
		s->cps_start_ms = t;
		s->cps_count = 0;
	}
	if (++s->cps_count <= s->cps_rate)
		return true;
	s->paused_until_ms = t + (long long)s->cps_wait * 1000;
	s->cps_count = 0;
	s->cps_start_ms = 0;
	inetd_log(LOG_WARNING, "service %s: more than %u connection(s) in a "
		  "second (cps): paused for %u s", s->name, s->cps_rate,
		  s->cps_wait);
	return false;
}

bool inetd_cps_open(struct inetd_service *s)
{
	if (s->paused_until_ms == 0)
		return true;
	if (inetd_now_ms() < s->paused_until_ms)
		return false;
	s->paused_until_ms = 0;
	inetd_log(LOG_NOTICE, "service %s: resumed after its cps pause",
		  s->name);
	return true;
}

void inetd_stats_report(struct inetd_state *st, const char *what)
{
	unsigned long served = 0, refused = 0, dropped = 0, received = 0;

	inetd_refusal_flush(st, true);

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
