# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=dash disable=SC2034,SC2154
# The library's documented answers where no peer label exists, on the real
# kernel and policy: unconnected and listening TCP sockets (SELinux's
# unlabeled context, see peersec_tcp_get(3) NOTES), a UDP socket
# (-ENOPROTOOPT: SELinux has no connection label for it), a pipe (-ENOTSOCK), a closed descriptor (-EBADF), a NULL
# length (-EINVAL), a size query (-ERANGE); and an AF_UNIX socketpair, whose
# peer is the process itself.
LAB_SOURCE="process context"
LAB_TRANSPORT=unix

self=system_u:system_r:client_t:s0:c77
expect_run "peersec_tcp_get and _alloc agree on every case" \
	run_as "$self" stream-errors
out=$LAB_TMP/last.out

# SELinux gives a TCP socket that never connected the policy's unlabeled
# context as its peer label, and SO_PEERSEC returns it: documented in
# peersec_tcp_get(3) (NOTES), recognised by peersec_label_is_unlabeled().
unlabeled=$LAB_UNLABELED_CTX
for sock in "unconnected TCP socket" "listening TCP socket"; do
	expect_eq "$sock: the policy's unlabeled context" "$unlabeled" \
		"$(answer_of "$out" "$sock")"
	expect_eq "$sock: peersec_label_is_unlabeled says 1" 1 \
		"$(answer_of "$out" "$sock, peersec_label_is_unlabeled")"
done
expect_eq "UDP socket: -ENOPROTOOPT" -ENOPROTOOPT "$(answer_of "$out" "UDP socket")"
expect_eq "pipe: -ENOTSOCK" -ENOTSOCK "$(answer_of "$out" pipe)"
expect_eq "closed descriptor: -EBADF" -EBADF "$(answer_of "$out" "closed descriptor")"
expect_eq "len NULL: -EINVAL" -EINVAL "$(answer_of "$out" "len NULL")"
expect_eq "size query: -ERANGE" -ERANGE "$(answer_of "$out" "size query")"
expect_eq "AF_UNIX socketpair: the process's own context" "$self" \
	"$(answer_of "$out" "AF_UNIX socketpair")"
