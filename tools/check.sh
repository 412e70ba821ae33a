#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Run every test of libpeersec: the README's test command, and what CI runs.
#
# Three lines of work side by side (a VM keeps about one core busy under
# TCG; the lab's bounds scale with the VM's speed):
#   a VM          as soon as build/ is built: the lab's scenarios under
#                 Debian's refpolicy, MLS and MCS (lab-refpolicy), then
#                 build/'s library-calling programs under valgrind
#                 (lab-memcheck), then AppArmor's answers (lab-apparmor)
#   a VM          as soon as build-asan/ is built: the lab, every scenario
#                 under the small policy, with the library, the launcher
#                 and every program under ASan+UBSan
#   the host      build/: unit, host, hygiene and install tests; Debian
#                 packages built from a copy of the tree and used, and a
#                 parent project using libpeersec as a subproject;
#                 build-asan/: unit, host, peersec(1) and Python tests under
#                 ASan+UBSan;
#                 build/: unit and host tests under valgrind memcheck;
#                 build-min/: without libselinux and libsctp (the same
#                 exports, -EOPNOTSUPP), unit, host and hygiene tests;
#                 build-nosctp/, build-noselinux/: without one of them,
#                 hygiene tests (the same exports in every configuration);
#                 build-tsan/: every function from many threads (TSan);
#                 build-fuzz/: libFuzzer targets, a bounded time each;
#                 build-cov/: unit and host tests for coverage of lib/
#                 build-min-docs/: install tests without libselinux, man
#                 pages included (no launcher, so none of its pages)
#
# Each stage is announced with the time since the start; a lab stage shows
# one line per scenario as the VM finishes it.  Ends with one line
# "check: N passed, N failed, N skipped" and exits non-zero if anything
# failed.  With CI=true, no suite may skip for want of a VM or root.
set -uo pipefail
cd "$(dirname "$0")/.."
top=$PWD

t_start=$SECONDS
# elapsed: the time since check.sh started, as m:ss.
elapsed() { printf '%d:%02d' $(((SECONDS - t_start) / 60)) $(((SECONDS - t_start) % 60)); }
announce() { echo "check: [$(elapsed)] $*"; }

announce "installing what is missing"
tools/bootstrap.sh || { echo "check: bootstrap failed" >&2; exit 1; }

# Each stage appends "PASSED FAILED SKIPPED" to this file, and "0 0 0 1"
# when meson test itself failed; the two lines of work run in separate
# processes.
tallies=$(mktemp)
# Each failed test adds "stage / test: check" lines here, repeated at the end
# so the last lines of the output name what failed.
failures=$(mktemp)
# (on an early exit, the VMs' lines of work stop too)
trap 'kill $(jobs -p) 2>/dev/null; rm -f "$tallies" "$failures"' EXIT

# tally LOGBASE DIR NAME SECONDS: add up one meson test run from its JSON log,
# and note each failed test's failed TAP checks (or its result) in $failures.
tally() {
	local counts p f s
	counts=$(python3 - "$2/meson-logs" "$1" "$3" "$failures" <<'PY'
import glob, json, os, sys
logdir, logbase, stage, failures = sys.argv[1:]
p = f = s = 0
# LOGBASE.json, or LOGBASE-SETUP.json with meson test --setup
logs = glob.glob(os.path.join(logdir, logbase + ".json"))
logs += glob.glob(os.path.join(logdir, logbase + "-*.json"))
lines = [line for log in logs for line in open(log)]
with open(failures, "a") as out:
    for line in lines:
        r = json.loads(line)
        if r["result"] in ("OK", "EXPECTEDFAIL"): p += 1
        elif r["result"] == "SKIP": s += 1
        else:
            f += 1
            why = [l for l in (r.get("stdout") or "").splitlines()
                   if l.startswith(("not ok", "Bail out!"))
                   and "# TODO" not in l]
            for l in why[:40] or [r["result"]]:
                print(f"  [{stage}] {r['name']}: {l}", file=out)
            if len(why) > 40:
                print(f"  [{stage}] {r['name']}: and {len(why) - 40} more",
                      file=out)
print(p, f, s)
PY
)
	read -r p f s <<<"$counts"
	if [[ $((p + f + s)) -eq 0 ]]; then
		echo "check: stage $3 ran no test"
		f=1
	fi
	echo "$p $f $s" >>"$tallies"
	echo "check: stage $3: $p passed, $f failed, $s skipped ($4 s)"
}

# stage NAME BUILDDIR MESON-TEST-ARGS...
# A lab stage streams one line per scenario as the VM finishes it
# (run-lab.sh writes them to PEERSEC_LAB_PROGRESS).
stage() {
	local name=$1 dir=$2 t0=$SECONDS pid shown logbase
	shift 2
	# unique, and no stage's log base begins another's
	logbase=check-$(tr -c 'a-zA-Z0-9\n' - <<<"$name")_
	announce "=== $name"
	rm -f "$dir/meson-logs/$logbase".* "$dir/meson-logs/$logbase"-*
	export PEERSEC_LAB_PROGRESS=$top/$dir/$logbase.progress
	: >"$PEERSEC_LAB_PROGRESS"
	# meson's per-test timeouts (30 s unless a test sets its own) are for
	# hangs: four times that on a busy machine still catches one
	meson test -C "$dir" --no-rebuild --timeout-multiplier 4 \
		--logbase "$logbase" --print-errorlogs "$@" &
	pid=$!
	tail -n +1 -F --pid="$pid" "$PEERSEC_LAB_PROGRESS" 2>/dev/null |
		sed -u "s/^/  [$name] /" &
	shown=$!
	wait "$pid" || echo "0 0 0 1" >>"$tallies"
	wait "$shown"
	tally "$logbase" "$dir" "$name" $((SECONDS - t0))
}

# suite_targets BUILDDIR SUITE...: the ninja targets the tests of these
# suites need (their programs and whatever meson lists as their depends).
suite_targets() {
	python3 - "$@" <<'PY'
import json, os, subprocess, sys
d, suites = sys.argv[1], set(sys.argv[2:])
def info(what):
    return json.loads(subprocess.check_output(["meson", "introspect", d, what]))
files = {t["id"]: t["filename"] for t in info("--targets")}
want = set()
for t in info("--tests"):
    if suites & {s.split(":")[-1] for s in t["suite"]}:
        for dep in t["depends"]:
            want.update(os.path.relpath(f, d) for f in files.get(dep, []))
print("\n".join(sorted(want)))
PY
}

# setup BUILDDIR MESON-OPTIONS...: configure and build, saying which.  With
# FOR_SUITES="S1 S2", only what those suites' tests need is built.
setup() {
	local dir=$1 t0=$SECONDS targets=()
	shift
	if [[ -f $dir/build.ninja ]]; then
		meson setup --reconfigure "$dir" "$@" >/dev/null
	else
		meson setup "$dir" "$@" >/dev/null
	fi || { echo "check: meson setup of $dir failed" >&2; exit 1; }
	if [[ -n ${FOR_SUITES:-} ]]; then
		# shellcheck disable=SC2086
		mapfile -t targets < <(suite_targets "$dir" $FOR_SUITES)
		[[ ${#targets[@]} -gt 0 ]] ||
			{ echo "check: no test of $FOR_SUITES in $dir" >&2; exit 1; }
	fi
	if [[ $(ninja -C "$dir" -n "${targets[@]}") == *'ninja: no work to do'* ]]; then
		announce "$dir/ is up to date"
		return
	fi
	announce "building $dir/${*:+ ($*)}${FOR_SUITES:+ for $FOR_SUITES}"
	ninja -C "$dir" "${targets[@]}" >/dev/null ||
		{ echo "check: build of $dir failed" >&2; ninja -C "$dir" "${targets[@]}"; exit 1; }
	echo "check: built $dir/ in $((SECONDS - t0)) s"
}

# Two VMs, each able to keep a core busy under TCG, start as soon as their
# build is there.  The small policy's lab runs once, with the sanitized
# build: every program and the library under ASan+UBSan, a sanitizer report
# in any scenario fails it (tests/lab/README.md).  The plain build, the one
# that ships, runs under Debian's policies: every scenario but 99 under
# refpolicy MLS, 00 and 95-99 under MCS.  lab-memcheck runs stream-peer,
# udp-peer and sctp-peer under valgrind in 94-library-sample.
setup build
{
	stage "lab, refpolicy MLS and MCS" build --suite lab-refpolicy
	stage "lab, valgrind" build --suite lab-memcheck
	stage "lab, AppArmor" build --suite lab-apparmor
} &
vm_work=$!
setup build-asan -Db_sanitize=address,undefined -Db_lundef=false -Ddocs=disabled
stage "lab, ASan+UBSan" build-asan --suite lab &
vm_asan=$!

# The host's line of work.
stage "unit, host, hygiene, install" build --no-suite lab --no-suite lab-memcheck \
	--no-suite lab-refpolicy --no-suite lab-apparmor --no-suite fuzz
stage "Debian packages, subproject" build --suite package
stage "ASan+UBSan" build-asan --suite unit --suite host --suite cli --suite python
stage "valgrind memcheck" build --setup valgrind --suite unit --suite host

FOR_SUITES="unit host hygiene" setup build-min -Dselinux=disabled -Dsctp=disabled -Ddocs=disabled -Dlab=disabled
stage "without libselinux and libsctp" build-min --suite unit --suite host --suite hygiene
FOR_SUITES=hygiene setup build-nosctp -Dselinux=enabled -Dsctp=disabled -Ddocs=disabled -Dlab=disabled
stage "hygiene without libsctp" build-nosctp --suite hygiene
FOR_SUITES=hygiene setup build-noselinux -Dselinux=disabled -Dsctp=enabled -Ddocs=disabled -Dlab=disabled
stage "hygiene without libselinux" build-noselinux --suite hygiene

# The man pages of a build without the launcher (no libselinux): only what
# that build installs (tests/install/man-pages.sh).
FOR_SUITES=install setup build-min-docs -Dselinux=disabled -Dsctp=disabled -Dlab=disabled -Dpython=disabled -Ddocs=enabled
stage "install, without libselinux, with man pages" build-min-docs --suite install

CC=clang FOR_SUITES=threads setup build-tsan -Db_sanitize=thread -Db_lundef=false -Ddocs=disabled
TSAN_OPTIONS=halt_on_error=1:exitcode=66 stage "ThreadSanitizer" build-tsan --suite threads

CC=clang FOR_SUITES=fuzz setup build-fuzz -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false -Ddocs=disabled
stage "fuzz" build-fuzz --suite fuzz

FOR_SUITES="unit host" setup build-cov -Db_coverage=true -Ddocs=disabled
stage "coverage run" build-cov --suite unit --suite host
announce "=== coverage of lib/ (unit + host tests)"
gcovr -r "$top" --object-directory build-cov --filter "$top/lib/" --print-summary -s 2>/dev/null | tail -n 3

announce "host stages done; waiting for the VMs"
wait "$vm_work" "$vm_asan"

read -r total_pass total_fail total_skip stage_fail < <(awk '
	{ p += $1; f += $2; s += $3; e += $4 }
	END { print p + 0, f + 0, s + 0, e + 0 }' "$tallies")
announce "done"
if [[ -s $failures ]]; then
	echo "check: what failed:"
	cat "$failures"
fi
echo "check: $total_pass passed, $total_fail failed, $total_skip skipped"
[[ $total_fail -eq 0 && $stage_fail -eq 0 ]]
