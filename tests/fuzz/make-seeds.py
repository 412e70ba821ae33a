#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Write the seed corpora of the UDP fuzz targets (x86-64 / LP64 layout).

Run from the source root: tests/fuzz/make-seeds.py.  Each seed is a few
header bytes that the target reads (see the comment at the top of each
fuzz-*.c) followed by control messages as the kernel writes them."""
import os
import struct

SOL_SOCKET, SOL_IP, SOL_IPV6 = 1, 0, 41
IP_TTL, IP_PKTINFO, IP_ORIGDSTADDR, SCM_SECURITY = 2, 8, 20, 3
SCM_RIGHTS, SCM_CREDENTIALS, SCM_PIDFD = 1, 2, 4
SO_TIMESTAMPNS = 35
HDR = 16


def align(n):
    return (n + 7) & ~7


def cmsg(level, type_, data, cmsg_len=None):
    if cmsg_len is None:
        cmsg_len = HDR + len(data)
    raw = struct.pack('=QiI', cmsg_len, level, type_) + data
    return raw + b'\0' * (align(len(raw)) - len(raw))


LABEL = b'system_u:object_r:peer_t:s0\0'
PKTINFO = struct.pack('=i4s4s', 1, bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1]))
TTL = struct.pack('=i', 64)
ORIG = bytes([2, 0, 0x12, 0x34, 127, 0, 0, 1]) + b'\0' * 8
STAMP = struct.pack('=qq', 1700000000, 123456789)
MLS = b'system_u:object_r:peer_t:s0-s15:' + b','.join(
    b'c%d' % i for i in range(0, 160, 2)) + b'\0'

shapes = {
    'none': b'',
    'label-only': cmsg(SOL_IP, SCM_SECURITY, LABEL),
    'label-no-nul': cmsg(SOL_IP, SCM_SECURITY, b'smack_label'),
    'label-long': cmsg(SOL_IP, SCM_SECURITY, MLS),
    'pktinfo-ttl-label-orig': cmsg(SOL_IP, IP_PKTINFO, PKTINFO) +
    cmsg(SOL_IP, IP_TTL, TTL) + cmsg(SOL_IP, SCM_SECURITY, LABEL) +
    cmsg(SOL_IP, IP_ORIGDSTADDR, ORIG),
    'stamp-label': cmsg(SOL_SOCKET, SO_TIMESTAMPNS, STAMP) +
    cmsg(SOL_IP, SCM_SECURITY, LABEL),
    'label-first': cmsg(SOL_IP, SCM_SECURITY, LABEL) +
    cmsg(SOL_IP, IP_PKTINFO, PKTINFO),
    'type3-other-levels': cmsg(SOL_IPV6, 3, b'\x11\0\1\4\0\0\0\0') +
    cmsg(SOL_SOCKET, 3, b'\1\2\3\4'),
    'embedded-nul': cmsg(SOL_IP, SCM_SECURITY, b'system_u\0object_r'),
    'zero-length': cmsg(SOL_IP, SCM_SECURITY, b''),
    'two-labels': cmsg(SOL_IP, SCM_SECURITY, LABEL) * 2,
    'len-short': cmsg(SOL_IP, SCM_SECURITY, LABEL, cmsg_len=8),
    'len-long': cmsg(SOL_IP, SCM_SECURITY, LABEL, cmsg_len=200),
    'cut-label': cmsg(SOL_IP, IP_PKTINFO, PKTINFO) +
    cmsg(SOL_IP, SCM_SECURITY, LABEL[:10], cmsg_len=HDR + 10),
    # AF_UNIX, in the kernel's order: credentials, label, descriptors
    'unix-creds-label-fds': cmsg(SOL_SOCKET, SCM_CREDENTIALS,
                                 struct.pack('=iII', 42, 0, 0)) +
    cmsg(SOL_SOCKET, SCM_SECURITY, LABEL) +
    cmsg(SOL_SOCKET, SCM_RIGHTS, struct.pack('=8i', *range(100, 108))),
    'unix-fds-only': cmsg(SOL_SOCKET, SCM_RIGHTS, struct.pack('=3i', 7, 8, 9)),
    # SO_PASSPIDFD: the sender's pidfd comes last
    'unix-creds-label-fds-pidfd': cmsg(SOL_SOCKET, SCM_CREDENTIALS,
                                       struct.pack('=iII', 42, 0, 0)) +
    cmsg(SOL_SOCKET, SCM_SECURITY, LABEL) +
    cmsg(SOL_SOCKET, SCM_RIGHTS, struct.pack('=2i', 100, 101)) +
    cmsg(SOL_SOCKET, SCM_PIDFD, struct.pack('=i', 102)),
    'unix-pidfd-only': cmsg(SOL_SOCKET, SCM_PIDFD, struct.pack('=i', 9)),
    'unix-two-levels': cmsg(SOL_SOCKET, SCM_SECURITY, LABEL) +
    cmsg(SOL_IP, SCM_SECURITY, LABEL),
}

# (target, header bytes) -> name suffix
headers = {
    'fuzz-dgram-strip': {
        # own (2 bytes, little endian), flags (bit 0: MSG_CTRUNC)
        'own0': bytes([0, 0, 0]),
        'own64': bytes([64, 0, 0]),
        'own20-cut': bytes([20, 0, 1]),
    },
    'fuzz-udp-recv': {
        # mode (bit 0 batched, bit 1 MSG_CTRUNC, bits 2-7 label size/4),
        # own (2 bytes)
        'single-own64-lab64': bytes([16 << 2, 64, 0]),
        'single-own0-lab8': bytes([2 << 2, 0, 0]),
        'batch-own48': bytes([1, 48, 0]),
        'batch-own0-cut': bytes([3, 0, 0]),
    },
}

top = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus')
for target, hdrs in headers.items():
    d = os.path.join(top, target)
    os.makedirs(d, exist_ok=True)
    for hname, h in hdrs.items():
        for sname, body in shapes.items():
            with open(os.path.join(d, f'{sname}.{hname}'), 'wb') as f:
                f.write(h + body)
