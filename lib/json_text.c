#include <stdio.h>
#include <string.h>

#include "json_text.h"

void
astral_json_text_raw(struct astral_json_text *t, const char *s, size_t n)
{
	astral_strbuf_add(&t->text, s, n);
}

void
astral_json_text_lit(struct astral_json_text *t, const char *s)
{
	astral_json_text_raw(t, s, strlen(s));
}

void
astral_json_text_str(struct astral_json_text *t, const char *s)
{
	const char *run;

	if (s == NULL) {
		astral_json_text_raw(t, "null", 4);
		return;
	}
	astral_json_text_raw(t, "\"", 1);
	for (run = s; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		astral_json_text_raw(t, run, (size_t)(s - run));
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			astral_json_text_raw(t, esc, 2);
		} else {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			astral_json_text_raw(t, esc, 6);
		}
		run = s + 1;
	}
	astral_json_text_raw(t, run, (size_t)(s - run));
	astral_json_text_raw(t, "\"", 1);
}

void
astral_json_text_int(struct astral_json_text *t, long long v)
{
	char digits[24];
	int n = snprintf(digits, sizeof(digits), "%lld", v);

	astral_json_text_raw(t, digits, (size_t)n);
}

astral_err
astral_json_text_finish(struct astral_json_text *t, char **out, size_t *len)
{
	size_t n = t->text.len;

	*out = astral_strbuf_take(&t->text);
	if (*out == NULL)
		return ASTRAL_ERR_NOMEM;
	*len = n;
	return ASTRAL_OK;
}

void
astral_json_text_free(struct astral_json_text *t)
{
	astral_strbuf_free(&t->text);
}
