/* Scoring of the PHQ-9 and GAD-7 (assessment.h): the sum of the answers, its band, and the
   safety item. Pure code. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "assessment.h"

const struct care_form *
care_form_find(const char *kind)
{
	if (kind == NULL)
		return NULL;
	for (size_t i = 0; i < care_nforms; i++)
		if (strcmp(care_forms[i].kind, kind) == 0)
			return &care_forms[i];
	return NULL;
}

const struct care_band *
care_form_band(const struct care_form *form, long long score)
{
	if (form == NULL || score < 0 || score > form->max)
		return NULL;
	for (size_t i = 0; i < form->nbands; i++)
		if (score >= form->bands[i].min && score <= form->bands[i].max)
			return &form->bands[i];
	return NULL;
}

astral_err
care_assessment_score(const struct care_form *form, const long long *answers, size_t n, struct care_score *out,
                      size_t *bad)
{
	long long sum = 0;

	memset(out, 0, sizeof(*out));
	*bad = 0;
	if (form == NULL)
		return ASTRAL_ERR_INVALID;
	if (answers == NULL || n != form->nitems) {
		*bad = form->nitems;
		return ASTRAL_ERR_INVALID;
	}
	for (size_t i = 0; i < n; i++) {
		if (answers[i] < CARE_ANSWER_MIN || answers[i] > CARE_ANSWER_MAX) {
			*bad = i;
			return ASTRAL_ERR_INVALID;
		}
		sum += answers[i];
	}
	out->score = sum;
	out->band = care_form_band(form, sum);
	if (out->band == NULL)
		return ASTRAL_ERR_INTERNAL;       /* the bands do not cover 0..max */
	if (form->safety_item > 0 && (size_t)form->safety_item <= n) {
		out->item9_answer = answers[form->safety_item - 1];
		out->item9_positive = out->item9_answer > CARE_ANSWER_MIN;
	}
	return ASTRAL_OK;
}

astral_err
care_answers_from_json(const struct care_form *form, struct json_object *value, long long out[CARE_ITEMS_MAX],
                       char *field, size_t fieldlen, const char **why)
{
	size_t n;

	snprintf(field, fieldlen, "answers");
	*why = NULL;
	if (form == NULL || form->nitems > CARE_ITEMS_MAX) {
		*why = "cannot be checked without a valid kind";
		return ASTRAL_ERR_INVALID;
	}
	if (value == NULL || !json_object_is_type(value, json_type_array)) {
		*why = "must be a list of whole numbers from 0 to 3";
		return ASTRAL_ERR_INVALID;
	}
	n = json_object_array_length(value);
	if (n != form->nitems) {
		*why = form->nitems == 9 ? "must answer all 9 items" : "must answer all 7 items";
		return ASTRAL_ERR_INVALID;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *item = json_object_array_get_idx(value, i);
		long long v;

		snprintf(field, fieldlen, "answers[%zu]", i);
		if (item == NULL) {
			*why = "is required";
			return ASTRAL_ERR_INVALID;
		}
		if (!json_object_is_type(item, json_type_int)) {
			*why = "must be a whole number from 0 to 3";
			return ASTRAL_ERR_INVALID;
		}
		errno = 0;
		v = json_object_get_int64(item);
		if (errno != 0 || v < CARE_ANSWER_MIN || v > CARE_ANSWER_MAX) {
			*why = "must be from 0 to 3";
			return ASTRAL_ERR_INVALID;
		}
		out[i] = v;
	}
	snprintf(field, fieldlen, "answers");
	return ASTRAL_OK;
}

astral_err
care_answers_text(const long long *answers, size_t n, char *buf, size_t len)
{
	size_t off = 0;
	int w;

	if (len < 3)
		return ASTRAL_ERR_TOO_LARGE;
	buf[off++] = '[';
	for (size_t i = 0; i < n; i++) {
		w = snprintf(buf + off, len - off, "%s%lld", i ? "," : "", answers[i]);
		if (w < 0 || (size_t)w >= len - off)
			return ASTRAL_ERR_TOO_LARGE;
		off += (size_t)w;
	}
	if (off + 2 > len)
		return ASTRAL_ERR_TOO_LARGE;
	buf[off++] = ']';
	buf[off] = '\0';
	return ASTRAL_OK;
}
