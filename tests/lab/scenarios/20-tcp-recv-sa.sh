# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=dash disable=SC2034,SC2154
# Receiver-side labeled SA: a sends through an unlabeled SA whose twin on b
# carries a label, so the server in b reads the SA's label whatever the
# client socket's own label is.  The replies travel plain, so the client
# reads the library's "no label" answer.
LAB_SOURCE="receiver-side labeled SA"

sa=system_u:system_r:peer_t:s0:c42
client=system_u:system_r:client_t:s0
lab_topology && lab_ipsec_recv_sa "$sa" || return 0

for fam in 4 6; do
	LAB_TRANSPORT=tcp$fam
	eval "addr=\$B$fam"
	lab_bg_ready srv in_b stream-peer server -e "$sa" "$addr" 4100
	expect_run "tcp$fam: client over plain replies reads no label" \
		in_a stream-peer client -s "$client" -e -ENOPROTOOPT "$addr" 4100
	expect_job "tcp$fam: server reads the SA's label" srv
done
