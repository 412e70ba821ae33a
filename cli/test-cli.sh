#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Host tests of peersec(1) on real sockets (meson suite 'cli').  This
# machine's kernel labels nothing, so every peer is "none" here; the labeled
# paths run in the lab VM (tests/lab/scenarios/88-peersec-tool.sh).  Checks
# the output forms, every exit code, and get's refusals.
#   test-cli.sh PEERSEC TEST-NOSYS
set -uo pipefail
tool=$1 nosys=$2
# Bounds catch hangs, not slowness: every wait for an event, and every run
# of the tool, may take up to WAIT seconds (a busy or sanitized run is slow).
WAIT=${PEERSEC_TEST_WAIT:-60}
tmp=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$tmp"' EXIT
n=0 bad=0

check() {	# check NAME EXPECTED ACTUAL
	n=$((n + 1))
	if [[ $2 == "$3" ]]; then
		echo "ok $n - $1"
	else
		bad=$((bad + 1))
		echo "not ok $n - $1"
		printf '# expected: %s\n#      got: %s\n' "$2" "$3"
	fi
}

# run WANT-STATUS NAME ARGS...: the tool's stdout in $out, stderr in $err
run() {
	local want=$1 name=$2 rc

	shift 2
	timeout "$WAIT" "$tool" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out") err=$(cat "$tmp/err")
	check "$name: exit $want" "$want" "$rc"
	[[ $rc -eq $want ]] || sed 's/^/# /' "$tmp/err"
}

# bg NAME ARGS...: the tool in the background; waits until it listens
bg() {
	local name=$1 i

	shift
	rm -f "$tmp/$name.out" "$tmp/$name.err"
	"$tool" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	pids+=($!)
	eval "${name}_pid=$!"
	for ((i = 0; i < WAIT * 50; i++)); do
		grep -qs '^peersec: listening on' "$tmp/$name.err" && return 0
		sleep 0.02
	done
	echo "# $name did not listen: $(cat "$tmp/$name.err")"
	return 1
}

port=$((20000 + RANDOM % 20000))

# usage
run 2 "no subcommand"
run 2 "unknown protocol" listen ftp :1
run 2 "connect udp is refused" connect udp 127.0.0.1:1
check "connect udp says why" 1 "$(grep -c 'receiver' <<<"$err")"
run 2 "bad address" connect tcp 127.0.0.1
run 2 "get without --fd" get --pid 1
run 2 "--type for tcp" listen tcp :1 --type dgram
run 2 "bad count" listen tcp :1 -n 0
run 0 "--help" --help
check "--help names the exit codes" 1 "$(grep -c '^Exit status' <<<"$out")"
run 0 "--version" --version

# TCP, unlabeled: listen reports "none" (exit 0), connect exits 1
bg l listen tcp "127.0.0.1:$port" -n 2 || bad=$((bad + 1))
run 1 "connect tcp, no label" connect tcp "127.0.0.1:$port"
check "connect tcp: text" "tcp 127.0.0.1:$port none" "$out"
run 1 "connect tcp --json" --json connect tcp "127.0.0.1:$port"
check "connect tcp: JSON" \
	"{\"proto\":\"tcp\",\"address\":\"127.0.0.1:$port\",\"label\":null,\"translated\":null,\"error\":null}" \
	"$out"
wait "$l_pid"
check "listen tcp -n 2: exit 0" 0 $?
check "listen tcp: a line per peer" 2 "$(grep -c '^tcp 127\.0\.0\.1:[0-9]* none$' "$tmp/l.out")"

# IPv6, dual stack
port=$((port + 1))
bg l listen tcp ":$port" -n 2 || bad=$((bad + 1))
run 1 "connect tcp6" connect tcp "[::1]:$port"
check "connect tcp6: text" "tcp [::1]:$port none" "$out"
run 1 "connect tcp4 to a dual-stack listener" connect tcp "127.0.0.1:$port"
wait "$l_pid"
check "listen dual stack: v4 peer shown as v4" 1 "$(grep -c '^tcp 127\.0\.0\.1:' "$tmp/l.out")"
check "listen dual stack: v6 peer" 1 "$(grep -c '^tcp \[::1\]:' "$tmp/l.out")"

# UDP: one line per datagram, with its size
port=$((port + 1))
bg u --json listen udp "127.0.0.1:$port" -n 2 || bad=$((bad + 1))
printf 'abc' >"/dev/udp/127.0.0.1/$port"
printf 'defgh' >"/dev/udp/127.0.0.1/$port"
wait "$u_pid"
check "listen udp -n 2: exit 0" 0 $?
check "listen udp: JSON lines with sizes" "3 5" \
	"$(sed -n 's/.*"bytes":\([0-9]*\),"label":null,.*/\1/p' "$tmp/u.out" | tr '\n' ' ' | sed 's/ $//')"

# AF_UNIX stream, with the peer's pid; datagrams through logger
bg s listen unix "$tmp/s.sock" -n 1 || bad=$((bad + 1))
run 1 "connect unix" connect unix "$tmp/s.sock"
check "connect unix: text" "unix $tmp/s.sock none" "$out"
wait "$s_pid"
check "listen unix: pid and none" 1 "$(grep -c '^unix unnamed pid=[0-9]* none$' "$tmp/s.out")"
check "listen unix: the socket file is removed" no "$([[ -e $tmp/s.sock ]] && echo yes || echo no)"
bg d listen unix "$tmp/d.sock" --type dgram -n 1 || bad=$((bad + 1))
logger -u "$tmp/d.sock" -d hello
wait "$d_pid"
check "listen unix dgram: exit 0" 0 $?
check "listen unix dgram: a line" 1 "$(grep -c '^unix-dgram unnamed bytes=[0-9]* none$' "$tmp/d.out")"

# connect failures
run 3 "connect to a closed port" connect tcp "127.0.0.1:1"
run 3 "connect to a missing AF_UNIX socket" connect unix "$tmp/none.sock"

# get: a held connection, its refusals
port=$((port + 1))
bg l listen tcp "127.0.0.1:$port" -n 1 || bad=$((bad + 1))
exec {hold}<>"/dev/tcp/127.0.0.1/$port"
wait "$l_pid"
sleep infinity <&"$hold" &
holder=$!
pids+=("$holder")
exec {hold}<&-
for ((i = 0; i < WAIT * 50; i++)); do	# until the child has its stdin
	[[ $(readlink "/proc/$holder/fd/0") == socket:* ]] && break
	sleep 0.02
done
run 1 "get: the held connection, no label" get --pid "$holder" --fd 0
check "get: text" "tcp 127.0.0.1:$port pid=$holder fd=0 none" "$out"
run 1 "get --json" --json get --pid "$holder" --fd 0
check "get --json: pid and fd" 1 "$(grep -c "\"pid\":$holder,\"fd\":0,\"label\":null" <<<"$out")"
run 3 "get: not a socket" get --pid "$$" --fd 255
check "get: says it is not a socket" 1 "$(grep -c 'not a socket' <<<"$err")"
port=$((port + 1))
bg l listen tcp "127.0.0.1:$port" -n 1 || bad=$((bad + 1))
run 3 "get: a listening socket" get --pid "$l_pid" --fd 3
check "get: says it is listening" 1 "$(grep -c "listening socket" <<<"$err")"
"$tool" connect tcp "127.0.0.1:$port" >/dev/null
wait "$l_pid"
run 3 "get: no such descriptor" get --pid "$holder" --fd 999
run 3 "get: no such process" get --pid 999999 --fd 0
if [[ $(id -u) -eq 0 ]] && command -v setpriv >/dev/null; then
	n=$((n + 1))
	setpriv --reuid 65534 --regid 65534 --clear-groups --inh-caps=-all \
		"$tool" get --pid "$holder" --fd 0 >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [[ $rc -eq 5 ]] && grep -q 'ptrace' "$tmp/err"; then
		echo "ok $n - get without ptrace rights: exit 5, says why"
	else
		bad=$((bad + 1))
		echo "not ok $n - get without ptrace rights: exit 5, says why"
		echo "# exit $rc: $(cat "$tmp/err")"
	fi
elif [[ ${CI:-} == true ]]; then
	n=$((n + 1)) bad=$((bad + 1))
	echo "not ok $n - get without ptrace rights: needs root and setpriv (CI=true)"
else
	n=$((n + 1))
	echo "ok $n - get without ptrace rights # SKIP needs root and setpriv"
fi

# get on a kernel without pidfd_open (Linux < 5.3) or pidfd_getfd (< 5.6):
# a seccomp filter makes the call fail with ENOSYS.  Exit 5, a message
# naming the kernel needed, nothing on stdout.
for call in pidfd_open:5.3 pidfd_getfd:5.6; do
	sys=${call%:*} version=${call#*:}
	timeout "$WAIT" "$nosys" "$sys" "$tool" get --pid "$holder" --fd 0 \
		>"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out") err=$(cat "$tmp/err")
	if [[ $rc -eq 77 && ${CI:-} != true ]]; then
		n=$((n + 1))
		echo "ok $n - get without $sys # SKIP $err"
		continue
	fi
	check "get without $sys: exit 5" 5 "$rc"
	check "get without $sys: says which kernel it needs" \
		"peersec: this kernel has no $sys (Linux $version or later needed)" "$err"
	check "get without $sys: nothing on stdout" "" "$out"
done
echo "1..$n"
[[ $bad -eq 0 ]]
