/* Password hashing (argon2id, OWASP parameters) and password policy. */
#ifndef ASTRAL_PASSWORD_H
#define ASTRAL_PASSWORD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

#define ASTRAL_PASSWORD_MIN_BYTES 8     /* counted in characters by the policy check */
#define ASTRAL_PASSWORD_MAX_BYTES 256

/* Current argon2id parameters (OWASP): memory in KiB, passes, lanes, sizes. */
#define ASTRAL_ARGON2_M_COST   19456
#define ASTRAL_ARGON2_T_COST   2
#define ASTRAL_ARGON2_PARALLEL 1
#define ASTRAL_ARGON2_SALT_LEN 16
#define ASTRAL_ARGON2_TAG_LEN  32

/* Hashes password into a malloc'd PHC string
 * "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<tag>".  A password over
 * ASTRAL_PASSWORD_MAX_BYTES is ASTRAL_ERR_TOO_LARGE. */
astral_err astral_password_hash(const char *password, char **encoded) ASTRAL_MUST_USE;

/* ASTRAL_OK on a match, ASTRAL_ERR_UNAUTHORIZED on a mismatch,
 * ASTRAL_ERR_INVALID when encoded is malformed, not argon2id, or asks for
 * parameters beyond the bounds below (so a bad row cannot exhaust memory). */
#define ASTRAL_PHC_MAX_M_COST   262144  /* KiB: 256 MiB */
#define ASTRAL_PHC_MAX_T_COST   16
#define ASTRAL_PHC_MAX_PARALLEL 16
astral_err astral_password_verify(const char *encoded, const char *password) ASTRAL_MUST_USE;

/* 1 when encoded is not argon2id v19 or its parameters (or salt or tag
 * length) are below the current ones; also 1 when it cannot be parsed. */
int astral_password_needs_rehash(const char *encoded);

/* What a stored hash in PHC string format says, as read by astral_password_phc_parse. */
struct astral_phc {
	int is_argon2id;                /* else argon2i or argon2d */
	uint32_t version;               /* 0x10 when the v= part is absent */
	uint32_t m, t, p;
	size_t salt_chars, tag_chars;   /* lengths of the base64 runs, not checked further */
};

/* Reads "$<argon2id|argon2i|argon2d>$[v=<n>$]m=<n>,t=<n>,p=<n>$<salt>$<tag>" (numbers decimal
 * uint32 without sign or leading zero, salt and tag non-empty runs of unpadded standard base64
 * characters, nothing after): 0 and *out filled, else -1 with *out zeroed (also for NULL).
 * What astral_password_verify and astral_password_needs_rehash decide on; its own entry for
 * the fuzz target and the tests. */
int astral_password_phc_parse(const char *s, struct astral_phc *out);

/* Verifies password against a dummy hash, made once on first use, so that a
 * login for an unknown user costs the same time as a wrong password. */
void astral_password_burn(const char *password);

/* A sorted, lower-cased list of refused (common) passwords. */
struct astral_wordlist;

/* Loads one word per line; blank lines and lines starting with '#' are
 * skipped, surrounding whitespace is trimmed.  ASTRAL_ERR_NOT_FOUND when the
 * file does not exist, ASTRAL_ERR_IO on other read errors. */
astral_err astral_wordlist_load(const char *path, struct astral_wordlist **out) ASTRAL_MUST_USE;
/* The same from a stream already open (the fuzz target's, over bytes in memory); ASTRAL_ERR_IO
 * on a read error. */
astral_err astral_wordlist_read(FILE *fp, struct astral_wordlist **out) ASTRAL_MUST_USE;
size_t astral_wordlist_count(const struct astral_wordlist *list);
/* 1 when word (compared ASCII case-insensitively) is in the list. */
int astral_wordlist_contains(const struct astral_wordlist *list, const char *word);
void astral_wordlist_free(struct astral_wordlist *list);

/*
 * Policy check.  Returns NULL when acceptable, else a short reason:
 *   "must be at most 256 bytes", "must be valid UTF-8",
 *   "must not contain control characters", "must be at least 8 characters",
 *   "is too common".
 * Characters are counted as UTF-8 code points.  common may be NULL.
 */
const char *astral_password_policy_problem(const struct astral_wordlist *common, const char *password);

#endif
