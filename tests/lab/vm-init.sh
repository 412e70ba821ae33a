#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# /init of the lab VM (busybox ash, PID 1).  Mounts what the tests need,
# loads the kernel modules and the policy, runs every scenario under
# /lab/scenarios in order, and writes TAP lines to the second serial port
# (/dev/ttyS1), which the host reads back (run-lab.sh).  Everything else
# goes to the console (ttyS0), the serial log.  Then powers off.
#
# Kernel command line options read here:
#   lab.only=GLOB        run only scenarios whose file name matches GLOB
#   lab.enforcing=0|1    SELinux mode after the policy load (default 1)
#   lab.scale=N          the time scale (default: measured, see below)
#   lab.stall=SECS       the scenario watchdog's bound (default 150 * scale)
#   lab.lsm=apparmor     AppArmor instead of SELinux: no policy load and no
#                        SELinux checks; securityfs is mounted for the
#                        scenarios' apparmor_parser
# lab.only may list several globs separated by commas.
#
# Time bounds exist to catch hangs, not slowness.  The guest's uptime when
# /init starts measures how fast this machine runs the VM right now (about
# 1.7 s on an idle machine of the project's size, 3.5 s on a slow or busy
# one): LAB_SCALE is that figure over 1.2 s, rounded up (at least 1), and
# every bound in the scenarios is multiplied by it (lablib.sh).  A scenario
# itself has no time limit while it makes progress: it is stopped only when
# neither its checks nor its programs' outputs changed for LAB_STALL
# seconds, and that failure names the last check it reached.

/bin/busybox mkdir -p /proc /sys /dev /run /tmp /var /bin /sbin /usr/bin
/bin/busybox --install -s /bin
export PATH=/lab/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t selinuxfs selinuxfs /sys/fs/selinux
mount -t securityfs securityfs /sys/kernel/security
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
ln -s /run /var/run

/usr/sbin/ip link set lo up
stty -F /dev/ttyS1 raw -echo
exec 3>/dev/ttyS1

boot_s=$(cut -d' ' -f1 /proc/uptime)
only='*' enforcing=1 scale='' stall='' lsm=selinux
for arg in $(cat /proc/cmdline); do
	case $arg in
	lab.only=*) only=${arg#lab.only=} ;;
	lab.enforcing=*) enforcing=${arg#lab.enforcing=} ;;
	lab.scale=*) scale=${arg#lab.scale=} ;;
	lab.stall=*) stall=${arg#lab.stall=} ;;
	lab.lsm=*) lsm=${arg#lab.lsm=} ;;
	esac
done
[ -n "$scale" ] ||
	scale=$(awk -v b="$boot_s" 'BEGIN { s = int(b / 1.2); if (s < b / 1.2) s++; print (s < 1 ? 1 : s) }')
# The longest bound one program of a scenario gets (LAB_TIMEOUT=120 in the
# launcher's floods), plus half a minute, scaled.
LAB_SCALE=$scale LAB_STALL=${stall:-$(( (120 + 30) * scale ))}
export LAB_SCALE LAB_STALL

tap() { echo "$*" >&3; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }
die() {
	tap "not ok - boot: $*"
	tap "Bail out! $*"
	echo "lab: $*"
	poweroff -f
	sleep 10
}

tap "# lab-begin"
tap "# timing: /init reached at $boot_s s of guest uptime"
tap "# calibration: scale $LAB_SCALE stall $LAB_STALL"

# Modules, in the listed order (no modprobe to resolve dependencies).
loaded=0
while read -r m; do
	case $m in ''|'#'*) continue ;; esac
	insmod "/lab/modules/$m.ko" || die "insmod $m failed"
	loaded=$((loaded + 1))
done </lab/modules.list
tap "ok - boot: $loaded kernel modules loaded"

if [ "$lsm" = apparmor ]; then
	# AppArmor: nothing to load here (the scenarios load their profiles)
	lsms=$(cat /sys/kernel/security/lsm 2>/dev/null)
	case ,$lsms, in
	*,apparmor,*) tap "ok - boot: AppArmor is active (LSMs: $lsms)" ;;
	*) tap "not ok - boot: AppArmor is active (LSMs: ${lsms:-none})" ;;
	esac
	echo "lab: running as $(cat /proc/self/attr/current), LSMs $lsms"
else
	# Policy: one write() to /sys/fs/selinux/load, then the mode.
	lab-loadpolicy /lab/policy.33 "$enforcing" || die "policy load failed"
	mode=$(cat /sys/fs/selinux/enforce)
	if [ "$mode" = "$enforcing" ]; then
		tap "ok - boot: SELinux policy loaded, enforce=$mode"
	else
		tap "not ok - boot: SELinux policy loaded, enforce=$mode (wanted $enforcing)"
	fi
	tap "# timing: policy loaded at $(uptime_s) s"
	echo "lab: running as $(cat /proc/self/attr/current), enforce=$mode"
fi

# Sanitizer options and valgrind wrappers, when run-lab.sh set them
# (lab/env.sh); every scenario inherits them.
LAB_REPORTS=/tmp/lab-reports
# shellcheck disable=SC1091
[ -f /lab/env.sh ] && . /lab/env.sh
mkdir -p "$LAB_REPORTS/seen" && chmod 1777 "$LAB_REPORTS"
[ -n "${LAB_SANITIZED:-}" ] && tap "# reports: ASan+UBSan build, ASAN_OPTIONS=$ASAN_OPTIONS"
[ -n "${LAB_VALGRIND:-}" ] && tap "# reports: under valgrind memcheck: $LAB_VALGRIND"

# reports NAME TAPFILE: fail scenario NAME when it left a sanitizer or
# valgrind report in $LAB_REPORTS, or a sanitizer message in any output of
# its programs (servers started by the launcher get a fixed environment
# without ASAN_OPTIONS: their reports go to the launcher's log).  The
# reports are shown in the serial log and moved aside.
reports() {
	local name=$1 t=$2 f bad='' runs=0

	for f in "$LAB_REPORTS"/*; do
		[ -f "$f" ] || continue
		case ${f##*/} in valgrind.*) runs=$((runs + 1)) ;; esac
		if [ -s "$f" ]; then
			bad="$bad ${f##*/}"
			echo "lab: FAIL $name: report ${f##*/}"
			sed 's/^/  | /' "$f"
		fi
		mv "$f" "$LAB_REPORTS/seen/$name.${f##*/}"
	done
	for f in $(grep -rl -e '^==[0-9]*==ERROR: [A-Za-z]*Sanitizer' \
		-e 'runtime error: ' -e '^SUMMARY: [A-Za-z]*Sanitizer' \
		"/tmp/lab/$name" 2>/dev/null); do
		bad="$bad ${f##*/}"
		echo "lab: FAIL $name: sanitizer message in $f"
		grep -A 30 -e 'ERROR: [A-Za-z]*Sanitizer' -e 'runtime error: ' \
			"$f" | head -n 60 | sed 's/^/  | /'
	done
	[ -n "${LAB_VALGRIND:-}" ] && echo "# reports: $name: $runs program runs under valgrind" >>"$t"
	[ -n "${LAB_SANITIZED:-}${LAB_VALGRIND:-}" ] || [ -n "$bad" ] || return 0
	if [ -n "$bad" ]; then
		echo "not ok - $name: no sanitizer or valgrind report (found:$bad; see the serial log)" >>"$t"
	else
		echo "ok - $name: no sanitizer or valgrind report" >>"$t"
	fi
}

# progress DIR TAPFILE: a fingerprint of what a scenario has done so far:
# the sizes and times of its TAP file and of every file in its directory.
progress() { ls -la --full-time "$1" "$2" 2>/dev/null | md5sum; }

# watch NAME PID TAPFILE: wait for the scenario shell PID (a process group
# leader); stop its whole group when it made no progress for LAB_STALL s.
watch() {
	local name=$1 pid=$2 t=$3 last now idle=0 check i

	last=$(progress "/tmp/lab/$name" "$t")
	while kill -0 "$pid" 2>/dev/null; do
		# a second, in steps that notice the end at once
		i=0
		while [ $i -lt 10 ] && kill -0 "$pid" 2>/dev/null; do
			usleep 100000
			i=$((i + 1))
		done
		now=$(progress "/tmp/lab/$name" "$t")
		if [ "$now" != "$last" ]; then
			last=$now idle=0
			continue
		fi
		idle=$((idle + 1))
		[ $idle -ge "$LAB_STALL" ] || continue
		kill -KILL -- "-$pid" 2>/dev/null
		check=$(grep '^ok\|^not ok' "$t" | tail -n 1 | sed 's/^[a-z ]*- [^:]*: //')
		echo "not ok - $name: hung: no progress for $LAB_STALL s after check '${check:-(none)}' (stopped)" >>"$t"
		echo "lab: FAIL $name: no progress for $LAB_STALL s after check '${check:-(none)}'"
		ps | sed 's/^/  | /'
		break
	done
	wait "$pid"
}

# Scenarios: each in its own shell with lablib.sh, in its own process group
# (setsid), watched for progress.
mkdir -p /tmp/lab
for s in /lab/scenarios/*.sh; do
	name=${s##*/}
	name=${name%.sh}
	match=no
	set -f
	for pat in $(echo "$only" | tr , ' '); do
		# shellcheck disable=SC2254
		case ${name}.sh in $pat) match=yes ;; esac
	done
	set +f
	[ $match = yes ] || continue
	t=/tmp/lab/$name.tap
	: >"$t"
	mkdir -p "/tmp/lab/$name"
	start=$(uptime_s)
	tap "# scenario: $name"
	LAB_SCENARIO=$name LAB_TAP=$t LAB_TMP=/tmp/lab/$name \
		setsid sh -c '. /lab/lablib.sh; lab_begin; . "$1"; lab_end' \
		sh "$s" &
	watch "$name" $! "$t"
	rc=$?
	[ $rc -eq 0 ] || echo "not ok - $name: the scenario did not finish (status $rc)" >>"$t"
	grep -q '^ok\|^not ok' "$t" ||
		echo "not ok - $name: the scenario reported nothing" >>"$t"
	reports "$name" "$t"
	echo "# timing: $name $(awk -v a="$start" -v b="$(uptime_s)" 'BEGIN { printf "%.1f", b - a }') s" >>"$t"
	cat "$t" >&3
done
tap "# timing: scenarios done at $(uptime_s) s"

if [ "$lsm" = apparmor ]; then
	tap "# $(dmesg | grep -c 'apparmor="DENIED"') AppArmor denials in the kernel log"
	dmesg | grep 'apparmor="DENIED"' | head -n 20
else
	denials=$(dmesg | grep -c 'avc:  denied')
	tap "# $denials AVC denials in the kernel log"
	dmesg | grep 'avc:  denied' | head -n 40
	mode=$(cat /sys/fs/selinux/enforce)
	if [ "$mode" = "$enforcing" ]; then
		tap "ok - end: SELinux still enforce=$mode after all scenarios"
	else
		tap "not ok - end: SELinux enforce=$mode after all scenarios"
	fi
fi
tap "# lab-end"
exec 3>&-
sync
poweroff -f
sleep 10
