/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * peersec-inetd: an inetd that starts each server in a security context
 * derived from its network peer's label.  See peersec-inetd(8).
 *
 * One thread, one poll loop over the listening sockets and a signalfd for
 * SIGCHLD (reap), SIGHUP (reload), SIGUSR1 (status report) and
 * SIGTERM/SIGINT (stop).
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
#include <sys/stat.h>
#include <unistd.h>
#include <selinux/avc.h>
#include <selinux/selinux.h>

#include <peersec/peersec.h>

#include "inetd.h"

#ifndef INETD_DEFAULT_CONFIG
#define INETD_DEFAULT_CONFIG "/etc/peersec-inetd.conf"
#endif

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: peersec-inetd [-f FILE] [-m N] [-r N] [-s] [-t]\n"
		"  -f FILE  configuration (default " INETD_DEFAULT_CONFIG ")\n"
		"  -m N     servers at once, all services (default %d)\n"
		"  -r N     refusal lines a second, 0: all (default %d)\n"
		"  -s       log to syslog instead of stderr\n"
		"  -t       check the configuration and exit\n",
		INETD_MAX_SERVERS_DEFAULT, INETD_REFUSAL_RATE_DEFAULT);
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

	/* Remembered contexts belong to the configuration they were derived
	 * for: forget them on any reload. */
	inetd_cache_flush(st);
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

/* -t: each server is there, a regular file, executable.  The number of
 * services whose server is not, each reported on stderr. */
static int check_servers(const struct inetd_config *cfg)
{
	int bad = 0;

	for (size_t i = 0; i < cfg->n; i++) {
		const struct inetd_service *s = &cfg->svc[i];
		const char *why = NULL;
		struct stat sb;

		if (stat(s->server, &sb) < 0)
			why = strerror(errno);
		else if (!S_ISREG(sb.st_mode))
			why = "not a regular file";
		else if (access(s->server, X_OK) < 0 ||
			 !(sb.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)))
			why = "not executable";
		else if (sb.st_uid != 0 && sb.st_uid != s->uid)
			why = "owned by neither root nor the service's user";
		else if (sb.st_uid != 0 && !s->allow_writable)
			why = "owned by the service's user, which its handlers "
			      "could rewrite (allow_writable)";
		else if ((sb.st_mode & (S_IWGRP | S_IWOTH)) &&
			 !s->allow_writable)
			why = "writable by group or others (allow_writable)";
		if (why != NULL) {
			fprintf(stderr, "peersec-inetd: service %s (line %d): "
				"server %s: %s\n", s->name, s->line,
				s->server, why);
			bad++;
		}
	}
	return bad;
}

/* Returns the exit status when asked to stop. */
static int loop(struct inetd_state *st, int sfd)
{
	struct pollfd *pfd = NULL;
	size_t *which = NULL, cap = 0;
	pid_t *who = NULL;
	int *fds = NULL;

	for (;;) {
		size_t n = 1, nsvc, nst;
		int r;

		if (cap < st->cfg->n + st->nstarting + 1) {
			cap = st->cfg->n + st->nstarting + 1 + 16;
			free(pfd);
			free(which);
			free(who);
			free(fds);
			pfd = calloc(cap, sizeof(*pfd));
			which = calloc(cap, sizeof(*which));
			who = calloc(cap, sizeof(*who));
			fds = calloc(cap, sizeof(*fds));
			if (pfd == NULL || which == NULL || who == NULL ||
			    fds == NULL) {
				inetd_log(LOG_CRIT, "out of memory");
				return 1;
			}
		}
		pfd[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		/* A service at its limit (instances, max_servers, a cps
		 * pause) is not polled: its connections wait in the backlog,
		 * its datagrams in the socket buffer. */
		int timeout = inetd_starting_timeout(st), t;

		inetd_refusal_flush(st, false);
		if (st->log_held > 0)
			timeout = 1000;
		t = inetd_runtime_tick(st);
		if (t >= 0 && (timeout < 0 || t < timeout))
			timeout = t;
		for (size_t i = 0; i < st->cfg->n; i++) {
			struct inetd_service *s = &st->cfg->svc[i];

			if (!inetd_may_serve(st, s)) {
				long long left = s->paused_until_ms -
						 inetd_now_ms() + 1;

				if (s->paused_until_ms != 0 &&
				    (timeout < 0 || left < timeout))
					timeout = left > 0 ? (int)left : 1;
				continue;
			}
			pfd[n] = (struct pollfd){ .fd = st->fd[i],
						  .events = POLLIN };
			which[n++] = i;
		}
		/* Then the status pipes of the children being started. */
		nsvc = n;
		nst = inetd_starting_fds(st, fds, who);
		for (size_t k = 0; k < nst; k++)
			pfd[n++] = (struct pollfd){ .fd = fds[k],
						    .events = POLLIN };
		r = poll(pfd, n, timeout);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			inetd_log(LOG_CRIT, "poll: %s", strerror(errno));
			return 1;
		}
		/* Starts first: a settled start may free an instance.  The
		 * children whose exec was seen done at an earlier wakeup
		 * first, then the pipes that just said so (each looked at
		 * once per wakeup). */
		inetd_starting_tick(st);
		for (size_t k = 0; k < nst; k++)
			if (pfd[nsvc + k].revents)
				inetd_starting_ready(st, who[k]);
		if (pfd[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			bool hup = false, stop = false, usr1 = false;

			while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGHUP)
					hup = true;
				else if (si.ssi_signo == SIGUSR1)
					usr1 = true;
				else if (si.ssi_signo == SIGTERM ||
					 si.ssi_signo == SIGINT)
					stop = true;
			}
			inetd_reap(st);
			if (usr1)
				inetd_stats_report(st, "status");
			if (stop) {
				inetd_stats_report(st, "stopping");
				inetd_log(LOG_NOTICE, "stopping: %lu started, "
					  "%lu refused; contexts: %lu derived, "
					  "%lu remembered; refusals: %lu "
					  "remembered", st->started,
					  st->refused, st->derived,
					  st->cached, st->refusals_cached);
				free(pfd);
				free(which);
				free(who);
				free(fds);
				return 0;
			}
			if (hup) {
				reload(st);
				continue;	/* the table may have moved */
			}
		}
		for (size_t k = 1; k < nsvc; k++)
			if (pfd[k].revents & (POLLIN | POLLERR))
				dispatch(st, which[k]);
	}
}

int main(int argc, char **argv)
{
	struct inetd_state st = {
		.config_path = INETD_DEFAULT_CONFIG, .cache_policy = -1,
		.max_servers = INETD_MAX_SERVERS_DEFAULT,
		.refusal_rate = INETD_REFUSAL_RATE_DEFAULT,
	};
	struct inetd_activation act;
	struct inetd_config *cfg;
	char err[INETD_ERR_MAX];
	bool use_syslog = false, test_only = false;
	sigset_t mask;
	int opt, sfd, status;

	while ((opt = getopt(argc, argv, "f:m:r:sth")) != -1) {
		char *end;
		unsigned long v;

		switch (opt) {
		case 'm':
		case 'r':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' ||
			    *end != '\0' || errno != 0 || v > 1000000 ||
			    (opt == 'm' && v == 0)) {
				fprintf(stderr, "peersec-inetd: -%c: not a "
					"number%s: %s\n", opt, opt == 'm' ?
					" from 1 to 1000000" :
					" from 0 to 1000000", optarg);
				return 2;
			}
			if (opt == 'm')
				st.max_servers = (unsigned int)v;
			else
				st.refusal_rate = (unsigned int)v;
			break;
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
		int bad = check_servers(cfg);

		if (bad == 0)
			printf("%s: %zu service(s), ok\n", st.config_path,
			       cfg->n);
		inetd_config_free(cfg);
		return bad == 0 ? 0 : 1;
	}

	/* Every decision starts from the launcher's own context.  With
	 * SELinux in the kernel (selinuxfs answers), not knowing it is
	 * fatal.  Without SELinux no context can be derived: the launcher
	 * runs, and refuses every peer. */
	if (getcon_raw(&st.own_context) < 0) {
		int e = errno;

		if (security_getenforce() >= 0) {
			inetd_log(LOG_CRIT, "own context unknown (%s), "
				  "SELinux on: stopping", strerror(e));
			inetd_config_free(cfg);
			return 1;
		}
		inetd_log(LOG_WARNING, "own context unknown (%s), SELinux "
			  "off: every peer will be refused", strerror(e));
		st.own_context = strdup("");
	}
	/* The kernel's status page tells when a policy is loaded: without it,
	 * no derived context is remembered (decide.c). */
	st.status_page = selinux_status_open(0) == 0;
	st.label = malloc(PEERSEC_LABEL_MAX);
	st.dgram = malloc(INETD_DGRAM_MAX);
	status = 1;			/* until the loop says otherwise */
	sfd = -1;
	if (st.own_context == NULL || st.label == NULL || st.dgram == NULL) {
		inetd_log(LOG_CRIT, "out of memory");
		inetd_config_free(cfg);
		goto out;
	}

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		inetd_log(LOG_CRIT, "signalfd: %s", strerror(errno));
		inetd_config_free(cfg);
		goto out;
	}

	{
		char why[INETD_WHY_MAX];

		if (inetd_caps_init(why) < 0) {
			inetd_log(LOG_CRIT, "cannot keep capabilities from the "
				  "servers (%s): stopping", why);
			inetd_config_free(cfg);
			goto out;
		}
	}
	if (inetd_activation_read(&act) < 0) {
		inetd_config_free(cfg);
		goto out;
	}
	if (inetd_services_apply(&st, cfg, &act) < 0) {
		inetd_config_free(cfg);
		inetd_activation_done(&act);
		goto out;
	}
	inetd_activation_done(&act);
	inetd_log(LOG_NOTICE, "running as %s: %zu service(s) from %s",
		  st.own_context, st.cfg->n, st.config_path);

	status = loop(&st, sfd);
	inetd_services_close(&st);
out:
	if (sfd >= 0)
		close(sfd);
	inetd_cache_flush(&st);
	if (st.status_page)
		selinux_status_close();
	free(st.child);
	free(st.stats);
	free(st.label);
	free(st.dgram);
	freecon(st.own_context);
	return status;
}
