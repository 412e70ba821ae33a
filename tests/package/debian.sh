#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Debian packages, as a user gets them: build them with
# dpkg-buildpackage from a clean copy of the tracked files, hold them to
# lintian, unpack them into an empty root, and build examples/tcp-server.c
# against that root's libpeersec-dev with pkg-config only.  The program
# must load the packaged libpeersec.so.1, and the packages must hold what
# they promise (no test program, the file named after the SONAME, the
# launcher with its man pages).
# Without the tools it skips, or fails when CI=true.
# debian.sh SRCDIR
set -euo pipefail
src=$(readlink -f "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

missing=()
for tool in dpkg-buildpackage dh dpkg-deb dpkg-parsechangelog dpkg-architecture \
	lintian fakeroot meson ninja pkg-config cc git ldd readelf python3; do
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
(cd "$tree" && env -u DEB_BUILD_OPTIONS -u MAKEFLAGS -u MESON_TESTTHREADS \
	dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1 ||
	{ tail -n 40 "$tmp/build.log"; fail "dpkg-buildpackage"; }
grep -q -- '-Dtests=disabled' "$tmp/build.log" || fail "the build did not disable the tests"
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
lintian --display-info --pedantic --display-experimental --show-overrides \
	--fail-on error,warning,info,pedantic,experimental,override \
	"$changes" >"$tmp/lintian.log" 2>&1 || { cat "$tmp/lintian.log"; fail "lintian"; }
grep -v '^running with root privileges is not recommended!$' "$tmp/lintian.log" || true
echo "lintian: $(grep -c '^[EWIPXO]: ' "$tmp/lintian.log") tags"

# The packages unpacked into an empty root.
root=$tmp/root
for p in libpeersec1 libpeersec-dev peersec-inetd peersec-tools; do
	dpkg-deb -x "$tmp/${p}_${debversion}_$arch.deb" "$root"
done
[[ $(readelf -d "$root/usr/lib/$ma/libpeersec.so.1") == *'Library soname: [libpeersec.so.1]'* ]] ||
	fail "the packaged library's SONAME is not libpeersec.so.1"

echo "== examples/tcp-server.c against the root's libpeersec-dev"
# The host's own .pc files answer for libpeersec-dev's dependencies
# (libselinux1-dev); peersec.pc comes from the root, its paths under it.
export PKG_CONFIG_SYSROOT_DIR=$root
export PKG_CONFIG_LIBDIR=$root/usr/lib/$ma/pkgconfig:/usr/lib/$ma/pkgconfig:/usr/share/pkgconfig
unset PKG_CONFIG_PATH
pcfile=$(pkg-config --path peersec)
[[ $pcfile == "$root"/* ]] || fail "pkg-config found $pcfile, not the root's"
flags=$(pkg-config --cflags --libs peersec)
echo "pkg-config: $flags"
[[ $(pkg-config --modversion peersec) == "$version" ]] || fail "peersec.pc is not at $version"
# shellcheck disable=SC2086
cc -Wall -Werror "$src/examples/tcp-server.c" $flags -o "$tmp/tcp-server" ||
	fail "tcp-server does not build against the package"
deps=$(LD_LIBRARY_PATH=$root/usr/lib/$ma ldd "$tmp/tcp-server")
lib=$(awk '$1 == "libpeersec.so.1" { print $3 }' <<<"$deps")
echo "ldd: libpeersec.so.1 => $lib"
[[ $lib == "$root/usr/lib/$ma/libpeersec.so.1" ]] ||
	{ echo "$deps"; fail "tcp-server does not load the packaged library"; }
rc=0
usage=$(LD_LIBRARY_PATH=$root/usr/lib/$ma "$tmp/tcp-server" 2>&1) || rc=$?
[[ $rc -eq 2 && $usage == "usage: tcp-server"* ]] ||
	fail "tcp-server without arguments: status $rc, '$usage'"
echo "tcp-server runs: $usage"

# The launcher from the root, with the root's library.
out=$(LD_LIBRARY_PATH=$root/usr/lib/$ma "$root/usr/sbin/peersec-inetd" -h) ||
	fail "peersec-inetd -h"
[[ $out == *"/etc/peersec-inetd.conf"* ]] || fail "peersec-inetd -h: '$out'"
lib=$(LD_LIBRARY_PATH=$root/usr/lib/$ma ldd "$root/usr/sbin/peersec-inetd" |
	awk '$1 == "libpeersec.so.1" { print $3 }')
[[ $lib == "$root/usr/lib/$ma/libpeersec.so.1" ]] ||
	fail "peersec-inetd loads '$lib', not the packaged library"
echo "peersec-inetd runs: ${out%%$'\n'*}"
echo "debian: libpeersec1, libpeersec-dev, peersec-inetd, peersec-tools $debversion built, lintian clean, usable"
