/*
 * AES-256-GCM field encryption with versioned keys.
 *
 * Sealed layout (binary, stored in bytea):
 *   byte 0      0x01 (format)
 *   bytes 1..4  key version, big-endian
 *   12 bytes    random nonce
 *   ...         ciphertext
 *   16 bytes    GCM tag
 * The 5-byte header followed by the caller's AAD string is the GCM AAD.
 */
#ifndef ASTRAL_CRYPT_H
#define ASTRAL_CRYPT_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "keyring.h"

#define ASTRAL_SEAL_FORMAT     0x01
#define ASTRAL_SEAL_HEADER_LEN 5
#define ASTRAL_SEAL_NONCE_LEN  12
#define ASTRAL_SEAL_TAG_LEN    16
#define ASTRAL_SEAL_OVERHEAD   (ASTRAL_SEAL_HEADER_LEN + ASTRAL_SEAL_NONCE_LEN + ASTRAL_SEAL_TAG_LEN)
#define ASTRAL_SEAL_MAX_AAD    4096

/* Encrypts ptlen bytes of pt under key into a malloc'd *out of *outlen bytes.
 * version must be > 0; aad must not be NULL (it may be ""). */
astral_err astral_seal(const unsigned char key[32], uint32_t version, const char *aad,
    const void *pt, size_t ptlen, unsigned char **out, size_t *outlen) ASTRAL_MUST_USE;

/* Decrypts into a malloc'd *pt (*ptlen bytes plus a NUL).  ASTRAL_ERR_CRYPTO on
 * tamper, wrong key or wrong AAD; ASTRAL_ERR_INVALID when too short or the
 * format byte is unknown.  The key version is not checked here: the caller
 * picked the key with astral_sealed_version(). */
astral_err astral_open(const unsigned char key[32], const char *aad,
    const unsigned char *ct, size_t ctlen, char **pt, size_t *ptlen) ASTRAL_MUST_USE;

/* The key version in a sealed blob's header (ASTRAL_ERR_INVALID if short,
 * unknown format, or version 0). */
astral_err astral_sealed_version(const unsigned char *ct, size_t ctlen, uint32_t *version) ASTRAL_MUST_USE;

/* "table|column|row_id", malloc'd; NULL if a part is NULL, empty or holds '|'
 * (so that two different triples never give the same AAD), or on OOM. */
char *astral_aad(const char *table, const char *column, const char *row_id);

/* Per-user data keys (DEK), wrapped by the keyring's current master key with
 * AAD "user_keys|dek|<user_id>". */
#define ASTRAL_DEK_LEN 32
astral_err astral_dek_generate(unsigned char dek[ASTRAL_DEK_LEN]) ASTRAL_MUST_USE;
astral_err astral_dek_wrap(struct astral_keyring *kr, const char *user_id,
    const unsigned char dek[ASTRAL_DEK_LEN], unsigned char **wrapped, size_t *wlen) ASTRAL_MUST_USE;
/* Takes the master key version from the header; an unknown version makes the
 * keyring reload once (astral_keyring_key) and is then ASTRAL_ERR_CRYPTO. */
astral_err astral_dek_unwrap(struct astral_keyring *kr, const char *user_id,
    const unsigned char *wrapped, size_t wlen, unsigned char dek[ASTRAL_DEK_LEN]) ASTRAL_MUST_USE;

/* The same for any table of wrapped keys: AAD "<table>|dek|<owner_id>". The tables are
 * user_keys (a user's DEK) and help_session_keys (one help session's conversation key). */
#define ASTRAL_USER_KEYS "user_keys"
#define ASTRAL_HELP_SESSION_KEYS "help_session_keys"
astral_err astral_key_wrap(struct astral_keyring *kr, const char *table, const char *owner_id,
    const unsigned char dek[ASTRAL_DEK_LEN], unsigned char **wrapped, size_t *wlen) ASTRAL_MUST_USE;
astral_err astral_key_unwrap(struct astral_keyring *kr, const char *table, const char *owner_id,
    const unsigned char *wrapped, size_t wlen, unsigned char dek[ASTRAL_DEK_LEN]) ASTRAL_MUST_USE;

/* Text fields sealed with a user's DEK (version field 1 = DEK generation 1),
 * AAD "table|column|row_id". */
#define ASTRAL_FIELD_DEK_VERSION 1
astral_err astral_field_seal(const unsigned char dek[32], const char *table, const char *column,
    const char *row_id, const char *text, unsigned char **out, size_t *outlen) ASTRAL_MUST_USE;
astral_err astral_field_open(const unsigned char dek[32], const char *table, const char *column,
    const char *row_id, const unsigned char *ct, size_t ctlen, char **text) ASTRAL_MUST_USE;

#endif
