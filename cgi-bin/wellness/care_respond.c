/* JSON builders of the care half: journal entries, assessments, crisis resources. */
#include <string.h>

#include "care.h"
#include "crisis_alert.h"
#include "json.h"

struct json_object *
care_journal_json(const char *id, const char *text, int64_t created_at, int64_t updated_at,
                  struct json_object *crisis)
{
	struct json_object *o = json_object_new_object();

	astral_json_add_str(o, "id", id);
	astral_json_add_str(o, "text", text);
	astral_json_add_time(o, "created_at", created_at);
	astral_json_add_time(o, "updated_at", updated_at);
	astral_json_add_bool(o, "safety_plan_prompt", crisis != NULL);
	json_object_object_add(o, "crisis", crisis);
	return o;
}

void
care_item9_result(long long item9_answer, struct astral_crisis_result *out)
{
	memset(out, 0, sizeof(*out));
	if (item9_answer <= 0)
		return;
	out->severity = item9_answer >= 2 ? ASTRAL_CRISIS_HIGH : ASTRAL_CRISIS_MEDIUM;
	out->categories = ASTRAL_CRISIS_SUICIDE | ASTRAL_CRISIS_SELF_HARM;
	out->nreasons = 1;
	out->reasons[0].category = ASTRAL_CRISIS_SUICIDE;
	out->reasons[0].severity = out->severity;
	out->reasons[0].rule = "assessment.phq9_item9";
}

struct json_object *
care_assessment_json(const struct astral_app *app, const PGresult *res, int row, const long long *answers,
                     size_t nanswers, int just_now)
{
	const struct care_form *form = care_form_find(astral_db_value(res, row, CARE_AC_KIND));
	long long score = astral_db_int(res, row, CARE_AC_SCORE);
	const struct care_band *band = care_form_band(form, score);
	int item9 = astral_db_bool(res, row, CARE_AC_ITEM9);
	struct json_object *o = json_object_new_object(), *list = json_object_new_array();

	astral_json_add_str(o, "id", astral_db_value(res, row, CARE_AC_ID));
	astral_json_add_str(o, "kind", form ? form->kind : NULL);
	astral_json_add_int(o, "score", score);
	astral_json_add_int(o, "max", form ? form->max : 0);
	/* History recomputes the band from the stored score (the original's rule). */
	astral_json_add_str(o, "band", band ? band->band : NULL);
	astral_json_add_str(o, "band_label", band ? band->label : NULL);
	astral_json_add_str(o, "recommendation", band ? band->recommendation : NULL);
	for (size_t i = 0; i < nanswers; i++)
		json_object_array_add(list, json_object_new_int64(answers[i]));
	json_object_object_add(o, "answers", list);
	astral_json_add_time(o, "created_at", astral_db_int(res, row, CARE_AC_CREATED_AT));
	astral_json_add_bool(o, "item9_positive", item9);
	if (astral_db_value(res, row, CARE_AC_CONTACT) == NULL)
		json_object_object_add(o, "contact_requested", NULL);
	else
		astral_json_add_bool(o, "contact_requested", astral_db_bool(res, row, CARE_AC_CONTACT));
	if (just_now && item9 && form != NULL && form->safety_item > 0 && (size_t)form->safety_item <= nanswers) {
		struct astral_crisis_result result;

		care_item9_result(answers[form->safety_item - 1], &result);
		json_object_object_add(o, "crisis", astral_crisis_response_json(app, &result));
		astral_json_add_bool(o, "safety_plan_prompt", 1);
	} else {
		json_object_object_add(o, "crisis", NULL);
		astral_json_add_bool(o, "safety_plan_prompt", 0);
	}
	return o;
}

void
care_respond_not_found(struct astral_request *req, const char *what)
{
	astral_respond_error(req, 404, "not_found", what);
}
