# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh
#
# Helpers for the benchmark scenarios (bench/lab/scenarios/*.sh), sourced
# inside the lab VM after lablib.sh.  Each bench program runs as one check
# (ok when it worked: a benchmark asserts no speed); its table goes to the
# TAP stream as "# " lines and each JSON line of its figures as
# "# bench-json: {...}", which bench/lab/run.sh collects on the host.
#
# Options for every program: --env lab and the rounds below, or --quick when
# bench/lab/run.sh put /lab/bin/bench-quick into the VM.  Options a scenario
# gives after the program's name come later and win (but not over --quick).

BENCH_JSON=$LAB_TMP/bench.jsonl
# TCG is noisy and the host's cores are shared: many short rounds, so that
# each round's variants run close together in time.
BENCH_OPTS="--env lab --rounds 201 --batch-ms 5"
[ -f /lab/bin/bench-quick ] && BENCH_OPTS="--env lab --quick"

# Labels with non-adjacent categories, so the kernel cannot fold them into
# ranges: one of 40 bytes with its NUL, one of about 1000.
BENCH_L40=system_u:system_r:peer_t:s0:c0,c2,c4,c6
BENCH_L1000=$(awk 'BEGIN {
	s = "system_u:system_r:peer_t:s0:c0"
	for (c = 2; length(s) < 996; c += 2) s = s ",c" c
	print s }')

# bench_run NAME PROGRAM ARGS...: run a bench program, forward its table and
# its JSON lines.
bench_run() {
	local name=$1 prog=$2 rc

	shift 2
	: >"$BENCH_JSON"
	# shellcheck disable=SC2086
	LAB_TIMEOUT=${BENCH_TIMEOUT:-100} expect_run "$name" "$prog" \
		$BENCH_OPTS "$@" --json "$BENCH_JSON"
	rc=$?
	sed 's/^/# /' "$LAB_TMP/last.out" >>"$LAB_TAP"
	sed 's/^/# bench-json: /' "$BENCH_JSON" >>"$LAB_TAP"
	return $rc
}

# ---- launchers: peersec-inetd and xinetd serving the same program --------
# (for the launcher scenarios; needs inetd-lablib.sh sourced first)
#
# Both run as the launcher's domain (launcher_t, s0-s0:c0.c1023), both start
# the same program (peersec-whoami, on the lab's service_exec_t tmpfs) as
# uid 1000, and both derive the child's context the same way: the peer's
# range, then the policy's transition.  bench-connect checks that the two
# children run in the same context before it times anything.  xinetd's own
# rate limits, libwrap and logging are switched off so that it is measured at
# its fastest.  xinetd applies attributes in file order: flags must come
# before server_args, or NAMEINARGS is not yet known when the arguments are
# parsed, argv[0] is the bare name and LABELED's getfilecon(argv[0]) fails.
#
# bench_launchers_start: peersec-inetd on 127.0.0.1:7202, xinetd on :7201.
bench_launchers_start() {
	local server conf xconf

	command -v xinetd >/dev/null || {
		skip "launcher against xinetd" "no xinetd in the VM"
		return 1
	}
	inetd_prepare || return 1
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
	inetd_start inetd "$conf" || return 1
	LAB_TIMEOUT=110 lab_bg xinetd run_as "$INETD_CTX" \
		xinetd -dontfork -pidfile "$LAB_TMP/xinetd.daemon.pid" \
		-filelog "$LAB_TMP/xinetd-own.log" -f "$xconf"
}

# bench_launchers_stop: stop both; what xinetd said goes to the TAP stream.
bench_launchers_stop() {
	local f

	inetd_stop
	# xinetd itself, not only the job's shell: the next scenario binds the
	# same port
	kill "$(cat "$LAB_TMP/xinetd.daemon.pid" 2>/dev/null)" 2>/dev/null
	lab_wait xinetd
	for f in "$LAB_TMP/xinetd.log" "$LAB_TMP/xinetd-own.log"; do
		[ -s "$f" ] && tail -n 8 "$f" | sed 's/^/# xinetd: /' >>"$LAB_TAP"
	done
	return 0
}
