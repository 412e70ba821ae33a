# SPDX-License-Identifier: LGPL-2.1-or-later
# SCTP over loopback, IPv4 and IPv6, labeled by NetLabel static labels: the
# label of each packet is chosen by its source address.  The server listens
# on one address (label S), the clients bind to others (CA, CB, a 300-byte
# CL).  Same checks as 90-sctp-recv-sa, without IPsec.
LAB_SOURCE="NetLabel static"

# Shared by the SCTP scenarios (90-94).
command -v sctp-peer >/dev/null || {
	skip "sctp" "libpeersec was built without SCTP (no sctp-peer)"
	return 0
}

S=system_u:system_r:server_t:s0
CA=system_u:system_r:client_t:s0:c1
CB=system_u:system_r:peer_t:s0:c2
CL=$(mls_label system_u:system_r:client_t 300)

for x in 1 2 3 4; do
	"$IP" addr add fd01::$x/128 dev lo nodad 2>/dev/null
done
lab_netlabel "$S" 127.0.0.1 fd01::1 &&
lab_netlabel "$CA" 127.0.0.2 fd01::2 &&
lab_netlabel "$CB" 127.0.0.3 fd01::3 &&
lab_netlabel "$CL" 127.0.0.4 fd01::4 || return 0

port=5100
for fam in 4 6; do
	LAB_TRANSPORT=sctp$fam
	if [ $fam = 4 ]; then
		srv=127.0.0.1 c1=127.0.0.2 c2=127.0.0.3 c3=127.0.0.4
	else
		srv=fd01::1 c1=fd01::2 c2=fd01::3 c3=fd01::4
	fi

	port=$((port + 1))
	lab_bg_ready srv sctp-peer server -n 3 -E "$c1=$CA" -E "$c2=$CB" \
		-E "$c3=$CL" "$srv" $port
	lab_bg c1 sctp-peer client -b "$c1" -x connect -e "$S" "$srv" $port
	lab_bg c2 sctp-peer client -b "$c2" -x connectx -e "$S" "$srv" $port
	lab_bg c3 sctp-peer client -b "$c3" -x connect -e "$S" "$srv" $port
	expect_job "sctp$fam one-to-one: client (connect) reads the server's label" c1
	expect_job "sctp$fam one-to-one: client (sctp_connectx) reads the server's label" c2
	expect_job "sctp$fam one-to-one: client reads the server's label, own label > 255 bytes" c3
	expect_job "sctp$fam one-to-one: each accepted socket holds its own client's label (incl. 300 bytes)" srv

	port=$((port + 1))
	lab_bg_ready srv sctp-peer server -m -n 3 -E "$c1=$CA" -E "$c2=$CB" \
		-E "$c3=$CL" "$srv" $port
	lab_bg c1 sctp-peer client -m -b "$c1" -x connectx -e "$S" "$srv" $port
	lab_wait_line c1 'is up'
	lab_bg c2 sctp-peer client -m -b "$c2" -x sendmsg -e "$S" "$srv" $port
	lab_bg c3 sctp-peer client -m -b "$c3" -x connect -e "$S" "$srv" $port
	expect_job "sctp$fam one-to-many client (sctp_connectx): server's label, also peeled off" c1
	expect_job "sctp$fam one-to-many client (sendmsg, SCTP_SENDMSG_CONNECT): server's label" c2
	expect_job "sctp$fam one-to-many client (connect): server's label" c3
	expect_job "sctp$fam one-to-many: socket = first association's label, peeled-off = own" srv
done

for x in 1 2 3 4; do
	"$IP" addr del fd01::$x/128 dev lo 2>/dev/null
done
