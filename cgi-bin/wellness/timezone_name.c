/* The shape of a client's time zone name: see timezone_name.h. */
#include <stddef.h>
#include <string.h>

#include "timezone_name.h"

/* PostgreSQL reads any name ending in a number as a POSIX zone ("Mars/Base+99" is UTC-99), so a
   name with a digit must be one of the few IANA names that have one. */
static int
digits_allowed(const char *tz)
{
	static const char *const named[] = {
		"EST5EDT", "CST6CDT", "MST7MDT", "PST8PDT", "GMT0", "GMT+0", "GMT-0", "Etc/GMT0", "Etc/GMT+0",
		"Etc/GMT-0", NULL
	};
	const char *n;
	long v = 0;

	for (size_t i = 0; named[i] != NULL; i++)
		if (strcmp(tz, named[i]) == 0)
			return 1;
	if (strncmp(tz, "Etc/GMT", 7) != 0 || (tz[7] != '+' && tz[7] != '-'))
		return 0;
	n = tz + 8;
	if (n[0] < '1' || n[0] > '9' || (n[1] != '\0' && (n[1] < '0' || n[1] > '9' || n[2] != '\0')))
		return 0;
	v = n[1] == '\0' ? n[0] - '0' : (n[0] - '0') * 10 + (n[1] - '0');
	return v <= (tz[7] == '+' ? 12 : 14);
}

const char *
wellness_timezone_problem(const char *tz)
{
	size_t len = strlen(tz);
	int segment_start = 1;

	if (len == 0 || len > WELLNESS_TIMEZONE_MAX)
		return "must be an IANA time zone name such as Europe/Madrid";
	if (!((tz[0] >= 'A' && tz[0] <= 'Z') || (tz[0] >= 'a' && tz[0] <= 'z')))
		return "must be an IANA time zone name such as Europe/Madrid";
	for (size_t i = 0; i < len; i++) {
		char c = tz[i];
		int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		         c == '_' || c == '+' || c == '-' || c == '/';

		if (!ok || (c == '/' && segment_start))
			return "must be an IANA time zone name such as Europe/Madrid";
		segment_start = c == '/';
	}
	if (segment_start || (strpbrk(tz, "0123456789") != NULL && !digits_allowed(tz)))
		return "must be an IANA time zone name such as Europe/Madrid";
	return NULL;
}
