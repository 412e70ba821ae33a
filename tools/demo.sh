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

t_start=$SECONDS
announce() { printf 'demo: [%d:%02d] %s\n' $(((SECONDS - t_start) / 60)) $(((SECONDS - t_start) % 60)) "$*"; }

announce "installing what is missing"
tools/bootstrap.sh || { echo "demo: bootstrap failed" >&2; exit 1; }
if [[ ! -f $build/build.ninja ]]; then
	meson setup "$build" >/dev/null || { echo "demo: meson setup failed" >&2; exit 1; }
fi
if ninja -C "$build" -n | grep -q '^ninja: no work to do'; then
	announce "$build/ is up to date"
else
	announce "building $build/"
	ninja -C "$build" >/dev/null || { ninja -C "$build"; exit 1; }
fi

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
	local start end pid rc
	announce "booting the lab VM; one line per scenario as it finishes"
	start=$(date +%s)
	export PEERSEC_LAB_PROGRESS=$PWD/$build/lab-progress.log
	: >"$PEERSEC_LAB_PROGRESS"
	meson test -C "$build" --suite lab --print-errorlogs >"$build/demo-lab.log" 2>&1 &
	pid=$!
	tail -n +1 -F --pid="$pid" "$PEERSEC_LAB_PROGRESS" 2>/dev/null | sed -u 's/^/   lab: /' &
	wait "$pid"
	rc=$?
	wait
	end=$(date +%s)
	echo
	if grep -q 'SKIP' "$build/demo-lab.log" && [[ ! -s $vm/report.txt ]]; then
		echo "   the lab was skipped: $(grep -o 'SKIP.*' "$build/demo-lab.log" | head -n 1)"
		return 0
	fi
	local passed failed todo log=$build/meson-logs/testlog.txt
	passed=$(grep -c '^ok ' "$log")
	failed=$(grep '^not ok ' "$log" | grep -vc '# TODO')
	todo=$(grep '^not ok ' "$log" | grep -c '# TODO')
	echo "   $passed checks passed, $failed failed, $todo known issues (TODO), in $((end - start)) s"
	echo "   (meson test -C $build --suite lab; details in $log)"
	[[ -f $vm/timing.txt ]] &&
		echo "   $(tr -d '\r' <"$vm/results.log" | sed -n 's/^# timing: \/init reached at \(.*\) of guest uptime/kernel booted to \/init in \1/p')"
	echo
	# One row per transport, source and reader (the first label read, if
	# not a long one), columns as wide as their widest cell; then the long
	# labels by size.
	awk -F'|' '
		BEGIN {
			n = split("transport|labeling source|reader|peer address|label the library read", h, "|")
			for (i = 1; i <= n; i++) row[1, i] = h[i]
			n = 1
		}
		length($5) > 200 || ($1 SUBSEP $2 SUBSEP $3) in seen { next }
		{ seen[$1, $2, $3]; n++; for (i = 1; i <= 5; i++) row[n, i] = $i }
		END {
			for (r = 1; r <= n; r++)
				for (i = 1; i <= 4; i++)
					if (length(row[r, i]) > w[i]) w[i] = length(row[r, i])
			for (r = 1; r <= n; r++) {
				line = "  "
				for (i = 1; i <= 4; i++)
					line = line sprintf(" %-" w[i] "s", row[r, i])
				print line " " row[r, 5]
			}
		}' "$vm/report.txt"
	echo
	awk -F'|' 'length($5) > 200 { n = length($5) + 1
			if (!((s = $2) SUBSEP n in seen)) { seen[s, n]; sizes[s] = sizes[s] " " n } }
		END { for (s in sizes) printf "   long labels read exactly (%s): bytes with NUL:%s\n", s, sizes[s] }' \
		"$vm/report.txt"
	echo
	echo "   $(wc -l <"$vm/report.txt") labels read in all, each checked by its scenario against the"
	echo "   exact answer it expects.  Full list: $vm/report.txt"
	echo "   serial log of the VM: $vm/console.log"
	if [[ $rc -ne 0 ]]; then
		echo
		echo "   FAILED checks:"
		grep '^not ok' "$log" | grep -v '# TODO' | sed 's/^/     /'
	fi
	return $rc
}

# ----------------------------------------- section: peersec-inetd, the launcher
# The launcher's scenarios (tests/lab/scenarios/95-98) leave "# inetd:" lines
# in the VM's TAP output: which client (source address, NetLabel label) got a
# server in which context, who was refused and why, and the flood figures.
section_launcher() {
	echo "== peersec-inetd (examples/peersec-inetd): each client gets a server in the context its label decides"
	local results=$vm/results.log
	if [[ ! -s $results ]] || ! grep -q '^# inetd' "$results"; then
		echo "   no launcher results: the lab did not run (see above)"
		return 0
	fi
	echo "   The launcher runs as system_u:system_r:launcher_t:s0-s0:c0.c1023;"
	echo "   policy: launcher_t executing a service_exec_t file becomes service_t."
	echo
	local fmt='   %-5s %-10s %-38s %s\n'
	# shellcheck disable=SC2059
	printf "$fmt" proto client "client's label (NetLabel)" "context the server reported (/proc/self/attr/current)"
	# shellcheck disable=SC2059
	printf "$fmt" ----- ---------- -------------------------------------- ------------------------------------------------------
	tr -d '\r' <"$results" |
		sed -n 's/^# inetd: \([a-z]*\) client \([0-9.]*\) label \(.*\) -> server context \(.*\)$/\1 \2 \3 \4/p' |
		awk '!seen[$0]++' | while read -r p a l c; do
			# shellcheck disable=SC2059
			printf "$fmt" "$p" "$a" "$l" "$c"
		done
	echo
	echo "   refused (nothing started, connection closed or datagram dropped):"
	tr -d '\r' <"$results" |
		sed -n 's/^# inetd: \([a-z]*\) client \([0-9.]*\) -> refused ([^)]*): \(.*\)$/     \1 from \2: \3/p' |
		sed 's/ peer [0-9.]*:[0-9]* / /' | awk '!seen[$0]++'
	echo
	echo "   flood:"
	tr -d '\r' <"$results" | sed -n 's/^# inetd flood: /     /p'
	echo
	echo "   peersec_context_derive() against the policy:"
	tr -d '\r' <"$results" | sed -n 's/^# derive: derive /     /p'
	grep -q '^not ok .*\(inetd\|context-derive\)' "$build/meson-logs/testlog.txt" && {
		echo
		echo "   FAILED launcher checks:"
		grep '^not ok .*\(inetd\|context-derive\)' "$build/meson-logs/testlog.txt" | sed 's/^/     /'
		return 1
	}
	return 0
}

sections=(section_lab)
sections+=(section_launcher)

status=0
for s in "${sections[@]}"; do
	"$s" || status=1
	echo
done
exit $status
