# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=dash disable=SC2034,SC2154
# peersec-inetd: sockets from systemd (LISTEN_FDS) and SIGHUP reloads.
#
# inetd-activate binds the sockets and execs the launcher as systemd would;
# the launcher must serve on them (and say so) instead of binding its own.
# A passed socket that does not fit its service (an AF_UNIX socket, or a
# UDP one, for a TCP service) stops the launcher at start, with a message.
# A reload with a bad file keeps the old configuration and names file:line;
# a good one moves a service to another port and drops a socket.  A policy
# load empties the launcher's cache of derived contexts.
LAB_SOURCE="NetLabel static"
LAB_TRANSPORT=tcp
# shellcheck source=tests/lab/vm-bin/inetd-lablib.sh
. /lab/bin/inetd-lablib.sh
inetd_prepare || return 0

L1=system_u:system_r:peer_t:s0:c7
lab_netlabel "$L1" 127.0.0.2 || return 0

# ---- socket activation ----
conf=$LAB_TMP/activated.conf
{
	inetd_service act-tcp tcp 7101
	inetd_service act-udp udp 7102
} >"$conf"
# systemd (init_t) runs at s0-s15:c0.c1023, and its sockets carry that
# range; /init is at s15 in refpolicy MLS, where the launcher may not use a
# socket it created (MLS getattr/getopt), so there the activator runs at
# systemd's range.
activator=
[ "$LAB_WORLD" = refpolicy-mls ] &&
	activator="run_as system_u:system_r:kernel_t:s0-s15:c0.c1023"
# shellcheck disable=SC2086
inetd_start act "$conf" $activator inetd-activate act-tcp=tcp:127.0.0.1:7101 \
	act-udp=udp:127.0.0.1:7102 -- || return 0
if grep -q 'service act-tcp: using socket 3 from systemd' "$LAB_TMP/act.out" &&
   grep -q 'service act-udp: using socket 4 from systemd' "$LAB_TMP/act.out"; then
	ok "activation: the launcher takes both sockets from LISTEN_FDS"
else
	fail "activation: the launcher takes both sockets from LISTEN_FDS" \
		"$(cat "$LAB_TMP/act.out")"
fi
inetd_ask "activation: tcp client at s0:c7 gets a server at s0:c7" \
	tcp 127.0.0.2 7101 "$SERVICE:s0:c7" "$L1"
LAB_TRANSPORT=udp
inetd_ask "activation: udp client at s0:c7 gets a server at s0:c7" \
	udp 127.0.0.2 7102 "$SERVICE:s0:c7" "$L1"
LAB_TRANSPORT=tcp
# In refpolicy MLS too the launcher sees the unlabeled peer and refuses it
# itself: a passed socket carries its creator's label, and systemd's range
# (here the activator's, kernel_t at s0-s15 with mlsnetread; init_t has
# mlsnetreadtoclr) reaches the unlabeled context's s15, so "peer recv"
# lets it in, where the launcher's own socket (95) would drop it.
inetd_refused "activation: an unlabeled client gets nothing" \
	tcp 127.0.0.1 7101 act "label"
# A peer above the launcher's clearance (s1 against s0-s0:c0.c1023) passes
# "peer recv" on the passed socket too, but the connection it gets is the
# listener's kernel_t at the peer's level (s1), and reading it (getattr,
# getopt: SO_PEERSEC) needs the launcher's high level to dominate s1
# (mlsnetreadtoclr).  So the launcher refuses it for want of a label, not
# by its clearance bound, and no server starts.
if [ "$LAB_WORLD" = refpolicy-mls ]; then
	H1=system_u:system_r:peer_t:s1
	lab_netlabel "$H1" 127.0.0.9 &&
	inetd_refused "activation: MLS: a peer at s1, above the launcher's clearance, is refused: its connection cannot be read" \
		tcp 127.0.0.9 7101 act "label (none): reading the peer label: Permission denied\$"
	if dmesg | grep -q "denied  { getopt } .*faddr=127.0.0.9 .*scontext=$INETD_CTX tcontext=system_u:system_r:kernel_t:s1 tclass=tcp_socket"; then
		ok "activation: MLS: the kernel denies the launcher SO_PEERSEC on a connection at s1"
	else
		fail "activation: MLS: the kernel denies the launcher SO_PEERSEC on a connection at s1" \
			"$(dmesg | grep 'faddr=127.0.0.9 ' | tail -n 3)"
	fi
fi
inetd_stop act

# a passed socket of the wrong kind: the launcher refuses to start
for spec in "unix:$LAB_TMP/act.sock:0|family 1, type 1, protocol 0" \
	    "udp:127.0.0.1:7101|family 2, type 2, protocol 17"; do
	# shellcheck disable=SC2086
	LAB_TIMEOUT=60 lab_bg mis $activator inetd-activate "act-tcp=${spec%%|*}" -- \
		run_as "$INETD_CTX" peersec-inetd -f "$conf"
	lab_wait mis
	rc=$?
	if [ $rc -eq 1 ] &&
	   grep -q "service act-tcp: passed socket 3 does not fit it: ${spec#*|}; the service wants family 2, type 1, protocol 6, listening" "$LAB_TMP/mis.out" &&
	   ! grep -q 'running as' "$LAB_TMP/mis.out"; then
		ok "activation: a passed ${spec%%:*} socket for a tcp service: no start, a clear message"
	else
		fail "activation: a passed ${spec%%:*} socket for a tcp service: no start, a clear message" \
			"exit $rc" "$(cat "$LAB_TMP/mis.out")"
	fi
done

# ---- SIGHUP ----
conf=$LAB_TMP/reload.conf
inetd_service rl tcp 7201 >"$conf"
inetd_start rl "$conf" || return 0
inetd_ask "reload: before, the service answers on 7201" \
	tcp 127.0.0.2 7201 "$SERVICE:s0:c7" "$L1"
fds0=$(inetd_fds "$INETD_PID")

# a bad file: refused with file:line, the old table stays
{ inetd_service rl tcp 7201; printf 'service broken\n{\n\tport = 99999\n}\n'; } >"$conf"
h0=$(grep -c 'reloaded \|reload refused' "$LAB_TMP/rl.out")
kill -HUP "$INETD_PID"
inetd_until 60 _inetd_more "$LAB_TMP/rl.out" 'reloaded \|reload refused' "$h0"
if grep -q "reload refused, old configuration kept: $conf:13: port must be" "$LAB_TMP/rl.out"; then
	ok "reload: a bad file is refused with file:line and reason"
else
	fail "reload: a bad file is refused with file:line and reason" \
		"$(tail -n 3 "$LAB_TMP/rl.out")"
fi
inetd_ask "reload: after a bad file, 7201 still answers" \
	tcp 127.0.0.2 7201 "$SERVICE:s0:c7" "$L1"

# a good file: the service moves to 7202, 7201 closes
inetd_service rl tcp 7202 >"$conf"
h0=$(grep -c 'reloaded \|reload refused' "$LAB_TMP/rl.out")
kill -HUP "$INETD_PID"
inetd_until 60 _inetd_more "$LAB_TMP/rl.out" 'reloaded \|reload refused' "$h0"
if grep -q "reloaded $conf: 1 service" "$LAB_TMP/rl.out"; then
	ok "reload: a good file is taken"
else
	fail "reload: a good file is taken" "$(tail -n 3 "$LAB_TMP/rl.out")"
fi
inetd_ask "reload: the service answers on its new port 7202" \
	tcp 127.0.0.2 7202 "$SERVICE:s0:c7" "$L1"
inetd-client ask tcp 127.0.0.2 127.0.0.1 7201 2 >/dev/null 2>&1
expect_eq "reload: the old port 7201 is closed (client status 3)" 3 $?
expect_eq "reload: the launcher holds as many descriptors as before" \
	"$fds0" "$(inetd_fds "$INETD_PID")"
inetd_stop rl

# ---- the cache of derived contexts: a policy load empties it ----
# Three clients with one label: one derivation, two from the cache.  Then
# the same policy is loaded again (the kernel counts every load) and the
# next client's context must be derived anew, not remembered.
conf=$LAB_TMP/cache.conf
inetd_service ch tcp 7301 >"$conf"
inetd_start ch "$conf" || return 0
for i in 1 2 3; do
	inetd_ask "cache: client $i at s0:c7 gets a server at s0:c7" \
		tcp 127.0.0.2 7301 "$SERVICE:s0:c7" "$L1"
done
lab-loadpolicy /lab/policy.33 1 ||
	fail "cache: the policy loads again" "lab-loadpolicy failed"
inetd_ask "cache: after a policy load, a server at s0:c7 again" \
	tcp 127.0.0.2 7301 "$SERVICE:s0:c7" "$L1"
inetd_stop ch
expect_eq "cache: a policy load empties it (4 clients: 2 derived, 2 remembered)" \
	"contexts: 2 derived, 2 remembered" \
	"$(sed -n 's/.*stopping: .*\(contexts: [0-9]* derived, [0-9]* remembered\).*/\1/p' "$LAB_TMP/ch.out")"
sed 's/^/  | /' "$LAB_TMP/act.out" "$LAB_TMP/rl.out" "$LAB_TMP/ch.out"
