# SPDX-License-Identifier: LGPL-2.1-or-later
# UDP with NetLabel static labels (no IPsec): a datagram gets the label of
# its source address.  Two senders from two addresses of namespace a
# interleave to one server socket (which holds its first answers until both
# have sent, -w 2, so that their bursts interleave); labels up to and past
# the library's bound (PEERSEC_UDP_LABEL_MAX, 4096 bytes with the NUL).
LAB_SOURCE="NetLabel static"

A4b=10.0.0.3
from_a=system_u:system_r:client_t:s0:c3
from_a2=system_u:system_r:peer_t:s0:c4
from_b=system_u:system_r:server_t:s0:c5
lab_topology &&
in_a "$IP" addr add $A4b/24 dev va &&
lab_netlabel "$from_a" "$A4" "$A6" &&
lab_netlabel "$from_a2" "$A4b" &&
lab_netlabel "$from_b" "$B4" "$B6" || return 0

LAB_TRANSPORT=udp4
lab_bg srv in_b udp-peer server -n 40 -m -w 2 -p "$B4" "$B4" 5200
lab_bg c1 in_a udp-peer client -S "$A4" -c "$from_a" -k 20 -B \
	-e "$from_b" -x "$from_a" "$B4" 5200
lab_bg c2 in_a udp-peer client -S "$A4b" -c "$from_a2" -k 20 -B \
	-e "$from_b" -x "$from_a2" "$B4" 5200
expect_job "udp4: sender $A4 sees its label echoed, b's on replies" c1
expect_job "udp4: sender $A4b sees its label echoed, b's on replies" c2
expect_job "udp4: 40 interleaved datagrams, each with its address's label, IP_PKTINFO intact" srv

LAB_TRANSPORT=udp4-on-inet6
lab_bg srv in_b udp-peer server -n 20 -m -w 2 -p "::ffff:$B4" :: 5201
lab_bg c1 in_a udp-peer client -S "$A4" -c "$from_a" -k 10 -B \
	-e "$from_b" -x "$from_a" "$B4" 5201
lab_bg c2 in_a udp-peer client -S "$A4b" -c "$from_a2" -k 10 -B \
	-e "$from_b" -x "$from_a2" "$B4" 5201
expect_job "udp4 on a dual-stack socket: sender $A4" c1
expect_job "udp4 on a dual-stack socket: sender $A4b" c2
expect_job "udp4 on a dual-stack socket: each datagram its address's label" srv

LAB_TRANSPORT=udp6
lab_bg srv in_b udp-peer server -n 5 -e none -p "$B6" "$B6" 5202
expect_run "udp6: client reads no label (native IPv6 carries none)" \
	in_a udp-peer client -k 5 -e none -x none "$B6" 5202
expect_job "udp6: server reads an empty label (native IPv6 carries none)" srv

LAB_TRANSPORT=udp4-batched
lab_bg srv in_b udp-peer server -n 60 -b 16 -M -m -w 2 -p "$B4" "$B4" 5203
lab_bg c1 in_a udp-peer client -S "$A4" -c "$from_a" -k 30 -B \
	-e "$from_b" -x "$from_a" "$B4" 5203
lab_bg c2 in_a udp-peer client -S "$A4b" -c "$from_a2" -k 30 -B \
	-e "$from_b" -x "$from_a2" "$B4" 5203
expect_job "udp4 batched: sender $A4" c1
expect_job "udp4 batched: sender $A4b" c2
expect_job "udp4 batched (recvmmsg): mixed batches, each datagram its address's label" srv

# Long labels on a's address: up to the bound they come whole, past it the
# library fails closed (-EOVERFLOW), one datagram at a time and batched.
port=5210
for size in 300 1024 4095 4096 4097 huge; do
	if [ $size = huge ]; then
		label=$(mls_range_label system_u:system_r:peer_t)
		size=$((${#label} + 1))
	else
		label=$(mls_label system_u:system_r:peer_t "$size")
		expect_eq "a $size-byte label is built" "$size" $((${#label} + 1))
	fi
	if [ "$size" -le 4096 ]; then
		want=$label seen=whole
	else
		want=-EOVERFLOW seen="-EOVERFLOW (fails closed)"
	fi
	lab_netlabel_clear
	lab_netlabel "$label" "$A4" || return 0
	for mode in single batched; do
		port=$((port + 1))
		if [ $mode = batched ]; then
			LAB_TRANSPORT=udp4-batched; b="-b 4"
		else
			LAB_TRANSPORT=udp4; b=
		fi
		# shellcheck disable=SC2086
		lab_bg srv in_b udp-peer server -n 3 $b -e "$want" -p "$B4" \
			"$B4" $port
		expect_run "udp4 $mode: client from an address labeled with $size bytes" \
			in_a udp-peer client -k 3 -e none -x "$want" "$B4" $port
		expect_job "udp4 $mode: server reads a $size-byte label: $seen" srv
	done
done
