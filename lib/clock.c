#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "clock.h"

#ifdef ASTRAL_TEST_CLOCK
/*
 * The test clock file holds either an offset in seconds ("-3600") added to the real time, or
 * "@" and a unix time ("@1800000000") at which the clock stands still, for tests that need
 * several requests to fall in one second.
 */
static int64_t
test_clock(const char *path, int64_t real_now)
{
	char buf[32];
	FILE *f;
	long long v;
	char *end;
	int frozen;
	int64_t now = real_now;

	if (path == NULL || (f = fopen(path, "r")) == NULL)
		return now;
	if (fgets(buf, sizeof(buf), f) != NULL) {
		frozen = buf[0] == '@';
		v = strtoll(buf + frozen, &end, 10);
		if (end != buf + frozen)
			now = frozen ? (int64_t)v : real_now + (int64_t)v;
	}
	fclose(f);
	return now;
}
#endif

int64_t
astral_clock_now(const struct astral_config *cfg)
{
	int64_t now = (int64_t)time(NULL);

#ifdef ASTRAL_TEST_CLOCK
	if (cfg != NULL)
		now = test_clock(cfg->test_clock_file, now);
#else
	(void)cfg;
#endif
	return now;
}

void
astral_clock_format(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "1970-01-01T00:00:00Z");
}

int64_t
astral_clock_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
