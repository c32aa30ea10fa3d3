/* The caller's time zone and today in it. PostgreSQL owns the zone database: C checks only
   the shape of a name (timezone_name.c), astral_local_day() in the database decides whether it
   is a zone (an abbreviation such as CET is not). */
#include <stddef.h>
#include <string.h>

#include "wellness.h"

/* astral_local_day() gives NULL both for a name it does not know and for an abbreviation (CET,
   PST: fixed offsets, without summer time, migration 0034), so the detail names both. */
void
wellness_respond_unknown_timezone(struct astral_request *req, const char *field)
{
	astral_respond_field_error(req, 400, "invalid_field", "That time zone is not known.", field,
	                           "is not a known IANA time zone: send a region name such as Europe/Brussels "
	                           "(abbreviations such as CET or PST are fixed offsets and are not accepted)");
}

astral_err
wellness_today(struct astral_request *req, const char *tz, int32_t *today)
{
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	astral_params_init(&p);
	astral_params_text(&p, tz);
	astral_params_int(&p, req->now);
	err = wellness_exec(req, WELLNESS_LOCAL_DAY, &p, &res);
	if (err == ASTRAL_OK && (PQntuples(res) != 1 || astral_db_value(res, 0, 0) == NULL))
		err = ASTRAL_ERR_INVALID;
	if (err == ASTRAL_OK)
		*today = (int32_t)astral_db_int(res, 0, 0);
	PQclear(res);
	return err;
}

struct tz_in { const char *timezone; };
static const struct astral_field tz_fields[] = {
	{ "timezone", ASTRAL_F_TEXT, 0, 1, WELLNESS_TIMEZONE_MAX, NULL, offsetof(struct tz_in, timezone), 0 },
};
static const struct astral_input_spec tz_input = { tz_fields, 1, sizeof(struct tz_in) };

int
wellness_query_timezone(struct astral_request *req, char tz[WELLNESS_TIMEZONE_MAX + 1])
{
	char store[WELLNESS_TIMEZONE_MAX * 3 + 8];
	struct json_object *problems = NULL;
	struct tz_in in;
	const char *why;

	astral_input_from_query(&tz_input, req->query, &in, store, sizeof(store), &problems);
	if (problems != NULL) {
		astral_respond_fields(req, 400, "invalid_field", "Some fields need attention.", problems);
		return 0;
	}
	if (in.timezone == NULL) {
		memcpy(tz, "UTC", 4);
		return 1;
	}
	why = wellness_timezone_problem(in.timezone);
	if (why != NULL) {
		astral_respond_field_error(req, 400, "invalid_field", "Some fields need attention.", "timezone", why);
		return 0;
	}
	memcpy(tz, in.timezone, strlen(in.timezone) + 1);
	return 1;
}
