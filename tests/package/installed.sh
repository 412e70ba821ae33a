#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Inside the throwaway root of overlay-root.sh: install the packages in
# /peersec-test with dpkg -i (their Depends met by what the system has),
# build /peersec-test/tcp-server.c with pkg-config only and run it from the
# installed library, run the installed programs, then purge the packages
# and check that they leave nothing behind.
# installed.sh VERSION MULTIARCH
set -euo pipefail
version=$1 ma=$2
dir=/peersec-test
pkgs=(libpeersec1 libpeersec-dev peersec-inetd peersec-tools)
fail() { echo "FAIL: $*"; exit 1; }

for p in "${pkgs[@]}"; do
	! dpkg -s "$p" >/dev/null 2>&1 || fail "$p is installed before the test"
done
echo "== dpkg -i ${pkgs[*]}"
dpkg -i "$dir"/*.deb >"$dir/dpkg-i.log" 2>&1 || { cat "$dir/dpkg-i.log"; fail "dpkg -i"; }
grep '^Setting up ' "$dir/dpkg-i.log"
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f '${Status} ${Version}' "$p")
	[[ $st == "install ok installed $version-"* ]] || fail "dpkg -s $p: $st"
	dpkg -L "$p" >"$dir/$p.list"
	while read -r f; do
		[[ -e $f ]] || fail "$p: $f is listed by dpkg -L but missing"
	done <"$dir/$p.list"
done
echo "dpkg -s: ${pkgs[*]} install ok installed"

echo "== examples/tcp-server.c against the installed libpeersec-dev"
pc=$(pkg-config --path peersec)
echo "pkg-config --path peersec: $pc"
[[ $pc == "/usr/lib/$ma/pkgconfig/peersec.pc" ]] || fail "pkg-config found $pc"
[[ $(pkg-config --modversion peersec) == "$version" ]] || fail "peersec.pc is not at $version"
flags=$(pkg-config --cflags --libs peersec)
flags=${flags% }
echo "pkg-config --cflags --libs peersec: $flags"
# shellcheck disable=SC2086
cc -Wall -Werror "$dir/tcp-server.c" $flags -o "$dir/tcp-server" ||
	fail "tcp-server does not build against the installed package"
# The library the dynamic loader picks (/lib is /usr/lib on a merged-/usr
# system) must be libpeersec1's file.
so=$(readlink -f "/usr/lib/$ma/libpeersec.so.1")
[[ $(dpkg -S "$so") == "libpeersec1:"*": $so" ]] || fail "$so is not libpeersec1's"
lib() { readlink -f "$(ldd "$1" | awk '$1 == "libpeersec.so.1" { print $3 }')"; }
echo "ldd tcp-server: libpeersec.so.1 => $(ldd "$dir/tcp-server" |
	awk '$1 == "libpeersec.so.1" { print $3 }') ($(lib "$dir/tcp-server"), libpeersec1's)"
[[ $(lib "$dir/tcp-server") == "$so" ]] || fail "tcp-server does not load the installed library"
rc=0
usage=$("$dir/tcp-server" 2>&1) || rc=$?
[[ $rc -eq 2 && $usage == "usage: tcp-server"* ]] ||
	fail "tcp-server without arguments: status $rc, '$usage'"
echo "tcp-server runs: $usage"

# The installed programs, with the installed library.
for prog in /usr/sbin/peersec-inetd /usr/bin/peersec; do
	[[ $(lib "$prog") == "$so" ]] || fail "$prog does not load the installed library"
done
out=$(peersec-inetd -h) || fail "peersec-inetd -h"
[[ $out == *"/etc/peersec-inetd.conf"* ]] || fail "peersec-inetd -h: '$out'"
echo "peersec-inetd -h: ${out%%$'\n'*}"
out=$(peersec --version) || fail "peersec --version"
[[ $out == "peersec (libpeersec $version)" ]] || fail "peersec --version: '$out'"
echo "peersec --version: $out"
out=$(peersec --help) || fail "peersec --help"
[[ $out == "Usage: peersec "* ]] || fail "peersec --help: '$out'"
echo "peersec --help: ${out%%$'\n'*}"

echo "== dpkg --purge"
dpkg --purge "${pkgs[@]}" >"$dir/dpkg-purge.log" 2>&1 ||
	{ cat "$dir/dpkg-purge.log"; fail "dpkg --purge"; }
for p in "${pkgs[@]}"; do
	! dpkg -s "$p" >/dev/null 2>&1 || fail "$p is still known to dpkg after the purge"
	while read -r f; do
		[[ -d $f || ! -e $f ]] || fail "$p: $f is left after the purge"
	done <"$dir/$p.list"
done
[[ ! -e /usr/include/peersec ]] || fail "/usr/include/peersec is left after the purge"
! pkg-config --exists peersec || fail "pkg-config still finds peersec after the purge"
[[ $(ldd "$dir/tcp-server") == *"libpeersec.so.1 => not found"* ]] ||
	fail "libpeersec.so.1 still resolves after the purge"
echo "purged: no file of the four packages is left, libpeersec.so.1 not found"
