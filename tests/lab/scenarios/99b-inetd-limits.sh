# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=dash disable=SC2034,SC2154
# peersec-inetd's limits.
#
#   per_source = 1    a second connection from the address of a running
#                     server is refused; another address is served
#   -m 2              at most two servers at once, all services: a third
#                     client waits until one ends
#   max_runtime = 2   a server still running after 2 s is killed, and the
#                     log says so
#   cps = 1 2         more than 1 connection in a second: the one over is
#                     refused, the service pauses 2 s and says so, and what
#                     waited meanwhile is taken at the same rate after it;
#                     every connection is served or refused
#   the refusal cache one derivation for a label the policy rejects, then
#                     the refusal is remembered; a policy load empties it
#   -r 3              at most 3 refusal lines a second: the others are
#                     counted in "held back N refusal line(s)" lines, and
#                     lines and counts add up to the refusals
LAB_SOURCE="NetLabel static"
LAB_TRANSPORT=tcp
# shellcheck source=tests/lab/vm-bin/inetd-lablib.sh
. /lab/bin/inetd-lablib.sh
inetd_prepare || return 0

G=system_u:system_r:peer_t:s0:c3
H=system_u:system_r:peer_t:s0:c4
R=system_u:system_r:peer_t:s0:c10
lab_netlabel "$G" 127.0.0.2 && lab_netlabel "$H" 127.0.0.3 &&
lab_netlabel "$R" 127.0.0.10 || return 0
LOW=lab_low_u:system_r:launcher_t:s0

cp /bin/busybox "$INETD_SVC/" && chmod 0755 "$INETD_SVC/busybox" ||
	{ fail "busybox on the service_exec_t tmpfs"; return 0; }
stop=$LAB_TMP/stop-holding
CAT="server=$INETD_SVC/busybox"

conf=$LAB_TMP/limits.conf
{
	inetd_service ps-tcp tcp 7601 "$CAT" server_args=cat per_source=1
	inetd_service cap-tcp tcp 7602 "$CAT" server_args=cat
	inetd_service rt-tcp tcp 7603 "$CAT" server_args=cat max_runtime=2
	inetd_service cps-tcp tcp 7604 "cps=1 2"
	inetd_service strict-tcp tcp 7605 base_context=$LOW
	inetd_service strict-udp udp 7606 base_context=$LOW
} >"$conf"
expect_run "the configuration checks" peersec-inetd -t -f "$conf"
INETD_ARGS="-m 2" inetd_start lim "$conf" || return 0
log=$LAB_TMP/lim.out
kids() { inetd_children "$INETD_PID" | wc -l; }

# ---- per_source ----
rm -f "$stop"
LAB_TIMEOUT=120 lab_bg_ready ps inetd-abuse hold 127.0.0.2 127.0.0.1 7601 1 idle "$stop" 100
inetd_until 60 _inetd_more "$log" 'started ps-tcp/' 0
inetd_refused "per_source = 1: a second connection from the same address is refused" \
	tcp 127.0.0.2 7601 lim "per_source: 1 server(s) already run for this address"
expect_run "per_source = 1: another address is served" \
	inetd-abuse echo 127.0.0.3 127.0.0.1 7601 20
touch "$stop"
lab_wait ps
inetd_until 60 inetd_idle "$INETD_PID"

# ---- max_servers (-m 2) ----
rm -f "$stop"
LAB_TIMEOUT=120 lab_bg_ready cap inetd-abuse hold 127.0.0.2 127.0.0.1 7602 2 idle "$stop" 100
inetd_until 60 _inetd_more "$log" 'started cap-tcp/' 1
inetd-abuse echo 127.0.0.3 127.0.0.1 7602 2 >/dev/null 2>&1
expect_eq "-m 2: two servers run, a third client waits (status 4)" "4 2" "$? $(kids)"
touch "$stop"
lab_wait cap
expect_run "-m 2: once they ended, a client is served" \
	inetd-abuse echo 127.0.0.3 127.0.0.1 7602 20
inetd_until 60 inetd_idle "$INETD_PID"

# ---- max_runtime ----
rm -f "$stop"
LAB_TIMEOUT=120 lab_bg_ready rt inetd-abuse hold 127.0.0.2 127.0.0.1 7603 1 idle "$stop" 100
if [ "$LAB_WORLD" = refpolicy-mls ]; then
	# MLS "process write" (sigkill) wants equal low levels, or
	# mlsprocwritetoclr / mlsprocwrite, which inetd_t lacks: the launcher
	# at s0 cannot kill a server at s0:c3, and says so.  The server ends
	# when its client leaves.
	if inetd_until 60 _inetd_more "$log" 'cannot kill rt-tcp/tcp pid [0-9]* after max_runtime 2 s: Permission denied' 0; then
		ok "max_runtime = 2: MLS: the kill is denied, and that is logged"
	else
		fail "max_runtime = 2: MLS: the kill is denied, and that is logged" "$(tail -n 5 "$log")"
	fi
	touch "$stop"
	lab_wait rt
	if inetd_until 60 _inetd_more "$log" 'ended rt-tcp/tcp pid [0-9]*: exit status 0' 0; then
		ok "max_runtime = 2: MLS: the server ends when its client leaves"
	else
		fail "max_runtime = 2: MLS: the server ends when its client leaves" "$(tail -n 5 "$log")"
	fi
else
	if inetd_until 60 _inetd_more "$log" 'killed rt-tcp/tcp pid [0-9]*: ran for max_runtime 2 s' 0 &&
	   inetd_until 60 _inetd_more "$log" 'ended rt-tcp/tcp pid [0-9]*: killed by signal 9' 0; then
		ok "max_runtime = 2: the server is killed, and that is logged"
	else
		fail "max_runtime = 2: the server is killed, and that is logged" "$(tail -n 5 "$log")"
	fi
	touch "$stop"
	lab_wait rt
fi
inetd_until 60 inetd_idle "$INETD_PID"

# ---- cps ----
# eight clients while the launcher is stopped: it meets them in one go
kill -STOP "$INETD_PID"
for i in 1 2 3 4 5 6 7 8; do
	LAB_TIMEOUT=120 lab_bg "cps$i" inetd-client ask tcp 127.0.0.2 127.0.0.1 7604 60
done
# every client connected (the kernel queues them in the backlog): eight
# sockets whose remote end is port 7604 (1DB4)
inetd_until 60 sh -c "[ \$(awk '\$3 ~ /:1DB4\$/' /proc/net/tcp | wc -l) -ge 8 ]"
kill -CONT "$INETD_PID"
served=0
for i in 1 2 3 4 5 6 7 8; do
	lab_wait "cps$i" && served=$((served + 1))
done
n_cps=$(grep -c "refused cps-tcp/.*over the service's cps rate (1 a second): paused for 2 s" "$log")
n_pause=$(grep -c 'service cps-tcp: more than 1 connection(s) in a second (cps): paused for 2 s' "$log")
_lab_tap "# limits: cps: 8 clients: $served served, $n_cps refused over the rate, $n_pause pause(s)"
expect_eq "cps = 1 2: every client served or refused over the rate" 8 $((served + n_cps))
if [ "$n_pause" -ge 1 ] && [ "$n_pause" = "$n_cps" ]; then
	ok "cps = 1 2: the service paused, one refusal per pause"
else
	fail "cps = 1 2: the service paused, one refusal per pause" "$n_pause pauses, $n_cps refused"
fi

# ---- the refusal cache ----
for i in 1 2 3; do
	inetd_refused "a rejected label, client $i: refused" tcp 127.0.0.10 7605 lim "policy rejects"
done
lab-loadpolicy /lab/policy.33 1 || fail "the policy loads again" "lab-loadpolicy failed"
inetd_refused "a rejected label after a policy load: refused" tcp 127.0.0.10 7605 lim "policy rejects"

inetd_stop lim
# 4 rejected clients: one derivation, two refusals remembered, then the
# policy load: derived again
expect_eq "a rejected label is derived once per policy; the refusal is remembered" \
	"refusals: 2 remembered" \
	"$(sed -n 's/.*stopping: .*\(refusals: [0-9]* remembered\).*/\1/p' "$log")"
sed 's/^/  | /' "$log"

# ---- refusal lines: at most 3 a second ----
conf=$LAB_TMP/lines.conf
inetd_service strict-udp udp 7606 base_context=$LOW >"$conf"
INETD_ARGS="-r 3" inetd_start lines "$conf" || return 0
log=$LAB_TMP/lines.out
kill -STOP "$INETD_PID"
LAB_TIMEOUT=60 expect_run "40 datagrams with a rejected label" \
	inetd-abuse udp 127.0.0.10 127.0.0.1 7606 40
kill -CONT "$INETD_PID"
inetd_conserved "the 40 datagrams: refused or dropped" lines strict-udp 40
lines=$(grep -c 'refused strict-udp/udp peer ' "$log")
_lab_tap "# limits: strict-udp: $INETD_REFUSED refused: $lines line(s), $(inetd_refusals lines strict-udp/udp) with the held-back counts"
expect_eq "-r 3: refusal lines and held-back counts add up to the refusals" \
	"$INETD_REFUSED" "$(inetd_refusals lines strict-udp/udp)"
if grep -q 'held back [0-9]* refusal line(s) for strict-udp/udp (more than 3 a second)' "$log" &&
   [ "$lines" -lt "$INETD_REFUSED" ]; then
	ok "-r 3: refusal lines were held back, and counted"
else
	fail "-r 3: refusal lines were held back, and counted" "$lines lines of $INETD_REFUSED"
fi
inetd_stop lines
expect_eq "the datagrams' label: one derivation, the other refusals remembered" \
	"refusals: $((INETD_REFUSED - 1)) remembered" \
	"$(sed -n 's/.*stopping: .*\(refusals: [0-9]* remembered\).*/\1/p' "$log")"
sed 's/^/  | /' "$log"
