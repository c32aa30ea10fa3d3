/* The Range request header: see byte_range.h. */
#include <stddef.h>
#include <strings.h>

#include "byte_range.h"

#define DIGITS_MAX 18   /* below LLONG_MAX whatever the digits */

/* Decimal digits at *p (at least one, at most DIGITS_MAX) → *out; advances *p. */
static int
read_number(const char **p, long long *out)
{
	const char *s = *p;
	long long v = 0;
	int n = 0;

	while (*s >= '0' && *s <= '9') {
		if (++n > DIGITS_MAX)
			return 0;
		v = v * 10 + (*s - '0');
		s++;
	}
	if (n == 0)
		return 0;
	*p = s;
	*out = v;
	return 1;
}

enum astral_byte_range
astral_byte_range_parse(const char *header, long long size, long long *first, long long *last)
{
	static const char unit[] = "bytes=";
	const char *p = header;
	long long a = 0, b = -1;

	if (p == NULL || size < 0)
		return ASTRAL_RANGE_WHOLE;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncasecmp(p, unit, sizeof(unit) - 1) != 0)
		return ASTRAL_RANGE_WHOLE;
	p += sizeof(unit) - 1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '-') {
		/* A suffix: the last b bytes. */
		p++;
		if (!read_number(&p, &b))
			return ASTRAL_RANGE_WHOLE;
		a = -1;
	} else {
		if (!read_number(&p, &a) || *p != '-')
			return ASTRAL_RANGE_WHOLE;
		p++;
		if (*p >= '0' && *p <= '9' && !read_number(&p, &b))
			return ASTRAL_RANGE_WHOLE;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '\0')
		return ASTRAL_RANGE_WHOLE;           /* several ranges, or trailing junk */

	if (a < 0) {                             /* bytes=-b */
		if (b == 0 || size == 0)
			return ASTRAL_RANGE_UNSATISFIABLE;
		*first = b >= size ? 0 : size - b;
		*last = size - 1;
		return ASTRAL_RANGE_PART;
	}
	if (b >= 0 && b < a)
		return ASTRAL_RANGE_WHOLE;           /* invalid: last before first */
	if (a >= size)
		return ASTRAL_RANGE_UNSATISFIABLE;
	*first = a;
	*last = b < 0 || b >= size ? size - 1 : b;
	return ASTRAL_RANGE_PART;
}
