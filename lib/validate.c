#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "random.h"
#include "validate.h"

/* Length of the UTF-8 sequence at s (1..4), or 0 when it is not well-formed. */
static size_t
utf8_sequence(const unsigned char *s, size_t left, unsigned long *cp)
{
	unsigned long c;
	size_t n;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (left < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

int
astral_utf8_valid(const char *s, size_t bytes)
{
	size_t i = 0;
	unsigned long cp;

	while (i < bytes) {
		size_t n = utf8_sequence((const unsigned char *)s + i, bytes - i, &cp);

		if (n == 0 || cp == 0)
			return 0;
		i += n;
	}
	return 1;
}

size_t
astral_utf8_length(const char *s, size_t bytes)
{
	size_t count = 0, i = 0;
	unsigned long cp;

	while (i < bytes) {
		size_t n = utf8_sequence((const unsigned char *)s + i, bytes - i, &cp);

		if (n == 0)
			return count;
		i += n;
		count++;
	}
	return count;
}

const char *
astral_check_text(const char *s, size_t bytes, long long min, long long max, int multiline)
{
	long long count = 0;
	size_t i = 0;
	unsigned long cp;

	if (s == NULL)
		return "is required";
	while (i < bytes) {
		size_t n = utf8_sequence((const unsigned char *)s + i, bytes - i, &cp);

		if (n == 0)
			return "must be valid UTF-8";
		if (cp == 0)
			return "must not contain NUL characters";
		if ((cp < 0x20 && !(multiline && (cp == '\n' || cp == '\t'))) ||
		    (cp >= 0x7f && cp < 0xa0))
			return "must not contain control characters";
		i += n;
		count++;
	}
	if (count < min)
		return min <= 1 ? "must not be empty" : "is too short";
	if (count > max)
		return "is too long";
	return NULL;
}

const char *
astral_check_int(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return "must be a whole number";
	if (!(isdigit((unsigned char)s[0]) || (s[0] == '-' && isdigit((unsigned char)s[1]))))
		return "must be a whole number";
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0')
		return "must be a whole number";
	if (errno == ERANGE || v < min || v > max)
		return "is out of range";
	*out = v;
	return NULL;
}

const char *
astral_check_uuid(const char *s)
{
	return s != NULL && astral_uuid_valid(s) ? NULL : "must be a UUID";
}

const char *
astral_check_date(const char *s)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d, leap;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return "must be a date (YYYY-MM-DD)";
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return "must be a date (YYYY-MM-DD)";
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days[m - 1] + (m == 2 && leap))
		return "must be a date that exists";
	return NULL;
}

const char *
astral_check_enum(const char *s, const char *const *allowed)
{
	if (s == NULL)
		return "is required";
	for (size_t i = 0; allowed[i] != NULL; i++)
		if (strcmp(s, allowed[i]) == 0)
			return NULL;
	return "is not one of the allowed values";
}

const char *
astral_check_username(char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n < 3 || n > 32)
		return "must be 3 to 32 characters";
	for (size_t i = 0; i < n; i++) {
		s[i] = (char)tolower((unsigned char)s[i]);
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '_' || s[i] == '.' ||
		      s[i] == '-'))
			return "may contain only letters, digits, '.', '_' and '-'";
	}
	return NULL;
}
