/*
 * cgi-bin/ai: the text that leaves the host and the text that comes back. scrub.c takes the
 * caller's names (and a help session's other participant's) and contact details out of what is
 * sent, wherever punctuation (ASCII or not) stands next to them, and leaves a name alone inside a
 * longer word. context.c keeps a conversation's newest turns within AI_CONTEXT_BYTES. output.c
 * cuts a reply to a number of characters, not bytes, keeping the last one whole, and counts a
 * streamed reply's characters piece by piece exactly as it counts a whole one.
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
#include "validate.h"

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

/* The scrub with other people's names too: a help session's other participant (ai_session_names). */
static void
assert_scrubbed_with(const char *const *others, const char *text, const char *want)
{
	struct astral_request req;
	struct ai_names names = { .n = 0 };
	char *got;

	memset(&req, 0, sizeof(req));
	snprintf(req.who.display_name, sizeof(req.who.display_name), "%s", NAME);
	snprintf(req.who.username, sizeof(req.who.username), "%s", HANDLE);
	for (; others != NULL && *others != NULL; others++) {
		assert_true(names.n < AI_NAMES_MAX);
		names.name[names.n] = strdup(*others);
		assert_non_null(names.name[names.n++]);
	}
	got = ai_scrub_names(&req, text, &names);
	ai_names_free(&names);
	assert_non_null(got);
	if (strcmp(got, want) != 0)
		fail_msg("scrub(\"%s\")\n  got  \"%s\"\n  want \"%s\"", text, got, want);
	free(got);
}

/* The other participant's names go as the caller's do, with the same boundaries; where two
   names start at one place the longer goes whole. */
static void
test_scrub_other_peoples_names(void **state)
{
	static const char *const session[] = { "Helper ab12cd", "chx_41", "Alex", "Alex Moreno", NULL };

	(void)state;
	assert_scrubbed_with(session, "thank you Helper ab12cd (chx_41), from Rosalind Quinlan.",
	                     "thank you [name] ([name]), from [name].");
	assert_scrubbed_with(session, "it's Alex here—Alex Moreno’s phone is 555-123-4567",
	                     "it's [name] here—[name]’s phone is [contact]");
	assert_scrubbed_with(session, "helper ab12cd, ALEX MORENO, rosq", "[name], [name], [name]");
	/* Without the list they are only words: it is the list that takes them out. */
	assert_scrubbed_with(NULL, "thank you Helper ab12cd (chx_41), Alex", "thank you Helper ab12cd (chx_41), Alex");
}

static void
test_scrub_bad_other_names(void **state)
{
	static const char *const odd[] = { "Al", "", "Alex", NULL };
	struct astral_request req;
	char *got;

	(void)state;
	/* Shorter than three bytes or empty: never a name (they would blank out ordinary words). */
	assert_scrubbed_with(odd, "Al and Alexander and Alex_1 and Alex", "Al and Alexander and Alex_1 and [name]");
	/* Before the session check's verdict nothing is scrubbed, and nothing is sent. */
	memset(&req, 0, sizeof(req));
	req.who.check_pending = 1;
	got = ai_scrub_names(&req, "text", NULL);
	assert_null(got);
}

/* Turns of `bytes` bytes each, alternating the person and the model (the last the person's),
   texts malloc'd as the companion and the draft make them. */
static struct ai_turn *
turns_of(size_t k, size_t bytes)
{
	struct ai_turn *t = calloc(k, sizeof(*t));

	assert_non_null(t);
	for (size_t i = 0; i < k; i++) {
		char *text = malloc(bytes + 1);

		assert_non_null(text);
		memset(text, 'a' + (int)(i % 26), bytes);
		text[bytes] = '\0';
		t[i].text = text;
		t[i].speaker = (k - 1 - i) % 2 == 0 ? AI_SPEAKER_USER : AI_SPEAKER_MODEL;
	}
	return t;
}

static void
free_turns(struct ai_turn *t, size_t k)
{
	for (size_t i = 0; i < k; i++)
		free((char *)(uintptr_t)t[i].text);
	free(t);
}

/* The newest turns within AI_CONTEXT_BYTES go, in order, starting with the person; the dropped
   ones are freed (the sanitizer build would report a leak). */
static void
test_context_keeps_the_newest_within_the_budget(void **state)
{
	struct ai_turn *t = turns_of(20, 1900);
	size_t kept, total = 0;

	(void)state;
	kept = ai_context_keep_newest(t, 20);
	for (size_t i = 0; i < kept; i++)
		total += strlen(t[i].text);
	assert_true(total <= AI_CONTEXT_BYTES);
	assert_true(total + 2 * 1900 > AI_CONTEXT_BYTES);      /* not fewer than fit, but whole pairs */
	assert_int_equal(t[0].speaker, AI_SPEAKER_USER);
	assert_int_equal(t[kept - 1].text[0], 'a' + 19);       /* the newest is last */
	for (size_t i = 1; i < kept; i++)
		assert_int_equal(t[i].text[0], t[i - 1].text[0] + 1);
	free_turns(t, kept);

	/* Within the budget: all of them. */
	t = turns_of(5, 100);
	assert_int_equal(ai_context_keep_newest(t, 5), 5);
	free_turns(t, 5);
}

static void
test_context_bad_sizes(void **state)
{
	struct ai_turn *t;

	(void)state;
	assert_int_equal(ai_context_keep_newest(NULL, 0), 0);
	/* The newest alone over the budget still goes (the person's message is never dropped). */
	t = turns_of(3, AI_CONTEXT_BYTES + 1);
	assert_int_equal(ai_context_keep_newest(t, 3), 1);
	assert_int_equal(strlen(t[0].text), AI_CONTEXT_BYTES + 1);
	free_turns(t, 1);
	/* A model turn that would come first goes too, even when it fits. */
	t = turns_of(2, 100);
	t[0].speaker = AI_SPEAKER_MODEL;
	t[1].speaker = AI_SPEAKER_MODEL;
	assert_int_equal(ai_context_keep_newest(t, 2), 1);
	free_turns(t, 1);
}

static void
assert_cut(const char *raw, size_t max_chars, const char *want)
{
	char *got = ai_output_text(raw, max_chars);

	if (want == NULL) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	if (strcmp(got, want) != 0)
		fail_msg("ai_output_text(\"%s\", %zu)\n  got  \"%s\"\n  want \"%s\"", raw, max_chars, got, want);
	free(got);
}

/* The limit is in characters: the last one kept is whole, whatever its length in bytes. */
static void
test_output_cut_in_characters(void **state)
{
	(void)state;
	assert_cut("ab\u20ac", 3, "ab\u20ac");
	assert_cut("ab\u20acd", 3, "ab\u20ac");
	assert_cut("\u00e9\u00e9\u00e9", 2, "\u00e9\u00e9");
	assert_cut("\U0001F642\U0001F642", 1, "\U0001F642");
	assert_cut("\u4f60\u597d\u4e16\u754c", 4, "\u4f60\u597d\u4e16\u754c");
	assert_cut("  a\x01" "b\r\nc \n", 4, "ab\nc");
	assert_cut("  a\x01" "b\r\nc \n", 3, "ab\n");
	assert_cut(" \t\r\n", 10, NULL);
	assert_cut("abc", 0, NULL);
	assert_cut("\xe2\x82", 10, NULL);
}

/* The streamed count (companion.c's limit) agrees with the cut, for every way of splitting. */
static void
test_output_count_agrees_with_the_cut(void **state)
{
	static const char *const texts[] = {
		"hello", "  hello  \n", "\n\n\u20ac\u20ac \u20ac\t\r\n", "a \x01", "\x01 a \r", "a\r\nb",
		"\u4f60\u597d\uff0c\u4e16\u754c\u3002", "\U0001F642 ok \U0001F642  ", " \x7f ", "x\t\ty",
	};

	(void)state;
	for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
		size_t len = strlen(texts[t]);
		char *whole = ai_output_text(texts[t], SIZE_MAX);
		size_t want = whole != NULL ? astral_utf8_length(whole, strlen(whole)) : 0;

		free(whole);
		for (size_t piece = 1; piece <= len; piece++) {
			struct ai_output_count n = { 0 };

			for (size_t off = 0; off < len; off += piece)
				ai_output_count_add(&n, texts[t] + off, len - off < piece ? len - off : piece);
			if (n.kept != want)
				fail_msg("text %zu in pieces of %zu: counted %zu, want %zu", t, piece, n.kept, want);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scrub_name_next_to_punctuation),
		cmocka_unit_test(test_scrub_numbers_next_to_punctuation),
		cmocka_unit_test(test_scrub_bad_name_inside_a_word),
		cmocka_unit_test(test_scrub_bad_utf8),
		cmocka_unit_test(test_scrub_other_peoples_names),
		cmocka_unit_test(test_scrub_bad_other_names),
		cmocka_unit_test(test_context_keeps_the_newest_within_the_budget),
		cmocka_unit_test(test_context_bad_sizes),
		cmocka_unit_test(test_output_cut_in_characters),
		cmocka_unit_test(test_output_count_agrees_with_the_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
