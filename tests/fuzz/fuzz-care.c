/* libFuzzer target for the wellness care half's JSON-to-struct code: PHQ-9/GAD-7 answers
   (care_answers_from_json), the safety plan document (care_safety_plan_build and _parse) and the
   resources file (astral_resources_parse, then a filter and the crisis lines of a region). Accepted answers always score; an
   accepted plan always survives its own round trip; nothing crashes or leaks.
   The wellness pure files are compiled into this target directly (they are not part of
   libastral); the resources catalogue is (lib/resource_catalog.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../cgi-bin/wellness/assessment_forms.c"
#include "../../cgi-bin/wellness/assessment_scoring.c"
#include "../../cgi-bin/wellness/safety_plan_doc.c"
#include "../../lib/resource_catalog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_answers(struct json_object *value)
{
	for (size_t f = 0; f < care_nforms; f++) {
		long long answers[CARE_ITEMS_MAX];
		struct care_score score;
		const char *why = NULL;
		char field[24];
		size_t bad;

		if (care_answers_from_json(&care_forms[f], value, answers, field, sizeof(field), &why) != ASTRAL_OK) {
			if (why == NULL || strncmp(field, "answers", 7) != 0)
				abort();
			continue;
		}
		if (care_assessment_score(&care_forms[f], answers, care_forms[f].nitems, &score, &bad) != ASTRAL_OK ||
		    score.band == NULL || score.score < 0 || score.score > care_forms[f].max)
			abort();
	}
}

static void
fuzz_plan(struct json_object *obj)
{
	struct json_object *lists[CARE_PLAN_NLISTS] = { NULL }, *plan = NULL, *problems = NULL, *again = NULL;
	const char *text;

	if (!json_object_is_type(obj, json_type_object))
		return;
	for (int l = 0; l < CARE_PLAN_NLISTS; l++)
		(void)json_object_object_get_ex(obj, care_plan_list_name((enum care_plan_list)l), &lists[l]);
	if (care_safety_plan_build(lists, &plan, &problems) != ASTRAL_OK) {
		if (plan != NULL || problems == NULL || json_object_object_length(problems) == 0)
			abort();
		json_object_put(problems);
		return;
	}
	if (problems != NULL)
		abort();
	text = json_object_to_json_string_ext(plan, JSON_C_TO_STRING_PLAIN);
	if (care_safety_plan_parse(text, strlen(text), &again) != ASTRAL_OK ||
	    strcmp(json_object_to_json_string_ext(again, JSON_C_TO_STRING_PLAIN), text) != 0)
		abort();
	json_object_put(again);
	json_object_put(plan);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *obj = NULL, *list = NULL, *plan = NULL, *found;
	const char *why = NULL;
	char err[256];

	if (care_safety_plan_parse((const char *)data, size, &plan) == ASTRAL_OK)
		json_object_put(plan);
	if (astral_resources_parse((const char *)data, size, &list, err, sizeof(err)) == ASTRAL_OK) {
		found = astral_resources_filter(list, "crisis", "US", "line");
		json_object_put(found);
		found = astral_resources_crisis_lines(list, "US");
		json_object_put(found);
		json_object_put(list);
	}
	if (astral_json_parse((const char *)data, size, &obj, &why) != ASTRAL_OK)
		return 0;
	fuzz_answers(obj);
	if (json_object_is_type(obj, json_type_object) && json_object_object_get_ex(obj, "answers", &found))
		fuzz_answers(found);
	fuzz_plan(obj);
	json_object_put(obj);
	return 0;
}
