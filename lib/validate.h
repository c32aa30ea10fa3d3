/*
 * Typed validators: each checks a raw value and converts it, so handlers only ever see values
 * that passed. They return NULL when the value is acceptable, or a short problem text for the
 * client ("must be at most 50 characters").
 */
#ifndef ASTRAL_VALIDATE_H
#define ASTRAL_VALIDATE_H

#include <stddef.h>

/* UTF-8 well-formed (no overlongs, no surrogates), no NUL, no control characters other than
   tab and newline when `multiline`; length in code points between min and max. */
const char *astral_check_text(const char *s, size_t bytes, long long min, long long max, int multiline);
/* Decimal integer in [min, max], no sign tricks, no leading/trailing junk (like strtonum). */
const char *astral_check_int(const char *s, long long min, long long max, long long *out);
const char *astral_check_uuid(const char *s);
/* Calendar date YYYY-MM-DD that exists. */
const char *astral_check_date(const char *s);
/* One of a NULL-terminated list. */
const char *astral_check_enum(const char *s, const char *const *allowed);
/* Account names: 3–32 of [a-z0-9_.-] after lower-casing (written back into s). */
const char *astral_check_username(char *s);
/* Well-formed UTF-8 (no overlongs, no surrogates) without NUL bytes. */
int astral_utf8_valid(const char *s, size_t bytes);
/* Number of code points of a valid UTF-8 string. */
size_t astral_utf8_length(const char *s, size_t bytes);

#endif
