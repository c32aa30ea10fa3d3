/*
 * The one clock every time decision reads. Test builds (configure --enable-test-clock) add the
 * offset written in the file named by test.clock_file, or stand still at the "@EPOCH" written
 * there, so integration tests can move and freeze time; in other builds that key does not exist
 * and this is time(NULL).
 */
#ifndef ASTRAL_CLOCK_H
#define ASTRAL_CLOCK_H

#include <stdint.h>

#include "config.h"

int64_t astral_clock_now(const struct astral_config *cfg);
/* Milliseconds on the monotonic clock, for timeouts and intervals (never the test clock: it says
   how long something took or may take, not what time it is). */
int64_t astral_clock_monotonic_ms(void);
/* RFC 3339 UTC ("2026-11-25T20:55:45Z") into buf (at least 21 bytes). */
void astral_clock_format(int64_t t, char *buf, size_t len);

#endif
