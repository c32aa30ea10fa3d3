/*
 * What lib/crisis_stream.c needs from the detector in lib/crisis.c. Not for callers.
 */
#ifndef ASTRAL_CRISIS_INTERNAL_H
#define ASTRAL_CRISIS_INTERNAL_H

#include <stddef.h>

#include "crisis.h"

#define ASTRAL_CRISIS_CONTEXT_SCOPE 8   /* words around a hyperbole rule searched for a context word */
#define ASTRAL_CRISIS_ESCALATE_SCOPE 60 /* words between an escalator and its partner */

/* Reads text[sc->pos..upto) (whole characters; text[upto..len) only as the one character of
   look-ahead the normaliser uses) and stops after the first character of the next sentence:
   returns 1 with sc->start and sc->start_words set, or 0 at upto. */
int astral_crisis_next_sentence(struct astral_crisis_sentence_scan *sc, const char *text, size_t upto, size_t len);

/* astral_crisis_screen, but a match (or an escalation with no partner after report_from)
   starting before byte report_from counts only as context. *signal_end (if not NULL) is 1 + the
   offset of the first byte of the last escalation signal (a means, intent or timing phrase, or a
   rule kept unlowered) in the text, 0 when there is none: where a later partner could be. */
astral_err astral_crisis_screen_reporting(const char *text, size_t len, size_t report_from,
                                          struct astral_crisis_result *out, size_t *signal_end) ASTRAL_MUST_USE;

/* The first position in [from, end] after a space, or else from moved to the start of a
   character: where a window may begin without cutting a word. */
size_t astral_crisis_start_after_space(const char *text, size_t from, size_t end);

/* After a screen: a failure is logged (never the text) and *out cleared to NONE. */
void astral_crisis_none_on_failure(astral_err err, struct astral_crisis_result *out);

#endif
