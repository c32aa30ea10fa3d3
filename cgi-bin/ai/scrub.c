/* What leaves the host: the text of a message or post sent to the provider, without the caller's
   name or handle and without contact details anyone typed. The user's id and tokens are never put
   in a request body in the first place (ask.c sends only the turns' text). */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "ai.h"
#include "log.h"
#include "strbuf.h"

#define NAME_MIN 3              /* shorter names would blank out ordinary words */
#define PHONE_DIGITS_MIN 7

static int
word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.' || (unsigned char)c >= 0x80;
}

/* Length of an e-mail address starting at s (a word with one '@' and a dot after it), or 0. */
static size_t
email_at(const char *s)
{
	size_t n = 0, at = 0;
	int dot_after = 0;

	while (s[n] != '\0' && (word_char(s[n]) || s[n] == '@' || s[n] == '+')) {
		if (s[n] == '@') {
			if (at != 0 || n == 0)
				return 0;
			at = n;
		} else if (s[n] == '.' && at != 0 && s[n + 1] != '\0' && word_char(s[n + 1])) {
			dot_after = 1;
		}
		n++;
	}
	while (n > 0 && s[n - 1] == '.')
		n--;
	return at != 0 && dot_after ? n : 0;
}

/* Length of a phone-like number at s: digits with spaces, dots, dashes, brackets or a leading
   '+', holding at least PHONE_DIGITS_MIN digits; 0 otherwise. */
static size_t
phone_at(const char *s)
{
	size_t n = 0, digits = 0, last_digit = 0;

	if (!isdigit((unsigned char)s[0]) && !(s[0] == '+' && isdigit((unsigned char)s[1])) && s[0] != '(')
		return 0;
	while (s[n] != '\0' && (isdigit((unsigned char)s[n]) || strchr("+-. ()", s[n]) != NULL)) {
		if (isdigit((unsigned char)s[n])) {
			digits++;
			last_digit = n + 1;
		}
		n++;
	}
	/* A number that runs on into letters is part of a word or an id (a UUID), not a phone number. */
	if (digits < PHONE_DIGITS_MIN || isalpha((unsigned char)s[last_digit]) || s[last_digit] == '_')
		return 0;
	return last_digit;
}

/* Whether `name` (at least NAME_MIN bytes) starts at s as a whole word, case-insensitively. */
static size_t
name_at(const char *text, const char *s, const char *name)
{
	size_t n = strlen(name);

	if (n < NAME_MIN || strncasecmp(s, name, n) != 0)
		return 0;
	if ((s > text && word_char(s[-1])) || word_char(s[n]))
		return 0;
	return n;
}

char *
ai_scrub(const struct astral_request *req, const char *text)
{
	struct astral_strbuf o = ASTRAL_STRBUF_INIT;
	const char *s = text;

	/* The names come from the session check: before its verdict they are not known yet, and a
	   text scrubbed without them could carry the person's name out. Every handler runs a
	   statement first (which brings the verdict); this keeps it so. */
	if (req->who.check_pending) {
		astral_log(ASTRAL_LOG_ERROR, "ai_scrub before the session check's verdict");
		return NULL;
	}
	while (*s != '\0') {
		size_t n;
		int starts_word = s == text || !word_char(s[-1]);

		if (starts_word && ((n = name_at(text, s, req->who.display_name)) > 0 ||
		                    (n = name_at(text, s, req->who.username)) > 0)) {
			astral_strbuf_add(&o, "[name]", 6);
		} else if (starts_word && ((n = email_at(s)) > 0 || (n = phone_at(s)) > 0)) {
			astral_strbuf_add(&o, "[contact]", 9);
		} else {
			n = 1;
			astral_strbuf_add(&o, s, 1);
		}
		s += n;
	}
	return astral_strbuf_take(&o);
}
