/*
 * cgi-bin/ai: the text that leaves the host and the text that comes back. scrub.c takes the
 * caller's names and contact details out of what is sent, wherever punctuation (ASCII or not)
 * stands next to them, and leaves a name alone inside a longer word.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ai.h"

static void
assert_scrubbed(const char *display_name, const char *username, const char *text, const char *want)
{
	struct astral_request req;
	char *got;

	memset(&req, 0, sizeof(req));
	snprintf(req.who.display_name, sizeof(req.who.display_name), "%s", display_name);
	snprintf(req.who.username, sizeof(req.who.username), "%s", username);
	got = ai_scrub(&req, text);
	assert_non_null(got);
	if (strcmp(got, want) != 0)
		fail_msg("scrub(\"%s\")\n  got  \"%s\"\n  want \"%s\"", text, got, want);
	free(got);
}

#define NAME "Rosalind Quinlan"
#define HANDLE "rosq"

/* The review's cases: a name before a full stop, in curly quotes, with a curly possessive, next
   to a dash; a number after an em dash or an ideograph. */
static void
test_scrub_name_next_to_punctuation(void **state)
{
	(void)state;
	assert_scrubbed(NAME, HANDLE, "My name is Rosalind Quinlan. Call me\u20145551234567",
	                "My name is [name]. Call me\u2014[contact]");
	assert_scrubbed(NAME, HANDLE, "Sign it \u201cRosalind Quinlan\u201d, it is Rosalind Quinlan\u2019s",
	                "Sign it \u201c[name]\u201d, it is [name]\u2019s");
	assert_scrubbed(NAME, HANDLE, "Rosalind Quinlan\u2014that's me", "[name]\u2014that's me");
	assert_scrubbed(NAME, HANDLE, "\u00abRosalind Quinlan\u00bb", "\u00ab[name]\u00bb");
	assert_scrubbed(NAME, HANDLE, "(Rosalind Quinlan)-ish; rosalind quinlan!", "([name])-ish; [name]!");
	assert_scrubbed(NAME, HANDLE, "I'm rosq. I'm @rosq-", "I'm [name]. I'm @[name]-");
	assert_scrubbed(NAME, HANDLE, "\u6211\u662fRosalind Quinlan\u3002", "\u6211\u662f[name]\u3002");
	assert_scrubbed(NAME, HANDLE, "rosq\u2026 rosq\u00a0rosq \U0001F642rosq\U0001F642",
	                "[name]\u2026 [name]\u00a0[name] \U0001F642[name]\U0001F642");
	assert_scrubbed(NAME, HANDLE, "Rosalind Quinlan", "[name]");
}

static void
test_scrub_numbers_next_to_punctuation(void **state)
{
	(void)state;
	assert_scrubbed(NAME, HANDLE, "\u7535\u8bdd13812345678", "\u7535\u8bdd[contact]");
	assert_scrubbed(NAME, HANDLE, "call:+44 7700 900123.", "call:[contact].");
	assert_scrubbed(NAME, HANDLE, "\u201c555-123-4567\u201d", "\u201c[contact]\u201d");
	assert_scrubbed(NAME, HANDLE, "write to me\u2014sam.smith@example.org", "write to me\u2014[contact]");
	/* A name inside an address goes with the address. */
	assert_scrubbed(NAME, HANDLE, "rosq.smith@example.org or rosq@example.org.",
	                "[contact] or [contact].");
}

/* A name that is part of a longer word, in any script, is that word, not the name. */
static void
test_scrub_bad_name_inside_a_word(void **state)
{
	(void)state;
	assert_scrubbed(NAME, HANDLE, "Rosalind Quinlans", "Rosalind Quinlans");
	assert_scrubbed(NAME, HANDLE, "rosqa xrosq rosq_2 rosq2 _rosq", "rosqa xrosq rosq_2 rosq2 _rosq");
	assert_scrubbed(NAME, HANDLE, "rosq\u00e9 \u00e9rosq rosq\u0431 \u0431rosq", "rosq\u00e9 \u00e9rosq rosq\u0431 \u0431rosq");
	assert_scrubbed("Ana", "ana", "Banana, Anatomy, \u00c1Ana", "Banana, Anatomy, \u00c1Ana");
	/* A number run into letters is an id, not a phone number. */
	assert_scrubbed(NAME, HANDLE, "ref abc5551234567 and \u0442\u0435\u043b5551234567",
	                "ref abc5551234567 and \u0442\u0435\u043b5551234567");
}

/* Broken UTF-8 (the input checks refuse it; stored text could hold it) is read as a sign, not
   a letter, and nothing is read past the end. */
static void
test_scrub_bad_utf8(void **state)
{
	(void)state;
	assert_scrubbed(NAME, HANDLE, "\xe2\x80rosq\xff", "\xe2\x80[name]\xff");
	assert_scrubbed(NAME, HANDLE, "rosq\xe2", "[name]\xe2");
	assert_scrubbed(NAME, HANDLE, "\x80\x80\x80\x80rosq", "\x80\x80\x80\x80[name]");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scrub_name_next_to_punctuation),
		cmocka_unit_test(test_scrub_numbers_next_to_punctuation),
		cmocka_unit_test(test_scrub_bad_name_inside_a_word),
		cmocka_unit_test(test_scrub_bad_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
