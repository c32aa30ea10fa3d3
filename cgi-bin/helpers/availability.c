/*
 * Going online and offline, and how many helpers are online. Availability is the helper's own
 * switch: going offline ends no session and declines no request, and signing out leaves it as
 * the helper set it.
 */
#include <stddef.h>

#include "helpers.h"
#include "json.h"

struct availability_in { int online; };
static const struct astral_field availability_fields[] = {
	{ "online", ASTRAL_F_BOOL, 1, 0, 1, NULL, offsetof(struct availability_in, online), -1 },
};
const struct astral_input_spec helpers_availability_input = {
	availability_fields, 1, sizeof(struct availability_in),
};

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
		astral_respond_field_error(req, 409, "conflict", "Create your helper profile first.", "online",
		                           "needs a helper profile");
		goto out;
	}
	if (astral_db_bool(res, 0, 0) != in->online)
		helpers_audit(req, "helper_availability_update", in->online ? "online" : "offline");
	helpers_respond_profile(req, 200, req->who.user_id);
out:
	PQclear(res);
}

void
helpers_online_count(struct astral_request *req, const void *input)
{
	struct json_object *body;
	PGresult *res = NULL;
	astral_err err;

	(void)input;
	err = helpers_exec(req, HELPERS_ONLINE_COUNT, NULL, &res);
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
