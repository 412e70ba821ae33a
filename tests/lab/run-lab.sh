#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# run-lab.sh: build the lab VM from Debian packages, boot it once, and report
# every in-VM check as one TAP line (meson test 'lab', protocol tap).
#
#   run-lab.sh [--tap] [--memcheck] [--unavailable REASON]
#              [--scenarios DIR] [--vm-bin FILE]...
#              [--refpolicy mls|default | --policy BINARY] [--lsm apparmor]
#              --lib LIBPEERSEC PROGRAM...
#
# The policy world (default: the small CIL policy, policy/*.cil):
#   --refpolicy mls|default  Debian's reference policy, selinux-policy-mls or
#                   selinux-policy-default (MCS), plus the lab's test module
#                   (refpolicy/build-policy.sh; nothing is installed on the
#                   host); lab/env.sh then names that world's contexts
#                   (LAB_WORLD, LAB_KERNEL_CTX, LAB_UNLABELED_CTX ...)
#   --policy BINARY  a prebuilt binary policy instead of policy/*.cil
#   --lsm apparmor  boot with lsm=apparmor instead of SELinux: no policy
#                   load; Debian's apparmor package (unpacked, not
#                   installed) gives the VM apparmor_parser (LAB_WORLD=apparmor)
#
# --scenarios DIR runs DIR/*.sh instead of scenarios/*.sh, and each --vm-bin
# FILE goes to /lab/bin beside vm-bin/* (bench/lab/run.sh runs the
# benchmarks in the same VM this way).
# meson passes the just-built libpeersec and the in-VM programs
# (tests/lab/meson.build).  Steps:
#   1. fetch-kernel.sh: Debian's cloud kernel, cached outside the tree
#   2. the initramfs: busybox-static, iproute2's ip, netlabelctl, the
#      host's xinetd when it has one, the programs and every library ldd
#      names, modules.list, the policy
#      (policy/*.cil compiled by secilc), vm-init.sh as /init, lablib.sh,
#      scenarios/*.sh
#   3. qemu (TCG), serial 0 = console log, serial 1 = TAP results
#   4. the results, renumbered, on stdout; the serial log on stderr when
#      something failed
#
# When the lab cannot run here (not root, no qemu ...) it skips: exit 77, or
# with --tap a TAP skip plan ("1..0 # SKIP"), which is how meson wants it.
# With CI=true it fails instead, saying why.
#
# Environment:
#   PEERSEC_LAB_ONLY=GLOB     only scenarios whose file name matches GLOB
#   PEERSEC_LAB_ENFORCING=0   permissive (default 1: enforcing)
#   PEERSEC_LAB_PROGRESS=FILE append one line per finished scenario to FILE
#                             (tools/check.sh and tools/demo.sh show it)
#   PEERSEC_LAB_SCALE=N       the VM's time scale (default: measured at boot)
#   PEERSEC_LAB_STALL=SECS    stop a scenario after SECS without progress
#                             (default 150 times the scale)
#   PEERSEC_LAB_BOOT_STALL=SECS  how long the VM may stay silent before it
#                             reports its calibration (default 300)
#   PEERSEC_LAB_SMP=N, PEERSEC_LAB_CPU=MODEL  qemu -smp and -cpu (2, max)
#   PEERSEC_LAB_CACHE=DIR     kernel cache (default /var/cache/peersec-lab)
#   PEERSEC_LAB_WORK=DIR      initramfs, logs, report (default
#                             $PEERSEC_BUILDDIR/tests/lab/vm)
#   PEERSEC_LAB_VALGRIND="PROG..."  run these in-VM programs under valgrind
#                             memcheck (valgrind goes into the initramfs)
#
# --memcheck (meson test lab-memcheck): PEERSEC_LAB_VALGRIND defaults to the
# programs that call the library (stream-peer udp-peer sctp-peer), the
# scenarios to a subset that runs them ($memcheck_only), the work directory
# to tests/lab/vm-memcheck.
#
# Built with ASan/UBSan (libpeersec links libasan): the programs in the VM get
# ASAN_OPTIONS/UBSAN_OPTIONS that halt on the first error and write reports
# to /tmp/lab-reports; /init fails the scenario that left any report, or any
# sanitizer message in its output (vm-init.sh, "reports").
set -uo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
tap_mode=0 unavailable='' lib='' memcheck=0 scenarios=''
progs=() extra_bin=() refpolicy='' policy_bin='' lsm=selinux
while [[ $# -gt 0 ]]; do
	case $1 in
	--tap) tap_mode=1 ;;
	--memcheck) memcheck=1 ;;
	--unavailable) unavailable=$2; shift ;;
	--lib) lib=$2; shift ;;
	--scenarios) scenarios=$2; shift ;;
	--vm-bin) extra_bin+=("$2"); shift ;;
	--refpolicy) refpolicy=$2; shift ;;
	--policy) policy_bin=$2; shift ;;
	--lsm) lsm=$2; shift ;;
	*) progs+=("$1") ;;
	esac
	shift
done

if [[ -z $scenarios ]]; then
	scenarios=$here/scenarios
	[[ $lsm == apparmor ]] && scenarios=$here/scenarios-apparmor
fi
case $lsm:$refpolicy in
selinux:) world_dir=vm ;;
selinux:mls|selinux:default) world_dir=vm-refpolicy-$refpolicy ;;
apparmor:) world_dir=vm-apparmor ;;
*) echo "run-lab.sh: unknown world: --lsm $lsm --refpolicy $refpolicy" >&2; exit 2 ;;
esac
work=${PEERSEC_LAB_WORK:-${PEERSEC_BUILDDIR:-$PWD}/tests/lab/$world_dir}
progress=${PEERSEC_LAB_PROGRESS:-}
progress() { [[ -z $progress ]] || printf '%s\n' "$*" >>"$progress"; }
enforcing=${PEERSEC_LAB_ENFORCING:-1}
only=${PEERSEC_LAB_ONLY:-*}
valgrind=${PEERSEC_LAB_VALGRIND:-}
# lab-memcheck: one short scenario with a client and server per protocol
# under valgrind (a valgrind start costs seconds in the emulated VM).
memcheck_only='94-library-sample.sh'
# The MCS world runs the selfcheck and the launcher's scenarios: MCS users
# meet the library through the launcher, and categories are all MCS has.
# 95a-inetd-xinetd needs s1-s4, which MCS lacks; 99* takes 99, 99a, 99b.
[[ $refpolicy == default ]] && only=${PEERSEC_LAB_ONLY:-00-*,95-*,96-*,97-*,98-*,99*}
# The MLS world runs every scenario but 99-inetd-abuse: it counts the
# launcher's refusals of unlabeled peers, which refpolicy MLS drops in the
# kernel before the launcher sees them (95 and 96 check that instead); the
# MCS world runs it.  95a, 99a and 99b need globs of their own.
[[ $refpolicy == mls ]] && only=${PEERSEC_LAB_ONLY:-[0-8]*,9[0-8]-*,95a-*,99a-*,99b-*}
if [[ $memcheck -eq 1 ]]; then
	work=${PEERSEC_LAB_WORK:-${PEERSEC_BUILDDIR:-$PWD}/tests/lab/vm-memcheck}
	valgrind=${PEERSEC_LAB_VALGRIND:-stream-peer udp-peer sctp-peer}
	only=${PEERSEC_LAB_ONLY:-$memcheck_only}
fi

# ----------------------------------------------------------- cannot run
cannot_run() {
	if [[ ${CI:-} == true ]]; then
		echo "1..1"
		echo "not ok 1 - lab: cannot run: $*"
		echo "lab: cannot run and CI=true: $*" >&2
		exit 1
	fi
	echo "lab: skipped: $*" >&2
	if [[ $tap_mode -eq 1 ]]; then
		echo "1..0 # SKIP $*"
		exit 0
	fi
	exit 77
}

[[ -z $unavailable ]] || cannot_run "$unavailable"
[[ $(id -u) -eq 0 ]] || cannot_run "not root (the lab needs root for apt-get download and the cache)"
for tool in qemu-system-x86_64 secilc cpio busybox netlabelctl readelf ldd apt-get dpkg; do
	command -v "$tool" >/dev/null || cannot_run "$tool not found (run tools/bootstrap.sh)"
done
[[ -n $lib && -f $lib ]] || cannot_run "no libpeersec given (--lib)"
busybox=$(command -v busybox)
if ldd "$busybox" >/dev/null 2>&1; then
	cannot_run "$busybox is not static (install busybox-static)"
fi
iproute_ip=
for p in /usr/sbin/ip /sbin/ip /usr/bin/ip /bin/ip; do
	[[ -x $p && $(ldd "$p" 2>&1) != *'not a dynamic'* ]] && { iproute_ip=$p; break; }
done
[[ -n $iproute_ip ]] || cannot_run "iproute2's ip not found"

# --------------------------------------------------------------- kernel
t0=$(date +%s.%N)
progress "getting Debian's kernel (downloaded once) and building the initramfs"
kdir=$("$here/fetch-kernel.sh") || cannot_run "could not fetch Debian's cloud kernel"
vmlinuz=$(ls "$kdir"/boot/vmlinuz-* 2>/dev/null | head -n 1)
moddir=$(ls -d "$kdir"/lib/modules/* 2>/dev/null | head -n 1)
[[ -f $vmlinuz && -d $moddir ]] || cannot_run "no kernel or modules in $kdir"

# ------------------------------------------------------------ initramfs
fail_build() {
	echo "1..1"
	echo "not ok 1 - lab: building the VM image: $*"
	exit 1
}

root=$work/root
rm -rf "$root"
mkdir -p "$root"/{bin,usr/sbin,etc,lab/bin,lab/modules,lab/scenarios} ||
	fail_build "cannot create $root"

cp "$busybox" "$root/bin/busybox" && ln -s busybox "$root/bin/sh" &&
cp "$iproute_ip" "$root/usr/sbin/ip" &&
cp "$(command -v netlabelctl)" "$root/usr/sbin/netlabelctl" ||
	fail_build "copying busybox, ip, netlabelctl"
[[ -f /etc/protocols ]] && cp /etc/protocols "$root/etc/"
# xinetd, for 95a-inetd-xinetd (its LABELED flag beside the launcher), at
# the same path, when the host has it (tools/bootstrap.sh installs it).
# Without it that scenario skips, or fails with CI=true (LAB_CI below).
xinetd=()
if [[ -x /usr/sbin/xinetd ]]; then
	cp /usr/sbin/xinetd "$root/usr/sbin/xinetd" || fail_build "copying xinetd"
	xinetd=("$root/usr/sbin/xinetd")
fi

# libpeersec under its SONAME in the default library path, so the programs
# find it whatever their build-tree rpath says.
soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[[ -n $soname ]] || fail_build "no SONAME in $lib"
mkdir -p "$root/usr/lib/x86_64-linux-gnu"
cp -L "$lib" "$root/usr/lib/x86_64-linux-gnu/$soname" || fail_build "copying $lib"

for p in "${progs[@]}" "$here"/vm-bin/* "${extra_bin[@]}"; do
	cp "$p" "$root/lab/bin/" || fail_build "copying $p"
done

# Sanitizers and valgrind.
# Reports land in /tmp/lab-reports (mode 1777: servers run as uid 1000);
# /init fails a scenario that leaves one (vm-init.sh).
vg_elves=()
{
	echo "# written by run-lab.sh: the environment of every scenario"
	echo "LAB_REPORTS=/tmp/lab-reports"
	# a scenario whose tool the host lacks fails instead of skipping
	[[ ${CI:-} == true ]] && echo "export LAB_CI=true"
	# (ldd's whole output first: "ldd | grep -q" under pipefail fails
	# whenever grep's early exit cuts ldd short)
	lib_deps=$(ldd "$lib")
	if [[ $lib_deps == *libasan* || $lib_deps == *libubsan* ]]; then
		echo "export ASAN_OPTIONS=halt_on_error=1:exitcode=66:detect_leaks=1:log_path=/tmp/lab-reports/asan"
		echo "export UBSAN_OPTIONS=halt_on_error=1:exitcode=66:print_stacktrace=1:log_path=/tmp/lab-reports/ubsan"
		# each ASan server start costs ~0.1 s under TCG: smaller floods
		echo "export LAB_SANITIZED=1 INETD_FLOOD=100"
	fi
	if [[ -n $valgrind ]]; then
		# valgrind starts take seconds under TCG
		echo "export LAB_TIMEOUT=90 LAB_READY_TRIES=3000"
		echo "export LAB_VALGRIND='$valgrind'"
	fi
} >"$root/lab/env.sh" || fail_build "writing lab/env.sh"
if [[ -n $valgrind ]]; then
	vgbin=$(command -v valgrind.bin || command -v valgrind) ||
		cannot_run "valgrind not found (PEERSEC_LAB_VALGRIND; apt-get install valgrind)"
	[[ $(head -c 4 "$vgbin" | tail -c 3) == ELF ]] ||
		cannot_run "$vgbin is not the ELF valgrind launcher"
	vglib=
	for d in /usr/libexec/valgrind /usr/lib/x86_64-linux-gnu/valgrind /usr/lib/valgrind; do
		[[ -f $d/memcheck-amd64-linux ]] && { vglib=$d; break; }
	done
	[[ -n $vglib ]] || cannot_run "valgrind's memcheck-amd64-linux not found"
	# valgrind looks for its tools where it was built to (VALGRIND_LIB)
	mkdir -p "$root/usr/bin" "$root$vglib" "$root/lab/real" &&
	cp "$vgbin" "$root/usr/bin/valgrind" &&
	cp "$vglib"/{memcheck-amd64-linux,vgpreload_core-amd64-linux.so,vgpreload_memcheck-amd64-linux.so,default.supp} \
		"$root$vglib/" || fail_build "copying valgrind"
	vg_elves=("$vgbin")
	for name in $valgrind; do
		[[ -f $root/lab/bin/$name ]] ||
			fail_build "PEERSEC_LAB_VALGRIND: no program $name in /lab/bin"
		mv "$root/lab/bin/$name" "$root/lab/real/$name" || fail_build "moving $name"
		# Any error, and a definite or indirect leak at exit, is an error
		# (exit 99, and a non-empty log, which /init turns into a failure).
		# A program killed by a signal is not leak-checked.
		cat >"$root/lab/bin/$name" <<-EOF
		#!/bin/sh
		# $name under valgrind memcheck (run-lab.sh, PEERSEC_LAB_VALGRIND)
		exec /usr/bin/valgrind -q --error-exitcode=99 --leak-check=full \\
			--show-leak-kinds=definite,indirect \\
			--errors-for-leak-kinds=definite,indirect \\
			--log-file=/tmp/lab-reports/valgrind.$name.%p \\
			/lab/real/$name "\$@"
		EOF
		chmod 0755 "$root/lab/bin/$name"
	done
	# memcheck must redirect ld.so's strlen: it needs ld.so's symbols,
	# from libc6-dbg (by build id); libc's too, for readable stacks.
	for so in $(ldd "$root/lab/real/"* "${progs[0]}" 2>/dev/null |
		    awk '/ld-linux|libc\.so/ { print ($2 == "=>" ? $3 : $1) }' | sort -u); do
		bid=$(readelf -n "$so" 2>/dev/null | sed -n 's/.*Build ID: //p')
		dbg=/usr/lib/debug/.build-id/${bid:0:2}/${bid:2}.debug
		if [[ -n $bid && -f $dbg ]]; then
			mkdir -p "$root$(dirname "$dbg")" && cp -L "$dbg" "$root$dbg" ||
				fail_build "copying $dbg"
		elif [[ $so == *ld-linux* ]]; then
			cannot_run "valgrind needs $so's symbols: install libc6-dbg"
		fi
	done
fi

# Every shared library the ELF files need, at the path ldd found it.
for elf in "$root/usr/sbin/ip" "$root/usr/sbin/netlabelctl" "${progs[@]}" "$lib" \
	"${vg_elves[@]}" "${xinetd[@]}"; do
	ldd "$elf" | awk '/=> \// { print $3 } /^\t\// { print $1 }'
done | sort -u | while read -r so; do
	[[ $(basename "$so") == "$soname" ]] && continue
	mkdir -p "$root$(dirname "$so")"
	cp -L "$so" "$root$so" || exit 1
done || fail_build "copying shared libraries"

while read -r m; do
	[[ -z $m || $m == \#* ]] && continue
	ko=$(find "$moddir" -name "$m.ko*" | head -n 1)
	[[ -n $ko ]] || fail_build "module $m not in $moddir"
	case $ko in
	*.ko) cp "$ko" "$root/lab/modules/$m.ko" ;;
	*.ko.xz) xz -dc "$ko" >"$root/lab/modules/$m.ko" ;;
	*.ko.zst) zstd -qdc "$ko" >"$root/lab/modules/$m.ko" ;;
	*) fail_build "unknown module format $ko" ;;
	esac || fail_build "copying module $m"
done <"$here/modules.list"
cp "$here/modules.list" "$root/lab/"

if [[ $lsm == apparmor ]]; then
	# no SELinux policy: Debian's apparmor_parser (unpacked, not installed)
	aadir=$("$here/fetch-package.sh" apparmor) ||
		cannot_run "could not fetch Debian's apparmor package"
	# parser.conf names the feature set to compile for
	# (/usr/share/apparmor-features)
	mkdir -p "$root/etc/apparmor" "$root/usr/share" &&
	cp "$aadir/sbin/apparmor_parser" "$root/usr/sbin/" &&
	cp "$aadir/etc/apparmor/parser.conf" "$root/etc/apparmor/" &&
	cp -r "$aadir/usr/share/apparmor-features" "$root/usr/share/" ||
		fail_build "copying apparmor_parser"
	ldd "$aadir/sbin/apparmor_parser" | awk '/=> \// { print $3 } /^\t\// { print $1 }' |
	while read -r so; do
		[[ -f $root$so ]] && continue
		mkdir -p "$root$(dirname "$so")" && cp -L "$so" "$root$so" || exit 1
	done || fail_build "copying apparmor_parser's libraries"
elif [[ -n $policy_bin ]]; then
	cp "$policy_bin" "$root/lab/policy.33" || fail_build "copying $policy_bin"
elif [[ -n $refpolicy ]]; then
	"$here/refpolicy/build-policy.sh" "$refpolicy" "$root/lab/policy.33" \
		>"$work/secilc.log" 2>&1 ||
		fail_build "refpolicy $refpolicy: $(tail -n 5 "$work/secilc.log" | tr '\n' ' ')"
else
	secilc --mls=true -c 33 -o "$root/lab/policy.33" -f /dev/null \
		"$here"/policy/*.cil >"$work/secilc.log" 2>&1 ||
		fail_build "secilc: $(tr '\n' ' ' <"$work/secilc.log")"
fi

# mcstransd, Debian's label translation daemon (mcstrans, unpacked, not
# installed), for 88-peersec-tool's translated labels: the scenario writes
# its configuration and starts it.  Without it that part skips.
if [[ $lsm == selinux ]] && mcdir=$("$here/fetch-package.sh" mcstrans); then
	cp "$mcdir/sbin/mcstransd" "$root/usr/sbin/" || fail_build "copying mcstransd"
	ldd "$mcdir/sbin/mcstransd" | awk '/=> \// { print $3 } /^\t\// { print $1 }' |
	while read -r so; do
		[[ -f $root$so ]] && continue
		mkdir -p "$root$(dirname "$so")" && cp -L "$so" "$root$so" || exit 1
	done || fail_build "copying mcstransd's libraries"
fi

# The world's own names, for the scenarios (lab/env.sh; lablib.sh has the
# small policy's as defaults).  Refpolicy labels the kernel, unlabeled
# traffic and NetLabel's wire-only peers (netmsg) at its system high in MLS,
# and needs an SPD context whose range covers every socket's (association
# polmatch: the SPD's range must contain the socket's).
case $lsm:$refpolicy in
selinux:mls) cat <<-'EOF2' ;;
	export LAB_WORLD=refpolicy-mls
	export LAB_KERNEL_CTX=system_u:system_r:kernel_t:s15:c0.c1023
	export LAB_UNLABELED_CTX=system_u:object_r:unlabeled_t:s15:c0.c1023
	export LAB_NETMSG=system_u:object_r:netlabel_peer_t
	export LAB_SPD=system_u:object_r:spd_t:s0-s15:c0.c1023
	EOF2
selinux:default) cat <<-'EOF2' ;;
	export LAB_WORLD=refpolicy-mcs
	export LAB_KERNEL_CTX=system_u:system_r:kernel_t:s0
	export LAB_UNLABELED_CTX=system_u:object_r:unlabeled_t:s0
	export LAB_NETMSG=system_u:object_r:netlabel_peer_t
	export LAB_SPD=system_u:object_r:spd_t:s0-s0:c0.c1023
	EOF2
apparmor:*) echo "export LAB_WORLD=apparmor" ;;
esac >>"$root/lab/env.sh" || fail_build "writing lab/env.sh"

cp "$here/vm-init.sh" "$root/init" && chmod 0755 "$root/init" &&
cp "$here/lablib.sh" "$root/lab/" &&
cp "$scenarios"/*.sh "$root/lab/scenarios/" ||
	fail_build "copying the scripts"

(cd "$root" && find . | cpio -o -H newc --quiet) >"$work/initramfs.cpio" ||
	fail_build "cpio"
t1=$(date +%s.%N)

# ---------------------------------------------------------------- boot
# qemu runs as long as the VM makes progress.  The VM announces its time
# scale and its scenario watchdog's bound ("# calibration: scale N stall S",
# vm-init.sh) and stops a scenario that stalls; this side stops a VM whose
# serial ports stay silent for longer than that (a hung kernel or /init):
# $boot_stall seconds until the calibration line, then S + 60 * N.  Each
# scenario that ends becomes one progress line (PEERSEC_LAB_PROGRESS).
console=$work/console.log results=$work/results.log
rm -f "$console" "$results"
if [[ $lsm == apparmor ]]; then
	append="console=ttyS0 quiet panic=-1 lsm=apparmor apparmor=1 lab.lsm=apparmor"
else
	append="console=ttyS0 quiet panic=-1 lsm=selinux enforcing=$enforcing"
fi
append+=" lab.enforcing=$enforcing lab.only=$only"
[[ -n ${PEERSEC_LAB_SCALE:-} ]] && append+=" lab.scale=$PEERSEC_LAB_SCALE"
[[ -n ${PEERSEC_LAB_STALL:-} ]] && append+=" lab.stall=$PEERSEC_LAB_STALL"
qemu-system-x86_64 \
	-machine accel=tcg -cpu "${PEERSEC_LAB_CPU:-max}" -smp "${PEERSEC_LAB_SMP:-2}" -m 512 \
	-nodefaults -no-user-config -display none -monitor none -no-reboot \
	-kernel "$vmlinuz" -initrd "$work/initramfs.cpio" -append "$append" \
	-serial "file:$console" -serial "file:$results" \
	>"$work/qemu.log" 2>&1 &
qemu_pid=$!
progress "VM started ($(basename "$vmlinuz"), initramfs built in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }') s)"

boot_stall=${PEERSEC_LAB_BOOT_STALL:-300}
stall=$boot_stall hung='' off=0 size=-1 quiet=0
s_ok=0 s_bad=0 s_name=''
while kill -0 "$qemu_pid" 2>/dev/null; do
	sleep 1
	now=$(( $(stat -c %s "$console" 2>/dev/null || echo 0) +
		$(stat -c %s "$results" 2>/dev/null || echo 0) ))
	if [[ $now -ne $size ]]; then
		size=$now quiet=0
	else
		quiet=$((quiet + 1))
	fi
	# New complete lines of the TAP port: calibration and progress.
	while IFS= read -r line; do
		off=$((off + ${#line} + 1))
		line=${line%$'\r'}
		case $line in
		'# calibration: scale '*)
			read -r _ _ _ sc _ st <<<"$line"
			stall=$((st + 60 * sc))
			progress "time scale $sc (a scenario that stalls for $st s is stopped)" ;;
		'# scenario: '*) s_name=${line#\# scenario: } s_ok=0 s_bad=0 ;;
		'ok - '*) s_ok=$((s_ok + 1)) ;;
		'not ok - '*) s_bad=$((s_bad + 1)) ;;
		"# timing: $s_name "*)
			[[ -n $s_name ]] && progress "$(printf '%-30s %3d passed, %d failed, %6s s' \
				"$s_name" "$s_ok" "$s_bad" "$(awk '{ print $(NF - 1) }' <<<"$line")")" ;;
		esac
	done < <(tail -c "+$((off + 1))" "$results" 2>/dev/null)
	if [[ $quiet -ge $stall ]]; then
		where=$(tr -d '\r' <"$console" 2>/dev/null | sed -n 's/^=== //p' | tail -n 1)
		hung="the VM made no progress for $stall s (last scenario started: ${where:-none, still booting})"
		kill -KILL "$qemu_pid" 2>/dev/null
		break
	fi
done
wait "$qemu_pid"
qemu_rc=$?
t2=$(date +%s.%N)
progress "VM finished in $(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.0f", b - a }') s${hung:+: $hung}"

# -------------------------------------------------------------- results
n=0 bad=0
report=$work/report.txt
: >"$report"
say() { echo "$*"; }
result() {	# result ok|not-ok TEXT
	n=$((n + 1))
	if [[ $1 == ok ]]; then
		say "ok $n - $2"
	else
		bad=$((bad + 1))
		say "not ok $n - $2"
	fi
}

ended=0
while IFS= read -r line; do
	line=${line%$'\r'}
	case $line in
	'ok - '*) result ok "${line#ok - }" ;;
	'not ok - '*) result not-ok "${line#not ok - }" ;;
	'# report: '*) echo "${line#\# report: }" >>"$report" ;;
	'# lab-end') ended=1 ;;
	'# lab-begin') ;;
	'Bail out!'*) say "# ${line}" ;;
	'#'*) say "$line" ;;
	esac
done < <(cat "$results" 2>/dev/null)

if [[ $ended -eq 0 ]]; then
	if [[ -n $hung ]]; then
		result not-ok "lab: $hung"
	else
		result not-ok "lab: the VM stopped early (qemu status $qemu_rc)"
	fi
fi
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
say "# timing: kernel and initramfs ready in $(secs "$t0" "$t1") s, VM ran $(secs "$t1" "$t2") s (wall)"
say "# serial log: $console"
printf 'prepare %s\nvm %s\n' "$(secs "$t0" "$t1")" "$(secs "$t1" "$t2")" >"$work/timing.txt"
say "1..$n"

if [[ $bad -gt 0 ]]; then
	{
		echo "lab: $bad of $n checks failed; qemu: $(cat "$work/qemu.log")"
		echo "----- serial log ($console) -----"
		tr -d '\r' <"$console" 2>/dev/null | tail -n 400
		echo "----- end of serial log -----"
	} >&2
fi
exit 0
