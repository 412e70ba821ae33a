/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* peersec(1): reading a connection's label (through api.h). */
#include <errno.h>
#include <stdlib.h>
#include <netinet/in.h>

#include "api.h"
#include "peersec.h"

int read_stream_label(int fd, enum proto proto, char **label)
{
	int r;

	*label = NULL;
#if PEERSEC_HAVE_SCTP
	if (proto == PROTO_SCTP) {
		/* One-to-one: association 0 is the socket's own; the size
		 * is asked first, then read (the label cannot change).  When
		 * the peer has already ended the association, the socket
		 * still holds the label it had: SO_PEERSEC below. */
		size_t len = 0;
		char *buf;

		r = api_sctp_assoc_label(fd, 0, NULL, &len);
		if (r == -ENOPROTOOPT)
			return 0;
		if (r == -ENOTCONN || r == -ENOENT)
			goto ended;
		if (r != -ERANGE)
			return r < 0 ? r : -EIO;
		buf = malloc(len);
		if (!buf)
			return -ENOMEM;
		r = api_sctp_assoc_label(fd, 0, buf, &len);
		if (r == 0) {
			*label = buf;
			return 0;
		}
		free(buf);
		if (r == -ENOPROTOOPT)
			return 0;
		if (r != -ENOTCONN && r != -ENOENT)
			return r;
	}
ended:
#else
	(void)proto;
#endif
	r = api_stream_get_alloc(fd, label);
	if (r == -ENOPROTOOPT) {
		*label = NULL;
		return 0;
	}
	return r;
}
