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

void inetd_escape(const char *in, char *out, size_t size)
{
	size_t n = 0, len = strlen(in);
	char tail[32];

	snprintf(tail, sizeof(tail), "...(%zu bytes)", len);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		char e[5];
		size_t el;

		if (c < 0x20 || c > 0x7e || c == '\\')
			el = (size_t)snprintf(e, sizeof(e), "\\x%02x", c);
		else
			e[0] = (char)c, e[1] = '\0', el = 1;
		/* keep room for the tail unless this is the end */
		if (n + el + (i + 1 < len ? strlen(tail) : 0) >= size) {
			snprintf(out + n, size - n, "%s", tail);
			return;
		}
		memcpy(out + n, e, el);
		n += el;
	}
	out[n] = '\0';
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
