/*
 * Habit streaks (product/original-features.md §6), a pure function over the days a habit was
 * done. Days are day numbers (days since 1970-01-01, see day_number.c).
 *
 * - Several completions on one day count once.
 * - The current streak counts consecutive days back from today when today is done, or back
 *   from yesterday when it is not; it is 0 when the last completion before or on today is two
 *   or more days ago. A day after today (a completion made in a time zone ahead of the one
 *   asked about) is not part of the current streak.
 * - The longest streak is the longest run of consecutive days, wherever it lies.
 */
#ifndef ASTRAL_WELLNESS_STREAK_H
#define ASTRAL_WELLNESS_STREAK_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct wellness_streak {
	int completed_today;
	long current;
	long longest;
	int has_last;         /* there is at least one completion */
	int32_t last;         /* the latest completion, when has_last */
};

/* `days`: n day numbers in ascending order (repeats allowed; NULL only when n is 0). INVALID,
   with *out zeroed, when they are not in order. */
astral_err wellness_streak_compute(const int32_t *days, size_t n, int32_t today,
                                   struct wellness_streak *out) ASTRAL_MUST_USE;

#endif
