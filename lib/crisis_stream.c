/*
 * Streaming crisis screen: which part of a growing text each new piece must have screened again.
 *
 * The detector matches a rule within one sentence, and everything that changes a match's verdict
 * stands near it: idioms, negation, past and present tense within its sentence, context words
 * within ASTRAL_CRISIS_CONTEXT_SCOPE words on either side, an escalation partner within
 * ASTRAL_CRISIS_ESCALATE_SCOPE words. So for a new piece it is enough to screen from a sentence
 * start some words back, and to count only what the new bytes can have changed:
 *
 *   current  the sentence in which the new piece starts (its bytes may change how the last word
 *            of the text reads, or whether a final '.' ends a sentence);
 *   reported the sentence start at least CONTEXT_SCOPE words before `current`: a match before it
 *            is too far from the new bytes for a context word there to reach it, so it was
 *            already counted, with the same verdict, by an earlier feed;
 *   partners the sentence start at least ESCALATE_SCOPE + CONTEXT_SCOPE words before `reported`:
 *            every escalation partner of a reported match stands after it, with its own context.
 *            A partner is a signal (a means, intent or timing phrase, or a rule kept unlowered),
 *            and every byte before `reported` has been in an earlier feed's reported part; so when
 *            no screen has seen a signal from `partners` on, no partner can stand there, and the
 *            window starts only CONTEXT_SCOPE words before `reported` (the context words of a
 *            reported match). Benign text, the usual case, costs a couple of dozen words more than
 *            its current sentence.
 *
 * Sentence starts are found by the detector's own normaliser (astral_crisis_next_sentence), read
 * once over each byte. Words are counted low, so each window holds at least the words it needs.
 * ASTRAL_CRISIS_STREAM_CAP bounds the bytes screened again when sentences do not end.
 */
#include <string.h>

#include "crisis.h"
#include "crisis_internal.h"

/* Remembers a sentence start. When the list is full the second oldest is forgotten: the oldest
   stays, so a window can always start early enough (only later than needed is wrong). */
static void
stream_keep_start(struct astral_crisis_stream *st, size_t pos, size_t words)
{
	if (st->nstarts == ASTRAL_CRISIS_STREAM_STARTS) {
		memmove(&st->starts[1], &st->starts[2], (ASTRAL_CRISIS_STREAM_STARTS - 2) * sizeof(st->starts[0]));
		st->nstarts--;
	}
	st->starts[st->nstarts].pos = pos;
	st->starts[st->nstarts].words = words;
	st->nstarts++;
}

/* The latest remembered start, at or before index `to`, with at least `words` words between it
   and start `to`; the oldest when none has. */
static size_t
stream_start_words_before(const struct astral_crisis_stream *st, size_t to, size_t words)
{
	size_t i;

	for (i = to + 1; i-- > 0;)
		if (st->starts[to].words - st->starts[i].words >= words)
			return i;
	return 0;
}

astral_err
astral_crisis_stream_feed(struct astral_crisis_stream *st, const char *text, size_t len,
                          struct astral_crisis_result *out)
{
	struct astral_crisis_stream next;
	size_t old, reported, partners, context, start, cap_start = 0, window_start, report_from, signal_end;
	astral_err err;

	if (out == NULL)
		return ASTRAL_ERR_INVALID;
	memset(out, 0, sizeof(*out));
	if (st == NULL || len < st->fed || (text == NULL && len > 0))
		return ASTRAL_ERR_INVALID;
	if (len == st->fed) {
		st->window_start = len;
		st->window_len = 0;
		return ASTRAL_OK;
	}
	/* Work on a copy: a failed feed leaves the stream as it was. */
	next = *st;
	old = next.fed;
	if (next.nstarts == 0)
		stream_keep_start(&next, 0, 0);
	/* Sentence starts in the bytes before the new piece; the piece's first byte is the one
	   character of look-ahead, so a '.' just before it is read as the whole text reads it. */
	while (astral_crisis_next_sentence(&next.scan, text, old, len))
		stream_keep_start(&next, next.scan.start, next.scan.start_words);
	reported = stream_start_words_before(&next, next.nstarts - 1, ASTRAL_CRISIS_CONTEXT_SCOPE);
	partners = stream_start_words_before(&next, reported, ASTRAL_CRISIS_ESCALATE_SCOPE + ASTRAL_CRISIS_CONTEXT_SCOPE);
	/* Later pieces need no start before this one. */
	memmove(&next.starts[0], &next.starts[partners], (next.nstarts - partners) * sizeof(next.starts[0]));
	next.nstarts -= partners;
	reported -= partners;
	context = stream_start_words_before(&next, reported, ASTRAL_CRISIS_CONTEXT_SCOPE);
	start = next.signal_end > next.starts[0].pos ? next.starts[0].pos : next.starts[context].pos;
	if (old > ASTRAL_CRISIS_STREAM_CAP)
		cap_start = astral_crisis_start_after_space(text, old - ASTRAL_CRISIS_STREAM_CAP, old);
	window_start = start > cap_start ? start : cap_start;
	report_from = next.starts[reported].pos > cap_start ? next.starts[reported].pos : cap_start;
	err = astral_crisis_screen_reporting(text + window_start, len - window_start, report_from - window_start, out,
	                                     &signal_end);
	if (err != ASTRAL_OK)
		return err;
	if (signal_end > 0 && window_start + signal_end > next.signal_end)
		next.signal_end = window_start + signal_end;
	next.fed = len;
	next.window_start = window_start;
	next.window_len = len - window_start;
	next.capped = cap_start > start;
	*st = next;
	return ASTRAL_OK;
}

void
astral_crisis_stream_feed_or_none(struct astral_crisis_stream *st, const char *text, size_t len,
                                  struct astral_crisis_result *out)
{
	astral_crisis_none_on_failure(astral_crisis_stream_feed(st, text, len, out), out);
}
