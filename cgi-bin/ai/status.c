/* GET /api/ai/status (which provider, whether it answers, the caller's age answer and what is left
   of today's quotas) and POST /api/ai/age-confirmation (asked once before the companion). */
#include <stddef.h>
#include <string.h>

#include "ai.h"
#include "json.h"

struct age_in { int adult; };
static const struct astral_field age_fields[] = {
	{ "adult", ASTRAL_F_BOOL, 1, 0, 0, NULL, offsetof(struct age_in, adult), 0 },
};
const struct astral_input_spec ai_age_input = { age_fields, 1, sizeof(struct age_in) };

/* The caller's answer: 1 adult, 0 not, -1 not asked yet; or an error. */
static astral_err
age_answer(struct astral_request *req, int *answer)
{
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	err = ai_exec(req, AI_AGE_GET, &p, &res);
	if (err == ASTRAL_OK)
		*answer = PQntuples(res) == 1 ? astral_db_bool(res, 0, 0) : -1;
	PQclear(res);
	return err;
}

int
ai_adult_or_refuse(struct astral_request *req, int adult)
{
	if (adult < 0)
		astral_respond_error(req, 403, "age_confirmation_required",
		                     "The AI companion is for people aged 18 or over. Please answer the age question first.");
	else if (!adult)
		astral_respond_error(req, 403, "ai_chat_adults_only",
		                     "The AI companion is for adults. Trained volunteers and Get Help Now are here for you.");
	return adult == 1;
}

int
ai_require_adult(struct astral_request *req)
{
	int adult = -1;
	astral_err err = age_answer(req, &adult);

	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		return 0;
	}
	return ai_adult_or_refuse(req, adult);
}

void
ai_status(struct astral_request *req, const void *input)
{
	struct json_object *body = NULL, *quotas;
	long long used[AI_ACTION_COUNT] = { 0 };
	struct astral_params p;
	PGresult *res = NULL;
	int adult = -1;
	astral_err err;

	(void)input;
	err = age_answer(req, &adult);
	if (err != ASTRAL_OK)
		goto fail;
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_int(&p, req->now);
	err = ai_exec(req, AI_USAGE_TODAY, &p, &res);
	if (err != ASTRAL_OK)
		goto fail;
	for (int row = 0; row < PQntuples(res); row++)
		for (int a = 0; a < AI_ACTION_COUNT; a++)
			if (strcmp(astral_db_value(res, row, 0), ai_action_name((enum ai_action)a)) == 0)
				used[a] = astral_db_int(res, row, 1);
	body = json_object_new_object();
	astral_json_add_str(body, "provider", astral_ai_provider_name(req->app->cfg.ai_provider));
	astral_json_add_bool(body, "available", ai_runtime_configured(req->app) &&
	                     !ai_provider_breaker_open(ai_runtime_provider()));
	if (adult < 0)
		json_object_object_add(body, "age_confirmed", NULL);
	else
		astral_json_add_bool(body, "age_confirmed", adult);
	quotas = json_object_new_object();
	for (int a = 0; a < AI_ACTION_COUNT; a++) {
		struct json_object *q = json_object_new_object();
		long long limit = ai_action_limit(req->app, (enum ai_action)a);

		astral_json_add_int(q, "limit", limit);
		astral_json_add_int(q, "used", used[a]);
		astral_json_add_int(q, "remaining", limit > used[a] ? limit - used[a] : 0);
		json_object_object_add(quotas, ai_action_name((enum ai_action)a), q);
	}
	json_object_object_add(body, "quotas", quotas);
	astral_json_add_time(body, "resets_at", req->now + ai_seconds_to_midnight(req->now));
	PQclear(res);
	astral_respond(req, 200, body);
	return;
fail:
	PQclear(res);
	astral_respond_err(req, err);
}

void
ai_age_confirm(struct astral_request *req, const void *input)
{
	const struct age_in *in = input;
	struct json_object *body;
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_bool(&p, in->adult);
	astral_params_int(&p, req->now);
	err = ai_exec(req, AI_AGE_SET, &p, &res);
	PQclear(res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		return;
	}
	ai_audit(req, "ai_age_answer", "ai_age_answers", NULL, NULL, in->adult ? "adult" : "minor");
	body = json_object_new_object();
	astral_json_add_bool(body, "age_confirmed", in->adult);
	astral_respond(req, 200, body);
}
