/*
 * GET /api/moderation/history, for anyone signed in: what staff did to me (warnings, bans, a post
 * removed, a video rejected, with the reason I am shown; the moderator is not named) and what
 * became of the posts I reported. Row-level security shows a person only their own rows.
 */
#include "json.h"
#include "moderation.h"

void
moderation_history(struct astral_request *req, const void *input)
{
	struct astral_params p;
	PGresult *acts = NULL, *reports = NULL;
	struct json_object *body, *actions, *list;
	astral_err err;

	(void)input;
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_int(&p, MOD_HISTORY_MAX);
	err = moderation_exec(req, MOD_HISTORY_ACTIONS, &p, &acts);
	if (err == ASTRAL_OK)
		err = moderation_exec(req, MOD_HISTORY_REPORTS, &p, &reports);
	if (err != ASTRAL_OK)
		goto out;
	actions = json_object_new_array();
	for (int i = 0; i < PQntuples(acts); i++)
		json_object_array_add(actions, moderation_action_json(acts, i, 0));
	list = json_object_new_array();
	for (int i = 0; i < PQntuples(reports); i++) {
		struct json_object *r = json_object_new_object();

		astral_json_add_str(r, "id", astral_db_value(reports, i, 0));
		astral_json_add_str(r, "post_id", astral_db_value(reports, i, 1));
		astral_json_add_str(r, "reason", astral_db_value(reports, i, 2));
		astral_json_add_str(r, "status", astral_db_value(reports, i, 3));
		moderation_add_time(r, "created_at", reports, i, 4);
		moderation_add_time(r, "decided_at", reports, i, 5);
		json_object_array_add(list, r);
	}
	body = json_object_new_object();
	json_object_object_add(body, "actions", actions);
	json_object_object_add(body, "reports", list);
	astral_respond(req, 200, body);
out:
	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	PQclear(acts);
	PQclear(reports);
}
