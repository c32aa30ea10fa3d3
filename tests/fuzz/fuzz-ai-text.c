/* libFuzzer target for the text that leaves the host and the text that comes back in cgi-bin/ai:
   scrub.c, which reads a user's text for names, e-mail addresses and phone numbers before it goes
   to the provider, and output.c, which reads the model's answer. The input is split at its first
   three newlines into the caller's display name, username, another participant's name (each
   left empty unless valid UTF-8, as the database holds them) and the text (up to its first NUL,
   as both take C strings).
   Scrubbing: valid UTF-8 stays valid UTF-8, and a text with no '@', fewer than seven digits and
   none of the names comes back unchanged.
   Model output: ai_output_text gives NULL or valid UTF-8 without control characters other than
   newline and tab, at most the limit's characters, each cut a prefix of the uncut text; counted
   at once and in pieces, ai_output_count_add gives as many characters as the uncut text has;
   ai_output_json gives NULL or an object. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../cgi-bin/ai/ai.h"
#include "../../lib/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input up to its first newline (or its end) into a new string; *rest moves past it. */
static char *
fuzz_line(const uint8_t **rest, const uint8_t *end, int last)
{
	const uint8_t *nl = last ? NULL : memchr(*rest, '\n', (size_t)(end - *rest));
	size_t n = (size_t)((nl ? nl : end) - *rest);
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	memcpy(s, *rest, n);
	s[n] = '\0';
	*rest = nl ? nl + 1 : end;
	return s;
}

/* strcasestr for a name of at least three bytes, as scrub.c looks for one. */
static int
fuzz_mentions(const char *text, const char *name)
{
	size_t n = strlen(name);

	if (n < 3)
		return 0;
	for (const char *p = text; *p != '\0'; p++)
		if (strncasecmp(p, name, n) == 0)
			return 1;
	return 0;
}

static void
fuzz_scrub(const char *display_name, const char *username, char *other, const char *text)
{
	struct astral_request req;
	struct ai_names others = { .n = 1, .name = { other } };
	size_t digits = 0;
	char *out;

	memset(&req, 0, sizeof(req));
	snprintf(req.who.display_name, sizeof(req.who.display_name), "%s", display_name);
	snprintf(req.who.username, sizeof(req.who.username), "%s", username);
	/* Names come from the database, which holds only checked UTF-8 (one cut inside a character
	   would take half of the text's character with it). */
	if (!astral_utf8_valid(req.who.display_name, strlen(req.who.display_name)))
		req.who.display_name[0] = '\0';
	if (!astral_utf8_valid(req.who.username, strlen(req.who.username)))
		req.who.username[0] = '\0';
	if (!astral_utf8_valid(other, strlen(other)))
		other[0] = '\0';
	out = ai_scrub_names(&req, text, &others);
	if (out == NULL)
		abort();
	if (astral_utf8_valid(text, strlen(text)) && !astral_utf8_valid(out, strlen(out)))
		abort();  /* a name, an address or a number goes whole, never part of a character */
	for (const char *p = text; *p != '\0'; p++)
		digits += isdigit((unsigned char)*p) != 0;
	if (strchr(text, '@') == NULL && digits < 7 && !fuzz_mentions(text, req.who.display_name) &&
	    !fuzz_mentions(text, req.who.username) && !fuzz_mentions(text, other) && strcmp(out, text) != 0)
		abort();
	free(out);
}

/* The characters of a valid UTF-8 string. */
static size_t
fuzz_chars(const char *s)
{
	return s == NULL ? 0 : astral_utf8_length(s, strlen(s));
}

static void
fuzz_output(const char *text)
{
	static const size_t limits[] = { 1, 2, 5, 40 };
	static const size_t pieces[] = { 1, 3, 7 };
	size_t len = strlen(text);
	char *whole = ai_output_text(text, SIZE_MAX);
	struct json_object *o;

	if (whole != NULL) {
		if (whole[0] == '\0' || !astral_utf8_valid(whole, strlen(whole)))
			abort();
		for (const char *p = whole; *p != '\0'; p++)
			if (((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
				abort();
	}
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		char *cut = ai_output_text(text, limits[i]);

		if ((cut == NULL) != (whole == NULL) || (cut != NULL && (fuzz_chars(cut) > limits[i] ||
		                                                         strncmp(cut, whole, strlen(cut)) != 0)))
			abort();
		free(cut);
	}
	/* A streamed reply is held to the same count as a whole one. */
	if (astral_utf8_valid(text, len)) {
		for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
			struct ai_output_count count = { 0, 0, 0 };

			for (size_t at = 0; at < len; at += pieces[i])
				ai_output_count_add(&count, text + at, len - at < pieces[i] ? len - at : pieces[i]);
			if (count.kept != fuzz_chars(whole))
				abort();
		}
	}
	free(whole);
	o = ai_output_json(text);
	if (o != NULL && !json_object_is_type(o, json_type_object))
		abort();
	json_object_put(o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *rest = data, *end = data + size;
	char *display_name = fuzz_line(&rest, end, 0);
	char *username = fuzz_line(&rest, end, 0);
	char *other = fuzz_line(&rest, end, 0);
	char *text = fuzz_line(&rest, end, 1);

	fuzz_scrub(display_name, username, other, text);
	fuzz_output(text);
	free(display_name);
	free(username);
	free(other);
	free(text);
	return 0;
}
