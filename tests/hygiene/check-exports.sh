#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The shared library exports exactly the functions the public header declares,
# each under a version node of libpeersec.sym, and nothing else.
# check-exports.sh LIBRARY HEADER VERSION.H
set -euo pipefail
lib=$1 header=$2 version_h=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Functions the header declares.  Every build exports all of them, whatever
# its options (a missing dependency makes a function answer -EOPNOTSUPP),
# so the header has no sections that depend on the build.
if grep -n '^#if.*PEERSEC_HAVE_' "$header"; then
	echo "FAIL: the header declares functions only for some builds"
	exit 1
fi
awk '
	match($0, /peersec_[a-z0-9_]+\(/) && $0 !~ /^ \*/ && $0 !~ /^\/\*/ {
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
# The nodes, each with exactly its release's functions: PEERSEC_0.1 the
# first release's, PEERSEC_0.2 the second's, inheriting PEERSEC_0.1.
node_has() {
	local node=$1 f
	shift
	for f in "$@"; do
		grep -qx "$f@@$node" "$tmp/raw" || { echo "FAIL: $f is not in $node"; exit 1; }
	done
	[[ $(grep -c "@@$node\$" "$tmp/raw") == "$#" ]] ||
		{ echo "FAIL: $node holds other functions than its $# own"; exit 1; }
}
node_has PEERSEC_0.1 peersec_version peersec_tcp_get peersec_tcp_get_alloc \
	peersec_udp_enable peersec_udp_recvmsg peersec_udp_recvmmsg \
	peersec_sctp_assoc_label peersec_sctp_peeloff \
	peersec_label_is_unlabeled peersec_context_derive
node_has PEERSEC_0.2 peersec_stream_get peersec_stream_get_alloc \
	peersec_dgram_enable peersec_dgram_recvmsg peersec_dgram_recvmmsg \
	peersec_cmsg_label
# readelf -V: a node's definition line, then its parents, one a line.
parent=$(readelf -V "$lib" | awk '
	/Name: / { node = $NF; next }
	node == "PEERSEC_0.2" && /Parent 1:/ { print $NF }')
[[ $parent == PEERSEC_0.1 ]] ||
	{ echo "FAIL: PEERSEC_0.2's parent is '$parent', not PEERSEC_0.1"; exit 1; }
soname=$(readelf -d "$lib" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[[ $soname == libpeersec.so.1 ]] || { echo "FAIL: SONAME is '$soname'"; exit 1; }
echo "SONAME $soname; $(wc -l < "$tmp/exported") symbols, all declared, versioned and documented"
