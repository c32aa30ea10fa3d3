/* cgi-bin/wellness/streak.c and day_number.c: habit streak rules (gaps, repeats, today and
   yesterday, nothing done) and the calendar-day numbers they count with. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "day_number.h"
#include "streak.h"

#define TODAY 20000      /* 2024-10-04 */

static struct wellness_streak
streak_of(const int32_t *days, size_t n, int32_t today)
{
	struct wellness_streak s;

	assert_int_equal(wellness_streak_compute(days, n, today, &s), ASTRAL_OK);
	return s;
}

static void
test_streak_empty(void **state)
{
	struct wellness_streak s = streak_of(NULL, 0, TODAY);

	(void)state;
	assert_int_equal(s.current, 0);
	assert_int_equal(s.longest, 0);
	assert_false(s.completed_today);
	assert_false(s.has_last);
}

static void
test_streak_today_only(void **state)
{
	const int32_t days[] = { TODAY };
	struct wellness_streak s = streak_of(days, 1, TODAY);

	(void)state;
	assert_true(s.completed_today);
	assert_int_equal(s.current, 1);
	assert_int_equal(s.longest, 1);
	assert_true(s.has_last);
	assert_int_equal(s.last, TODAY);
}

static void
test_streak_counts_from_today(void **state)
{
	const int32_t days[] = { TODAY - 3, TODAY - 2, TODAY - 1, TODAY };
	struct wellness_streak s = streak_of(days, 4, TODAY);

	(void)state;
	assert_true(s.completed_today);
	assert_int_equal(s.current, 4);
	assert_int_equal(s.longest, 4);
}

/* Today not done yet: the streak still stands, counted from yesterday. */
static void
test_streak_counts_from_yesterday(void **state)
{
	const int32_t days[] = { TODAY - 3, TODAY - 2, TODAY - 1 };
	struct wellness_streak s = streak_of(days, 3, TODAY);

	(void)state;
	assert_false(s.completed_today);
	assert_int_equal(s.current, 3);
	assert_int_equal(s.longest, 3);
	assert_int_equal(s.last, TODAY - 1);
}

/* The last completion two days ago: the current streak is broken. */
static void
test_streak_broken_two_days_ago(void **state)
{
	const int32_t days[] = { TODAY - 4, TODAY - 3, TODAY - 2 };
	struct wellness_streak s = streak_of(days, 3, TODAY);

	(void)state;
	assert_false(s.completed_today);
	assert_int_equal(s.current, 0);
	assert_int_equal(s.longest, 3);
	assert_int_equal(s.last, TODAY - 2);
}

/* A gap splits runs: the current one is after the gap, the longest may be before it. */
static void
test_streak_gap(void **state)
{
	const int32_t days[] = { TODAY - 10, TODAY - 9, TODAY - 8, TODAY - 7, TODAY - 5, TODAY - 1, TODAY };
	struct wellness_streak s = streak_of(days, 7, TODAY);

	(void)state;
	assert_int_equal(s.current, 2);
	assert_int_equal(s.longest, 4);
}

/* One missing day is a gap like any other. */
static void
test_streak_single_missing_day(void **state)
{
	const int32_t days[] = { TODAY - 3, TODAY - 2, TODAY };
	struct wellness_streak s = streak_of(days, 3, TODAY);

	(void)state;
	assert_int_equal(s.current, 1);
	assert_int_equal(s.longest, 2);
}

/* Several completions on one day count once, for both streaks. */
static void
test_streak_duplicates(void **state)
{
	const int32_t days[] = { TODAY - 2, TODAY - 2, TODAY - 1, TODAY - 1, TODAY - 1, TODAY, TODAY };
	struct wellness_streak s = streak_of(days, 7, TODAY);

	(void)state;
	assert_int_equal(s.current, 3);
	assert_int_equal(s.longest, 3);
	assert_true(s.completed_today);
}

/* A day after today (done in a zone ahead of the one asked about) is not part of the current
   streak, but is the last completion and counts towards the longest run. */
static void
test_streak_day_after_today(void **state)
{
	const int32_t days[] = { TODAY - 1, TODAY, TODAY + 1 };
	struct wellness_streak s = streak_of(days, 3, TODAY);

	(void)state;
	assert_true(s.completed_today);
	assert_int_equal(s.current, 2);
	assert_int_equal(s.longest, 3);
	assert_int_equal(s.last, TODAY + 1);
}

static void
test_streak_only_future_days(void **state)
{
	const int32_t days[] = { TODAY + 1 };
	struct wellness_streak s = streak_of(days, 1, TODAY);

	(void)state;
	assert_false(s.completed_today);
	assert_int_equal(s.current, 0);
	assert_int_equal(s.longest, 1);
}

/* Long ago, with a longer run in the past. */
static void
test_streak_longest_in_the_past(void **state)
{
	int32_t days[40];
	size_t n = 0;
	struct wellness_streak s;

	(void)state;
	for (int i = 0; i < 30; i++)
		days[n++] = TODAY - 200 + i;
	days[n++] = TODAY - 1;
	s = streak_of(days, n, TODAY);
	assert_int_equal(s.current, 1);
	assert_int_equal(s.longest, 30);
}

static void
test_streak_bad_unsorted(void **state)
{
	const int32_t days[] = { TODAY, TODAY - 1 };
	struct wellness_streak s;

	(void)state;
	s.current = 99;
	assert_int_equal(wellness_streak_compute(days, 2, TODAY, &s), ASTRAL_ERR_INVALID);
	assert_int_equal(s.current, 0);
	assert_int_equal(s.longest, 0);
}

static void
test_streak_bad_null_days(void **state)
{
	struct wellness_streak s;

	(void)state;
	assert_int_equal(wellness_streak_compute(NULL, 3, TODAY, &s), ASTRAL_ERR_INVALID);
}

/* ------------------------------------------------------------------ day numbers */

static void
test_streak_day_numbers(void **state)
{
	int32_t d = -1;
	char out[11];

	(void)state;
	assert_int_equal(wellness_day_parse("1970-01-01", &d), ASTRAL_OK);
	assert_int_equal(d, 0);
	assert_int_equal(wellness_day_parse("2024-10-04", &d), ASTRAL_OK);
	assert_int_equal(d, TODAY);
	assert_int_equal(wellness_day_parse("2000-02-29", &d), ASTRAL_OK);
	assert_int_equal(d, 11016);
	assert_int_equal(wellness_day_parse("1969-12-31", &d), ASTRAL_OK);
	assert_int_equal(d, -1);
	wellness_day_format(TODAY, out);
	assert_string_equal(out, "2024-10-04");
	wellness_day_format(-1, out);
	assert_string_equal(out, "1969-12-31");
	wellness_day_format(11016, out);
	assert_string_equal(out, "2000-02-29");
	for (int32_t x = -800000; x < 3000000; x += 997) {
		int32_t back;

		wellness_day_format(x, out);
		if (x < -719162 || x > 2932896)
			continue;
		assert_int_equal(wellness_day_parse(out, &back), ASTRAL_OK);
		assert_int_equal(back, x);
	}
}

static void
test_streak_day_year_before(void **state)
{
	int32_t d, e;
	char out[11];

	(void)state;
	assert_int_equal(wellness_day_parse("2024-02-29", &d), ASTRAL_OK);
	wellness_day_format(wellness_day_year_before(d), out);
	assert_string_equal(out, "2023-02-28");
	assert_int_equal(wellness_day_parse("2025-03-01", &d), ASTRAL_OK);
	assert_int_equal(wellness_day_parse("2024-03-01", &e), ASTRAL_OK);
	assert_int_equal(wellness_day_year_before(d), e);
	assert_int_equal(d - e, 365);
}

static void
test_streak_day_of_unix(void **state)
{
	(void)state;
	assert_int_equal(wellness_day_of_unix(0), 0);
	assert_int_equal(wellness_day_of_unix(86399), 0);
	assert_int_equal(wellness_day_of_unix(86400), 1);
	assert_int_equal(wellness_day_of_unix(-1), -1);
	assert_int_equal(wellness_day_of_unix(-86400), -1);
	assert_int_equal(wellness_day_of_unix(-86401), -2);
	assert_int_equal(wellness_day_of_unix((int64_t)TODAY * 86400 + 43200), TODAY);
}

static void
test_streak_bad_day_text(void **state)
{
	static const char *const bad[] = {
		"", "2024-1-04", "2024-10-4", "2024/10/04", "2024-13-01", "2024-00-10", "2024-10-00",
		"2023-02-29", "2024-04-31", "0000-01-01", "24-10-04xx", "2024-10-04 ", " 2024-10-04",
		"2024-10-0a", "+024-10-04", "2024-10-04T00:00:00",
	};
	int32_t d = 7;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(wellness_day_parse(bad[i], &d), ASTRAL_ERR_INVALID);
	assert_int_equal(wellness_day_parse(NULL, &d), ASTRAL_ERR_INVALID);
	assert_int_equal(d, 7);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_streak_empty),
		cmocka_unit_test(test_streak_today_only),
		cmocka_unit_test(test_streak_counts_from_today),
		cmocka_unit_test(test_streak_counts_from_yesterday),
		cmocka_unit_test(test_streak_broken_two_days_ago),
		cmocka_unit_test(test_streak_gap),
		cmocka_unit_test(test_streak_single_missing_day),
		cmocka_unit_test(test_streak_duplicates),
		cmocka_unit_test(test_streak_day_after_today),
		cmocka_unit_test(test_streak_only_future_days),
		cmocka_unit_test(test_streak_longest_in_the_past),
		cmocka_unit_test(test_streak_bad_unsorted),
		cmocka_unit_test(test_streak_bad_null_days),
		cmocka_unit_test(test_streak_day_numbers),
		cmocka_unit_test(test_streak_day_year_before),
		cmocka_unit_test(test_streak_day_of_unix),
		cmocka_unit_test(test_streak_bad_day_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
