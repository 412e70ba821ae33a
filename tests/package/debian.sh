#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Debian packages, as a user gets them: build them with
# dpkg-buildpackage from a clean copy of the tracked files, hold them to
# lintian, install them with dpkg -i into a throwaway copy of this system
# (tests/package/overlay-root.sh), build examples/tcp-server.c there
# against the installed libpeersec-dev with pkg-config only, run it and the
# installed programs, and purge the packages (tests/package/installed.sh).
# The programs must load the installed libpeersec.so.1, the packages must
# hold what they promise (no test program, the file named after the SONAME,
# the launcher with its man pages), and the host must not change.
# Without the tools, or as a user other than root, it skips (after building
# and checking the packages when it can), or fails when CI=true.
# debian.sh SRCDIR
set -euo pipefail
src=$(readlink -f "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

missing=()
for tool in dpkg-buildpackage dh dpkg-deb dpkg-parsechangelog dpkg-architecture \
	lintian fakeroot meson ninja pkg-config cc git ldd readelf python3 \
	unshare findmnt chroot; do
	command -v "$tool" >/dev/null || missing+=("$tool")
done
if [[ ${#missing[@]} -gt 0 ]]; then
	[[ ${CI:-} == true ]] && fail "not installed: ${missing[*]} (tools/bootstrap.sh)"
	echo "SKIP: not installed: ${missing[*]} (tools/bootstrap.sh installs them)"
	exit 77
fi
git -C "$src" rev-parse --git-dir >/dev/null 2>&1 || fail "$src is not a git checkout"

# One version: debian/changelog's upstream part is meson.build's.
version=$(meson introspect --projectinfo "$src/meson.build" |
	python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])')
debversion=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
[[ ${debversion%-*} == "$version" ]] ||
	fail "debian/changelog is at $debversion, meson.build at $version: add a changelog entry"
IFS=. read -r _ minor micro <<<"$version"
echo "version $version, Debian $debversion"

# A clean tree: the tracked files only (as they are in the work tree).
tree=$tmp/libpeersec-$version
mkdir "$tree"
git -C "$src" ls-files -z | tar -C "$src" --null -T - -cf - | tar -C "$tree" -xf -

echo "== dpkg-buildpackage -us -uc -b"
t0=$SECONDS
(cd "$tree" && env -u DEB_BUILD_OPTIONS -u MAKEFLAGS -u MESON_TESTTHREADS \
	dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1 ||
	{ tail -n 40 "$tmp/build.log"; fail "dpkg-buildpackage"; }
grep -q -- '-Dtests=disabled' "$tmp/build.log" || fail "the build did not disable the tests"
echo "built in $((SECONDS - t0)) s"
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
changes=$tmp/libpeersec_${debversion}_$arch.changes
[[ -f $changes ]] || fail "no $changes"
for p in libpeersec1 libpeersec-dev peersec-inetd peersec-tools; do
	deb=$tmp/${p}_${debversion}_$arch.deb
	[[ -f $deb ]] || fail "no $p package"
	dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's,^\./,/,' >"$tmp/$p.files"
	echo "$p: $(grep -vc '/$' "$tmp/$p.files") files"
done

# What each package holds.
has() { grep -qx -- "$2" "$tmp/$1.files" || fail "$1 lacks $2"; }
has libpeersec1 "/usr/lib/$ma/libpeersec.so.1.$minor.$micro"
has libpeersec1 "/usr/lib/$ma/libpeersec.so.1"
has libpeersec-dev "/usr/include/peersec/peersec.h"
has libpeersec-dev "/usr/include/peersec/version.h"
has libpeersec-dev "/usr/lib/$ma/libpeersec.so"
has libpeersec-dev "/usr/lib/$ma/libpeersec.a"
has libpeersec-dev "/usr/lib/$ma/pkgconfig/peersec.pc"
has libpeersec-dev "/usr/share/man/man3/peersec_tcp_get.3.gz"
has peersec-inetd "/usr/sbin/peersec-inetd"
has peersec-inetd "/usr/share/man/man5/peersec-inetd.conf.5.gz"
has peersec-inetd "/usr/share/man/man8/peersec-inetd.8.gz"
has peersec-tools "/usr/bin/peersec"
has peersec-tools "/usr/share/man/man1/peersec.1.gz"
if cat "$tmp"/*.files | grep -E '/(bin|sbin|libexec)/[^/]' |
	grep -v '^/usr/sbin/peersec-inetd$\|^/usr/bin/peersec$'; then
	fail "the packages install the programs above"
fi
if cat "$tmp"/*.files | grep -E '/(tests?|bench|lab|fuzz)/|/(test|host|bench|fuzz|lab)-[^/]*$|whoami|-server$|-peer$'; then
	fail "the packages install the files above"
fi

# Every tag is shown, info, pedantic, experimental and overridden ones
# included, and any of them fails: the packages carry no override.
echo "== lintian"
t0=$SECONDS
lintian --display-info --pedantic --display-experimental --show-overrides \
	--fail-on error,warning,info,pedantic,experimental,override \
	"$changes" >"$tmp/lintian.log" 2>&1 || { cat "$tmp/lintian.log"; fail "lintian"; }
grep -v '^running with root privileges is not recommended!$' "$tmp/lintian.log" || true
echo "lintian: $(grep -c '^[EWIPXO]: ' "$tmp/lintian.log") tags ($((SECONDS - t0)) s)"

dpkg-deb --fsys-tarfile "$tmp/libpeersec1_${debversion}_$arch.deb" |
	tar -xOf - "./usr/lib/$ma/libpeersec.so.1.$minor.$micro" >"$tmp/libpeersec.so"
[[ $(readelf -d "$tmp/libpeersec.so") == *'Library soname: [libpeersec.so.1]'* ]] ||
	fail "the packaged library's SONAME is not libpeersec.so.1"

# The packages installed with dpkg into a throwaway copy of this system
# (overlay-root.sh: / under a tmpfs overlay, in a mount namespace of the
# test's own), used there, and purged.  The host's dpkg database and files
# must come out as they went in.
if [[ $(id -u) -ne 0 ]]; then
	why="installing the packages into a copy of / needs root (mount namespace, overlay, dpkg)"
	[[ ${CI:-} == true ]] && fail "$why"
	echo "SKIP: $why; they were built and checked by lintian only"
	exit 77
fi
pkgs=(libpeersec1 libpeersec-dev peersec-inetd peersec-tools)
host_state() {
	local p f
	for p in "${pkgs[@]}"; do
		echo "$p: $(dpkg-query -W -f '${db:Status-Abbrev}' "$p" 2>/dev/null || echo unknown)"
	done
	for f in "/usr/lib/$ma/libpeersec.so.1" "/usr/lib/$ma/pkgconfig/peersec.pc" \
		/usr/include/peersec /usr/sbin/peersec-inetd /usr/bin/peersec \
		/usr/sbin/policy-rc.d /peersec-test; do
		[[ -e $f ]] && echo "$f exists"
	done
	return 0
}
host_state >"$tmp/host.before"
mkdir "$tmp/files" "$tmp/mnt"
for p in "${pkgs[@]}"; do
	cp "$tmp/${p}_${debversion}_$arch.deb" "$tmp/files/"
done
cp "$src/examples/tcp-server.c" "$src/tests/package/installed.sh" "$tmp/files/"
t0=$SECONDS
unshare -m --propagation private bash "$src/tests/package/overlay-root.sh" \
	"$tmp/mnt" "$tmp/files" bash /peersec-test/installed.sh "$version" "$ma" ||
	fail "the packages in a throwaway root"
echo "throwaway root: $((SECONDS - t0)) s"
host_state >"$tmp/host.after"
diff "$tmp/host.before" "$tmp/host.after" || fail "the host changed (above)"
! findmnt -rn -o TARGET | grep -F "$tmp" || fail "the test's mounts are in the host's namespace"
! dpkg -s libpeersec1 >/dev/null 2>&1 || grep -q '^libpeersec1: ii' "$tmp/host.before" ||
	fail "libpeersec1 is installed on the host"
echo "host: unchanged ($(tr '\n' ' ' <"$tmp/host.before" | sed 's/ $//'))"
echo "debian: libpeersec1, libpeersec-dev, peersec-inetd, peersec-tools $debversion built, lintian clean, installed, used, purged"
