/*
 * Keyset cursors for every list: the sort key and id of the last row of a page, carried as one
 * opaque token ("next" in a response, ?cursor= in the following request). The token is
 * base64url of "c1" and the parts, each preceded by the unit separator 0x1F. Parts are short
 * ASCII (timestamps, counters, UUIDs, or base64url of a text); programs check each part's type
 * after decoding with the typed readers below, so a forged cursor can only ever name another
 * position in the list.
 */
#ifndef ASTRAL_CURSOR_H
#define ASTRAL_CURSOR_H

#include <stddef.h>

#include "error.h"

#define ASTRAL_CURSOR_MAX_PARTS 4
#define ASTRAL_CURSOR_PART_MAX 272       /* bytes, without the NUL (a text part of 200 bytes, encoded) */
#define ASTRAL_CURSOR_TEXT_MAX 512       /* longest token accepted or produced, without the NUL */
#define ASTRAL_CURSOR_TEXT_PART_MAX 200  /* bytes of a text part before encoding */

struct astral_cursor {
	size_t n;
	char parts[ASTRAL_CURSOR_MAX_PARTS][ASTRAL_CURSOR_PART_MAX + 1];
};

void astral_cursor_init(struct astral_cursor *c);
/* Append a part: 1..ASTRAL_CURSOR_PART_MAX bytes of [A-Za-z0-9._:+-]. INVALID otherwise or when
   full. */
astral_err astral_cursor_add(struct astral_cursor *c, const char *part) ASTRAL_MUST_USE;
astral_err astral_cursor_add_int(struct astral_cursor *c, long long v) ASTRAL_MUST_USE;
/* Any UTF-8 text of 1..ASTRAL_CURSOR_TEXT_PART_MAX bytes (a display name, say), carried
   base64url-encoded; read it back with astral_cursor_text. */
astral_err astral_cursor_add_text(struct astral_cursor *c, const char *text) ASTRAL_MUST_USE;
/* The token, NUL-terminated, into out (TOO_LARGE when outlen is too small). */
astral_err astral_cursor_encode(const struct astral_cursor *c, char *out, size_t outlen) ASTRAL_MUST_USE;
/* The token of nparts parts (1..ASTRAL_CURSOR_MAX_PARTS), each as astral_cursor_add takes it, into
   out: a list's "next" from its last row's columns. INVALID for a NULL or malformed part or a
   count out of range, TOO_LARGE when outlen is too small; out is untouched on failure. */
astral_err astral_cursor_encode_parts(const char *const *parts, size_t nparts, char *out,
                                      size_t outlen) ASTRAL_MUST_USE;
/* Parse a token that must hold exactly nparts parts. INVALID for anything else. */
astral_err astral_cursor_decode(const char *text, size_t nparts, struct astral_cursor *c) ASTRAL_MUST_USE;
/* Typed readers of part i: a decimal integer (any long long), a UUID. INVALID when it is not. */
astral_err astral_cursor_int(const struct astral_cursor *c, size_t i, long long *out) ASTRAL_MUST_USE;
astral_err astral_cursor_uuid(const struct astral_cursor *c, size_t i, const char **out) ASTRAL_MUST_USE;
/* A text part: well-formed UTF-8 without NUL or control characters, copied into buf. */
astral_err astral_cursor_text(const struct astral_cursor *c, size_t i, char *buf, size_t len) ASTRAL_MUST_USE;

#endif
