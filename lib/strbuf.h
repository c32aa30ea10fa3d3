/*
 * A growable text buffer: pieces appended one after another, the text kept NUL-terminated, the
 * room doubled as it fills. An allocation failure (or a size that cannot be held) is remembered
 * in `failed`: every later append does nothing, and take reports it, so that a writer may append
 * without checking each time and look once at the end.
 */
#ifndef ASTRAL_STRBUF_H
#define ASTRAL_STRBUF_H

#include <stddef.h>

struct astral_strbuf {
	char *s;            /* NULL until the first append; then the text, NUL-terminated */
	size_t len, cap;    /* bytes of text (without the NUL), bytes allocated */
	int failed;         /* an append could not grow the buffer */
};

#define ASTRAL_STRBUF_INIT { NULL, 0, 0, 0 }

/* Append n bytes (which may hold NULs). Sets failed, and keeps the text it had, when memory runs
   out or len + n + 1 would be larger than an object can be. */
void astral_strbuf_add(struct astral_strbuf *b, const char *s, size_t n);
/* Append a NUL-terminated piece. */
void astral_strbuf_puts(struct astral_strbuf *b, const char *s);

/* Hands the text over, malloc'd and NUL-terminated ("" when nothing was added; its length is
   b->len before the call); NULL when an append failed, the text then freed. The buffer is empty
   (failed cleared) and ready for use afterwards either way. */
char *astral_strbuf_take(struct astral_strbuf *b);
void astral_strbuf_free(struct astral_strbuf *b);

#endif
