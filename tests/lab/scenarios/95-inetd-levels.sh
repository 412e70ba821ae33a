# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=dash disable=SC2034,SC2154
# peersec-inetd: each client gets a server in the context its label decides.
#
# NetLabel gives each client source address its own label (four MLS levels);
# over TCP, UDP and SCTP every server reports its own context, which must be
# service_t (the policy's transition, launcher.cil) at exactly the client's
# level.  Then the refusals: no label, a label the policy rejects for the
# base context, a server without a transition (also one whose execution
# changes only the role: typeguard.cil).  A refused client gets nothing and
# no server runs ($INETD_RAN stays as it was).  Under label = optional an
# unlabeled client runs at unlabeled_level, never the base's whole range.
# Every server's end is logged with its exit status and duration; -t names
# a missing or non-executable server.
#
# Then a launcher cleared for s0-s3:c0.c1023 (clearance.cil): a peer at s4 is
# refused, as is one with categories outside a service's max_range, and an
# unlabeled_level above the bound; the refusal names both levels.
LAB_SOURCE="NetLabel static"
# shellcheck source=tests/lab/vm-bin/inetd-lablib.sh
. /lab/bin/inetd-lablib.sh
inetd_prepare || return 0
# refpolicy MLS drops unlabeled peers (their label is the unlabeled context
# at s15:c0.c1023) and peers above the launcher's clearance in the kernel
# ("peer recv"), before the launcher reads them (inetd_refused).
[ "$LAB_WORLD" = refpolicy-mls ] && INETD_DROPS="127.0.0.1 127.0.0.6"

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
	inetd_service optional-tcp tcp 7006 label=optional unlabeled_level=s0
} >"$conf"
# a server on the initramfs (file_t): no transition for it
sed -e 's/^service who-tcp$/service notrans-tcp/' -e 's/= 7001$/= 7005/' \
	-e "s|$INETD_SVC/peersec-whoami|/lab/bin/peersec-whoami|" \
	"$conf" | awk '/^service notrans-tcp/,/^}/' >"$conf.notrans"
cat "$conf.notrans" >>"$conf"
# a server whose execution changes the role, not the type (typeguard.cil)
mkdir -p "$LAB_TMP/rs" && cp /lab/bin/peersec-whoami "$LAB_TMP/rs/" &&
	chmod 0755 "$LAB_TMP/rs/peersec-whoami" &&
	lab-filecon "$LAB_TMP/rs/peersec-whoami" \
		system_u:object_r:lab_roleswitch_exec_t:s0 >/dev/null ||
	fail "a server file labeled lab_roleswitch_exec_t"
sed -e 's/^service notrans-tcp$/service roleonly-tcp/' -e 's/= 7005$/= 7007/' \
	-e "s|/lab/bin/peersec-whoami|$LAB_TMP/rs/peersec-whoami|" \
	"$conf.notrans" >>"$conf"

# -t: a missing or non-executable server is named
touch "$LAB_TMP/noexec" && chmod 0644 "$LAB_TMP/noexec"
{
	inetd_service gone tcp 7008
	inetd_service noexec tcp 7009
} | sed -e "s|^\(.server = \).*/peersec-whoami\$|\1/lab/no/such/server|" \
	-e "/^service noexec/,/^}/s|^\(.server = \).*|\1$LAB_TMP/noexec|" \
	>"$conf.servers"
peersec-inetd -t -f "$conf.servers" >"$LAB_TMP/t.out" 2>&1
rc=$?
if [ $rc -eq 1 ] &&
   grep -q 'service gone (line 1): server /lab/no/such/server: No such file' "$LAB_TMP/t.out" &&
   grep -q "service noexec (line 11): server $LAB_TMP/noexec: not executable" "$LAB_TMP/t.out"; then
	ok "-t names a missing and a non-executable server"
else
	fail "-t names a missing and a non-executable server" "exit $rc" "$(cat "$LAB_TMP/t.out")"
fi

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
inetd_refused "tcp: a server whose execution changes only the role is not started" \
	tcp 127.0.0.2 7007 inetd "no transition"
if [ "$LAB_WORLD" = refpolicy-mls ]; then
	inetd_refused "tcp: label = optional: an unlabeled client never reaches the launcher" \
		tcp 127.0.0.1 7006 inetd ""
	optional=0
else
	inetd_ask "tcp: label = optional: an unlabeled client runs at unlabeled_level s0 only" \
		tcp 127.0.0.1 7006 "$SERVICE:s0" "(none)"
	optional=1
fi

n=$(grep -c '^pid=' "$INETD_RAN")
want=$(( $(echo "$protos" | wc -w) * 4 + optional ))
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
# After the exec the launcher reads each server's context back.  Refpolicy
# MLS denies that read (process getattr: the launcher's low level s0 does
# not dominate a server at s0:c1, and inetd_t has neither mlsprocreadtoclr
# nor mlsprocread), so the check is skipped and the launcher says so, once
# per service; elsewhere the read works and nothing is said.
unverified='cannot verify the context of who-tcp/tcp servers: /proc/[0-9]*/attr/current: Permission denied; they start unverified'
n=$(grep -c 'cannot verify the context of' "$LAB_TMP/inetd.out")
if [ "$LAB_WORLD" = refpolicy-mls ]; then
	m=$(grep -c "$unverified" "$LAB_TMP/inetd.out")
	expect_eq "MLS: unverified servers are logged once for who-tcp/tcp (EACCES)" 1 "$m"
else
	expect_eq "every server's context is verified after its exec" 0 "$n"
fi
started=$(grep -c 'started who-tcp/tcp pid ' "$LAB_TMP/inetd.out")
ended=$(grep -c 'ended who-tcp/tcp pid [0-9]*: exit status 0 after [0-9]*\.[0-9][0-9][0-9] s$' "$LAB_TMP/inetd.out")
expect_eq "each server's end is logged with its exit status and duration" \
	"$started" "$ended"
sed 's/^/  | /' "$LAB_TMP/inetd.out"

# ---- MCS: categories only ----
if [ "$LAB_WORLD" = refpolicy-mcs ]; then
	skip "clearance: sensitivities s1-s4" "MCS has s0 only"
	# MCS's "context contains" binds only mcs_constrained_type domains,
	# and a service domain is not one: the policy grants any bound, so
	# max_range does not keep categories out (measured, see the README).
	C20=system_u:system_r:peer_t:s0:c20
	lab_netlabel "$C20" 127.0.0.9 || return 0
	inetd_service mcs-tcp tcp 7015 max_range=s0-s0:c0.c9 >"$LAB_TMP/mcs.conf"
	inetd_start mcs "$LAB_TMP/mcs.conf" || return 0
	inetd_ask "MCS: max_range s0-s0:c0.c9 does not refuse s0:c20 (contains is not constrained for launcher_t)" \
		tcp 127.0.0.9 7015 "$SERVICE:s0:c20" "$C20"
	inetd_ask "MCS: a peer within max_range (s0:c2,c5) gets a server" \
		tcp 127.0.0.3 7015 "$SERVICE:s0:c2,c5" "$L2"
	inetd_stop mcs
	return 0
fi

# ---- the clearance bound: a launcher at s0-s3:c0.c1023 ----
M4=lab_mls_u:system_r:peer_t:s4
M2=lab_mls_u:system_r:peer_t:s2:c1
M1=lab_mls_u:system_r:peer_t:s1:c20
lab_netlabel "$M4" 127.0.0.6 && lab_netlabel "$M2" 127.0.0.7 &&
lab_netlabel "$M1" 127.0.0.8 || return 0
conf=$LAB_TMP/clearance.conf
{
	inetd_service clr-tcp tcp 7011
	inetd_service clr-udp udp 7012
	inetd_service cat-tcp tcp 7013 max_range=s0-s3:c0.c9
	inetd_service clr-opt tcp 7014 label=optional unlabeled_level=s4
} >"$conf"
ctx=$INETD_CTX
INETD_CTX=lab_mls_u:system_r:launcher_t:s0-s3:c0.c1023
inetd_start clr "$conf"
rc=$?
INETD_CTX=$ctx
[ $rc -eq 0 ] || return 0
MS=lab_mls_u:system_r:service_t
inetd_ask "clearance: a peer at s2:c1, within the launcher's s0-s3, gets a server at s2:c1" \
	tcp 127.0.0.7 7011 "$MS:s2:c1" "$M2"
inetd_refused "clearance: tcp: a peer at s4, above the launcher's s0-s3, gets nothing" \
	tcp 127.0.0.6 7011 clr "level s4 is not within the clearance bound s0-s3:c0.c1023\$"
LAB_TRANSPORT=udp
inetd_refused "clearance: udp: a peer at s4, above the launcher's s0-s3, gets nothing" \
	udp 127.0.0.6 7012 clr "level s4 is not within the clearance bound s0-s3:c0.c1023\$"
LAB_TRANSPORT=tcp
inetd_refused "clearance: categories outside max_range s0-s3:c0.c9 (s1:c20) get nothing" \
	tcp 127.0.0.8 7013 clr "level s1:c20 is not within the clearance bound s0-s3:c0.c9\$"
inetd_ask "clearance: a peer within max_range s0-s3:c0.c9 (s2:c1) gets a server" \
	tcp 127.0.0.7 7013 "$MS:s2:c1" "$M2"
inetd_refused "clearance: unlabeled_level s4 is above the bound too: an unlabeled peer gets nothing" \
	tcp 127.0.0.1 7014 clr "level s4 is not within the clearance bound s0-s3:c0.c1023\$"
if grep '^pid=' "$INETD_RAN" | grep -q 'context=[^ ]*:s4 \|:c20 '; then
	fail "clearance: no server ran above the bound" "$(cat "$INETD_RAN")"
else
	ok "clearance: no server ran above the bound"
fi
inetd_stop clr
sed 's/^/  | /' "$LAB_TMP/clr.out"
