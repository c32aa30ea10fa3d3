/* Hashes, HMAC and constant-time comparison (OpenSSL EVP). */
#ifndef ASTRAL_DIGEST_H
#define ASTRAL_DIGEST_H

#include <stddef.h>

#include "error.h"

#define ASTRAL_SHA256_LEN 32

/* SHA-256 of data.  A failure inside OpenSSL here is an impossible state
 * and aborts the process rather than hand back an unset digest. */
void astral_sha256(const void *data, size_t len, unsigned char out[ASTRAL_SHA256_LEN]);

/* HMAC-SHA-256.  keylen may be 0. */
astral_err astral_hmac_sha256(const void *key, size_t keylen, const void *data, size_t len,
    unsigned char out[ASTRAL_SHA256_LEN]) ASTRAL_MUST_USE;

/* HMAC with the named digest ("SHA1", "SHA256", "SHA512").  out must hold
 * outsize bytes; the MAC length is stored in *outlen. */
astral_err astral_hmac(const char *digest_name, const void *key, size_t keylen,
    const void *data, size_t len, unsigned char *out, size_t outsize, size_t *outlen) ASTRAL_MUST_USE;

/* 1 when the len bytes at a and b are equal, in time independent of the contents. */
int astral_ct_equal(const void *a, const void *b, size_t len);

#endif
