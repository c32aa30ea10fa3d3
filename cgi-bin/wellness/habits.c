/* The habit catalogue and the caller's tracked habits: list, track (from the catalogue or a
   custom one), untrack. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "random.h"
#include "wellness.h"

const char *const wellness_habit_categories[] = {
	"Health", "Mindfulness", "Movement", "Connection", "Rest", NULL
};

/* GET /api/wellness/habits/catalog */
void
wellness_habit_catalog(struct astral_request *req, const void *input)
{
	struct json_object *body, *items;
	PGresult *res = NULL;
	astral_err err;

	(void)input;
	err = wellness_exec(req, WELLNESS_HABIT_CATALOG, NULL, &res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	items = json_object_new_array();
	for (int i = 0; i < PQntuples(res); i++) {
		struct json_object *o = json_object_new_object();

		astral_json_add_str(o, "id", astral_db_value(res, i, 0));
		astral_json_add_str(o, "name", astral_db_value(res, i, 1));
		astral_json_add_str(o, "category", astral_db_value(res, i, 2));
		astral_json_add_str(o, "description", astral_db_value(res, i, 3));
		json_object_array_add(items, o);
	}
	body = json_object_new_object();
	json_object_object_add(body, "items", items);
	astral_respond(req, 200, body);
out:
	PQclear(res);
}

struct list_in { const char *timezone; };
static const struct astral_field list_fields[] = {
	{ "timezone", ASTRAL_F_TEXT, 0, 1, WELLNESS_TIMEZONE_MAX, NULL, offsetof(struct list_in, timezone), 0 },
};
const struct astral_input_spec wellness_habits_list_input = { list_fields, 1, sizeof(struct list_in) };

/* GET /api/wellness/habits */
void
wellness_habits_list(struct astral_request *req, const void *input)
{
	const struct list_in *in = input;
	const char *tz = in->timezone != NULL ? in->timezone : "UTC";
	struct json_object *body = NULL, *items = NULL;
	struct astral_params p;
	PGresult *res = NULL;
	const char *why;
	int32_t today;
	astral_err err;

	why = wellness_timezone_problem(tz);
	if (why != NULL) {
		astral_respond_field_error(req, 400, "invalid_field", "Some fields need attention.", "timezone", why);
		return;
	}
	err = wellness_today(req, tz, &today);
	if (err == ASTRAL_ERR_INVALID) {
		wellness_respond_unknown_timezone(req, "timezone");
		return;
	}
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		return;
	}
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	err = wellness_exec(req, WELLNESS_HABITS_LIST, &p, &res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	items = json_object_new_array();
	for (int i = 0; i < PQntuples(res); i++) {
		struct json_object *habit = NULL;

		err = wellness_habit_json(res, i, today, &habit);
		if (err != ASTRAL_OK) {
			astral_respond_err(req, err);
			goto out;
		}
		json_object_array_add(items, habit);
	}
	wellness_audit(req, "habit_read", "habit", NULL, NULL);
	body = json_object_new_object();
	json_object_object_add(body, "items", items);
	items = NULL;
	astral_respond(req, 200, body);
out:
	json_object_put(items);
	PQclear(res);
}

struct track_in { const char *catalog_id; const char *name; const char *category; };
static const struct astral_field track_fields[] = {
	{ "catalog_id", ASTRAL_F_TEXT, 0, 1, 40, NULL, offsetof(struct track_in, catalog_id), 0 },
	{ "name", ASTRAL_F_TEXT, 0, 1, WELLNESS_HABIT_NAME_MAX, NULL, offsetof(struct track_in, name), 0 },
	{ "category", ASTRAL_F_ENUM, 0, 0, 0, wellness_habit_categories, offsetof(struct track_in, category), 0 },
};
const struct astral_input_spec wellness_habit_track_input = { track_fields, 3, sizeof(struct track_in) };

/* 400 for a body that is neither a catalogue habit nor a custom one; 1 when it is one of them. */
static int
track_body_ok(struct astral_request *req, const struct track_in *in)
{
	const char *field = NULL, *problem = NULL;

	if (in->catalog_id != NULL && (in->name != NULL || in->category != NULL)) {
		field = in->name != NULL ? "name" : "category";
		problem = "cannot be combined with catalog_id";
	} else if (in->catalog_id == NULL && in->name == NULL && in->category == NULL) {
		field = "catalog_id";
		problem = "is required (or name and category for a habit of your own)";
	} else if (in->catalog_id == NULL && in->name == NULL) {
		field = "name";
		problem = "is required with category";
	} else if (in->catalog_id == NULL && in->category == NULL) {
		field = "category";
		problem = "is required with name";
	}
	if (field == NULL)
		return 1;
	astral_respond_field_error(req, 400, "invalid_field", "Some fields need attention.", field, problem);
	return 0;
}

/* POST /api/wellness/habits */
void
wellness_habit_track(struct astral_request *req, const void *input)
{
	const struct track_in *in = input;
	struct astral_params p;
	PGresult *res = NULL;
	char id[37];
	int catalog = in->catalog_id != NULL;
	long long tracked;
	astral_err err;

	if (!track_body_ok(req, in))
		return;
	err = astral_uuid_v4(id);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		return;
	}
	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_text(&p, req->who.user_id);
	if (catalog) {
		astral_params_text(&p, in->catalog_id);
	} else {
		astral_params_text(&p, in->name);
		astral_params_text(&p, in->category);
	}
	astral_params_int(&p, req->now);
	astral_params_int(&p, WELLNESS_HABITS_MAX);
	err = wellness_exec(req, catalog ? WELLNESS_HABIT_TRACK_CATALOG : WELLNESS_HABIT_TRACK_CUSTOM, &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) != 1)
		err = ASTRAL_ERR_INTERNAL;
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	if (catalog && !astral_db_bool(res, 0, 0)) {
		astral_respond_field_error(req, 400, "invalid_field", "Some fields need attention.", "catalog_id",
		                           "is not a habit of the catalogue");
		goto out;
	}
	tracked = astral_db_int(res, 0, catalog ? 1 : 0);
	if (astral_db_value(res, 0, catalog ? 2 : 1) == NULL) {
		if (tracked >= WELLNESS_HABITS_MAX)
			astral_respond_error(req, 409, "conflict", "You track as many habits as you can (50): untrack one first.");
		else
			astral_respond_error(req, 409, "conflict", "You track that habit already.");
		goto out;
	}
	wellness_audit(req, "habit_track", "habit", id, catalog ? "catalog" : "custom");
	wellness_respond_habit(req, 201, id, wellness_day_of_unix(req->now));
out:
	PQclear(res);
}

/* DELETE /api/wellness/habits/{id}: the habit and its completions go. */
void
wellness_habit_untrack(struct astral_request *req, const void *input)
{
	const char *id = req->path_params[0];
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	(void)input;
	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_text(&p, req->who.user_id);
	err = wellness_exec(req, WELLNESS_HABIT_UNTRACK, &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) != 1)
		err = ASTRAL_ERR_NOT_FOUND;
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	wellness_audit(req, "habit_untrack", "habit", id, NULL);
	astral_respond(req, 204, NULL);
out:
	PQclear(res);
}
