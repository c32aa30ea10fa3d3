/* What leaves the host: the text of a message or post sent to the provider, without the caller's
   name or handle and without contact details anyone typed. The user's id and tokens are never put
   in a request body in the first place (ask.c sends only the turns' text). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ai.h"

#define NAME_MIN 3              /* shorter names would blank out ordinary words */
#define PHONE_DIGITS_MIN 7

struct out { char *buf; size_t len, cap; int failed; };

static void
put(struct out *o, const char *s, size_t n)
{
	if (o->failed)
		return;
	if (o->len + n + 1 > o->cap) {
		size_t cap = (o->len + n + 1) * 2;
		char *b = realloc(o->buf, cap);

		if (b == NULL) {
			o->failed = 1;
			return;
		}
		o->buf = b;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

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
	return digits >= PHONE_DIGITS_MIN ? last_digit : 0;
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
	struct out o = { NULL, 0, 0, 0 };
	const char *s = text;

	put(&o, "", 0);
	while (*s != '\0') {
		size_t n;
		int starts_word = s == text || !word_char(s[-1]);

		if (starts_word && ((n = name_at(text, s, req->who.display_name)) > 0 ||
		                    (n = name_at(text, s, req->who.username)) > 0)) {
			put(&o, "[name]", 6);
		} else if (starts_word && ((n = email_at(s)) > 0 || (n = phone_at(s)) > 0)) {
			put(&o, "[contact]", 9);
		} else {
			n = 1;
			put(&o, s, 1);
		}
		s += n;
	}
	if (o.failed) {
		free(o.buf);
		return NULL;
	}
	return o.buf;
}
