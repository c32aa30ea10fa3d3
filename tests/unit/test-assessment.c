/* Tests for cgi-bin/wellness/assessment_scoring.c and assessment_forms.c: PHQ-9 and GAD-7 scores
   and bands at every boundary, the PHQ-9 item 9, answers converted from JSON, and bad answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "assessment.h"

/* Answers summing to `score` with item 9 (index 8) at `item9`, spread from the first item on. */
static void
answers_for(const struct care_form *form, long long score, long long item9, long long *out)
{
	long long left = score;

	memset(out, 0, sizeof(long long) * CARE_ITEMS_MAX);
	if (form->safety_item > 0) {
		out[form->safety_item - 1] = item9;
		left -= item9;
	}
	for (size_t i = 0; i < form->nitems && left > 0; i++) {
		if (form->safety_item > 0 && i == (size_t)form->safety_item - 1)
			continue;
		out[i] = left > 3 ? 3 : left;
		left -= out[i];
	}
	if (left != 0)
		fail_msg("cannot make %lld from %zu items", score, form->nitems);
}

static void
expect_band(const char *kind, long long score, const char *band)
{
	const struct care_form *form = care_form_find(kind);
	long long answers[CARE_ITEMS_MAX];
	struct care_score s;
	size_t bad = 99;

	/* Item 9 stays 0 unless the score needs it (27 = every item at 3). */
	long long item9 = form->safety_item > 0 && score > 24 ? score - 24 : 0;

	assert_non_null(form);
	answers_for(form, score, item9, answers);
	assert_int_equal(care_assessment_score(form, answers, form->nitems, &s, &bad), ASTRAL_OK);
	assert_int_equal(s.score, score);
	assert_non_null(s.band);
	if (strcmp(s.band->band, band) != 0)
		fail_msg("%s score %lld: band %s, want %s", kind, score, s.band->band, band);
	assert_int_equal(s.item9_positive, item9 > 0);
	assert_ptr_equal(care_form_band(form, score), s.band);
}

static void
test_assessment_phq9_bands(void **state)
{
	(void)state;
	expect_band("phq9", 0, "minimal");
	expect_band("phq9", 4, "minimal");
	expect_band("phq9", 5, "mild");
	expect_band("phq9", 9, "mild");
	expect_band("phq9", 10, "moderate");
	expect_band("phq9", 14, "moderate");
	expect_band("phq9", 15, "moderately_severe");
	expect_band("phq9", 19, "moderately_severe");
	expect_band("phq9", 20, "severe");
	expect_band("phq9", 27, "severe");
}

static void
test_assessment_gad7_bands(void **state)
{
	(void)state;
	expect_band("gad7", 0, "minimal");
	expect_band("gad7", 4, "minimal");
	expect_band("gad7", 5, "mild");
	expect_band("gad7", 9, "mild");
	expect_band("gad7", 10, "moderate");
	expect_band("gad7", 14, "moderate");
	expect_band("gad7", 15, "severe");
	expect_band("gad7", 21, "severe");
}

/* Every score of both forms has exactly one band, and the bands tile 0..max. */
static void
test_assessment_bands_tile_the_range(void **state)
{
	(void)state;
	for (size_t f = 0; f < care_nforms; f++) {
		const struct care_form *form = &care_forms[f];

		assert_int_equal(form->max, (int)form->nitems * CARE_ANSWER_MAX);
		assert_int_equal(form->bands[0].min, 0);
		assert_int_equal(form->bands[form->nbands - 1].max, form->max);
		for (size_t b = 1; b < form->nbands; b++)
			assert_int_equal(form->bands[b].min, form->bands[b - 1].max + 1);
		for (long long score = 0; score <= form->max; score++)
			assert_non_null(care_form_band(form, score));
		for (size_t b = 0; b < form->nbands; b++) {
			assert_true(strlen(form->bands[b].recommendation) > 20);
			assert_true(strlen(form->bands[b].label) > 0);
		}
	}
}

/* The LOINC codes clinicians' systems expect. */
static void
test_assessment_loinc_codes(void **state)
{
	static const char *const phq9[] = { "44250-9", "44255-8", "44259-0", "44254-1", "44251-7",
	                                    "44258-2", "44252-5", "44253-3", "44260-8" };
	static const char *const gad7[] = { "69725-0", "68509-9", "69733-4", "69734-2", "69735-9",
	                                    "69689-8", "69736-7" };
	const struct care_form *p = care_form_find("phq9"), *g = care_form_find("gad7");

	(void)state;
	assert_string_equal(p->loinc, "44249-1");
	assert_string_equal(p->total_loinc, "44261-6");
	assert_int_equal(p->nitems, 9);
	for (size_t i = 0; i < 9; i++) {
		assert_string_equal(p->items[i].loinc, phq9[i]);
		assert_int_equal(p->items[i].number, (int)i + 1);
	}
	assert_string_equal(g->loinc, "69737-5");
	assert_string_equal(g->total_loinc, "70274-6");
	assert_int_equal(g->nitems, 7);
	for (size_t i = 0; i < 7; i++)
		assert_string_equal(g->items[i].loinc, gad7[i]);
	assert_string_equal(care_options[0].loinc, "LA6568-5");
	assert_string_equal(care_options[3].loinc, "LA6571-9");
	assert_non_null(strstr(care_disclaimer, "screening tool, not a diagnosis"));
}

static void
test_assessment_phq9_item9(void **state)
{
	const struct care_form *form = care_form_find("phq9");
	long long answers[CARE_ITEMS_MAX];
	struct care_score s;
	size_t bad;

	(void)state;
	for (long long v = 0; v <= 3; v++) {
		answers_for(form, 10, v, answers);
		assert_int_equal(care_assessment_score(form, answers, 9, &s, &bad), ASTRAL_OK);
		assert_int_equal(s.score, 10);
		assert_int_equal(s.item9_answer, v);
		assert_int_equal(s.item9_positive, v > 0);
	}
	/* Item 9 alone, everything else 0: minimal, yet positive. */
	answers_for(form, 1, 1, answers);
	assert_int_equal(care_assessment_score(form, answers, 9, &s, &bad), ASTRAL_OK);
	assert_string_equal(s.band->band, "minimal");
	assert_int_equal(s.item9_positive, 1);
	/* Item 8 at 3 is not item 9. */
	memset(answers, 0, sizeof(answers));
	answers[7] = 3;
	assert_int_equal(care_assessment_score(form, answers, 9, &s, &bad), ASTRAL_OK);
	assert_int_equal(s.item9_positive, 0);
}

static void
test_assessment_gad7_has_no_safety_item(void **state)
{
	const struct care_form *form = care_form_find("gad7");
	long long answers[CARE_ITEMS_MAX] = { 3, 3, 3, 3, 3, 3, 3 };
	struct care_score s;
	size_t bad;

	(void)state;
	assert_int_equal(care_assessment_score(form, answers, 7, &s, &bad), ASTRAL_OK);
	assert_int_equal(s.score, 21);
	assert_int_equal(s.item9_positive, 0);
}

static void
test_assessment_bad_answers(void **state)
{
	const struct care_form *phq9 = care_form_find("phq9"), *gad7 = care_form_find("gad7");
	long long answers[CARE_ITEMS_MAX] = { 0 };
	struct care_score s;
	size_t bad = 0;

	(void)state;
	answers[3] = 4;
	assert_int_equal(care_assessment_score(phq9, answers, 9, &s, &bad), ASTRAL_ERR_INVALID);
	assert_int_equal(bad, 3);
	answers[3] = -1;
	assert_int_equal(care_assessment_score(phq9, answers, 9, &s, &bad), ASTRAL_ERR_INVALID);
	assert_int_equal(bad, 3);
	answers[3] = 0;
	answers[8] = 1000000;
	assert_int_equal(care_assessment_score(phq9, answers, 9, &s, &bad), ASTRAL_ERR_INVALID);
	assert_int_equal(bad, 8);
	answers[8] = 0;
	/* Too few, too many, none. */
	assert_int_equal(care_assessment_score(phq9, answers, 8, &s, &bad), ASTRAL_ERR_INVALID);
	assert_int_equal(bad, 9);
	assert_int_equal(care_assessment_score(gad7, answers, 9, &s, &bad), ASTRAL_ERR_INVALID);
	assert_int_equal(bad, 7);
	assert_int_equal(care_assessment_score(phq9, NULL, 9, &s, &bad), ASTRAL_ERR_INVALID);
	assert_int_equal(care_assessment_score(NULL, answers, 9, &s, &bad), ASTRAL_ERR_INVALID);
	/* Scores outside the range have no band. */
	assert_null(care_form_band(phq9, -1));
	assert_null(care_form_band(phq9, 28));
	assert_null(care_form_band(gad7, 22));
}

static void
test_assessment_bad_kind(void **state)
{
	(void)state;
	assert_null(care_form_find("phq8"));
	assert_null(care_form_find("PHQ9"));
	assert_null(care_form_find(""));
	assert_null(care_form_find(NULL));
}

/* Convert `json` (the value of "answers") for `kind`; returns the error, fills field/why. */
static astral_err
from_json(const char *kind, const char *json, long long *out, char *field, size_t fieldlen, const char **why)
{
	struct json_object *v = json_tokener_parse(json);
	astral_err err;

	if (v == NULL && strcmp(json, "null") != 0)
		fail_msg("test JSON does not parse: %s", json);
	err = care_answers_from_json(care_form_find(kind), v, out, field, fieldlen, why);
	json_object_put(v);
	return err;
}

static void
test_assessment_answers_from_json(void **state)
{
	long long out[CARE_ITEMS_MAX];
	char field[32];
	const char *why;

	(void)state;
	assert_int_equal(from_json("phq9", "[0,1,2,3,0,1,2,3,1]", out, field, sizeof(field), &why), ASTRAL_OK);
	assert_int_equal(out[3], 3);
	assert_int_equal(out[8], 1);
	assert_int_equal(from_json("gad7", "[3,3,3,3,3,3,3]", out, field, sizeof(field), &why), ASTRAL_OK);
	assert_int_equal(out[6], 3);
}

static void
expect_bad_json(const char *kind, const char *json, const char *want_field)
{
	long long out[CARE_ITEMS_MAX];
	char field[32];
	const char *why = NULL;
	astral_err err = from_json(kind, json, out, field, sizeof(field), &why);

	if (err != ASTRAL_ERR_INVALID || strcmp(field, want_field) != 0 || why == NULL)
		fail_msg("%s %s: err %d field %s, want INVALID naming %s", kind, json, (int)err, field, want_field);
}

static void
test_assessment_bad_answers_json(void **state)
{
	(void)state;
	expect_bad_json("phq9", "[0,1,2,3,0,1,2,3]", "answers");             /* 8 of 9 */
	expect_bad_json("phq9", "[0,1,2,3,0,1,2,3,1,0]", "answers");         /* 10 */
	expect_bad_json("gad7", "[0,1,2,3,0,1,2,3,1]", "answers");           /* 9 of 7 */
	expect_bad_json("phq9", "[]", "answers");
	expect_bad_json("phq9", "{\"0\":1}", "answers");
	expect_bad_json("phq9", "\"0,1,2\"", "answers");
	expect_bad_json("phq9", "null", "answers");
	expect_bad_json("phq9", "[0,1,2,4,0,1,2,3,1]", "answers[3]");
	expect_bad_json("phq9", "[0,1,2,-1,0,1,2,3,1]", "answers[3]");
	expect_bad_json("phq9", "[0,1,2,3,0,1,2,3,1.5]", "answers[8]");
	expect_bad_json("phq9", "[0,1,2,3,0,1,2,3,1.0]", "answers[8]");
	expect_bad_json("phq9", "[\"1\",1,2,3,0,1,2,3,1]", "answers[0]");
	expect_bad_json("phq9", "[0,null,2,3,0,1,2,3,1]", "answers[1]");
	expect_bad_json("phq9", "[0,true,2,3,0,1,2,3,1]", "answers[1]");
	expect_bad_json("phq9", "[0,[1],2,3,0,1,2,3,1]", "answers[1]");
	expect_bad_json("phq9", "[0,1,2,3,0,1,2,3,99999999999999999999999]", "answers[8]");
	expect_bad_json("gad7", "[0,1,2,3,0,1,-9223372036854775808]", "answers[6]");
	expect_bad_json("phq8", "[0,1,2,3,0,1,2,3]", "answers");              /* no such form */
}

static void
test_assessment_answers_text(void **state)
{
	long long a[CARE_ITEMS_MAX] = { 0, 1, 2, 3, 0, 1, 2, 3, 1 };
	char buf[32];

	(void)state;
	assert_int_equal(care_answers_text(a, 9, buf, sizeof(buf)), ASTRAL_OK);
	assert_string_equal(buf, "[0,1,2,3,0,1,2,3,1]");
	assert_int_equal(care_answers_text(a, 0, buf, sizeof(buf)), ASTRAL_OK);
	assert_string_equal(buf, "[]");
}

static void
test_assessment_bad_answers_text_too_small(void **state)
{
	long long a[CARE_ITEMS_MAX] = { 0, 1, 2, 3, 0, 1, 2, 3, 1 };
	char small[8];

	(void)state;
	assert_int_equal(care_answers_text(a, 9, small, sizeof(small)), ASTRAL_ERR_TOO_LARGE);
	assert_int_equal(care_answers_text(a, 9, small, 2), ASTRAL_ERR_TOO_LARGE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_assessment_phq9_bands),
		cmocka_unit_test(test_assessment_gad7_bands),
		cmocka_unit_test(test_assessment_bands_tile_the_range),
		cmocka_unit_test(test_assessment_loinc_codes),
		cmocka_unit_test(test_assessment_phq9_item9),
		cmocka_unit_test(test_assessment_gad7_has_no_safety_item),
		cmocka_unit_test(test_assessment_bad_answers),
		cmocka_unit_test(test_assessment_bad_kind),
		cmocka_unit_test(test_assessment_answers_from_json),
		cmocka_unit_test(test_assessment_bad_answers_json),
		cmocka_unit_test(test_assessment_answers_text),
		cmocka_unit_test(test_assessment_bad_answers_text_too_small),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
