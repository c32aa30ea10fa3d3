/* Tests for lib/validate.c: UTF-8 text, integers, UUIDs, dates, enums and account names. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "validate.h"

/* astral_check_text on a byte string whose length is given by sizeof, so embedded NULs count. */
#define TEXT_OK(lit, min, max, ml) assert_null(astral_check_text((lit), sizeof(lit) - 1, (min), (max), (ml)))
#define TEXT_BAD(lit, min, max, ml) assert_non_null(astral_check_text((lit), sizeof(lit) - 1, (min), (max), (ml)))

static void
test_validate_text_good(void **state)
{
	(void)state;
	TEXT_OK("hello", 1, 5, 0);
	TEXT_OK("", 0, 10, 0);
	TEXT_OK("caf\xc3\xa9", 4, 4, 0);                  /* é: 2 bytes, 1 code point */
	TEXT_OK("\xe2\x82\xac", 1, 1, 0);                 /* € */
	TEXT_OK("\xf0\x9f\x98\x80", 1, 1, 0);             /* U+1F600 */
	TEXT_OK("\xf4\x8f\xbf\xbf", 1, 1, 0);             /* U+10FFFF, the last code point */
	TEXT_OK("\xed\x9f\xbf", 1, 1, 0);                 /* U+D7FF, just below the surrogates */
	TEXT_OK("\xee\x80\x80", 1, 1, 0);                 /* U+E000, just above them */
	TEXT_OK("\xc2\xa0", 1, 1, 0);                     /* U+00A0, first after C1 */
	TEXT_OK("a\nb\tc", 5, 5, 1);
	TEXT_OK("~", 1, 1, 0);
}

static void
test_validate_text_counts_code_points(void **state)
{
	/* 10 code points in 30 bytes: max is in code points, not bytes. */
	static const char ten[] = "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
	                          "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac";

	(void)state;
	assert_null(astral_check_text(ten, sizeof(ten) - 1, 10, 10, 0));
	assert_string_equal(astral_check_text(ten, sizeof(ten) - 1, 0, 9, 0), "is too long");
	assert_string_equal(astral_check_text(ten, sizeof(ten) - 1, 11, 20, 0), "is too short");
	assert_int_equal(astral_utf8_length(ten, sizeof(ten) - 1), 10);
	assert_int_equal(astral_utf8_length("a\xf0\x9f\x98\x80" "b", 6), 3);
	/* Only `bytes` bytes are read, even when a NUL comes later. */
	assert_null(astral_check_text("abcdef", 3, 3, 3, 0));
}

static void
test_validate_bad_text_length(void **state)
{
	(void)state;
	assert_string_equal(astral_check_text("", 0, 1, 10, 0), "must not be empty");
	assert_string_equal(astral_check_text("ab", 2, 3, 10, 0), "is too short");
	assert_string_equal(astral_check_text("abcdef", 6, 1, 5, 0), "is too long");
	assert_string_equal(astral_check_text(NULL, 0, 0, 10, 0), "is required");
}

static void
test_validate_bad_text_utf8(void **state)
{
	(void)state;
	TEXT_BAD("\xc0\x80", 0, 10, 0);                   /* overlong NUL */
	TEXT_BAD("\xc1\xbf", 0, 10, 0);                   /* overlong '\x7f' */
	TEXT_BAD("\xe0\x80\xaf", 0, 10, 0);               /* overlong '/' in 3 bytes */
	TEXT_BAD("\xe0\x9f\xbf", 0, 10, 0);               /* overlong U+07FF */
	TEXT_BAD("\xf0\x8f\xbf\xbf", 0, 10, 0);           /* overlong U+FFFF */
	TEXT_BAD("\xed\xa0\x80", 0, 10, 0);               /* U+D800, high surrogate */
	TEXT_BAD("\xed\xbf\xbf", 0, 10, 0);               /* U+DFFF, low surrogate */
	TEXT_BAD("\xed\xa0\xbd\xed\xb8\x80", 0, 10, 0);   /* CESU-8 surrogate pair */
	TEXT_BAD("\xf4\x90\x80\x80", 0, 10, 0);           /* U+110000, past Unicode */
	TEXT_BAD("\xf5\x80\x80\x80", 0, 10, 0);
	TEXT_BAD("\xf8\x88\x80\x80\x80", 0, 10, 0);       /* 5-byte form */
	TEXT_BAD("\xfc\x84\x80\x80\x80\x80", 0, 10, 0);   /* 6-byte form */
	TEXT_BAD("\xfe", 0, 10, 0);
	TEXT_BAD("\xff", 0, 10, 0);
	TEXT_BAD("\x80", 0, 10, 0);                       /* lone continuation byte */
	TEXT_BAD("a\xbf", 0, 10, 0);
	TEXT_BAD("\xc3", 0, 10, 0);                       /* truncated 2-byte */
	TEXT_BAD("\xe2\x82", 0, 10, 0);                   /* truncated 3-byte */
	TEXT_BAD("\xf0\x9f\x98", 0, 10, 0);               /* truncated 4-byte */
	TEXT_BAD("\xe2\x82" "a", 0, 10, 0);               /* continuation replaced by ASCII */
	TEXT_BAD("\xc3(", 0, 10, 0);
	/* A sequence cut by the `bytes` limit is truncated too. */
	assert_non_null(astral_check_text("\xe2\x82\xac", 2, 0, 10, 0));
	assert_string_equal(astral_check_text("\xff", 1, 0, 10, 0), "must be valid UTF-8");
}

static void
test_validate_bad_text_nul_and_controls(void **state)
{
	(void)state;
	assert_string_equal(astral_check_text("a\0b", 3, 0, 10, 0), "must not contain NUL characters");
	TEXT_BAD("a\0b", 0, 10, 1);
	TEXT_BAD("\0", 0, 10, 0);
	TEXT_BAD("a\x01", 0, 10, 0);
	TEXT_BAD("a\x1b[31m", 0, 10, 0);                  /* terminal escape */
	TEXT_BAD("a\x1f", 0, 10, 1);
	TEXT_BAD("a\x7f", 0, 10, 0);                      /* DEL */
	TEXT_BAD("a\x7f", 0, 10, 1);
	TEXT_BAD("a\xc2\x80", 0, 10, 0);                  /* U+0080, C1 */
	TEXT_BAD("a\xc2\x85", 0, 10, 1);                  /* U+0085, NEL */
	TEXT_BAD("a\xc2\x9f", 0, 10, 0);
	assert_string_equal(astral_check_text("a\x01", 2, 0, 10, 0), "must not contain control characters");
}

static void
test_validate_bad_text_line_breaks_single_line(void **state)
{
	(void)state;
	TEXT_BAD("a\nb", 0, 10, 0);
	TEXT_BAD("a\tb", 0, 10, 0);
	TEXT_BAD("a\rb", 0, 10, 0);
	TEXT_BAD("a\r\nb", 0, 10, 0);
}

/* validate.h: "no control characters other than tab and newline when `multiline`". */
static void
test_validate_bad_text_multiline_carriage_return(void **state)
{
	(void)state;
	TEXT_OK("line one\nline two\n\tindented", 0, 100, 1);
	TEXT_BAD("a\rb", 0, 10, 1);
}

static void
test_validate_int_good(void **state)
{
	long long v = -1;

	(void)state;
	assert_null(astral_check_int("0", 0, 10, &v));
	assert_int_equal(v, 0);
	assert_null(astral_check_int("10", 0, 10, &v));
	assert_int_equal(v, 10);
	assert_null(astral_check_int("-5", -10, 10, &v));
	assert_int_equal(v, -5);
	assert_null(astral_check_int("007", 0, 10, &v));
	assert_int_equal(v, 7);
	assert_null(astral_check_int("9223372036854775807", LLONG_MIN, LLONG_MAX, &v));
	assert_true(v == LLONG_MAX);
	assert_null(astral_check_int("-9223372036854775808", LLONG_MIN, LLONG_MAX, &v));
	assert_true(v == LLONG_MIN);
}

static void
test_validate_bad_int_syntax(void **state)
{
	static const char *const bad[] = {
		"", "-", "+", "+1", " 1", "1 ", "\t1", "1\n", "0x10", "1e3", "1.0", "1,000", "--1", "- 1",
		"abc", "1a", "\xef\xbc\x91", /* fullwidth one */
	};
	long long v = 42;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_string_equal(astral_check_int(bad[i], LLONG_MIN, LLONG_MAX, &v), "must be a whole number");
		assert_int_equal(v, 42);    /* untouched on failure */
	}
	assert_non_null(astral_check_int(NULL, 0, 10, &v));
	assert_int_equal(v, 42);
}

static void
test_validate_bad_int_range(void **state)
{
	long long v = 42;

	(void)state;
	assert_string_equal(astral_check_int("11", 0, 10, &v), "is out of range");
	assert_string_equal(astral_check_int("-1", 0, 10, &v), "is out of range");
	assert_string_equal(astral_check_int("9223372036854775808", LLONG_MIN, LLONG_MAX, &v), "is out of range");
	assert_string_equal(astral_check_int("-9223372036854775809", LLONG_MIN, LLONG_MAX, &v), "is out of range");
	assert_string_equal(astral_check_int("99999999999999999999999", 0, 10, &v), "is out of range");
	assert_int_equal(v, 42);
}

static void
test_validate_uuid(void **state)
{
	(void)state;
	assert_null(astral_check_uuid("123e4567-e89b-42d3-a456-426614174000"));
	assert_null(astral_check_uuid("00000000-0000-0000-0000-000000000000"));
	assert_null(astral_check_uuid("123E4567-E89B-42D3-A456-426614174000"));
}

static void
test_validate_bad_uuid(void **state)
{
	static const char *const bad[] = {
		"", "123e4567e89b42d3a456426614174000", "123e4567-e89b-42d3-a456-42661417400",
		"123e4567-e89b-42d3-a456-4266141740000", "123e4567-e89b-42d3-a456-42661417400g",
		"{123e4567-e89b-42d3-a456-426614174000}", "123e4567_e89b_42d3_a456_426614174000",
		" 123e4567-e89b-42d3-a456-42661417400", "123e4567-e89b-42d3-a456-426614174000 ",
		"123e4567-e89b-42d3-a4560426614174000", "../../../etc/passwd",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_string_equal(astral_check_uuid(bad[i]), "must be a UUID");
	assert_non_null(astral_check_uuid(NULL));
}

static void
test_validate_date(void **state)
{
	(void)state;
	assert_null(astral_check_date("2024-02-29"));      /* leap year */
	assert_null(astral_check_date("2000-02-29"));      /* divisible by 400 */
	assert_null(astral_check_date("2023-02-28"));
	assert_null(astral_check_date("2024-01-31"));
	assert_null(astral_check_date("2024-12-31"));
	assert_null(astral_check_date("1900-01-01"));
	assert_null(astral_check_date("9999-12-31"));
}

static void
test_validate_bad_date(void **state)
{
	static const char *const bad[] = {
		"2023-02-29",       /* not a leap year */
		"1900-02-29",       /* divisible by 100, not by 400 */
		"2100-02-29",
		"2024-02-30", "2024-04-31", "2024-06-31", "2024-09-31", "2024-11-31", "2024-01-32",
		"2024-13-01", "2024-00-10", "2024-01-00",
		"2024-1-01", "2024-01-1", "24-01-01", "2024-001-01",
		"2024/01/01", "2024-01-01T00:00:00Z", "2024-01-01 ", " 2024-01-01", "20240101",
		"2024-0a-01", "+024-01-01", "-024-01-01", "2024-+1-01", "2024-01-+1",
		"0000-01-01", "1899-12-31", "", "yyyy-mm-dd",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (astral_check_date(bad[i]) == NULL)
			fail_msg("date \"%s\" was accepted", bad[i]);
	}
	assert_non_null(astral_check_date(NULL));
}

static const char *const colours[] = { "red", "green", "blue", NULL };

static void
test_validate_enum(void **state)
{
	(void)state;
	assert_null(astral_check_enum("red", colours));
	assert_null(astral_check_enum("blue", colours));
}

static void
test_validate_bad_enum(void **state)
{
	static const char *const none[] = { NULL };

	(void)state;
	assert_string_equal(astral_check_enum("Red", colours), "is not one of the allowed values");
	assert_non_null(astral_check_enum("re", colours));
	assert_non_null(astral_check_enum("redd", colours));
	assert_non_null(astral_check_enum("red ", colours));
	assert_non_null(astral_check_enum("", colours));
	assert_non_null(astral_check_enum("red", none));
	assert_string_equal(astral_check_enum(NULL, colours), "is required");
}

static void
check_username_becomes(const char *in, const char *want)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%s", in);
	assert_null(astral_check_username(buf));
	assert_string_equal(buf, want);
}

static void
test_validate_username(void **state)
{
	(void)state;
	check_username_becomes("alice", "alice");
	check_username_becomes("Alice", "alice");
	check_username_becomes("BOB_99", "bob_99");
	check_username_becomes("a.b-c_d", "a.b-c_d");
	check_username_becomes("abc", "abc");
	check_username_becomes("0123456789abcdefABCDEF0123456789", "0123456789abcdefabcdef0123456789");
	check_username_becomes("...", "...");
}

static void
test_validate_bad_username(void **state)
{
	static const char *const bad[] = {
		"", "a", "ab", "abcdefghijklmnopqrstuvwxyz0123456", /* 33 */
		"a b", "a@b.c", "a/b", "a+b", "a:b", "a'b", "a\"b", "a\tb", "a\nb", "a;b", "a%b",
		"\xc3\xa9lan",      /* é */
		"caf\xc3\xa9",
		"\xd0\xb0" "dmin", /* Cyrillic а */
		"adm\x7fin",
	};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf), "%s", bad[i]);
		if (astral_check_username(buf) == NULL)
			fail_msg("username \"%s\" was accepted", bad[i]);
	}
	assert_non_null(astral_check_username(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate_text_good),
		cmocka_unit_test(test_validate_text_counts_code_points),
		cmocka_unit_test(test_validate_bad_text_length),
		cmocka_unit_test(test_validate_bad_text_utf8),
		cmocka_unit_test(test_validate_bad_text_nul_and_controls),
		cmocka_unit_test(test_validate_bad_text_line_breaks_single_line),
		cmocka_unit_test(test_validate_bad_text_multiline_carriage_return),
		cmocka_unit_test(test_validate_int_good),
		cmocka_unit_test(test_validate_bad_int_syntax),
		cmocka_unit_test(test_validate_bad_int_range),
		cmocka_unit_test(test_validate_uuid),
		cmocka_unit_test(test_validate_bad_uuid),
		cmocka_unit_test(test_validate_date),
		cmocka_unit_test(test_validate_bad_date),
		cmocka_unit_test(test_validate_enum),
		cmocka_unit_test(test_validate_bad_enum),
		cmocka_unit_test(test_validate_username),
		cmocka_unit_test(test_validate_bad_username),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
