/* A helper's newly earned achievements, and the event that names them: see achievements.h. */
#include <stddef.h>

#include "achievements.h"
#include "db.h"
#include "json.h"
#include "realtime.h"

enum achievements_stmt {
	ACHIEVEMENTS_AWARD,
	ACHIEVEMENTS_STMT_COUNT
};

const struct astral_stmt astral_achievements_stmts[] = {
	[ACHIEVEMENTS_AWARD] = {
		"achievements_award",
		"SELECT a.id FROM astral_award_achievements($1::uuid, to_timestamp($2::bigint)) AS a(id) ORDER BY 1",
		2,
	},
};
const size_t astral_achievements_stmt_count = ACHIEVEMENTS_STMT_COUNT;

astral_err
astral_achievements_award(struct astral_request *req, const char *helper_id, struct json_object **won)
{
	struct json_object *ids, *event;
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	if (won != NULL)
		*won = NULL;
	astral_params_init(&p);
	astral_params_text(&p, helper_id);
	astral_params_int(&p, req->now);
	err = astral_db_exec(req->app->db, &astral_achievements_stmts[ACHIEVEMENTS_AWARD], &p, &res);
	if (err != ASTRAL_OK)
		goto out;
	ids = json_object_new_array();
	for (int i = 0; i < PQntuples(res); i++)
		json_object_array_add(ids, json_object_new_string(astral_db_value(res, i, 0)));
	if (PQntuples(res) > 0) {
		event = json_object_new_object();
		astral_json_add_str(event, "type", "achievement.unlocked");
		astral_json_add_time(event, "at", req->now);
		json_object_object_add(event, "achievements", json_object_get(ids));
		astral_rt_after_commit(req, helper_id, event);
	}
	if (won != NULL)
		*won = ids;
	else
		json_object_put(ids);
out:
	PQclear(res);
	return err;
}
