/*
 * The crisis detector: screens a user's text (posts, chat messages, AI chat, journal entries,
 * PHQ-9 item 9) for suicide, self-harm, immediate danger and severe distress. It flags; it never
 * blocks. Callers show crisis resources to the writer on any hit and queue a moderator alert.
 * How it works and how to add a phrase: docs/crisis-detector.md.
 */
#ifndef ASTRAL_CRISIS_H
#define ASTRAL_CRISIS_H

#include <stddef.h>

#include "error.h"

enum astral_crisis_severity {
	ASTRAL_CRISIS_NONE = 0,
	ASTRAL_CRISIS_LOW = 1,    /* severe distress */
	ASTRAL_CRISIS_MEDIUM = 2, /* self-harm */
	ASTRAL_CRISIS_HIGH = 3    /* suicide, immediate danger */
};

enum astral_crisis_category {
	ASTRAL_CRISIS_SUICIDE = 1 << 0,
	ASTRAL_CRISIS_SELF_HARM = 1 << 1,
	ASTRAL_CRISIS_DANGER = 1 << 2,
	ASTRAL_CRISIS_DISTRESS = 1 << 3
};

#define ASTRAL_CRISIS_MAX_REASONS 8
/* Text up to this many bytes is screened in one pass; longer text in overlapping windows. */
#define ASTRAL_CRISIS_WINDOW 16384

struct astral_crisis_reason {
	unsigned category;                   /* one ASTRAL_CRISIS_* category bit */
	enum astral_crisis_severity severity; /* after lowering; never NONE */
	const char *rule;                    /* stable rule id such as "suicide.kill_myself"; static
	                                        storage, never the user's text */
	int lowered;                         /* negation or past tense lowered it */
};

struct astral_crisis_result {
	enum astral_crisis_severity severity; /* max over every matched rule */
	unsigned categories;                  /* OR of every matched rule's category */
	size_t nreasons;                      /* at most ASTRAL_CRISIS_MAX_REASONS */
	struct astral_crisis_reason reasons[ASTRAL_CRISIS_MAX_REASONS]; /* highest first */
};

/* Screens len bytes of UTF-8 text. ASTRAL_ERR_INVALID for NULL out, NULL text with len > 0, or
   text that is not well-formed UTF-8 without NUL (callers validate first, so that is a bug
   signal); ASTRAL_ERR_NOMEM when the one bounded work buffer cannot be allocated;
   ASTRAL_ERR_INTERNAL when the phrase table is malformed. *out is always initialised. */
astral_err astral_crisis_screen(const char *text, size_t len, struct astral_crisis_result *out) ASTRAL_MUST_USE;

/* Screens NUL-terminated text where the detector must never stop the write (a chat message, a
   journal entry): a detector failure is logged (never the text) and *out then says NONE, so the
   caller carries on as if nothing was found. */
void astral_crisis_screen_or_none(const char *text, struct astral_crisis_result *out);

/*
 * Streaming screen: a text that grows piece by piece (a model's reply) screened at each piece
 * with work bounded by the current sentence, not by the whole text (docs/crisis-detector.md,
 * "Streaming"). A zeroed struct is a fresh stream:
 *
 *	struct astral_crisis_stream st = { 0 };
 *	for each piece: append it to text; astral_crisis_stream_feed(&st, text, text_len, &r);
 *
 * Each feed screens a window from a sentence start some words before the sentence in which the
 * new piece starts, and reports the matches of that sentence and after, plus escalations with a
 * partner there. For text up to ASTRAL_CRISIS_WINDOW bytes and a window the cap did not cut, the
 * first feed that flags is the first at which astral_crisis_screen of the whole text flags.
 */
/* At most this many bytes before the new piece are screened again: a sentence with no end (a
   100 KB reply without punctuation) costs O(cap + piece) per piece. The window is then cut after
   a space and `capped` says so. */
#define ASTRAL_CRISIS_STREAM_CAP 2048
#define ASTRAL_CRISIS_STREAM_STARTS 32 /* sentence starts remembered */

/* The normaliser's state while it walks a growing text for sentence starts (lib/crisis.c);
   private to the detector. */
struct astral_crisis_sentence_scan {
	size_t pos;                 /* bytes read */
	size_t words;               /* finished words, counted never above the tokens */
	size_t word_chars;          /* characters of the word in progress */
	unsigned char in_word, word_alnum, pending;
	size_t start, start_words;  /* the last sentence start found and the words before it */
};

struct astral_crisis_stream {
	size_t fed;                 /* bytes screened by the feeds so far */
	size_t window_start;        /* the last feed's window, [window_start, window_start + */
	size_t window_len;          /* window_len) of the text: what that feed cost */
	int capped;                 /* ASTRAL_CRISIS_STREAM_CAP cut the last window's context */
	/* private */
	size_t signal_end;          /* 1 + where the last escalation signal seen starts; 0: none */
	struct astral_crisis_sentence_scan scan;
	size_t nstarts;
	struct { size_t pos, words; } starts[ASTRAL_CRISIS_STREAM_STARTS];
};

/* Screens text[0..len), of which the first st->fed bytes were fed before (the text only grows;
   ASTRAL_ERR_INVALID otherwise), and reports in *out what the new bytes bring: matches ending in
   the sentence that holds them, and escalations with a partner there. Errors as
   astral_crisis_screen; a failed feed leaves st unchanged, so the next one covers its bytes. */
astral_err astral_crisis_stream_feed(struct astral_crisis_stream *st, const char *text, size_t len,
                                     struct astral_crisis_result *out) ASTRAL_MUST_USE;

/* astral_crisis_stream_feed where the detector must never stop the stream: a failure is logged
   (never the text) and *out then says NONE. */
void astral_crisis_stream_feed_or_none(struct astral_crisis_stream *st, const char *text, size_t len,
                                       struct astral_crisis_result *out);

/* "none", "low", "medium", "high"; "unknown" for any other value. */
const char *astral_crisis_severity_name(enum astral_crisis_severity s);

/*
 * The phrase table (lib/crisis_phrases.c, data only), read by lib/crisis.c. Not for callers.
 * A pattern is a space-separated list of elements; an element is one or more words joined by
 * '|' (any one matches). Words are lower-case ASCII letters and digits, written as the
 * normaliser produces them: no accents ("dano" for "daño"), no apostrophes ("cant", "im").
 *   word?   the element is optional
 *   ~word   also matches a token one edit (insert, delete, substitute, swap) away
 *   #       any number; ## a number of at least 10; ### a year (1900..2099)
 *   $       the end of a clause (punctuation, a new sentence, "and", "but", ... or the end)
 * Between two elements at most `gap` other words may stand, within one sentence. The first
 * element must be plain words (not optional, not a number, not $).
 */
enum astral_crisis_kind {
	ASTRAL_CRISIS_K_RULE = 0,     /* a crisis rule: adds a reason */
	ASTRAL_CRISIS_K_IDIOM,        /* a rule overlapping it is dropped ("dying to see") */
	ASTRAL_CRISIS_K_NEGATION,     /* "never", "not", "no": lowers a rule a few words after it */
	ASTRAL_CRISIS_K_POSTNEG,      /* "not anymore", "no longer" after a rule */
	ASTRAL_CRISIS_K_PAST,         /* "used to", "years ago": lowers a rule in the sentence */
	ASTRAL_CRISIS_K_PRESENT,      /* "again", "still": cancels past lowering in the sentence */
	ASTRAL_CRISIS_K_PRESENT_NEAR, /* "now", "today": cancels it between the past words and the rule */
	ASTRAL_CRISIS_K_CONTEXT,      /* "lol", "movie", "exam": drops a nearby hyperbole rule */
	ASTRAL_CRISIS_K_CLAUSE        /* "and", "but", "if": ends the scope of a negation */
};

#define ASTRAL_CRISIS_F_HYPERBOLE 0x01u /* often said in jest ("kms"): context words drop it */
#define ASTRAL_CRISIS_F_MEANS 0x02u     /* escalator "have the pills": fires with a partner */
#define ASTRAL_CRISIS_F_ACT 0x04u       /* escalator "going to do it": fires with a partner */
#define ASTRAL_CRISIS_F_TIMING 0x08u    /* escalator "tonight": fires with a partner */

struct astral_crisis_phrase {
	const char *rule;        /* rule id for K_RULE, NULL for the other kinds */
	const char *pattern;
	unsigned char kind;      /* enum astral_crisis_kind */
	unsigned char category;  /* enum astral_crisis_category, K_RULE only */
	unsigned char severity;  /* enum astral_crisis_severity, K_RULE only */
	unsigned char flags;     /* ASTRAL_CRISIS_F_*, K_RULE only */
	unsigned char gap;       /* words allowed between elements, 0..4 */
};

extern const struct astral_crisis_phrase astral_crisis_phrases[];
extern const size_t astral_crisis_nphrases;

#endif
