/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * UDP: every datagram is judged on its own label and gets its own handler.
 *
 * The handler contract (peersec-inetd(8), "UDP handlers"):
 *   stdin   a pipe holding exactly the one datagram, then end of file;
 *   stdout  a UDP socket bound to the address and port the datagram was
 *           sent to and connected to its sender: each write() is one
 *           datagram back to the sender, from the address it wrote to.
 *           The socket is shut for reading and drops whatever reaches
 *           it (a locked socket filter): what the sender sends next from
 *           the same address and port while the handler runs would be
 *           delivered there, unjudged; it is dropped instead, and counted
 *           when the handler ends.  Everything else comes to the launcher
 *           and is judged on its own label.
 *   env     PEERSEC_PEER_ADDR, PEERSEC_PEER_PORT, PEERSEC_PEER_LABEL, ...
 *
 * The launcher makes the answering socket itself (labeled with the
 * server's context, owned by the launcher's uid so that it may join the
 * listener's SO_REUSEPORT group: services.c) and keeps a copy, whose drop
 * count (SO_MEMINFO) tells what reached it.
 */
#include <errno.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <selinux/selinux.h>

#include <peersec/peersec.h>

#include "inetd.h"

/* Where the datagram was sent: IP_PKTINFO or IPV6_PKTINFO, with the port
 * the service listens on. */
static void local_address(struct msghdr *msg, const struct inetd_service *s,
			  int family, struct sockaddr_storage *local)
{
	struct cmsghdr *c;

	*local = s->addr;		/* the bound address by default */
	local->ss_family = family;
	for (c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			if (family == AF_INET) {
				((struct sockaddr_in *)local)->sin_addr =
					pi.ipi_addr;
			} else {
				/* IPv4 on a dual-stack socket: v4-mapped */
				struct in6_addr *a = &((struct sockaddr_in6 *)
						       local)->sin6_addr;

				memset(a, 0, sizeof(*a));
				a->s6_addr[10] = 0xff;
				a->s6_addr[11] = 0xff;
				memcpy(&a->s6_addr[12], &pi.ipi_addr, 4);
			}
		} else if (c->cmsg_level == IPPROTO_IPV6 &&
			   c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			((struct sockaddr_in6 *)local)->sin6_addr =
				pi.ipi6_addr;
		}
	}
}

/*
 * A filter that accepts nothing, set before bind() and locked: the handler
 * can neither read what the kernel delivers to its answering socket nor
 * remove the filter, nor attach a program to the listener's SO_REUSEPORT
 * group (the kernel refuses both on a socket whose filter is locked).
 */
static int drop_input(int fd)
{
	struct sock_filter drop = BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog prog;
	int one = 1;

	memset(&prog, 0, sizeof(prog));	/* the padding goes to the kernel */
	prog.len = 1;
	prog.filter = &drop;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
		       sizeof(prog)) < 0)
		return -1;
	return setsockopt(fd, SOL_SOCKET, SO_LOCK_FILTER, &one, sizeof(one));
}

/* The launcher must never make its own sockets in a server's context. */
static void sockcreate_reset(void)
{
	if (setsockcreatecon_raw(NULL) < 0) {
		inetd_log(LOG_CRIT, "cannot reset the socket creation "
			  "context: %s; stopping", strerror(errno));
		exit(1);
	}
}

/*
 * The handler's answering socket, in @ctx: bound to where the datagram was
 * sent, connected to its sender.  -1 with @why on failure.
 */
static int reply_socket(struct inetd_state *st, const struct inetd_service *s,
			const struct inetd_peer *peer, const char *ctx,
			struct inetd_io *io, char *why)
{
	int family = peer->local.ss_family, one = 1, fd;
	socklen_t len = family == AF_INET ? sizeof(struct sockaddr_in) :
			sizeof(struct sockaddr_in6);
	unsigned int drops;
	const char *step = "socket";

	if (setsockcreatecon_raw(ctx) < 0) {
		snprintf(why, INETD_WHY_MAX, "setsockcreatecon: %s", strerror(errno));
		sockcreate_reset();
		return -1;
	}
	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	sockcreate_reset();
	if (fd < 0)
		goto fail;
	step = "options";
	if (drop_input(fd) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0)
		goto fail;
	step = "bind";
	if (bind(fd, (const struct sockaddr *)&peer->local, len) < 0)
		goto fail;
	step = "connect";
	if (connect(fd, (const struct sockaddr *)&peer->addr, len) < 0 ||
	    shutdown(fd, SHUT_RD) < 0)
		goto fail;
	/* What reached it before it was connected was meant for the
	 * listener: dropped, counted. */
	drops = inetd_sock_drops(fd);
	if (drops > 0) {
		inetd_stats_of(st, s->name, s->proto)->drop_setup += drops;
		inetd_log(LOG_WARNING, "dropped %u datagram(s) for %s/udp at "
			  "an answering socket being set up", drops, s->name);
	}
	io->reply = fd;
	io->reply_drops = drops;
	return 0;
fail:
	snprintf(why, INETD_WHY_MAX, "answering socket: %s: %s", step, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

void inetd_udp_reply_done(struct inetd_state *st, const struct inetd_child *c)
{
	struct sockaddr_storage self;
	socklen_t self_len = sizeof(self);
	unsigned int d;
	char addr[80];

	if (c->reply_fd < 0)
		return;
	/* Connected to its own address, it no longer takes the peer's
	 * datagrams, should a process the handler left behind still hold
	 * it.  Disconnected instead, a socket bound to one address would
	 * take every datagram sent there before a listener bound to the
	 * wildcard address saw it. */
	if (getsockname(c->reply_fd, (struct sockaddr *)&self, &self_len) == 0)
		connect(c->reply_fd, (struct sockaddr *)&self, self_len);
	d = inetd_sock_drops(c->reply_fd) - c->reply_drops;
	close(c->reply_fd);
	if (d == 0)
		return;
	inetd_stats_of(st, c->service, INETD_UDP)->drop_busy += d;
	inetd_addr_format((const struct sockaddr *)&c->addr, addr,
			  sizeof(addr));
	inetd_log(LOG_WARNING, "dropped %u datagram(s) for %s/udp from %s: "
		  "sent to the answering socket of its handler pid %d, which "
		  "was still running", d, c->service, addr, (int)c->pid);
}

/* SO_RXQ_OVFL: the listener's drop count when this datagram came. */
static unsigned int queue_drops(struct msghdr *msg)
{
	struct cmsghdr *c;
	unsigned int n = 0;

	for (c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL)
			memcpy(&n, CMSG_DATA(c), sizeof(n));
	return n;
}

void inetd_udp_ready(struct inetd_state *st, size_t i)
{
	struct inetd_service *s = &st->cfg->svc[i];
	int family = s->addr.ss_family;
	unsigned int dropped = 0;

	for (int n = 0; n < INETD_BATCH; n++) {
		struct inetd_peer peer = { 0 };
		union {
			char buf[CMSG_SPACE(sizeof(struct in_pktinfo)) +
				 CMSG_SPACE(sizeof(struct in6_pktinfo)) +
				 CMSG_SPACE(sizeof(unsigned int))];
			struct cmsghdr align;
		} control;
		struct iovec iov = { st->dgram, INETD_DGRAM_MAX };
		struct msghdr msg = {
			.msg_name = &peer.addr,
			.msg_namelen = sizeof(peer.addr),
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = control.buf,
			.msg_controllen = sizeof(control.buf),
		};
		size_t label_len = PEERSEC_LABEL_MAX;
		struct inetd_io io = { .conn = -1, .reply = -1 };
		char why[INETD_WHY_MAX] = "";
		char *ctx = NULL;
		ssize_t len;

		if (!inetd_may_serve(st, s))
			break;		/* the rest waits in the buffer */
		len = peersec_udp_recvmsg(st->fd[i], &msg, MSG_DONTWAIT,
					  st->label, &label_len);
		if (len == -EAGAIN || len == -EWOULDBLOCK || len == -EINTR)
			break;
		inetd_stats_of(st, s->name, s->proto)->received++;
		if (len < 0) {
			/* no control data to trust: the bound address */
			peer.local = s->addr;
			/* The datagram may be gone with its label: say so
			 * and go on with the next one. */
			snprintf(why, sizeof(why), "receiving: %s",
				 strerror((int)-len));
			inetd_refuse(st, s, &peer, why);
			if (len == -ENOMEM || len == -ENOBUFS)
				break;
			continue;
		}
		if (queue_drops(&msg) != 0)
			dropped = queue_drops(&msg);
		local_address(&msg, s, family, &peer.local);
		if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
			inetd_refuse(st, s, &peer, msg.msg_flags & MSG_TRUNC ?
				     "datagram truncated" :
				     "control data truncated");
			continue;
		}
		peer.label = label_len > 0 ? st->label : NULL;
		if (!inetd_cps_take(st, s)) {
			snprintf(why, sizeof(why), "over the service's cps "
				 "rate (%u a second): paused for %u s",
				 s->cps_rate, s->cps_wait);
			inetd_refuse(st, s, &peer, why);
			continue;
		}
		if (s->per_source > 0 &&
		    inetd_children_from(st, s->name, &peer.addr) >=
		    s->per_source) {
			snprintf(why, sizeof(why), "per_source: %u handler(s) "
				 "already run for this address",
				 s->per_source);
			inetd_refuse(st, s, &peer, why);
			continue;
		}
		if (inetd_decide(st, s, &peer, &ctx, why) < 0) {
			inetd_refuse(st, s, &peer, why);
			continue;
		}
		io.dgram = st->dgram;
		io.dgram_len = (size_t)len;
		if (reply_socket(st, s, &peer, ctx, &io, why) < 0)
			inetd_refuse(st, s, &peer, why);
		else
			inetd_spawn(st, s, &peer, ctx, &io);
		if (io.reply >= 0)	/* not taken: no handler holds it */
			close(io.reply);
		free(ctx);
	}
	if (dropped != 0)
		inetd_listener_drops(st, i, dropped);
}
