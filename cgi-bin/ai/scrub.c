/* What leaves the host: the text of a message or post sent to the provider, without the caller's
   name or handle, nor those of the other people it is about (the other participant of a help
   session), and without contact details anyone typed. The user's id and tokens are never put
   in a request body in the first place (ask.c sends only the turns' text). */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ai.h"
#include "log.h"
#include "strbuf.h"

#define NAME_MIN 3              /* shorter names would blank out ordinary words */
#define PHONE_DIGITS_MIN 7
#define BAD_CHAR 0xFFFDu        /* what a broken UTF-8 sequence reads as */

/* The code point at s and its length in bytes (1 and BAD_CHAR for a broken sequence). */
static uint32_t
char_at(const char *s, size_t *len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n;
	uint32_t cp;

	*len = 1;
	if (u[0] < 0x80)
		return u[0];
	if (u[0] >= 0xC2 && u[0] <= 0xDF)
		n = 2, cp = u[0] & 0x1Fu;
	else if (u[0] >= 0xE0 && u[0] <= 0xEF)
		n = 3, cp = u[0] & 0x0Fu;
	else if (u[0] >= 0xF0 && u[0] <= 0xF4)
		n = 4, cp = u[0] & 0x07u;
	else
		return BAD_CHAR;
	/* A NUL ends the loop as any other byte that is not a continuation would. */
	for (size_t i = 1; i < n; i++) {
		if ((u[i] & 0xC0) != 0x80)
			return BAD_CHAR;
		cp = cp << 6 | (u[i] & 0x3Fu);
	}
	*len = n;
	return cp;
}

/* The code point that ends just before s (none at the start of the text: '\0'). */
static uint32_t
char_before(const char *text, const char *s)
{
	const char *lead = s;
	size_t len;
	uint32_t cp;

	if (s == text)
		return '\0';
	do
		lead--;
	while (lead > text && s - lead < 4 && ((unsigned char)*lead & 0xC0) == 0x80);
	cp = char_at(lead, &len);
	return lead + len == s ? cp : BAD_CHAR;
}

/* Whether a character next to a name or number makes it part of a longer word, so that it is not
   the name or number: letters, digits and '_'. Punctuation, spaces and symbols, ASCII or not (a
   full stop, a dash, “curly quotes”, the ’ of a possessive) end a word: a name before one is
   still the name. Without a table of every script's letters, a non-ASCII character counts as a
   letter unless it is in one of the punctuation and symbol blocks below. The CJK scripts, kana
   and Hangul count as ends too: they are written without spaces between words (or with the
   particle joined to the name), so a name or number in them always touches them. */
static int
joins_word(uint32_t cp)
{
	static const struct { uint32_t from, to; } ends[] = {
		{ 0x0080, 0x00A9 }, { 0x00AB, 0x00B4 }, { 0x00B6, 0x00B9 }, { 0x00BB, 0x00BF }, /* Latin-1 signs; not ª µ º */
		{ 0x00D7, 0x00D7 }, { 0x00F7, 0x00F7 },         /* × ÷ */
		{ 0x2000, 0x206F },     /* general punctuation: spaces, dashes, quotes, … */
		{ 0x20A0, 0x20CF },     /* currency signs */
		{ 0x2190, 0x2BFF },     /* arrows, mathematical and technical signs, shapes, dingbats */
		{ 0x2E00, 0x2E7F },     /* supplemental punctuation */
		{ 0x3000, 0x30FF },     /* CJK punctuation, hiragana, katakana */
		{ 0x3400, 0x4DBF }, { 0x4E00, 0x9FFF }, { 0xF900, 0xFAFF },     /* CJK ideographs */
		{ 0xAC00, 0xD7AF },     /* Hangul */
		{ 0xFE30, 0xFE6F },     /* CJK compatibility and small forms */
		{ 0xFF00, 0xFF0F }, { 0xFF1A, 0xFF20 }, { 0xFF3B, 0xFF40 }, { 0xFF5B, 0xFF65 }, /* full-width signs */
		{ 0xFFF0, 0xFFFF },     /* specials, BAD_CHAR among them */
		{ 0x1F000, 0x1FAFF },   /* emoji and pictographs */
	};

	if (cp < 0x80)
		return isalnum((int)cp) || cp == '_';
	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
		if (cp >= ends[i].from && cp <= ends[i].to)
			return 0;
	return 1;
}

/* A character of an e-mail address other than '@' and '+': a word's, '.' or '-' (a dash or a
   quote that is not ASCII ends the address, as it ends a name). */
static int
address_char(const char *s)
{
	size_t len;
	uint32_t cp = char_at(s, &len);

	return joins_word(cp) || cp == '.' || cp == '-';
}

/* Length of an e-mail address starting at s (a word with one '@' and a dot after it), or 0. */
static size_t
email_at(const char *s)
{
	size_t n = 0, at = 0, len;
	int dot_after = 0;

	for (; s[n] != '\0' && (address_char(s + n) || s[n] == '@' || s[n] == '+'); n += len) {
		len = 1;
		if (s[n] == '@') {
			if (at != 0 || n == 0)
				return 0;
			at = n;
		} else if (s[n] == '.' && at != 0 && s[n + 1] != '\0' && address_char(s + n + 1)) {
			dot_after = 1;
		} else {
			char_at(s + n, &len);
		}
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

/* Whether `name` (at least NAME_MIN bytes) is at s, case-insensitively, and not the start of a
   longer word (the caller has checked what is before s). */
static size_t
name_at(const char *s, const char *name)
{
	size_t n = strlen(name), len;

	if (n < NAME_MIN || strncasecmp(s, name, n) != 0)
		return 0;
	if (s[n] != '\0' && joins_word(char_at(s + n, &len)))
		return 0;
	return n;
}

/* The longest of the caller's and the others' names at s, or 0: of "Sam" and "Sam Lee", both
   there, the whole "Sam Lee" goes. */
static size_t
any_name_at(const char *s, const struct astral_request *req, const struct ai_names *others)
{
	size_t best = name_at(s, req->who.display_name), n;

	if ((n = name_at(s, req->who.username)) > best)
		best = n;
	for (size_t i = 0; others != NULL && i < others->n; i++)
		if ((n = name_at(s, others->name[i])) > best)
			best = n;
	return best;
}

void
ai_names_free(struct ai_names *names)
{
	for (size_t i = 0; i < names->n; i++)
		free(names->name[i]);
	names->n = 0;
}

char *
ai_scrub(const struct astral_request *req, const char *text)
{
	return ai_scrub_names(req, text, NULL);
}

char *
ai_scrub_names(const struct astral_request *req, const char *text, const struct ai_names *others)
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
		/* Where a word can start: at a character (not inside one) that follows no letter, digit
		   or '_'. An address is read first: a name in it ("sam.smith@...") is taken with it. */
		int starts_word = ((unsigned char)*s & 0xC0) != 0x80 && !joins_word(char_before(text, s));

		if (starts_word && ((n = email_at(s)) > 0 || (n = phone_at(s)) > 0)) {
			astral_strbuf_add(&o, "[contact]", 9);
		} else if (starts_word && (n = any_name_at(s, req, others)) > 0) {
			astral_strbuf_add(&o, "[name]", 6);
		} else {
			n = 1;
			astral_strbuf_add(&o, s, 1);
		}
		s += n;
	}
	return astral_strbuf_take(&o);
}
