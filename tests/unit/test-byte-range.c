/* Tests for lib/byte_range.c: the three forms of one byte range against a file's size, clamping
   past the end, the unsatisfiable cases (416), and everything served whole instead (no header,
   another unit, several ranges, junk, last before first, numbers too long to hold). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "byte_range.h"

static void
expect_part(const char *header, long long size, long long want_first, long long want_last)
{
	long long first = -7, last = -7;
	enum astral_byte_range got = astral_byte_range_parse(header, size, &first, &last);

	if (got != ASTRAL_RANGE_PART || first != want_first || last != want_last)
		fail_msg("\"%s\" of %lld bytes: kind %d, %lld-%lld; wanted a part %lld-%lld", header, size, (int)got,
		         first, last, want_first, want_last);
}

static void
expect_kind(const char *header, long long size, enum astral_byte_range want)
{
	long long first = -7, last = -7;
	enum astral_byte_range got = astral_byte_range_parse(header, size, &first, &last);

	if (got != want)
		fail_msg("\"%s\" of %lld bytes: kind %d, wanted %d", header ? header : "(null)", size, (int)got, (int)want);
	assert_int_equal(first, -7);     /* untouched unless a part */
	assert_int_equal(last, -7);
}

static void
test_byte_range_forms(void **state)
{
	(void)state;
	expect_part("bytes=1000-1999", 100000, 1000, 1999);
	expect_part("bytes=0-0", 1, 0, 0);
	expect_part("bytes=5-", 10, 5, 9);
	expect_part("bytes=-100", 1000, 900, 999);
	expect_part("Bytes=2-3", 10, 2, 3);            /* the unit is case-insensitive */
	expect_part(" bytes= 2-3 ", 10, 2, 3);         /* spaces around the value */
}

static void
test_byte_range_clamped(void **state)
{
	(void)state;
	expect_part("bytes=5-999999", 10, 5, 9);       /* last past the end: up to the end */
	expect_part("bytes=-5000", 10, 0, 9);          /* suffix longer than the file: all of it */
	expect_part("bytes=9-9", 10, 9, 9);
}

static void
test_byte_range_bad_unsatisfiable(void **state)
{
	(void)state;
	expect_kind("bytes=10-", 10, ASTRAL_RANGE_UNSATISFIABLE);      /* starts at the end */
	expect_kind("bytes=100-200", 10, ASTRAL_RANGE_UNSATISFIABLE);
	expect_kind("bytes=-0", 10, ASTRAL_RANGE_UNSATISFIABLE);        /* an empty suffix */
	expect_kind("bytes=0-", 0, ASTRAL_RANGE_UNSATISFIABLE);         /* nothing in an empty file */
	expect_kind("bytes=-5", 0, ASTRAL_RANGE_UNSATISFIABLE);
}

static void
test_byte_range_bad_served_whole(void **state)
{
	(void)state;
	expect_kind(NULL, 10, ASTRAL_RANGE_WHOLE);
	expect_kind("", 10, ASTRAL_RANGE_WHOLE);
	expect_kind("items=0-5", 10, ASTRAL_RANGE_WHOLE);
	expect_kind("bytes=0-1,4-5", 10, ASTRAL_RANGE_WHOLE);          /* several ranges */
	expect_kind("bytes=5-2", 10, ASTRAL_RANGE_WHOLE);              /* last before first */
	expect_kind("bytes=-", 10, ASTRAL_RANGE_WHOLE);
	expect_kind("bytes=", 10, ASTRAL_RANGE_WHOLE);
	expect_kind("bytes=a-b", 10, ASTRAL_RANGE_WHOLE);
	expect_kind("bytes=1-2x", 10, ASTRAL_RANGE_WHOLE);
	expect_kind("bytes=+1-2", 10, ASTRAL_RANGE_WHOLE);
	expect_kind("bytes=1", 10, ASTRAL_RANGE_WHOLE);
	expect_kind("bytes=1234567890123456789-", 10, ASTRAL_RANGE_WHOLE);   /* 19 digits */
	expect_kind("bytes=-1234567890123456789", 10, ASTRAL_RANGE_WHOLE);
	expect_kind("bytes=0-5", -1, ASTRAL_RANGE_WHOLE);              /* no size known */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_byte_range_forms),
		cmocka_unit_test(test_byte_range_clamped),
		cmocka_unit_test(test_byte_range_bad_unsatisfiable),
		cmocka_unit_test(test_byte_range_bad_served_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
