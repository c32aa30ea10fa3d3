/* libFuzzer target for the two small texts of cgi-bin/wellness that are not dates: a habit row's
   list of completed days (day_number.c, wellness_day_list_parse, which the Habit object reads from
   the database) and a client's time zone name (timezone_name.c, wellness_timezone_problem). The
   whole input, up to a NUL, is read as each.
   - days: accepted exactly when every comma-separated item is white space, an optional sign and
     decimal digits of a value in int32_t, each read as that value; a refusal is INTERNAL with no
     array. The days then go where the Habit object sends them: the streak is computed when they
     are in order (refused otherwise), lies between 0 and the distinct days, and every day formats
     as a date that reads back.
   - time zone: accepted names have 1 to WELLNESS_TIMEZONE_MAX bytes (what wellness_query_timezone
     copies into its buffer), a letter first, letters, digits, _ + - / after it and no empty
     segment; one with a digit is one of the few IANA names that have one, listed here. No zone
     database is read, so the verdict does not depend on the machine. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../cgi-bin/wellness/day_number.h"
#include "../../cgi-bin/wellness/streak.h"
#include "../../cgi-bin/wellness/timezone_name.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The item of text from *at to the next ',' or the end: 1 and its value when it is white space,
   a sign and digits within int32_t; *at moves past the item and its comma. */
static int
fuzz_day_item(const char **at, int32_t *value)
{
	const char *p = *at;
	int64_t v = 0;
	int neg = 0, digits = 0, ok = 1;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	for (; *p >= '0' && *p <= '9'; p++, digits++)
		if (v <= (int64_t)INT32_MAX + 1)
			v = v * 10 + (*p - '0');
	if (neg)
		v = -v;
	if (digits == 0 || v < INT32_MIN || v > INT32_MAX || (*p != ',' && *p != '\0'))
		ok = 0;
	while (*p != ',' && *p != '\0')
		p++;
	*at = *p == ',' ? p + 1 : p;
	*value = (int32_t)(ok ? v : 0);
	return ok;
}

/* The streak of days as of today, as the Habit object computes it. */
static void
fuzz_streak(const int32_t *days, size_t n, int32_t today)
{
	struct wellness_streak st;
	size_t distinct = 0, ordered = 1, done_today = 0;
	astral_err rc;

	for (size_t i = 0; i < n; i++) {
		if (i > 0 && days[i] < days[i - 1])
			ordered = 0;
		distinct += i == 0 || days[i] != days[i - 1];
		done_today |= days[i] == today;
	}
	rc = wellness_streak_compute(days, n, today, &st);
	if (!ordered) {
		if (rc != ASTRAL_ERR_INVALID || st.has_last || st.longest != 0)
			abort();
		return;
	}
	if (rc != ASTRAL_OK || st.has_last != (n > 0) || (n > 0 && st.last != days[n - 1]) ||
	    st.completed_today != (int)done_today || st.current < st.completed_today || st.current > st.longest ||
	    st.longest < 0 || (size_t)st.longest > distinct || (n > 0 && st.longest < 1))
		abort();
}

static void
fuzz_days(const char *text)
{
	static int32_t unset;
	int32_t *days = &unset, value;
	size_t n = 12345, commas = 0;
	const char *at = text;
	int every = 1;
	astral_err rc;

	for (const char *p = text; *p != '\0'; p++)
		commas += *p == ',';
	rc = wellness_day_list_parse(text, &days, &n);
	if (*text == '\0') {
		if (rc != ASTRAL_OK || days != NULL || n != 0)
			abort();
		return;
	}
	for (size_t i = 0; i <= commas; i++) {
		int ok = fuzz_day_item(&at, &value);

		every &= ok;
		if (rc == ASTRAL_OK && (!ok || days[i] != value))
			abort();
	}
	if (rc != ASTRAL_OK) {
		if (rc != ASTRAL_ERR_INTERNAL || days != NULL || n != 0 || every)
			abort();
		return;
	}
	if (n != commas + 1)
		abort();
	fuzz_streak(days, n, days[n / 2]);
	fuzz_streak(days, n, days[n - 1] + (days[n - 1] < INT32_MAX));
	for (size_t i = 0; i < n; i++) {
		char out[11];
		int32_t back;

		wellness_day_format(days[i], out);
		if (wellness_day_parse(out, &back) != ASTRAL_OK)
			abort();
	}
	free(days);
}

/* 1 when tz is one of the IANA names with a digit that PostgreSQL does not read as an offset. */
static int
fuzz_zone_with_digit(const char *tz)
{
	static const char *const named[] = {
		"EST5EDT", "CST6CDT", "MST7MDT", "PST8PDT", "GMT0", "GMT+0", "GMT-0", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0",
	};
	char name[16];

	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (strcmp(tz, named[i]) == 0)
			return 1;
	for (int h = 1; h <= 14; h++) {
		snprintf(name, sizeof(name), "Etc/GMT-%d", h);
		if (strcmp(tz, name) == 0)
			return 1;
		snprintf(name, sizeof(name), "Etc/GMT+%d", h);
		if (h <= 12 && strcmp(tz, name) == 0)
			return 1;
	}
	return 0;
}

static void
fuzz_timezone(const char *tz)
{
	static const char problem[] = "must be an IANA time zone name such as Europe/Madrid";
	static const char allowed[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+-/";
	const char *why = wellness_timezone_problem(tz);
	size_t len = strlen(tz);

	if (why != NULL) {
		if (strcmp(why, problem) != 0)
			abort();
		return;
	}
	if (len == 0 || len > WELLNESS_TIMEZONE_MAX || !isalpha((unsigned char)tz[0]) || tz[len - 1] == '/' ||
	    strstr(tz, "//") != NULL || strspn(tz, allowed) != len)
		abort();
	if (strpbrk(tz, "0123456789") != NULL && !fuzz_zone_with_digit(tz))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = strndup((const char *)data, size);  /* what C reads: up to a NUL */

	if (text == NULL)
		return 0;
	fuzz_days(text);
	fuzz_timezone(text);
	free(text);
	return 0;
}
