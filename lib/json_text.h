/*
 * A JSON document written as text, piece by piece, for answers too large to build as json-c
 * objects cheaply (hundreds of small objects: json-c allocates a hash table per object). The
 * writer does not check structure: the caller writes the punctuation; strings are escaped here.
 * Allocation failures are remembered and reported once, by astral_json_text_finish.
 */
#ifndef ASTRAL_JSON_TEXT_H
#define ASTRAL_JSON_TEXT_H

#include <stddef.h>

#include "error.h"
#include "strbuf.h"

struct astral_json_text {
	struct astral_strbuf text;          /* text.s is NULL once finished */
};

#define ASTRAL_JSON_TEXT_INIT { ASTRAL_STRBUF_INIT }

/* n bytes as they are: punctuation, or JSON that is already valid (from PostgreSQL's json
   functions, say). */
void astral_json_text_raw(struct astral_json_text *t, const char *s, size_t n);
/* A NUL-terminated piece as it is. */
void astral_json_text_lit(struct astral_json_text *t, const char *s);
/* A JSON string with its quotes: '"', '\\' and the control characters escaped (RFC 8259 §7).
   The text must be UTF-8 already; NULL writes null. */
void astral_json_text_str(struct astral_json_text *t, const char *s);
void astral_json_text_int(struct astral_json_text *t, long long v);

/* The text (NUL-terminated, owned by the caller) and its length. NOMEM when any write could not
   grow the buffer; the writer is empty afterwards either way. */
astral_err astral_json_text_finish(struct astral_json_text *t, char **out, size_t *len) ASTRAL_MUST_USE;
void astral_json_text_free(struct astral_json_text *t);

#endif
