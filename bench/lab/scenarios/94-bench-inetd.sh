# SPDX-License-Identifier: LGPL-2.1-or-later
# Benchmark: connections/s to a labeled service, peersec-inetd against
# Debian's xinetd with flags = LABELED.  Both run as the launcher's domain
# (launcher_t, s0-s0:c0.c1023), both start the same program
# (peersec-whoami, copied onto the service_exec_t tmpfs) as uid 1000, and
# both derive the child's context the same way (the peer's range, then the
# policy's transition): bench-connect checks that the two children run in the
# same context before it times anything.  The client connects from
# 127.0.0.2, which NetLabel labels.  xinetd's own rate limits, libwrap and
# logging are switched off so that it is measured at its fastest.  (xinetd
# applies attributes in file order: flags must come before server_args, or
# NAMEINARGS is not yet known when the arguments are parsed, argv[0] is then
# the bare name, and LABELED's getfilecon(argv[0]) fails.)
LAB_SOURCE="NetLabel static" LAB_TRANSPORT=tcp4
. /lab/bin/benchlib.sh
. /lab/bin/inetd-lablib.sh
command -v xinetd >/dev/null || { skip "launcher against xinetd" "no xinetd"; return 0; }
inetd_prepare || return 0
lab_netlabel "$BENCH_L40" 127.0.0.2 || return 0

server=$INETD_SVC/peersec-whoami
conf=$LAB_TMP/peersec-inetd.conf
cat >"$conf" <<EOC
service bench
{
	protocol = tcp
	port = 7202
	bind = 127.0.0.1
	user = $INETD_UID
	group = $INETD_UID
	server = $server
	instances = 64
}
EOC
xconf=$LAB_TMP/xinetd.conf
cat >"$xconf" <<EOC
defaults
{
	log_type = FILE $LAB_TMP/xinetd.log
}
service bench
{
	type = UNLISTED
	socket_type = stream
	protocol = tcp
	wait = no
	port = 7201
	bind = 127.0.0.1
	user = $INETD_UID
	group = $INETD_UID
	flags = LABELED NAMEINARGS NOLIBWRAP
	server = $server
	server_args = $server
	instances = UNLIMITED
	per_source = UNLIMITED
	cps = 1000000 1
	log_on_success =
	log_on_failure =
}
EOC

inetd_start inetd "$conf" || return 0
LAB_TIMEOUT=110 lab_bg xinetd run_as "$INETD_CTX" xinetd -dontfork -filelog "$LAB_TMP/xinetd-own.log" -f "$xconf"

BENCH_TIMEOUT=105 bench_run "connections/s: peersec-inetd against xinetd" \
	bench-connect --base xinetd:7201 --new peersec-inetd:7202 \
	--src 127.0.0.2 --wait 20 --rounds 9 --batch-ms 400
inetd_stop
kill "$(cat "$LAB_TMP/xinetd.pid" 2>/dev/null)" 2>/dev/null
# What xinetd said, when something went wrong.
for f in "$LAB_TMP/xinetd.log" "$LAB_TMP/xinetd-own.log" "$LAB_TMP/xinetd.out"; do
	[ -s "$f" ] && tail -n 8 "$f" | sed 's/^/# xinetd: /' >>"$LAB_TAP"
done
