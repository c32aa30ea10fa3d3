/* Support on a post: one per user, on or off; the trigger moves the counter. */
#include "json.h"
#include "posts.h"

static void
support_set(struct astral_request *req, int on)
{
	const char *post_id = req->path_params[0];
	struct astral_params p;
	PGresult *post = NULL, *res = NULL;
	struct json_object *body;
	astral_err err;

	err = posts_get_visible(req, post_id, &post);
	if (err != ASTRAL_OK)
		goto out;
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, post_id);
	if (on)
		astral_params_int(&p, req->now);
	err = posts_exec(req, on ? POSTS_SUPPORT_ADD : POSTS_SUPPORT_REMOVE, &p, NULL);
	if (err != ASTRAL_OK)
		goto out;
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, post_id);
	err = posts_exec(req, POSTS_SUPPORT_STATE, &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) != 1)
		err = ASTRAL_ERR_NOT_FOUND;
	if (err != ASTRAL_OK)
		goto out;
	body = json_object_new_object();
	astral_json_add_int(body, "support_count", astral_db_int(res, 0, 0));
	astral_json_add_bool(body, "supported_by_me", astral_db_bool(res, 0, 1));
	astral_respond(req, 200, body);
out:
	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	PQclear(post);
	PQclear(res);
}

void
posts_support_add(struct astral_request *req, const void *input)
{
	(void)input;
	support_set(req, 1);
}

void
posts_support_remove(struct astral_request *req, const void *input)
{
	(void)input;
	support_set(req, 0);
}
