# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=dash disable=SC2034,SC2154
# The library's documented answers where no peer label exists, on the real
# kernel and policy: unconnected and listening TCP sockets (-ENOTCONN), a UDP
# socket (-EPROTOTYPE), a pipe (-ENOTSOCK), a closed descriptor (-EBADF),
# a NULL length (-EINVAL), a size query (-ERANGE); and an AF_UNIX
# socketpair, whose peer is the process itself.
LAB_SOURCE="process context"
LAB_TRANSPORT=unix

self=system_u:system_r:client_t:s0:c77
expect_run "peersec_tcp_get and _alloc agree on every case" \
	run_as "$self" stream-errors
out=$LAB_TMP/last.out

# SELinux gives a TCP socket that never connected the peer SID "unlabeled"
# (sk_alloc_security), and SO_PEERSEC returns that context instead of
# ENOPROTOOPT, so the library hands it out as a label.
why="the library returns the unlabeled context (SELinux's initial peer SID)"
expect_eq_todo "$why" "unconnected TCP socket: -ENOTCONN" -ENOTCONN \
	"$(answer_of "$out" "unconnected TCP socket")"
expect_eq_todo "$why" "listening TCP socket: -ENOTCONN" -ENOTCONN \
	"$(answer_of "$out" "listening TCP socket")"
expect_eq "UDP socket: -EPROTOTYPE" -EPROTOTYPE "$(answer_of "$out" "UDP socket")"
expect_eq "pipe: -ENOTSOCK" -ENOTSOCK "$(answer_of "$out" pipe)"
expect_eq "closed descriptor: -EBADF" -EBADF "$(answer_of "$out" "closed descriptor")"
expect_eq "len NULL: -EINVAL" -EINVAL "$(answer_of "$out" "len NULL")"
expect_eq "size query: -ERANGE" -ERANGE "$(answer_of "$out" "size query")"
expect_eq "AF_UNIX socketpair: the process's own context" "$self" \
	"$(answer_of "$out" "AF_UNIX socketpair")"
