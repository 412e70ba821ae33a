#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A parent meson project uses libpeersec as a subproject, as the README
# shows: dependency('peersec', fallback : ['peersec', 'peersec_dep']).
# Built with default_library=static (subprojects/peersec a link to this
# tree), the program carries the library's code and needs no libpeersec.so;
# with default_library=shared (the README's .wrap, a tarball of the tracked
# files in subprojects/packagefiles) it needs libpeersec.so.1 from the
# subproject's build.  Either way the subproject builds no test, example or
# launcher, and installs no launcher and no man page.
# subproject.sh SRCDIR
set -euo pipefail
src=$(readlink -f "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

for tool in meson ninja cc git tar nm readelf ldd; do
	command -v "$tool" >/dev/null || fail "$tool is not installed"
done

parent() {
	mkdir -p "$1/subprojects"
	cat >"$1/meson.build" <<'MESON'
project('parent', 'c')
peersec = dependency('peersec', fallback : ['peersec', 'peersec_dep'])
executable('hello', 'hello.c', dependencies : peersec, install : true)
MESON
	cat >"$1/hello.c" <<'C'
#include <stdio.h>
#include <peersec/peersec.h>

int main(void)
{
	printf("libpeersec %s\n", peersec_version());
	return 0;
}
C
}

# static: the subproject is this tree itself.
parent "$tmp/static"
ln -s "$src" "$tmp/static/subprojects/peersec"

# shared: the README's .wrap over a tarball of the tracked files.
parent "$tmp/shared"
git -C "$src" ls-files -z |
	tar -C "$src" --null -T - --transform 's,^,libpeersec/,' \
		-czf "$tmp/shared/subprojects/libpeersec.tar.gz"
mkdir "$tmp/shared/subprojects/packagefiles"
mv "$tmp/shared/subprojects/libpeersec.tar.gz" "$tmp/shared/subprojects/packagefiles/"
cat >"$tmp/shared/subprojects/peersec.wrap" <<'WRAP'
[wrap-file]
directory = libpeersec
source_filename = libpeersec.tar.gz

[provide]
dependency_names = peersec
WRAP

for kind in static shared; do
	b=$tmp/build-$kind
	echo "== default_library=$kind"
	meson setup "$b" "$tmp/$kind" -Ddefault_library="$kind" \
		--wrap-mode=nodownload >"$tmp/setup-$kind.log" 2>&1 ||
		{ cat "$tmp/setup-$kind.log"; fail "meson setup ($kind)"; }
	grep -q 'Subproject peersec finished' "$tmp/setup-$kind.log" ||
		{ cat "$tmp/setup-$kind.log"; fail "peersec was not built as a subproject"; }
	ninja -C "$b" >"$tmp/ninja-$kind.log" 2>&1 ||
		{ cat "$tmp/ninja-$kind.log"; fail "build ($kind)"; }
	out=$("$b/hello")
	echo "hello: $out"
	[[ $out == "libpeersec "[0-9]*.[0-9]*.[0-9]* ]] || fail "hello said '$out'"

	needed=$(readelf -d "$b/hello" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
	echo "NEEDED: $needed"
	if [[ $kind == static ]]; then
		[[ $needed != *libpeersec* ]] || fail "static parent needs a libpeersec.so"
		grep -q ' T peersec_version$' <<<"$(nm "$b/hello")" ||
			fail "peersec_version is not in the static parent's program"
	else
		[[ $needed == *libpeersec.so.1* ]] || fail "shared parent does not need libpeersec.so.1"
		grep -q ' U peersec_version@PEERSEC_0.1' <<<"$(nm "$b/hello")" ||
			fail "peersec_version is not taken from the shared library"
		lib=$(ldd "$b/hello" | awk '$1 == "libpeersec.so.1" { print $3 }')
		echo "ldd: libpeersec.so.1 => $lib"
		[[ $lib == "$b"/subprojects/* ]] || fail "linked against '$lib', not the subproject's"
	fi

	# Only the library: no test, example, launcher or benchmark.
	tests=$(meson introspect --tests "$b")
	[[ $tests == "[]" ]] || fail "the subproject defines tests: $tests"
	targets=$(meson introspect --targets "$b" |
		python3 -c 'import json, sys; print(" ".join(t["name"] for t in json.load(sys.stdin)))')
	echo "targets: $targets"
	for t in $targets; do
		case $t in
		hello | peersec) ;;
		*) fail "the subproject builds $t" ;;
		esac
	done
	meson install -C "$b" --destdir "$tmp/root-$kind" --quiet --no-rebuild
	installed=$(cd "$tmp/root-$kind" && find . -type f -o -type l | sort)
	if grep -E 'sbin|/man/|peersec-inetd' <<<"$installed"; then
		fail "the subproject installs the files above"
	fi
done
echo "subproject: static and shared parents link what they ask for"
