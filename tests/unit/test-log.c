/* The logging module: line format, level filter, access lines, control characters, length cap. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../lib/log.h"

static char captured[8192];

static int
setup(void **state)
{
	FILE *f = tmpfile();

	if (!f)
		return -1;
	*state = f;
	astral_log_init("test-prog", ASTRAL_LOG_DEBUG);
	astral_log_set_sink(f);
	astral_log_set_request(NULL, NULL);
	return 0;
}

static int
teardown(void **state)
{
	astral_log_set_sink(NULL);
	astral_log_set_request(NULL, NULL);
	fclose(*state);
	return 0;
}

/* Everything written to the sink so far, NUL-terminated. */
static const char *
capture(void **state)
{
	FILE *f = *state;
	size_t n;

	rewind(f);
	n = fread(captured, 1, sizeof(captured) - 1, f);
	captured[n] = '\0';
	return captured;
}

static size_t
count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (*s == '\n')
			n++;
	return n;
}

static void
expect_line(void **state, const char *rest)
{
	char want[4096];

	snprintf(want, sizeof(want), "test-prog[%ld] %s\n", (long)getpid(), rest);
	assert_string_equal(capture(state), want);
}

static void
test_log_line_format(void **state)
{
	astral_log_set_request("9b2f0c1e-req", "192.0.2.7");
	astral_log(ASTRAL_LOG_WARN, "database %s after %d ms", "reconnected", 12);
	expect_line(state, "level=warn req=9b2f0c1e-req addr=192.0.2.7 database reconnected after 12 ms");
}

static void
test_log_without_request(void **state)
{
	astral_log_set_request("x", "y");
	astral_log_set_request(NULL, NULL);
	astral_log(ASTRAL_LOG_INFO, "listening");
	expect_line(state, "level=info req=- addr=- listening");
}

static void
test_log_program_basename(void **state)
{
	astral_log_init("/usr/lib/cgi-bin/astral/test-prog", ASTRAL_LOG_DEBUG);
	astral_log(ASTRAL_LOG_DEBUG, "x");
	expect_line(state, "level=debug req=- addr=- x");
}

static void
test_log_level_filter(void **state)
{
	const char *out;

	astral_log_init("test-prog", ASTRAL_LOG_WARN);
	astral_log(ASTRAL_LOG_DEBUG, "debug line");
	astral_log(ASTRAL_LOG_INFO, "info line");
	astral_log(ASTRAL_LOG_WARN, "warn line");
	astral_log(ASTRAL_LOG_ERROR, "error line");
	astral_log_access("GET", "/api/x", 200, 1.0);
	out = capture(state);
	assert_int_equal(count_lines(out), 2);
	assert_non_null(strstr(out, "level=warn req=- addr=- warn line\n"));
	assert_non_null(strstr(out, "level=error req=- addr=- error line\n"));
	assert_null(strstr(out, "info line"));
	assert_null(strstr(out, "debug line"));
}

static void
test_log_access_line(void **state)
{
	astral_log_set_request("req-1", "2001:db8::1");
	astral_log_access("GET", "/api/auth/session", 200, 1.234);
	expect_line(state, "level=info req=req-1 addr=2001:db8::1 method=GET route=/api/auth/session "
	    "status=200 ms=1.23");
}

static void
test_log_keeps_errno(void **state)
{
	(void)state;
	errno = ENOENT;
	astral_log(ASTRAL_LOG_ERROR, "open failed");
	assert_int_equal(errno, ENOENT);
}

static void
test_log_level_parse(void **state)
{
	(void)state;
	assert_int_equal(astral_log_level_parse("error"), ASTRAL_LOG_ERROR);
	assert_int_equal(astral_log_level_parse("warn"), ASTRAL_LOG_WARN);
	assert_int_equal(astral_log_level_parse("info"), ASTRAL_LOG_INFO);
	assert_int_equal(astral_log_level_parse("debug"), ASTRAL_LOG_DEBUG);
	assert_string_equal(astral_log_level_name(ASTRAL_LOG_WARN), "warn");
}

static void
test_log_bad_level_names(void **state)
{
	(void)state;
	assert_int_equal(astral_log_level_parse(NULL), -1);
	assert_int_equal(astral_log_level_parse(""), -1);
	assert_int_equal(astral_log_level_parse("INFO"), -1);
	assert_int_equal(astral_log_level_parse("warning"), -1);
	assert_int_equal(astral_log_level_parse("info "), -1);
}

/* A message cannot forge a second line or drive the terminal. */
static void
test_log_bad_control_characters(void **state)
{
	const char *out;

	astral_log(ASTRAL_LOG_INFO, "user said %s", "hi\r\nprog[1] level=error forged\x1b[2J\tbell\a del\x7f end");
	out = capture(state);
	assert_int_equal(count_lines(out), 1);
	expect_line(state, "level=info req=- addr=- user said hi??prog[1] level=error forged?[2J?bell? del? end");
}

static void
test_log_bad_request_fields(void **state)
{
	astral_log_set_request("id\nlevel=error x", "10.0.0.1\x1b");
	astral_log_access("G\rT", "/a b\n", 404, 0.5);
	expect_line(state, "level=info req=id?level=error?x addr=10.0.0.1? method=G?T route=/a?b? status=404 ms=0.50");
}

/* UTF-8 text passes; C1 controls, overlongs, surrogates and stray bytes do not. */
static void
test_log_bad_utf8(void **state)
{
	astral_log(ASTRAL_LOG_INFO, "%s", "caf\xc3\xa9 \xe2\x82\xac C1:\xc2\x9b[0m over:\xc0\xaf sur:\xed\xa0\x80 "
	    "stray:\xff\x80 ok:\xf0\x9f\x98\x80");
	expect_line(state, "level=info req=- addr=- caf\xc3\xa9 \xe2\x82\xac C1:?[0m over:?? sur:??? stray:?? "
	    "ok:\xf0\x9f\x98\x80");
}

static void
test_log_bad_long_message(void **state)
{
	static char big[5000];
	const char *out;
	size_t len;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	astral_log(ASTRAL_LOG_INFO, "%s", big);
	out = capture(state);
	len = strlen(out);
	assert_int_equal(len, ASTRAL_LOG_LINE_MAX);
	assert_int_equal(out[len - 1], '\n');
	assert_int_equal(out[len - 2], 'x');
	assert_int_equal(count_lines(out), 1);
}

/* Cut at a character boundary: no half of a two-byte character before the newline. */
static void
test_log_bad_long_multibyte(void **state)
{
	static char big[6001];
	const char *out;
	size_t i, len;

	for (i = 0; i + 1 < sizeof(big); i += 2) {
		big[i] = '\xc3';
		big[i + 1] = '\xa9';
	}
	big[sizeof(big) - 1] = '\0';
	astral_log(ASTRAL_LOG_INFO, "%s", big);
	astral_log(ASTRAL_LOG_INFO, "a%s", big);  /* the other parity */
	out = capture(state);
	assert_int_equal(count_lines(out), 2);
	len = (size_t)(strchr(out, '\n') - out) + 1;
	assert_true(len <= ASTRAL_LOG_LINE_MAX);
	assert_int_equal((unsigned char)out[len - 2], 0xa9);
	out += len;
	len = (size_t)(strchr(out, '\n') - out) + 1;
	assert_true(len <= ASTRAL_LOG_LINE_MAX);
	assert_int_equal((unsigned char)out[len - 2], 0xa9);
	assert_null(strchr(out, '?'));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_log_line_format, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_without_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_program_basename, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_level_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_access_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_keeps_errno, setup, teardown),
		cmocka_unit_test(test_log_level_parse),
		cmocka_unit_test(test_log_bad_level_names),
		cmocka_unit_test_setup_teardown(test_log_bad_control_characters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_bad_request_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_bad_utf8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_bad_long_message, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_bad_long_multibyte, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
