/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Socket activation: systemd's protocol (sd_listen_fds(3)) without
 * libsystemd.  LISTEN_PID names us, LISTEN_FDS counts the sockets from
 * descriptor 3 on, LISTEN_FDNAMES (optional) names them, ':'-separated.
 * A passed socket goes to the service of the same name, or else to the
 * service with the same protocol and local address.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inetd.h"

#define LISTEN_FDS_START 3
#define LISTEN_FDS_MAX 1024

#ifndef IPPROTO_SCTP
#define IPPROTO_SCTP 132
#endif

static char **split_names(const char *s, size_t n)
{
	char **names = calloc(n, sizeof(*names));
	char *copy, *save = NULL, *tok;
	size_t i = 0;

	if (names == NULL || s == NULL)
		return names;
	copy = strdup(s);
	if (copy == NULL)
		return names;
	/* strtok would merge empty names; walk by hand. */
	for (tok = copy; i < n && tok != NULL; i++, tok = save) {
		save = strchr(tok, ':');
		if (save != NULL)
			*save++ = '\0';
		names[i] = *tok != '\0' ? strdup(tok) : NULL;
	}
	free(copy);
	return names;
}

int inetd_activation_read(struct inetd_activation *act)
{
	const char *pid_s = getenv("LISTEN_PID");
	const char *fds_s = getenv("LISTEN_FDS");
	char *end;
	unsigned long pid, n;

	memset(act, 0, sizeof(*act));
	if (pid_s == NULL || fds_s == NULL)
		goto out;
	errno = 0;
	pid = strtoul(pid_s, &end, 10);
	if (errno != 0 || *end != '\0' || pid != (unsigned long)getpid()) {
		inetd_log(LOG_INFO, "LISTEN_PID=%s is not us: ignoring "
			  "LISTEN_FDS", pid_s);
		goto out;
	}
	n = strtoul(fds_s, &end, 10);
	if (errno != 0 || *end != '\0' || n > LISTEN_FDS_MAX) {
		inetd_log(LOG_ERR, "LISTEN_FDS=%s is not a count", fds_s);
		unsetenv("LISTEN_PID");
		unsetenv("LISTEN_FDS");
		unsetenv("LISTEN_FDNAMES");
		return -1;
	}
	act->fd = calloc(n ? n : 1, sizeof(*act->fd));
	act->name = split_names(getenv("LISTEN_FDNAMES"), n ? n : 1);
	if (act->fd == NULL || act->name == NULL) {
		inetd_log(LOG_ERR, "out of memory");
		return -1;
	}
	act->n = n;
	for (size_t i = 0; i < n; i++) {
		int fd = LISTEN_FDS_START + (int)i;
		int fl = fcntl(fd, F_GETFD);

		if (fl < 0 || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0 ||
		    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
			inetd_log(LOG_ERR, "passed descriptor %d: %s", fd,
				  strerror(errno));
			act->fd[i] = -1;
			continue;
		}
		act->fd[i] = fd;
	}
	inetd_log(LOG_INFO, "socket activation: %lu socket(s) passed", n);
out:
	/* Never let the servers see them. */
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return 0;
}

static bool fits(int fd, const struct inetd_service *s)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int type = 0, proto = 0;
	socklen_t l1 = sizeof(type), l2 = sizeof(proto);
	int want_type = s->proto == INETD_UDP ? SOCK_DGRAM : SOCK_STREAM;
	int want_proto = s->proto == INETD_TCP ? IPPROTO_TCP :
			 s->proto == INETD_UDP ? IPPROTO_UDP : IPPROTO_SCTP;

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l1) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &l2) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return false;
	return type == want_type && proto == want_proto &&
	       len == s->addr_len && memcmp(&ss, &s->addr, len) == 0;
}

int inetd_activation_take(struct inetd_activation *act,
			  const struct inetd_service *s)
{
	size_t i;
	int fd;

	for (i = 0; i < act->n; i++)
		if (act->fd[i] >= 0 && act->name[i] != NULL &&
		    strcmp(act->name[i], s->name) == 0)
			goto take;
	for (i = 0; i < act->n; i++)
		if (act->fd[i] >= 0 && fits(act->fd[i], s))
			goto take;
	return -1;
take:
	fd = act->fd[i];
	act->fd[i] = -1;
	return fd;
}

void inetd_activation_done(struct inetd_activation *act)
{
	for (size_t i = 0; i < act->n; i++) {
		if (act->fd[i] >= 0) {
			inetd_log(LOG_WARNING, "passed descriptor %d fits no "
				  "service: closed", act->fd[i]);
			close(act->fd[i]);
		}
		if (act->name != NULL)
			free(act->name[i]);
	}
	free(act->fd);
	free(act->name);
	memset(act, 0, sizeof(*act));
}
