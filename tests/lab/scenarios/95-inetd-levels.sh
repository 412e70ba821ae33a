# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=dash disable=SC2034,SC2154
# peersec-inetd: each client gets a server in the context its label decides.
#
# NetLabel gives each client source address its own label (four MLS levels);
# over TCP, UDP and SCTP every server reports its own context, which must be
# service_t (the policy's transition, launcher.cil) at exactly the client's
# level.  Then the refusals: no label, a label the policy rejects for the
# base context, a server without a transition.  A refused client gets
# nothing and no server runs ($INETD_RAN stays as it was).
LAB_SOURCE="NetLabel static"
# shellcheck source=tests/lab/vm-bin/inetd-lablib.sh
. /lab/bin/inetd-lablib.sh
inetd_prepare || return 0

L1=system_u:system_r:peer_t:s0:c1
L2=system_u:system_r:peer_t:s0:c2,c5
L3=system_u:system_r:peer_t:s0:c0.c1023
L4=system_u:system_r:peer_t:s0
lab_netlabel "$L1" 127.0.0.2 && lab_netlabel "$L2" 127.0.0.3 &&
lab_netlabel "$L3" 127.0.0.4 && lab_netlabel "$L4" 127.0.0.5 || return 0

protos="tcp udp"
if [ -d /proc/sys/net/sctp ]; then
	protos="tcp udp sctp"
else
	skip "sctp" "no SCTP in this kernel"
fi

conf=$LAB_TMP/inetd.conf
{
	echo "# peersec-inetd, lab scenario $LAB_SCENARIO"
	inetd_service who-tcp tcp 7001
	inetd_service who-udp udp 7002
	case $protos in *sctp*) inetd_service who-sctp sctp 7003 ;; esac
	inetd_service low-tcp tcp 7004 base_context=lab_low_u:system_r:launcher_t:s0
	inetd_service optional-tcp tcp 7006 label=optional
} >"$conf"
# a server on the initramfs (file_t): no transition for it
sed -e 's/^service who-tcp$/service notrans-tcp/' -e 's/= 7001$/= 7005/' \
	-e "s|$INETD_SVC/peersec-whoami|/lab/bin/peersec-whoami|" \
	"$conf" | awk '/^service notrans-tcp/,/^}/' >"$conf.notrans"
cat "$conf.notrans" >>"$conf"

expect_run "the configuration checks" peersec-inetd -t -f "$conf"
inetd_start inetd "$conf" || return 0

port_tcp=7001 port_udp=7002 port_sctp=7003
for proto in $protos; do
	eval "port=\$port_$proto"
	LAB_TRANSPORT=$proto
	inetd_ask "$proto: client at s0:c1 gets a server at s0:c1" \
		"$proto" 127.0.0.2 "$port" "$SERVICE:s0:c1" "$L1"
	inetd_ask "$proto: client at s0:c2,c5 gets a server at s0:c2,c5" \
		"$proto" 127.0.0.3 "$port" "$SERVICE:s0:c2,c5" "$L2"
	inetd_ask "$proto: client at s0:c0.c1023 gets a server at s0:c0.c1023" \
		"$proto" 127.0.0.4 "$port" "$SERVICE:s0:c0.c1023" "$L3"
	inetd_ask "$proto: client at s0 gets a server at s0" \
		"$proto" 127.0.0.5 "$port" "$SERVICE:s0" "$L4"
	# SCTP without labeling reads the policy's unlabeled context
	why="no label, and"
	[ "$proto" = sctp ] && why="no label (the policy's unlabeled context)"
	inetd_refused "$proto: a client without a label gets nothing" \
		"$proto" 127.0.0.1 "$port" inetd "$why"
done

inetd_refused "tcp: a label the policy rejects for the base context: nothing runs" \
	tcp 127.0.0.3 7004 inetd "policy rejects"
inetd_refused "tcp: a server without a transition is not started" \
	tcp 127.0.0.2 7005 inetd "no transition"
inetd_ask "tcp: label = optional: an unlabeled client gets the launcher's range" \
	tcp 127.0.0.1 7006 "$SERVICE:s0-s0:c0.c1023" "(none)"

n=$(grep -c '^pid=' "$INETD_RAN")
want=$(( $(echo "$protos" | wc -w) * 4 + 1 ))
expect_eq "servers that ran: exactly one per accepted client" "$want" "$n"
if grep '^pid=' "$INETD_RAN" | grep -v "context=$SERVICE:" >/dev/null; then
	fail "no server ran outside service_t" "$(cat "$INETD_RAN")"
else
	ok "no server ran outside service_t"
fi
inetd_until 60 inetd_idle "$INETD_PID"
z=$(inetd_children "$INETD_PID" | awk '$2 == "Z"' | wc -l)
expect_eq "no zombie children" 0 "$z"
inetd_stop inetd
if grep -q 'stopping:' "$LAB_TMP/inetd.out"; then
	ok "the launcher stops on SIGTERM"
else
	fail "the launcher stops on SIGTERM" "$(tail -n 3 "$LAB_TMP/inetd.out")"
fi
sed 's/^/  | /' "$LAB_TMP/inetd.out"
