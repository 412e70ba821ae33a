/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Logging: one line per event, to stderr or syslog (daemon facility). */
#include <stdarg.h>
#include <stdio.h>

#include "inetd.h"

static bool to_syslog;

void inetd_log_open(bool use_syslog)
{
	to_syslog = use_syslog;
	if (use_syslog)
		openlog("peersec-inetd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
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

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (to_syslog)
		syslog(prio, "%s", line);
	else
		fprintf(stderr, "peersec-inetd: %s: %s\n",
			level[prio & LOG_PRIMASK], line);
}
