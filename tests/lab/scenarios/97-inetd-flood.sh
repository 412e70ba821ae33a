# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=dash disable=SC2034,SC2154
# peersec-inetd under a flood: several hundred connections, two in three
# gone (closed or reset) before the server could answer, with at most 8
# servers at once; then a burst of datagrams.  Afterwards: no zombie, the
# launcher holds exactly the descriptors it held before, and still serves.
LAB_SOURCE="NetLabel static"
LAB_TRANSPORT=tcp
# shellcheck source=tests/lab/vm-bin/inetd-lablib.sh
. /lab/bin/inetd-lablib.sh
inetd_prepare || return 0

L1=system_u:system_r:peer_t:s0:c3
lab_netlabel "$L1" 127.0.0.2 || return 0

conf=$LAB_TMP/flood.conf
{
	inetd_service flood-tcp tcp 7301 instances=8
	inetd_service flood-udp udp 7302 instances=8
} >"$conf"
inetd_start fl "$conf" || return 0
fds0=$(inetd_fds "$INETD_PID")

N=${INETD_FLOOD:-300}
LAB_TIMEOUT=100 expect_run "flood: $N tcp connections, 2 in 3 gone early" \
	inetd-client flood tcp 127.0.0.2 127.0.0.1 7301 "$N"
tcp_line=$(grep '^flood' "$LAB_TMP/last.out")
LAB_TIMEOUT=100 expect_run "flood: 50 udp datagrams" \
	inetd-client flood udp 127.0.0.2 127.0.0.1 7302 50
udp_line=$(grep '^flood' "$LAB_TMP/last.out")

# every datagram served, refused or dropped, by the launcher's counts;
# every connection it accepted served or refused
inetd_conserved "flood: every udp datagram served, refused or dropped (counted)" \
	fl flood-udp 50
# one more client: the backlog is in order, so once it is served every
# connection of the flood was accepted
inetd_ask "flood: a client after the flood is served" \
	tcp 127.0.0.2 7301 "$SERVICE:s0:c3" "$L1"
# let the last servers finish (bounded to catch a hang): the launcher
# has dealt with every datagram (above) and connection, every server it
# started has ended, and it has no child
_fl_done() {
	[ "$(grep -c 'ended flood-' "$LAB_TMP/fl.out")" -ge \
	  "$(grep -c 'started flood-' "$LAB_TMP/fl.out")" ] &&
		inetd_idle "$INETD_PID"
}
inetd_until 180 _fl_done
kids=$(inetd_children "$INETD_PID" | wc -l)
zombies=$(inetd_children "$INETD_PID" | awk '$2 == "Z"' | wc -l)
fds1=$(inetd_fds "$INETD_PID")
started=$(grep -c 'started flood-tcp' "$LAB_TMP/fl.out")
started_udp=$(grep -c 'started flood-udp' "$LAB_TMP/fl.out")
refused=$(grep -c 'refused flood-' "$LAB_TMP/fl.out")
ran=$(grep -c '^pid=' "$INETD_RAN")
_lab_tap "# inetd flood: tcp: $tcp_line; udp: $udp_line"
_lab_tap "# inetd flood: servers started tcp=$started udp=$started_udp, refusals=$refused, servers that reported=$ran"
_lab_tap "# inetd flood: launcher descriptors before=$fds0 after=$fds1, children left=$kids, zombies=$zombies"
expect_eq "flood: one server per datagram the launcher counts served" \
	"$INETD_SERVED" "$started_udp"
n0=$(grep -c 'status: flood-tcp/tcp: ' "$LAB_TMP/fl.out")
kill -USR1 "$INETD_PID"
inetd_until 60 _inetd_more "$LAB_TMP/fl.out" 'status: flood-tcp/tcp: ' "$n0"
acc=$(grep 'status: flood-tcp/tcp: ' "$LAB_TMP/fl.out" | tail -n 1 |
	sed -n 's/.*: \([0-9]*\) connection(s) accepted, \([0-9]*\) served, \([0-9]*\) refused.*/\1 \2 \3/p')
_lab_tap "# inetd flood: tcp accepted, served, refused: $acc"
# shellcheck disable=SC2086
set -- $acc
expect_eq "flood: every accepted connection got a server or a refusal" \
	"${1:-?}" "$(( ${2:-0} + ${3:-0} ))"
expect_eq "flood: one server per connection the launcher counts served" \
	"${2:-?}" "$started"
expect_eq "flood: no zombie" 0 "$zombies"
expect_eq "flood: no child left" 0 "$kids"
expect_eq "flood: no descriptor gained or lost in the launcher" "$fds0" "$fds1"
bad=$(grep '^pid=' "$INETD_RAN" | grep -vc "context=$SERVICE:s0:c3 ")
expect_eq "flood: every server ran at s0:c3" 0 "$bad"
bad=$(grep '^pid=' "$INETD_RAN" | grep -vc " fds=3")
expect_eq "flood: every server had only descriptors 0, 1, 2" 0 "$bad"
inetd_ask "flood: afterwards the launcher still serves" \
	tcp 127.0.0.2 7301 "$SERVICE:s0:c3" "$L1"
inetd_stop fl
tail -n 5 "$LAB_TMP/fl.out" | sed 's/^/  | /'
