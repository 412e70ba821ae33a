/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Logging: one line per event, to stderr or syslog (daemon facility). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "inetd.h"

static bool to_syslog;

void inetd_log_open(bool use_syslog)
{
	to_syslog = use_syslog;
	if (use_syslog)
		openlog("peersec-inetd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

static bool plain(unsigned char c)
{
	return c >= 0x20 && c <= 0x7e && c != '\\';
}

void inetd_escape(const char *in, char *out, size_t size)
{
	size_t n = 0, len = strlen(in), need = 0, room;
	char tail[32] = "";

	if (size == 0)
		return;
	for (size_t i = 0; i < len; i++)
		need += plain((unsigned char)in[i]) ? 1 : 4;
	room = size - 1;
	if (need > room) {
		/* what fits before "...(N bytes)" */
		size_t tl = (size_t)snprintf(tail, sizeof(tail),
					     "...(%zu bytes)", len);

		room = room > tl ? room - tl : 0;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		size_t el = plain(c) ? 1 : 4;

		if (n + el > room)
			break;
		if (el == 1)
			out[n] = (char)c;
		else
			snprintf(out + n, 5, "\\x%02x", c);
		n += el;
	}
	snprintf(out + n, size - n, "%s", tail);
}

void inetd_log(int prio, const char *fmt, ...)
{
	static const char *const level[] = {
		[LOG_EMERG] = "emerg", [LOG_ALERT] = "alert",
		[LOG_CRIT] = "crit", [LOG_ERR] = "error",
		[LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
		[LOG_INFO] = "info", [LOG_DEBUG] = "debug",
	};
	char line[1024];
	va_list ap;
	int n;

	if (to_syslog) {
		va_start(ap, fmt);
		vsnprintf(line, sizeof(line), fmt, ap);
		va_end(ap);
		syslog(prio, "%s", line);
		return;
	}
	/* One write(2) per line: the prefix, the text, the newline. */
	n = snprintf(line, sizeof(line), "peersec-inetd: %s: ",
		     level[prio & LOG_PRIMASK]);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	n = (int)strlen(line);
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, (size_t)n);
}
