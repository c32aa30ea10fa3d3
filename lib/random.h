/* Random bytes, tokens and UUIDs from OpenSSL's CSPRNG. */
#ifndef ASTRAL_RANDOM_H
#define ASTRAL_RANDOM_H

#include <stddef.h>

#include "error.h"

#define ASTRAL_UUID_STR_LEN 36

/* Fills buf with len bytes from RAND_bytes; ASTRAL_ERR_CRYPTO on failure. */
astral_err astral_random_bytes(void *buf, size_t len) ASTRAL_MUST_USE;

/* nbytes (> 0) random bytes as a malloc'd base64url string; NULL on failure. */
char *astral_random_token(size_t nbytes);

/* A random (version 4) UUID in lowercase canonical form, NUL-terminated. */
astral_err astral_uuid_v4(char out[ASTRAL_UUID_STR_LEN + 1]) ASTRAL_MUST_USE;

/* 1 when s is a UUID in the 8-4-4-4-12 hex form (upper- or lowercase hex digits). */
int astral_uuid_valid(const char *s);

#endif
