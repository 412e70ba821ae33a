/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * peersec(1): one line per peer, as text or as a JSON object, with the
 * label raw and translated (mcstrans, through libselinux, when it runs).
 *
 * Text:  PROTO ADDRESS [pid=PID] [fd=N] [bytes=N] LABEL [(TRANSLATED)]
 *        where LABEL is the raw label, "none", or "unreadable:ERRNO"
 * JSON:  {"proto":..,"address":..,"pid":..,"fd":..,"bytes":..,
 *         "label":..|null,"translated":..|null,"error":null|"ERRNO",
 *         "error_text":..}
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <peersec/peersec.h>
#if PEERSEC_HAVE_SELINUX
#include <selinux/selinux.h>
#endif

#include "peersec.h"

const char *errno_name(int e)
{
	switch (-e) {
#define N(x) case x: return #x
	N(ENOPROTOOPT); N(ERANGE); N(EINVAL); N(EBADF); N(ENOTSOCK);
	N(ENOTCONN); N(EPROTOTYPE); N(EBADMSG); N(EFAULT); N(ENOMEM);
	N(EACCES); N(EIO); N(EOVERFLOW); N(ENOENT); N(EINPROGRESS);
	N(EAFNOSUPPORT); N(EOPNOTSUPP); N(EAGAIN); N(EINTR); N(EPERM);
	N(ESRCH); N(ENOSYS); N(ECONNREFUSED); N(EHOSTUNREACH);
	N(ENETUNREACH); N(EMSGSIZE); N(EPROTO);
#undef N
	default: return "EUNKNOWN";
	}
}

const char *label_error_text(int e)
{
	switch (-e) {
	case EOVERFLOW:
		return "the label is longer than the library accepts, or the kernel "
		       "cut it: unknown";
	case EBADMSG:
		return "the kernel's label was malformed";
	case EACCES:
		return "the security policy forbids reading the label";
	default:
		return strerror(-e);
	}
}

static void json_string(const char *s)
{
	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

/* The translated form of @raw (mcstrans), or NULL when it cannot be had or
 * adds nothing; free() it. */
static char *translate(const char *raw)
{
#if PEERSEC_HAVE_SELINUX
	char *trans = NULL, *copy;

	if (selinux_raw_to_trans_context(raw, &trans) != 0 || !trans)
		return NULL;
	copy = strdup(trans);
	freecon(trans);
	return copy;
#else
	(void)raw;
	return NULL;
#endif
}

void report_peer(const struct options *o, const struct peer_report *r)
{
	char *trans = r->label && !r->error ? translate(r->label) : NULL;

	if (o->json) {
		printf("{\"proto\":");
		json_string(r->proto);
		printf(",\"address\":");
		json_string(r->address);
		if (r->pid > 0)
			printf(",\"pid\":%ld", (long)r->pid);
		if (r->fd >= 0)
			printf(",\"fd\":%d", r->fd);
		if (r->bytes >= 0)
			printf(",\"bytes\":%zd", r->bytes);
		printf(",\"label\":");
		json_string(r->error ? NULL : r->label);
		printf(",\"translated\":");
		json_string(r->error ? NULL : trans ? trans : r->label);
		printf(",\"error\":");
		json_string(r->error ? errno_name(r->error) : NULL);
		if (r->error) {
			printf(",\"error_text\":");
			json_string(label_error_text(r->error));
		}
		printf("}\n");
	} else {
		printf("%s %s", r->proto, r->address);
		if (r->pid > 0)
			printf(" pid=%ld", (long)r->pid);
		if (r->fd >= 0)
			printf(" fd=%d", r->fd);
		if (r->bytes >= 0)
			printf(" bytes=%zd", r->bytes);
		if (r->error)
			printf(" unreadable:%s (%s)", errno_name(r->error),
			       label_error_text(r->error));
		else if (!r->label)
			printf(" none");
		else
			printf(" %s", r->label);
		if (trans && strcmp(trans, r->label) != 0)
			printf(" (%s)", trans);
		putchar('\n');
	}
	fflush(stdout);
	free(trans);
}
