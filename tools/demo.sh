#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The README's first command: install what is needed, build libpeersec, boot
# the labeled-network lab (tests/lab) and show, in a short report, real peers
# and the labels the library read for them.
#
#   tools/demo.sh            as root on Debian 12
#
# The report has one section per part of the project; each section is a
# function below, listed in `sections`.  Add yours there.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
build=build
vm=$build/tests/lab/vm

tools/bootstrap.sh || { echo "demo: bootstrap failed" >&2; exit 1; }
if [[ ! -f $build/build.ninja ]]; then
	meson setup "$build" >/dev/null || { echo "demo: meson setup failed" >&2; exit 1; }
fi
ninja -C "$build" >/dev/null || { ninja -C "$build"; exit 1; }

# Shorten a label for the table: long MLS ranges keep their start and size.
short() {
	local l=$1

	if [[ ${#l} -gt 56 ]]; then
		echo "${l:0:40}... ($(( ${#l} + 1 )) bytes)"
	else
		echo "$l"
	fi
}

# ----------------------------------------------------- section: the lab VM
section_lab() {
	echo "== The labeled-network lab (tests/lab): a qemu VM, Debian's kernel, SELinux enforcing"
	local start end
	start=$(date +%s)
	meson test -C "$build" --suite lab --print-errorlogs >"$build/demo-lab.log" 2>&1
	local rc=$?
	end=$(date +%s)
	if grep -q 'SKIP' "$build/demo-lab.log" && [[ ! -s $vm/report.txt ]]; then
		echo "   the lab was skipped: $(grep -o 'SKIP.*' "$build/demo-lab.log" | head -n 1)"
		return 0
	fi
	local passed failed
	passed=$(grep -c '^ok ' "$build/meson-logs/testlog.txt")
	failed=$(grep -c '^not ok ' "$build/meson-logs/testlog.txt")
	echo "   $passed checks passed, $failed failed, in $((end - start)) s (meson test -C $build --suite lab)"
	[[ -f $vm/timing.txt ]] &&
		echo "   $(tr -d '\r' <"$vm/results.log" | sed -n 's/^# timing: \/init reached at \(.*\) of guest uptime/kernel booted to \/init in \1/p')"
	echo
	# One row per transport, source and reader (the first label read), then
	# the long labels by size.
	local fmt='   %-6s %-25s %-7s %-16s %s\n'
	# shellcheck disable=SC2059
	printf "$fmt" transport "labeling source" reader "peer address" "label the library read"
	# shellcheck disable=SC2059
	printf "$fmt" ------ ------------------------- ------- ---------------- ----------------------
	local seen=" " t s r a l key
	while IFS='|' read -r t s r a l _; do
		key="$t|$s|$r"
		[[ ${#l} -gt 200 || $seen == *" $key "* ]] && continue
		seen+="$key "
		# shellcheck disable=SC2059
		printf "$fmt" "$t" "$s" "$r" "$a" "$l"
	done <"$vm/report.txt"
	echo
	awk -F'|' 'length($5) > 200 { n = length($5) + 1
			if (!((s = $2) SUBSEP n in seen)) { seen[s, n]; sizes[s] = sizes[s] " " n } }
		END { for (s in sizes) printf "   long labels read exactly (%s): bytes with NUL:%s\n", s, sizes[s] }' \
		"$vm/report.txt"
	echo
	echo "   $(wc -l <"$vm/report.txt") labels read in all; every one checked against the"
	echo "   exact string the test set.  Full list: $vm/report.txt"
	echo "   serial log of the VM: $vm/console.log"
	if [[ $rc -ne 0 ]]; then
		echo
		echo "   FAILED checks:"
		grep '^not ok' "$build/meson-logs/testlog.txt" | sed 's/^/     /'
	fi
	return $rc
}

sections=(section_lab)

status=0
for s in "${sections[@]}"; do
	"$s" || status=1
	echo
done
exit $status
