# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=dash disable=SC2034,SC2154
# NetLabel static labels (netlabelctl unlbl), no IPsec: traffic from a given
# source address gets the configured label.
LAB_SOURCE="NetLabel static"

# Across the namespaces: a's and b's addresses get different labels, so the
# server reads a's and the client reads b's.
from_a=system_u:system_r:peer_t:s0:c8
from_b=system_u:system_r:server_t:s0:c9
lab_topology &&
lab_netlabel "$from_a" "$A4" "$A6" &&
lab_netlabel "$from_b" "$B4" "$B6" || return 0
for fam in 4 6; do
	LAB_TRANSPORT=tcp$fam
	eval "addr=\$B$fam"
	lab_bg_ready srv in_b stream-peer server -s system_u:system_r:server_t:s0 \
		-e "$from_a" "$addr" 4200
	expect_run "tcp$fam: client reads the label of b's address" \
		in_a stream-peer client -s system_u:system_r:client_t:s0 \
		-e "$from_b" "$addr" 4200
	expect_job "tcp$fam: server reads the label of a's address" srv
done

# Loopback in the root namespace: both directions come from the same
# address, so both ends read the same label.
label=system_u:system_r:peer_t:s0:c10
lab_netlabel "$label" 127.0.0.1 ::1 || return 0
for addr in 127.0.0.1 ::1; do
	case $addr in *:*) LAB_TRANSPORT=tcp6 ;; *) LAB_TRANSPORT=tcp4 ;; esac
	lab_bg_ready srv stream-peer server -e "$label" "$addr" 4201
	expect_run "$LAB_TRANSPORT loopback: client reads the static label" \
		stream-peer client -e "$label" "$addr" 4201
	expect_job "$LAB_TRANSPORT loopback: server reads the static label" srv
done
