# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=dash disable=SC2034,SC2154
# AF_UNIX datagrams with SO_PASSSEC (peersec_dgram_enable): one server with
# SO_PASSCRED on, two senders in different contexts, every datagram checked
# by unix-peer: the label is exactly its sender's, SCM_CREDENTIALS is kept
# with the sender's pid, no SCM_SECURITY is left among the caller's
# messages, and of the descriptors a sender attaches (0, 2 or 8, room for 2)
# exactly those that fit arrive, with MSG_CTRUNC when some did not, and no
# descriptor stays open in the server.  Then the same through the batched
# receive, and through the server's own recvmsg plus peersec_cmsg_label().
LAB_SOURCE="process context"
LAB_TRANSPORT=unix-dgram

server=system_u:system_r:server_t:s0:c0.c9
one=system_u:system_r:client_t:s0:c1
two=system_u:system_r:peer_t:s0:c2
# refpolicy MLS: an AF_UNIX sender must be at the receiving socket's level
# (unix_dgram_socket sendto, unix_stream_socket connectto, and the server's
# setsockopt on what it accepted): all at s0, the senders differ by type.
if [ "$LAB_WORLD" = refpolicy-mls ]; then
	one=system_u:system_r:client_t:s0 two=system_u:system_r:peer_t:s0
	server=system_u:system_r:server_t:s0
fi
sock=/tmp/lab-dgram.sock

# unix_dgram_round NAME SERVER-OPTIONS: 2 senders x 3 descriptor counts x 2
# datagrams each, interleaved.
unix_dgram_round() {
	lab_bg_ready srv run_as "$server" unix-peer server $2 -k 2 -n 12 "$sock"
	for f in 0 2 8; do
		# both at once, so that their datagrams interleave
		run_as "$one" unix-peer client -f $f -c 2 "$sock" \
			>>"$LAB_TMP/clients.out" 2>&1 &
		p1=$!
		run_as "$two" unix-peer client -f $f -c 2 "$sock" \
			>>"$LAB_TMP/clients.out" 2>&1 &
		wait $p1 $!
	done
	expect_job "$1" srv
	expect_eq "$1: first sender's label seen" yes \
		"$(grep -qx "peer receiver unix $one" "$LAB_TMP/srv.out" && echo yes)"
	expect_eq "$1: second sender's label seen" yes \
		"$(grep -qx "peer receiver unix $two" "$LAB_TMP/srv.out" && echo yes)"
}

unix_dgram_round "unix dgram: peersec_dgram_recvmsg, two senders, descriptors" ""
unix_dgram_round "unix dgram: peersec_dgram_recvmmsg, two senders, descriptors" -b
unix_dgram_round "unix dgram: own recvmsg + peersec_cmsg_label, two senders" -o

# The UDP names are the same functions: peersec_udp_enable still refuses
# AF_UNIX (-EAFNOSUPPORT) and says so; covered by the host tests.
