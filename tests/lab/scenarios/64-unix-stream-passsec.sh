# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=dash disable=SC2034,SC2154
# AF_UNIX stream and seqpacket: a label with every message through
# SO_PASSSEC (not only SO_PEERSEC's one per connection), read by
# peersec_dgram_recvmsg() and by the server's own recvmsg plus
# peersec_cmsg_label(), with credentials and descriptors (0, 2, 8; room for
# 2) in the same messages.  Two clients in different contexts connect one
# after the other; each message must carry its own client's label.
LAB_SOURCE="process context"

server=system_u:system_r:server_t:s0:c0.c9
one=system_u:system_r:client_t:s0:c4
two=system_u:system_r:peer_t:s0:c5
# refpolicy MLS: an AF_UNIX sender must be at the receiving socket's level
# (unix_dgram_socket sendto, unix_stream_socket connectto, and the server's
# setsockopt on what it accepted): all at s0, the senders differ by type.
if [ "$LAB_WORLD" = refpolicy-mls ]; then
	one=system_u:system_r:client_t:s0 two=system_u:system_r:peer_t:s0
	server=system_u:system_r:server_t:s0
fi
sock=/tmp/lab-stream.sock

for t in stream seqpacket; do
	LAB_TRANSPORT=unix-$t
	for how in "" -o; do
		name="unix $t${how:+ (own recvmsg)}"
		lab_bg_ready srv run_as "$server" unix-peer server -t $t $how \
			-k 2 -n 12 "$sock"
		for f in 0 2 8; do
			run_as "$one" unix-peer client -t $t -f $f -c 2 "$sock" \
				>>"$LAB_TMP/clients.out" 2>&1
			run_as "$two" unix-peer client -t $t -f $f -c 2 "$sock" \
				>>"$LAB_TMP/clients.out" 2>&1
		done
		expect_job "$name: every message carries its client's label" srv
		expect_eq "$name: both clients' labels seen" 2 \
			"$(grep -xE "peer receiver unix ($one|$two)" "$LAB_TMP/srv.out" |
			   sort -u | wc -l)"
	done
done
