/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * TCP and SCTP one-to-one ("nowait"): accept a connection, read its peer
 * label, decide the context, start the server on it, close our copy.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <peersec/peersec.h>

#include "inetd.h"

/*
 * The connection's label in st->label, or NULL when it carries none.
 * -1 with @why when reading it failed otherwise.
 */
static int read_label(struct inetd_state *st, const struct inetd_service *s,
		      int conn, const char **label, char *why)
{
	size_t len;
	int r;

	*label = NULL;
#if PEERSEC_HAVE_SCTP
	if (s->proto == INETD_SCTP) {
		len = PEERSEC_LABEL_MAX;

		/* Without labeling, SCTP reports the policy's unlabeled
		 * context: inetd_decide() treats it as no label. */
		r = peersec_sctp_assoc_label(conn, 0, st->label, &len);
		if (r == 0) {
			*label = st->label;
			return 0;
		}
		goto err;
	}
#endif
	len = PEERSEC_LABEL_MAX;
	r = peersec_tcp_get(conn, st->label, &len);
	if (r == 0) {
		*label = st->label;
		return 0;
	}
#if PEERSEC_HAVE_SCTP
err:
#endif
	if (r == -ENOPROTOOPT)
		return 0;		/* no label */
	snprintf(why, INETD_WHY_MAX, "reading the peer label: %s", strerror(-r));
	return -1;
}

static void serve(struct inetd_state *st, struct inetd_service *s,
		  int conn, const struct sockaddr_storage *addr)
{
	struct inetd_peer peer = { .addr = *addr };
	socklen_t len = sizeof(peer.local);
	struct inetd_io io = { .conn = conn, .reply = -1 };
	char why[INETD_WHY_MAX] = "";
	char *ctx = NULL;

	getsockname(conn, (struct sockaddr *)&peer.local, &len);
	/* the limits first: they cost no label and no derivation */
	if (!inetd_cps_take(st, s)) {
		snprintf(why, sizeof(why), "over the service's cps rate (%u a "
			 "second): paused for %u s", s->cps_rate, s->cps_wait);
		inetd_refuse(st, s, &peer, why);
		return;
	}
	if (s->per_source > 0 &&
	    inetd_children_from(st, s->name, addr) >= s->per_source) {
		snprintf(why, sizeof(why), "per_source: %u server(s) already "
			 "run for this address", s->per_source);
		inetd_refuse(st, s, &peer, why);
		return;
	}
	if (read_label(st, s, conn, &peer.label, why) < 0) {
		inetd_refuse(st, s, &peer, why);
		return;
	}
	if (inetd_decide(st, s, &peer, &ctx, why) < 0) {
		inetd_refuse(st, s, &peer, why);
		return;
	}
	inetd_spawn(st, s, &peer, ctx, &io);
	free(ctx);
}

void inetd_stream_ready(struct inetd_state *st, size_t i)
{
	struct inetd_service *s = &st->cfg->svc[i];

	for (int n = 0; n < INETD_BATCH; n++) {
		struct sockaddr_storage addr;
		socklen_t len = sizeof(addr);
		int conn;

		if (!inetd_may_serve(st, s))
			return;		/* the rest waits in the backlog */
		conn = accept4(st->fd[i], (struct sockaddr *)&addr, &len,
			       SOCK_CLOEXEC);
		if (conn < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno == ECONNABORTED || errno == EINTR ||
			    errno == EPROTO)
				continue;	/* gone before we looked */
			inetd_log(LOG_ERR, "service %s: accept: %s", s->name,
				  strerror(errno));
			/* EMFILE and friends: the connection stays in the
			 * backlog and poll would wake us at once; breathe. */
			nanosleep(&(struct timespec){ .tv_nsec = 100000000 },
				  NULL);
			return;
		}
		inetd_stats_of(st, s->name, s->proto)->received++;
		serve(st, s, conn, &addr);
		close(conn);
	}
}
