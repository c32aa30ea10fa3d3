/* A seeker's favourite helpers: the helpers of the sessions they marked as favourite. */
#include <stddef.h>

#include "helpers.h"
#include "json.h"

/* A seeker marks sessions one at a time; the answer holds the most recent helpers. */
#define FAVORITES_MAX 100

void
helpers_favorites(struct astral_request *req, const void *input)
{
	struct astral_params p;
	PGresult *res = NULL;
	struct json_object *body = NULL, *items, *profile;
	astral_err err;

	(void)input;
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_int(&p, FAVORITES_MAX);
	helpers_params_rest(&p, req);
	err = helpers_exec(req, HELPERS_FAVORITES, &p, &res);
	if (err != ASTRAL_OK)
		goto out;
	body = json_object_new_object();
	items = json_object_new_array();
	json_object_object_add(body, "items", items);
	for (int i = 0; i < PQntuples(res); i++) {
		profile = helpers_profile_json(res, i, &err);
		if (profile == NULL)
			goto out;
		json_object_array_add(items, profile);
	}
	astral_respond(req, 200, body);
	body = NULL;
out:
	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	json_object_put(body);
	PQclear(res);
}
