#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The mechanical part of the house style (.editorconfig), over every tracked
# source: an SPDX line near the top, tab indentation in C, no trailing
# blanks, a final newline, C lines within 100 columns (80 is the aim, where
# .clang-format breaks them).  lib/ also as .clang-format lays it out, except
# where a long line breaks (logical-lines.awk compares the two).  Without
# clang-format that part is skipped, or fails when CI=true.
# check-style.sh SRCDIR
set -uo pipefail
cd "$1" || exit 1
bad=0
say() { echo "$1: $2"; bad=1; }

mapfile -t files < <(git ls-files '*.c' '*.h' '*.sh' '*.py' '*.cil' 'meson.build' '*/meson.build' 2>/dev/null)
[[ ${#files[@]} -gt 0 ]] || { echo "no files (not a git checkout?)"; exit 77; }
for f in "${files[@]}"; do
	head -n 5 "$f" | grep -q 'SPDX-License-Identifier' ||
		[[ $f == */meson.build || $f == meson.build ]] ||
		say "$f" "no SPDX-License-Identifier in its first lines"
	grep -n '[[:blank:]]$' "$f" | head -n 3 | while IFS= read -r l; do
		echo "$f:${l%%:*}: trailing blank"
	done
	grep -q '[[:blank:]]$' "$f" && bad=1
	[[ -z $(tail -c 1 "$f") ]] || say "$f" "no newline at the end"
	case $f in
	*.c | *.h)
		spaces=$(grep -nE '^ {8}' "$f" | grep -v '^[0-9]*: *\*' | sed -n '1s/:.*//p')
		[[ -z $spaces ]] || say "$f" "indents with spaces (line $spaces)"
		long=$(expand -t 8 "$f" | awk 'length > 100 { print NR; exit }')
		[[ -z $long ]] || say "$f" "line $long is longer than 100 columns"
		;;
	esac
done

awk_logical=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/logical-lines.awk
if ! command -v clang-format >/dev/null; then
	if [[ ${CI:-} == true ]]; then
		say clang-format "not installed (needed with CI=true)"
	else
		echo "clang-format not installed: lib/ not checked against .clang-format"
	fi
else
	for f in "${files[@]}"; do
		[[ $f == lib/*.[ch] ]] || continue
		if ! diff -u --label "$f" --label "$f (clang-format)" \
			<(awk -f "$awk_logical" "$f") \
			<(clang-format --style=file "$f" | awk -f "$awk_logical"); then
			say "$f" "differs from .clang-format (logical lines above; clang-format -i $f)"
		fi
	done
fi
[[ $bad -eq 0 ]] && echo "${#files[@]} files in house style"
exit $bad
