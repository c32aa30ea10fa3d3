#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "clock.h"

#ifdef ASTRAL_TEST_CLOCK
static int64_t
test_offset(const char *path)
{
	char buf[32];
	FILE *f;
	long long v = 0;
	char *end;

	if (path == NULL || (f = fopen(path, "r")) == NULL)
		return 0;
	if (fgets(buf, sizeof(buf), f) != NULL) {
		v = strtoll(buf, &end, 10);
		if (end == buf)
			v = 0;
	}
	fclose(f);
	return v;
}
#endif

int64_t
astral_clock_now(const struct astral_config *cfg)
{
	int64_t now = (int64_t)time(NULL);

#ifdef ASTRAL_TEST_CLOCK
	if (cfg != NULL)
		now += test_offset(cfg->test_clock_file);
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
