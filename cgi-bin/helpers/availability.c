/*
 * Going online and offline, and how many helpers are online. Availability is the helper's own
 * switch: going offline ends no session and declines no request, and signing out leaves it as
 * the helper set it. A resting helper (migrations/0015_helper_rest.sql) counts as offline
 * whatever the switch says, until the rest is over or they end it (`end_rest`).
 */
#include <stddef.h>

#include "helpers.h"
#include "json.h"

struct availability_in { int online; int end_rest; };
static const struct astral_field availability_fields[] = {
	{ "online", ASTRAL_F_BOOL, 1, 0, 1, NULL, offsetof(struct availability_in, online), -1 },
	{ "end_rest", ASTRAL_F_BOOL, 0, 0, 1, NULL, offsetof(struct availability_in, end_rest), 0 },
};
const struct astral_input_spec helpers_availability_input = {
	availability_fields, 2, sizeof(struct availability_in),
};

/* End my rest now, when I am resting (audited); nothing otherwise. */
static astral_err
end_rest(struct astral_request *req)
{
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	helpers_params_rest(&p, req);
	err = helpers_exec(req, HELPERS_REST_END, &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) == 1)
		helpers_audit(req, "rest_ended", NULL);
	PQclear(res);
	return err;
}

void
helpers_availability_put(struct astral_request *req, const void *input)
{
	const struct availability_in *in = input;
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_bool(&p, in->online);
	astral_params_int(&p, req->now);
	err = helpers_exec(req, HELPERS_AVAILABILITY_SET, &p, &res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	if (PQntuples(res) != 1) {
		astral_respond_refusal(req, 409, "no_helper_profile", "Create your helper profile first.", "online",
		                       "needs a helper profile");
		goto out;
	}
	if (astral_db_bool(res, 0, 0) != in->online)
		helpers_audit(req, "helper_availability_update", in->online ? "online" : "offline");
	if (in->end_rest) {
		err = end_rest(req);
		if (err != ASTRAL_OK) {
			astral_respond_err(req, err);
			goto out;
		}
	}
	helpers_respond_profile(req, 200, req->who.user_id);
out:
	PQclear(res);
}

void
helpers_online_count(struct astral_request *req, const void *input)
{
	struct json_object *body;
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	(void)input;
	astral_params_init(&p);
	helpers_params_rest(&p, req);
	err = helpers_exec(req, HELPERS_ONLINE_COUNT, &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) != 1)
		err = ASTRAL_ERR_INTERNAL;
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	body = json_object_new_object();
	astral_json_add_int(body, "online", astral_db_int(res, 0, 0));
	astral_respond(req, 200, body);
out:
	PQclear(res);
}
