/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * peersec-inetd: an inetd that starts each server in a security context
 * derived from its network peer's label.  See peersec-inetd(8).
 *
 * One thread, one poll loop over the listening sockets and a signalfd for
 * SIGCHLD (reap), SIGHUP (reload) and SIGTERM/SIGINT (stop).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <selinux/selinux.h>

#include <peersec/peersec.h>

#include "inetd.h"

#ifndef INETD_DEFAULT_CONFIG
#define INETD_DEFAULT_CONFIG "/etc/peersec-inetd.conf"
#endif

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: peersec-inetd [-f FILE] [-s] [-t]\n"
		"  -f FILE  configuration (default " INETD_DEFAULT_CONFIG ")\n"
		"  -s       log to syslog instead of stderr\n"
		"  -t       check the configuration and exit\n");
}

/* Descriptors 0, 1 and 2 open, so that no socket lands on them. */
static int std_fds(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		int nul = open("/dev/null", O_RDWR);

		if (nul < 0)
			return -1;
		if (nul != fd) {	/* lower ones are open: cannot be */
			close(nul);
			return -1;
		}
	}
	return 0;
}

static void reload(struct inetd_state *st)
{
	struct inetd_config *cfg;
	char err[INETD_ERR_MAX];

	if (inetd_config_load(st->config_path, &cfg, err) < 0) {
		inetd_log(LOG_ERR, "reload refused, old configuration kept: "
			  "%s", err);
		return;
	}
	if (inetd_services_apply(st, cfg, NULL) < 0) {
		inetd_config_free(cfg);
		inetd_log(LOG_ERR, "reload refused, old configuration kept: "
			  "a socket could not be opened");
		return;
	}
	inetd_log(LOG_NOTICE, "reloaded %s: %zu service(s)", st->config_path,
		  st->cfg->n);
}

static void dispatch(struct inetd_state *st, size_t i)
{
	if (st->cfg->svc[i].proto == INETD_UDP)
		inetd_udp_ready(st, i);
	else
		inetd_stream_ready(st, i);
}

/* Returns the exit status when asked to stop. */
static int loop(struct inetd_state *st, int sfd)
{
	struct pollfd *pfd = NULL;
	size_t *which = NULL, cap = 0;

	for (;;) {
		size_t n = 1;
		int r;

		if (cap < st->cfg->n + 1) {
			cap = st->cfg->n + 1;
			free(pfd);
			free(which);
			pfd = calloc(cap, sizeof(*pfd));
			which = calloc(cap, sizeof(*which));
			if (pfd == NULL || which == NULL) {
				inetd_log(LOG_CRIT, "out of memory");
				return 1;
			}
		}
		pfd[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		/* A service at its limit is not polled: its connections wait
		 * in the backlog, its datagrams in the socket buffer. */
		for (size_t i = 0; i < st->cfg->n; i++) {
			const struct inetd_service *s = &st->cfg->svc[i];

			if (inetd_children_of(st, s->name) >= s->instances)
				continue;
			pfd[n] = (struct pollfd){ .fd = st->fd[i],
						  .events = POLLIN };
			which[n++] = i;
		}
		r = poll(pfd, n, -1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			inetd_log(LOG_CRIT, "poll: %s", strerror(errno));
			return 1;
		}
		if (pfd[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			bool hup = false, stop = false;

			while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGHUP)
					hup = true;
				else if (si.ssi_signo == SIGTERM ||
					 si.ssi_signo == SIGINT)
					stop = true;
			}
			inetd_reap(st);
			if (stop) {
				inetd_log(LOG_NOTICE, "stopping: %lu started, "
					  "%lu refused", st->started,
					  st->refused);
				free(pfd);
				free(which);
				return 0;
			}
			if (hup) {
				reload(st);
				continue;	/* the table may have moved */
			}
		}
		for (size_t k = 1; k < n; k++)
			if (pfd[k].revents & (POLLIN | POLLERR))
				dispatch(st, which[k]);
	}
}

int main(int argc, char **argv)
{
	struct inetd_state st = { .config_path = INETD_DEFAULT_CONFIG };
	struct inetd_activation act;
	struct inetd_config *cfg;
	char err[INETD_ERR_MAX];
	bool use_syslog = false, test_only = false;
	sigset_t mask;
	int opt, sfd, status;

	while ((opt = getopt(argc, argv, "f:sth")) != -1) {
		switch (opt) {
		case 'f':
			st.config_path = optarg;
			break;
		case 's':
			use_syslog = true;
			break;
		case 't':
			test_only = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (std_fds() < 0)
		return 1;
	inetd_log_open(use_syslog);

	if (inetd_config_load(st.config_path, &cfg, err) < 0) {
		inetd_log(LOG_ERR, "configuration refused: %s", err);
		return 1;
	}
	if (test_only) {
		printf("%s: %zu service(s), ok\n", st.config_path, cfg->n);
		inetd_config_free(cfg);
		return 0;
	}

	if (getcon_raw(&st.own_context) < 0) {
		inetd_log(LOG_WARNING, "own context unknown (%s): every "
			  "derivation will fail, nothing will start",
			  strerror(errno));
		st.own_context = strdup("");
	}
	st.label = malloc(PEERSEC_LABEL_MAX);
	st.dgram = malloc(INETD_DGRAM_MAX);
	if (st.own_context == NULL || st.label == NULL || st.dgram == NULL) {
		inetd_log(LOG_CRIT, "out of memory");
		return 1;
	}

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		inetd_log(LOG_CRIT, "signalfd: %s", strerror(errno));
		return 1;
	}

	if (inetd_activation_read(&act) < 0)
		return 1;
	if (inetd_services_apply(&st, cfg, &act) < 0) {
		inetd_config_free(cfg);
		inetd_activation_done(&act);
		return 1;
	}
	inetd_activation_done(&act);
	inetd_log(LOG_NOTICE, "running as %s: %zu service(s) from %s",
		  st.own_context, st.cfg->n, st.config_path);

	status = loop(&st, sfd);
	inetd_services_close(&st);
	close(sfd);
	free(st.child);
	free(st.label);
	free(st.dgram);
	freecon(st.own_context);
	return status;
}
