/* Tests for lib/clock.c: RFC 3339 formatting of known instants, and the clock itself (with the test
   clock file when the build has ASTRAL_TEST_CLOCK, as configure --enable-test-clock makes it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"

static void
expect_format(int64_t t, const char *want)
{
	char buf[32];

	memset(buf, 'x', sizeof(buf));
	astral_clock_format(t, buf, sizeof(buf));
	if (strcmp(buf, want) != 0)
		fail_msg("astral_clock_format(%lld) = \"%s\", want \"%s\"", (long long)t, buf, want);
}

static void
test_clock_format_known_instants(void **state)
{
	(void)state;
	expect_format(0, "1970-01-01T00:00:00Z");
	expect_format(1795640145, "2026-11-25T20:55:45Z");
	expect_format(1835438400, "2028-02-29T12:00:00Z");      /* leap day */
	expect_format(951868799, "2000-02-29T23:59:59Z");       /* leap day of a century leap year */
	expect_format(951868800, "2000-03-01T00:00:00Z");
	expect_format(1835481599, "2028-02-29T23:59:59Z");
	expect_format(1835481600, "2028-03-01T00:00:00Z");
	expect_format(4102444800, "2100-01-01T00:00:00Z");      /* after 2038 */
	expect_format(4107542400, "2100-03-01T00:00:00Z");      /* 2100 is not a leap year */
	expect_format(-1, "1969-12-31T23:59:59Z");
}

static void
test_clock_format_exact_buffer(void **state)
{
	char buf[21];

	(void)state;
	/* The header promises 21 bytes are enough. */
	astral_clock_format(1795640145, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-25T20:55:45Z");
}

static void
test_clock_bad_format_small_buffer(void **state)
{
	char buf[40];

	(void)state;
	/* Below the documented minimum: whatever is written stays inside len and is terminated. */
	memset(buf, 'x', sizeof(buf));
	astral_clock_format(1795640145, buf, 10);
	assert_true(memchr(buf, '\0', 10) != NULL);
	for (size_t i = 10; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 'x');
}

static void
test_clock_bad_format_out_of_range(void **state)
{
	char buf[32];

	(void)state;
	/* gmtime cannot represent this year: still a well-formed timestamp, never garbage. */
	memset(buf, 'x', sizeof(buf));
	astral_clock_format(INT64_MAX, buf, sizeof(buf));
	assert_int_equal(strlen(buf), 20);
	assert_int_equal(buf[4], '-');
	assert_int_equal(buf[10], 'T');
	assert_int_equal(buf[19], 'Z');
}

static void
test_clock_now_without_offset(void **state)
{
	struct astral_config cfg;
	int64_t before, now, after;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	before = (int64_t)time(NULL);
	now = astral_clock_now(&cfg);
	after = (int64_t)time(NULL);
	assert_true(now >= before && now <= after);

	before = (int64_t)time(NULL);
	now = astral_clock_now(NULL);
	after = (int64_t)time(NULL);
	assert_true(now >= before && now <= after);
}

#ifdef ASTRAL_TEST_CLOCK
/* Write `content` to a fresh temporary file; the caller unlinks `path`. */
static void
write_clock_file(char *path, size_t len, const char *content)
{
	FILE *f;
	int fd;

	snprintf(path, len, "/tmp/astral-test-clock-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_true(fputs(content, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/* astral_clock_now with the offset file holding `content` is time(NULL) + want_offset. */
static void
expect_offset(const char *content, int64_t want_offset)
{
	struct astral_config cfg;
	char path[64];
	int64_t before, now, after;

	memset(&cfg, 0, sizeof(cfg));
	write_clock_file(path, sizeof(path), content);
	cfg.test_clock_file = path;
	before = (int64_t)time(NULL);
	now = astral_clock_now(&cfg);
	after = (int64_t)time(NULL);
	unlink(path);
	if (now < before + want_offset || now > after + want_offset)
		fail_msg("clock file \"%s\": now %lld, want %lld..%lld", content, (long long)now,
		         (long long)(before + want_offset), (long long)(after + want_offset));
}

static void
test_clock_now_with_offset_file(void **state)
{
	(void)state;
	expect_offset("3600\n", 3600);
	expect_offset("-86400", -86400);
	expect_offset("0\n", 0);
	expect_offset("31536000\n", 31536000);
}

/* astral_clock_now with the clock file holding `content` ("@EPOCH") is want, whatever the time. */
static void
expect_frozen(const char *content, int64_t want)
{
	struct astral_config cfg;
	char path[64];
	int64_t now;

	memset(&cfg, 0, sizeof(cfg));
	write_clock_file(path, sizeof(path), content);
	cfg.test_clock_file = path;
	now = astral_clock_now(&cfg);
	unlink(path);
	if (now != want)
		fail_msg("clock file \"%s\": now %lld, want %lld", content, (long long)now, (long long)want);
}

static void
test_clock_now_frozen(void **state)
{
	(void)state;
	expect_frozen("@1795640145\n", 1795640145);
	expect_frozen("@0", 0);
	expect_frozen("@4102444800\n", 4102444800);
}

static void
test_clock_bad_offset_file(void **state)
{
	struct astral_config cfg;
	char missing[] = "/nonexistent/astral-clock";
	int64_t before, now, after;

	(void)state;
	/* Garbage or an empty file adds nothing. */
	expect_offset("soon\n", 0);
	expect_offset("", 0);
	expect_offset("@\n", 0);
	expect_offset("@soon\n", 0);
	/* A missing file adds nothing. */
	memset(&cfg, 0, sizeof(cfg));
	cfg.test_clock_file = missing;
	before = (int64_t)time(NULL);
	now = astral_clock_now(&cfg);
	after = (int64_t)time(NULL);
	assert_true(now >= before && now <= after);
}
#endif

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clock_format_known_instants),
		cmocka_unit_test(test_clock_format_exact_buffer),
		cmocka_unit_test(test_clock_bad_format_small_buffer),
		cmocka_unit_test(test_clock_bad_format_out_of_range),
		cmocka_unit_test(test_clock_now_without_offset),
#ifdef ASTRAL_TEST_CLOCK
		cmocka_unit_test(test_clock_now_with_offset_file),
		cmocka_unit_test(test_clock_now_frozen),
		cmocka_unit_test(test_clock_bad_offset_file),
#endif
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
