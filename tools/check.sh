#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Run every test of libpeersec: the README's test command, and what CI runs.
#
#   build/        unit, host, hygiene and install tests, then the lab VM
#   build-asan/   unit and host tests under ASan+UBSan (halt on error), and
#                 the lab VM with the sanitized library and programs
#   build/ again  unit and host tests under valgrind memcheck
#   build-tsan/   every function from many threads at once, ThreadSanitizer
#   build/ again  the lab's library-calling programs under valgrind (in the VM)
#   build-fuzz/   libFuzzer targets, a bounded time each (clang)
#   build-cov/    unit and host tests for line coverage of lib/ (gcovr)
#
# Ends with one line "check: N passed, N failed, N skipped" and exits non-zero
# if anything failed.  With CI=true, no suite may skip for want of a VM or root.
set -uo pipefail
cd "$(dirname "$0")/.."
top=$PWD

t_start=$SECONDS
# elapsed: the time since check.sh started, as m:ss.
elapsed() { printf '%d:%02d' $(((SECONDS - t_start) / 60)) $(((SECONDS - t_start) % 60)); }
announce() { echo "check: [$(elapsed)] $*"; }

announce "installing what is missing"
tools/bootstrap.sh || { echo "check: bootstrap failed" >&2; exit 1; }

total_pass=0 total_fail=0 total_skip=0 stage_fail=0
# Add up one meson test run from its testlog.json.
tally() {
	local counts
	counts=$(python3 - "$1"/meson-logs/testlog*.json <<'PY'
import json, sys
p = f = s = 0
for path in sys.argv[1:]:
    try:
        lines = open(path).readlines()
    except FileNotFoundError:
        continue
    for line in lines:
        r = json.loads(line)["result"]
        if r in ("OK", "EXPECTEDFAIL"): p += 1
        elif r == "SKIP": s += 1
        else: f += 1
print(p, f, s)
PY
)
	read -r p f s <<<"$counts"
	if [[ $((p + f + s)) -eq 0 ]]; then
		echo "check: stage $2 ran no test"
		f=1
	fi
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f)) total_skip=$((total_skip + s))
	echo "check: stage $2: $p passed, $f failed, $s skipped ($3 s)"
}

# stage NAME BUILDDIR MESON-TEST-ARGS...
# A lab stage streams one line per scenario as the VM finishes it
# (run-lab.sh writes them to PEERSEC_LAB_PROGRESS).
stage() {
	local name=$1 dir=$2 t0=$SECONDS pid
	shift 2
	announce "=== $name"
	rm -f "$dir"/meson-logs/testlog*.json
	export PEERSEC_LAB_PROGRESS=$PWD/$dir/lab-progress.log
	: >"$PEERSEC_LAB_PROGRESS"
	meson test -C "$dir" --no-rebuild --print-errorlogs "$@" &
	pid=$!
	tail -n +1 -F --pid="$pid" "$PEERSEC_LAB_PROGRESS" 2>/dev/null | sed -u 's/^/  /' &
	wait "$pid" || stage_fail=1
	wait
	tally "$dir" "$name" $((SECONDS - t0))
}

# setup BUILDDIR MESON-OPTIONS...: configure and build, saying which.
setup() {
	local dir=$1 t0=$SECONDS
	shift
	if [[ -f $dir/build.ninja ]]; then
		meson setup --reconfigure "$dir" "$@" >/dev/null
	else
		meson setup "$dir" "$@" >/dev/null
	fi || { echo "check: meson setup of $dir failed" >&2; exit 1; }
	if ninja -C "$dir" -n | grep -q '^ninja: no work to do'; then
		announce "$dir/ is up to date"
		return
	fi
	announce "building $dir/${*:+ ($*)}"
	ninja -C "$dir" >/dev/null || { echo "check: build of $dir failed" >&2; ninja -C "$dir"; exit 1; }
	echo "check: built $dir/ in $((SECONDS - t0)) s"
}

setup build
stage "unit, host, hygiene, install" build --no-suite lab --no-suite lab-memcheck --no-suite fuzz
stage "lab (VM)" build --suite lab

setup build-asan -Db_sanitize=address,undefined -Db_lundef=false -Ddocs=disabled
stage "ASan+UBSan" build-asan --suite unit --suite host

stage "valgrind memcheck" build --setup valgrind --suite unit --suite host

CC=clang setup build-tsan -Db_sanitize=thread -Db_lundef=false -Ddocs=disabled
TSAN_OPTIONS=halt_on_error=1:exitcode=66 stage "ThreadSanitizer" build-tsan --suite threads

# The lab's in-VM programs under ASan+UBSan and valgrind: the whole lab with
# the sanitized library, launcher and programs (a sanitizer report in any
# scenario fails it: tests/lab/README.md), then stream-peer, udp-peer and
# sctp-peer under valgrind memcheck in 94-library-sample (lab-memcheck).
stage "lab (VM) under ASan+UBSan" build-asan --suite lab
stage "lab (VM) under valgrind memcheck" build --suite lab-memcheck

CC=clang setup build-fuzz -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false -Ddocs=disabled
stage "fuzz" build-fuzz --suite fuzz

setup build-cov -Db_coverage=true -Ddocs=disabled
stage "coverage run" build-cov --suite unit --suite host
announce "=== coverage of lib/ (unit + host tests)"
gcovr -r "$top" --object-directory build-cov --filter "$top/lib/" --print-summary -s 2>/dev/null | tail -n 3

announce "done"
echo "check: $total_pass passed, $total_fail failed, $total_skip skipped"
[[ $total_fail -eq 0 && $stage_fail -eq 0 ]]
