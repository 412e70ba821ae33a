# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=dash disable=SC2034,SC2154
# CALIPSO (IPv6): the sender's level travels in a hop-by-hop option, and the
# receiver's peer label is the policy's netmsg context with that level.
# What this kernel (Debian's 6.1) labels from it, as measured here:
#   - TCP over IPv6: both ends read the other's level;
#   - SCTP over IPv6: both ends read the other's level;
#   - UDP over IPv6: no label for the receiver, as without CALIPSO: IPv6 has
#     no IP_PASSSEC, so no datagram carries SCM_SECURITY (the datagrams
#     themselves pass, with the option).
LAB_SOURCE="CALIPSO"
lab_topology || return 0
lab_calipso 7 fd00::/64 || return 0

cl=system_u:system_r:client_t sv=system_u:system_r:server_t
for lvl in s0:c4 s0:c1,c7,c100; do
	peer=$LAB_NETMSG:$lvl
	LAB_TRANSPORT=tcp6 port=5901
	[ "$lvl" = s0:c4 ] || port=5911
	lab_bg_ready srv in_b stream-peer server -s "$sv:$lvl" -e "$peer" "$B6" $port
	expect_run "tcp6: client reads the wire's level ($lvl)" \
		in_a stream-peer client -s "$cl:$lvl" -e "$peer" "$B6" $port
	expect_job "tcp6: server reads the wire's level ($lvl)" srv

	LAB_TRANSPORT=udp6 port=$((port + 1))
	lab_bg srv in_b udp-peer server -s "$sv:$lvl" -n 3 -e none "$B6" $port
	expect_run "udp6: datagrams pass, the client reads no label" \
		in_a udp-peer client -s "$cl:$lvl" -k 3 -e none -x none "$B6" $port
	expect_job "udp6: the server reads no label (no IP_PASSSEC on IPv6)" srv

	if [ -d /proc/sys/net/sctp ]; then
		LAB_TRANSPORT=sctp6 port=$((port + 1))
		lab_bg_ready srv in_b run_as "$sv:$lvl" sctp-peer server -e "$peer" "$B6" $port
		expect_run "sctp6: client reads the wire's level ($lvl)" \
			in_a run_as "$cl:$lvl" sctp-peer client -e "$peer" "$B6" $port
		expect_job "sctp6: server reads the wire's level ($lvl)" srv
	fi
done
