# SPDX-License-Identifier: LGPL-2.1-or-later
# SCTP over IPv4 and IPv6 between namespaces a (clients) and b (server),
# labeled by receiver-side SAs: each client address reaches b through an
# unlabeled SA whose twin on b carries that client's label, and b's replies
# reach a through SAs whose twins on a carry the server's label.  (SCTP does
# not connect over full labeled IPsec: vm-notes.)
#
# Checks: one-to-one server and client labels (each accepted socket its own
# peer's); one-to-many: the socket holds the first association's label for
# every association, each peeled-off association its own; the connecting
# side's label; the connect, sctp_connectx and sendmsg (SCTP_SENDMSG_CONNECT)
# setup paths; a label over 255 bytes.
LAB_SOURCE="receiver-side labeled SA"

# Shared by the SCTP scenarios (90-94).
command -v sctp-peer >/dev/null || {
	skip "sctp" "libpeersec was built without SCTP (no sctp-peer)"
	return 0
}

S=system_u:system_r:server_t:s0
CA=system_u:system_r:client_t:s0:c1
CB=system_u:system_r:peer_t:s0:c2
CL=$(mls_label system_u:system_r:client_t 300)	# 300 bytes with its NUL

# sctp_recv_sa FROM_NS TO_NS SRC DST CTX: SRC->DST through an unlabeled SA
# and policy in FROM_NS; the same SA carries CTX in TO_NS.  Queued: the
# caller runs them all with _lab_xfrm_run.
sctp_recv_sa() {
	_lab_next_spi
	_lab_q_pol "$1" "$3" "$4" out
	_lab_q_sa "$1" "$3" "$4" $_LAB_SPI
	_lab_q_sa "$2" "$3" "$4" $_LAB_SPI "$5"
}

lab_topology || return 0
for x in 3 4; do
	in_a "$IP" addr add 10.0.0.$x/24 dev va &&
	in_a "$IP" addr add fd00::$x/64 dev va nodad ||
		{ fail "topology: client addresses" "ip addr add failed"; return 0; }
done

port=5000
for fam in 4 6; do
	LAB_TRANSPORT=sctp$fam
	if [ $fam = 4 ]; then
		srv=$B4 c1=$A4 c2=10.0.0.3 c3=10.0.0.4
	else
		srv=$B6 c1=$A6 c2=fd00::3 c3=fd00::4
	fi
	sctp_recv_sa a b "$c1" "$srv" "$CA"
	sctp_recv_sa a b "$c2" "$srv" "$CB"
	sctp_recv_sa a b "$c3" "$srv" "$CL"
	sctp_recv_sa b a "$srv" "$c1" "$S"
	sctp_recv_sa b a "$srv" "$c2" "$S"
	sctp_recv_sa b a "$srv" "$c3" "$S"
	_lab_xfrm_run ||
		{ fail "receiver-side SAs for sctp$fam" "ip xfrm failed"; return 0; }

	# One-to-one: three clients, three labels, three setups.
	port=$((port + 1))
	lab_bg_ready srv in_b sctp-peer server -n 3 -E "$c1=$CA" -E "$c2=$CB" \
		-E "$c3=$CL" "$srv" $port
	lab_bg c1 in_a sctp-peer client -b "$c1" -x connect -e "$S" "$srv" $port
	lab_bg c2 in_a sctp-peer client -b "$c2" -x connectx -e "$S" "$srv" $port
	lab_bg c3 in_a sctp-peer client -b "$c3" -x connect -e "$S" "$srv" $port
	expect_job "sctp$fam one-to-one: client (connect) reads the server's label" c1
	expect_job "sctp$fam one-to-one: client (sctp_connectx) reads the server's label" c2
	expect_job "sctp$fam one-to-one: client reads the server's label, own label > 255 bytes" c3
	expect_job "sctp$fam one-to-one: each accepted socket holds its own client's label (incl. 300 bytes)" srv

	# One-to-many: first association CA, second CB.
	port=$((port + 1))
	lab_bg_ready srv in_b sctp-peer server -m -n 2 -E "$c1=$CA" -E "$c2=$CB" \
		"$srv" $port
	lab_bg c1 in_a sctp-peer client -m -b "$c1" -x connectx -e "$S" "$srv" $port
	lab_wait_line c1 'is up'
	lab_bg c2 in_a sctp-peer client -m -b "$c2" -x sendmsg -e "$S" "$srv" $port
	expect_job "sctp$fam one-to-many client (sctp_connectx): server's label, also peeled off" c1
	expect_job "sctp$fam one-to-many client (sendmsg, SCTP_SENDMSG_CONNECT): server's label" c2
	expect_job "sctp$fam one-to-many: socket = first association's label, peeled-off = own" srv

	# One-to-many whose first association has a 300-byte label (IPv4;
	# 91-sctp-netlabel has it over IPv6).
	[ $fam = 4 ] || continue
	port=$((port + 1))
	lab_bg_ready srv in_b sctp-peer server -m -n 2 -E "$c3=$CL" -E "$c1=$CA" \
		"$srv" $port
	lab_bg c3 in_a sctp-peer client -m -b "$c3" -x connect -e "$S" "$srv" $port
	lab_wait_line c3 'is up'
	lab_bg c1 in_a sctp-peer client -m -b "$c1" -x connect -e "$S" "$srv" $port
	expect_job "sctp$fam one-to-many client (connect): server's label" c3
	expect_job "sctp$fam one-to-many client (connect), second association" c1
	expect_job "sctp$fam one-to-many: first association's 300-byte label held by the socket" srv
done
