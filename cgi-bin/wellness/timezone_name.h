/* The shape of a client's time zone name, checked before PostgreSQL, which owns the zone
   database, is asked about it (local_day.c). Pure: no request, no database. */
#ifndef ASTRAL_WELLNESS_TIMEZONE_NAME_H
#define ASTRAL_WELLNESS_TIMEZONE_NAME_H

#define WELLNESS_TIMEZONE_MAX 64

/* NULL when `tz` looks like an IANA zone name (letters, _ + - /, at most 64 bytes, a letter
   first, no empty segment; digits only in the IANA names that have them, Etc/GMT+5 say, since
   PostgreSQL takes any other name ending in a number for a POSIX offset); otherwise the problem
   for the client. Whether the zone exists is PostgreSQL's to say (wellness_today). */
const char *wellness_timezone_problem(const char *tz);

#endif
