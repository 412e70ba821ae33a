# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=dash disable=SC2034,SC2154
# No labeling source at all: SO_PEERSEC has nothing to say, and the library
# answers -ENOPROTOOPT on both ends (never the unlabeled context).
LAB_SOURCE="none"

lab_topology || return 0
lab_unlabeled

for fam in 4 6; do
	LAB_TRANSPORT=tcp$fam
	eval "addr=\$B$fam"
	lab_bg_ready srv in_b stream-peer server -s system_u:system_r:server_t:s0 \
		-e -ENOPROTOOPT "$addr" 4300
	expect_run "tcp$fam: client reads no label" \
		in_a stream-peer client -s system_u:system_r:client_t:s0 \
		-e -ENOPROTOOPT "$addr" 4300
	expect_job "tcp$fam: server reads no label" srv
done

LAB_TRANSPORT=tcp4
lab_bg_ready srv stream-peer server -e -ENOPROTOOPT 127.0.0.1 4301
expect_run "tcp4 loopback: client reads no label" \
	stream-peer client -e -ENOPROTOOPT 127.0.0.1 4301
expect_job "tcp4 loopback: server reads no label" srv
