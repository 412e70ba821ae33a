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
