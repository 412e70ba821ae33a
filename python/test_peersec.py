# SPDX-License-Identifier: LGPL-2.1-or-later
"""Host tests of the Python module peersec on real sockets.

This machine's kernel labels nothing (no active LSM gives peer labels), so
labels are None here; the labeled paths run in the lab VM
(tests/lab/scenarios/88-peersec-tool.sh).  Every error must be the OSError
subclass of the C function's errno.
"""
import errno
import os
import socket
import threading
import time
import unittest

import peersec

# With an LSM that labels AF_UNIX peers (SELinux, AppArmor), socketpairs
# have labels; on this project's build machines none is active.
LSM_LABELS = os.path.exists('/sys/fs/selinux/enforce')
# Linux's value; Python's socket module does not name it before 3.13
IP_PKTINFO = getattr(socket, 'IP_PKTINFO', 8)
IP_RECVTTL = getattr(socket, 'IP_RECVTTL', 12)
# Whether the module was built with libsctp: meson says so; run by hand,
# a TCP socket tells (EOPNOTSUPP only from a build without it).
if 'PEERSEC_HAVE_SCTP' in os.environ:
    HAVE_SCTP = os.environ['PEERSEC_HAVE_SCTP'] == '1'
else:
    with socket.socket() as _s:
        try:
            peersec.sctp_assoc_label(_s, 0)
            HAVE_SCTP = True
        except OSError as e:
            HAVE_SCTP = e.errno != errno.EOPNOTSUPP


def closed_fd():
    r, w = os.pipe()
    os.close(r)
    os.close(w)
    return r


class Stream(unittest.TestCase):
    def test_socketpair_label(self):
        for kind in (socket.SOCK_STREAM, socket.SOCK_SEQPACKET):
            a, b = socket.socketpair(socket.AF_UNIX, kind)
            with a, b:
                got = peersec.stream_get(a)
                if LSM_LABELS:
                    self.assertIsInstance(got, str)
                    self.assertIn(':', got)
                else:
                    self.assertIsNone(got)
                # a descriptor works as well as the socket object
                self.assertEqual(peersec.stream_get(b.fileno()), got)

    def test_tcp_loopback_no_label(self):
        with socket.create_server(('127.0.0.1', 0)) as srv:
            c = socket.create_connection(srv.getsockname())
            s, _ = srv.accept()
            with c, s:
                self.assertIsNone(peersec.stream_get(c))
                self.assertIsNone(peersec.stream_get(s))

    def test_errors(self):
        with self.assertRaises(OSError) as cm:
            peersec.stream_get(closed_fd())
        self.assertEqual(cm.exception.errno, errno.EBADF)
        self.assertEqual(cm.exception.strerror, os.strerror(errno.EBADF))
        with open(os.devnull, 'rb') as f:
            with self.assertRaises(OSError) as cm:
                peersec.stream_get(f)
            self.assertEqual(cm.exception.errno, errno.ENOTSOCK)
        # a datagram socket has no peer label: None, as the library's
        # -ENOPROTOOPT says
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            self.assertIsNone(peersec.stream_get(u))
        # a closed socket object has fileno() -1: Python refuses it
        s = socket.socket()
        s.close()
        with self.assertRaises(ValueError):
            peersec.stream_get(s)
        with self.assertRaises(TypeError):
            peersec.stream_get('3')

    def test_oserror_subclasses(self):
        # OSError maps errno to its subclass, as for socket's own calls
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.setblocking(False)
            peersec.dgram_enable(u)
            with self.assertRaises(BlockingIOError) as cm:
                peersec.dgram_recvmsg(u, 10)
            self.assertEqual(cm.exception.errno, errno.EAGAIN)


class Dgram(unittest.TestCase):
    def pair(self, family=socket.AF_INET, host='127.0.0.1'):
        rx = socket.socket(family, socket.SOCK_DGRAM)
        tx = socket.socket(family, socket.SOCK_DGRAM)
        self.addCleanup(rx.close)
        self.addCleanup(tx.close)
        rx.bind((host, 0))
        tx.bind((host, 0))
        peersec.dgram_enable(rx)
        return rx, tx

    def test_udp4(self):
        rx, tx = self.pair()
        tx.sendto(b'hello', rx.getsockname())
        data, anc, flags, addr, label = peersec.dgram_recvmsg(rx, 100)
        self.assertEqual(data, b'hello')
        self.assertEqual(anc, [])
        self.assertEqual(flags, 0)
        self.assertEqual(addr, tx.getsockname())
        self.assertIsNone(label)

    def test_udp6(self):
        try:
            rx, tx = self.pair(socket.AF_INET6, '::1')
        except OSError as e:
            self.skipTest(f'no IPv6 loopback: {e}')
        tx.sendto(b'six', rx.getsockname())
        data, anc, flags, addr, label = peersec.dgram_recvmsg(rx, 100)
        self.assertEqual((data, anc, flags, label), (b'six', [], 0, None))
        self.assertEqual(addr, tx.getsockname())
        self.assertEqual(len(addr), 4)

    def test_same_as_socket_recvmsg(self):
        """Data, control messages, flags and address as socket.recvmsg."""
        rx, tx = self.pair()
        rx.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
        rx.setsockopt(socket.IPPROTO_IP, IP_RECVTTL, 1)
        for n in range(2):
            tx.sendto(b'datagram-%d' % n, rx.getsockname())
        theirs = rx.recvmsg(4, 1024)
        ours = peersec.dgram_recvmsg(rx, 4, 1024)
        self.assertEqual(ours[0], b'data')
        self.assertEqual(ours[2] & socket.MSG_TRUNC, socket.MSG_TRUNC)
        self.assertEqual(ours[:4], (theirs[0], theirs[1], theirs[2],
                                    theirs[3]))
        levels = {(lvl, typ) for lvl, typ, _ in ours[1]}
        self.assertIn((socket.IPPROTO_IP, IP_PKTINFO), levels)
        self.assertEqual(len(ours[1]), 2)
        self.assertIsNone(ours[4])

    def test_small_control_buffer(self):
        rx, tx = self.pair()
        rx.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
        tx.sendto(b'x', rx.getsockname())
        _, anc, flags, _, label = peersec.dgram_recvmsg(rx, 10, 1)
        self.assertEqual(anc, [])
        self.assertTrue(flags & socket.MSG_CTRUNC)
        self.assertIsNone(label)

    def test_keywords_and_peek(self):
        rx, tx = self.pair()
        tx.sendto(b'peek', rx.getsockname())
        first = peersec.dgram_recvmsg(rx, bufsize=10, flags=socket.MSG_PEEK)
        second = peersec.dgram_recvmsg(sock=rx, bufsize=10, ancbufsize=0)
        self.assertEqual(first, second)
        self.assertEqual(first[0], b'peek')

    def test_timeout(self):
        rx, _ = self.pair()
        rx.settimeout(0.2)
        t0 = time.monotonic()
        with self.assertRaises(TimeoutError):
            peersec.dgram_recvmsg(rx, 10)
        self.assertGreaterEqual(time.monotonic() - t0, 0.15)

    def test_gil_released(self):
        rx, tx = self.pair()
        got = []
        t = threading.Thread(target=lambda: got.append(
            peersec.dgram_recvmsg(rx, 10)))
        # a receiver that kept the GIL would block this thread too: the
        # timeout ends such a regression instead of hanging the test
        rx.settimeout(60)
        t.start()
        # wait until the receiver sleeps in the kernel; this loop runs
        # only if it released the GIL
        stat = f'/proc/self/task/{t.native_id}/stat'
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with open(stat) as f:
                if f.read().rsplit(')', 1)[1].split()[0] == 'S':
                    break
            time.sleep(0.01)
        else:
            self.fail('the receiver never blocked')
        tx.sendto(b'late', rx.getsockname())
        t.join(60)
        self.assertFalse(t.is_alive())
        self.assertEqual(got[0][0], b'late')

    def test_unix_dgram(self):
        a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
        with a, b:
            peersec.dgram_enable(b)
            a.send(b'unix')
            data, anc, flags, addr, label = peersec.dgram_recvmsg(b, 10)
            self.assertEqual((data, anc, flags), (b'unix', [], 0))
            self.assertIn(addr, (None, ''))
            if not LSM_LABELS:
                self.assertIsNone(label)

    def test_errors(self):
        with self.assertRaises(OSError) as cm:
            peersec.dgram_enable(closed_fd())
        self.assertEqual(cm.exception.errno, errno.EBADF)
        with socket.socket() as t:
            with self.assertRaises(OSError) as cm:
                peersec.dgram_enable(t)
            self.assertEqual(cm.exception.errno, errno.EPROTOTYPE)
        with self.assertRaises(OSError) as cm:
            peersec.dgram_recvmsg(closed_fd(), 10)
        self.assertEqual(cm.exception.errno, errno.EBADF)
        with open(os.devnull, 'rb') as f:
            with self.assertRaises(OSError) as cm:
                peersec.dgram_recvmsg(f, 10)
            self.assertEqual(cm.exception.errno, errno.ENOTSOCK)
        rx, _ = self.pair()
        with self.assertRaises(ValueError):
            peersec.dgram_recvmsg(rx, -1)
        with self.assertRaises(ValueError):
            peersec.dgram_recvmsg(rx, 10, -1)


class Sctp(unittest.TestCase):
    def test_without_libsctp(self):
        # defined in every build; without libsctp it only says so
        if HAVE_SCTP:
            self.skipTest('built with libsctp')
        with socket.socket() as t:
            with self.assertRaises(OSError) as cm:
                peersec.sctp_assoc_label(t, 0)
            self.assertEqual(cm.exception.errno, errno.EOPNOTSUPP)
        with self.assertRaises(OSError) as cm:
            peersec.sctp_assoc_label(closed_fd(), 0)
        self.assertEqual(cm.exception.errno, errno.EOPNOTSUPP)
        with self.assertRaises(OverflowError):
            peersec.sctp_assoc_label(0, 1 << 40)

    def test_not_sctp(self):
        if not HAVE_SCTP:
            self.skipTest('built without libsctp')
        with socket.socket() as t:
            with self.assertRaises(OSError) as cm:
                peersec.sctp_assoc_label(t, 0)
            self.assertEqual(cm.exception.errno, errno.EPROTOTYPE)
        with self.assertRaises(OSError) as cm:
            peersec.sctp_assoc_label(closed_fd(), 0)
        self.assertEqual(cm.exception.errno, errno.EBADF)
        with self.assertRaises(OverflowError):
            peersec.sctp_assoc_label(0, 1 << 40)


class Module(unittest.TestCase):
    def test_constants(self):
        self.assertRegex(peersec.__version__, r'^\d+\.\d+\.\d+$')
        self.assertEqual(peersec.DGRAM_LABEL_MAX, 4096)
        self.assertEqual(peersec.LABEL_MAX, 65536)


if __name__ == '__main__':
    unittest.main()
