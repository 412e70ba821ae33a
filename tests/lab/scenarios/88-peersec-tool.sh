# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=dash disable=SC2034,SC2154
# peersec(1), the administrator's tool, on labeled traffic: listen and
# connect over TCP (IPv4, IPv6), UDP, SCTP and AF_UNIX (stream, datagram),
# get on a connection another process holds, text and JSON, the exit codes,
# an unlabeled peer, and a label past the library's bound failing closed.
# Then the Python module peersec (python/lab-peersec.py) reads the same
# labels through the binding's C code.  NetLabel static labels by address;
# AF_UNIX peers carry their process's context.
LAB_SOURCE="NetLabel static"

A4b=10.0.0.3
from_a=system_u:system_r:peer_t:s0:c6
from_a2=system_u:system_r:client_t:s0:c7
from_b=system_u:system_r:server_t:s0:c8
lab_topology &&
in_a "$IP" addr add $A4b/24 dev va &&
lab_netlabel "$from_a" "$A4" "$A6" &&
lab_netlabel "$from_a2" "$A4b" &&
lab_netlabel "$from_b" "$B4" "$B6" || return 0

# tool_out FILE: the tool's report lines (jobs mix in its stderr messages).
tool_out() { grep -v '^peersec: ' "$1"; }

# listening JOB: wait until a 'peersec listen' job has bound its address.
listening() {
	lab_wait_line "$1" '^peersec: listening on ' && return 0
	fail "$1: peersec listens" "$(cat "$LAB_TMP/$1.out")"
	return 1
}

# show FILE CMDLINE: a transcript in the TAP log, as comments: "$ CMDLINE"
# (without its in_a, in_b or run_as CTX prefix), then FILE's lines indented.
show() {
	_lab_tap "# \$ $(printf '%s\n' "$2" |
		sed -e 's/^in_[ab] //' -e 's/^run_as [^ ]* //')"
	sed 's/^/#   /' "$1" >>"$LAB_TAP"
}

# show_job JOB: show a finished background job.
show_job() { show "$LAB_TMP/$1.out" "$(cat "$LAB_TMP/$1.cmd")"; }

# expect_status NAME STATUS CMD...: like expect_run, ok when CMD exits with
# STATUS; its output in $LAB_TMP/last.out, the serial log and the transcript.
expect_status() {
	local name=$1 want=$2 rc

	shift 2
	timeout "$(lab_bound "$LAB_TIMEOUT")" "$@" >"$LAB_TMP/last.out" 2>&1
	rc=$?
	_lab_keep "$LAB_TMP/last.out"
	show "$LAB_TMP/last.out" "$*"
	if [ "$rc" -eq "$want" ]; then
		ok "$name"
	else
		fail "$name" "command: $*" "exit status $rc, expected $want"
	fi
	sed 's/^/  | /' "$LAB_TMP/last.out"
}

# peers FILE: "PROTO HOST LABEL" per report line, the port dropped (the
# label is the last field: datagram lines have bytes=N before it).
peers() {
	tool_out "$1" | awk '{ sub(/:[0-9]+$/, "", $2); print $1, $2, $NF }'
}

# json_field FILE NAME: a string field of the tool's JSON line.
json_field() { tool_out "$1" | sed -n "s/.*\"$2\":\"\\([^\"]*\\)\".*/\\1/p"; }

# --------------------------------------------------------------- TCP
LAB_TRANSPORT=tcp4
lab_bg srv in_b peersec listen tcp "$B4:4880" -n 1
listening srv
expect_status "connect tcp: exit 0 for a labeled server" 0 \
	in_a peersec connect tcp "$B4:4880"
expect_eq "connect tcp: b's address and label" "tcp $B4:4880 $from_b" \
	"$(tool_out "$LAB_TMP/last.out")"
expect_job "listen tcp -n 1: exit 0 after one labeled peer" srv
show_job srv
expect_eq "listen tcp: a's address and label" "tcp $A4 $from_a" \
	"$(peers "$LAB_TMP/srv.out")"

LAB_TRANSPORT=tcp6
lab_bg srv in_b peersec --json listen tcp "[$B6]:4881" -n 1
listening srv
expect_status "connect tcp6 --json: exit 0" 0 \
	in_a peersec --json connect tcp "[$B6]:4881"
expect_eq "connect tcp6 --json: one JSON object, translated = raw without mcstrans" \
	"{\"proto\":\"tcp\",\"address\":\"[$B6]:4881\",\"label\":\"$from_b\",\"translated\":\"$from_b\",\"error\":null}" \
	"$(tool_out "$LAB_TMP/last.out")"
expect_job "listen tcp6 --json: exit 0" srv
show_job srv
expect_eq "listen tcp6 --json: a's label" "$from_a" "$(json_field "$LAB_TMP/srv.out" label)"

# Loopback in the root namespace carries no label here.
LAB_TRANSPORT=tcp4-unlabeled
lab_bg srv peersec listen tcp 127.0.0.1:4882 -n 1
listening srv
expect_status "connect tcp, unlabeled server: exit 1" 1 \
	peersec connect tcp 127.0.0.1:4882
expect_eq "connect tcp, unlabeled: 'none'" "tcp 127.0.0.1:4882 none" \
	"$(tool_out "$LAB_TMP/last.out")"
expect_job "listen tcp, unlabeled peer: exit 0 (none is an answer)" srv
show_job srv
expect_eq "listen tcp, unlabeled: 'none'" "tcp 127.0.0.1 none" "$(peers "$LAB_TMP/srv.out")"

# --------------------------------------------------------------- UDP
# Four datagrams from two addresses of a, to a dual-stack socket.
LAB_TRANSPORT=udp4
lab_bg srv in_b peersec listen udp ":4883" -n 4
listening srv
expect_run "udp: 4 datagrams from $A4 and $A4b" \
	in_a inetd-abuse udp "$A4,$A4b" "$B4" 4883 4
expect_job "listen udp -n 4: exit 0 after four datagrams" srv
show_job srv
expect_eq "listen udp: one line per datagram, each its address's label" \
	"$(printf 'udp %s %s\n' "$A4" "$from_a" "$A4" "$from_a" "$A4b" "$from_a2" "$A4b" "$from_a2")" \
	"$(peers "$LAB_TMP/srv.out" | sort)"

# --------------------------------------------------------------- SCTP
LAB_TRANSPORT=sctp4
lab_bg srv in_b peersec listen sctp "$B4:4884" -n 1
listening srv
expect_status "connect sctp: exit 0" 0 in_a peersec connect sctp "$B4:4884"
expect_eq "connect sctp: b's label (the association's)" "sctp $B4:4884 $from_b" \
	"$(tool_out "$LAB_TMP/last.out")"
expect_job "listen sctp: exit 0" srv
show_job srv
expect_eq "listen sctp: a's label" "sctp $A4 $from_a" "$(peers "$LAB_TMP/srv.out")"

# -------------------------------------------------------------- AF_UNIX
# Process contexts: the server reads the client's; the client reads the
# accepted socket's (the server's type with the client's level, equal here).
LAB_SOURCE="process context"
server=system_u:system_r:server_t:s0:c2
client=system_u:system_r:client_t:s0:c2
LAB_TRANSPORT=unix
lab_bg srv run_as "$server" peersec listen unix @lab-tool -n 1
listening srv
expect_status "connect unix: exit 0" 0 run_as "$client" peersec connect unix @lab-tool
expect_eq "connect unix: the server process's context" "unix @lab-tool $server" \
	"$(tool_out "$LAB_TMP/last.out")"
expect_job "listen unix: exit 0" srv
show_job srv
expect_eq "listen unix: the client process's context" "unix unnamed $client" \
	"$(peers "$LAB_TMP/srv.out")"
case $(tool_out "$LAB_TMP/srv.out") in
"unix unnamed pid="[0-9]*" $client") ok "listen unix: the peer's pid" ;;
*) fail "listen unix: the peer's pid" "$(cat "$LAB_TMP/srv.out")" ;;
esac

# Datagrams: syslog's socket, and busybox logger as the client.
LAB_TRANSPORT=unix-dgram
lab_bg srv run_as "$server" peersec listen unix /dev/log --type dgram -n 1
listening srv
expect_run "logger sends a datagram to /dev/log" run_as "$client" logger -t lab hello
expect_job "listen unix --type dgram: exit 0" srv
show_job srv
expect_eq "listen unix --type dgram: the sender's context (SO_PASSSEC)" \
	"unix-dgram unnamed $client" "$(peers "$LAB_TMP/srv.out")"

# ------------------------------------------------------------------ get
# stream-peer's server waits for a line that never comes: it holds its end;
# 'connect --hold' holds the other.  get reads both from outside.
LAB_SOURCE="NetLabel static"
LAB_TRANSPORT=tcp4
if lab_bg_ready srv in_b stream-peer server -e "$from_a" "$B4" 4885; then
	lab_bg holder in_a peersec --json connect --hold tcp "$B4:4885"
	lab_wait_line holder '"fd":' || fail "connect --hold: reports its descriptor" \
		"$(cat "$LAB_TMP/holder.out")"
	pid=$(cat "$LAB_TMP/holder.prog")
	fd=$(tool_out "$LAB_TMP/holder.out" | sed -n 's/.*"fd":\([0-9]*\).*/\1/p')
	expect_status "get: the connection process $pid holds (fd $fd)" 0 \
		peersec get --pid "$pid" --fd "$fd"
	expect_eq "get: b's label, as its holder sees it" \
		"tcp $B4:4885 pid=$pid fd=$fd $from_b" "$(tool_out "$LAB_TMP/last.out")"
	expect_status "get --json: exit 0" 0 peersec --json get --pid "$pid" --fd "$fd"
	expect_eq "get --json: the label" "$from_b" "$(json_field "$LAB_TMP/last.out" label)"
	expect_status "get: a descriptor that is no socket: exit 3" 3 \
		peersec get --pid "$pid" --fd 0
	expect_status "get: a descriptor the process lacks: exit 3" 3 \
		peersec get --pid "$pid" --fd 999
	# The server's side: one of its sockets is the accepted connection.
	spid=$(cat "$LAB_TMP/srv.prog")
	: >"$LAB_TMP/srvget.out"
	for f in /proc/"$spid"/fd/*; do
		case $(readlink "$f") in
		socket:*) peersec get --pid "$spid" --fd "${f##*/}" \
				>"$LAB_TMP/get1.out" 2>&1
			show "$LAB_TMP/get1.out" "peersec get --pid $spid --fd ${f##*/}"
			cat "$LAB_TMP/get1.out" >>"$LAB_TMP/srvget.out" ;;
		esac
	done
	sed 's/^/  | /' "$LAB_TMP/srvget.out"
	if grep -q "^tcp $A4:[0-9]* pid=$spid fd=[0-9]* $from_a\$" "$LAB_TMP/srvget.out"; then
		ok "get: the server's accepted connection gives a's label"
	else
		fail "get: the server's accepted connection gives a's label" \
			"$(cat "$LAB_TMP/srvget.out")"
	fi
	kill "$spid"
	expect_job "connect --hold: exits 0 when the server goes" holder
	show_job holder
	lab_wait srv
else
	fail "get: a server to hold a connection" "$(cat "$LAB_TMP/srv.out")"
fi
expect_status "get: no such process: exit 3" 3 peersec get --pid 999999 --fd 3
expect_status "get: usage error: exit 2" 2 peersec get --pid 1

# -------------------------------------------------------------- Python
# The module's C code on labeled traffic: Debian's interpreter with the
# standard-library subset of lab-python.zip (not in sanitizer builds).
if [ -x /lab/bin/lab-python.sh ]; then
	LAB_TRANSPORT=tcp4
	lab_bg_ready py in_b lab-python.sh tcp "$B4" 4886 "$from_a"
	expect_status "python: peersec connect to a Python server" 0 \
		in_a peersec connect tcp "$B4:4886"
	expect_job "python stream_get: a's label" py

	LAB_TRANSPORT=tcp4-unlabeled
	lab_bg_ready py lab-python.sh tcp 127.0.0.1 4887 none
	expect_status "python: unlabeled client" 1 peersec connect tcp 127.0.0.1:4887
	expect_job "python stream_get: None for an unlabeled peer" py

	LAB_TRANSPORT=udp4
	lab_bg_ready py in_b lab-python.sh udp "$B4" 4888 4 "$from_a,$from_a2"
	expect_run "python: 4 datagrams from $A4 and $A4b" \
		in_a inetd-abuse udp "$A4,$A4b" "$B4" 4888 4
	expect_job "python dgram_recvmsg: each datagram its address's label" py
	expect_eq "python dgram_recvmsg: both labels seen" \
		"$(printf '%s\n' "$from_a" "$from_a2" | sort)" "$(peer_of py | sort -u)"

	LAB_TRANSPORT=sctp4
	# the client holds the association until the server has read it:
	# sctp_assoc_label() wants a live one
	lab_bg_ready py in_b lab-python.sh sctp "$B4" 4889 "$from_a"
	expect_status "python: peersec connect sctp" 0 \
		in_a peersec connect --hold sctp "$B4:4889"
	expect_job "python sctp_assoc_label: a's label" py

	LAB_TRANSPORT=unix-dgram
	lab_bg_ready py run_as "$server" lab-python.sh unix-dgram /dev/log 1 "$client"
	expect_run "python: logger sends to /dev/log" run_as "$client" logger -t lab hello
	expect_job "python dgram_recvmsg (AF_UNIX): the sender's context" py

	t0=$(cut -d' ' -f1 /proc/uptime)
	expect_run "python: errors are OSError with the C function's errno" \
		lab-python.sh errors
	t1=$(cut -d' ' -f1 /proc/uptime)
	_lab_tap "# python: one interpreter run (start, import peersec, four calls)" \
		"took $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s" \
		"at time scale $LAB_SCALE"
else
	skip "python module in the VM" "not built, or a sanitizer build"
fi

# ------------------------------------------------------------- mcstrans
# Translated labels: Debian's mcstransd (run-lab.sh copies it in) with a
# setrans.conf naming a's and b's levels.  libselinux looks for the
# daemon's socket once per process, so each tool run started after it
# listens asks it.  The daemon and the tool run in /init's domain.
LAB_TRANSPORT=tcp4
setrans=/var/run/setrans/.setrans-unix
if [ -x /usr/sbin/mcstransd ]; then
	mkdir -p /etc/selinux/lab "${setrans%/*}"
	printf '%s\n' SELINUX=enforcing SELINUXTYPE=lab >/etc/selinux/config
	printf '%s\n' s0:c6=PeerSix s0:c8=ServerEight >/etc/selinux/lab/setrans.conf
	lab_bg mcs mcstransd -f
	i=0
	while [ ! -S "$setrans" ] && [ $i -lt "$(lab_bound 500)" ]; do
		i=$((i + 1))
		usleep 20000
	done
	if [ -S "$setrans" ]; then
		ok "mcstrans: mcstransd listens"
	else
		fail "mcstrans: mcstransd listens" "$(cat "$LAB_TMP/mcs.out")"
	fi
	a_trans=system_u:system_r:peer_t:PeerSix
	b_trans=system_u:system_r:server_t:ServerEight
	lab_bg srv in_b peersec listen tcp "$B4:4891" -n 2
	listening srv
	expect_status "mcstrans: connect tcp: exit 0" 0 \
		in_a peersec connect tcp "$B4:4891"
	expect_eq "mcstrans: connect tcp: the raw label, then the translated one" \
		"tcp $B4:4891 $from_b ($b_trans)" "$(tool_out "$LAB_TMP/last.out")"
	expect_status "mcstrans: connect tcp --json: exit 0" 0 \
		in_a peersec --json connect tcp "$B4:4891"
	expect_eq "mcstrans: connect tcp --json: label raw, translated translated" \
		"$from_b $b_trans" \
		"$(json_field "$LAB_TMP/last.out" label) $(json_field "$LAB_TMP/last.out" translated)"
	expect_job "mcstrans: listen tcp: exit 0" srv
	show_job srv
	expect_eq "mcstrans: listen tcp: a's label, then the translated one" \
		"$(printf 'tcp %s %s (%s)\n' "$A4" "$from_a" "$a_trans" "$A4" "$from_a" "$a_trans")" \
		"$(tool_out "$LAB_TMP/srv.out" | sed 's/:[0-9]* / /')"
	kill "$(cat "$LAB_TMP/mcs.prog" 2>/dev/null)" 2>/dev/null
	lab_wait mcs
	rm -rf /etc/selinux/config /etc/selinux/lab "${setrans%/*}"
elif [ "${LAB_CI:-}" = true ]; then
	fail "mcstrans: translated labels" "no mcstransd in the VM (Debian's mcstrans)"
else
	skip "mcstrans: translated labels" "no mcstransd in the VM (Debian's mcstrans)"
fi

# ---------------------------------------------------------- fail closed
# A label longer than the library's datagram bound (4096 bytes): the tool
# says it cannot be read, with no label, and exits 4.
LAB_TRANSPORT=udp4
long=$(mls_range_label system_u:system_r:peer_t)
lab_netlabel_clear
lab_netlabel "$long" "$A4" || return 0
lab_bg srv in_b peersec --json listen udp ":4890" -n 1
listening srv
expect_run "udp: a datagram from an address with a $((${#long} + 1))-byte label" \
	in_a inetd-abuse udp "$A4" "$B4" 4890 1
lab_wait srv
expect_eq "listen udp: exit 4 when a label cannot be read" 4 $?
sed 's/^/  | /' "$LAB_TMP/srv.out"
show_job srv
expect_eq "listen udp: EOVERFLOW reported, no label" "EOVERFLOW null" \
	"$(json_field "$LAB_TMP/srv.out" error) $(tool_out "$LAB_TMP/srv.out" |
		sed -n 's/.*"label":\(null\).*/\1/p')"
