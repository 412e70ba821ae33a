# SPDX-License-Identifier: LGPL-2.1-or-later
# The first-association rule, enforced.  A socket whose first association is
# labeled CA lets a later association in only if the policy allows CA the
# "association" permission on the newcomer's label (policy/sctp.cil denies it
# toward sctp_denied_t).  The kernel drops a denied INIT, so that client never
# gets an association, the socket keeps CA, and an allowed peer still comes
# in.  One-to-many sockets and one-to-one listening sockets alike; NetLabel
# static labels over IPv4 loopback.
#
# While the denied INIT goes unanswered, the client's association is being
# set up and its socket still has SELinux's initial peer label, the
# unlabeled context: the library must answer -EINPROGRESS (one-to-many) or
# -ENOTCONN (one-to-one) instead.
LAB_SOURCE="NetLabel static"
LAB_TRANSPORT=sctp4

# Shared by the SCTP scenarios (90-94).
command -v sctp-peer >/dev/null || {
	skip "sctp" "libpeersec was built without SCTP (no sctp-peer)"
	return 0
}

S=system_u:system_r:server_t:s0
CA=system_u:system_r:client_t:s0:c1
CB=system_u:system_r:peer_t:s0:c2
D=system_u:system_r:sctp_denied_t:s0

if [ "$(cat /sys/fs/selinux/enforce)" != 1 ]; then
	skip "sctp4: a denied association is refused" "SELinux is permissive"
	return 0
fi
lab_netlabel "$S" 127.0.0.1 &&
lab_netlabel "$CA" 127.0.0.2 &&
lab_netlabel "$CB" 127.0.0.3 &&
lab_netlabel "$D" 127.0.0.5 || return 0

port=5300
for kind in one-to-many one-to-one; do
	m=
	[ $kind = one-to-many ] && m=-m
	port=$((port + 1))
	lab_bg_ready srv sctp-peer server $m -n 2 -E "127.0.0.2=$CA" \
		-E "127.0.0.3=$CB" 127.0.0.1 $port
	lab_bg c1 sctp-peer client $m -b 127.0.0.2 -x connectx -e "$S" \
		127.0.0.1 $port
	lab_wait_line c1 'is up'
	expect_run "sctp4 $kind: a denied peer gets no association; no label while it is set up" \
		sctp-peer client $m -R -b 127.0.0.5 127.0.0.1 $port
	lab_bg c2 sctp-peer client $m -b 127.0.0.3 -x connect -e "$S" \
		127.0.0.1 $port
	expect_job "sctp4 $kind: first client associates" c1
	expect_job "sctp4 $kind: an allowed second client still associates" c2
	expect_job "sctp4 $kind: the server saw only the allowed peers, labels as before" srv
done
