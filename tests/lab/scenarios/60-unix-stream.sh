# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=dash disable=SC2034,SC2154
# AF_UNIX stream (and seqpacket) between two processes running in different
# contexts (run_as: setexeccon + exec).  The server reads the client process's
# context.  The server's accepted socket keeps the listener's
# user:role:type and takes the client's MLS range, which the client reads.
LAB_SOURCE="process context"
LAB_TRANSPORT=unix

server=system_u:system_r:server_t:s0:c5
client=system_u:system_r:client_t:s0:c9
accepted=system_u:system_r:server_t:s0:c9

lab_bg_ready srv run_as "$server" stream-peer server -e "$client" unix:@lab-unix
if [ "$LAB_WORLD" = refpolicy-mls ]; then
	# refpolicy's MLS rule for connectto wants equal levels (or an MLS
	# override the test domains do not have): no connection, no label.
	expect_eq "unix: refpolicy MLS refuses a client at s0:c9 to a server at s0:c5" \
		"stream-peer: connect: Permission denied" \
		"$(run_as "$client" stream-peer client -e "$accepted" unix:@lab-unix 2>&1)"
	lab_kill_jobs
	lab_wait srv
else
	expect_run "unix: client reads the server's accepted socket" \
		run_as "$client" stream-peer client -e "$accepted" unix:@lab-unix
	expect_job "unix: server reads the client process's context" srv
fi

# Same MLS level on both sides: each reads exactly the other's context.
server=system_u:system_r:server_t:s0:c2
client=system_u:system_r:client_t:s0:c2
lab_bg_ready srv run_as "$server" stream-peer server -e "$client" unix:@lab-unix2
expect_run "unix: client reads the server process's context" \
	run_as "$client" stream-peer client -e "$server" unix:@lab-unix2
expect_job "unix: server reads the client process's context (same level)" srv

# A socket labeled with setsockcreatecon carries that label, not the
# process's.
sock=system_u:system_r:peer_t:s0:c2
lab_bg_ready srv run_as "$server" stream-peer server -e "$sock" unix:@lab-unix3
expect_run "unix: client with a socket label of its own" \
	run_as "$client" stream-peer client -s "$sock" -e "$server" unix:@lab-unix3
expect_job "unix: server reads the client socket's label" srv

# AF_UNIX SOCK_SEQPACKET: the same label rules as stream.
server=system_u:system_r:server_t:s0:c4
client=system_u:system_r:client_t:s0:c4
LAB_TRANSPORT=unix-seq
lab_bg_ready srv run_as "$server" stream-peer server -S -e "$client" unix:@lab-seq
expect_run "unix seqpacket: client reads the server process's context" \
	run_as "$client" stream-peer client -S -e "$server" unix:@lab-seq
expect_job "unix seqpacket: server reads the client process's context" srv
