# SPDX-License-Identifier: LGPL-2.1-or-later
"""The Python module in the lab VM: servers that read their peers' labels
through peersec and check them (tests/lab/scenarios/88-peersec-tool.sh).

    lab-peersec.py tcp HOST PORT EXPECT           one connection, stream_get
    lab-peersec.py sctp HOST PORT EXPECT          one association, sctp_assoc_label
    lab-peersec.py udp HOST PORT N EXPECT[,EXPECT2...]
                                          N datagrams, dgram_recvmsg; each
                                          label must be one of EXPECT...
    lab-peersec.py unix-dgram PATH N EXPECT       AF_UNIX datagrams
    lab-peersec.py errors                         errno of bad descriptors

EXPECT is a label, "none" (the module's None) or an errno name (OSError).
Prints "ready" once bound, then "peer python ADDRESS LABEL" per label read
(the lab's convention).  Exit 0 when every label was as expected, 1 when
not, 2 on usage.
"""
import errno
import os
import socket
import sys

import peersec


def show(label):
    return 'none' if label is None else label


def check(address, got, expect):
    print(f'peer python {address} {got}', flush=True)
    if got not in expect.split(','):
        print(f'lab-peersec: expected {expect}, got {got}', file=sys.stderr)
        return False
    return True


def call(fn, *args):
    try:
        return show(fn(*args))
    except OSError as e:
        return '-' + errno.errorcode.get(e.errno, str(e.errno))


def family(host):
    return socket.AF_INET6 if ':' in host else socket.AF_INET


def stream(kind, host, port, expect):
    proto = socket.IPPROTO_SCTP if kind == 'sctp' else 0
    with socket.socket(family(host), socket.SOCK_STREAM, proto) as srv:
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind((host, int(port)))
        srv.listen(1)
        print('ready', flush=True)
        conn, addr = srv.accept()
        with conn:
            if kind == 'sctp':
                got = call(peersec.sctp_assoc_label, conn, 0)
            else:
                got = call(peersec.stream_get, conn)
            return check(addr[0], got, expect)


def dgram(sock, n, expect):
    peersec.dgram_enable(sock)
    print('ready', flush=True)
    good = True
    for _ in range(int(n)):
        try:
            data, anc, flags, addr, label = peersec.dgram_recvmsg(sock, 2048)
            got = show(label)
        except OSError as e:
            addr, got = 'unknown', '-' + errno.errorcode[e.errno]
        if isinstance(addr, tuple):
            addr = addr[0]
        good &= check(addr or 'unnamed', got, expect)
    return good


def errors():
    r, w = os.pipe()
    os.close(r)
    good = True
    for name, fn, arg, want in (
            ('stream_get', peersec.stream_get, r, errno.EBADF),
            ('dgram_enable', peersec.dgram_enable, r, errno.EBADF),
            ('stream_get on a pipe', peersec.stream_get, w, errno.ENOTSOCK)):
        try:
            fn(arg)
            print(f'{name}: no error', file=sys.stderr)
            good = False
        except OSError as e:
            print(f'case {name}: {errno.errorcode[e.errno]}')
            good &= e.errno == want
    os.close(w)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
        label = peersec.stream_get(u)
        print(f'case stream_get on udp: {label}')
        good &= label is None
    return good


def main(argv):
    if len(argv) == 5 and argv[1] in ('tcp', 'sctp'):
        return stream(*argv[1:])
    if len(argv) == 6 and argv[1] == 'udp':
        host, port = argv[2], int(argv[3])
        with socket.socket(family(host), socket.SOCK_DGRAM) as s:
            s.bind((host, port))
            return dgram(s, argv[4], argv[5])
    if len(argv) == 5 and argv[1] == 'unix-dgram':
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.bind(argv[2])
            try:
                return dgram(s, argv[3], argv[4])
            finally:
                os.unlink(argv[2])
    if len(argv) == 2 and argv[1] == 'errors':
        return errors()
    print(__doc__, file=sys.stderr)
    sys.exit(2)


if __name__ == '__main__':
    sys.exit(0 if main(sys.argv) else 1)
