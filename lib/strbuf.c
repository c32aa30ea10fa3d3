#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

#define STRBUF_FIRST_CAP 256
#define STRBUF_MAX ((size_t)PTRDIFF_MAX)     /* the largest object worth asking malloc for */

void
astral_strbuf_add(struct astral_strbuf *b, const char *s, size_t n)
{
	size_t need;

	if (b->failed)
		return;
	if (n > STRBUF_MAX - 1 || b->len > STRBUF_MAX - 1 - n) {
		b->failed = 1;                          /* refused by size: nothing is allocated */
		return;
	}
	need = b->len + n + 1;
	if (need > b->cap) {
		size_t cap = b->cap ? b->cap : STRBUF_FIRST_CAP;
		char *grown;

		while (cap < need)
			cap = cap > STRBUF_MAX / 2 ? need : cap * 2;
		grown = realloc(b->s, cap);
		if (grown == NULL) {
			b->failed = 1;
			return;
		}
		b->s = grown;
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
astral_strbuf_puts(struct astral_strbuf *b, const char *s)
{
	astral_strbuf_add(b, s, strlen(s));
}

char *
astral_strbuf_take(struct astral_strbuf *b)
{
	char *text;

	if (b->s == NULL)
		astral_strbuf_add(b, "", 0);            /* nothing added: an empty text */
	if (b->failed) {
		astral_strbuf_free(b);
		return NULL;
	}
	text = b->s;
	b->s = NULL;
	b->len = b->cap = 0;
	return text;
}

void
astral_strbuf_free(struct astral_strbuf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
}
