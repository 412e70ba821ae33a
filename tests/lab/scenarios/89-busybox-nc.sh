# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=dash disable=SC2034,SC2154
# Real clients that no one here wrote: busybox's nc against the example
# servers (examples/tcp-server.c) and the launcher, and busybox's tftp as a
# UDP client of examples/udp-server.c (Debian's busybox-static builds the
# small nc, which has no -u; tftp sends one datagram and reads the answer).
# The launcher's real UDP client is busybox syslogd, forwarding (-R) what
# busybox logger writes to /dev/log: one datagram per message.
# NetLabel static labels tell the clients apart; the servers print and
# answer each client's label.
LAB_SOURCE="NetLabel static"

from_a=system_u:system_r:peer_t:s0:c11
lab_topology && lab_netlabel "$from_a" "$A4" "$A6" || return 0

for fam in 4 6; do
	eval "addr=\$B$fam"
	LAB_TRANSPORT=tcp$fam
	lab_bg srv in_b tcp-server -1 4701
	if lab_wait_line srv '^listening on port 4701'; then
		expect_run "tcp$fam: busybox nc connects to tcp-server" \
			in_a nc "$addr" 4701
		expect_eq "tcp$fam: nc is told its label" "label: $from_a" \
			"$(cat "$LAB_TMP/last.out")"
		lab_wait srv
		expect_eq "tcp$fam: tcp-server read nc's label" 1 \
			"$(grep -c "\]:[0-9]* label $from_a\$" "$LAB_TMP/srv.out")"
	else
		fail "tcp$fam: tcp-server listens" "$(job_out srv)"
	fi
done

LAB_TRANSPORT=udp4
lab_bg srv in_b udp-server -n 1 4702
if lab_wait_line srv '^listening on port 4702'; then
	# the answer is the label, not a TFTP packet: tftp gives up at once
	in_a tftp -g -r x -l /dev/null "$B4" 4702 >"$LAB_TMP/tftp.out" 2>&1
	lab_wait srv
	expect_eq "udp4: udp-server read the label of busybox tftp's datagram" 1 \
		"$(grep -c "^::ffff:$A4 port [0-9]*: label \"$from_a\"\$" "$LAB_TMP/srv.out")"
else
	fail "udp4: udp-server listens" "$(job_out srv)"
fi

# The launcher (95's setup): nc from loopback, labeled by its address.
# shellcheck source=tests/lab/vm-bin/inetd-lablib.sh
. /lab/bin/inetd-lablib.sh
inetd_prepare || return 0
lo=system_u:system_r:peer_t:s0:c12
lab_netlabel "$lo" 127.0.0.1 || return 0
conf=$LAB_TMP/nc.conf
{
	inetd_service nc-tcp tcp 7201
	inetd_service syslog-udp udp 7202
} >"$conf"
inetd_start inetd "$conf" || return 0
LAB_TRANSPORT=tcp
expect_run "launcher: busybox nc gets an answer" nc 127.0.0.1 7201
if grep -q "^context=$SERVICE:s0:c12 label=$lo " "$LAB_TMP/last.out"; then
	ok "launcher: nc's server ran at nc's level s0:c12"
else
	fail "launcher: nc's server ran at nc's level s0:c12" "$(cat "$LAB_TMP/last.out")"
fi

# syslogd (in the root namespace, from 127.0.0.1: labeled s0:c12 as nc is)
# sends the message to the launcher's UDP service; peersec-whoami repeats
# the datagram in its record.
LAB_TRANSPORT=udp
rm -f /dev/log
lab_bg syslogd syslogd -n -R 127.0.0.1:7202
inetd_until 10 test -S /dev/log
expect_run "launcher: busybox logger writes to busybox syslogd" \
	busybox logger -t labsyslog "to the launcher over udp"
inetd_until 30 _inetd_more "$INETD_RAN" 'labsyslog' 0
rec=$(grep 'labsyslog' "$INETD_RAN" | head -n 1)
_lab_tap "# syslogd -R: ${rec:-(no server ran)}"
if echo "$rec" | grep -q " context=$SERVICE:s0:c12 label=$lo peer=127\.0\.0\.1:"; then
	ok "launcher: syslogd's datagram got a server at its level s0:c12"
else
	fail "launcher: syslogd's datagram got a server at its level s0:c12" \
		"record: ${rec:-none}" "$(tail -n 3 "$LAB_TMP/inetd.out")"
fi
kill "$(cat "$LAB_TMP/syslogd.prog")" 2>/dev/null
lab_wait syslogd
rm -f /dev/log
inetd_stop inetd
