/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Python module peersec: libpeersec's peer labels for Python sockets.
 *
 *   stream_get(sock) -> str | None
 *   dgram_enable(sock) -> None
 *   dgram_recvmsg(sock, bufsize, ancbufsize=0, flags=0)
 *       -> (data, ancdata, msg_flags, address, label | None)
 *   sctp_assoc_label(sock, assoc_id) -> str | None
 *
 * sock is a socket object or anything with fileno(), or a descriptor.
 * "No label" is None; every failure is an OSError (its subclass for the
 * errno: FileNotFoundError, BlockingIOError ...) with the errno the C
 * function returned.  The GIL is released around every system call.  The
 * library is linked in statically: the module needs nothing at run time
 * but the C libraries the library itself uses.  It calls the library
 * through ../cli/api.h only.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/un.h>

#include "api.h"

/* The library's per-call limit on the caller's own control messages. */
#define OWN_CONTROL_MAX PEERSEC_UDP_CONTROL_MAX

static PyObject *set_errno(int negative)
{
	errno = -negative;
	return PyErr_SetFromErrno(PyExc_OSError);
}

static int sock_fd(PyObject *sock)
{
	return PyObject_AsFileDescriptor(sock);	/* int or .fileno() */
}

static PyObject *label_object(const char *label)
{
	/* the file system encoding with surrogateescape: never fails on bytes
	 * a label may hold, and os.fsencode() gives them back */
	return PyUnicode_DecodeFSDefault(label);
}

PyDoc_STRVAR(stream_get_doc,
"stream_get(sock) -> str or None\n\n"
"The peer label of a connected stream socket (TCP, AF_UNIX stream and\n"
"seqpacket, SCTP): None when the peer has none.  OSError otherwise, with\n"
"the errno of peersec_tcp_get_alloc(3).");

static PyObject *py_stream_get(PyObject *self, PyObject *sock)
{
	char *label = NULL;
	PyObject *res;
	int fd = sock_fd(sock), r;

	if (fd < 0)
		return NULL;
	Py_BEGIN_ALLOW_THREADS
	r = api_stream_get_alloc(fd, &label);
	Py_END_ALLOW_THREADS
	if (r == -ENOPROTOOPT)
		Py_RETURN_NONE;
	if (r < 0)
		return set_errno(r);
	res = label_object(label);
	free(label);
	return res;
}

PyDoc_STRVAR(dgram_enable_doc,
"dgram_enable(sock) -> None\n\n"
"Ask the kernel to attach its label to every datagram sock receives:\n"
"IP_PASSSEC on AF_INET and AF_INET6, SO_PASSSEC on AF_UNIX.");

static PyObject *py_dgram_enable(PyObject *self, PyObject *sock)
{
	int fd = sock_fd(sock), r;

	if (fd < 0)
		return NULL;
	Py_BEGIN_ALLOW_THREADS
	r = api_dgram_enable(fd);
	Py_END_ALLOW_THREADS
	if (r < 0)
		return set_errno(r);
	Py_RETURN_NONE;
}

PyDoc_STRVAR(sctp_assoc_label_doc,
"sctp_assoc_label(sock, assoc_id) -> str or None\n\n"
"The peer label of an SCTP socket, after checking that assoc_id is a live\n"
"association of it (0 on a one-to-one or peeled-off socket).  None when no\n"
"LSM supplies SCTP labels.  OSError(EOPNOTSUPP) when the module was built\n"
"without libsctp.  See peersec_sctp_assoc_label(3).");

static PyObject *py_sctp_assoc_label(PyObject *self, PyObject *args)
{
	PyObject *sock, *res;
	long long id;
	size_t len = 0;
	char *buf = NULL;
	int fd, r;

	if (!PyArg_ParseTuple(args, "OL:sctp_assoc_label", &sock, &id))
		return NULL;
	if (id < INT32_MIN || id > UINT32_MAX) {
		PyErr_SetString(PyExc_OverflowError, "assoc_id out of range");
		return NULL;
	}
	fd = sock_fd(sock);
	if (fd < 0)
		return NULL;
	/* size first, then the label: a socket's SCTP label never changes */
	for (;;) {
		char *grown;

		Py_BEGIN_ALLOW_THREADS
		r = api_sctp_assoc_label(fd, (sctp_assoc_t)id, buf, &len);
		Py_END_ALLOW_THREADS
		if (r != -ERANGE)
			break;
		if (len > PEERSEC_LABEL_MAX) {
			r = -EOVERFLOW;
			break;
		}
		grown = PyMem_RawRealloc(buf, len);
		if (!grown) {
			PyMem_RawFree(buf);
			return PyErr_NoMemory();
		}
		buf = grown;
	}
	if (r == -ENOPROTOOPT) {
		Py_INCREF(Py_None);
		res = Py_None;
	} else if (r < 0) {
		res = set_errno(r);
	} else {
		res = label_object(buf);
	}
	PyMem_RawFree(buf);
	return res;
}

/* socket.recvmsg()'s address forms: (host, port), (host, port, flowinfo,
 * scope_id), a str path or bytes for an abstract name; None when the
 * kernel gave no address. */
static PyObject *address_object(const struct sockaddr_storage *ss,
				socklen_t len)
{
	char host[INET6_ADDRSTRLEN];

	if (len == 0)
		Py_RETURN_NONE;
	switch (ss->ss_family) {
	case AF_INET: {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		return Py_BuildValue("(si)", host, ntohs(in->sin_port));
	}
	case AF_INET6: {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		return Py_BuildValue("(siII)", host, ntohs(in6->sin6_port),
				     (unsigned int)ntohl(in6->sin6_flowinfo),
				     (unsigned int)in6->sin6_scope_id);
	}
	case AF_UNIX: {
		const struct sockaddr_un *sun = (const struct sockaddr_un *)ss;
		size_t n = len > offsetof(struct sockaddr_un, sun_path) ?
			   len - offsetof(struct sockaddr_un, sun_path) : 0;

		if (n > 0 && sun->sun_path[0] == '\0')
			return PyBytes_FromStringAndSize(sun->sun_path, (Py_ssize_t)n);
		return PyUnicode_DecodeFSDefaultAndSize(sun->sun_path,
			(Py_ssize_t)strnlen(sun->sun_path, n));
	}
	default:
		return Py_BuildValue("(iy#)", ss->ss_family, (const char *)ss,
				     (Py_ssize_t)len);
	}
}

static PyObject *ancdata_object(struct msghdr *msg)
{
	PyObject *list = PyList_New(0);

	if (!list)
		return NULL;
	if (msg->msg_controllen == 0)
		return list;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		const char *end = (const char *)msg->msg_control + msg->msg_controllen;
		size_t len;
		PyObject *item;

		if (c->cmsg_len < CMSG_LEN(0))
			break;
		len = c->cmsg_len - CMSG_LEN(0);
		/* a message cut by MSG_CTRUNC: what fits, as socket.recvmsg */
		if ((const char *)CMSG_DATA(c) + len > end)
			len = (size_t)(end - (const char *)CMSG_DATA(c));
		item = Py_BuildValue("(iiy#)", c->cmsg_level, c->cmsg_type,
				     (const char *)CMSG_DATA(c), (Py_ssize_t)len);
		if (!item || PyList_Append(list, item) < 0) {
			Py_XDECREF(item);
			Py_DECREF(list);
			return NULL;
		}
		Py_DECREF(item);
	}
	return list;
}

/* The socket object's timeout, as socket.recvmsg honours it: -1 (none,
 * blocking), 0 (non-blocking), or milliseconds; -2 with an exception set. */
static int sock_timeout_ms(PyObject *sock)
{
	PyObject *t;
	double secs;

	if (PyLong_Check(sock) || !PyObject_HasAttrString(sock, "gettimeout"))
		return -1;
	t = PyObject_CallMethod(sock, "gettimeout", NULL);
	if (!t)
		return -2;
	if (t == Py_None) {
		Py_DECREF(t);
		return -1;
	}
	secs = PyFloat_AsDouble(t);
	Py_DECREF(t);
	if (secs == -1.0 && PyErr_Occurred())
		return -2;
	if (secs * 1000.0 > INT_MAX)
		return INT_MAX;
	return secs <= 0 ? 0 : secs < 0.001 ? 1 : (int)(secs * 1000.0 + 0.5);
}

PyDoc_STRVAR(dgram_recvmsg_doc,
"dgram_recvmsg(sock, bufsize, ancbufsize=0, flags=0)\n"
"    -> (data, ancdata, msg_flags, address, label)\n\n"
"Receive one datagram as socket.recvmsg() does, and its label: None when\n"
"it carries none.  ancdata holds the caller's own control messages (at\n"
"most 4096 bytes of them); the label's message is taken out.  Call\n"
"dgram_enable() first.  When the label cannot be read for certain the\n"
"datagram is dropped and OSError(EOVERFLOW or EBADMSG) raised.  A timeout\n"
"set on sock is honoured (TimeoutError).");

static PyObject *py_dgram_recvmsg(PyObject *self, PyObject *args,
				  PyObject *kwargs)
{
	static char *kwlist[] = { "sock", "bufsize", "ancbufsize", "flags", NULL };
	static const size_t label_size = API_DGRAM_LABEL_MAX;
	PyObject *sock, *data = NULL, *anc = NULL, *addr = NULL, *lab = NULL;
	PyObject *fl = NULL, *res = NULL;
	Py_ssize_t bufsize, ancbufsize = 0;
	struct sockaddr_storage ss;
	char *control = NULL, *label = NULL;
	int flags = 0, fd, timeout, ready = 1;
	size_t label_len = label_size;
	ssize_t n;

	if (!PyArg_ParseTupleAndKeywords(args, kwargs, "On|ni:dgram_recvmsg",
					 kwlist, &sock, &bufsize, &ancbufsize,
					 &flags))
		return NULL;
	if (bufsize < 0) {
		PyErr_SetString(PyExc_ValueError, "negative buffer size in dgram_recvmsg");
		return NULL;
	}
	if (ancbufsize < 0) {
		PyErr_SetString(PyExc_ValueError,
				"negative ancillary buffer size in dgram_recvmsg");
		return NULL;
	}
	fd = sock_fd(sock);
	if (fd < 0)
		return NULL;
	timeout = sock_timeout_ms(sock);
	if (timeout == -2)
		return NULL;
	if (ancbufsize > OWN_CONTROL_MAX)
		ancbufsize = OWN_CONTROL_MAX;
	data = PyBytes_FromStringAndSize(NULL, bufsize);
	label = PyMem_RawMalloc(label_size);
	if (ancbufsize)
		control = PyMem_RawCalloc(1, (size_t)ancbufsize);
	if (!data || !label || (ancbufsize && !control)) {
		if (data)
			PyErr_NoMemory();
		goto out;
	}

	struct iovec iov = { PyBytes_AS_STRING(data), (size_t)bufsize };
	struct msghdr msg = {
		.msg_name = &ss, .msg_namelen = sizeof(ss),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = (size_t)ancbufsize,
	};

	memset(&ss, 0, sizeof(ss));
	Py_BEGIN_ALLOW_THREADS
	if (timeout > 0) {	/* 0: non-blocking, the call says EAGAIN */
		struct pollfd p = { .fd = fd, .events = POLLIN };

		do
			ready = poll(&p, 1, timeout);
		while (ready < 0 && errno == EINTR);
	}
	if (ready > 0)
		n = api_dgram_recvmsg(fd, &msg, flags, label, &label_len);
	else
		n = ready == 0 ? -ETIMEDOUT : -errno;
	Py_END_ALLOW_THREADS

	if (n == -ETIMEDOUT && ready == 0) {
		PyErr_SetString(PyExc_TimeoutError, "timed out");
		goto out;
	}
	if (n < 0) {
		set_errno((int)n);
		goto out;
	}
	if ((size_t)n < (size_t)bufsize &&
	    _PyBytes_Resize(&data, (Py_ssize_t)n) < 0)
		goto out;
	anc = ancdata_object(&msg);
	addr = address_object(&ss, msg.msg_namelen);
	if (label_len == 0) {
		Py_INCREF(Py_None);
		lab = Py_None;
	} else {
		lab = label_object(label);
	}
	fl = PyLong_FromLong(msg.msg_flags);
	if (anc && addr && lab && fl)
		res = PyTuple_Pack(5, data, anc, fl, addr, lab);
out:
	Py_XDECREF(fl);
	Py_XDECREF(data);
	Py_XDECREF(anc);
	Py_XDECREF(addr);
	Py_XDECREF(lab);
	PyMem_RawFree(control);
	PyMem_RawFree(label);
	return res;
}

static PyMethodDef methods[] = {
	{ "stream_get", py_stream_get, METH_O, stream_get_doc },
	{ "dgram_enable", py_dgram_enable, METH_O, dgram_enable_doc },
	{ "dgram_recvmsg", (PyCFunction)(void (*)(void))py_dgram_recvmsg,
	  METH_VARARGS | METH_KEYWORDS, dgram_recvmsg_doc },
	{ "sctp_assoc_label", py_sctp_assoc_label, METH_VARARGS,
	  sctp_assoc_label_doc },
	{ NULL, NULL, 0, NULL },
};

PyDoc_STRVAR(module_doc,
"The security label of a socket's peer (labeled IPsec, NetLabel, AF_UNIX),\n"
"through libpeersec: stream_get, dgram_enable, dgram_recvmsg,\n"
"sctp_assoc_label.  No label is None; errors are OSError with errno set.");

static struct PyModuleDef module = {
	PyModuleDef_HEAD_INIT, "peersec", module_doc, -1, methods,
	NULL, NULL, NULL, NULL,
};

/* Exported by hand: the module is built with hidden visibility, and
 * PyMODINIT_FUNC marks the symbol visible only from Python 3.9 on. */
__attribute__((visibility("default"))) PyMODINIT_FUNC PyInit_peersec(void);
PyMODINIT_FUNC PyInit_peersec(void)
{
	PyObject *m = PyModule_Create(&module);

	if (!m)
		return NULL;
	if (PyModule_AddStringConstant(m, "__version__", peersec_version()) < 0 ||
	    PyModule_AddIntConstant(m, "LABEL_MAX", PEERSEC_LABEL_MAX) < 0 ||
	    PyModule_AddIntConstant(m, "DGRAM_LABEL_MAX", API_DGRAM_LABEL_MAX) < 0 ||
	    PyModule_AddIntConstant(m, "ANCBUF_MAX", OWN_CONTROL_MAX) < 0) {
		Py_DECREF(m);
		return NULL;
	}
	return m;
}
