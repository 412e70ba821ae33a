#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# run-lab.sh: build the lab VM from Debian packages, boot it once, and report
# every in-VM check as one TAP line (meson test 'lab', protocol tap).
#
#   run-lab.sh [--tap] [--unavailable REASON] --lib LIBPEERSEC PROGRAM...
#
# meson passes the just-built libpeersec and the in-VM programs
# (tests/lab/meson.build).  Steps:
#   1. fetch-kernel.sh: Debian's cloud kernel, cached outside the tree
#   2. the initramfs: busybox-static, iproute2's ip, netlabelctl, the
#      programs and every library ldd names, modules.list, the policy
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
#   PEERSEC_LAB_TIMEOUT=SECS  bound on the VM (default 200)
#   PEERSEC_LAB_SMP=N, PEERSEC_LAB_CPU=MODEL  qemu -smp and -cpu (2, max)
#   PEERSEC_LAB_CACHE=DIR     kernel cache (default /var/cache/peersec-lab)
#   PEERSEC_LAB_WORK=DIR      initramfs, logs, report (default
#                             $PEERSEC_BUILDDIR/tests/lab/vm)
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tap_mode=0 unavailable='' lib=''
progs=()
while [[ $# -gt 0 ]]; do
	case $1 in
	--tap) tap_mode=1 ;;
	--unavailable) unavailable=$2; shift ;;
	--lib) lib=$2; shift ;;
	*) progs+=("$1") ;;
	esac
	shift
done

work=${PEERSEC_LAB_WORK:-${PEERSEC_BUILDDIR:-$PWD}/tests/lab/vm}
timeout_s=${PEERSEC_LAB_TIMEOUT:-200}
enforcing=${PEERSEC_LAB_ENFORCING:-1}
only=${PEERSEC_LAB_ONLY:-*}

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
	[[ -x $p ]] && ! ldd "$p" 2>&1 | grep -q 'not a dynamic' && { iproute_ip=$p; break; }
done
[[ -n $iproute_ip ]] || cannot_run "iproute2's ip not found"

# --------------------------------------------------------------- kernel
t0=$(date +%s.%N)
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

# libpeersec under its SONAME in the default library path, so the programs
# find it whatever their build-tree rpath says.
soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[[ -n $soname ]] || fail_build "no SONAME in $lib"
mkdir -p "$root/usr/lib/x86_64-linux-gnu"
cp -L "$lib" "$root/usr/lib/x86_64-linux-gnu/$soname" || fail_build "copying $lib"

for p in "${progs[@]}" "$here"/vm-bin/*; do
	cp "$p" "$root/lab/bin/" || fail_build "copying $p"
done

# Every shared library the ELF files need, at the path ldd found it.
for elf in "$root/usr/sbin/ip" "$root/usr/sbin/netlabelctl" "${progs[@]}" "$lib"; do
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

secilc --mls=true -c 33 -o "$root/lab/policy.33" -f /dev/null \
	"$here"/policy/*.cil >"$work/secilc.log" 2>&1 ||
	fail_build "secilc: $(tr '\n' ' ' <"$work/secilc.log")"

cp "$here/vm-init.sh" "$root/init" && chmod 0755 "$root/init" &&
cp "$here/lablib.sh" "$root/lab/" &&
cp "$here"/scenarios/*.sh "$root/lab/scenarios/" ||
	fail_build "copying the scripts"

(cd "$root" && find . | cpio -o -H newc --quiet) >"$work/initramfs.cpio" ||
	fail_build "cpio"
t1=$(date +%s.%N)

# ---------------------------------------------------------------- boot
console=$work/console.log results=$work/results.log
rm -f "$console" "$results"
append="console=ttyS0 quiet panic=-1 lsm=selinux enforcing=$enforcing"
append+=" lab.enforcing=$enforcing lab.only=$only"
timeout --kill-after=5 "$timeout_s" qemu-system-x86_64 \
	-machine accel=tcg -cpu "${PEERSEC_LAB_CPU:-max}" -smp "${PEERSEC_LAB_SMP:-2}" -m 512 \
	-nodefaults -no-user-config -display none -monitor none -no-reboot \
	-kernel "$vmlinuz" -initrd "$work/initramfs.cpio" -append "$append" \
	-serial "file:$console" -serial "file:$results" \
	>"$work/qemu.log" 2>&1
qemu_rc=$?
t2=$(date +%s.%N)

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
	if [[ $qemu_rc -eq 124 || $qemu_rc -eq 137 ]]; then
		result not-ok "lab: the VM did not finish within ${timeout_s} s"
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
