#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The man pages this build installs are those of what it builds and
# installs, from meson's install plan: one section 3 page for each function
# the shared library exports (every build exports all of them, some
# returning -EOPNOTSUPP), peersec(7), peersec(1) if and only if the peersec
# command is installed, peersec-inetd(8) and peersec-inetd.conf(5) if and
# only if the launcher is; none at all with -Ddocs=disabled.
# man-pages.sh BUILDDIR DOCS(true|false) LIBPEERSEC.SO
set -euo pipefail
build=$1 docs=$2 lib=$3
[[ $lib == /* ]] || lib=$build/$lib
fail() { echo "FAIL: $*"; exit 1; }

installed=$(meson introspect --installed "$build" |
	python3 -c 'import json, sys; print("\n".join(sorted(json.load(sys.stdin).values())))')
pages=$(grep -E '/man/man[0-9]/[^/]+$' <<<"$installed" | sed 's,.*/man/,,' || true)
has() { grep -qE "$1" <<<"$installed"; }
cli=false launcher=false
has '/bin/peersec$' && cli=true
has '/sbin/peersec-inetd$' && launcher=true
exports=$(nm -D --defined-only "$lib" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' | sort)
[[ -n $exports ]] || fail "no function exported by $lib"
echo "installed: peersec(1) $cli, launcher $launcher, man pages $docs;" \
	"exported: $(wc -l <<<"$exports") functions"

want=
if [[ $docs == true ]]; then
	want=$(
		sed 's,^,man3/,; s,$,.3,' <<<"$exports"
		echo man7/peersec.7
		[[ $cli == false ]] || echo man1/peersec.1
		[[ $launcher == false ]] || printf '%s\n' man5/peersec-inetd.conf.5 man8/peersec-inetd.8
	)
fi
want=$(sort <<<"$want" | sed '/^$/d')
pages=$(sort <<<"$pages" | sed '/^$/d')
if [[ $pages != "$want" ]]; then
	diff <(echo "$want") <(echo "$pages") |
		sed -n 's/^> /installed, not built: /p; s/^< /built, not installed: /p' || true
	fail "the installed man pages differ from what is built (above)"
fi
if [[ -z $pages ]]; then
	echo "man pages: none"
else
	echo "man pages: $(grep -c '^man3/' <<<"$pages") in section 3," \
		"$(grep -v '^man3/' <<<"$pages" | tr '\n' ' ')"
fi
echo "man-pages: the installed pages are those of what is built"
