/*
 * GET /api/wellness/assessments/export.fhir.json: every assessment of the caller as a FHIR R4
 * Bundle (type collection) of QuestionnaireResponse resources, for a clinician or another app.
 * Each item's linkId is its LOINC code and its answer the LOINC answer code (valueCoding); the
 * total score is one more item (valueInteger) under the total's LOINC code. FHIR JSON has no
 * nulls and no empty arrays, so a user without assessments gets a Bundle without `entry`.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "care.h"
#include "json.h"

#define LOINC_SYSTEM "http://loinc.org"

static struct json_object *
coding(const char *code, const char *display)
{
	struct json_object *c = json_object_new_object();

	astral_json_add_str(c, "system", LOINC_SYSTEM);
	astral_json_add_str(c, "code", code);
	astral_json_add_str(c, "display", display);
	return c;
}

static struct json_object *
answer_item(const char *link_id, const char *text, struct json_object *value_key_obj, const char *value_key)
{
	struct json_object *item = json_object_new_object(), *answers = json_object_new_array(),
	                   *answer = json_object_new_object();

	astral_json_add_str(item, "linkId", link_id);
	astral_json_add_str(item, "text", text);
	json_object_object_add(answer, value_key, value_key_obj);
	json_object_array_add(answers, answer);
	json_object_object_add(item, "answer", answers);
	return item;
}

/* One QuestionnaireResponse; NULL when the row's answers do not fit its form. */
static struct json_object *
response_json(const PGresult *res, int row, const long long *answers, size_t n)
{
	const struct care_form *form = care_form_find(astral_db_value(res, row, CARE_AC_KIND));
	const char *id = astral_db_value(res, row, CARE_AC_ID);
	struct json_object *qr, *items, *identifier;

	if (form == NULL || id == NULL || n != form->nitems)
		return NULL;
	qr = json_object_new_object();
	astral_json_add_str(qr, "resourceType", "QuestionnaireResponse");
	astral_json_add_str(qr, "id", id);
	identifier = json_object_new_object();
	astral_json_add_str(identifier, "system", "urn:astral-core:assessment");
	astral_json_add_str(identifier, "value", id);
	json_object_object_add(qr, "identifier", identifier);
	astral_json_add_str(qr, "questionnaire", form->questionnaire);
	astral_json_add_str(qr, "status", "completed");
	astral_json_add_time(qr, "authored", astral_db_int(res, row, CARE_AC_CREATED_AT));
	items = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		const struct care_option *opt = &care_options[answers[i] - CARE_ANSWER_MIN];

		json_object_array_add(items, answer_item(form->items[i].loinc, form->items[i].text,
		                                         coding(opt->loinc, opt->label), "valueCoding"));
	}
	json_object_array_add(items, answer_item(form->total_loinc, "Total score",
	                                         json_object_new_int64(astral_db_int(res, row, CARE_AC_SCORE)),
	                                         "valueInteger"));
	json_object_object_add(qr, "item", items);
	return qr;
}

void
wellness_assessments_fhir(struct astral_request *req, const void *input)
{
	unsigned char dek[ASTRAL_DEK_LEN];
	long long answers[CARE_ITEMS_MAX];
	struct json_object *bundle = NULL, *entries = NULL;
	struct astral_params p;
	PGresult *res = NULL;
	const char *text;
	size_t tlen = 0, nanswers;
	char *copy = NULL;
	int have_key = 0, n;
	astral_err err;

	(void)input;
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	err = care_exec(req, CARE_ASSESSMENT_ALL, &p, &res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	n = PQntuples(res);
	bundle = json_object_new_object();
	astral_json_add_str(bundle, "resourceType", "Bundle");
	astral_json_add_str(bundle, "type", "collection");
	astral_json_add_time(bundle, "timestamp", req->now);
	if (n > 0) {
		err = care_data_key(req, dek);
		if (err != ASTRAL_OK) {
			astral_respond_err(req, err);
			goto out;
		}
		have_key = 1;
		entries = json_object_new_array();
		json_object_object_add(bundle, "entry", entries);
	}
	for (int i = 0; i < n; i++) {
		struct json_object *qr, *entry;
		char full_url[64];

		err = care_assessment_answers(dek, res, i, answers, &nanswers);
		qr = err == ASTRAL_OK ? response_json(res, i, answers, nanswers) : NULL;
		if (qr == NULL) {
			astral_respond_err(req, err == ASTRAL_ERR_DB_DOWN ? err : ASTRAL_ERR_INTERNAL);
			goto out;
		}
		entry = json_object_new_object();
		snprintf(full_url, sizeof(full_url), "urn:uuid:%s", astral_db_value(res, i, CARE_AC_ID));
		astral_json_add_str(entry, "fullUrl", full_url);
		json_object_object_add(entry, "resource", qr);
		json_object_array_add(entries, entry);
	}
	text = json_object_to_json_string_length(bundle, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &tlen);
	copy = malloc(tlen + 1);
	if (text == NULL || copy == NULL) {
		astral_respond_err(req, ASTRAL_ERR_NOMEM);
		goto out;
	}
	memcpy(copy, text, tlen + 1);
	wellness_audit(req, "assessment_read", "assessment", NULL, "export_fhir");
	astral_header(req, "Content-Disposition", "attachment; filename=\"assessments.fhir.json\"");
	astral_respond_text(req, 200, "application/fhir+json; charset=utf-8", copy, tlen);
	copy = NULL;
out:
	if (have_key)
		OPENSSL_cleanse(dek, sizeof(dek));
	OPENSSL_cleanse(answers, sizeof(answers));
	free(copy);
	json_object_put(bundle);
	PQclear(res);
}
