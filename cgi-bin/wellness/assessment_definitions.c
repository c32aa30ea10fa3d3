/* GET /api/wellness/assessments/definitions: the questionnaires as a client shows them. Public
   (no personal data) and cacheable. */
#include "care.h"
#include "json.h"

/* One hour: the questionnaires change only with a new release. */
#define DEFINITIONS_MAX_AGE 3600

static struct json_object *
form_json(const struct care_form *form)
{
	struct json_object *o = json_object_new_object(), *items = json_object_new_array(),
	                   *bands = json_object_new_array();

	astral_json_add_str(o, "kind", form->kind);
	astral_json_add_str(o, "title", form->title);
	astral_json_add_str(o, "instruction", form->instruction);
	astral_json_add_str(o, "loinc", form->loinc);
	astral_json_add_str(o, "total_loinc", form->total_loinc);
	for (size_t i = 0; i < form->nitems; i++) {
		struct json_object *item = json_object_new_object();

		astral_json_add_int(item, "number", form->items[i].number);
		astral_json_add_str(item, "text", form->items[i].text);
		astral_json_add_str(item, "loinc", form->items[i].loinc);
		json_object_array_add(items, item);
	}
	json_object_object_add(o, "items", items);
	astral_json_add_int(o, "max", form->max);
	for (size_t i = 0; i < form->nbands; i++) {
		struct json_object *band = json_object_new_object();

		astral_json_add_str(band, "band", form->bands[i].band);
		astral_json_add_str(band, "label", form->bands[i].label);
		astral_json_add_int(band, "min", form->bands[i].min);
		astral_json_add_int(band, "max", form->bands[i].max);
		astral_json_add_str(band, "recommendation", form->bands[i].recommendation);
		json_object_array_add(bands, band);
	}
	json_object_object_add(o, "bands", bands);
	/* The item whose answer above 0 opens the crisis path (PHQ-9 item 9), or null. */
	if (form->safety_item > 0)
		astral_json_add_int(o, "safety_item", form->safety_item);
	else
		json_object_object_add(o, "safety_item", NULL);
	return o;
}

void
wellness_assessment_definitions(struct astral_request *req, const void *input)
{
	struct json_object *body = json_object_new_object(), *options = json_object_new_array(),
	                   *kinds = json_object_new_array();

	(void)input;
	astral_json_add_str(body, "disclaimer", care_disclaimer);
	for (size_t i = 0; i < sizeof(care_options) / sizeof(care_options[0]); i++) {
		struct json_object *o = json_object_new_object();

		astral_json_add_int(o, "value", care_options[i].value);
		astral_json_add_str(o, "label", care_options[i].label);
		astral_json_add_str(o, "loinc", care_options[i].loinc);
		json_object_array_add(options, o);
	}
	json_object_object_add(body, "options", options);
	for (size_t i = 0; i < care_nforms; i++)
		json_object_array_add(kinds, form_json(&care_forms[i]));
	json_object_object_add(body, "kinds", kinds);
	astral_response_cache_public(req, DEFINITIONS_MAX_AGE);
	astral_respond(req, 200, body);
}
