/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * peersec-inetd's configuration: the file format of peersec-inetd.conf(5),
 * parsed into a table of services.  Pure: no sockets, no SELinux, so the
 * unit tests build it alone.
 */
#ifndef INETD_CONFIG_H
#define INETD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>

#define INETD_NAME_MAX 63		/* a service's name, in bytes */
#define INETD_ARGS_MAX 64		/* server_args words */
#define INETD_INSTANCES_MAX 1024
#define INETD_INSTANCES_DEFAULT 16
#define INETD_LINE_MAX 4096
#define INETD_ERR_MAX 512		/* "file:line: reason" */
#define INETD_GROUPS_MAX 32		/* supplementary groups */
#define INETD_ENV_MAX 32		/* env and passenv words, each */

/* Where a server's standard error goes. */
enum inetd_stderr {
	INETD_STDERR_CONNECTION,	/* the connection (UDP: the answer) */
	INETD_STDERR_NULL,		/* /dev/null */
	INETD_STDERR_LOG,		/* the launcher's own stderr */
};

/* The resource limits a service may set, soft and hard alike. */
enum inetd_rlim {
	INETD_RLIM_CPU,
	INETD_RLIM_AS,
	INETD_RLIM_NOFILE,
	INETD_RLIM_NPROC,
	INETD_RLIM_N,
};
#define INETD_RLIM_UNSET (-2LL)
#define INETD_RLIM_INFINITY (-1LL)

enum inetd_proto {
	INETD_TCP,
	INETD_UDP,
	INETD_SCTP,
};

struct inetd_service {
	char name[INETD_NAME_MAX + 1];
	int line;			/* where "service NAME" stands */
	enum inetd_proto proto;
	/* Where to listen: family, address and port, ready for bind(). */
	struct sockaddr_storage addr;
	socklen_t addr_len;
	uid_t uid;
	gid_t gid;
	char *server;			/* absolute path */
	char **argv;			/* NULL-terminated; argv[0] = server */
	bool label_required;
	unsigned int instances;		/* children at once, at most */
	char *base_context;		/* NULL: the launcher's own context */
	char *max_range;		/* the clearance bound; NULL: see
					 * peersec-inetd.conf(5) */
	char *unlabeled_level;		/* label = optional: where unlabeled
					 * peers run; NULL otherwise */
	/* the server's process */
	enum inetd_stderr err_to;
	mode_t umask;
	bool nice_set;
	int nice;
	long long rlim[INETD_RLIM_N];	/* INETD_RLIM_UNSET, _INFINITY or a
					 * value */
	gid_t groups[INETD_GROUPS_MAX];	/* supplementary, besides gid */
	size_t ngroups;
	char **env;			/* NULL-terminated "NAME=VALUE" */
	char **passenv;			/* NULL-terminated names */
	bool allow_writable;		/* a server file writable by group or
					 * others may run */
	/* limits */
	unsigned int per_source;	/* servers per source address; 0: any */
	unsigned int cps_rate, cps_wait; /* 0: no rate limit */
	unsigned int max_runtime;	/* seconds; 0: none */

	/* Run-time state, the launcher's (the parser sets exec_fd to -1 and
	 * never closes it). */
	int exec_fd;			/* the server, O_PATH */
	long long cps_start_ms;		/* the rate's current second */
	unsigned int cps_count;
	long long paused_until_ms;	/* cps exceeded: not served until */
};

struct inetd_config {
	struct inetd_service *svc;
	size_t n;
};

/*
 * Parse the configuration in @f, named @name in messages.  On success 0 and
 * a new table in *@out (release with inetd_config_free()).  On error -1 and
 * "NAME:LINE: reason" in @err (INETD_ERR_MAX bytes); *@out untouched.
 * Disabled services are left out of the table.
 */
int inetd_config_parse(FILE *f, const char *name, struct inetd_config **out,
		       char *err);

/* inetd_config_parse() on the file at @path. */
int inetd_config_load(const char *path, struct inetd_config **out, char *err);

void inetd_config_free(struct inetd_config *cfg);

/* "tcp", "udp", "sctp" */
const char *inetd_proto_name(enum inetd_proto proto);

/* The service's address as "ADDR:PORT" ("[ADDR]:PORT" for IPv6). */
void inetd_addr_format(const struct sockaddr *sa, char *buf, size_t size);

#endif
