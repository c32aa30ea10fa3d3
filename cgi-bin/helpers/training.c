/*
 * The helper training: the lessons and the quiz (never its answers), my progress, and an
 * attempt graded here. Every attempt is stored and audited; the training counts as completed
 * once any attempt passed, and stays so.
 */
#include <stddef.h>

#include "helpers.h"
#include "json.h"
#include "random.h"
#include "training.h"

struct training_in { struct json_object *answers; };
static const struct astral_field training_fields[] = {
	/* Each member is checked against the quiz by helpers_training_grade (training_quiz.c). */
	{ "answers", ASTRAL_F_OBJECT, 1, 0, ASTRAL_LIST_MAX, NULL, offsetof(struct training_in, answers), 0 },
};
const struct astral_input_spec helpers_training_input = { training_fields, 1, sizeof(struct training_in) };

void
helpers_training_get(struct astral_request *req, const void *input)
{
	struct astral_params p;
	PGresult *res = NULL;
	struct json_object *body;
	long long completed_at;
	astral_err err;

	(void)input;
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	err = helpers_exec(req, HELPERS_TRAINING_STATE, &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) != 1)
		err = ASTRAL_ERR_INTERNAL;
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	completed_at = astral_db_int(res, 0, 3);
	body = helpers_training_json();
	astral_json_add_bool(body, "completed", completed_at >= 0);
	astral_json_add_time(body, "completed_at", completed_at);
	if (astral_db_value(res, 0, 1) == NULL)
		json_object_object_add(body, "best_score", NULL);
	else
		astral_json_add_int(body, "best_score", astral_db_int(res, 0, 1));
	astral_json_add_int(body, "attempts", astral_db_int(res, 0, 0));
	astral_respond(req, 200, body);
out:
	PQclear(res);
}

void
helpers_training_post(struct astral_request *req, const void *input)
{
	const struct training_in *in = input;
	struct helpers_grade grade;
	struct json_object *problems, *body;
	struct astral_params p;
	PGresult *res = NULL;
	char id[ASTRAL_UUID_STR_LEN + 1];
	astral_err err;

	problems = helpers_training_grade(in->answers, &grade);
	if (problems != NULL) {
		astral_respond_fields(req, 400, "invalid_field", "Answer every question with one of its options.",
		                      problems);
		return;
	}
	err = astral_uuid_v4(id);
	if (err != ASTRAL_OK)
		goto out;
	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_text(&p, req->who.user_id);
	astral_params_int(&p, grade.correct);
	astral_params_int(&p, grade.total);
	astral_params_int(&p, grade.score);
	astral_params_bool(&p, grade.passed);
	astral_params_int(&p, req->now);
	err = helpers_exec(req, HELPERS_TRAINING_INSERT, &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) != 1)
		err = ASTRAL_ERR_INTERNAL;
	if (err != ASTRAL_OK)
		goto out;
	helpers_audit_object(req, "training_attempt", "helper_training_attempt", id, grade.passed ? "passed" : "failed");
	body = json_object_new_object();
	astral_json_add_int(body, "correct", grade.correct);
	astral_json_add_int(body, "total", grade.total);
	astral_json_add_int(body, "score", grade.score);
	astral_json_add_bool(body, "passed", grade.passed);
	astral_json_add_int(body, "pass_mark", HELPERS_TRAINING_PASS_MARK);
	astral_json_add_bool(body, "completed", astral_db_bool(res, 0, 0));
	astral_respond(req, 200, body);
out:
	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	PQclear(res);
}
