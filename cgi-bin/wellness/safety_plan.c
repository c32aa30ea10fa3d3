/*
 * The safety plan: one per user, sealed as one JSON document with the user's data key (AAD
 * safety_plans|plan|<user id>). Its crisis resources come with every answer, also when there is
 * no plan yet, so the bad night never finds an empty page.
 *
 * A save replaces the whole plan, so it must name the version it edits (none for the first
 * plan): a save made from an older copy (a second device, a tab left open) would otherwise wipe
 * what was added meanwhile, a support person's number or a reason for living. Such a save changes
 * nothing and answers 409 plan_changed with the current plan, for the person to apply their
 * change to it.
 */
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "care.h"
#include "crisis_alert.h"
#include "json.h"
#include "safety_plan_doc.h"

struct plan_in {
	struct json_object *lists[CARE_PLAN_NLISTS];
	long long version;          /* the version edited; 0: none sent (the first plan) */
};

#define PLAN_LIST(name, which) \
	{ name, ASTRAL_F_ARRAY, 1, 0, CARE_PLAN_LIST_MAX, NULL, \
	  offsetof(struct plan_in, lists) + (which) * sizeof(struct json_object *), 0 }

static const struct astral_field plan_fields[] = {
	PLAN_LIST("warning_signs", CARE_PLAN_WARNING_SIGNS),
	PLAN_LIST("coping_strategies", CARE_PLAN_COPING_STRATEGIES),
	PLAN_LIST("distractions", CARE_PLAN_DISTRACTIONS),
	PLAN_LIST("support_people", CARE_PLAN_SUPPORT_PEOPLE),
	PLAN_LIST("professionals", CARE_PLAN_PROFESSIONALS),
	PLAN_LIST("safe_environment", CARE_PLAN_SAFE_ENVIRONMENT),
	PLAN_LIST("reasons_for_living", CARE_PLAN_REASONS_FOR_LIVING),
	{ "version", ASTRAL_F_INT, 0, 1, LLONG_MAX, NULL, offsetof(struct plan_in, version), 0 },
};
const struct astral_input_spec wellness_safety_plan_put_input = {
	plan_fields, sizeof(plan_fields) / sizeof(plan_fields[0]), sizeof(struct plan_in)
};

static const char table[] = "safety_plans";
static const char column[] = "plan";

/* Complete a plan document into a SafetyPlan: when it was written and its version (-1: never
   written, both null) and the host's crisis lines (every plan shows them, an empty one too). */
static struct json_object *
plan_answer(const struct astral_app *app, struct json_object *doc, long long updated_at, long long version)
{
	if (updated_at >= 0) {
		astral_json_add_time(doc, "updated_at", updated_at);
		json_object_object_add(doc, "version", json_object_new_int64(version));
	} else {
		json_object_object_add(doc, "updated_at", NULL);
		json_object_object_add(doc, "version", NULL);
	}
	json_object_object_add(doc, "crisis_resources", astral_crisis_lines_json(app));
	return doc;
}

/* The caller's SafetyPlan as stored now (the empty one when there is none), audited as a read
   with `detail`. On failure the error is answered and *plan stays NULL. */
static astral_err
load_plan(struct astral_request *req, const char *detail, struct json_object **plan)
{
	unsigned char dek[ASTRAL_DEK_LEN];
	struct json_object *doc = NULL;
	struct astral_params p;
	PGresult *res = NULL;
	char *text = NULL;
	int have_key = 0;
	astral_err err;

	*plan = NULL;
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	err = care_exec(req, CARE_SAFETY_PLAN_GET, &p, &res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	if (PQntuples(res) == 0) {
		wellness_audit(req, "safety_plan_read", "safety_plan", req->who.user_id, detail ? detail : "none");
		*plan = plan_answer(req->app, care_safety_plan_empty(), -1, -1);
		goto out;
	}
	err = care_data_key_or_answer(req, dek);
	if (err != ASTRAL_OK)
		goto out;
	have_key = 1;
	err = care_open_column(dek, table, column, req->who.user_id, res, 0, 0, &text);
	if (err == ASTRAL_OK && care_safety_plan_parse(text, strlen(text), &doc) != ASTRAL_OK)
		err = ASTRAL_ERR_INTERNAL;
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	wellness_audit(req, "safety_plan_read", "safety_plan", req->who.user_id, detail);
	*plan = plan_answer(req->app, doc, astral_db_int(res, 0, 1), astral_db_int(res, 0, 2));
	doc = NULL;
out:
	if (have_key)
		OPENSSL_cleanse(dek, sizeof(dek));
	if (text != NULL) {
		OPENSSL_cleanse(text, strlen(text));
		free(text);
	}
	json_object_put(doc);
	PQclear(res);
	return err;
}

void
wellness_safety_plan_get(struct astral_request *req, const void *input)
{
	struct json_object *plan = NULL;

	(void)input;
	if (load_plan(req, NULL, &plan) == ASTRAL_OK)
		astral_respond(req, 200, plan);
}

/* 409 plan_changed: the save named a version that is no longer the plan's (or none, when there
   is a plan). The current plan goes with it (error.plan) so the client can show it. */
static void
respond_plan_changed(struct astral_request *req)
{
	struct json_object *plan = NULL, *error, *body;

	if (load_plan(req, "conflict", &plan) != ASTRAL_OK)
		return;
	error = json_object_new_object();
	astral_json_add_str(error, "code", "plan_changed");
	astral_json_add_str(error, "message",
	                    "Your safety plan was changed somewhere else since you opened it. Nothing was "
	                    "saved: here is the plan as it is now.");
	json_object_object_add(error, "plan", plan);
	body = json_object_new_object();
	json_object_object_add(body, "error", error);
	astral_respond(req, 409, body);
}

void
wellness_safety_plan_put(struct astral_request *req, const void *input)
{
	const struct plan_in *in = input;
	struct json_object *doc = NULL, *problems = NULL;
	unsigned char *sealed = NULL;
	size_t slen = 0;
	struct astral_params p;
	PGresult *res = NULL;
	const char *text;
	astral_err err;

	if (care_safety_plan_build(in->lists, &doc, &problems) != ASTRAL_OK) {
		astral_respond_fields(req, 400, "invalid_field", "Some fields need attention.", problems);
		return;
	}
	text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (text == NULL) {
		astral_respond_err(req, ASTRAL_ERR_NOMEM);
		goto out;
	}
	err = care_seal_for_caller(req, table, column, req->who.user_id, text, &sealed, &slen);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_bytes(&p, sealed, slen);
	astral_params_int(&p, req->now);
	if (in->version > 0)
		astral_params_int(&p, in->version);
	else
		astral_params_null(&p);
	err = care_exec(req, CARE_SAFETY_PLAN_PUT, &p, &res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	if (PQntuples(res) != 1) {
		respond_plan_changed(req);
		goto out;
	}
	wellness_audit(req, "safety_plan_write", "safety_plan", req->who.user_id,
	               astral_db_bool(res, 0, 1) ? "created" : "updated");
	astral_respond(req, 200, plan_answer(req->app, doc, astral_db_int(res, 0, 0), astral_db_int(res, 0, 2)));
	doc = NULL;
out:
	free(sealed);
	json_object_put(doc);
	PQclear(res);
}
