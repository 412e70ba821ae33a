# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=dash disable=SC2034,SC2154
# Labels around common buffer sizes and beyond.  stream-peer checks
# peersec_tcp_get() at the exact size, one byte short, one more, and with
# 255/256/257-byte buffers, for every label it reads, and
# peersec_tcp_get_alloc() for all.
#  - labeled IPsec, both directions: 255, 256, 257 bytes with the NUL over
#    IPv4, 512 over IPv6 (iproute2 cannot add an SA whose ctx is much over
#    1 KiB);
#  - NetLabel, server side: 1024, 4095, 4096, 4097 bytes (around the
#    library's 4 KiB stack buffer) and about 5 KiB, where
#    peersec_tcp_get_alloc() must grow on the heap.  These are too long for
#    setsockcreatecon (one page), so NetLabel puts them on the packets.
lab_topology || return 0

LAB_SOURCE="labeled IPsec"
port=4500
for size in 255 256 257 512; do
	client=$(mls_label system_u:system_r:client_t "$size")
	server=$(mls_label system_u:system_r:server_t "$size")
	expect_eq "a $size-byte label is built" "$size" $((${#client} + 1))
	lab_ipsec_full "$client" "$server" || return 0
	fam=4 addr=$B4
	[ "$size" = 512 ] && fam=6 addr=$B6
	LAB_TRANSPORT=tcp$fam
	port=$((port + 1))
	lab_bg_ready srv in_b stream-peer server -s "$server" -e "$client" "$addr" $port
	expect_run "tcp$fam: client reads a $size-byte label" \
		in_a stream-peer client -s "$client" -e "$server" "$addr" $port
	expect_job "tcp$fam: server reads a $size-byte label" srv
done

lab_topology || return 0
LAB_SOURCE="NetLabel static"
LAB_TRANSPORT=tcp4
for size in 1024 4095 4096 4097 huge; do
	if [ $size = huge ]; then
		label=$(mls_range_label system_u:system_r:peer_t)
		size=$((${#label} + 1))
	else
		label=$(mls_label system_u:system_r:peer_t "$size")
		expect_eq "a $size-byte label is built" "$size" $((${#label} + 1))
	fi
	lab_netlabel_clear
	lab_netlabel "$label" "$A4" || return 0
	port=$((port + 1))
	lab_bg_ready srv in_b stream-peer server -e "$label" "$B4" $port
	expect_run "tcp4: client from an address labeled with $size bytes" \
		in_a stream-peer client -e -ENOPROTOOPT "$B4" $port
	expect_job "tcp4: server reads a $size-byte label" srv
done
