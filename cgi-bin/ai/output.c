/* Model output is untrusted input: before anything of it is stored or shown it is checked as
   UTF-8, stripped of control characters, trimmed and cut to the route's length; JSON answers are
   parsed as one object (a ```json fence around it is tolerated) and then validated field by
   field by the caller. */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ai.h"
#include "json.h"
#include "validate.h"

char *
ai_output_text(const char *raw, size_t max_chars)
{
	size_t len, chars = 0, w = 0;
	char *out;

	if (raw == NULL)
		return NULL;
	raw += strspn(raw, " \t\r\n");
	len = strlen(raw);
	while (len > 0 && strchr(" \t\r\n", raw[len - 1]) != NULL)
		len--;
	if (len == 0 || !astral_utf8_valid(raw, len))
		return NULL;
	out = malloc(len + 1);
	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)raw[i];

		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			continue;
		/* Cut before the first character past the limit, at its lead byte: the last one kept
		   is whole, however many bytes it has (the text is valid UTF-8, and the control
		   characters skipped are never inside a sequence). */
		if ((c & 0xC0) != 0x80 && ++chars > max_chars)
			break;
		out[w++] = (char)c;
	}
	out[w] = '\0';
	if (w == 0) {
		free(out);
		return NULL;
	}
	return out;
}

void
ai_output_count_add(struct ai_output_count *n, const char *piece, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)piece[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			/* Trimmed at either end; inside, counted unless it is the CR (a control character). */
			if (n->started && c != '\r')
				n->pending++;
			continue;
		}
		n->started = 1;
		if (c < 0x20 || c == 0x7f) {
			/* Dropped itself, but it ends the trimming: the white space before it stays. */
			n->kept += n->pending;
			n->pending = 0;
		} else if ((c & 0xC0) != 0x80) {
			n->kept += n->pending + 1;
			n->pending = 0;
		}
	}
}

struct json_object *
ai_output_json(const char *raw)
{
	struct json_object *o = NULL;
	const char *s, *e, *problem = NULL;

	if (raw == NULL)
		return NULL;
	s = strchr(raw, '{');
	e = strrchr(raw, '}');
	if (s == NULL || e == NULL || e < s)
		return NULL;
	/* What lies outside the braces (a code fence, a word of preamble) is let go; what lies between
	   them must be one object in strict JSON, as any request body: no comments, no single quotes,
	   no second object after the first. */
	if (astral_json_parse(s, (size_t)(e - s + 1), &o, &problem) != ASTRAL_OK)
		return NULL;
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}
