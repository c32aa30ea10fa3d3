/*
 * The PHQ-9 and GAD-7 questionnaires (assessment_forms.c: item texts, LOINC codes, bands and
 * recommendations, data only) and their scoring (assessment_scoring.c). Pure code: no database,
 * no request; tests/unit/test-assessment.c compiles both directly.
 */
#ifndef ASTRAL_WELLNESS_ASSESSMENT_H
#define ASTRAL_WELLNESS_ASSESSMENT_H

#include <stddef.h>
#include <json-c/json.h>

#include "error.h"

#define CARE_ITEMS_MAX 9          /* PHQ-9 has the most */
#define CARE_ANSWER_MIN 0         /* Not at all */
#define CARE_ANSWER_MAX 3         /* Nearly every day */

/* One answer option, with its LOINC answer code. */
struct care_option {
	int value;
	const char *label;
	const char *loinc;
};

struct care_item {
	int number;               /* 1-based */
	const char *text;
	const char *loinc;
};

struct care_band {
	const char *band;         /* minimal|mild|moderate|moderately_severe|severe */
	const char *label;        /* "Moderately severe" */
	int min, max;             /* inclusive score range */
	const char *recommendation;
};

struct care_form {
	const char *kind;         /* phq9|gad7 */
	const char *title;
	const char *instruction;
	const char *loinc;        /* the panel */
	const char *total_loinc;  /* the total score */
	const char *questionnaire;/* canonical URL of the FHIR Questionnaire */
	size_t nitems;
	const struct care_item *items;
	int max;                  /* the highest score */
	size_t nbands;
	const struct care_band *bands;   /* ascending, contiguous from 0 to max */
	int safety_item;          /* the item that asks about self-harm (PHQ-9 item 9), or 0 */
};

extern const struct care_form care_forms[];
extern const size_t care_nforms;
extern const struct care_option care_options[CARE_ANSWER_MAX - CARE_ANSWER_MIN + 1];
extern const char care_disclaimer[];

/* The form of a kind ("phq9"), or NULL. */
const struct care_form *care_form_find(const char *kind);

/* The band a score falls in, or NULL when the score is outside 0..max. */
const struct care_band *care_form_band(const struct care_form *form, long long score);

struct care_score {
	long long score;
	const struct care_band *band;
	int item9_positive;       /* the safety item was answered above "not at all" */
	long long item9_answer;   /* its answer (0 when the form has none) */
};

/* Score a complete set of answers: exactly form->nitems, each CARE_ANSWER_MIN..MAX.
   ASTRAL_ERR_INVALID otherwise, with *bad the index of the first bad answer, or form->nitems
   when the count is wrong. */
astral_err care_assessment_score(const struct care_form *form, const long long *answers, size_t n,
                                 struct care_score *out, size_t *bad) ASTRAL_MUST_USE;

/* Convert a JSON value into answers: an array of exactly form->nitems whole numbers 0..3.
   ASTRAL_ERR_INVALID with `field` set to "answers" or "answers[i]" (i 0-based) and *why to a
   client-facing reason. */
astral_err care_answers_from_json(const struct care_form *form, struct json_object *value,
                                  long long out[CARE_ITEMS_MAX], char *field, size_t fieldlen,
                                  const char **why) ASTRAL_MUST_USE;

/* The answers as a JSON array text "[0,1,...]" into buf (TOO_LARGE when it does not fit). */
astral_err care_answers_text(const long long *answers, size_t n, char *buf, size_t len) ASTRAL_MUST_USE;

#endif
