# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=dash disable=SC2034,SC2154
# One client/server pair per protocol and receiving API, over loopback with
# NetLabel static labels, one of them past 255 bytes: TCP
# (peersec_tcp_get/_alloc), UDP one datagram at a time and batched
# (peersec_udp_recvmsg, peersec_udp_recvmmsg), SCTP one-to-one and
# one-to-many with peeled-off associations.  Short, so that the lab's
# memcheck run (meson test --suite lab-memcheck: only this scenario, with
# stream-peer, udp-peer and sctp-peer under valgrind, where each start
# costs seconds) covers every receiving path of the library.
LAB_SOURCE="NetLabel static"

# 127.0.0.1 (servers; the TCP client too): a 300-byte label; 127.0.0.2
# (UDP and SCTP clients): a short one
L=$(mls_label system_u:system_r:server_t 300)
C=system_u:system_r:peer_t:s0:c12
lab_netlabel "$L" 127.0.0.1 && lab_netlabel "$C" 127.0.0.2 || return 0

LAB_TRANSPORT=tcp4
lab_bg_ready srv stream-peer server -e "$L" 127.0.0.1 5401 ||
	fail "tcp4: the server is ready" "$(job_out srv)"
expect_run "tcp4: client reads the 300-byte label" \
	stream-peer client -e "$L" 127.0.0.1 5401
expect_job "tcp4: server reads the 300-byte label" srv

port=5402
for b in "" "-b 4"; do
	LAB_TRANSPORT=udp4${b:+-batched}
	# shellcheck disable=SC2086
	lab_bg srv udp-peer server -n 4 $b -e "$C" -p 127.0.0.1 127.0.0.1 $port
	expect_run "$LAB_TRANSPORT: client reads the 300-byte label on each echo" \
		udp-peer client -S 127.0.0.2 -k 4 -e "$L" -x "$C" 127.0.0.1 $port
	expect_job "$LAB_TRANSPORT: server reads the label of each datagram" srv
	port=$((port + 1))
done

if ! command -v sctp-peer >/dev/null || [ ! -d /proc/sys/net/sctp ]; then
	skip "sctp" "no SCTP here"
	return 0
fi
for m in "" "-m"; do
	LAB_TRANSPORT=sctp4${m:+-one-to-many}
	# shellcheck disable=SC2086
	lab_bg_ready srv sctp-peer server $m -n 1 -e "$C" 127.0.0.1 $port ||
		fail "$LAB_TRANSPORT: the server is ready" "$(job_out srv)"
	# shellcheck disable=SC2086
	expect_run "$LAB_TRANSPORT: client reads the server's 300-byte label" \
		sctp-peer client $m -b 127.0.0.2 -x connect -e "$L" 127.0.0.1 $port
	expect_job "$LAB_TRANSPORT: server reads the client's label${m:+, also peeled off}" srv
	port=$((port + 1))
done
