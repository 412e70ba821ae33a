/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target: the datagram control-data core, peersec__dgram_strip(),
 * against a model written here independently.  Descriptors in SCM_RIGHTS
 * and SCM_PIDFD messages are not closed but counted: the core must hand
 * over exactly those the model's caller buffer would not hold, and on error
 * all.
 *
 * Input: 2 bytes choosing the caller's space (own), 1 byte of flags (bit 0:
 * the kernel set MSG_CTRUNC; bits 1-3: extra buffer bytes / 8), then the
 * control data the "kernel" wrote.  The model parses the same bytes, drops
 * the label message and lays the rest out with put_cmsg()'s rules in @own
 * bytes; whenever the core accepts the input its answer must match the
 * model, and its label must be the label message's text.  Any mismatch
 * aborts.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "kernel-abi.h"
#include "peersec-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LABEL_SPACE CMSG_SPACE(PEERSEC_UDP_LABEL_MAX)
#define BUF_MAX (PEERSEC_UDP_CONTROL_MAX + LABEL_SPACE + 64)

#define check(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "check failed: %s (line %d)\n",	\
				#cond, __LINE__);			\
			abort();					\
		}							\
	} while (0)

struct model {
	bool ok;		/* well-formed: every cmsg_len sane */
	bool rights;		/* an SCM_RIGHTS message came */
	size_t fds;		/* descriptors in all */
	size_t dropped;		/* descriptors the caller's buffer lacks */
	int labels;		/* SOL_IP/3 and SOL_SOCKET/3 messages */
	size_t lab_off, lab_len;
	unsigned char out[BUF_MAX];
	size_t out_len;
	bool ctrunc;
};

/* scm_detach_fds(): the descriptors that fit whole, nothing when none. */
static void put_fds(struct model *m, size_t *left, const unsigned char *msg,
		    size_t len)
{
	struct cmsghdr h;
	size_t n = (len - CMSG_LEN(0)) / sizeof(int), fit, cm, step;

	fit = *left > sizeof(h) ? (*left - sizeof(h)) / sizeof(int) : 0;
	if (fit < n) {
		m->ctrunc = true;
		m->dropped += n - fit;
		n = fit;
	}
	if (n == 0)
		return;
	cm = CMSG_LEN(n * sizeof(int));
	memcpy(&h, msg, sizeof(h));
	h.cmsg_len = cm;
	memcpy(m->out + m->out_len, &h, sizeof(h));
	memcpy(m->out + m->out_len + sizeof(h), msg + sizeof(h),
	       cm - sizeof(h));
	step = CMSG_ALIGN(cm) < *left ? CMSG_ALIGN(cm) : *left;
	m->out_len += step;
	*left -= step;
}

static bool is_fd_msg(const struct cmsghdr *h)
{
	return h->cmsg_level == SOL_SOCKET &&
	       (h->cmsg_type == SCM_RIGHTS || h->cmsg_type == SCM_PIDFD);
}

/* put_cmsg(): @len is the message's cmsg_len as found.  scm_pidfd_recv()
 * writes SCM_PIDFD whole or not at all. */
static void put(struct model *m, size_t *left, const unsigned char *msg,
		size_t len)
{
	struct cmsghdr h;
	size_t cm = len, step;

	memcpy(&h, msg, sizeof(h));
	if (h.cmsg_level == SOL_SOCKET && h.cmsg_type == SCM_RIGHTS &&
	    len > CMSG_LEN(0)) {
		put_fds(m, left, msg, len);
		return;
	}
	if (h.cmsg_level == SOL_SOCKET && h.cmsg_type == SCM_PIDFD &&
	    *left < CMSG_LEN(sizeof(int))) {
		m->ctrunc = true;
		m->dropped++;
		return;
	}

	if (*left < sizeof(h)) {
		m->ctrunc = true;
		return;
	}
	if (*left < cm) {
		m->ctrunc = true;
		cm = *left;
	}
	memcpy(&h, msg, sizeof(h));
	h.cmsg_len = cm;
	memcpy(m->out + m->out_len, &h, sizeof(h));
	memcpy(m->out + m->out_len + sizeof(h), msg + sizeof(h),
	       cm - sizeof(h));
	step = CMSG_ALIGN(len) < *left ? CMSG_ALIGN(len) : *left;
	m->out_len += step;
	*left -= step;
}

static void model_run(struct model *m, const unsigned char *buf, size_t used,
		      size_t own)
{
	size_t off = 0, left = own;

	memset(m, 0, sizeof(*m));
	m->ok = true;
	while (off < used) {
		struct cmsghdr h;

		if (used - off < sizeof(h)) {
			m->ok = false;
			return;
		}
		memcpy(&h, buf + off, sizeof(h));
		if (h.cmsg_len < CMSG_LEN(0) || h.cmsg_len > used - off) {
			m->ok = false;
			return;
		}
		if (h.cmsg_level == SOL_SOCKET && h.cmsg_type == SCM_RIGHTS) {
			if ((h.cmsg_len - CMSG_LEN(0)) % sizeof(int) != 0) {
				m->ok = false;
				return;
			}
			m->rights = true;
			m->fds += (h.cmsg_len - CMSG_LEN(0)) / sizeof(int);
		}
		if (h.cmsg_level == SOL_SOCKET && h.cmsg_type == SCM_PIDFD) {
			if (h.cmsg_len != CMSG_LEN(sizeof(int))) {
				m->ok = false;
				return;
			}
			m->fds++;
		}
		if ((h.cmsg_level == SOL_IP || h.cmsg_level == SOL_SOCKET) &&
		    h.cmsg_type == SCM_SECURITY) {
			m->labels++;
			m->lab_off = off;
			m->lab_len = h.cmsg_len;
		} else {
			put(m, &left, buf + off, h.cmsg_len);
		}
		off += CMSG_ALIGN(h.cmsg_len) < used - off ?
		       CMSG_ALIGN(h.cmsg_len) : used - off;
	}
}

/* The label's text: the payload up to its first NUL.  Sets *bad when more
 * than NULs follow, or the payload is empty. */
static size_t model_label(const unsigned char *p, size_t n, bool *bad)
{
	const unsigned char *nul = memchr(p, 0, n);
	size_t len = nul != NULL ? (size_t)(nul - p) : n;

	*bad = n == 0;
	for (size_t i = len; i < n; i++)
		if (p[i] != 0)
			*bad = true;
	return len;
}

/* Descriptors the core closed (the values are the input's, never real). */
static size_t closed;

static int count_close(int fd)
{
	closed++;
	return 0;
}

/* On error every descriptor of the well-formed prefix is closed: count
 * them independently of the model's walk. */
static size_t prefix_fds(const unsigned char *buf, size_t used)
{
	size_t off = 0, n = 0;

	while (used - off >= sizeof(struct cmsghdr)) {
		struct cmsghdr h;

		memcpy(&h, buf + off, sizeof(h));
		if (h.cmsg_len < CMSG_LEN(0) || h.cmsg_len > used - off)
			break;
		if (is_fd_msg(&h))
			n += (h.cmsg_len - CMSG_LEN(0)) / sizeof(int);
		off += CMSG_ALIGN(h.cmsg_len) < used - off ?
		       CMSG_ALIGN(h.cmsg_len) : used - off;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char buf[BUF_MAX], orig[BUF_MAX];
	static struct model m;
	struct peersec__dgram d;
	size_t own, bufsize, used, text_len = 0;
	bool cut, bad = false;
	int r;

	if (size < 3)
		return 0;
	own = ((size_t)data[0] | (size_t)data[1] << 8) %
	      (PEERSEC_UDP_CONTROL_MAX + 1);
	cut = data[2] & 1;
	bufsize = own + LABEL_SPACE + ((data[2] >> 1) & 7) * 8;
	data += 3;
	size -= 3;
	used = size < bufsize ? size : bufsize;

	memset(buf, 0x5a, sizeof(buf));
	memcpy(buf, data, used);
	memcpy(orig, buf, sizeof(buf));

	closed = 0;
	r = peersec__dgram_strip(buf, bufsize, used, cut ? MSG_CTRUNC : 0,
				 own, count_close, &d);
	check(r == 0 || r == -EBADMSG || r == -EOVERFLOW);
	if (r < 0)
		check(closed == prefix_fds(orig, used));

	model_run(&m, orig, used, own);
	if (!m.ok || m.labels > 1) {
		check(r == -EBADMSG);
		return 0;
	}
	if (m.labels == 1) {
		text_len = model_label(orig + m.lab_off + CMSG_LEN(0),
				       m.lab_len - CMSG_LEN(0), &bad);
		if (cut && m.lab_off + m.lab_len == bufsize) {
			check(r == -EOVERFLOW);
			return 0;
		}
		if (bad) {
			check(r == -EBADMSG);
			return 0;
		}
		if (text_len >= PEERSEC_UDP_LABEL_MAX) {
			check(r == -EOVERFLOW);
			return 0;
		}
	} else if (cut && !m.rights) {
		check(r == -EOVERFLOW);
		return 0;
	}
	check(r == 0);
	check(closed == m.dropped);

	/* the caller's messages as put_cmsg() lays them out in own bytes */
	check(d.ctl_len == m.out_len);
	check(d.ctl_len <= own);
	check(d.ctrunc == (m.ctrunc || cut));
	for (size_t off = 0; off < d.ctl_len;) {
		struct cmsghdr h;

		memcpy(&h, buf + off, sizeof(h));
		check(h.cmsg_len >= CMSG_LEN(0) && h.cmsg_len <= d.ctl_len - off);
		check(!((h.cmsg_level == SOL_IP || h.cmsg_level == SOL_SOCKET) &&
			h.cmsg_type == SCM_SECURITY));
		check(memcmp(buf + off, m.out + off, h.cmsg_len) == 0);
		off += CMSG_ALIGN(h.cmsg_len);
	}

	/* the label, NUL-terminated, past the caller's messages */
	check(d.label_len == text_len);
	check(d.label[d.label_len] == '\0');
	if (d.label_len == 0) {
		check(d.label[0] == '\0');
		return 0;
	}
	check((const unsigned char *)d.label >= buf + d.ctl_len);
	check((const unsigned char *)d.label + d.label_len < buf + bufsize);
	check(memcmp(d.label, orig + m.lab_off + CMSG_LEN(0), text_len) == 0);
	return 0;
}
