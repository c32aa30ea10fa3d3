/* The HelperProfile object, and the audit helper of this program. */
#include <string.h>

#include "helpers.h"
#include "json.h"
#include "log.h"

const char *const helpers_expertise[] = {
	"Anxiety & Stress", "Depression", "Grief & Loss", "Relationships", "Family Issues", "Loneliness",
	"Self-Esteem", "Academic/Work Stress", NULL,
};

void
helpers_audit_object(struct astral_request *req, const char *action, const char *object_type, const char *object_id,
                     const char *detail)
{
	struct astral_audit_event ev = {
		.actor_id = req->who.user_id, .actor_role = req->who.role, .action = action,
		.object_type = object_type, .object_id = object_id, .subject_id = req->who.user_id,
		.outcome = "success", .request_id = req->request_id, .detail = detail,
	};

	if (astral_audit_append(req->app->db, &ev) != ASTRAL_OK)
		astral_log(ASTRAL_LOG_ERROR, "audit append failed for %s", action);
}

void
helpers_audit(struct astral_request *req, const char *action, const char *detail)
{
	helpers_audit_object(req, action, "helper_profile", req->who.user_id, detail);
}

void
helpers_params_rest(struct astral_params *p, const struct astral_request *req)
{
	astral_params_int(p, req->now);
	astral_params_int(p, req->app->cfg.helpers_rest_minutes);
}

/* A JSON column written by our own SQL. */
static astral_err
parse_column(const PGresult *res, int row, int col, enum json_type want, struct json_object **out)
{
	const char *text = astral_db_value(res, row, col);
	const char *why;

	*out = NULL;
	if (text == NULL || astral_json_parse(text, strlen(text), out, &why) != ASTRAL_OK)
		return ASTRAL_ERR_INTERNAL;
	if (!json_object_is_type(*out, want)) {
		json_object_put(*out);
		*out = NULL;
		return ASTRAL_ERR_INTERNAL;
	}
	return ASTRAL_OK;
}

/* [[id, epoch], ...] → [{"id", "awarded_at"}, ...] */
static astral_err
achievements_json(const PGresult *res, int row, struct json_object **out)
{
	struct json_object *pairs = NULL, *list = NULL;
	astral_err err;

	*out = NULL;
	err = parse_column(res, row, HP_ACHIEVEMENTS, json_type_array, &pairs);
	if (err != ASTRAL_OK)
		goto out;
	list = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(pairs); i++) {
		struct json_object *pair = json_object_array_get_idx(pairs, i);
		struct json_object *id, *at, *a;

		if (!json_object_is_type(pair, json_type_array) || json_object_array_length(pair) != 2) {
			err = ASTRAL_ERR_INTERNAL;
			goto out;
		}
		id = json_object_array_get_idx(pair, 0);
		at = json_object_array_get_idx(pair, 1);
		if (!json_object_is_type(id, json_type_string) || !json_object_is_type(at, json_type_int)) {
			err = ASTRAL_ERR_INTERNAL;
			goto out;
		}
		a = json_object_new_object();
		astral_json_add_str(a, "id", json_object_get_string(id));
		astral_json_add_time(a, "awarded_at", json_object_get_int64(at));
		json_object_array_add(list, a);
	}
	*out = list;
	list = NULL;
out:
	json_object_put(pairs);
	json_object_put(list);
	return err;
}

/* numeric text ("4.50") → a JSON number; SQL NULL (no feedback yet) → null. Text that is not a
   number from 0 to 5 is INTERNAL. */
static astral_err
reputation_json(const PGresult *res, int row, struct json_object **out)
{
	const char *text = astral_db_value(res, row, HP_REPUTATION);
	astral_err err = ASTRAL_OK;
	double v;

	*out = astral_json_numeric(text);
	if (text == NULL)
		goto out;
	if (*out == NULL) {
		err = ASTRAL_ERR_INTERNAL;
		goto out;
	}
	v = json_object_get_double(*out);
	if (v < 0.0 || v > 5.0) {
		json_object_put(*out);
		*out = NULL;
		err = ASTRAL_ERR_INTERNAL;
	}
out:
	return err;
}

struct json_object *
helpers_profile_json(const PGresult *res, int row, astral_err *err)
{
	struct json_object *o = NULL, *expertise = NULL, *achievements = NULL, *reputation = NULL;
	long long xp, level;

	*err = parse_column(res, row, HP_EXPERTISE, json_type_array, &expertise);
	if (*err == ASTRAL_OK)
		*err = achievements_json(res, row, &achievements);
	if (*err == ASTRAL_OK)
		*err = reputation_json(res, row, &reputation);
	if (*err != ASTRAL_OK)
		goto out;
	xp = astral_db_int(res, row, HP_XP);
	level = xp / 100 + 1;
	o = json_object_new_object();
	astral_json_add_str(o, "id", astral_db_value(res, row, HP_ID));
	astral_json_add_str(o, "display_name", astral_db_value(res, row, HP_DISPLAY_NAME));
	astral_json_add_str(o, "helper_tier", astral_db_value(res, row, HP_HELPER_TIER));
	astral_json_add_time(o, "joined_at", astral_db_int(res, row, HP_JOINED_AT));
	astral_json_add_str(o, "bio", astral_db_value(res, row, HP_BIO));
	json_object_object_add(o, "expertise", expertise);
	expertise = NULL;
	astral_json_add_bool(o, "online", astral_db_bool(res, row, HP_ONLINE));
	json_object_object_add(o, "reputation", reputation);
	reputation = NULL;
	astral_json_add_int(o, "feedback_count", astral_db_int(res, row, HP_FEEDBACK));
	astral_json_add_int(o, "sessions", astral_db_int(res, row, HP_SESSIONS));
	astral_json_add_int(o, "kudos", astral_db_int(res, row, HP_KUDOS));
	astral_json_add_int(o, "xp", xp);
	astral_json_add_int(o, "level", level);
	astral_json_add_int(o, "next_level_xp", level * 100);
	json_object_object_add(o, "achievements", achievements);
	achievements = NULL;
out:
	json_object_put(expertise);
	json_object_put(achievements);
	json_object_put(reputation);
	return o;
}

void
helpers_respond_profile(struct astral_request *req, int status, const char *user_id)
{
	struct astral_params p;
	PGresult *res = NULL;
	struct json_object *profile;
	astral_err err;

	astral_params_init(&p);
	astral_params_text(&p, user_id);
	helpers_params_rest(&p, req);
	err = helpers_exec(req, HELPERS_PROFILE, &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) != 1)
		err = ASTRAL_ERR_NOT_FOUND;
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	profile = helpers_profile_json(res, 0, &err);
	if (profile == NULL) {
		astral_respond_err(req, err);
		goto out;
	}
	astral_respond(req, status, profile);
out:
	PQclear(res);
}
