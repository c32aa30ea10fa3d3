/*
 * PHQ-9 and GAD-7: history, submit (scored here, never by the client), and the answer to "may a
 * trained volunteer reach out?" after a positive PHQ-9 item 9. Answers are sealed with the
 * user's data key; a crisis alert is raised only when the person says yes, once.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "care.h"
#include "crisis_alert.h"
#include "json.h"
#include "log.h"
#include "random.h"

static const char *const kinds[] = { "phq9", "gad7", NULL };

struct submit_in { const char *kind; struct json_object *answers; int contact_requested; };
static const struct astral_field submit_fields[] = {
	{ "kind", ASTRAL_F_ENUM, 1, 0, 0, kinds, offsetof(struct submit_in, kind), 0 },
	/* The count and each answer are checked against the kind (care_answers_from_json). */
	{ "answers", ASTRAL_F_ARRAY, 1, 0, ASTRAL_LIST_MAX, NULL, offsetof(struct submit_in, answers), 0 },
	{ "contact_requested", ASTRAL_F_BOOL, 0, 0, 0, NULL, offsetof(struct submit_in, contact_requested), -1 },
};
const struct astral_input_spec wellness_assessment_submit_input = { submit_fields, 3, sizeof(struct submit_in) };

struct contact_in { int contact_requested; };
static const struct astral_field contact_fields[] = {
	{ "contact_requested", ASTRAL_F_BOOL, 1, 0, 0, NULL, offsetof(struct contact_in, contact_requested), -1 },
};
const struct astral_input_spec wellness_assessment_contact_input = { contact_fields, 1, sizeof(struct contact_in) };

static const char table[] = "assessments";
static const char column[] = "answers";

/* An Assessment from row `row` of an assessment statement, its answers opened with `dek`. */
static astral_err
assessment_item(const unsigned char dek[ASTRAL_DEK_LEN], const PGresult *res, int row, struct json_object **item)
{
	long long answers[CARE_ITEMS_MAX];
	size_t nanswers = 0;
	astral_err err = care_assessment_answers(dek, res, row, answers, &nanswers);

	if (err == ASTRAL_OK)
		*item = care_assessment_json(NULL, res, row, answers, nanswers, 0);
	OPENSSL_cleanse(answers, sizeof(answers));
	return err;
}

static const struct care_list assessment_list = {
	CARE_ASSESSMENT_LIST, CARE_AC_ID, CARE_AC_CREATED_AT, assessment_item, "assessment_read", "assessment"
};

void
wellness_assessments_list(struct astral_request *req, const void *input)
{
	care_list_respond(req, &assessment_list, input);
}

/* The person asked for a trained volunteer to reach out: one alert for the moderators' queue,
   pointing at the assessment (never its answers). */
static void
raise_contact_alert(struct astral_request *req, const char *id, long long item9_answer)
{
	struct astral_crisis_result result;
	struct astral_crisis_alert alert;

	care_item9_result(item9_answer, &result);
	memset(&alert, 0, sizeof(alert));
	alert.user_id = req->who.user_id;
	alert.source = "assessment";
	alert.source_id = id;
	alert.severity = result.severity;
	alert.result = &result;
	if (astral_crisis_alert_raise(req, &alert, NULL) != ASTRAL_OK)
		astral_log(ASTRAL_LOG_ERROR, "crisis alert for assessment %s could not be queued", id);
}

void
wellness_assessment_submit(struct astral_request *req, const void *input)
{
	const struct submit_in *in = input;
	const struct care_form *form = care_form_find(in->kind);
	long long answers[CARE_ITEMS_MAX];
	unsigned char *sealed = NULL;
	size_t slen = 0, bad = 0;
	char id[ASTRAL_UUID_STR_LEN + 1], field[24], text[64];
	struct care_score score;
	struct astral_params p;
	PGresult *res = NULL;
	const char *why = NULL;
	int contact = -1;
	astral_err err;

	memset(answers, 0, sizeof(answers));
	if (care_answers_from_json(form, in->answers, answers, field, sizeof(field), &why) != ASTRAL_OK) {
		astral_respond_field_error(req, 400, "invalid_field", "Some fields need attention.", field, why);
		return;
	}
	err = care_assessment_score(form, answers, form->nitems, &score, &bad);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, ASTRAL_ERR_INTERNAL);
		return;
	}
	/* The contact question exists only beside a positive item 9; elsewhere it is not stored. */
	if (score.item9_positive)
		contact = in->contact_requested;
	err = care_answers_text(answers, form->nitems, text, sizeof(text));
	if (err == ASTRAL_OK)
		err = astral_uuid_v4(id);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, ASTRAL_ERR_INTERNAL);
		goto out;
	}
	err = care_seal_for_caller(req, table, column, id, text, &sealed, &slen);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, form->kind);
	astral_params_int(&p, score.score);
	astral_params_text(&p, score.band->band);
	astral_params_bytes(&p, sealed, slen);
	astral_params_bool(&p, score.item9_positive);
	if (contact < 0)
		astral_params_null(&p);
	else
		astral_params_bool(&p, contact);
	astral_params_int(&p, req->now);
	if (care_exec_row(req, CARE_ASSESSMENT_INSERT, &p, &res, NULL) != ASTRAL_OK)
		goto out;
	if (contact == 1)
		raise_contact_alert(req, id, score.item9_answer);
	wellness_audit(req, "assessment_submit", "assessment", id, form->kind);
	astral_respond(req, 201, care_assessment_json(req->app, res, 0, answers, form->nitems, 1));
out:
	OPENSSL_cleanse(answers, sizeof(answers));
	OPENSSL_cleanse(text, sizeof(text));
	free(sealed);
	PQclear(res);
}

void
wellness_assessment_contact(struct astral_request *req, const void *input)
{
	const struct contact_in *in = input;
	const char *id = req->path_params[0];
	unsigned char dek[ASTRAL_DEK_LEN];
	long long answers[CARE_ITEMS_MAX];
	struct astral_params p;
	PGresult *res = NULL;
	int have_key = 0, changed;
	size_t nanswers = 0;
	astral_err err;

	memset(answers, 0, sizeof(answers));
	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_text(&p, req->who.user_id);
	astral_params_bool(&p, in->contact_requested);
	astral_params_int(&p, req->now);
	err = care_exec(req, CARE_ASSESSMENT_CONTACT, &p, &res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	changed = PQntuples(res) == 1;
	if (!changed) {
		/* Nothing changed: no such assessment of mine, no question asked, or the same answer
		   again (a yes cannot be taken back once the alert is queued). */
		PQclear(res);
		res = NULL;
		astral_params_init(&p);
		astral_params_text(&p, id);
		astral_params_text(&p, req->who.user_id);
		if (care_exec_row(req, CARE_ASSESSMENT_GET, &p, &res, "No such assessment.") != ASTRAL_OK)
			goto out;
		if (!astral_db_bool(res, 0, CARE_AC_ITEM9)) {
			astral_respond_error(req, 409, "conflict",
			                     "This screening did not ask whether someone may reach out.");
			goto out;
		}
		if (astral_db_bool(res, 0, CARE_AC_CONTACT) && !in->contact_requested) {
			astral_respond_error(req, 409, "conflict",
			                     "A volunteer has already been asked to reach out.");
			goto out;
		}
	}
	if (care_data_key_or_answer(req, dek) != ASTRAL_OK)
		goto out;
	have_key = 1;
	err = care_assessment_answers(dek, res, 0, answers, &nanswers);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	if (changed && in->contact_requested) {
		const struct care_form *form = care_form_find(astral_db_value(res, 0, CARE_AC_KIND));

		raise_contact_alert(req, id, form != NULL && form->safety_item > 0 && (size_t)form->safety_item <= nanswers
		                             ? answers[form->safety_item - 1] : 1);
	}
	if (changed)
		wellness_audit(req, "assessment_contact", "assessment", id, in->contact_requested ? "yes" : "no");
	else
		wellness_audit(req, "assessment_read", "assessment", id, "contact_unchanged");
	astral_respond(req, 200, care_assessment_json(req->app, res, 0, answers, nanswers, 1));
out:
	if (have_key)
		OPENSSL_cleanse(dek, sizeof(dek));
	OPENSSL_cleanse(answers, sizeof(answers));
	PQclear(res);
}
