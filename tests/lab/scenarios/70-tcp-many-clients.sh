# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=dash disable=SC2034,SC2154
# Several clients with different labels connected at once to one server,
# over IPv4 and IPv6 to one dual-stack socket, with full labeled IPsec.  The
# server accepts all of them before reading any label; each client sends
# the label it runs with, and the server checks that every accepted socket
# holds exactly its own client's label (stream-peer -m).  Two clients label
# their socket (setsockcreatecon), two run in their context (run_as).
LAB_SOURCE="labeled IPsec"

server=system_u:system_r:server_t:s0-s0:c0.c1023
c1=system_u:system_r:client_t:s0:c11
c2=system_u:system_r:client_t:s0:c12
c3=system_u:system_r:peer_t:s0:c13,c20
c4=system_u:system_r:peer_t:s0
lab_topology || return 0
lab_ipsec_full "$c1" "$c2" "$c3" "$c4" \
	system_u:system_r:server_t:s0:c11 system_u:system_r:server_t:s0:c12 \
	system_u:system_r:server_t:s0:c13,c20 system_u:system_r:server_t:s0 ||
	return 0

LAB_TRANSPORT=tcp46
lab_bg_ready srv in_b stream-peer server -s "$server" -n 4 -m :: 4700
lab_bg cl1 in_a stream-peer client -s "$c1" -c "$c1" \
	-e system_u:system_r:server_t:s0:c11 "$B4" 4700
lab_bg cl2 in_a stream-peer client -s "$c2" -c "$c2" \
	-e system_u:system_r:server_t:s0:c12 "$B6" 4700
lab_bg cl3 in_a run_as "$c3" stream-peer client -c "$c3" \
	-e system_u:system_r:server_t:s0:c13,c20 "$B4" 4700
lab_bg cl4 in_a run_as "$c4" stream-peer client -c "$c4" \
	-e system_u:system_r:server_t:s0 "$B6" 4700
expect_job "server: each of 4 accepted sockets has its own client's label" srv
for j in 1 2 3 4; do
	expect_job "client $j reads its accepted socket's label" cl$j
done
expect_eq "server read 4 distinct labels" 4 "$(peer_of srv | sort -u | wc -l)"
