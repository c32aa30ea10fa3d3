/* Access tokens this process has verified, remembered: a signed-in person sends the same token with
   every request for its whole life (at most ASTRAL_JWT_MAX_LIFETIME), and decoding it, checking its
   HMAC and parsing its claims again each time cost more than the rest of a small request's work in
   the program. */
#ifndef ASTRAL_JWT_MEMO_H
#define ASTRAL_JWT_MEMO_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "jwt.h"

#define ASTRAL_JWT_MEMO_SLOTS 256

/* astral_jwt_verify, with the same arguments and answers. A token that passed astral_jwt_verify
   is remembered by HMAC-SHA-256(key, iss, aud, token), never by anything a client chooses
   alone; a later call with that same quadruple answers from memory after applying the time rules
   again at the new `now` (astral_jwt_times_check), so an expired token is refused as before. A
   token that failed is never remembered. Other keys, issuers or audiences miss and are verified
   in full. Per process and not thread-safe: each FastCGI worker has its own. The slots are
   direct-mapped by the digest: a newer token takes an older one's slot. */
astral_err astral_jwt_verify_remembered(const unsigned char *key, size_t keylen, const char *iss, const char *aud,
	const char *token, int64_t now, struct astral_claims *out) ASTRAL_MUST_USE;

/* How many calls were answered from memory since the process began (for tests and diagnostics). */
unsigned long astral_jwt_memo_hits(void);

/* Forget every remembered token (a key change, and tests). */
void astral_jwt_memo_forget(void);

#endif
