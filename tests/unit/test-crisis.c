/* The crisis detector: the labelled corpus (recall and false-positive rate), normalisation,
   negation, past tense, context words, escalation, windows, limits and bad input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "../../lib/crisis.h"
#include "../../lib/log.h"

#define CORPUS_REL "tests/crisis/corpus.tsv"

static struct astral_crisis_result
screen(const char *text)
{
	struct astral_crisis_result r;

	assert_int_equal(astral_crisis_screen(text, strlen(text), &r), ASTRAL_OK);
	return r;
}

static void
expect(const char *text, enum astral_crisis_severity want)
{
	struct astral_crisis_result r = screen(text);

	if (r.severity != want)
		fail_msg("\"%s\": got %s, wanted %s", text, astral_crisis_severity_name(r.severity),
		    astral_crisis_severity_name(want));
}

static int
has_rule(const struct astral_crisis_result *r, const char *rule, int lowered)
{
	size_t i;

	for (i = 0; i < r->nreasons; i++)
		if (strcmp(r->reasons[i].rule, rule) == 0 && (lowered < 0 || r->reasons[i].lowered == lowered))
			return 1;
	return 0;
}

/* Every documented invariant of a result. */
static void
check_invariants(const struct astral_crisis_result *r)
{
	enum astral_crisis_severity max = ASTRAL_CRISIS_NONE;
	unsigned cats = 0;
	size_t i;

	assert_true(r->nreasons <= ASTRAL_CRISIS_MAX_REASONS);
	for (i = 0; i < r->nreasons; i++) {
		const struct astral_crisis_reason *re = &r->reasons[i];

		assert_true(re->severity >= ASTRAL_CRISIS_LOW && re->severity <= ASTRAL_CRISIS_HIGH);
		assert_non_null(re->rule);
		if (i > 0)
			assert_true(re->severity <= r->reasons[i - 1].severity);
		if (re->severity > max)
			max = re->severity;
		cats |= re->category;
	}
	assert_int_equal(r->severity, max);
	assert_int_equal(cats & ~r->categories, 0);
	if (r->nreasons == 0)
		assert_int_equal(r->categories, 0);
}

/* ---- the corpus ---- */

static FILE *
open_corpus(void)
{
	const char *roots[4];
	char path[4096];
	size_t i;
	FILE *f;

#ifdef ASTRAL_SRCDIR
	roots[0] = ASTRAL_SRCDIR;
#else
	roots[0] = NULL;
#endif
	roots[1] = getenv("ASTRAL_SRCDIR");
	roots[2] = getenv("srcdir");
	roots[3] = ".";
	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		if (!roots[i])
			continue;
		snprintf(path, sizeof(path), "%s/%s", roots[i], CORPUS_REL);
		f = fopen(path, "r");
		if (f)
			return f;
	}
	fail_msg("cannot find %s (set ASTRAL_SRCDIR)", CORPUS_REL);
	return NULL;
}

static int
parse_severity(const char *s, size_t n, enum astral_crisis_severity *out)
{
	static const char *const names[] = { "none", "low", "medium", "high" };
	size_t i;

	for (i = 0; i < 4; i++)
		if (strlen(names[i]) == n && memcmp(names[i], s, n) == 0) {
			*out = (enum astral_crisis_severity)i;
			return 0;
		}
	return -1;
}

/* The next labelled line of the corpus: its expected severity and its text (in *line). */
static int
next_corpus_line(FILE *f, char **line, size_t *cap, size_t *lineno, enum astral_crisis_severity *want,
    const char **text, size_t *text_len)
{
	ssize_t got;

	while ((got = getline(line, cap, f)) != -1) {
		char *l = *line, *tab;
		size_t len = (size_t)got;

		++*lineno;
		while (len > 0 && (l[len - 1] == '\n' || l[len - 1] == '\r'))
			l[--len] = '\0';
		if (len == 0 || l[0] == '#')
			continue;
		tab = strchr(l, '\t');
		if (!tab || parse_severity(l, (size_t)(tab - l), want) != 0)
			fail_msg("corpus line %zu: want severity<TAB>text", *lineno);
		*text = tab + 1;
		*text_len = len - (size_t)(tab + 1 - l);
		return 1;
	}
	return 0;
}

static void
test_crisis_corpus(void **state)
{
	FILE *f = open_corpus();
	char *line = NULL;
	const char *text;
	size_t cap = 0, lineno = 0, total[4] = { 0 }, recalled[4] = { 0 }, flagged_negatives = 0, shown = 0, len;
	double recall[4], fp_rate;
	enum astral_crisis_severity want;
	int i;

	(void)state;
	while (next_corpus_line(f, &line, &cap, &lineno, &want, &text, &len)) {
		struct astral_crisis_result r;

		assert_int_equal(astral_crisis_screen(text, len, &r), ASTRAL_OK);
		check_invariants(&r);
		total[want]++;
		if (want == ASTRAL_CRISIS_NONE) {
			if (r.severity != ASTRAL_CRISIS_NONE)
				flagged_negatives++;
			else
				recalled[want]++;
		} else if (r.severity >= want) {
			recalled[want]++;
		}
		if ((want == ASTRAL_CRISIS_NONE) != (r.severity == ASTRAL_CRISIS_NONE) || (want && r.severity < want)) {
			if (shown++ < 40)
				printf("  miss line %zu: want %s got %s%s%s: %s\n", lineno, astral_crisis_severity_name(want),
				    astral_crisis_severity_name(r.severity), r.nreasons ? " via " : "",
				    r.nreasons ? r.reasons[0].rule : "", text);
		}
	}
	free(line);
	fclose(f);

	printf("  %-8s %6s %9s\n", "expected", "lines", "recall");
	for (i = ASTRAL_CRISIS_HIGH; i >= ASTRAL_CRISIS_LOW; i--) {
		recall[i] = total[i] ? 100.0 * (double)recalled[i] / (double)total[i] : 100.0;
		printf("  %-8s %6zu %8.1f%%\n", astral_crisis_severity_name((enum astral_crisis_severity)i), total[i], recall[i]);
	}
	fp_rate = total[0] ? 100.0 * (double)flagged_negatives / (double)total[0] : 0.0;
	printf("  %-8s %6zu %8.1f%% false positives (%zu flagged)\n", "none", total[0], fp_rate, flagged_negatives);

	assert_true(total[ASTRAL_CRISIS_HIGH] >= 120);
	assert_true(total[ASTRAL_CRISIS_MEDIUM] + total[ASTRAL_CRISIS_LOW] >= 60);
	assert_true(total[ASTRAL_CRISIS_NONE] >= 100);
	assert_int_equal(recalled[ASTRAL_CRISIS_HIGH], total[ASTRAL_CRISIS_HIGH]);
	assert_true(recall[ASTRAL_CRISIS_MEDIUM] >= 90.0);
	assert_true(recall[ASTRAL_CRISIS_LOW] >= 90.0);
	assert_true(fp_rate <= 5.0);
}

/* ---- behaviour ---- */

static void
test_crisis_normalises(void **state)
{
	(void)state;
	expect("I WANT TO KILL MYSELF", ASTRAL_CRISIS_HIGH);
	expect("i want to k1ll mys3lf", ASTRAL_CRISIS_HIGH);
	expect("$uic1d@l", ASTRAL_CRISIS_HIGH);
	expect("i want to diiiiiie", ASTRAL_CRISIS_HIGH);       /* run collapsed to one letter */
	expect("i feel sooo suicidaaal", ASTRAL_CRISIS_HIGH);
	expect("kill...myself", ASTRAL_CRISIS_HIGH);            /* punctuation is a boundary */
	expect("k\xe2\x80\x8bill myself", ASTRAL_CRISIS_HIGH);  /* zero-width space dropped */
	expect("k i l l myself", ASTRAL_CRISIS_HIGH);           /* spelled out */
	expect("\xef\xbc\xab\xef\xbc\xa9\xef\xbc\xac\xef\xbc\xac myself", ASTRAL_CRISIS_HIGH); /* fullwidth */
	expect("Me quiero SUICIDAR", ASTRAL_CRISIS_HIGH);
	expect("quiero hacerme da\xc3\xb1o", ASTRAL_CRISIS_MEDIUM);   /* ñ folded */
	expect("NO AGUANTO M\xc3\x81S", ASTRAL_CRISIS_LOW);           /* Á folded */
	expect("I can\xe2\x80\x99t go on.", ASTRAL_CRISIS_HIGH);      /* curly apostrophe */
	expect("i want to kil myslef", ASTRAL_CRISIS_HIGH);           /* misspellings */
	expect("thinking about sucide", ASTRAL_CRISIS_HIGH);
	expect("I like my new bike", ASTRAL_CRISIS_NONE);
}

static void
test_crisis_negation(void **state)
{
	struct astral_crisis_result r;

	(void)state;
	r = screen("I would never kill myself");
	assert_int_equal(r.severity, ASTRAL_CRISIS_LOW);
	assert_true(has_rule(&r, "suicide.kill_myself", 1));
	r = screen("I'm not suicidal");
	assert_int_equal(r.severity, ASTRAL_CRISIS_LOW);
	assert_true(r.reasons[0].lowered);
	/* phrases that contain a negation are positives */
	r = screen("I don't want to live anymore");
	assert_int_equal(r.severity, ASTRAL_CRISIS_HIGH);
	assert_false(r.reasons[0].lowered);
	expect("there is no reason to live", ASTRAL_CRISIS_HIGH);
	expect("I can't go on", ASTRAL_CRISIS_HIGH);
	/* a negation stops at a clause */
	expect("I don't know why but I want to die", ASTRAL_CRISIS_HIGH);
	expect("No, I want to die", ASTRAL_CRISIS_HIGH);
	expect("not gonna lie I want to die", ASTRAL_CRISIS_HIGH);
	/* distress negated is nothing */
	expect("I'm not hopeless", ASTRAL_CRISIS_NONE);
	expect("I wanted to die, but not anymore", ASTRAL_CRISIS_LOW);
	expect("no quiero morir", ASTRAL_CRISIS_LOW);
}

static void
test_crisis_past_tense(void **state)
{
	struct astral_crisis_result r;

	(void)state;
	r = screen("I tried to kill myself years ago");
	assert_int_equal(r.severity, ASTRAL_CRISIS_MEDIUM);
	assert_true(r.reasons[0].lowered);
	expect("I used to be suicidal", ASTRAL_CRISIS_MEDIUM);
	expect("When I was a teenager I wanted to die", ASTRAL_CRISIS_MEDIUM);
	/* never below low for suicide and self-harm */
	expect("I used to cut myself", ASTRAL_CRISIS_LOW);
	expect("I'm 2 years clean from self harm", ASTRAL_CRISIS_LOW);
	/* distress in the past is nothing */
	expect("I used to feel hopeless", ASTRAL_CRISIS_NONE);
	/* present-tense words cancel it */
	expect("I used to cut myself and now I've started again", ASTRAL_CRISIS_MEDIUM);
	expect("I tried to kill myself last year and I still think about it", ASTRAL_CRISIS_HIGH);
	expect("Hace a\xc3\xb1os intent\xc3\xa9 suicidarme", ASTRAL_CRISIS_MEDIUM);
}

static void
test_crisis_context(void **state)
{
	(void)state;
	expect("I'm dying to see that movie", ASTRAL_CRISIS_NONE);
	expect("this exam is killing me", ASTRAL_CRISIS_NONE);
	expect("killing it at work today", ASTRAL_CRISIS_NONE);
	expect("dead tired", ASTRAL_CRISIS_NONE);
	expect("a cake to die for", ASTRAL_CRISIS_NONE);
	expect("just killing time", ASTRAL_CRISIS_NONE);
	expect("I'm dying lol", ASTRAL_CRISIS_NONE);
	expect("I'm dying \xf0\x9f\x98\x82", ASTRAL_CRISIS_NONE);   /* laughing face reads as "lol" */
	expect("I'm dying", ASTRAL_CRISIS_LOW);
	expect("kms lol", ASTRAL_CRISIS_NONE);
	expect("this homework makes me want to kms lmao", ASTRAL_CRISIS_NONE);
	expect("i'm going to kms", ASTRAL_CRISIS_HIGH);
	expect("I cut myself shaving", ASTRAL_CRISIS_NONE);
	expect("I want to dye my hair", ASTRAL_CRISIS_NONE);
	expect("my mom is going to kill me when she sees this", ASTRAL_CRISIS_NONE);
	/* context words do not cancel an explicit statement */
	expect("lol I want to kill myself", ASTRAL_CRISIS_HIGH);
}

static void
test_crisis_escalation(void **state)
{
	struct astral_crisis_result r;

	(void)state;
	expect("I have the pills", ASTRAL_CRISIS_NONE);               /* means alone */
	expect("I'm going to do it tonight", ASTRAL_CRISIS_NONE);     /* intent and time alone */
	r = screen("I have the pills and I'm going to do it tonight");
	assert_int_equal(r.severity, ASTRAL_CRISIS_HIGH);
	assert_true(r.categories & ASTRAL_CRISIS_DANGER);
	assert_true(has_rule(&r, "danger.has_means", 0));
	r = screen("I want to hurt myself right now");
	assert_int_equal(r.severity, ASTRAL_CRISIS_HIGH);
	assert_true(has_rule(&r, "self_harm.hurt", 0));
	assert_true(has_rule(&r, "danger.timing", 0));
	expect("I don't have the pills and I won't do it tonight", ASTRAL_CRISIS_NONE);
	expect("he's going to hurt me", ASTRAL_CRISIS_HIGH);
}

/* ---- limits ---- */

/* buf[0..len) filled with `filler` over and over. */
static void
fill_repeating(char *buf, size_t len, const char *filler)
{
	size_t i, n = strlen(filler);

	for (i = 0; i < len; i++)
		buf[i] = filler[i % n];
}

static void
fill_benign(char *buf, size_t len)
{
	fill_repeating(buf, len, "the cat sat on the mat and we had a lovely walk in the park. ");
}

static void
test_crisis_large_input(void **state)
{
	static const char phrase[] = " I want to kill myself ";
	const size_t len = 100 * 1024;
	const size_t offsets[] = { 0, 100, ASTRAL_CRISIS_WINDOW - 30, ASTRAL_CRISIS_WINDOW - 10, ASTRAL_CRISIS_WINDOW - 1024,
		ASTRAL_CRISIS_WINDOW - 1030, ASTRAL_CRISIS_WINDOW, 2 * ASTRAL_CRISIS_WINDOW - 1024 - 12, 50000,
		len - sizeof(phrase) };
	struct astral_crisis_result r;
	char *buf = malloc(len);
	size_t i;

	(void)state;
	assert_non_null(buf);
	fill_benign(buf, len);
	assert_int_equal(astral_crisis_screen(buf, len, &r), ASTRAL_OK);
	assert_int_equal(r.severity, ASTRAL_CRISIS_NONE);
	for (i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		fill_benign(buf, len);
		memcpy(buf + offsets[i], phrase, sizeof(phrase) - 1);
		assert_int_equal(astral_crisis_screen(buf, len, &r), ASTRAL_OK);
		if (r.severity != ASTRAL_CRISIS_HIGH)
			fail_msg("phrase at offset %zu missed", offsets[i]);
		check_invariants(&r);
	}
	/* multi-byte characters everywhere: window edges must fall between code points */
	for (i = 0; i + 2 <= len; i += 2)
		memcpy(buf + i, "\xc3\xa9", 2);
	memcpy(buf + 40000, phrase, sizeof(phrase) - 1);
	buf[40000 + sizeof(phrase) - 1] = ' ';  /* the orphaned half of the next "é" */
	assert_int_equal(astral_crisis_screen(buf, len, &r), ASTRAL_OK);
	assert_int_equal(r.severity, ASTRAL_CRISIS_HIGH);
	free(buf);
}

static void
test_crisis_reasons_capped(void **state)
{
	struct astral_crisis_result r;

	(void)state;
	r = screen("I feel hopeless. I can't take it anymore. I feel so alone. I can't stop crying. "
	    "My panic attack won't stop. I haven't eaten in days. I want to disappear. I hate myself. "
	    "I cut myself. I want to kill myself. I took a whole bottle of pills. Nobody cares about me.");
	check_invariants(&r);
	assert_int_equal(r.nreasons, ASTRAL_CRISIS_MAX_REASONS);
	assert_int_equal(r.severity, ASTRAL_CRISIS_HIGH);
	assert_int_equal(r.reasons[0].severity, ASTRAL_CRISIS_HIGH);
	assert_true(r.categories & ASTRAL_CRISIS_SUICIDE);
	assert_true(r.categories & ASTRAL_CRISIS_SELF_HARM);
	assert_true(r.categories & ASTRAL_CRISIS_DANGER);
	assert_true(r.categories & ASTRAL_CRISIS_DISTRESS);
	assert_true(has_rule(&r, "self_harm.cut", 0));  /* medium kept before the lows */
}

static int
rule_id_shape(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '.'))
			return 0;
	return 1;
}

static void
test_crisis_rule_ids_never_user_text(void **state)
{
	static const char *const texts[] = {
		"ZQXJ unique-canary I want to kill myself ZQXJ",
		"suicide.kill_myself",
		"i want to die\nquiero morir\nI cut myself\nhe is hitting me\nI feel hopeless",
	};
	size_t t, i;

	(void)state;
	for (t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
		char *copy = strdup(texts[t]);
		struct astral_crisis_result r;

		assert_non_null(copy);
		assert_int_equal(astral_crisis_screen(copy, strlen(copy), &r), ASTRAL_OK);
		assert_true(r.nreasons > 0 || t == 1);
		for (i = 0; i < r.nreasons; i++) {
			const char *rule = r.reasons[i].rule;

			assert_true(rule < copy || rule > copy + strlen(copy));  /* not a pointer into the input */
			assert_true(rule_id_shape(rule));
			assert_null(strstr(rule, "canary"));
			assert_null(strstr(rule, "ZQXJ"));
		}
		free(copy);
	}
}

static void
test_crisis_empty(void **state)
{
	struct astral_crisis_result r;

	(void)state;
	assert_int_equal(astral_crisis_screen("", 0, &r), ASTRAL_OK);
	assert_int_equal(r.severity, ASTRAL_CRISIS_NONE);
	assert_int_equal(r.nreasons, 0);
	assert_int_equal(astral_crisis_screen(NULL, 0, &r), ASTRAL_OK);
	assert_int_equal(r.severity, ASTRAL_CRISIS_NONE);
	expect("   \n\t ...!!! ", ASTRAL_CRISIS_NONE);
	expect("\xf0\x9f\x98\x80\xf0\x9f\x98\x80", ASTRAL_CRISIS_NONE);
}

static void
test_crisis_bad_utf8(void **state)
{
	static const char *const bad[] = {
		"I want to \xff die", "\xc0\xaf", "truncated \xe2\x82", "\xed\xa0\x80 surrogate", "\x80",
	};
	struct astral_crisis_result r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&r, 0xAA, sizeof(r));
		assert_int_equal(astral_crisis_screen(bad[i], strlen(bad[i]), &r), ASTRAL_ERR_INVALID);
		assert_int_equal(r.severity, ASTRAL_CRISIS_NONE);
		assert_int_equal(r.nreasons, 0);
	}
	/* an embedded NUL is refused too */
	assert_int_equal(astral_crisis_screen("kill\0myself", 11, &r), ASTRAL_ERR_INVALID);
}

static void
test_crisis_bad_arguments(void **state)
{
	struct astral_crisis_result r;

	(void)state;
	assert_int_equal(astral_crisis_screen("hello", 5, NULL), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_crisis_screen(NULL, 5, &r), ASTRAL_ERR_INVALID);
	assert_int_equal(r.severity, ASTRAL_CRISIS_NONE);
}

static void
test_crisis_severity_names(void **state)
{
	(void)state;
	assert_string_equal(astral_crisis_severity_name(ASTRAL_CRISIS_NONE), "none");
	assert_string_equal(astral_crisis_severity_name(ASTRAL_CRISIS_LOW), "low");
	assert_string_equal(astral_crisis_severity_name(ASTRAL_CRISIS_MEDIUM), "medium");
	assert_string_equal(astral_crisis_severity_name(ASTRAL_CRISIS_HIGH), "high");
	assert_string_equal(astral_crisis_severity_name((enum astral_crisis_severity)7), "unknown");
}

/* The whole log written while `text` is screened by astral_crisis_screen_or_none (malloc'd). */
static char *
screen_or_none_logged(const char *text, struct astral_crisis_result *r)
{
	FILE *sink = tmpfile();
	char *logged;
	long len;

	assert_non_null(sink);
	astral_log_set_sink(sink);
	memset(r, 0xAA, sizeof(*r));
	astral_crisis_screen_or_none(text, r);
	astral_log_set_sink(NULL);
	assert_int_equal(fseek(sink, 0, SEEK_END), 0);
	len = ftell(sink);
	assert_true(len >= 0);
	rewind(sink);
	logged = calloc(1, (size_t)len + 1);
	assert_non_null(logged);
	assert_int_equal(fread(logged, 1, (size_t)len, sink), (size_t)len);
	fclose(sink);
	return logged;
}

static void
test_crisis_screen_or_none(void **state)
{
	struct astral_crisis_result r;
	char *logged;

	(void)state;
	logged = screen_or_none_logged("I want to kill myself tonight", &r);
	assert_int_equal(r.severity, ASTRAL_CRISIS_HIGH);
	assert_true(r.nreasons > 0);
	assert_string_equal(logged, "");
	free(logged);
	logged = screen_or_none_logged("a quiet walk by the river", &r);
	assert_int_equal(r.severity, ASTRAL_CRISIS_NONE);
	assert_int_equal(r.nreasons, 0);
	assert_string_equal(logged, "");
	free(logged);
}

static void
test_crisis_bad_screen_or_none(void **state)
{
	struct astral_crisis_result r;
	char *logged;

	(void)state;
	/* Not UTF-8: the detector refuses it; the caller still gets a clean "nothing found" and the
	   failure is in the log, without the text. */
	logged = screen_or_none_logged("I want to \xff kill myself", &r);
	assert_int_equal(r.severity, ASTRAL_CRISIS_NONE);
	assert_int_equal(r.categories, 0);
	assert_int_equal(r.nreasons, 0);
	assert_non_null(strstr(logged, "crisis screen failed"));
	assert_null(strstr(logged, "kill"));
	free(logged);
	logged = screen_or_none_logged(NULL, &r);
	assert_int_equal(r.severity, ASTRAL_CRISIS_NONE);
	assert_int_equal(r.nreasons, 0);
	free(logged);
}

/* ---- streaming ---- */

/* Where a text fed in pieces first flags, by the streaming screen and by screening the whole
   text at each piece; piece numbers count from 1, 0 is never. */
struct stream_run {
	size_t stream_at, whole_at;
	struct astral_crisis_result stream_r, whole_r;
	size_t pieces, max_window;
	int capped;
};

/* The end of a piece of `piece` bytes starting at `at`, moved on to a character boundary. */
static size_t
piece_end(const char *text, size_t len, size_t at, size_t piece)
{
	size_t end = at + piece < len ? at + piece : len;

	while (end < len && ((unsigned char)text[end] & 0xC0) == 0x80)
		end++;
	return end;
}

/* Feeds text[0..len) in pieces until the stream flags (and, with `whole`, the whole text). */
static struct stream_run
stream_in_pieces(const char *text, size_t len, size_t piece, int whole)
{
	struct astral_crisis_stream st = { 0 };
	struct stream_run run = { 0 };
	size_t at = 0;

	while (at < len && (run.stream_at == 0 || (whole && run.whole_at == 0))) {
		struct astral_crisis_result r;

		at = piece_end(text, len, at, piece);
		run.pieces++;
		if (run.stream_at == 0) {
			assert_int_equal(astral_crisis_stream_feed(&st, text, at, &r), ASTRAL_OK);
			check_invariants(&r);
			assert_int_equal(st.window_start + st.window_len, at);
			if (st.window_len > run.max_window)
				run.max_window = st.window_len;
			run.capped |= st.capped;
			if (r.severity != ASTRAL_CRISIS_NONE) {
				run.stream_at = run.pieces;
				run.stream_r = r;
			}
		}
		if (whole && run.whole_at == 0) {
			assert_int_equal(astral_crisis_screen(text, at, &r), ASTRAL_OK);
			if (r.severity != ASTRAL_CRISIS_NONE) {
				run.whole_at = run.pieces;
				run.whole_r = r;
			}
		}
	}
	return run;
}

/* The stream flags at the same piece, at the same severity, as the whole text. */
static struct stream_run
expect_stream_as_whole(const char *text, size_t piece)
{
	struct stream_run run = stream_in_pieces(text, strlen(text), piece, 1);

	if (run.stream_at != run.whole_at || run.stream_r.severity != run.whole_r.severity)
		fail_msg("\"%s\" in %zu-byte pieces: the whole text first flags %s at piece %zu, the stream %s at piece %zu",
		    text, piece, astral_crisis_severity_name(run.whole_r.severity), run.whole_at,
		    astral_crisis_severity_name(run.stream_r.severity), run.stream_at);
	return run;
}

/* Every corpus line, after benign sentences, streamed in 1-, 3- and 7-byte pieces. */
static void
test_crisis_stream_corpus(void **state)
{
	static const char *const before[] = {
		"Thank you for telling me. That sounds like a really long week, and resting was a good idea.\n"
		"Would you like to talk about what happened at work? ",
		"I hear you, and ",
	};
	static const size_t pieces[] = { 1, 3, 7 };
	FILE *f = open_corpus();
	char *line = NULL, text[4096];
	const char *phrase;
	size_t cap = 0, lineno = 0, len, b, p, runs = 0, flagged = 0;
	enum astral_crisis_severity want;

	(void)state;
	while (next_corpus_line(f, &line, &cap, &lineno, &want, &phrase, &len)) {
		for (b = 0; b < sizeof(before) / sizeof(before[0]); b++) {
			assert_true(strlen(before[b]) + len < sizeof(text));
			snprintf(text, sizeof(text), "%s%s", before[b], phrase);
			for (p = 0; p < sizeof(pieces) / sizeof(pieces[0]); p++) {
				struct stream_run run = stream_in_pieces(text, strlen(text), pieces[p], 1);

				if (run.stream_at != run.whole_at || run.stream_r.severity != run.whole_r.severity)
					fail_msg("corpus line %zu in %zu-byte pieces after \"%.16s\": the whole text first flags %s at "
					    "piece %zu, the stream %s at piece %zu", lineno, pieces[p], before[b],
					    astral_crisis_severity_name(run.whole_r.severity), run.whole_at,
					    astral_crisis_severity_name(run.stream_r.severity), run.stream_at);
				assert_false(run.capped);
				runs++;
				flagged += run.whole_at != 0;
			}
		}
	}
	free(line);
	fclose(f);
	printf("  %zu streamed runs, %zu flagged, each at the piece the whole text flags\n", runs, flagged);
	assert_true(flagged >= 6 * 300);
}

/* What the detector reads across a sentence end, and a last word or '.' that the next piece
   changes, are screened as in the whole text. */
static void
test_crisis_stream_across_sentences(void **state)
{
	struct stream_run run;

	(void)state;
	/* an escalation partner many sentences back */
	run = expect_stream_as_whole("I have the pills. Thank you for listening to me today. The weather was grey and "
	    "the bus was late again, so I walked home slowly through the park. My sister called and we talked "
	    "for a while about her new job. I'm going to do it.", 5);
	assert_int_equal(run.stream_r.severity, ASTRAL_CRISIS_HIGH);
	assert_true(has_rule(&run.stream_r, "danger.has_means", 0));
	/* a present-tense word in the next piece cancels the past: hopeless was nothing, now low */
	run = expect_stream_as_whole("Back then I felt hopeless and I still do", 1);
	assert_int_equal(run.stream_r.severity, ASTRAL_CRISIS_LOW);
	/* "lol" came in the piece that finished "I'm dying" and dropped it; the next piece makes it
	   "lollipops", and the rule a sentence back is flagged then */
	run = expect_stream_as_whole("I'm dying. lollipops are great", 14);
	assert_int_equal(run.whole_at, 2);
	assert_int_equal(run.stream_r.severity, ASTRAL_CRISIS_LOW);
	/* a '.' followed by a letter does not end a sentence: "to.die" reads "to die" */
	run = expect_stream_as_whole("I want to.die", 1);
	assert_int_equal(run.stream_r.severity, ASTRAL_CRISIS_HIGH);
	/* a laughing face after a '.' still belongs to the sentence before it */
	expect_stream_as_whole("I'm dying. \xf0\x9f\x98\x82 that was funny", 1);
	/* context words in the sentence before drop a hyperbole rule, in the stream too */
	run = expect_stream_as_whole("That movie lol. I'm dying. It was so good.", 3);
	assert_int_equal(run.whole_at, 0);
	/* ... and once the window has moved past "lol", "I'm dying" is still not flagged: matches
	   that far back are context, not news */
	run = expect_stream_as_whole("That film lol. I'm dying. We walked to the shop and bought some bread for dinner. "
	    "We walked to the shop and bought some bread for dinner. We walked to the shop and bought some bread "
	    "for dinner. We walked to the shop and bought some bread for dinner. We walked to the shop and bought "
	    "some bread for dinner. We walked to the shop and bought some bread for dinner. We walked to the shop "
	    "and bought some bread for dinner. We walked to the shop and bought some bread for dinner. We walked "
	    "to the shop and bought some bread for dinner.", 5);
	assert_int_equal(run.whole_at, 0);
	expect_stream_as_whole("I would never. Kill myself", 2);
	expect_stream_as_whole("k i l l myself", 1);
}

/* A 200 KB reply: with no sentence end, each piece re-screens at most the cap before it; with
   sentences, a few of them. */
static void
test_crisis_stream_bounded(void **state)
{
	static const char phrase[] = " i want to kill myself";
	const size_t len = 200 * 1024, piece = 61;
	char *buf = malloc(len + 1);
	struct stream_run run;

	(void)state;
	assert_non_null(buf);
	fill_repeating(buf, len, "the cat sat on the mat and we had a lovely walk in the park ");
	memcpy(buf + len - strlen(phrase), phrase, strlen(phrase));
	buf[len] = '\0';
	run = stream_in_pieces(buf, len, piece, 0);
	assert_int_equal(run.stream_at, run.pieces);
	assert_int_equal(run.stream_r.severity, ASTRAL_CRISIS_HIGH);
	assert_true(run.capped);
	assert_true(run.max_window <= ASTRAL_CRISIS_STREAM_CAP + piece);
	printf("  200 KB without punctuation in %zu-byte pieces: at most %zu bytes screened per piece\n", piece,
	    run.max_window);

	fill_benign(buf, len);
	memcpy(buf + len - strlen(phrase), phrase, strlen(phrase));
	run = stream_in_pieces(buf, len, piece, 0);
	assert_int_equal(run.stream_at, run.pieces);
	assert_false(run.capped);
	assert_true(run.max_window <= 512);  /* the sentence and a dozen or two words before it */
	printf("  200 KB in sentences in %zu-byte pieces: at most %zu bytes screened per piece\n", piece, run.max_window);
	free(buf);
}

/* The documented limit: a match whose words span more than the cap (here a 2100-letter word in
   its gap) starts before the cut window and is missed by the stream; the whole-text screen, which
   the companion runs on the finished reply, still flags it. */
static void
test_crisis_stream_cap_boundary(void **state)
{
	char text[2200];
	struct stream_run run;

	(void)state;
	memset(text, 'a', sizeof(text));
	memcpy(text, "I want ", 7);
	memcpy(text + sizeof(text) - 8, " to die", 8);
	assert_true(sizeof(text) - 7 - 8 > ASTRAL_CRISIS_STREAM_CAP);
	run = stream_in_pieces(text, strlen(text), 7, 1);
	assert_int_equal(run.whole_at, run.pieces);
	assert_int_equal(run.whole_r.severity, ASTRAL_CRISIS_HIGH);
	assert_int_equal(run.stream_at, 0);
	assert_true(run.capped);
}

static void
test_crisis_stream_bad_input(void **state)
{
	struct astral_crisis_stream st = { 0 };
	struct astral_crisis_result r;
	char *logged;
	FILE *sink;

	(void)state;
	assert_int_equal(astral_crisis_stream_feed(&st, "I want", 6, NULL), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_crisis_stream_feed(NULL, "I want", 6, &r), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_crisis_stream_feed(&st, "I want to \xe2\x82", 12, &r), ASTRAL_ERR_INVALID);
	assert_int_equal(st.fed, 0);                   /* a failed feed is covered by the next one */
	assert_int_equal(astral_crisis_stream_feed(&st, "I want to \xe2\x82\xac die", 17, &r), ASTRAL_OK);
	assert_int_equal(r.severity, ASTRAL_CRISIS_HIGH);
	assert_int_equal(st.fed, 17);
	assert_int_equal(astral_crisis_stream_feed(&st, "I want", 6, &r), ASTRAL_ERR_INVALID);  /* shrank */
	assert_int_equal(astral_crisis_stream_feed(&st, "I want to \xe2\x82\xac die", 17, &r), ASTRAL_OK);
	assert_int_equal(r.severity, ASTRAL_CRISIS_NONE);  /* nothing new */
	assert_int_equal(st.window_len, 0);
	/* the _or_none form logs a failure without the text and says NONE */
	sink = tmpfile();
	assert_non_null(sink);
	astral_log_set_sink(sink);
	memset(&st, 0, sizeof(st));
	astral_crisis_stream_feed_or_none(&st, "kill myself \xff", 14, &r);
	astral_log_set_sink(NULL);
	assert_int_equal(r.severity, ASTRAL_CRISIS_NONE);
	rewind(sink);
	logged = calloc(1, 256);
	assert_non_null(logged);
	assert_true(fread(logged, 1, 255, sink) > 0);
	assert_non_null(strstr(logged, "crisis screen failed"));
	assert_null(strstr(logged, "kill"));
	free(logged);
	fclose(sink);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crisis_corpus),
		cmocka_unit_test(test_crisis_normalises),
		cmocka_unit_test(test_crisis_negation),
		cmocka_unit_test(test_crisis_past_tense),
		cmocka_unit_test(test_crisis_context),
		cmocka_unit_test(test_crisis_escalation),
		cmocka_unit_test(test_crisis_large_input),
		cmocka_unit_test(test_crisis_reasons_capped),
		cmocka_unit_test(test_crisis_rule_ids_never_user_text),
		cmocka_unit_test(test_crisis_empty),
		cmocka_unit_test(test_crisis_bad_utf8),
		cmocka_unit_test(test_crisis_bad_arguments),
		cmocka_unit_test(test_crisis_severity_names),
		cmocka_unit_test(test_crisis_screen_or_none),
		cmocka_unit_test(test_crisis_bad_screen_or_none),
		cmocka_unit_test(test_crisis_stream_corpus),
		cmocka_unit_test(test_crisis_stream_across_sentences),
		cmocka_unit_test(test_crisis_stream_bounded),
		cmocka_unit_test(test_crisis_stream_cap_boundary),
		cmocka_unit_test(test_crisis_stream_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
