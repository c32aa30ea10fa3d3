/* Binary-to-text encodings: base64url, base64, hex, base32 (RFC 4648). */
#ifndef ASTRAL_ENCODING_H
#define ASTRAL_ENCODING_H

#include <stddef.h>

#include "error.h"

/*
 * Encoders return a malloc'd NUL-terminated string, or NULL when memory runs
 * out or the output size would overflow.
 *
 * Decoders read exactly inlen bytes of in (no NUL needed), and on success set
 * *out to a malloc'd buffer (never NULL, even for empty output) and *outlen to
 * its length.  On failure *out is NULL and *outlen is 0.  They are strict:
 * characters outside the alphabet, misplaced padding, impossible lengths and
 * non-zero trailing bits are ASTRAL_ERR_INVALID.
 */

/* base64url alphabet, no padding on output; padding is refused on input. */
char *astral_b64url_encode(const unsigned char *in, size_t len);
astral_err astral_b64url_decode(const char *in, size_t inlen, unsigned char **out, size_t *outlen) ASTRAL_MUST_USE;

/* Standard base64 alphabet, padded to a multiple of 4; padding required on input. */
char *astral_b64_encode(const unsigned char *in, size_t len);
astral_err astral_b64_decode(const char *in, size_t inlen, unsigned char **out, size_t *outlen) ASTRAL_MUST_USE;

/* Lowercase hex on output; either case on input; odd length refused. */
/* The value of one hexadecimal digit (either case), or -1. */
int astral_hex_digit(int c);
char *astral_hex_encode(const unsigned char *in, size_t len);
astral_err astral_hex_decode(const char *in, size_t inlen, unsigned char **out, size_t *outlen) ASTRAL_MUST_USE;

/* RFC 4648 base32 alphabet, no padding on output.  Input is case-insensitive,
 * spaces and '-' are ignored, and '=' is allowed only as trailing padding. */
char *astral_base32_encode(const unsigned char *in, size_t len);
astral_err astral_base32_decode(const char *in, size_t inlen, unsigned char **out, size_t *outlen) ASTRAL_MUST_USE;

#endif
