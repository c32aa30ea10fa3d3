/* Time-based one-time passwords (RFC 6238) over OpenSSL HMAC. */
#ifndef ASTRAL_TOTP_H
#define ASTRAL_TOTP_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define ASTRAL_TOTP_SECRET_BYTES 20
#define ASTRAL_TOTP_PERIOD 30
#define ASTRAL_TOTP_DIGITS 6

enum astral_totp_alg { ASTRAL_TOTP_SHA1, ASTRAL_TOTP_SHA256, ASTRAL_TOTP_SHA512 };

/* The code for unix_time (>= 0) with 6 to 8 digits.  An empty secret, a
 * negative time or another digit count is ASTRAL_ERR_INVALID. */
astral_err astral_totp_code(const unsigned char *secret, size_t len, int64_t unix_time,
    unsigned digits, enum astral_totp_alg alg, uint32_t *code) ASTRAL_MUST_USE;

/*
 * Verifies a 6-digit SHA1 code given as text (exactly 6 ASCII digits, else
 * ASTRAL_ERR_INVALID) at time now, accepting the steps now/30 - 1 .. now/30 + 1.
 * Steps <= last_step are never accepted (replay).  No match or a replay is
 * ASTRAL_ERR_UNAUTHORIZED.  On success *matched_step holds the step to store as
 * the new last_step.  Pass last_step = -1 when no code was used yet.
 */
astral_err astral_totp_verify(const unsigned char *secret, size_t len, const char *code_text,
    int64_t now, int64_t last_step, int64_t *matched_step) ASTRAL_MUST_USE;

/* otpauth://totp/<Issuer>:<account>?secret=<BASE32>&issuer=<Issuer>&algorithm=SHA1&digits=6&period=30
 * with issuer and account percent-encoded; malloc'd, NULL on bad input or OOM. */
char *astral_totp_uri(const char *issuer, const char *account, const unsigned char *secret, size_t len);

#endif
