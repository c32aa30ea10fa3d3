/* Access tokens: HS256 JWTs issued and verified with libjwt, every rule checked by our code. */
#ifndef ASTRAL_JWT_H
#define ASTRAL_JWT_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct astral_claims {
	char sub[37];   /* user id (uuid) */
	char sid[37];   /* session id (uuid) */
	char role[16];  /* seeker|helper|moderator|admin */
	int mfa;        /* 1 if the session passed MFA */
	int64_t iat, exp;
	int has_nbf;    /* verify only: the token carried nbf (never issued) */
	int64_t nbf;
};

#define ASTRAL_JWT_MAX_LEN 4096
#define ASTRAL_JWT_MIN_KEY_LEN 32     /* bytes of HMAC key, as the config loader requires */
#define ASTRAL_JWT_SKEW 60            /* seconds of clock skew allowed */
#define ASTRAL_JWT_MAX_LIFETIME 3600  /* largest exp - iat accepted */

/* Sign the claims (plus typ "access", iss and aud) with HS256. On success *token is a NUL-terminated
   string the caller frees with free(). Claims that would not verify (bad UUID, unknown role,
   exp <= iat, exp - iat > ASTRAL_JWT_MAX_LIFETIME, negative times) → ASTRAL_ERR_INVALID; a NULL
   argument or a key shorter than ASTRAL_JWT_MIN_KEY_LEN → ASTRAL_ERR_INTERNAL. */
astral_err astral_jwt_issue(const unsigned char *key, size_t keylen, const char *iss, const char *aud,
	const struct astral_claims *c, char **token) ASTRAL_MUST_USE;

/* Verify at time `now` (unix seconds; the caller passes its clock). Rules, all checked by our code:
   token length <= ASTRAL_JWT_MAX_LEN; decode with key; jwt_get_alg() == JWT_ALG_HS256 only; header
   typ must be "JWT" if present; a "crit" header is refused; claim "typ" must be "access"; iss and
   aud must equal the given strings (aud may be a string or an array containing aud); exp and iat
   required integers; exp + 60 > now (else ASTRAL_ERR_EXPIRED, reported only for a token that passes
   every other check); iat <= now + 60; nbf if present an integer <= now + 60; 0 <= exp - iat <= 3600;
   sub and sid valid UUIDs (copied out in lower case); role one of the four roles; mfa optional
   boolean. kid/jku/jwk headers are ignored (never used to pick a key). Any other failure →
   ASTRAL_ERR_UNAUTHORIZED. A NULL key/iss/aud/out or a short key → ASTRAL_ERR_INTERNAL.
   *out is written only on success. */
astral_err astral_jwt_verify(const unsigned char *key, size_t keylen, const char *iss, const char *aud,
	const char *token, int64_t now, struct astral_claims *out) ASTRAL_MUST_USE;

/* The time rules of astral_jwt_verify on claims it accepted earlier, at `now`: iat <= now + 60, nbf
   (if has_nbf) <= now + 60, else ASTRAL_ERR_UNAUTHORIZED; exp + 60 > now, else ASTRAL_ERR_EXPIRED. */
astral_err astral_jwt_times_check(const struct astral_claims *c, int64_t now) ASTRAL_MUST_USE;

#endif
