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

only='*' enforcing=1
for arg in $(cat /proc/cmdline); do
	case $arg in
	lab.only=*) only=${arg#lab.only=} ;;
	lab.enforcing=*) enforcing=${arg#lab.enforcing=} ;;
	esac
done

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
tap "# timing: /init reached at $(uptime_s) s of guest uptime"

# Modules, in the listed order (no modprobe to resolve dependencies).
loaded=0
while read -r m; do
	case $m in ''|'#'*) continue ;; esac
	insmod "/lab/modules/$m.ko" || die "insmod $m failed"
	loaded=$((loaded + 1))
done </lab/modules.list
tap "ok - boot: $loaded kernel modules loaded"

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

# Scenarios: each in its own shell with lablib.sh, bounded in time.
mkdir -p /tmp/lab
for s in /lab/scenarios/*.sh; do
	name=${s##*/}
	name=${name%.sh}
	# shellcheck disable=SC2254
	case ${name}.sh in $only) ;; *) continue ;; esac
	t=/tmp/lab/$name.tap
	: >"$t"
	start=$(uptime_s)
	LAB_SCENARIO=$name LAB_TAP=$t LAB_TMP=/tmp/lab/$name \
		timeout 120 sh -c '. /lab/lablib.sh; lab_begin; . "$1"; lab_end' \
		sh "$s"
	rc=$?
	[ $rc -eq 0 ] || echo "not ok - $name: the scenario did not finish (status $rc)" >>"$t"
	grep -q '^ok\|^not ok' "$t" ||
		echo "not ok - $name: the scenario reported nothing" >>"$t"
	echo "# timing: $name $(awk -v a="$start" -v b="$(uptime_s)" 'BEGIN { printf "%.1f", b - a }') s" >>"$t"
	cat "$t" >&3
done
tap "# timing: scenarios done at $(uptime_s) s"

denials=$(dmesg | grep -c 'avc:  denied')
tap "# $denials AVC denials in the kernel log"
dmesg | grep 'avc:  denied' | head -n 20
mode=$(cat /sys/fs/selinux/enforce)
if [ "$mode" = "$enforcing" ]; then
	tap "ok - end: SELinux still enforce=$mode after all scenarios"
else
	tap "not ok - end: SELinux enforce=$mode after all scenarios"
fi
tap "# lab-end"
exec 3>&-
sync
poweroff -f
sleep 10
