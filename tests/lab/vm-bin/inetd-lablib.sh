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

# inetd_now: whole seconds since boot.
inetd_now() { cut -d. -f1 /proc/uptime; }

# inetd_until SECONDS CMD...: run CMD every 0.1 s until it succeeds; 1 when
# SECONDS (at this run's time scale, lab_bound) passed first.  The bound is
# there to catch a hang, not to time the machine: give one several times
# what a slow run takes.
inetd_until() {
	local end

	end=$(( $(inetd_now) + $(lab_bound "$1") ))
	shift
	until "$@"; do
		[ "$(inetd_now)" -ge "$end" ] && return 1
		usleep 100000
	done
}

# _inetd_more FILE PATTERN N: FILE has more than N lines matching PATTERN.
_inetd_more() { [ "$(grep -c "$2" "$1" 2>/dev/null)" -gt "$3" ]; }

# inetd_idle PID: the launcher has no child left (none running, no zombie).
inetd_idle() { [ -z "$(inetd_children "$1")" ]; }

# inetd_status JOB SERVICE: ask the launcher for its status report
# (SIGUSR1), wait for it, and print the UDP service's figures:
# "read served refused dropped busy setup queue".
inetd_status() {
	local log=$LAB_TMP/$1.out n0 f

	n0=$(grep -c 'status: datagrams: ' "$log")
	kill -USR1 "$INETD_PID"
	inetd_until 60 _inetd_more "$log" 'status: datagrams: ' "$n0" ||
		return 1
	f=$(grep "status: $2/udp: " "$log" | tail -n 1 | sed -n 's/.*: \([0-9]*\) datagram(s) read, \([0-9]*\) served, \([0-9]*\) refused, \([0-9]*\) dropped (\([0-9]*\) busy peer address, \([0-9]*\) answering socket setup, \([0-9]*\) queue).*/\1 \2 \3 \4 \5 \6 \7/p')
	echo "${f:-0 0 0 0 0 0 0}"
}

# inetd_conserved NAME JOB SERVICE SENT: every datagram sent to SERVICE is
# accounted for: served + refused + dropped = SENT, by the launcher's own
# counts (its status report, asked until they add up or 120 s passed).
# Sets INETD_READ, INETD_SERVED, INETD_REFUSED, INETD_DROPPED, INETD_BUSY,
# INETD_SETUP, INETD_QUEUE.
inetd_conserved() {
	local name=$1 job=$2 svc=$3 sent=$4 end f

	end=$(( $(inetd_now) + $(lab_bound 120) ))
	while :; do
		f=$(inetd_status "$job" "$svc") || f="0 0 0 0 0 0 0"
		# shellcheck disable=SC2086
		set -- $f
		INETD_READ=$1 INETD_SERVED=$2 INETD_REFUSED=$3 INETD_DROPPED=$4
		INETD_BUSY=$5 INETD_SETUP=$6 INETD_QUEUE=$7
		[ $((INETD_SERVED + INETD_REFUSED + INETD_DROPPED)) -ge "$sent" ] &&
			break
		[ "$(inetd_now)" -ge "$end" ] && break
		usleep 200000
	done
	_lab_tap "# inetd: $svc/udp: sent $sent: read $INETD_READ, served $INETD_SERVED, refused $INETD_REFUSED, dropped $INETD_DROPPED (busy peer address $INETD_BUSY, answering socket setup $INETD_SETUP, queue $INETD_QUEUE)"
	expect_eq "$name" "$sent" $((INETD_SERVED + INETD_REFUSED + INETD_DROPPED))
}

# inetd_drop_lines JOB SERVICE: the datagrams the launcher's "dropped N
# datagram(s) for SERVICE/udp" lines add up to.
inetd_drop_lines() {
	sed -n "s/.*: dropped \([0-9]*\) datagram(s) for $2\/udp .*/\1/p" \
		"$LAB_TMP/$1.out" | awk '{ n += $1 } END { print n + 0 }'
}

# inetd_refusals JOB SERVICE/PROTO: the refusals the launcher reported for
# SERVICE: its "refused" lines, and the lines it held back and counted
# ("held back N refusal line(s) for SERVICE/PROTO").  Held-back lines are
# reported within a second, and before every status report.
inetd_refusals() {
	local log=$LAB_TMP/$1.out

	{
		grep -c "refused $2 peer " "$log"
		sed -n "s|.*: held back \([0-9]*\) refusal line(s) for $2 .*|\1|p" "$log"
	} | awk '{ n += $1 } END { print n + 0 }'
}

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
# stdout, serving 127.0.0.1:PORT with peersec-whoami as uid/gid 1000 (user,
# group, server and server_args given replace these).
inetd_service() {
	local name=$1 proto=$2 port=$3 keys=" "

	shift 3
	for a in "$@"; do
		keys="$keys${a%%=*} "
	done
	printf 'service %s\n{\n' "$name"
	printf '\tprotocol = %s\n\tport = %s\n\tbind = 127.0.0.1\n' "$proto" "$port"
	case $keys in *" user "*) ;; *) printf '\tuser = %s\n' $INETD_UID ;; esac
	case $keys in *" group "*) ;; *) printf '\tgroup = %s\n' $INETD_UID ;; esac
	case $keys in
	*" server "*) ;;
	*) printf '\tserver = %s/peersec-whoami\n' "$INETD_SVC" ;;
	esac
	case $keys in
	*" server_args "*) ;;
	*) printf '\tserver_args = --log %s\n' "$INETD_RAN" ;;
	esac
	for a in "$@"; do
		printf '\t%s = %s\n' "${a%%=*}" "${a#*=}"
	done
	printf '}\n'
}

# inetd_start JOB CONF [WRAPPER...]: start the launcher in the background
# (job JOB, its log in $LAB_TMP/JOB.out) and wait until it serves.
# INETD_PID is its pid afterwards.  INETD_ARGS: more options for it.
inetd_start() {
	local job=$1 conf=$2

	shift 2
	# shellcheck disable=SC2086
	LAB_TIMEOUT=110 lab_bg "$job" "$@" run_as "$INETD_CTX" \
		peersec-inetd -f "$conf" ${INETD_ARGS:-}
	if ! inetd_until 60 _inetd_started "$job" ||
	   ! grep -q 'running as' "$LAB_TMP/$job.out"; then
		fail "$job: the launcher starts" "$(cat "$LAB_TMP/$job.out")"
		return 1
	fi
	INETD_PID=$(inetd_pid "$conf")
	[ -n "$INETD_PID" ] || { fail "$job: the launcher's pid"; return 1; }
}

# _inetd_started JOB: the launcher serves, or has ended.
_inetd_started() {
	grep -q 'running as' "$LAB_TMP/$1.out" 2>/dev/null ||
		[ -f "$LAB_TMP/$1.rc" ]
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

# inetd_children PID: its children, one "pid state" per line (one cat and
# one awk for all of /proc; our processes' names have no blanks).  cat, not
# awk, opens the files: busybox awk stops at the first file it cannot
# open, so a process that ends meanwhile would hide the rest, and a
# launcher with children would look idle.
inetd_children() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v pp="$1" '$4 == pp { print $1, $3 }'
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
#
# Where the policy drops a peer's packets before the launcher reads them,
# the refusal is the kernel's: list the peer's source address in
# INETD_DROPS.  refpolicy MLS does this ("peer recv": the socket's clearance
# must dominate the peer's level) for unlabeled peers, whose label is the
# unlabeled context at s15:c0.c1023, and for peers above the launcher's
# clearance.  Then the client gets nothing, no server runs, and the
# launcher never hears of the peer (it logs nothing for it).
inetd_refused() {
	local name=$1 proto=$2 src=$3 port=$4 job=$5 why=$6 before after rc n0

	case " ${INETD_DROPS:-} " in
	*" $src "*) _inetd_dropped "$@"; return ;;
	esac
	before=$(wc -l <"$INETD_RAN")
	n0=$(grep -c "refused .* peer $src:" "$LAB_TMP/$job.out")
	inetd-client ask "$proto" "$src" 127.0.0.1 "$port" 2 >"$LAB_TMP/refused.out" 2>&1
	rc=$?
	# the launcher's refusal, the event a server would have come before
	inetd_until 60 _inetd_more "$LAB_TMP/$job.out" "refused .* peer $src:" "$n0"
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

# _inetd_denials SRC PORT: how many "peer recv" denials the kernel logged for
# packets from SRC to PORT.
_inetd_denials() {
	dmesg | grep -c "denied  { recv } .*saddr=$1 .*dest=$2 "
}

# inetd_dropped_ask PROTO SRC PORT OUT: one client whose packets the kernel
# drops; its status (non-zero: it got nothing).  Nothing comes back, not
# even a reset, so the client would wait for the kernel's retries: it is
# stopped once the kernel has logged a new denial for it, or after
# lab_bound 3 seconds without one (the log is rate-limited).
inetd_dropped_ask() {
	local d0 pid end

	d0=$(_inetd_denials "$2" "$3")
	inetd-client ask "$1" "$2" 127.0.0.1 "$3" 2 >"$4" 2>&1 &
	pid=$!
	end=$(( $(inetd_now) + $(lab_bound 3) ))
	while kill -0 "$pid" 2>/dev/null &&
	      [ "$(_inetd_denials "$2" "$3")" -le "$d0" ] &&
	      [ "$(inetd_now)" -lt "$end" ]; do
		usleep 100000
	done
	kill "$pid" 2>/dev/null
	wait "$pid"
}

# _inetd_dropped NAME PROTO SRC PORT LOGJOB REASON: inetd_refused for a peer
# the kernel drops (INETD_DROPS).
_inetd_dropped() {
	local name=$1 proto=$2 src=$3 port=$4 job=$5 before after rc n0 n1

	before=$(wc -l <"$INETD_RAN")
	n0=$(grep -c "peer $src:" "$LAB_TMP/$job.out")
	inetd_dropped_ask "$proto" "$src" "$port" "$LAB_TMP/refused.out"
	rc=$?
	after=$(wc -l <"$INETD_RAN")
	n1=$(grep -c "peer $src:" "$LAB_TMP/$job.out")
	_lab_tap "# inetd: $proto client $src -> dropped by the kernel (client status $rc): $(dmesg | grep 'denied  { recv }' | grep "saddr=$src " | tail -n 1 | sed 's/.*avc: *//')"
	if [ "$rc" -ne 0 ] && [ "$before" = "$after" ] && [ "$n0" = "$n1" ]; then
		ok "$name (dropped by the kernel: peer recv)"
	else
		fail "$name (dropped by the kernel: peer recv)" \
			"client status $rc (want non-zero), servers run before/after: $before/$after, launcher lines for the peer before/after: $n0/$n1" \
			"launcher log:" "$(tail -n 5 "$LAB_TMP/$job.out")"
	fi
}
