#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A program outside the tree links libpeersec the way users do: install into a
# staging directory, build examples/tcp-server.c with pkg-config only, run it,
# connect to it, and check what it printed.
# consumer.sh BUILDDIR SRCDIR
set -euo pipefail
build=$1 src=$2
stage=$(mktemp -d)
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$stage"' EXIT

meson install -C "$build" --destdir "$stage" --quiet --no-rebuild
pcdir=$(dirname "$(find "$stage" -name peersec.pc -print -quit)")
[[ -f $pcdir/peersec.pc ]] || { echo "FAIL: peersec.pc not installed"; exit 1; }
export PKG_CONFIG_PATH=$pcdir PKG_CONFIG_SYSROOT_DIR=$stage
echo "pkg-config: $(pkg-config --cflags --libs peersec)"

cc -Wall -Werror "$src/examples/tcp-server.c" $(pkg-config --cflags --libs peersec) \
	-o "$stage/tcp-server"
libdir=$(dirname "$pcdir")
# The program must find the installed library, not the build tree's.
export LD_LIBRARY_PATH=$libdir
deps=$(ldd "$stage/tcp-server")
[[ $deps == *"$stage"*libpeersec.so.1* ]] ||
	{ echo "FAIL: not linked against the staged library"; echo "$deps"; exit 1; }

# Static linking works too (Libs.private carries the dependencies).
cc "$src/examples/tcp-server.c" $(pkg-config --cflags peersec) \
	"$libdir/libpeersec.a" $(pkg-config --static --libs-only-l peersec | sed 's/-lpeersec//') \
	-o "$stage/tcp-server-static"

for prog in tcp-server tcp-server-static; do
	exec 3< <("$stage/$prog" -1 0)
	server=$!
	read -r -t 10 first <&3
	port=${first#listening on port }
	port=${port%% *}
	[[ $port =~ ^[0-9]+$ ]] || { echo "FAIL: $prog said '$first'"; exit 1; }
	exec 4<>/dev/tcp/127.0.0.1/"$port"
	read -r -t 10 reply <&4 || reply="(nothing)"
	exec 4<&-
	read -r -t 10 line <&3
	wait "$server"
	echo "$prog: $first / $line / client got: $reply"
	# This kernel supplies no peer labels: the documented answer is "no label".
	[[ $line =~ ^\[::ffff:127\.0\.0\.1\]:[0-9]+\ no\ label$ ]] ||
		{ echo "FAIL: unexpected line '$line'"; exit 1; }
	[[ $reply == "no label" ]] || { echo "FAIL: client got '$reply'"; exit 1; }
done
