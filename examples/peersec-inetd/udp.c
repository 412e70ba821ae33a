/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * UDP: every datagram is judged on its own label and gets its own handler.
 *
 * The handler contract (peersec-inetd(8), "UDP handlers"):
 *   stdin   a pipe holding exactly the one datagram, then end of file;
 *   stdout  a UDP socket bound to the address and port the datagram was
 *           sent to and connected to its sender: each write() is one
 *           datagram back to the sender, from the address it wrote to.
 *           The socket is shut for reading: what the sender sends next
 *           comes to the launcher, and is judged on its own label.
 *   env     PEERSEC_PEER_ADDR, PEERSEC_PEER_PORT, PEERSEC_PEER_LABEL, ...
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

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

void inetd_udp_ready(struct inetd_state *st, size_t i)
{
	const struct inetd_service *s = &st->cfg->svc[i];
	int family = s->addr.ss_family;

	for (int n = 0; n < INETD_BATCH; n++) {
		struct inetd_peer peer = { 0 };
		union {
			char buf[CMSG_SPACE(sizeof(struct in_pktinfo)) +
				 CMSG_SPACE(sizeof(struct in6_pktinfo))];
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
		struct inetd_io io = { .conn = -1 };
		char why[128] = "";
		char *ctx = NULL;
		ssize_t len;

		if (inetd_children_of(st, s->name) >= s->instances)
			return;		/* the rest waits in the buffer */
		len = peersec_udp_recvmsg(st->fd[i], &msg, MSG_DONTWAIT,
					  st->label, &label_len);
		if (len == -EAGAIN || len == -EWOULDBLOCK || len == -EINTR)
			return;
		if (len < 0) {
			/* no control data to trust: the bound address */
			peer.local = s->addr;
			/* The datagram may be gone with its label: say so
			 * and go on with the next one. */
			snprintf(why, sizeof(why), "receiving: %s",
				 strerror((int)-len));
			inetd_refuse(st, s, &peer, why);
			if (len == -ENOMEM || len == -ENOBUFS)
				return;
			continue;
		}
		local_address(&msg, s, family, &peer.local);
		if (msg.msg_flags & MSG_TRUNC) {
			inetd_refuse(st, s, &peer, "datagram truncated");
			continue;
		}
		peer.label = label_len > 0 ? st->label : NULL;
		if (inetd_decide(st, s, &peer, &ctx, why) < 0) {
			inetd_refuse(st, s, &peer, why);
			continue;
		}
		io.dgram = st->dgram;
		io.dgram_len = (size_t)len;
		inetd_spawn(st, s, &peer, ctx, &io);
		free(ctx);
	}
}
