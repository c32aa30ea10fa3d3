/* libFuzzer target for the calendar days of cgi-bin/wellness (day_number.c): wellness_day_parse
   reads a YYYY-MM-DD the client sent (a path's {day}, mood history's from and to). An accepted
   text is a day of years 0001-9999 that formats back to the same text, whose unix time is that
   day again, and whose year before parses too and is 365 or 366 days earlier; every date the
   request layer accepts (astral_check_date) is accepted. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../cgi-bin/wellness/day_number.h"
#include "../../lib/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_DAY_MIN (-719162)  /* 0001-01-01 */
#define FUZZ_DAY_MAX 2932896    /* 9999-12-31 */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), back[11];
	int32_t day = -1, before, again;
	astral_err rc;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	rc = wellness_day_parse(text, &day);
	if (rc != ASTRAL_OK) {
		if (rc != ASTRAL_ERR_INVALID || day != -1 || astral_check_date(text) == NULL)
			abort();
		free(text);
		return 0;
	}
	if (day < FUZZ_DAY_MIN || day > FUZZ_DAY_MAX)
		abort();
	wellness_day_format(day, back);
	if (strcmp(back, text) != 0 || wellness_day_of_unix((int64_t)day * 86400 + 86399) != day)
		abort();
	if (strncmp(text, "0001", 4) != 0) {
		before = wellness_day_year_before(day);
		wellness_day_format(before, back);
		if (wellness_day_parse(back, &again) != ASTRAL_OK || again != before ||
		    (day - before != 365 && day - before != 366))
			abort();
	}
	free(text);
	return 0;
}
