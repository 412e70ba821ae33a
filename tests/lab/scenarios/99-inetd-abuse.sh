# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=dash disable=SC2034,SC2154
# peersec-inetd under abuse, all at once: idle, half-closed and non-reading
# clients held open; a flood of connections (a third reset at once, with
# SO_LINGER 0, mostly before the launcher accepted them) and of datagrams;
# many peers whose labels the policy rejects, over TCP and UDP; and the
# configuration rewritten under SIGHUP, good and bad versions in turn.
#
# Afterwards: a well-behaved client gets its answer; no server ran for a
# rejected peer and every server ran in the derived context; every
# connection the launcher accepted got one server or one refusal, and
# every datagram sent is accounted for by the launcher's own counts
# (served + refused + dropped = sent: under a flood the kernel may deliver
# a datagram to the answering socket of a handler still running for the
# same source port, which drops it, or drop it at a full receive queue;
# the launcher counts and logs both; refusal lines beyond 50 a second are
# counted in "held back" lines); the launcher's children, descriptors and memory
# are back at the baseline (VmRSS within $RSS_TOL_KB KiB: malloc may keep a
# little of what the reloads freed); no zombie.  The figures go to the log
# as "# abuse:" lines.
#
# Before the abuse, a hostile UDP handler checks that what its sender sends
# next from the same port, which the kernel delivers to the handler's
# connected answering socket, is dropped there, never read unjudged, and
# counted; that the handler cannot bind the service's port itself (with
# SO_REUSEADDR or SO_REUSEPORT) nor steer the port's datagrams to its own
# socket; and a local process of another uid cannot bind the port of a
# running service either: every datagram still reaches the launcher.
#
# Idle clients and the instance limit: a server that answers without
# reading (peersec-whoami) is not held by its idle client.  A server that
# waits for its client (busybox cat, "echo-tcp", instances = 3) is: three
# idle clients hold every instance of that service, and a fourth client
# waits in the backlog until one of them goes; the launcher has no time
# limit on servers.  Other services are not affected.  The scenario checks
# both, so a change of that behaviour shows.
LAB_SOURCE="NetLabel static"
LAB_TRANSPORT=tcp
# shellcheck source=tests/lab/vm-bin/inetd-lablib.sh
. /lab/bin/inetd-lablib.sh
inetd_prepare || return 0

RSS_TOL_KB=256
# the sizes; a third of them with ASan, where each server start costs more
scale=1
[ -n "${LAB_SANITIZED:-}" ] && scale=3
N_TCP=$((300 / scale))		# good connections, 1/3 reset at once
N_UDP=$((100 / scale))		# good datagrams
N_REJ_TCP=$((150 / scale))		# rejected peers, tcp
N_REJ_UDP=$((150 / scale))		# rejected peers, udp
N_UNLAB=$((60 / scale))		# unlabeled peers on the good service
N_IDLE=12 N_HALF=6 N_NOREAD=6 N_ECHO_IDLE=3
N_RELOAD=16

# 127.0.0.2: a good label; 127.0.0.10-17: labels with categories, which
# the strict services (base lab_low_u, s0 only) reject; 127.0.0.1: none.
G=system_u:system_r:peer_t:s0:c3
lab_netlabel "$G" 127.0.0.2 || return 0
rejected=127.0.0.1 i=0
for cats in c10 c11,c12 c1.c20 c100,c200 c5-s0:c5.c9 c1023 c0.c1023 c7,c70,c700; do
	case $cats in
	*-*) lbl=system_u:system_r:peer_t:s0:${cats%%-*}-${cats#*-} ;;
	*) lbl=system_u:system_r:peer_t:s0:$cats ;;
	esac
	lab_netlabel "$lbl" 127.0.0.1$i || return 0
	rejected=$rejected,127.0.0.1$i
	i=$((i + 1))
done
LOW=lab_low_u:system_r:launcher_t:s0

cp /bin/busybox /lab/bin/inetd-abuse "$INETD_SVC/" &&
chmod 0755 "$INETD_SVC/busybox" "$INETD_SVC/inetd-abuse" || {
	fail "busybox and inetd-abuse on the service_exec_t tmpfs"; return 0; }

# conf_a: the full table; conf_b: without extra-tcp (its socket closes);
# conf_bad: conf_a and a broken block (refused, old table kept).
conf=$LAB_TMP/abuse.conf
{
	inetd_service who-tcp tcp 7401 instances=8
	inetd_service who-udp udp 7402 instances=8
	inetd_service strict-tcp tcp 7403 base_context=$LOW
	inetd_service strict-udp udp 7404 base_context=$LOW
	printf 'service echo-tcp\n{\n\tprotocol = tcp\n\tport = 7405\n'
	printf '\tbind = 127.0.0.1\n\tuser = %s\n\tgroup = %s\n' $INETD_UID $INETD_UID
	printf '\tserver = %s/busybox\n\tserver_args = cat\n\tinstances = 3\n}\n' "$INETD_SVC"
	printf 'service steal-udp\n{\n\tprotocol = udp\n\tport = 7407\n'
	printf '\tbind = 127.0.0.1\n\tuser = %s\n\tgroup = %s\n' $INETD_UID $INETD_UID
	printf '\tserver = %s/inetd-abuse\n\tserver_args = handler %s\n}\n' \
		"$INETD_SVC" "$LAB_TMP/ran/steal.log"
} >"$conf.b"
{ cat "$conf.b"; inetd_service extra-tcp tcp 7406; } >"$conf.a"
{ cat "$conf.a"; printf 'service broken\n{\n\tprotocol = tcp\n\tport = 99999\n}\n'; } >"$conf.bad"
cp "$conf.a" "$conf"

expect_run "the configurations check (good ones pass)" \
	sh -c "peersec-inetd -t -f $conf.a && peersec-inetd -t -f $conf.b && ! peersec-inetd -t -f $conf.bad"
inetd_start ab "$conf" || return 0
log=$LAB_TMP/ab.out

# rss PID: VmRSS in KiB
rss() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status"; }
# settle: wait until the launcher has no child left (bounded for hangs)
settle() { inetd_until 180 inetd_idle "$INETD_PID"; }
hups() { grep -c 'reloaded \|reload refused' "$log"; }

# ---- warm-up: every path once, then the baseline ----
inetd_ask "warm-up: tcp" tcp 127.0.0.2 7401 "$SERVICE:s0:c3" "$G"
LAB_TRANSPORT=udp
inetd_ask "warm-up: udp" udp 127.0.0.2 7402 "$SERVICE:s0:c3" "$G"
LAB_TRANSPORT=tcp
expect_run "warm-up: echo-tcp echoes" inetd-abuse echo 127.0.0.2 127.0.0.1 7405 10
inetd_refused "warm-up: a rejected label on strict-tcp gets nothing" \
	tcp 127.0.0.10 7403 ab "policy rejects"
inetd-abuse udp 127.0.0.11 127.0.0.1 7404 1 >/dev/null
# A UDP handler's answering socket is connected to the sender, so the
# kernel delivers there what the sender sends next from the same port:
# that must be dropped, never read by the handler unjudged.  The handler
# (inetd-abuse handler) answers, tries to detach the socket's filter, and
# reads on until its socket has dropped the two more datagrams the client
# sends meanwhile.
LAB_TRANSPORT=udp
expect_run "udp: a sender's next datagrams, sent while its handler runs" \
	inetd-abuse twice 127.0.0.2 127.0.0.1 7407
_lab_tap "# abuse: $(grep '^twice' "$LAB_TMP/last.out"); $(cat "$LAB_TMP/ran/steal.log" 2>/dev/null | tr '\n' ' ')"
expect_eq "udp: the handler reads no datagram it was not started for, binds not the port, steers nothing" \
	"handler got=one detach=refused steer=refused bind=refused stolen=0" \
	"$(grep 'got=one' "$LAB_TMP/ran/steal.log" 2>/dev/null)"
n=$(grep -c 'stolen=[1-9]\|bind=ok\|steer=ok' "$LAB_TMP/ran/steal.log" 2>/dev/null)
expect_eq "udp: no handler read a datagram it was not started for" 0 "${n:-0}"
# the handler reads on after answering: "two" and "three" reach its
# answering socket while it runs, and are dropped there and counted
settle
inetd_conserved "udp: the 3 datagrams of one sender: served, refused or dropped" \
	ab steal-udp 3
expect_eq "udp: served one, dropped the two sent while its handler ran (busy peer address)" \
	"1 2" "$INETD_SERVED $INETD_BUSY"
expect_eq "udp: the drops have their log line, with the count" 2 \
	"$(inetd_drop_lines ab steal-udp)"

# A local process of another uid (nobody) tries to bind who-udp's address
# and port (every way: SO_REUSEADDR, SO_REUSEPORT, both, neither) while 30
# datagrams come: it is refused, and the launcher gets all 30.
LAB_TIMEOUT=60 lab_bg_ready thief inetd-abuse steal 127.0.0.1 7402 65534 3
LAB_TIMEOUT=60 expect_run "udp: 30 datagrams while a thief of another uid tries the port" \
	inetd-abuse udp 127.0.0.2 127.0.0.1 7402 30
lab_wait thief
expect_eq "udp: a process of another uid cannot bind a service's port" \
	"steal bind=refused errno=EADDRINUSE got=0" "$(grep '^steal' "$LAB_TMP/thief.out")"
settle
inetd_conserved "udp: every datagram the thief wanted reached the launcher" \
	ab who-udp $((1 + 30))
LAB_TRANSPORT=tcp
h0=$(hups)
kill -HUP "$INETD_PID"
inetd_until 60 _inetd_more "$log" 'reloaded \|reload refused' "$h0"
settle
kids0=$(inetd_children "$INETD_PID" | wc -l)
fds0=$(inetd_fds "$INETD_PID")
rss0=$(rss "$INETD_PID")
started0=$(grep -c 'started ' "$log")
ran0=$(grep -c '^pid=' "$INETD_RAN")
refused0=$(grep -c 'refused [a-z]*-[a-z]*/' "$log")
_lab_tap "# abuse: baseline: children=$kids0 fds=$fds0 VmRSS=${rss0}KiB (servers started $started0, refusals $refused0)"

# ---- the reload loop, as a job: good and bad files in turn ----
cat >"$LAB_TMP/reload.sh" <<-EOF
	# each file replaces the configuration at once (rename), then SIGHUP;
	# wait for the launcher's answer before the next one
	i=0 good=0 bad=0
	while [ \$i -lt $N_RELOAD ]; do
		case \$((i % 4)) in
		0) v=b; good=\$((good + 1)) ;;
		2) v=a; good=\$((good + 1)) ;;
		*) v=bad; bad=\$((bad + 1)) ;;
		esac
		cp "$conf.\$v" "$conf.new" && mv "$conf.new" "$conf"
		h=\$(grep -c 'reloaded \\|reload refused' "$log")
		kill -HUP $INETD_PID
		# bounded to catch a hang: 6000 x 50 ms
		n=0
		while [ "\$(grep -c 'reloaded \\|reload refused' "$log")" = "\$h" ] &&
		      [ \$n -lt 6000 ]; do
			usleep 50000
			n=\$((n + 1))
		done
		i=\$((i + 1))
	done
	# the last one puts back the full table
	cp "$conf.a" "$conf.new" && mv "$conf.new" "$conf"
	h=\$(grep -c 'reloaded \\|reload refused' "$log")
	kill -HUP $INETD_PID
	n=0
	while [ "\$(grep -c 'reloaded \\|reload refused' "$log")" = "\$h" ] &&
	      [ \$n -lt 6000 ]; do
		usleep 50000
		n=\$((n + 1))
	done
	echo "reloads good=\$((good + 1)) bad=\$bad"
EOF

# ---- the abuse, all at once ----
stop=$LAB_TMP/stop-holding
rm -f "$stop"
t0=$(cut -d' ' -f1 /proc/uptime)
LAB_TIMEOUT=120 lab_bg_ready idle inetd-abuse hold 127.0.0.2 127.0.0.1 7401 $N_IDLE idle "$stop" 100
LAB_TIMEOUT=120 lab_bg_ready half inetd-abuse hold 127.0.0.2 127.0.0.1 7401 $N_HALF halfclose "$stop" 100
LAB_TIMEOUT=120 lab_bg_ready noread inetd-abuse hold 127.0.0.2 127.0.0.1 7401 $N_NOREAD noread "$stop" 100
LAB_TIMEOUT=120 lab_bg_ready echoidle inetd-abuse hold 127.0.0.2 127.0.0.1 7405 $N_ECHO_IDLE idle "$stop" 100
LAB_TIMEOUT=90 lab_bg ftcp inetd-abuse tcp 127.0.0.2 127.0.0.1 7401 "$N_TCP"
LAB_TIMEOUT=90 lab_bg fudp inetd-abuse udp 127.0.0.2 127.0.0.1 7402 "$N_UDP"
LAB_TIMEOUT=90 lab_bg rtcp inetd-abuse tcp "$rejected" 127.0.0.1 7403 "$N_REJ_TCP"
LAB_TIMEOUT=90 lab_bg rudp inetd-abuse udp "$rejected" 127.0.0.1 7404 "$N_REJ_UDP"
LAB_TIMEOUT=90 lab_bg utcp inetd-abuse tcp 127.0.0.1 127.0.0.1 7401 "$N_UNLAB"
LAB_TIMEOUT=90 lab_bg reload sh "$LAB_TMP/reload.sh"

# while it goes on: the good service answers, the echo service is held
inetd_ask "during the abuse: a well-behaved tcp client is served" \
	tcp 127.0.0.2 7401 "$SERVICE:s0:c3" "$G"
inetd-abuse echo 127.0.0.2 127.0.0.1 7405 2 >"$LAB_TMP/echo1.out" 2>&1
expect_eq "echo-tcp: $N_ECHO_IDLE idle clients hold its $N_ECHO_IDLE instances: a new client waits (status 4)" \
	4 $?

for j in ftcp fudp rtcp rudp utcp reload; do
	expect_job "flood job $j ends well" $j
done
t1=$(cut -d' ' -f1 /proc/uptime)
touch "$stop"
for j in idle half noread echoidle; do
	expect_job "holding job $j: every connection was made" $j
done
expect_run "echo-tcp: once the idle clients left, a client is served" \
	inetd-abuse echo 127.0.0.2 127.0.0.1 7405 20
# Every good connection a client made gets its server, but on a busy
# machine the last may still wait in the listen backlog here: wait until
# as many were started (bounded for a hang), then for their end.  Too many
# or too few still fail below.
who_tcp_good=$((1 + N_TCP + N_IDLE + N_HALF + N_NOREAD + 1))
inetd_until 120 _inetd_more "$log" 'started who-tcp/' $((who_tcp_good - 1))
# the same for the refused connections (a status report writes the
# refusal lines held back)
_abuse_refused() {
	kill -USR1 "$INETD_PID"
	usleep 200000
	[ "$(inetd_refusals ab strict-tcp/tcp)" -ge $((1 + N_REJ_TCP)) ] &&
		[ "$(inetd_refusals ab who-tcp/tcp)" -ge "$N_UNLAB" ]
}
inetd_until 120 _abuse_refused
settle

# ---- the figures ----
ftcp=$(job_out ftcp) fudp=$(job_out fudp) rtcp=$(job_out rtcp)
rudp=$(job_out rudp) utcp=$(job_out utcp) rl=$(job_out reload)
_lab_tap "# abuse: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s of floods; good tcp: $ftcp"
_lab_tap "# abuse: good udp: $fudp; unlabeled tcp: $utcp"
_lab_tap "# abuse: rejected labels ($rejected) tcp: $rtcp; udp: $rudp"
_lab_tap "# abuse: held: $(job_out idle | grep ^hold); $(job_out half | grep ^hold); $(job_out noread | grep ^hold); echo-tcp $(job_out echoidle | grep ^hold)"
_lab_tap "# abuse: SIGHUP $rl; launcher log: $(grep -c 'reloaded ' "$log") reloaded, $(grep -c 'reload refused' "$log") refused (warm-up included)"

st_who_tcp=$(grep -c 'started who-tcp/' "$log")
st_who_udp=$(grep -c 'started who-udp/' "$log")
st_echo=$(grep -c 'started echo-tcp/' "$log")
st_strict=$(grep -c 'started strict-' "$log")
# refusals: their lines, and the lines held back and counted (at most 50
# refusal lines a second; a status report writes the counts held)
inetd_status ab who-udp >/dev/null
ref_strict_tcp=$(inetd_refusals ab strict-tcp/tcp)
ref_strict_udp=$(inetd_refusals ab strict-udp/udp)
ref_unlab=$(inetd_refusals ab who-tcp/tcp)
ran=$(grep -c '^pid=' "$INETD_RAN")
_lab_tap "# abuse: servers started: who-tcp=$st_who_tcp who-udp=$st_who_udp echo-tcp=$st_echo strict-*=$st_strict; servers that reported (whoami)=$ran"
_lab_tap "# abuse: refusals: strict-tcp=$ref_strict_tcp strict-udp=$ref_strict_udp who-tcp unlabeled=$ref_unlab; all=$(grep -c 'refused [a-z]*-[a-z]*/' "$log")"

# every good connection and datagram got exactly one server
# (the warm-up: 1 tcp, 1 udp, 1 echo; inetd_ask during: 1 tcp)
expect_eq "who-tcp: one server per good connection (flood, held, asked)" \
	"$who_tcp_good" "$st_who_tcp"
inetd_conserved "who-udp: every good datagram served, refused or dropped (counted)" \
	ab who-udp $((1 + 30 + N_UDP))
expect_eq "who-udp: one server per datagram the launcher counts served" \
	"$INETD_SERVED" "$st_who_udp"
expect_eq "who-udp: one refusal (line or held-back count) per datagram it counts refused" \
	"$INETD_REFUSED" "$(inetd_refusals ab who-udp/udp)"
expect_eq "who-udp: the drop lines add up to the datagrams it counts dropped" \
	"$INETD_DROPPED" "$(inetd_drop_lines ab who-udp)"
expect_eq "echo-tcp: one server per connection" $((1 + N_ECHO_IDLE + 2)) "$st_echo"
expect_eq "every whoami server started also ran and reported" \
	$((st_who_tcp + st_who_udp)) "$ran"
expect_eq "no server started for a rejected label" 0 "$st_strict"
expect_eq "strict-tcp: every rejected connection refused" \
	$((1 + N_REJ_TCP)) "$ref_strict_tcp"
inetd_conserved "strict-udp: every rejected datagram refused or dropped (counted)" \
	ab strict-udp $((1 + N_REJ_UDP))
expect_eq "strict-udp: one refusal (line or held-back count) per datagram it counts refused" \
	"$INETD_REFUSED" "$ref_strict_udp"
expect_eq "strict-udp: the drop lines add up to the datagrams it counts dropped" \
	"$INETD_DROPPED" "$(inetd_drop_lines ab strict-udp)"
expect_eq "strict-udp: nothing served" 0 "$INETD_SERVED"
expect_eq "who-tcp: every unlabeled connection refused" "$N_UNLAB" "$ref_unlab"
bad=$(grep '^pid=' "$INETD_RAN" | grep -v "context=$SERVICE:s0:c3 label=$G peer=127.0.0.2:" | wc -l)
expect_eq "every server ran at s0:c3 for the good peer, none for another" 0 "$bad"
bad=$(grep '^pid=' "$INETD_RAN" | grep -vc " fds=3")
expect_eq "every server had only descriptors 0, 1, 2" 0 "$bad"
n_idle=$(job_out idle | sed -n 's/.* answered=\([0-9]*\)$/\1/p')
expect_eq "idle clients of whoami got their answer anyway (it does not wait for them)" \
	"$N_IDLE" "$n_idle"
rl_good=$(echo "$rl" | sed -n 's/reloads good=\([0-9]*\) .*/\1/p')
rl_bad=$(echo "$rl" | sed -n 's/.* bad=\([0-9]*\)$/\1/p')
expect_eq "SIGHUP: every good file was taken (+1: the warm-up)" \
	$((rl_good + 1)) "$(grep -c 'reloaded ' "$log")"
expect_eq "SIGHUP: every bad file was refused" \
	"$rl_bad" "$(grep -c 'reload refused, old configuration kept' "$log")"

kids1=$(inetd_children "$INETD_PID" | wc -l)
zomb=$(inetd_children "$INETD_PID" | awk '$2 == "Z"' | wc -l)
fds1=$(inetd_fds "$INETD_PID")
rss1=$(rss "$INETD_PID")
hwm=$(awk '$1 == "VmHWM:" { print $2 }' "/proc/$INETD_PID/status")
_lab_tap "# abuse: after: children=$kids1 (baseline $kids0) zombies=$zomb fds=$fds1 (baseline $fds0) VmRSS=${rss1}KiB (baseline ${rss0}KiB, tolerance ${RSS_TOL_KB}KiB, peak VmHWM ${hwm}KiB)"
expect_eq "after: no child left" "$kids0" "$kids1"
expect_eq "after: no zombie" 0 "$zomb"
expect_eq "after: as many descriptors as at the baseline" "$fds0" "$fds1"
if [ -n "${LAB_SANITIZED:-}" ]; then
	# ASan keeps freed memory in quarantine: RSS grows by design
	skip "after: VmRSS back near the baseline" "ASan build (quarantine)"
elif [ "$rss1" -le $((rss0 + RSS_TOL_KB)) ]; then
	ok "after: VmRSS ${rss1} KiB within ${RSS_TOL_KB} KiB of the baseline ${rss0} KiB"
else
	fail "after: VmRSS ${rss1} KiB within ${RSS_TOL_KB} KiB of the baseline ${rss0} KiB"
fi
inetd_ask "after: a well-behaved client gets its answer" \
	tcp 127.0.0.2 7401 "$SERVICE:s0:c3" "$G"
inetd-client ask tcp 127.0.0.2 127.0.0.1 7406 5 >/dev/null 2>&1
expect_eq "after: extra-tcp (the last good file has it) answers" 0 $?
inetd_stop ab
grep -v 'started \|refused ' "$log" | tail -n 20 | sed 's/^/  | /'
