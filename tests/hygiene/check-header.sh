#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The public header compiles alone as strict C99 and as C++, warnings as errors.
# check-header.sh CC CXX SRCDIR BUILDDIR
set -euo pipefail
cc=$1 cxx=$2 src=$3 build=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '#include <peersec/peersec.h>\nint main(void) { return peersec_version() == 0; }\n' > "$tmp/t.c"
cp "$tmp/t.c" "$tmp/t.cc"
inc=(-I"$src/include" -I"$build/include")
"$cc" -std=c99 -pedantic -Werror -Wall -Wextra "${inc[@]}" -c "$tmp/t.c" -o "$tmp/c.o"
echo "C99 -pedantic -Werror: ok"
"$cc" -std=c11 -pedantic -Werror -Wall -Wextra "${inc[@]}" -c "$tmp/t.c" -o "$tmp/c11.o"
echo "C11 -pedantic -Werror: ok"
"$cxx" -std=c++11 -pedantic -Werror -Wall -Wextra "${inc[@]}" -c "$tmp/t.cc" -o "$tmp/cc.o"
echo "C++11 -pedantic -Werror: ok"
