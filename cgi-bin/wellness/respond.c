/* JSON of the mood part: the MoodCheckin object. */
#include <string.h>

#include "json.h"
#include "wellness.h"

/* "Calm,Tired" → ["Calm","Tired"]; "" → []. */
static struct json_object *
tags_json(const char *joined)
{
	struct json_object *arr = json_object_new_array();
	const char *p = joined;

	while (p != NULL && *p != '\0') {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		json_object_array_add(arr, json_object_new_string_len(p, (int)len));
		p = comma ? comma + 1 : NULL;
	}
	return arr;
}

struct json_object *
wellness_mood_json(const PGresult *res, int row, const char *note, struct json_object *crisis)
{
	struct json_object *o = json_object_new_object();

	astral_json_add_str(o, "id", astral_db_value(res, row, WELLNESS_MC_ID));
	astral_json_add_str(o, "day", astral_db_value(res, row, WELLNESS_MC_DAY));
	astral_json_add_int(o, "mood", astral_db_int(res, row, WELLNESS_MC_MOOD));
	astral_json_add_int(o, "anxiety", astral_db_int(res, row, WELLNESS_MC_ANXIETY));
	astral_json_add_int(o, "sleep", astral_db_int(res, row, WELLNESS_MC_SLEEP));
	astral_json_add_int(o, "energy", astral_db_int(res, row, WELLNESS_MC_ENERGY));
	json_object_object_add(o, "tags", tags_json(astral_db_value(res, row, WELLNESS_MC_TAGS)));
	astral_json_add_str(o, "note", note);
	astral_json_add_time(o, "created_at", astral_db_int(res, row, WELLNESS_MC_CREATED_AT));
	astral_json_add_time(o, "updated_at", astral_db_int(res, row, WELLNESS_MC_UPDATED_AT));
	astral_json_add_bool(o, "safety_plan_prompt", crisis != NULL);
	json_object_object_add(o, "crisis", crisis);
	return o;
}
