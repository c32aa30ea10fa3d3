/* The Habit object: a tracked habit with its streaks (streak.c) and its recent completions, as
   of the day the caller calls today. */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "streak.h"
#include "wellness.h"

astral_err
wellness_habit_json(const PGresult *res, int row, int32_t today, struct json_object **out)
{
	struct wellness_streak st;
	struct json_object *o = NULL, *recent = NULL;
	int32_t *days = NULL;
	size_t n = 0;
	char text[11];
	astral_err err;

	*out = NULL;
	err = wellness_day_list_parse(astral_db_value(res, row, WELLNESS_HC_DAYS), &days, &n);
	if (err != ASTRAL_OK)
		goto out;
	err = wellness_streak_compute(days, n, today, &st);
	if (err != ASTRAL_OK)
		goto out;
	o = json_object_new_object();
	astral_json_add_str(o, "id", astral_db_value(res, row, WELLNESS_HC_ID));
	astral_json_add_str(o, "catalog_id", astral_db_value(res, row, WELLNESS_HC_CATALOG_ID));
	astral_json_add_str(o, "name", astral_db_value(res, row, WELLNESS_HC_NAME));
	astral_json_add_str(o, "category", astral_db_value(res, row, WELLNESS_HC_CATEGORY));
	astral_json_add_time(o, "created_at", astral_db_int(res, row, WELLNESS_HC_CREATED_AT));
	astral_json_add_bool(o, "completed_today", st.completed_today);
	astral_json_add_int(o, "current_streak", st.current);
	astral_json_add_int(o, "longest_streak", st.longest);
	if (st.has_last) {
		wellness_day_format(st.last, text);
		astral_json_add_str(o, "last_completed", text);
	} else {
		astral_json_add_str(o, "last_completed", NULL);
	}
	/* The recent days, oldest first (a day after today, done in a zone ahead, included). */
	recent = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		if ((int64_t)days[i] <= (int64_t)today - WELLNESS_COMPLETIONS_SHOWN)
			continue;
		wellness_day_format(days[i], text);
		json_object_array_add(recent, json_object_new_string(text));
	}
	json_object_object_add(o, "completions", recent);
	*out = o;
	o = NULL;
out:
	json_object_put(o);
	free(days);
	return err;
}

void
wellness_respond_habit(struct astral_request *req, int status, const char *id, int32_t today)
{
	struct json_object *habit = NULL;
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_text(&p, req->who.user_id);
	err = wellness_exec(req, WELLNESS_HABIT_GET, &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) != 1)
		err = ASTRAL_ERR_NOT_FOUND;
	if (err == ASTRAL_OK)
		err = wellness_habit_json(res, 0, today, &habit);
	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	else
		astral_respond(req, status, habit);
	PQclear(res);
}
