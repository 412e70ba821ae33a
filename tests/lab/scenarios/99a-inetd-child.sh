# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=dash disable=SC2034,SC2154
# peersec-inetd: what a server gets of the launcher, and which file runs.
#
# The launcher starts with SIGUSR2 and SIGQUIT ignored (and a background
# job's SIGINT), LAB_PASSED and LAB_SECRET in its environment.  Its servers
# (peersec-whoami --proc) report their session, umask, nice value, limits,
# groups, capability sets, securebits, signal mask and dispositions, where
# their stderr goes and their LAB_* environment: a session of their own,
# every disposition the default and nothing blocked, no capability in any
# set (uid 0 included) with the securebits locked, the configured umask,
# nice, rlimit_*, groups, env and passenv (nothing else of the launcher's
# environment), stderr the connection (TCP), /dev/null (UDP) or the
# launcher's log (stderr = log).
#
# Exec integrity: the launcher opens each server once, at start or reload,
# and runs that file.  Another file renamed over the path changes nothing
# until a reload (after it, the new file runs).  A server writable by its
# group is refused unless allow_writable, one owned by another user is
# refused.
#
# And: a launcher that cannot read its own context (no /proc) while SELinux
# is on does not start.
LAB_SOURCE="NetLabel static"
LAB_TRANSPORT=tcp
# shellcheck source=tests/lab/vm-bin/inetd-lablib.sh
. /lab/bin/inetd-lablib.sh
inetd_prepare || return 0

G=system_u:system_r:peer_t:s0:c3
lab_netlabel "$G" 127.0.0.2 || return 0

PROC="--log $INETD_RAN --proc"
# Under ASan the server reserves terabytes of address space for its
# shadow (no rlimit_as then), and catches SIGSEGV, SIGBUS and SIGFPE itself.
AS=512M AS_GOT=536870912:536870912
NOSIG="SigBlk=0000000000000000 SigIgn=0000000000000000 SigCgt=0000000000000000"
if [ -n "${LAB_SANITIZED:-}" ]; then
	AS=unlimited AS_GOT=-1:-1
	NOSIG="SigBlk=0000000000000000 SigIgn=0000000000000000"
fi
conf=$LAB_TMP/child.conf
{
	inetd_service proc-tcp tcp 7501 "server_args=$PROC" umask=027 nice=5 \
		rlimit_cpu=30 rlimit_as=$AS rlimit_nofile=64 rlimit_nproc=50 \
		"groups=5 7" "env=LAB_ONE=1 LAB_TWO=two" passenv=LAB_PASSED
	inetd_service proc-udp udp 7502 "server_args=$PROC"
	inetd_service root-tcp tcp 7503 "server_args=$PROC" user=0 group=0
	inetd_service log-tcp tcp 7504 "server_args=$PROC" stderr=log
} >"$conf"
expect_run "the configuration checks" peersec-inetd -t -f "$conf"
# shellcheck disable=SC2016
inetd_start child "$conf" env LAB_PASSED=yes LAB_SECRET=no \
	sh -c 'trap "" USR2 QUIT; exec "$@"' sh || return 0
_lab_tap "# child: the launcher's own: $(grep '^Sig\|^CapBnd' "/proc/$INETD_PID/status" | tr '\n\t' '  ')"

# ask PROTO PORT: the server's line, in $LAB_TMP/ask.out
ask() {
	inetd-client ask "$1" 127.0.0.2 127.0.0.1 "$2" 10 >"$LAB_TMP/ask.out" 2>&1
	_lab_tap "# child: $1/$2: $(cat "$LAB_TMP/ask.out")"
}
# has NAME FIELD...: each FIELD is a word of the server's line
has() {
	local name=$1 f missing=

	shift
	for f in "$@"; do
		grep -q "^context=.* $f\( \|\$\)" "$LAB_TMP/ask.out" ||
			missing="$missing $f"
	done
	if [ -z "$missing" ]; then
		ok "$name"
	else
		fail "$name" "missing:$missing" "got: $(cat "$LAB_TMP/ask.out")"
	fi
}
NOCAPS="CapInh=0000000000000000 CapPrm=0000000000000000 CapEff=0000000000000000 CapBnd=0000000000000000 CapAmb=0000000000000000 secbits=0xeb"

ask tcp 7501
has "tcp: the server runs for the peer, as uid 1000" "uid=1000" "gid=1000" "fds=3"
has "tcp: a session of its own" "sid=self"
has "tcp: every signal disposition the default, nothing blocked" $NOSIG
has "tcp: no capability in any set; securebits locked" $NOCAPS
has "tcp: umask, nice and limits as configured" "Umask=0027" "nice=5" \
	"cpu=30:30" "as=$AS_GOT" "nofile=64:64" "nproc=50:50"
has "tcp: the group and the supplementary groups (the kernel sorts them)" "groups=5,7,1000"
has "tcp: stderr is the connection" "stderr=conn"
has "tcp: env and passenv" "env:LAB_ONE=1" "env:LAB_TWO=two" "env:LAB_PASSED=yes"
if grep -q 'LAB_SECRET' "$LAB_TMP/ask.out"; then
	fail "tcp: nothing else of the launcher's environment" "$(cat "$LAB_TMP/ask.out")"
else
	ok "tcp: nothing else of the launcher's environment"
fi

LAB_TRANSPORT=udp
ask udp 7502
has "udp: a session of its own, default signals, no capability" "sid=self" $NOSIG $NOCAPS
has "udp: stderr is /dev/null; umask 022 by default" "stderr=null" "Umask=0022"
LAB_TRANSPORT=tcp

ask tcp 7503
has "user = 0: uid 0 without any capability" "uid=0" $NOCAPS "sid=self" $NOSIG

ask tcp 7504
if grep -q "^context=.* stderr=/" "$LAB_TMP/ask.out"; then
	ok "stderr = log: the launcher's own stderr"
else
	fail "stderr = log: the launcher's own stderr" "$(cat "$LAB_TMP/ask.out")"
fi
inetd_stop child

# ---- exec integrity ----
cp /lab/bin/peersec-whoami "$INETD_SVC/swap" && chmod 0755 "$INETD_SVC/swap" &&
cp /lab/bin/peersec-whoami "$INETD_SVC/gw" && chmod 0775 "$INETD_SVC/gw" &&
cp /lab/bin/peersec-whoami "$INETD_SVC/owned" && chmod 0755 "$INETD_SVC/owned" &&
chown 1001 "$INETD_SVC/owned" || { fail "server copies on the tmpfs"; return 0; }
conf=$LAB_TMP/exec.conf
{
	inetd_service swap-tcp tcp 7511 server="$INETD_SVC/swap"
	inetd_service gw-tcp tcp 7512 server="$INETD_SVC/gw"
	inetd_service gwok-tcp tcp 7513 server="$INETD_SVC/gw" allow_writable=yes
	inetd_service owned-tcp tcp 7514 server="$INETD_SVC/owned"
} >"$conf"
peersec-inetd -t -f "$conf" >"$LAB_TMP/t.out" 2>&1
if grep -q "service gw-tcp (line [0-9]*): server $INETD_SVC/gw: writable by group or others" "$LAB_TMP/t.out" &&
   grep -q "service owned-tcp (line [0-9]*): server $INETD_SVC/owned: owned by neither root" "$LAB_TMP/t.out" &&
   ! grep -q 'gwok-tcp\|swap-tcp' "$LAB_TMP/t.out"; then
	ok "-t: a group-writable server and one of another owner are named"
else
	fail "-t: a group-writable server and one of another owner are named" "$(cat "$LAB_TMP/t.out")"
fi
inetd_start exec "$conf" || return 0
inetd_ask "swap: before, the server answers" tcp 127.0.0.2 7511 "$SERVICE:s0:c3" "$G"
# another program renamed over the server's path
cp /bin/busybox "$INETD_SVC/swap.new" && chmod 0755 "$INETD_SVC/swap.new" &&
	mv "$INETD_SVC/swap.new" "$INETD_SVC/swap" || fail "swap: rename over the server"
inetd_ask "swap: renamed over, the file opened at start still runs" \
	tcp 127.0.0.2 7511 "$SERVICE:s0:c3" "$G"
h0=$(grep -c 'reloaded \|reload refused' "$LAB_TMP/exec.out")
kill -HUP "$INETD_PID"
inetd_until 60 _inetd_more "$LAB_TMP/exec.out" 'reloaded \|reload refused' "$h0"
inetd-client ask tcp 127.0.0.2 127.0.0.1 7511 10 >"$LAB_TMP/swap.out" 2>&1
_lab_tap "# exec: after the reload: $(cat "$LAB_TMP/swap.out")"
if grep -q 'applet not found' "$LAB_TMP/swap.out" && ! grep -q '^context=' "$LAB_TMP/swap.out"; then
	ok "swap: after a reload the new file runs (busybox, its error on the connection)"
else
	fail "swap: after a reload the new file runs (busybox, its error on the connection)" \
		"$(cat "$LAB_TMP/swap.out")"
fi
inetd_refused "a group-writable server is refused" tcp 127.0.0.2 7512 exec \
	"writable by group or others (mode 0775; allow_writable = yes runs it)"
inetd_ask "allow_writable = yes: the same file runs" tcp 127.0.0.2 7513 "$SERVICE:s0:c3" "$G"
inetd_refused "a server owned by another user is refused" tcp 127.0.0.2 7514 exec \
	"owned by uid 1001, not root or the service's user"
inetd_stop exec
sed 's/^/  | /' "$LAB_TMP/child.out" "$LAB_TMP/exec.out"

# ---- no own context, SELinux on: no start ----
# A mount namespace whose /proc is an empty tmpfs: getcon fails, selinuxfs
# still says SELinux is on.
LAB_TIMEOUT=60 lab_bg noproc unshare -m sh -c \
	"mount -t tmpfs none /proc && exec peersec-inetd -f $conf"
lab_wait noproc
rc=$?
if [ $rc -eq 1 ] &&
   grep -q 'own context unknown (.*), SELinux on: stopping' "$LAB_TMP/noproc.out" &&
   ! grep -q 'running as' "$LAB_TMP/noproc.out"; then
	ok "no own context while SELinux is on: the launcher does not start"
else
	fail "no own context while SELinux is on: the launcher does not start" \
		"exit $rc" "$(cat "$LAB_TMP/noproc.out")"
fi
