# SPDX-License-Identifier: LGPL-2.1-or-later
# C source as logical lines, for comparing a file with clang-format's version
# of it while leaving where a long line breaks to its author: a statement,
# declaration, directive or control head on one line however it was broken,
# its indentation kept, blanks squeezed to one, none just inside brackets
# (which also evens out the gap before a trailing comment).
function flush() {
	if (have) {
		gsub(/[ \t]+/, " ", body)
		while (match(body, /[({[] /))
			body = substr(body, 1, RSTART) substr(body, RSTART + 2)
		while (match(body, / [)}\]]/))
			body = substr(body, 1, RSTART - 1) substr(body, RSTART + 1)
		sub(/ $/, "", body)
		print indent body
	}
	have = 0
	body = ""
}
{
	line = $0
	match(line, /^[ \t]*/)
	lead = substr(line, 1, RLENGTH)
	line = substr(line, RLENGTH + 1)
	if (line == "{")	# a brace of its own starts its own logical line
		flush()
	if (!have) {
		indent = lead
		have = 1
		body = line
	} else {
		body = body " " line
	}
	if (sub(/\\$/, "", body))	# a macro continues
		next
	# A control statement's head ends a logical line: its body is the next.
	if (line ~ /\)$/ && body ~ /^(} *)?(else +)?(if|for|while|switch) *\(/ &&
	    gsub(/\(/, "(", body) == gsub(/\)/, ")", body)) {
		flush()
		next
	}
	if (line == "" || line == "else" || line ~ /^#/ || line ~ /[;}:]$/ ||
	    line ~ /\*\/$/ || (line ~ /\{$/ && line !~ /= *\{$/))
		flush()
}
END { flush() }
