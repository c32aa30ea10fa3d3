/*
 * The helper's dashboard in one call: my profile, what is waiting (counts only: the lists come
 * from the peer-support routes), my standing, all five achievements with their progress, my
 * certification and whether I am resting (the gentle limit).
 */
#include <stddef.h>
#include <string.h>

#include "helpers.h"
#include "json.h"

/* The columns of HELPERS_DASHBOARD. */
enum dashboard_col { DB_ACTIVE, DB_PAST, DB_REQUESTS, DB_AVAILABLE, DB_TRAINED, DB_APPLICATION, DB_REST_UNTIL };

/* The five achievements (docs/peer-support.md): what each counts and how many it needs. */
static const struct achievement {
	const char *id, *name;
	enum helpers_profile_col measure;    /* HP_SESSIONS or HP_KUDOS */
	long long target;
} achievements[] = {
	{ "first_step", "First Step", HP_SESSIONS, 1 },
	{ "helping_hand", "Helping Hand", HP_SESSIONS, 5 },
	{ "community_pillar", "Community Pillar", HP_SESSIONS, 25 },
	{ "heartfelt_thanks", "Heartfelt Thanks", HP_KUDOS, 1 },
	{ "trusted_voice", "Trusted Voice", HP_KUDOS, 10 },
};

/* When `id` was awarded, from the profile's achievements list; null when it was not. */
static struct json_object *
awarded_at(struct json_object *awarded, const char *id)
{
	for (size_t i = 0; i < json_object_array_length(awarded); i++) {
		struct json_object *a = json_object_array_get_idx(awarded, i), *v, *at;

		if (json_object_object_get_ex(a, "id", &v) && strcmp(json_object_get_string(v), id) == 0 &&
		    json_object_object_get_ex(a, "awarded_at", &at))
			return json_object_get(at);
	}
	return NULL;
}

static struct json_object *
achievements_json(const PGresult *profile, struct json_object *awarded)
{
	struct json_object *list = json_object_new_array();

	for (size_t i = 0; i < sizeof(achievements) / sizeof(achievements[0]); i++) {
		const struct achievement *a = &achievements[i];
		struct json_object *o = json_object_new_object(), *progress = json_object_new_object();
		long long current = astral_db_int(profile, 0, (int)a->measure);

		astral_json_add_str(o, "id", a->id);
		astral_json_add_str(o, "name", a->name);
		json_object_object_add(o, "awarded_at", awarded_at(awarded, a->id));
		astral_json_add_int(progress, "current", current < a->target ? current : a->target);
		astral_json_add_int(progress, "target", a->target);
		json_object_object_add(o, "progress", progress);
		json_object_array_add(list, o);
	}
	return list;
}

/* stats: the profile's standing figures, moved over. */
static struct json_object *
stats_json(struct json_object *profile)
{
	static const char *const keys[] = { "kudos", "reputation", "feedback_count", "xp", "level", "next_level_xp" };
	struct json_object *o = json_object_new_object(), *v;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (json_object_object_get_ex(profile, keys[i], &v))
			json_object_object_add(o, keys[i], json_object_get(v));
	return o;
}

static struct json_object *
counts_json(const PGresult *res)
{
	struct json_object *o = json_object_new_object();
	long long available = astral_db_int(res, 0, DB_AVAILABLE);

	astral_json_add_int(o, "active_sessions", astral_db_int(res, 0, DB_ACTIVE));
	astral_json_add_int(o, "past_sessions", astral_db_int(res, 0, DB_PAST));
	astral_json_add_int(o, "requests", astral_db_int(res, 0, DB_REQUESTS));
	astral_json_add_int(o, "available_posts",
	                    available > HELPERS_AVAILABLE_POSTS_CAP ? HELPERS_AVAILABLE_POSTS_CAP : available);
	astral_json_add_bool(o, "available_posts_more", available > HELPERS_AVAILABLE_POSTS_CAP);
	return o;
}

static struct json_object *
wellbeing_json(const PGresult *res)
{
	struct json_object *o = json_object_new_object();
	long long until = astral_db_int(res, 0, DB_REST_UNTIL);

	astral_json_add_bool(o, "resting", until >= 0);
	astral_json_add_time(o, "rest_until", until);
	astral_json_add_str(o, "reason", until >= 0 ? "high_severity_session" : NULL);
	return o;
}

void
helpers_dashboard(struct astral_request *req, const void *input)
{
	struct astral_params p;
	PGresult *profile = NULL, *res = NULL;
	struct json_object *body = NULL, *me = NULL, *awarded, *certification;
	astral_err err;

	(void)input;
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	helpers_params_rest(&p, req);
	err = helpers_exec(req, HELPERS_PROFILE, &p, &profile);
	if (err == ASTRAL_OK && PQntuples(profile) != 1)
		err = ASTRAL_ERR_NOT_FOUND;                 /* no profile yet: as GET /api/helpers/me */
	if (err == ASTRAL_OK)
		err = helpers_exec(req, HELPERS_DASHBOARD, &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) != 1)
		err = ASTRAL_ERR_INTERNAL;
	if (err != ASTRAL_OK)
		goto out;
	me = helpers_profile_json(profile, 0, &err);
	if (me == NULL)
		goto out;
	body = json_object_new_object();
	json_object_object_add(body, "profile", json_object_get(me));
	awarded = json_object_object_get(me, "achievements");
	json_object_object_add(body, "counts", counts_json(res));
	json_object_object_add(body, "stats", stats_json(me));
	json_object_object_add(body, "achievements", achievements_json(profile, awarded));
	certification = json_object_new_object();
	astral_json_add_str(certification, "status",
	                    helpers_certification_status(req, astral_db_value(res, 0, DB_APPLICATION)));
	astral_json_add_bool(certification, "training_completed", astral_db_bool(res, 0, DB_TRAINED));
	json_object_object_add(body, "certification", certification);
	json_object_object_add(body, "wellbeing", wellbeing_json(res));
	astral_respond(req, 200, body);
	body = NULL;
out:
	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	json_object_put(me);
	json_object_put(body);
	PQclear(profile);
	PQclear(res);
}
