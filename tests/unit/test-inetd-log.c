/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * peersec-inetd's log lines (examples/peersec-inetd/log.c) carry labels a
 * peer chose.  Control characters, backslashes and bytes above 0x7e come
 * out as \xHH, so a label cannot forge a line or a terminal sequence; a
 * long label is cut and says how long it was, so the reason after it stays
 * on the line.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "inetd.h"

static void escapes(const char *in, const char *want)
{
	char out[INETD_LOG_LABEL_MAX];

	inetd_escape(in, out, sizeof(out));
	assert_string_equal(out, want);
}

static void test_escape_bytes(void **state)
{
	(void)state;
	escapes("system_u:system_r:peer_t:s0:c3",
		"system_u:system_r:peer_t:s0:c3");
	escapes("", "");
	escapes("a\nb", "a\\x0ab");
	escapes("\r\t\x7f", "\\x0d\\x09\\x7f");
	escapes("\x1b[31mred", "\\x1b[31mred");
	escapes("back\\slash", "back\\x5cslash");
	escapes("\xc3\xa9\xff", "\\xc3\\xa9\\xff");
	/* a forged second line is one line */
	escapes("ok\npeersec-inetd: info: started",
		"ok\\x0apeersec-inetd: info: started");
}

/* Every length up to well past the room: the result always fits, is what
 * fits of the escaped label, and says "...(N bytes)" when cut. */
static void test_escape_cuts(void **state)
{
	char in[1200], out[INETD_LOG_LABEL_MAX], full[4 * sizeof(in)];
	(void)state;

	for (size_t len = 0; len < sizeof(in); len++) {
		size_t fl = 0;

		for (size_t i = 0; i < len; i++)
			in[i] = (char)(i % 7 == 3 ? '\n' : 'a' + (char)(i % 26));
		in[len] = '\0';
		for (size_t i = 0; i < len; i++)
			fl += (size_t)(in[i] == '\n' ?
				sprintf(full + fl, "\\x0a") :
				sprintf(full + fl, "%c", in[i]));
		full[fl] = '\0';

		memset(out, 'Z', sizeof(out));
		inetd_escape(in, out, sizeof(out));
		assert_non_null(memchr(out, '\0', sizeof(out)));
		if (fl < sizeof(out)) {
			assert_string_equal(out, full);
			continue;
		}
		char tail[32];
		size_t ol = strlen(out), tl;

		tl = (size_t)snprintf(tail, sizeof(tail), "...(%zu bytes)", len);
		assert_true(ol >= tl);
		assert_string_equal(out + ol - tl, tail);
		/* what comes before the tail is the escaped label's start,
		 * never half of an \xHH (the only backslashes) */
		assert_memory_equal(out, full, ol - tl);
		for (size_t k = 1; k <= 3 && k <= ol - tl; k++)
			assert_int_not_equal(out[ol - tl - k], '\\');
	}
}

/* The refusal line as the launcher writes it: a 4000-byte label of control
 * characters leaves one line, with the reason at its end. */
static void test_refusal_line(void **state)
{
	char label[4001], esc[INETD_LOG_LABEL_MAX], line[2048];
	const char *reason = "derivation: policy rejects the label's range";
	int pipefd[2], saved;
	ssize_t n;
	(void)state;

	for (size_t i = 0; i < 4000; i++)
		label[i] = (char)(i % 2 ? '\n' : '\x1b');
	label[4000] = '\0';
	inetd_escape(label, esc, sizeof(esc));

	assert_int_equal(pipe(pipefd), 0);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_int_equal(dup2(pipefd[1], STDERR_FILENO), STDERR_FILENO);
	inetd_log_open(false);
	inetd_log(LOG_WARNING, "refused %s/%s peer %s label %s: %s",
		  "a-service-name-of-the-longest-kind-that-the-parser-takes-x",
		  "sctp", "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535",
		  esc, reason);
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	close(pipefd[1]);
	n = read(pipefd[0], line, sizeof(line) - 1);
	close(pipefd[0]);
	assert_true(n > 0);
	line[n] = '\0';

	assert_int_equal(line[n - 1], '\n');
	for (ssize_t i = 0; i < n - 1; i++)
		assert_true(line[i] >= 0x20 && line[i] < 0x7f);
	assert_non_null(strstr(line, "...(4000 bytes): "));
	assert_true((size_t)n > strlen(reason) + 1);
	assert_memory_equal(line + n - 1 - strlen(reason), reason,
			    strlen(reason));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_bytes),
		cmocka_unit_test(test_escape_cuts),
		cmocka_unit_test(test_refusal_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
