#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run the benchmark scenarios in the lab VM and bring the figures back.
#
#   bench/lab/run.sh BUILDDIR RESULTS.jsonl [--quick]
#
# The lab (tests/lab, see its README) boots one VM and runs every scenario in
# its scenarios/ directory.  The benchmarks must not lengthen the lab's test
# run, so they are not there: this script runs tests/lab/run-lab.sh with
# --scenarios bench/lab/scenarios and bench/lab/benchlib.sh as an extra
# /lab/bin file, with the lab's own in-VM programs plus the bench programs,
# peersec-inetd, peersec-whoami and Debian's xinetd.  The VM is exactly the
# lab's (kernel, policy, modules, /init); only the scenarios differ.
#
# Each bench program's table comes back as TAP comments and its figures as
# "# bench-json: {...}" lines, appended to RESULTS.jsonl.  Exit 0 when every
# check passed or the lab cannot run here (it says why), 1 otherwise.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
[[ $# -ge 2 ]] || { echo "usage: $0 BUILDDIR RESULTS.jsonl [--quick]" >&2; exit 2; }
build=$(cd "$1" && pwd) json=$2 quick=${3:-}
work=$build/bench/lab

mkdir -p "$work" || { echo "bench: cannot create $work" >&2; exit 1; }
extra=(--vm-bin "$here/benchlib.sh")
if [[ $quick == --quick ]]; then
	printf '#!/bin/sh\n# bench/lab/run.sh --quick\nexit 0\n' >"$work/bench-quick" &&
	chmod 0755 "$work/bench-quick" || exit 1
	extra+=(--vm-bin "$work/bench-quick")
fi

# The lab's own programs (whatever tests/lab/meson.build builds), then ours.
progs=()
while IFS= read -r f; do
	head -c 4 "$f" 2>/dev/null | grep -q 'ELF' && progs+=("$f")
done < <(find "$build/tests/lab" -maxdepth 1 -type f -perm -u+x | sort)
for f in bench/bench-stream bench/bench-udp bench/bench-allocs \
	bench/bench-connect examples/peersec-inetd/peersec-inetd \
	examples/peersec-inetd/peersec-whoami; do
	if [[ -x $build/$f ]]; then
		progs+=("$build/$f")
	else
		echo "bench: $f was not built; its scenario will fail or skip"
	fi
done
xinetd=$(command -v xinetd || true)
[[ -z $xinetd && -x /usr/sbin/xinetd ]] && xinetd=/usr/sbin/xinetd
[[ -n $xinetd ]] && progs+=("$xinetd")

lib=$(find "$build/lib" -maxdepth 1 -name 'libpeersec.so.*.*.*' -type f -print -quit)
[[ -n $lib ]] || { echo "bench: no libpeersec.so in $build/lib" >&2; exit 1; }

out=$work/out.txt err=$work/err.txt
echo "bench: booting the lab VM with the bench scenarios (log: $out)"
PEERSEC_BUILDDIR=$build PEERSEC_LAB_WORK=$work/vm PEERSEC_LAB_ONLY='*' \
	"$top/tests/lab/run-lab.sh" --scenarios "$here/scenarios" "${extra[@]}" \
	--lib "$lib" "${progs[@]}" >"$out" 2>"$err"
rc=$?
if [[ $rc -eq 77 ]]; then
	echo "bench: the lab cannot run here: $(tail -n 1 "$err")"
	exit 0
fi

sed -n 's/^# bench-json: //p' "$out" >>"$json"
grep -v '^# bench-json: ' "$out" | sed -n -e 's/^# \{0,1\}//p' -e '/^ok \|^not ok /p'
if grep -q '^not ok ' "$out" || [[ $rc -ne 0 ]]; then
	echo "bench: some lab checks failed; the serial log: $work/vm/console.log"
	tail -n 60 "$err"
	exit 1
fi
exit 0
