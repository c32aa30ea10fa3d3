/* Calendar days as numbers: see day_number.h. The conversions are Howard Hinnant's
   days_from_civil / civil_from_days. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "day_number.h"

#define DAY_MIN (-719162)     /* 0001-01-01 */
#define DAY_MAX 2932896       /* 9999-12-31 */

static int32_t
days_from_civil(long y, unsigned m, unsigned d)
{
	long era, doe;
	unsigned yoe, doy;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = (long)yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}

static void
civil_from_days(int32_t z, long *y, unsigned *m, unsigned *d)
{
	long zz = (long)z + 719468;
	long era = (zz >= 0 ? zz : zz - 146096) / 146097;
	unsigned doe = (unsigned)(zz - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (long)yoe + era * 400 + (*m <= 2);
}

static int
leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned
month_days(long y, unsigned m)
{
	static const unsigned len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : len[m - 1];
}

static int
digits(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return 1;
}

astral_err
wellness_day_parse(const char *s, int32_t *day)
{
	unsigned y, m, d;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) ||
	    !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d))
		return ASTRAL_ERR_INVALID;
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > month_days((long)y, m))
		return ASTRAL_ERR_INVALID;
	*day = days_from_civil((long)y, m, d);
	return ASTRAL_OK;
}

void
wellness_day_format(int32_t day, char out[11])
{
	long y;
	unsigned m, d;

	if (day < DAY_MIN)
		day = DAY_MIN;
	if (day > DAY_MAX)
		day = DAY_MAX;
	civil_from_days(day, &y, &m, &d);
	out[0] = (char)('0' + (y / 1000) % 10);
	out[1] = (char)('0' + (y / 100) % 10);
	out[2] = (char)('0' + (y / 10) % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
}

int32_t
wellness_day_year_before(int32_t day)
{
	long y;
	unsigned m, d;

	civil_from_days(day, &y, &m, &d);
	y -= 1;
	if (m == 2 && d == 29 && !leap(y))
		d = 28;
	return days_from_civil(y, m, d);
}

int32_t
wellness_day_of_unix(int64_t t)
{
	int64_t q = t / 86400;

	if (t % 86400 < 0)
		q -= 1;
	return (int32_t)q;
}

/* "19000,19001" → a malloc'd array of day numbers: see day_number.h. */
astral_err
wellness_day_list_parse(const char *text, int32_t **days, size_t *n)
{
	size_t count = 0, k = 0;
	int32_t *out = NULL;
	const char *p;

	*days = NULL;
	*n = 0;
	if (text == NULL || *text == '\0')
		return ASTRAL_OK;
	count = 1;
	for (p = text; *p != '\0'; p++)
		count += *p == ',';
	out = calloc(count, sizeof(*out));
	if (out == NULL)
		return ASTRAL_ERR_NOMEM;
	for (p = text; k < count; k++) {
		char *end = NULL;
		long v;

		errno = 0;
		v = strtol(p, &end, 10);
		if (errno != 0 || end == p || v < INT32_MIN || v > INT32_MAX || (*end != ',' && *end != '\0')) {
			free(out);
			return ASTRAL_ERR_INTERNAL;
		}
		out[k] = (int32_t)v;
		p = *end == ',' ? end + 1 : end;
	}
	*days = out;
	*n = count;
	return ASTRAL_OK;
}
