#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Build a binary policy from Debian's reference policy plus the lab's test
# module, on the host, without changing the host's SELinux configuration.
#
#   build-policy.sh mls|default OUTPUT
#
#   mls      selinux-policy-mls (MLS: s0-s15, c0.c1023) + lab.cil + lab-mls.cil
#   default  selinux-policy-default (MCS: s0, c0.c1023) + lab.cil + lab-mcs.cil
#
# How: fetch-package.sh unpacks the policy package and policycoreutils (for
# its .pp-to-CIL converter, /usr/libexec/selinux/hll/pp) into the lab's
# cache.  Every module the package's postinst would install (its .modules
# list, less the ones it disables: $notdefault below) is converted to CIL
# once and kept in the cache; then secilc compiles them with the test module,
# as semodule would (libsemanage compiles the same CIL), into OUTPUT
# (policy version 33, what the lab kernel loads).  No semodule, no policy
# store, nothing installed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
flavour=${1:?usage: build-policy.sh mls|default OUTPUT}
out=${2:?usage: build-policy.sh mls|default OUTPUT}
cache=${PEERSEC_LAB_CACHE:-/var/cache/peersec-lab}
die() { echo "build-policy: $*" >&2; exit 1; }
case $flavour in
mls) part=lab-mls.cil ;;
default) part=lab-mcs.cil ;;
*) die "unknown flavour $flavour (mls or default)" ;;
esac
command -v secilc >/dev/null || die "secilc not found"
command -v bzcat >/dev/null || die "bzcat not found (bzip2)"

# The package's postinst disables these (they are not needed on Debian).
notdefault=" amtu bugzilla cobbler condor cyphesis git ksmtuned likewise livecd nessus numad oddjob openca soundserver thunderbird updfstab usernetctl "

dirs=$("$here/../fetch-package.sh" "selinux-policy-$flavour" policycoreutils) ||
	die "could not fetch selinux-policy-$flavour and policycoreutils"
pdir=$(sed -n 1p <<<"$dirs") pcu=$(sed -n 2p <<<"$dirs")
pp=$pcu/usr/libexec/selinux/hll/pp
mods=$pdir/usr/share/selinux/$flavour
[[ -x $pp && -f $mods/.modules ]] || die "no pp converter or module list in $pdir"

cil=$pdir.cil
exec 9>"$cache/.lock"
flock 9
if [[ ! -f $cil/.complete ]]; then
	rm -rf "$cil" && mkdir -p "$cil"
	while read -r m; do
		[[ -n $m && $notdefault != *" $m "* ]] || continue
		bzcat "$mods/$m.pp.bz2" | "$pp" >"$cil/$m.cil" ||
			die "converting module $m to CIL"
	done <"$mods/.modules"
	touch "$cil/.complete"
fi
flock -u 9

secilc --mls=true -c 33 -o "$out" -f /dev/null "$cil"/*.cil \
	"$here/lab.cil" "$here/$part" || die "secilc failed"
