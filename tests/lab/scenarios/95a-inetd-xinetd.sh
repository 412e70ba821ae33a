# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=dash disable=SC2034,SC2154
# xinetd's "flags = LABELED" beside peersec-inetd, both started in the same
# context, lab_mls_u:system_r:launcher_t:s0-s3:c0.c1023 (clearance.cil),
# for three NetLabel peers: s2:c1 (within s0-s3), s4 (above the launchers'
# own s0-s3) and s1:c20 (outside peersec-inetd's max_range s0-s3:c0.c9).
#
# For a stream service, xinetd takes its own context, puts the peer's range
# (getpeercon) in place of its own, asks the kernel for the exec context
# against a file's label (security_compute_create) and sets it with
# setexeccon.  Nothing bounds that range.  The file is the server's argv[0]
# taken relative to xinetd's working directory, "/" (xinetd's main() moves
# there after reading its configuration).  By default argv[0] is the
# server's base name, so the label lookup fails for every peer and no
# server starts: the child logs "Changing process context failed" and
# exits 1 (service lab-whoami, 7016).  With NAMEINARGS and the full path
# as argv[0] (lab-fullpath, 7019) xinetd starts servers at s2:c1, s4 and
# s1:c20; peersec-inetd starts the first and refuses the other two, naming
# both levels.
#
# Under refpolicy MLS the kernel drops the s4 peer's packets for both
# ("peer recv": launcher_t has inetd_t's mlsnetreadtoclr), so neither
# launcher hears of it; the other two peers go as in the small policy.
# Neither world needs a rule for xinetd beyond what the launcher has.
LAB_SOURCE="NetLabel static"
LAB_TRANSPORT=tcp

if [ ! -x /usr/sbin/xinetd ]; then
	if [ "${LAB_CI:-}" = true ]; then
		fail "xinetd is in the VM" "/usr/sbin/xinetd is missing on the host (tools/bootstrap.sh installs it) and CI=true"
	else
		skip "xinetd beside peersec-inetd" "no /usr/sbin/xinetd on the host (tools/bootstrap.sh installs it)"
	fi
	return 0
fi
if [ "$LAB_WORLD" = refpolicy-mcs ]; then
	skip "xinetd beside peersec-inetd" "MCS has s0 only (95 checks max_range there)"
	return 0
fi

# shellcheck source=tests/lab/vm-bin/inetd-lablib.sh
. /lab/bin/inetd-lablib.sh
inetd_prepare || return 0

M4=lab_mls_u:system_r:peer_t:s4
M2=lab_mls_u:system_r:peer_t:s2:c1
M1=lab_mls_u:system_r:peer_t:s1:c20
lab_netlabel "$M4" 127.0.0.6 && lab_netlabel "$M2" 127.0.0.7 &&
lab_netlabel "$M1" 127.0.0.8 || return 0
INETD_CTX=lab_mls_u:system_r:launcher_t:s0-s3:c0.c1023
MS=lab_mls_u:system_r:service_t
# refpolicy MLS drops the s4 peer in the kernel (inetd_refused)
[ "$LAB_WORLD" = refpolicy-mls ] && INETD_DROPS=127.0.0.6

# ---- xinetd on 7016 and 7019 ----
# Its servers record themselves in $XRAN, peersec-inetd's in $INETD_RAN.
XRAN=$LAB_TMP/ran/xinetd.log
: >"$XRAN" && chmod 0666 "$XRAN"
xconf=$LAB_TMP/xinetd.conf
cat >"$xconf" <<EOF
# xinetd, lab scenario $LAB_SCENARIO
service lab-whoami
{
	type = UNLISTED
	socket_type = stream
	protocol = tcp
	wait = no
	port = 7016
	bind = 127.0.0.1
	user = $INETD_UID
	server = $INETD_SVC/peersec-whoami
	server_args = --log $XRAN
	flags = LABELED
	log_type = FILE $LAB_TMP/xinetd-svc.log
	log_on_success = PID HOST EXIT
	log_on_failure = HOST
}
service lab-fullpath
{
	type = UNLISTED
	socket_type = stream
	protocol = tcp
	wait = no
	port = 7019
	bind = 127.0.0.1
	user = $INETD_UID
	server = $INETD_SVC/peersec-whoami
	flags = LABELED NAMEINARGS
	server_args = $INETD_SVC/peersec-whoami --log $XRAN
	log_type = FILE $LAB_TMP/xinetd-svc.log
	log_on_success = PID HOST EXIT
	log_on_failure = HOST
}
EOF
LAB_TIMEOUT=110 lab_bg xinetd run_as "$INETD_CTX" \
	xinetd -dontfork -stayalive -f "$xconf" -filelog "$LAB_TMP/xinetd.log"
if inetd_until 60 grep -q 'Started working: 2 available services' \
	"$LAB_TMP/xinetd.log"; then
	ok "xinetd starts as launcher_t:s0-s3:c0.c1023 with two LABELED services"
else
	fail "xinetd starts as launcher_t:s0-s3:c0.c1023 with two LABELED services" \
		"$(cat "$LAB_TMP/xinetd.out" "$LAB_TMP/xinetd.log" 2>/dev/null)"
	return 0
fi
XPID=$(pidof xinetd)
expect_eq "xinetd runs in the launcher's context" \
	"$INETD_CTX" "$(tr -d '\0' <"/proc/$XPID/attr/current")"

# ---- peersec-inetd on 7017 (no max_range) and 7018 (max_range) ----
pconf=$LAB_TMP/inetd.conf
{
	inetd_service clr-tcp tcp 7017
	inetd_service cat-tcp tcp 7018 max_range=s0-s3:c0.c9
} >"$pconf"
inetd_start inetd "$pconf" || return 0

# xinetd_ask NAME SRC EXPECTED_CONTEXT: one client of xinetd's lab-fullpath
# (7019); ok when the
# server it got reports EXPECTED_CONTEXT, uid/gid 1000 and only descriptors
# 0, 1 and 2.  Sets XGOT to the context the server reported.
xinetd_ask() {
	local name=$1 src=$2 want=$3 out

	out=$(inetd-client ask tcp "$src" 127.0.0.1 7019 10 2>&1)
	XGOT=$(echo "$out" | sed -n 's/^context=\([^ ]*\) .*/\1/p')
	XFDS=$(echo "$out" | sed -n 's/.* fds=\([0-9]*\).*/\1/p')
	_lab_tap "# xinetd: tcp client $src -> server context ${XGOT:-(none)}, fds=${XFDS:-?}"
	if [ "$XGOT" = "$want" ] &&
	   echo "$out" | grep -q " uid=$INETD_UID gid=$INETD_UID fds=3"; then
		ok "$name"
	else
		fail "$name" "expected context $want, uid/gid $INETD_UID, fds=3" "got: $out" \
			"xinetd log:" "$(tail -n 5 "$LAB_TMP/xinetd.log")"
	fi
}

# xinetd_dropped NAME SRC: the kernel drops the peer before xinetd reads it
# (refpolicy MLS): the client gets nothing, no server runs, and xinetd
# logs no connection from it.
xinetd_dropped() {
	local name=$1 src=$2 before after rc

	before=$(wc -l <"$XRAN")
	inetd_dropped_ask tcp "$src" 7019 "$LAB_TMP/xdrop.out"
	rc=$?
	after=$(wc -l <"$XRAN")
	XGOT="dropped (kernel)"
	_lab_tap "# xinetd: tcp client $src -> dropped by the kernel (client status $rc): $(dmesg | grep 'denied  { recv }' | grep "saddr=$src .*dest=7019 " | tail -n 1 | sed 's/.*avc: *//')"
	if [ "$rc" -ne 0 ] && [ "$before" = "$after" ] &&
	   ! grep -q "from=$src\$" "$LAB_TMP/xinetd-svc.log" 2>/dev/null; then
		ok "$name"
	else
		fail "$name" "client status $rc (want non-zero), servers before/after: $before/$after" \
			"xinetd's service log:" "$(tail -n 5 "$LAB_TMP/xinetd-svc.log" 2>/dev/null)"
	fi
}

# xinetd_fails NAME SRC: xinetd's lab-whoami (7016) accepts the peer's
# connection, but its
# child fails to set the server's context: it logs "Changing process
# context failed" and exits 1; the client gets nothing and no server runs.
xinetd_fails() {
	local name=$1 src=$2 before after rc n0 pid st

	before=$(wc -l <"$XRAN")
	n0=$(grep -c 'Changing process context failed for lab-whoami' "$LAB_TMP/xinetd.log")
	inetd-client ask tcp "$src" 127.0.0.1 7016 10 >"$LAB_TMP/xfail.out" 2>&1
	rc=$?
	inetd_until 60 _inetd_more "$LAB_TMP/xinetd.log" \
		'Changing process context failed for lab-whoami' "$n0"
	pid=$(sed -n "s/.*START: lab-whoami pid=\([0-9]*\) from=$src\$/\1/p" \
		"$LAB_TMP/xinetd-svc.log" | tail -n 1)
	inetd_until 60 grep -q "EXIT: lab-whoami status=[0-9]* pid=${pid:-none}\$" \
		"$LAB_TMP/xinetd-svc.log"
	st=$(sed -n "s/.*EXIT: lab-whoami status=\([0-9]*\) pid=${pid:-none}\$/\1/p" \
		"$LAB_TMP/xinetd-svc.log")
	after=$(wc -l <"$XRAN")
	XGOT="nothing (exit ${st:-?})"
	_lab_tap "# xinetd: tcp client $src -> nothing: its child exited ${st:-?}: $(tail -n 1 "$LAB_TMP/xinetd.log" | sed 's/.*ERROR: //')"
	if [ "$rc" -ne 0 ] && [ "$before" = "$after" ] && [ "$st" = 1 ]; then
		ok "$name"
	else
		fail "$name" "client status $rc (want non-zero), servers before/after: $before/$after, child pid ${pid:-?} exit status ${st:-?} (want 1)" \
			"$(cat "$LAB_TMP/xfail.out")" "xinetd's logs:" \
			"$(tail -n 3 "$LAB_TMP/xinetd.log" "$LAB_TMP/xinetd-svc.log")"
	fi
}

# inetd_said SRC: what peersec-inetd did for SRC last, for the table.
inetd_said() {
	local line

	line=$(grep "peer $1:" "$LAB_TMP/inetd.out" | tail -n 1)
	case $line in
	*refused*) echo "refused: ${line##*: }" ;;
	'') echo "nothing (dropped by the kernel)" ;;
	*) echo "$line" ;;
	esac
}

# ---- lab-whoami: argv[0] is the server's base name (the default) ----
# The file whose label xinetd asks for is the server's argv[0], here its
# base name, taken relative to xinetd's working directory: "/", where
# main() moved after reading the configuration.  There is no
# /peersec-whoami, so the step fails for every peer, whatever its level:
# the child logs "Changing process context failed" and exits 1 before exec.
# A peer the kernel drops (refpolicy MLS: s4) is asked once, below.
[ -e /peersec-whoami ] && fail "no /peersec-whoami before the first round"
s2="not asked" s4="not asked" s1="not asked"
for peer in s2:c1=127.0.0.7 s4=127.0.0.6 s1:c20=127.0.0.8; do
	lvl=${peer%=*} src=${peer#*=}
	case " ${INETD_DROPS:-} " in *" $src "*) continue ;; esac
	xinetd_fails "xinetd, argv[0] the base name: a peer at $lvl gets nothing (the label is looked up as /peersec-whoami)" "$src"
	case $lvl in
	s2:c1) s2=$XGOT ;;
	s4) s4=$XGOT ;;
	*) s1=$XGOT ;;
	esac
done

# ---- lab-fullpath: NAMEINARGS, argv[0] the server's full path ----
# The label xinetd reads is then the server's own (service_exec_t), and it
# starts servers at the peer's level.  (flags must come before server_args:
# xinetd applies attributes in file order.)

# (a) s2:c1, within both bounds: the same context from both
xinetd_ask "xinetd: a peer at s2:c1 gets a server at s2:c1" \
	127.0.0.7 "$MS:s2:c1"
x2=$XGOT
# (b) s4, above the launchers' own s0-s3
if [ "$LAB_WORLD" = refpolicy-mls ]; then
	xinetd_dropped "xinetd: a peer at s4 never reaches xinetd (dropped by the kernel: peer recv)" \
		127.0.0.6
else
	xinetd_ask "xinetd: a peer at s4, above its own s0-s3, gets a server at s4" \
		127.0.0.6 "$MS:s4"
fi
x4=$XGOT
# (c) s1:c20, which peersec-inetd's max_range s0-s3:c0.c9 keeps out;
# xinetd has no such bound
xinetd_ask "xinetd: a peer at s1:c20 gets a server at s1:c20" \
	127.0.0.8 "$MS:s1:c20"
x1=$XGOT

# ---- peersec-inetd, the same peers ----
inetd_ask "peersec-inetd: a peer at s2:c1 gets a server at s2:c1" \
	tcp 127.0.0.7 7017 "$MS:s2:c1" "$M2"
p2=$(sed -n 's/^pid=[0-9]* context=\([^ ]*\) .*/\1/p' "$INETD_RAN" | tail -n 1)
inetd_refused "peersec-inetd: a peer at s4, above its own s0-s3, gets nothing" \
	tcp 127.0.0.6 7017 inetd "level s4 is not within the clearance bound s0-s3:c0.c1023\$"
inetd_refused "peersec-inetd: max_range s0-s3:c0.c9 refuses a peer at s1:c20" \
	tcp 127.0.0.8 7018 inetd "level s1:c20 is not within the clearance bound s0-s3:c0.c9\$"

# The table: contexts without their lab_mls_u:system_r: prefix.
row() {
	_lab_tap "$(printf '#   %-7s %-18s %-20s %s' "$1" "$2" "${3#lab_mls_u:system_r:}" "${4#lab_mls_u:system_r:}")"
}
_lab_tap "# side by side, both launchers at $INETD_CTX:"
row peer "xinetd, base name" "xinetd, NAMEINARGS" "peersec-inetd"
row s2:c1 "$s2" "$x2" "${p2:-(none)}"
row s4 "$s4" "$x4" "$(inetd_said 127.0.0.6)"
row s1:c20 "$s1" "$x1" "$(inetd_said 127.0.0.8)"

if grep '^pid=' "$INETD_RAN" | grep -q 'context=[^ ]*:s4 \|:c20 '; then
	fail "peersec-inetd: no server ran outside its bound" "$(cat "$INETD_RAN")"
else
	ok "peersec-inetd: no server ran outside its bound"
fi
xwant=3
[ "$LAB_WORLD" = refpolicy-mls ] && xwant=2
expect_eq "xinetd: one server per peer it accepted, all by lab-fullpath" \
	"$xwant" "$(grep -c '^pid=' "$XRAN")"

# ---- the end: every server gone, then both launchers ----
inetd_until 60 inetd_idle "$XPID" ||
	fail "xinetd: no server left" "$(inetd_children "$XPID")"
inetd_until 60 inetd_idle "$INETD_PID" ||
	fail "peersec-inetd: no server left" "$(inetd_children "$INETD_PID")"
kill "$XPID"
lab_wait xinetd
rc=$?
expect_eq "xinetd stops on SIGTERM, with no process left" \
	"status 0, pids none" "status $rc, pids $(pidof xinetd peersec-whoami || echo none)"
inetd_stop inetd
sed 's/^/  | xinetd: /' "$LAB_TMP/xinetd.log" "$LAB_TMP/xinetd-svc.log"
sed 's/^/  | inetd: /' "$LAB_TMP/inetd.out"
