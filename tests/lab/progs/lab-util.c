/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers for the lab's in-VM programs; see lab-util.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <selinux/selinux.h>
#include <peersec/peersec.h>

#include "lab-util.h"

const char *lab_prog = "lab";

void lab_init(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');

	lab_prog = slash != NULL ? slash + 1 : argv0;
	setvbuf(stdout, NULL, _IOLBF, 0);
}

/* "PROG: message" on stderr */
static void say(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", lab_prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void lab_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
	exit(2);
}

void lab_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
}

const char *lab_errname(int r)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ 0, "0" },
		{ ENOPROTOOPT, "-ENOPROTOOPT" },
		{ ERANGE, "-ERANGE" },
		{ EINVAL, "-EINVAL" },
		{ EBADF, "-EBADF" },
		{ ENOTSOCK, "-ENOTSOCK" },
		{ ENOTCONN, "-ENOTCONN" },
		{ EPROTOTYPE, "-EPROTOTYPE" },
		{ EBADMSG, "-EBADMSG" },
		{ EFAULT, "-EFAULT" },
		{ ENOMEM, "-ENOMEM" },
		{ EOVERFLOW, "-EOVERFLOW" },
		{ EAFNOSUPPORT, "-EAFNOSUPPORT" },
		{ EMSGSIZE, "-EMSGSIZE" },
		{ ENODATA, "-ENODATA" },
		{ EAGAIN, "-EAGAIN" },
	};
	static __thread char other[24];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == -r)
			return names[i].name;
	snprintf(other, sizeof(other), "-E%d", -r);
	return other;
}

void lab_parse_addr(const char *addr, const char *port, struct lab_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (strncmp(addr, "unix:", 5) == 0) {
		struct sockaddr_un *un = (struct sockaddr_un *)&a->ss;
		const char *path = addr + 5;
		size_t n = strlen(path);

		if (n == 0 || n >= sizeof(un->sun_path))
			lab_die("bad AF_UNIX address %s", addr);
		un->sun_family = AF_UNIX;
		memcpy(un->sun_path, path, n);
		if (path[0] == '@')
			un->sun_path[0] = '\0';	/* abstract */
		a->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
				     (path[0] == '@' ? 0 : 1));
		a->family = AF_UNIX;
		return;
	}

	int p = port != NULL ? atoi(port) : 0;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&a->ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a->ss;

	if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((unsigned short)p);
		a->len = sizeof(*in4);
	} else if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((unsigned short)p);
		a->len = sizeof(*in6);
	} else {
		lab_die("bad address %s", addr);
	}
	a->family = a->ss.ss_family;
}

void lab_sockcon(const char *con)
{
	if (con == NULL || con[0] == '\0')
		return;
	if (setsockcreatecon_raw(con) < 0)
		lab_die("setsockcreatecon %s: %s", con, strerror(errno));
}

int lab_listen(int type, int proto, const struct lab_addr *a, int backlog)
{
	int one = 1;
	int fd = socket(a->family, type, proto);

	if (fd < 0)
		lab_die("socket: %s", strerror(errno));
	if (a->family != AF_UNIX)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0)
		lab_die("bind: %s", strerror(errno));
	if (type != SOCK_DGRAM && listen(fd, backlog) < 0)
		lab_die("listen: %s", strerror(errno));
	return fd;
}

int lab_connect(int type, int proto, const struct lab_addr *a, int seconds)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	int tries = seconds * lab_scale() * 50;

	for (;;) {
		int fd = socket(a->family, type, proto);

		if (fd < 0)
			lab_die("socket: %s", strerror(errno));
		if (connect(fd, (const struct sockaddr *)&a->ss, a->len) == 0)
			return fd;
		int e = errno;

		close(fd);
		if ((e != ECONNREFUSED && e != ENOENT) || tries-- <= 0)
			lab_die("connect: %s", strerror(e));
		nanosleep(&pause, NULL);
	}
}

/*
 * peersec_tcp_get() with a buffer of @size bytes must give the label when it
 * fits with its NUL, else -ERANGE and the size needed, NUL included.  The
 * header promises that one retry with that size succeeds; the size is exact
 * for labels up to 4 KiB (the library's stack scratch) and may be one byte
 * more beyond, so check exactness there and the retry everywhere.
 */
#define EXACT_UP_TO 4096

static bool check_size(int fd, const char *label, size_t size)
{
	size_t need = strlen(label) + 1;
	char *buf = size != 0 ? malloc(size) : NULL;
	size_t len = size;
	bool good = true;
	int r;

	if (size != 0 && buf == NULL)
		lab_die("out of memory");
	r = peersec_tcp_get(fd, buf, &len);
	if (need <= size) {
		if (r != 0 || len != need - 1 || strcmp(buf, label) != 0) {
			lab_err("peersec_tcp_get with %zu bytes: %s len %zu, "
				"expected 0 len %zu", size, lab_errname(r), len,
				need - 1);
			good = false;
		}
	} else if (r != -ERANGE || len < need ||
		   (need <= EXACT_UP_TO && len != need) || len > need + 1) {
		lab_err("peersec_tcp_get with %zu bytes: %s len %zu, "
			"expected -ERANGE len %zu", size, lab_errname(r), len,
			need);
		good = false;
	} else if (len != need) {
		/* An upper bound: the retry it promises must work. */
		free(buf);
		buf = malloc(len);
		if (buf == NULL)
			lab_die("out of memory");
		size = len;
		r = peersec_tcp_get(fd, buf, &len);
		if (r != 0 || len != need - 1 || strcmp(buf, label) != 0) {
			lab_err("peersec_tcp_get retry with %zu bytes: %s len %zu",
				size, lab_errname(r), len);
			good = false;
		}
	}
	free(buf);
	return good;
}

bool lab_stream_label(int fd, char **out)
{
	char *label = NULL;
	int r = peersec_tcp_get_alloc(fd, &label);
	bool good = true;

	if (r < 0) {
		/* The caller-buffer form must agree that there is no label. */
		char buf[256];
		size_t len = sizeof(buf);
		int r2 = peersec_tcp_get(fd, buf, &len);

		if (r2 != r) {
			lab_err("peersec_tcp_get_alloc %s but peersec_tcp_get %s",
				lab_errname(r), lab_errname(r2));
			good = false;
		}
		*out = strdup(lab_errname(r));
		return good;
	}

	size_t need = strlen(label) + 1;
	size_t sizes[] = { 0, need - 1, need, need + 1, 255, 256, 257 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		good &= check_size(fd, label, sizes[i]);
	*out = label;
	return good;
}

void lab_ready(void)
{
	printf("ready\n");
	fflush(stdout);
}

bool lab_expect(const char *what, const char *expect, const char *got)
{
	if (expect == NULL || strcmp(expect, got) == 0)
		return true;
	lab_err("%s: expected \"%s\" (%zu bytes)\n  got \"%s\" (%zu bytes)",
		what, expect, strlen(expect), got, strlen(got));
	return false;
}

const char *lab_peer_name(int fd)
{
	static __thread char name[INET6_ADDRSTRLEN];
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
		return "?";
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, name,
			  sizeof(name));
	else if (ss.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr,
			  name, sizeof(name));
	else
		return "unix";
	return name;
}

bool lab_read_line(int fd, char *buf, size_t size)
{
	size_t n = 0;

	/* Whole chunks, not byte by byte: on a SOCK_SEQPACKET socket a read
	 * takes a record and drops what does not fit.  Each side sends one
	 * line per connection, so nothing after the newline is lost. */
	while (n + 1 < size) {
		ssize_t k = read(fd, buf + n, size - 1 - n);
		char *nl;

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		n += (size_t)k;
		buf[n] = '\0';
		nl = strchr(buf, '\n');
		if (nl != NULL) {
			*nl = '\0';
			return true;
		}
	}
	buf[n] = '\0';
	return n > 0;
}

void lab_write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, s, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			lab_die("write: %s", strerror(errno));
		s += k;
		n -= (size_t)k;
	}
}

int lab_scale(void)
{
	const char *s = getenv("LAB_SCALE");
	int n = s != NULL ? atoi(s) : 1;

	return n >= 1 && n <= 100 ? n : 1;
}
