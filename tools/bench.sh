#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run libpeersec's benchmarks and print the table of figures and goals
# (bench/README.md explains each figure).
#
#   tools/bench.sh [--quick] [--host-only | --lab-only] [--out DIR]
#
#   host   this machine's kernel: the unlabeled path (timed), allocations and
#          userspace instructions per call (also with a userspace labeling
#          kernel, bench/fake-kernel.c)
#   lab    the lab VM (tests/lab, SELinux enforcing, NetLabel labels): the
#          labeled figures and the launcher against xinetd.  Needs root and
#          qemu; skipped with a note when the lab cannot run.
#
# Output: the tables on stdout (and DIR/bench.log), every figure as one JSON
# line in DIR/results.jsonl, the summary in DIR/summary.md.  DIR defaults to
# bench-results/.  --quick runs every program briefly: it checks that they
# work and measures nothing worth reading.
#
# Exit status: 0 when everything ran (goals missed or not: a benchmark is
# not a test), 1 when a program failed.
set -uo pipefail
cd "$(dirname "$0")/.."
top=$PWD

quick=() where=all out=bench-results
while [[ $# -gt 0 ]]; do
	case $1 in
	--quick) quick=(--quick) ;;
	--host-only) where=host ;;
	--lab-only) where=lab ;;
	--out) out=$2; shift ;;
	-h|--help) sed -n '3,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done

mkdir -p "$out" || exit 1
out=$(cd "$out" && pwd)
json=$out/results.jsonl
log=$out/bench.log
: >"$json"
: >"$log"
exec > >(tee -a "$log") 2>&1

tools/bootstrap.sh || { echo "bench: bootstrap failed" >&2; exit 1; }

# The library as it ships (meson's default build type), benchmarks enabled.
build=$top/build-bench
if [[ -f $build/build.ninja ]]; then
	meson setup --reconfigure "$build" -Dtests=enabled >/dev/null
else
	meson setup "$build" -Dtests=enabled >/dev/null
fi || { echo "bench: meson setup failed" >&2; exit 1; }
ninja -C "$build" >/dev/null || { ninja -C "$build"; exit 1; }
B=$build/bench

failed=0
run() {
	echo "+ ${*#"$B/"}" | sed "s|$top/||g"
	"$@" --json "$json" || { echo "bench: FAILED: $*" >&2; failed=1; }
}

echo "bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -r), $(nproc) CPUs," \
	"load $(cut -d' ' -f1-3 /proc/loadavg), git $(git rev-parse --short HEAD 2>/dev/null || echo '?')"

if [[ $where != lab ]]; then
	echo
	echo "######## host: $(uname -r), active LSMs:" \
		"$(cat /sys/kernel/security/lsm 2>/dev/null || echo '?')"
	run "$B/bench-stream" "${quick[@]}" --env host
	run "$B/bench-udp" "${quick[@]}" --env host
	run "$B/bench-allocs" "${quick[@]}" --env host
	for bytes in 40 1000; do
		run "$B/bench-allocs" "${quick[@]}" --env "host-fake$bytes" \
			--fake-label "$bytes"
	done
	if command -v valgrind >/dev/null; then
		run "$B/bench-insns" "${quick[@]}" --env host
		for bytes in 40 1000; do
			run "$B/bench-insns" "${quick[@]}" \
				--env "host-fake$bytes" --fake-label "$bytes"
		done
	else
		echo "bench: valgrind not found: no instruction counts"
	fi
fi

if [[ $where != host ]]; then
	echo
	echo "######## lab VM"
	if [[ -x $top/bench/lab/run.sh ]]; then
		"$top/bench/lab/run.sh" "$build" "$json" "${quick[@]}" || failed=1
	else
		echo "bench: no lab runner on this branch"
	fi
fi

python3 "$top/bench/summary.py" "$json" --markdown "$out/summary.md" ||
	failed=1
echo
echo "bench: figures in $json, summary in $out/summary.md, log in $log"
exit $failed
