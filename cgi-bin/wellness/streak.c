/* Habit streaks: see streak.h for the rules. */
#include <string.h>

#include "streak.h"

astral_err
wellness_streak_compute(const int32_t *days, size_t n, int32_t today, struct wellness_streak *out)
{
	long run = 0, longest = 0, current = 0;
	int32_t prev = 0;
	int have_prev = 0, today_done = 0;
	int32_t last_upto_today = 0;
	int have_upto_today = 0;
	long run_upto_today = 0;

	memset(out, 0, sizeof(*out));
	if (n > 0 && days == NULL)
		return ASTRAL_ERR_INVALID;
	for (size_t i = 0; i < n; i++) {
		int32_t d = days[i];

		if (have_prev && d < prev) {
			memset(out, 0, sizeof(*out));
			return ASTRAL_ERR_INVALID;
		}
		if (have_prev && d == prev)
			continue;                               /* the same day again counts once */
		run = (have_prev && (int64_t)d == (int64_t)prev + 1) ? run + 1 : 1;
		if (run > longest)
			longest = run;
		if (d <= today) {
			last_upto_today = d;
			have_upto_today = 1;
			run_upto_today = run;
			if (d == today)
				today_done = 1;
		}
		prev = d;
		have_prev = 1;
	}
	/* The run that ends on the last day on or before today is current when that day is today
	   or yesterday. */
	if (have_upto_today && (int64_t)last_upto_today >= (int64_t)today - 1)
		current = run_upto_today;
	out->completed_today = today_done;
	out->current = current;
	out->longest = longest;
	out->has_last = have_prev;
	out->last = have_prev ? prev : 0;
	return ASTRAL_OK;
}
