/*
 * Applying for certification: my latest application, and a new one. Only after the training,
 * one pending at a time, again after a rejection, never once certified. Admins decide
 * (cgi-bin/moderation's /api/admin/applications).
 */
#include <stddef.h>
#include <string.h>

#include "helpers.h"
#include "json.h"
#include "random.h"

#define MOTIVATION_MAX 1000

/* The columns of APPLICATION_COLUMNS (statements.c). */
enum application_col { AP_ID, AP_STATUS, AP_QUIZ_SCORE, AP_MOTIVATION, AP_SUBMITTED_AT, AP_DECIDED_AT, AP_NOTES };

struct application_in { const char *motivation; };
static const struct astral_field application_fields[] = {
	{ "motivation", ASTRAL_F_MULTILINE, 0, 1, MOTIVATION_MAX, NULL, offsetof(struct application_in, motivation), 0 },
};
const struct astral_input_spec helpers_application_input = {
	application_fields, 1, sizeof(struct application_in),
};

/* After the request's first statement only: the tier comes with the session's check, which
   travels with that statement (lib/session.h); before it, every helper reads as not certified. */
static int
certified(const struct astral_request *req)
{
	return strcmp(req->who.helper_tier, "certified") == 0;
}

const char *
helpers_certification_status(const struct astral_request *req, const char *latest)
{
	if (certified(req))
		return "approved";
	return latest != NULL ? latest : "none";
}

/* The Application object: row 0 of `app` (APPLICATION_COLUMNS), or none (app NULL or empty). A
   certified helper's application reads "approved" (an earlier one that was not, reads as none). */
static struct json_object *
application_json(const struct astral_request *req, const PGresult *app, int training_completed)
{
	struct json_object *o = json_object_new_object();
	const char *latest = app != NULL && PQntuples(app) == 1 ? astral_db_value(app, 0, AP_STATUS) : NULL;
	const char *status = helpers_certification_status(req, latest);
	int shown = latest != NULL && strcmp(latest, status) == 0;

	astral_json_add_str(o, "id", shown ? astral_db_value(app, 0, AP_ID) : NULL);
	astral_json_add_str(o, "status", status);
	astral_json_add_str(o, "helper_tier", certified(req) ? "certified" : "community");
	astral_json_add_bool(o, "training_completed", training_completed);
	if (shown)
		astral_json_add_int(o, "quiz_score", astral_db_int(app, 0, AP_QUIZ_SCORE));
	else
		json_object_object_add(o, "quiz_score", NULL);
	astral_json_add_str(o, "motivation", shown ? astral_db_value(app, 0, AP_MOTIVATION) : NULL);
	astral_json_add_time(o, "submitted_at", shown ? astral_db_int(app, 0, AP_SUBMITTED_AT) : -1);
	astral_json_add_time(o, "decided_at", shown ? astral_db_int(app, 0, AP_DECIDED_AT) : -1);
	astral_json_add_str(o, "notes", shown ? astral_db_value(app, 0, AP_NOTES) : NULL);
	return o;
}

/* My training state (HELPERS_TRAINING_STATE) and latest application. */
static astral_err
read_state(struct astral_request *req, PGresult **training, PGresult **app)
{
	struct astral_params p;
	astral_err err;

	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	err = helpers_exec(req, HELPERS_TRAINING_STATE, &p, training);
	if (err == ASTRAL_OK && PQntuples(*training) != 1)
		err = ASTRAL_ERR_INTERNAL;
	if (err == ASTRAL_OK)
		err = helpers_exec(req, HELPERS_APPLICATION_LATEST, &p, app);
	return err;
}

void
helpers_application_get(struct astral_request *req, const void *input)
{
	PGresult *training = NULL, *app = NULL;
	astral_err err;

	(void)input;
	err = read_state(req, &training, &app);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	astral_respond(req, 200, application_json(req, app, astral_db_value(training, 0, 2) != NULL));
out:
	PQclear(training);
	PQclear(app);
}

static void
refuse_pending(struct astral_request *req)
{
	astral_respond_refusal(req, 409, "application_pending", "Your application is waiting for a decision.", NULL,
	                       NULL);
}

void
helpers_application_post(struct astral_request *req, const void *input)
{
	const struct application_in *in = input;
	PGresult *training = NULL, *app = NULL, *res = NULL;
	struct astral_params p;
	char id[ASTRAL_UUID_STR_LEN + 1];
	const char *best_pass;
	astral_err err;

	err = read_state(req, &training, &app);
	if (err != ASTRAL_OK)
		goto out;
	if (certified(req)) {
		astral_respond_refusal(req, 409, "already_certified", "You are already a certified helper.", NULL, NULL);
		goto out;
	}
	best_pass = astral_db_value(training, 0, 2);
	if (best_pass == NULL) {
		astral_respond_refusal(req, 409, "training_incomplete", "Complete the training first.", NULL, NULL);
		goto out;
	}
	if (PQntuples(app) == 1 && strcmp(astral_db_value(app, 0, AP_STATUS), "pending") == 0) {
		refuse_pending(req);
		goto out;
	}
	err = astral_uuid_v4(id);
	if (err != ASTRAL_OK)
		goto out;
	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, in->motivation);
	astral_params_text(&p, best_pass);
	astral_params_int(&p, req->now);
	err = helpers_exec(req, HELPERS_APPLICATION_INSERT, &p, &res);
	if (err != ASTRAL_OK)
		goto out;
	if (PQntuples(res) != 1) {          /* another request applied meanwhile */
		refuse_pending(req);
		goto out;
	}
	helpers_audit_object(req, "application_submit", "helper_application", id, NULL);
	astral_respond(req, 201, application_json(req, res, 1));
out:
	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	PQclear(training);
	PQclear(app);
	PQclear(res);
}
