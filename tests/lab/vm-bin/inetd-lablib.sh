# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=dash disable=SC2034,SC2154
#
# Helpers for the peersec-inetd scenarios (tests/lab/scenarios/9[5-7]-inetd-*),
# sourced after lablib.sh:  . /lab/bin/inetd-lablib.sh
#
# The launcher runs as $INETD_CTX; its servers are copies of peersec-whoami
# on a tmpfs mounted with context=...service_exec_t (launcher.cil), so that
# launcher_t executing them becomes service_t.  Each server appends a line
# to $INETD_RAN: the record of what ran.

INETD_CTX=system_u:system_r:launcher_t:s0-s0:c0.c1023
INETD_SVC=/lab/svc
INETD_EXEC_CTX=system_u:object_r:service_exec_t:s0
INETD_RAN=$LAB_TMP/ran/ran.log
INETD_UID=1000
SERVICE=system_u:system_r:service_t

inetd_prepare() {
	"$IP" link set lo up
	if ! grep -q " $INETD_SVC " /proc/mounts; then
		if ! { mkdir -p "$INETD_SVC" &&
		       mount -t tmpfs -o "context=$INETD_EXEC_CTX" tmpfs "$INETD_SVC" &&
		       cp /lab/bin/peersec-whoami "$INETD_SVC/" &&
		       chmod 0755 "$INETD_SVC/peersec-whoami"; }; then
			fail "servers on a service_exec_t tmpfs" \
				"mount or copy failed"
			return 1
		fi
	fi
	mkdir -p "$LAB_TMP/ran" && chmod 1777 "$LAB_TMP/ran"
	: >"$INETD_RAN" && chmod 0666 "$INETD_RAN"
}

# inetd_service NAME PROTO PORT [ATTRIBUTE=VALUE...]: one service block on
# stdout, serving 127.0.0.1:PORT with peersec-whoami as uid/gid 1000.
inetd_service() {
	local name=$1 proto=$2 port=$3

	shift 3
	printf 'service %s\n{\n' "$name"
	printf '\tprotocol = %s\n\tport = %s\n\tbind = 127.0.0.1\n' "$proto" "$port"
	printf '\tuser = %s\n\tgroup = %s\n' $INETD_UID $INETD_UID
	printf '\tserver = %s/peersec-whoami\n' "$INETD_SVC"
	printf '\tserver_args = --log %s\n' "$INETD_RAN"
	for a in "$@"; do
		printf '\t%s = %s\n' "${a%%=*}" "${a#*=}"
	done
	printf '}\n'
}

# inetd_start JOB CONF [WRAPPER...]: start the launcher in the background
# (job JOB, its log in $LAB_TMP/JOB.out) and wait until it serves.
# INETD_PID is its pid afterwards.
inetd_start() {
	local job=$1 conf=$2 i=0

	shift 2
	LAB_TIMEOUT=110 lab_bg "$job" "$@" run_as "$INETD_CTX" \
		peersec-inetd -f "$conf"
	while ! grep -q 'running as' "$LAB_TMP/$job.out" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 100 ] || [ -f "$LAB_TMP/$job.rc" ]; then
			fail "$job: the launcher starts" "$(cat "$LAB_TMP/$job.out")"
			return 1
		fi
		sleep 0.1
	done
	INETD_PID=$(inetd_pid "$conf")
	[ -n "$INETD_PID" ] || { fail "$job: the launcher's pid"; return 1; }
}

# inetd_pid CONF: the pid of the launcher (one runs at a time; busybox's
# pidof forks nothing, which counts in the emulated VM).
inetd_pid() {
	local p

	p=$(pidof peersec-inetd)
	case $p in
	*' '*) echo "inetd_pid: more than one launcher: $p" >&2; return 1 ;;
	esac
	[ -n "$p" ] && echo "$p"
}

# inetd_stop JOB: SIGTERM the launcher, wait for it.
inetd_stop() {
	[ -n "${INETD_PID:-}" ] && kill "$INETD_PID" 2>/dev/null
	lab_wait "$1"
	INETD_PID=
}

# inetd_children PID: its children, one "pid state" per line (one awk for
# all of /proc; our processes' names have no blanks).
inetd_children() {
	awk -v pp="$1" '$4 == pp { print $1, $3 }' /proc/[0-9]*/stat 2>/dev/null
}

# inetd_fds PID: how many descriptors it holds.
# shellcheck disable=SC2012
inetd_fds() { ls "/proc/$1/fd" | wc -l; }

# inetd_ask NAME PROTO SRC PORT EXPECTED_CONTEXT LABEL: one client; ok when
# the server it got reports exactly EXPECTED_CONTEXT, the label the
# launcher read, uid/gid 1000 and only descriptors 0, 1 and 2.
inetd_ask() {
	local name=$1 proto=$2 src=$3 port=$4 want=$5 label=$6 out got

	out=$(inetd-client ask "$proto" "$src" 127.0.0.1 "$port" 10 2>&1)
	got=$(echo "$out" | sed -n 's/^context=\([^ ]*\) .*/\1/p')
	_lab_tap "# inetd: $proto client $src label $label -> server context ${got:-(none)}"
	echo "$out" | grep -q " label=$label peer=$src:" &&
	echo "$out" | grep -q " uid=$INETD_UID gid=$INETD_UID fds=3" &&
	[ "$got" = "$want" ] && { ok "$name"; return 0; }
	fail "$name" "expected context $want, label $label, uid/gid $INETD_UID, fds=3" \
		"got: $out"
}

# inetd_refused NAME PROTO SRC PORT LOGJOB REASON: the client gets nothing,
# no server ran, and the launcher logged the refusal with the peer's
# address and REASON.
inetd_refused() {
	local name=$1 proto=$2 src=$3 port=$4 job=$5 why=$6 before after rc

	before=$(wc -l <"$INETD_RAN")
	inetd-client ask "$proto" "$src" 127.0.0.1 "$port" 2 >"$LAB_TMP/refused.out" 2>&1
	rc=$?
	sleep 0.2
	after=$(wc -l <"$INETD_RAN")
	_lab_tap "# inetd: $proto client $src -> refused (client status $rc): $(grep "peer $src:" "$LAB_TMP/$job.out" | tail -n 1 | sed 's/.*refused //')"
	if [ "$rc" -ne 0 ] && [ "$before" = "$after" ] &&
	   grep "refused .* peer $src:" "$LAB_TMP/$job.out" | grep -q "$why"; then
		ok "$name"
	else
		fail "$name" "client status $rc (want non-zero), servers run before/after: $before/$after" \
			"launcher log:" "$(tail -n 5 "$LAB_TMP/$job.out")"
	fi
}
