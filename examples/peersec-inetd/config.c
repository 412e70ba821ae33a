/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The configuration parser: xinetd's block syntax, with the attributes
 * peersec-inetd.conf(5) lists.
 *
 *	service NAME
 *	{
 *		attribute = value
 *		...
 *	}
 *
 * Every error names the file and line, and the whole file is refused: the
 * launcher starts (or reloads) with a table that is complete or not at all.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

/* Which attributes a service block has set. */
enum attr {
	A_PROTOCOL = 1 << 0,
	A_PORT = 1 << 1,
	A_BIND = 1 << 2,
	A_USER = 1 << 3,
	A_GROUP = 1 << 4,
	A_SERVER = 1 << 5,
	A_ARGS = 1 << 6,
	A_LABEL = 1 << 7,
	A_INSTANCES = 1 << 8,
	A_BASE = 1 << 9,
	A_DISABLE = 1 << 10,
	A_SOCKET_TYPE = 1 << 11,
	A_WAIT = 1 << 12,
	A_MAX_RANGE = 1 << 13,
	A_UNLABELED = 1 << 14,
	A_STDERR = 1 << 15,
	A_UMASK = 1 << 16,
	A_NICE = 1 << 17,
	A_RLIM_CPU = 1 << 18,
	A_RLIM_AS = 1 << 19,
	A_RLIM_NOFILE = 1 << 20,
	A_RLIM_NPROC = 1 << 21,
	A_GROUPS = 1 << 22,
	A_ENV = 1 << 23,
	A_PASSENV = 1 << 24,
	A_PER_SOURCE = 1 << 25,
	A_CPS = 1 << 26,
	A_MAX_RUNTIME = 1 << 27,
	A_ALLOW_WRITABLE = 1 << 28,
};

/* What the parser is working on. */
struct parser {
	const char *file;
	int line;
	char *err;
	struct inetd_config *cfg;
	/* the block being read */
	struct inetd_service cur;
	unsigned int set;
	bool disabled;
	bool stream_type;		/* socket_type, when given */
	char bind_text[INET6_ADDRSTRLEN];
	unsigned int port;
	char *args;
	bool user_has_group;
	gid_t user_gid;
	/* every service name so far, disabled ones too, and its line */
	char (*names)[INETD_NAME_MAX + 1];
	int *name_line;
	size_t nnames;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct parser *p, const char *fmt, ...)
{
	char reason[INETD_ERR_MAX - 128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	snprintf(p->err, INETD_ERR_MAX, "%.100s:%d: %s", p->file, p->line,
		 reason);
	return -1;
}

const char *inetd_proto_name(enum inetd_proto proto)
{
	switch (proto) {
	case INETD_TCP:
		return "tcp";
	case INETD_UDP:
		return "udp";
	case INETD_SCTP:
		return "sctp";
	}
	return "?";
}

void inetd_addr_format(const struct sockaddr *sa, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		inet_ntop(AF_INET, &in->sin_addr, a, sizeof(a));
		snprintf(buf, size, "%s:%u", a, ntohs(in->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, a, sizeof(a));
		snprintf(buf, size, "[%s]:%u", a, ntohs(in6->sin6_port));
	} else {
		snprintf(buf, size, "(family %d)", sa->sa_family);
	}
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > INETD_NAME_MAX)
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
			return false;
	return true;
}

/* A decimal number in [min, max], nothing else. */
static bool number(const char *s, unsigned long min, unsigned long max,
		   unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static int yes_no(struct parser *p, const char *key, const char *v, bool *out)
{
	if (strcmp(v, "yes") == 0)
		*out = true;
	else if (strcmp(v, "no") == 0)
		*out = false;
	else
		return fail(p, "%s must be yes or no, not \"%s\"", key, v);
	return 0;
}

/* A context's shape: user:role:type[:range], printable, no blanks. */
static bool context_shape(const char *s)
{
	int colons = 0;
	const char *field = s;

	for (; *s != '\0'; s++) {
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return false;
		if (*s == ':' && colons < 3) {
			if (s == field)
				return false;
			colons++;
			field = s + 1;
		}
	}
	return colons >= 2 && *field != '\0';
}

/* An MLS level or range: s0, s0-s3:c0.c255, ... (the policy judges the
 * rest). */
static bool range_shape(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && !strchr(".,:-_", *s))
			return false;
	return true;
}

static int set_user(struct parser *p, const char *v)
{
	struct passwd *pw;
	unsigned long id;

	if (number(v, 0, UINT_MAX - 1, &id)) {
		p->cur.uid = (uid_t)id;
		pw = getpwuid(p->cur.uid);
	} else {
		pw = getpwnam(v);
		if (pw == NULL)
			return fail(p, "unknown user \"%s\"", v);
		p->cur.uid = pw->pw_uid;
	}
	p->user_has_group = pw != NULL;
	if (pw != NULL)
		p->user_gid = pw->pw_gid;
	return 0;
}

static int set_group(struct parser *p, const char *v)
{
	struct group *gr;
	unsigned long id;

	if (number(v, 0, UINT_MAX - 1, &id)) {
		p->cur.gid = (gid_t)id;
		return 0;
	}
	gr = getgrnam(v);
	if (gr == NULL)
		return fail(p, "unknown group \"%s\"", v);
	p->cur.gid = gr->gr_gid;
	return 0;
}

static int set_string(struct parser *p, char **dst, const char *v)
{
	*dst = strdup(v);
	return *dst == NULL ? fail(p, "out of memory") : 0;
}

/* A resource limit: a number, with K, M or G (powers of 1024), or
 * "unlimited". */
static int set_rlim(struct parser *p, const char *key, const char *v,
		    long long *out)
{
	unsigned long long n, mult = 1;
	char *end;

	if (strcmp(v, "unlimited") == 0) {
		*out = INETD_RLIM_INFINITY;
		return 0;
	}
	if (!isdigit((unsigned char)*v))
		goto bad;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno != 0)
		goto bad;
	if (*end != '\0' && end[1] == '\0') {
		mult = *end == 'K' ? 1ULL << 10 : *end == 'M' ? 1ULL << 20 :
		       *end == 'G' ? 1ULL << 30 : 0;
		end++;
	}
	if (*end != '\0' || mult == 0 || n > (unsigned long long)LLONG_MAX /
	    mult)
		goto bad;
	*out = (long long)(n * mult);
	return 0;
bad:
	return fail(p, "%s must be a number (K, M, G allowed) or unlimited, "
		    "not \"%s\"", key, v);
}

/* An environment variable's name; the launcher's own (PEERSEC_*) are not
 * the configuration's to set. */
static bool env_name(const char *s, size_t n)
{
	if (n == 0 || isdigit((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return !(n >= 8 && strncmp(s, "PEERSEC_", 8) == 0);
}

/* Words on blanks into a new NULL-terminated array: env (NAME=VALUE) or
 * passenv (NAME). */
static int set_words(struct parser *p, const char *key, const char *v,
		     bool assign, char ***out)
{
	char *copy = strdup(v), *save = NULL, *w;
	char **list = calloc(INETD_ENV_MAX + 1, sizeof(*list));
	size_t n = 0;
	int r = 0;

	if (copy == NULL || list == NULL) {
		free(copy);
		free(list);
		return fail(p, "out of memory");
	}
	*out = list;
	for (w = strtok_r(copy, " \t", &save); w != NULL && r == 0;
	     w = strtok_r(NULL, " \t", &save)) {
		const char *eq = strchr(w, '=');
		size_t len = assign ? (eq != NULL ? (size_t)(eq - w) : 0) :
			     strlen(w);

		if (n == INETD_ENV_MAX)
			r = fail(p, "%s has more than %d words", key,
				 INETD_ENV_MAX);
		else if (!env_name(w, len) || (!assign && eq != NULL))
			r = fail(p, "%s: \"%s\" is not %s (letters, digits, "
				 "'_'; not PEERSEC_*)", key, w, assign ?
				 "NAME=VALUE" : "a variable's name");
		else if ((list[n++] = strdup(w)) == NULL)
			r = fail(p, "out of memory");
	}
	free(copy);
	return r;
}

static int set_groups(struct parser *p, const char *v)
{
	char *copy = strdup(v), *save = NULL, *w;
	int r = 0;

	if (copy == NULL)
		return fail(p, "out of memory");
	for (w = strtok_r(copy, " \t,", &save); w != NULL && r == 0;
	     w = strtok_r(NULL, " \t,", &save)) {
		struct group *gr;
		unsigned long id;

		if (p->cur.ngroups == INETD_GROUPS_MAX) {
			r = fail(p, "groups has more than %d groups",
				 INETD_GROUPS_MAX);
		} else if (number(w, 0, UINT_MAX - 1, &id)) {
			p->cur.groups[p->cur.ngroups++] = (gid_t)id;
		} else if ((gr = getgrnam(w)) != NULL) {
			p->cur.groups[p->cur.ngroups++] = gr->gr_gid;
		} else {
			r = fail(p, "groups: unknown group \"%s\"", w);
		}
	}
	free(copy);
	return r;
}

static int attribute(struct parser *p, const char *key, const char *v)
{
	static const struct {
		const char *key;
		enum attr bit;
	} keys[] = {
		{ "protocol", A_PROTOCOL }, { "port", A_PORT },
		{ "bind", A_BIND }, { "user", A_USER }, { "group", A_GROUP },
		{ "server", A_SERVER }, { "server_args", A_ARGS },
		{ "label", A_LABEL }, { "instances", A_INSTANCES },
		{ "base_context", A_BASE }, { "disable", A_DISABLE },
		{ "socket_type", A_SOCKET_TYPE }, { "wait", A_WAIT },
		{ "max_range", A_MAX_RANGE },
		{ "unlabeled_level", A_UNLABELED },
		{ "stderr", A_STDERR }, { "umask", A_UMASK },
		{ "nice", A_NICE }, { "rlimit_cpu", A_RLIM_CPU },
		{ "rlimit_as", A_RLIM_AS }, { "rlimit_nofile", A_RLIM_NOFILE },
		{ "rlimit_nproc", A_RLIM_NPROC }, { "groups", A_GROUPS },
		{ "env", A_ENV }, { "passenv", A_PASSENV },
		{ "per_source", A_PER_SOURCE }, { "cps", A_CPS },
		{ "max_runtime", A_MAX_RUNTIME },
		{ "allow_writable", A_ALLOW_WRITABLE },
	};
	enum attr bit = 0;
	unsigned long n, m;
	bool b = false;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(key, keys[i].key) == 0)
			bit = keys[i].bit;
	if (bit == 0)
		return fail(p, "unknown attribute \"%s\"", key);
	if (p->set & bit)
		return fail(p, "%s is set twice", key);
	p->set |= bit;
	if (*v == '\0' && bit != A_ARGS)
		return fail(p, "%s has no value", key);

	switch (bit) {
	case A_PROTOCOL:
		if (strcmp(v, "tcp") == 0)
			p->cur.proto = INETD_TCP;
		else if (strcmp(v, "udp") == 0)
			p->cur.proto = INETD_UDP;
		else if (strcmp(v, "sctp") == 0)
			p->cur.proto = INETD_SCTP;
		else
			return fail(p, "protocol must be tcp, udp or sctp, "
				    "not \"%s\"", v);
		return 0;
	case A_PORT:
		if (!number(v, 1, 65535, &n))
			return fail(p, "port must be a number from 1 to "
				    "65535, not \"%s\"", v);
		p->port = (unsigned int)n;
		return 0;
	case A_BIND:
		if (strlen(v) >= sizeof(p->bind_text))
			return fail(p, "bind: \"%s\" is not an IPv4 or IPv6 "
				    "address", v);
		strcpy(p->bind_text, v);
		return 0;
	case A_USER:
		return set_user(p, v);
	case A_GROUP:
		return set_group(p, v);
	case A_SERVER:
		if (v[0] != '/')
			return fail(p, "server must be an absolute path, not "
				    "\"%s\"", v);
		return set_string(p, &p->cur.server, v);
	case A_ARGS:
		return set_string(p, &p->args, v);
	case A_LABEL:
		if (strcmp(v, "required") == 0)
			p->cur.label_required = true;
		else if (strcmp(v, "optional") == 0)
			p->cur.label_required = false;
		else
			return fail(p, "label must be required or optional, "
				    "not \"%s\"", v);
		return 0;
	case A_INSTANCES:
		if (!number(v, 1, INETD_INSTANCES_MAX, &n))
			return fail(p, "instances must be a number from 1 to "
				    "%d, not \"%s\"", INETD_INSTANCES_MAX, v);
		p->cur.instances = (unsigned int)n;
		return 0;
	case A_BASE:
		if (!context_shape(v))
			return fail(p, "base_context \"%s\" is not a context "
				    "(user:role:type[:range])", v);
		return set_string(p, &p->cur.base_context, v);
	case A_MAX_RANGE:
	case A_UNLABELED:
		if (!range_shape(v))
			return fail(p, "%s \"%s\" is not an MLS level or range",
				    key, v);
		return set_string(p, bit == A_MAX_RANGE ? &p->cur.max_range :
				  &p->cur.unlabeled_level, v);
	case A_DISABLE:
		return yes_no(p, key, v, &p->disabled);
	case A_SOCKET_TYPE:
		if (strcmp(v, "stream") == 0)
			p->stream_type = true;
		else if (strcmp(v, "dgram") == 0)
			p->stream_type = false;
		else
			return fail(p, "socket_type must be stream or dgram, "
				    "not \"%s\"", v);
		return 0;
	case A_STDERR:
		if (strcmp(v, "connection") == 0)
			p->cur.err_to = INETD_STDERR_CONNECTION;
		else if (strcmp(v, "null") == 0)
			p->cur.err_to = INETD_STDERR_NULL;
		else if (strcmp(v, "log") == 0)
			p->cur.err_to = INETD_STDERR_LOG;
		else
			return fail(p, "stderr must be connection, null or "
				    "log, not \"%s\"", v);
		return 0;
	case A_UMASK: {
		char *end;

		errno = 0;
		m = strtoul(v, &end, 8);
		if (!isdigit((unsigned char)*v) || *end != '\0' ||
		    errno != 0 || m > 0777)
			return fail(p, "umask must be an octal number from 0 "
				    "to 0777, not \"%s\"", v);
		p->cur.umask = (mode_t)m;
		return 0;
	}
	case A_NICE: {
		const char *d = v[0] == '-' ? v + 1 : v;

		if (!number(d, 0, v[0] == '-' ? 20 : 19, &n))
			return fail(p, "nice must be a number from -20 to 19, "
				    "not \"%s\"", v);
		p->cur.nice = v[0] == '-' ? -(int)n : (int)n;
		p->cur.nice_set = true;
		return 0;
	}
	case A_RLIM_CPU:
		return set_rlim(p, key, v, &p->cur.rlim[INETD_RLIM_CPU]);
	case A_RLIM_AS:
		return set_rlim(p, key, v, &p->cur.rlim[INETD_RLIM_AS]);
	case A_RLIM_NOFILE:
		return set_rlim(p, key, v, &p->cur.rlim[INETD_RLIM_NOFILE]);
	case A_RLIM_NPROC:
		return set_rlim(p, key, v, &p->cur.rlim[INETD_RLIM_NPROC]);
	case A_GROUPS:
		return set_groups(p, v);
	case A_ENV:
		return set_words(p, key, v, true, &p->cur.env);
	case A_PASSENV:
		return set_words(p, key, v, false, &p->cur.passenv);
	case A_PER_SOURCE:
		if (!number(v, 1, INETD_INSTANCES_MAX, &n))
			return fail(p, "per_source must be a number from 1 to "
				    "%d, not \"%s\"", INETD_INSTANCES_MAX, v);
		p->cur.per_source = (unsigned int)n;
		return 0;
	case A_CPS: {
		char rate[32], wait[32], extra;

		if (sscanf(v, "%31s %31s %c", rate, wait, &extra) != 2 ||
		    !number(rate, 1, 1000000, &n) ||
		    !number(wait, 1, 86400, &m))
			return fail(p, "cps must be RATE WAIT (connections per "
				    "second, 1 to 1000000; seconds, 1 to "
				    "86400), not \"%s\"", v);
		p->cur.cps_rate = (unsigned int)n;
		p->cur.cps_wait = (unsigned int)m;
		return 0;
	}
	case A_MAX_RUNTIME:
		if (!number(v, 1, 86400 * 365, &n))
			return fail(p, "max_runtime must be seconds, from 1 to "
				    "31536000, not \"%s\"", v);
		p->cur.max_runtime = (unsigned int)n;
		return 0;
	case A_ALLOW_WRITABLE:
		return yes_no(p, key, v, &p->cur.allow_writable);
	case A_WAIT:
		if (yes_no(p, key, v, &b) < 0)
			return -1;
		if (b)
			return fail(p, "wait = yes is not supported: every "
				    "connection or datagram gets its own "
				    "server");
		return 0;
	}
	return 0;
}

/* server_args split on blanks, after argv[0] = the server's path. */
static int build_argv(struct parser *p)
{
	char **argv = calloc(INETD_ARGS_MAX + 2, sizeof(*argv));
	char *save = NULL, *w;
	size_t n = 0;

	if (argv == NULL)
		return fail(p, "out of memory");
	p->cur.argv = argv;
	if (set_string(p, &argv[n++], p->cur.server) < 0)
		return -1;
	for (w = p->args != NULL ? strtok_r(p->args, " \t", &save) : NULL;
	     w != NULL; w = strtok_r(NULL, " \t", &save)) {
		if (n > INETD_ARGS_MAX)
			return fail(p, "server_args has more than %d words",
				    INETD_ARGS_MAX);
		if (set_string(p, &argv[n++], w) < 0)
			return -1;
	}
	return 0;
}

static int build_address(struct parser *p)
{
	struct sockaddr_in *in = (void *)&p->cur.addr;
	struct sockaddr_in6 *in6 = (void *)&p->cur.addr;
	const char *text = p->bind_text[0] != '\0' ? p->bind_text : "0.0.0.0";

	memset(&p->cur.addr, 0, sizeof(p->cur.addr));
	if (inet_pton(AF_INET, text, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(p->port);
		p->cur.addr_len = sizeof(*in);
	} else if (inet_pton(AF_INET6, text, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(p->port);
		p->cur.addr_len = sizeof(*in6);
	} else {
		return fail(p, "bind: \"%s\" is not an IPv4 or IPv6 address",
			    text);
	}
	return 0;
}

static void service_free(struct inetd_service *s)
{
	if (s->argv != NULL)
		for (char **a = s->argv; *a != NULL; a++)
			free(*a);
	free(s->argv);
	free(s->server);
	free(s->base_context);
	free(s->max_range);
	free(s->unlabeled_level);
	for (char **e = s->env; e != NULL && *e != NULL; e++)
		free(*e);
	free(s->env);
	for (char **e = s->passenv; e != NULL && *e != NULL; e++)
		free(*e);
	free(s->passenv);
}

static bool wildcard(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_addr.s_addr ==
		       htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(
		&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

/* An IPv4 address, or an IPv6 one in its v4-mapped form (::ffff:a.b.c.d,
 * the same socket address on a dual-stack socket): true and the IPv4
 * address in @v4. */
static bool ipv4_of(const struct sockaddr_storage *ss, struct in_addr *v4)
{
	const struct in6_addr *a6;

	if (ss->ss_family == AF_INET) {
		*v4 = ((const struct sockaddr_in *)ss)->sin_addr;
		return true;
	}
	a6 = &((const struct sockaddr_in6 *)ss)->sin6_addr;
	if (!IN6_IS_ADDR_V4MAPPED(a6))
		return false;
	memcpy(v4, &a6->s6_addr[12], 4);
	return true;
}

static unsigned int port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

/* Two services that would fight for one socket.  An IPv6 wildcard takes
 * IPv4 too (the launcher does not set IPV6_V6ONLY). */
static bool clash(const struct inetd_service *a, const struct inetd_service *b)
{
	struct in_addr a4, b4;

	if (a->proto != b->proto || port_of(&a->addr) != port_of(&b->addr))
		return false;
	/* 127.0.0.1 and ::ffff:127.0.0.1, 0.0.0.0 and ::ffff:0.0.0.0 */
	if (ipv4_of(&a->addr, &a4) && ipv4_of(&b->addr, &b4))
		return a4.s_addr == htonl(INADDR_ANY) ||
		       b4.s_addr == htonl(INADDR_ANY) ||
		       a4.s_addr == b4.s_addr;
	if (a->addr.ss_family == b->addr.ss_family)
		return wildcard(&a->addr) || wildcard(&b->addr) ||
		       memcmp(&a->addr, &b->addr, a->addr_len) == 0;
	return (a->addr.ss_family == AF_INET6 && wildcard(&a->addr)) ||
	       (b->addr.ss_family == AF_INET6 && wildcard(&b->addr));
}

/* The block ends: check it is complete and add it to the table. */
static int finish_service(struct parser *p)
{
	struct inetd_config *cfg = p->cfg;
	struct inetd_service *grown;
	int close_line = p->line;

	p->line = p->cur.line;		/* errors point at "service NAME" */
	if (!(p->set & A_PROTOCOL))
		return fail(p, "service %s has no protocol", p->cur.name);
	if (!(p->set & A_PORT))
		return fail(p, "service %s has no port", p->cur.name);
	if (!(p->set & A_USER))
		return fail(p, "service %s has no user", p->cur.name);
	if (!(p->set & A_SERVER))
		return fail(p, "service %s has no server", p->cur.name);
	if ((p->set & A_SOCKET_TYPE) &&
	    p->stream_type != (p->cur.proto != INETD_UDP))
		return fail(p, "service %s: socket_type does not match "
			    "protocol %s", p->cur.name,
			    inetd_proto_name(p->cur.proto));
	if (!(p->set & A_GROUP)) {
		if (!p->user_has_group)
			return fail(p, "service %s: user %u has no passwd "
				    "entry: set group", p->cur.name,
				    (unsigned int)p->cur.uid);
		p->cur.gid = p->user_gid;
	}
	if (!p->cur.label_required && p->cur.unlabeled_level == NULL)
		return fail(p, "service %s: label = optional needs "
			    "unlabeled_level, the level unlabeled peers run at",
			    p->cur.name);
	if (p->cur.label_required && p->cur.unlabeled_level != NULL)
		return fail(p, "service %s: unlabeled_level is set but label "
			    "= required: no unlabeled peer is served",
			    p->cur.name);
	/* a stream server's errors go to its client (as in xinetd); a
	 * datagram handler's nowhere: never to the launcher's log unless
	 * asked */
	if (!(p->set & A_STDERR))
		p->cur.err_to = p->cur.proto == INETD_UDP ? INETD_STDERR_NULL :
				INETD_STDERR_CONNECTION;
	if (build_address(p) < 0 || build_argv(p) < 0)
		return -1;
	free(p->args);
	p->args = NULL;

	/* disabled or not, one name is one service */
	for (size_t i = 0; i < p->nnames; i++) {
		if (strcmp(p->names[i], p->cur.name) == 0)
			return fail(p, "service %s is defined twice (first "
				    "at line %d)", p->cur.name,
				    p->name_line[i]);
	}
	{
		char (*n)[INETD_NAME_MAX + 1] = realloc(p->names,
			(p->nnames + 1) * sizeof(*n));
		int *l;

		if (n == NULL)
			return fail(p, "out of memory");
		p->names = n;
		l = realloc(p->name_line, (p->nnames + 1) * sizeof(*l));
		if (l == NULL)
			return fail(p, "out of memory");
		p->name_line = l;
		strcpy(p->names[p->nnames], p->cur.name);
		p->name_line[p->nnames++] = p->cur.line;
	}
	if (p->disabled) {
		service_free(&p->cur);
		memset(&p->cur, 0, sizeof(p->cur));
		p->line = close_line;
		return 0;
	}
	for (size_t i = 0; i < cfg->n; i++) {
		if (clash(&cfg->svc[i], &p->cur))
			return fail(p, "service %s: %s port %u is taken by "
				    "service %s (line %d)", p->cur.name,
				    inetd_proto_name(p->cur.proto),
				    port_of(&p->cur.addr), cfg->svc[i].name,
				    cfg->svc[i].line);
	}

	grown = realloc(cfg->svc, (cfg->n + 1) * sizeof(*grown));
	if (grown == NULL)
		return fail(p, "out of memory");
	cfg->svc = grown;
	cfg->svc[cfg->n++] = p->cur;
	memset(&p->cur, 0, sizeof(p->cur));
	p->line = close_line;
	return 0;
}

static void start_service(struct parser *p, const char *name)
{
	memset(&p->cur, 0, sizeof(p->cur));
	strcpy(p->cur.name, name);
	p->cur.line = p->line;
	p->cur.label_required = true;
	p->cur.instances = INETD_INSTANCES_DEFAULT;
	p->cur.umask = 022;
	for (int i = 0; i < INETD_RLIM_N; i++)
		p->cur.rlim[i] = INETD_RLIM_UNSET;
	p->cur.exec_fd = -1;
	p->set = 0;
	p->disabled = false;
	p->bind_text[0] = '\0';
	p->port = 0;
	p->user_has_group = false;
}

enum state { OUTSIDE, WANT_BRACE, INSIDE };

/* "service NAME" and maybe "{" on the same line. */
static int service_line(struct parser *p, char *s, enum state *st)
{
	char *name = trim(s + strlen("service"));
	size_t n = strlen(name);
	bool brace = n > 0 && name[n - 1] == '{';

	if (brace)
		name[n - 1] = '\0';
	name = trim(name);
	if (*name == '\0')
		return fail(p, "service has no name");
	if (!valid_name(name))
		return fail(p, "service name \"%s\" is not 1 to %d letters, "
			    "digits, '_', '.' or '-'", name, INETD_NAME_MAX);
	start_service(p, name);
	*st = brace ? INSIDE : WANT_BRACE;
	return 0;
}

static int parse_line(struct parser *p, char *s, enum state *st)
{
	char *eq, *key, *v;

	switch (*st) {
	case OUTSIDE:
		if (strncmp(s, "service", 7) == 0 &&
		    (s[7] == '\0' || isspace((unsigned char)s[7]) ||
		     s[7] == '{'))
			return service_line(p, s, st);
		return fail(p, "expected \"service NAME\", found \"%s\"", s);
	case WANT_BRACE:
		if (strcmp(s, "{") != 0)
			return fail(p, "expected \"{\" after \"service %s\"",
				    p->cur.name);
		*st = INSIDE;
		return 0;
	case INSIDE:
		if (strcmp(s, "}") == 0) {
			*st = OUTSIDE;
			return finish_service(p);
		}
		eq = strchr(s, '=');
		if (eq == NULL)
			return fail(p, "expected \"attribute = value\" or "
				    "\"}\", found \"%s\"", s);
		*eq = '\0';
		key = trim(s);
		v = trim(eq + 1);
		if (*key == '\0')
			return fail(p, "an attribute has no name");
		return attribute(p, key, v);
	}
	return 0;
}

int inetd_config_parse(FILE *f, const char *name, struct inetd_config **out,
		       char *err)
{
	struct parser p = { .file = name, .err = err };
	enum state st = OUTSIDE;
	char *buf = NULL;
	size_t cap = 0;
	ssize_t got;
	int r = 0;

	p.cfg = calloc(1, sizeof(*p.cfg));
	if (p.cfg == NULL)
		return fail(&p, "out of memory");

	while (r == 0 && (got = getline(&buf, &cap, f)) > 0) {
		size_t n = (size_t)got;
		char *s;

		p.line++;
		if (n > 0 && buf[n - 1] == '\n')
			buf[--n] = '\0';
		if (n > INETD_LINE_MAX) {
			r = fail(&p, "line longer than %d bytes",
				 INETD_LINE_MAX);
			break;
		}
		if (memchr(buf, '\0', n) != NULL) {
			r = fail(&p, "a NUL byte in the line (at byte %zu)",
				 (size_t)((char *)memchr(buf, '\0', n) - buf) +
				 1);
			break;
		}
		s = trim(buf);
		if (*s == '\0' || *s == '#')
			continue;
		r = parse_line(&p, s, &st);
	}
	if (r == 0 && ferror(f))
		r = fail(&p, "read error");
	if (r == 0 && st != OUTSIDE) {
		p.line = p.cur.line;
		r = fail(&p, "service %s is not closed with \"}\"",
			 p.cur.name);
	}
	if (r == 0 && p.cfg->n == 0) {
		p.line = p.line > 0 ? p.line : 1;
		r = fail(&p, "no enabled service");
	}
	free(buf);
	free(p.names);
	free(p.name_line);
	if (r < 0) {
		service_free(&p.cur);
		free(p.args);
		inetd_config_free(p.cfg);
		return -1;
	}
	*out = p.cfg;
	return 0;
}

int inetd_config_load(const char *path, struct inetd_config **out, char *err)
{
	FILE *f = fopen(path, "re");
	int r;

	if (f == NULL) {
		snprintf(err, INETD_ERR_MAX, "%s:0: cannot open: %s", path,
			 strerror(errno));
		return -1;
	}
	r = inetd_config_parse(f, path, out, err);
	fclose(f);
	return r;
}

void inetd_config_free(struct inetd_config *cfg)
{
	if (cfg == NULL)
		return;
	for (size_t i = 0; i < cfg->n; i++)
		service_free(&cfg->svc[i]);
	free(cfg->svc);
	free(cfg);
}
