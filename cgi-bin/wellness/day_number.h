/*
 * Calendar days as numbers: days since 1970-01-01 in the proleptic Gregorian calendar (what
 * PostgreSQL's `day - DATE '1970-01-01'` gives), so that streaks and ranges are integer sums.
 */
#ifndef ASTRAL_WELLNESS_DAY_NUMBER_H
#define ASTRAL_WELLNESS_DAY_NUMBER_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Days since 1970-01-01 of a valid YYYY-MM-DD (years 0001–9999); INVALID otherwise. */
astral_err wellness_day_parse(const char *s, int32_t *day) ASTRAL_MUST_USE;
/* YYYY-MM-DD of a day number of years 0001–9999 (others are clamped to that range). */
void wellness_day_format(int32_t day, char out[11]);
/* The same calendar date one year earlier (29 February → 28 February). */
int32_t wellness_day_year_before(int32_t day);
/* The day number of unix time t in UTC. */
int32_t wellness_day_of_unix(int64_t t);
/* The day numbers of a comma-separated list, as a habit row's days column holds them
   ("19000,19001"): *days a malloc'd array of *n (NULL and 0 for NULL or ""). An item is what
   strtol reads in base 10 (white space before it and a sign allowed) and fits int32_t; anything
   else, an empty item among them, is ASTRAL_ERR_INTERNAL (the database wrote the list) with
   *days NULL and *n 0. */
astral_err wellness_day_list_parse(const char *text, int32_t **days, size_t *n) ASTRAL_MUST_USE;

#endif
