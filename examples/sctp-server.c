/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sctp-server: a one-to-many SCTP server that learns the security label of
 * every association.
 *
 *   sctp-server [-6] [-n COUNT] PORT
 *
 * It listens on one SOCK_SEQPACKET socket.  When an association comes up it
 * prints the label that the socket holds (the first association's, for
 * every association), peels the association off to read its own label,
 * answers the peer with that label on the peeled-off socket, and closes it.
 * A label that is the policy's unlabeled context is reported as "no label",
 * the way a TCP server would see -ENOPROTOOPT.  With -n it stops after COUNT
 * associations.
 *
 * Try it without labeling (every label is then SELinux's unlabeled context):
 *   sctp-server 5000 &  sctp_darn -H 127.0.0.1 -P 5001 -h 127.0.0.1 -p 5000 -s
 * or with the lab's clients (tests/lab).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <sys/socket.h>

#include <peersec/peersec.h>

/* Describe a label the library returned. */
static const char *describe(int r, const char *label)
{
	if (r == -ENOPROTOOPT)
		return "no label (no LSM labels SCTP peers)";
	if (r < 0)
		return strerror(-r);
#if PEERSEC_HAVE_SELINUX
	if (peersec_label_is_unlabeled(label) == 1)
		return "no label (the unlabeled context)";
#endif
	return "labeled";
}

/* Peel the association off, with a buffer that grows if the label needs it,
 * and return the new socket (or -1). */
static int peel(int fd, sctp_assoc_t id, char **label)
{
	size_t len = 256;
	char *buf = malloc(len);
	int nfd, r;

	if (buf == NULL)
		return -1;
	r = peersec_sctp_peeloff(fd, id, SOCK_CLOEXEC, &nfd, buf, &len);
	if (r == -ERANGE) {
		/* The association is safe on nfd: only the buffer was short. */
		char *bigger = realloc(buf, len);

		if (bigger == NULL) {
			free(buf);
			close(nfd);
			return -1;
		}
		buf = bigger;
		r = peersec_sctp_assoc_label(nfd, id, buf, &len);
	}
	if (nfd < 0) {
		fprintf(stderr, "association %d: peel-off: %s\n", (int)id,
			strerror(-r));
		free(buf);
		return -1;
	}
	printf("association %d: own label %s [%s]\n", (int)id,
	       r == 0 ? buf : "-", describe(r, buf));
	if (r != 0)
		buf[0] = '\0';
	*label = buf;
	return nfd;
}

static void association_up(int fd, sctp_assoc_t id)
{
	char held[256], *label = NULL;
	size_t len = sizeof(held);
	char reply[512];
	int r, nfd;

	/* What the one-to-many socket holds: its first association's label. */
	r = peersec_sctp_assoc_label(fd, id, held, &len);
	printf("association %d: socket's label %s [%s]\n", (int)id,
	       r == 0 ? held : "-", describe(r, held));

	nfd = peel(fd, id, &label);
	if (nfd < 0)
		return;
	snprintf(reply, sizeof(reply), "your label: %s\n", label);
	if (sctp_sendmsg(nfd, reply, strlen(reply), NULL, 0, 0, 0, 0, 0,
			 0) < 0)
		perror("sctp_sendmsg");
	free(label);
	close(nfd);	/* ends the association gracefully */
}

int main(int argc, char **argv)
{
	struct sctp_event_subscribe events = { .sctp_association_event = 1 };
	struct sockaddr_in6 sa6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in sa4 = { .sin_family = AF_INET };
	int family = AF_INET, count = -1, opt, fd, port;

	while ((opt = getopt(argc, argv, "6n:")) != -1) {
		if (opt == '6') {
			family = AF_INET6;
		} else if (opt == 'n') {
			count = atoi(optarg);
		} else {
			fprintf(stderr, "usage: %s [-6] [-n COUNT] PORT\n",
				argv[0]);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: %s [-6] [-n COUNT] PORT\n", argv[0]);
		return 2;
	}
	port = atoi(argv[optind]);

	fd = socket(family, SOCK_SEQPACKET | SOCK_CLOEXEC, IPPROTO_SCTP);
	if (fd < 0) {
		/* EPROTONOSUPPORT/ESOCKTNOSUPPORT: no SCTP in this kernel */
		perror("socket(SCTP)");
		return 1;
	}
	sa4.sin_port = htons(port);
	sa6.sin6_port = htons(port);
	if ((family == AF_INET ?
	     bind(fd, (struct sockaddr *)&sa4, sizeof(sa4)) :
	     bind(fd, (struct sockaddr *)&sa6, sizeof(sa6))) < 0 ||
	    setsockopt(fd, IPPROTO_SCTP, SCTP_EVENTS, &events,
		       sizeof(events)) < 0 || listen(fd, 16) < 0) {
		perror("sctp-server");
		return 1;
	}

	while (count != 0) {
		union {
			union sctp_notification sn;
			char data[1024];
		} msg;
		struct sctp_sndrcvinfo sinfo;
		int flags = 0;
		ssize_t n = sctp_recvmsg(fd, &msg, sizeof(msg), NULL, NULL,
					 &sinfo, &flags);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("sctp_recvmsg");
			return 1;
		}
		if (!(flags & MSG_NOTIFICATION) ||
		    msg.sn.sn_header.sn_type != SCTP_ASSOC_CHANGE ||
		    msg.sn.sn_assoc_change.sac_state != SCTP_COMM_UP)
			continue;
		association_up(fd, msg.sn.sn_assoc_change.sac_assoc_id);
		fflush(stdout);
		if (count > 0)
			count--;
	}
	close(fd);
	return 0;
}
