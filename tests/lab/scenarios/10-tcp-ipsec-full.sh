# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=dash disable=SC2034,SC2154
# TCP over IPv4 and IPv6 between namespaces a and b, full labeled IPsec:
# the server reads the client socket's label, the client the server's.
#
# An accepted socket keeps the server's user:role:type and takes the client's
# MLS range, so the client reads server_t with the client's range; the SA for
# the server's replies must carry exactly that label.
LAB_SOURCE="labeled IPsec"

client=system_u:system_r:client_t:s0:c1,c7
server=system_u:system_r:server_t:s0:c1,c7
lab_topology && lab_ipsec_full "$client" "$server" || return 0

for fam in 4 6; do
	LAB_TRANSPORT=tcp$fam
	eval "addr=\$B$fam"
	lab_bg_ready srv in_b stream-peer server -s "$server" -e "$client" "$addr" 4000
	expect_run "tcp$fam: client reads the server's label" \
		in_a stream-peer client -s "$client" -e "$server" "$addr" 4000
	expect_job "tcp$fam: server reads the client's label" srv
done

# Different MLS ranges: the accepted socket carries the client's range.
client=system_u:system_r:client_t:s0:c3
server=system_u:system_r:server_t:s0-s0:c0.c1023
accepted=system_u:system_r:server_t:s0:c3
lab_ipsec_full "$client" "$accepted" || return 0
LAB_TRANSPORT=tcp4
lab_bg_ready srv in_b stream-peer server -s "$server" -e "$client" "$B4" 4001
expect_run "tcp4: client reads the accepted socket's label (its own range)" \
	in_a stream-peer client -s "$client" -e "$accepted" "$B4" 4001
expect_job "tcp4: server with a wide range reads the client's label" srv
