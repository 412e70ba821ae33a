#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The shared library exports exactly the functions the public header declares,
# each under a version node of libpeersec.sym, and nothing else.
# check-exports.sh LIBRARY HEADER VERSION.H
set -euo pipefail
lib=$1 header=$2 version_h=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Functions the header declares for this build (sections guarded by
# PEERSEC_HAVE_* count only when the build has them).
have_sctp=$(awk '/#define PEERSEC_HAVE_SCTP/{print $3}' "$version_h")
have_selinux=$(awk '/#define PEERSEC_HAVE_SELINUX/{print $3}' "$version_h")
awk -v sctp="$have_sctp" -v selinux="$have_selinux" '
	/^#if PEERSEC_HAVE_SCTP/ { skip = (sctp != 1); next }
	/^#if PEERSEC_HAVE_SELINUX/ { skip = (selinux != 1); next }
	/^#endif \/\* PEERSEC_HAVE/ { skip = 0; next }
	!skip && match($0, /peersec_[a-z0-9_]+\(/) && $0 !~ /^ \*/ && $0 !~ /^\/\*/ {
		print substr($0, RSTART, RLENGTH - 1)
	}' "$header" | sort -u > "$tmp/declared"

nm -D --defined-only "$lib" | awk '$2 == "T" { print $3 }' > "$tmp/raw"
sed 's/@.*//' "$tmp/raw" | sort -u > "$tmp/exported"

echo "exported:"; sed 's/^/  /' "$tmp/raw"
if ! diff -u "$tmp/declared" "$tmp/exported"; then
	echo "FAIL: exports differ from the header's declarations (- header, + library)"
	exit 1
fi
if grep -v '@@PEERSEC_' "$tmp/raw"; then
	echo "FAIL: symbols above carry no PEERSEC_ version"
	exit 1
fi
if nm -D --defined-only "$lib" | awk '$2 != "A" && $2 != "T"' | grep .; then
	echo "FAIL: the library exports data or other symbols"
	exit 1
fi
# Every exported function has its man page, installed by doc/meson.build.
mandir=$(dirname "$header")/../../doc/man/man3
for f in $(cat "$tmp/exported"); do
	[[ -f $mandir/$f.3 ]] || { echo "FAIL: $f has no man page ($mandir/$f.3)"; exit 1; }
	grep -q "'man3/$f.3'" "$mandir/../../meson.build" ||
		{ echo "FAIL: doc/meson.build does not install $f.3"; exit 1; }
done
soname=$(readelf -d "$lib" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[[ $soname == libpeersec.so.1 ]] || { echo "FAIL: SONAME is '$soname'"; exit 1; }
echo "SONAME $soname; $(wc -l < "$tmp/exported") symbols, all declared, versioned and documented"
