/* GET /api/wellness/mood/insights: averages, trends, the per-day series, the year in pixels and
   the tag and habit correlations over a window ending today in the caller's zone. One statement
   (statements.c, INSIGHTS_SQL): PostgreSQL computes the averages, trends and correlations and
   returns them with the last 365 days' check-ins as rows; this file lays those rows out as the
   series (every day of the window, null where there was no check-in) and the year in pixels.
   The document is kept once built and served again until the data, the day or the zone changes
   (migrations/0012_insights_cache.sql). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "day_number.h"
#include "json_text.h"
#include "wellness.h"

static const char *const insight_windows[] = { "7", "30", "90", NULL };

struct insights_in { const char *days; const char *timezone; };
static const struct astral_field insights_fields[] = {
	{ "days", ASTRAL_F_ENUM, 0, 0, 0, insight_windows, offsetof(struct insights_in, days), 0 },
	{ "timezone", ASTRAL_F_TEXT, 0, 1, WELLNESS_TIMEZONE_MAX, NULL, offsetof(struct insights_in, timezone), 0 },
};
const struct astral_input_spec wellness_mood_insights_input = { insights_fields, 2, sizeof(struct insights_in) };

/* key: the day number as "YYYY-MM-DD". */
static void
write_day(struct astral_json_text *t, const char *key, int32_t day)
{
	char text[11];

	wellness_day_format(day, text);
	astral_json_text_lit(t, key);
	astral_json_text_str(t, text);
}

/* key: measure `col` of check-in row `row`, or null for a day without one (row < 0). */
static void
write_measure(struct astral_json_text *t, const char *key, const PGresult *res, int row, int col)
{
	astral_json_text_lit(t, key);
	if (row < 0)
		astral_json_text_lit(t, "null");
	else
		astral_json_text_int(t, astral_db_int(res, row, col));
}

/* Every day of the window [first, first + days), oldest first. Check-in rows are 1..n-1 in day
   order, so one pass walks them alongside the days. */
static void
write_series(struct astral_json_text *t, const PGresult *res, int32_t first, long long days)
{
	int n = PQntuples(res), row = 1;

	astral_json_text_lit(t, "[");
	for (int32_t i = 0; i < days; i++) {
		int32_t day = first + i;
		int at;

		while (row < n && astral_db_int(res, row, WELLNESS_IC_DAY) < day)
			row++;
		at = row < n && astral_db_int(res, row, WELLNESS_IC_DAY) == day ? row : -1;
		write_day(t, i == 0 ? "{\"day\":" : ",{\"day\":", day);
		write_measure(t, ",\"mood\":", res, at, WELLNESS_IC_MOOD);
		write_measure(t, ",\"anxiety\":", res, at, WELLNESS_IC_ANXIETY);
		write_measure(t, ",\"sleep\":", res, at, WELLNESS_IC_SLEEP);
		write_measure(t, ",\"energy\":", res, at, WELLNESS_IC_ENERGY);
		astral_json_text_lit(t, "}");
	}
	astral_json_text_lit(t, "]");
}

/* The year in pixels: every check-in of the last 365 days, oldest first. */
static void
write_year(struct astral_json_text *t, const PGresult *res)
{
	int n = PQntuples(res);

	astral_json_text_lit(t, "[");
	for (int row = 1; row < n; row++) {
		write_day(t, row == 1 ? "{\"day\":" : ",{\"day\":", (int32_t)astral_db_int(res, row, WELLNESS_IC_DAY));
		write_measure(t, ",\"mood\":", res, row, WELLNESS_IC_MOOD);
		astral_json_text_lit(t, "}");
	}
	astral_json_text_lit(t, "]");
}

/* key: JSON that PostgreSQL's json functions wrote (never NULL in the statement's first row). */
static void
write_computed(struct astral_json_text *t, const char *key, const PGresult *res, int col)
{
	const char *json = astral_db_value(res, 0, col);

	astral_json_text_lit(t, key);
	astral_json_text_lit(t, json != NULL ? json : "null");
}

/* The Insights document, in the contract's order (docs/wellness-api-contract.md). */
static astral_err
insights_text(const PGresult *res, long long days, char **out, size_t *len)
{
	struct astral_json_text t = ASTRAL_JSON_TEXT_INIT;
	int32_t first = (int32_t)astral_db_int(res, 0, WELLNESS_IC_DAY);

	astral_json_text_lit(&t, "{\"days\":");
	astral_json_text_int(&t, days);
	write_day(&t, ",\"from\":", first);
	write_day(&t, ",\"to\":", (int32_t)astral_db_int(res, 0, WELLNESS_IC_TODAY));
	astral_json_text_lit(&t, ",\"checkins\":");
	astral_json_text_int(&t, astral_db_int(res, 0, WELLNESS_IC_CHECKINS));
	write_computed(&t, ",\"measures\":", res, WELLNESS_IC_MEASURES);
	astral_json_text_lit(&t, ",\"series\":");
	write_series(&t, res, first, days);
	astral_json_text_lit(&t, ",\"year\":");
	write_year(&t, res);
	write_computed(&t, ",\"correlations\":", res, WELLNESS_IC_CORRELATIONS);
	write_computed(&t, ",\"not_enough_data\":", res, WELLNESS_IC_NOT_ENOUGH);
	astral_json_text_lit(&t, "}");
	return astral_json_text_finish(&t, out, len);
}

/* Serve the document kept for this window, zone and day when the data has not changed since it
   was built (migrations/0012_insights_cache.sql). Returns 1 when it answered (200 or an error). */
static int
respond_kept(struct astral_request *req, const char *tz, long long days)
{
	struct astral_params p;
	PGresult *res = NULL;
	char *text;
	size_t len;
	astral_err err;
	int answered = 1;

	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_int(&p, days);
	astral_params_text(&p, tz);
	astral_params_int(&p, req->now);
	err = wellness_exec(req, WELLNESS_MOOD_INSIGHTS_KEPT, &p, &res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	if (PQntuples(res) != 1) {
		answered = 0;
		goto out;
	}
	len = (size_t)PQgetlength(res, 0, 0);
	text = malloc(len + 1);
	if (text == NULL) {
		astral_respond_err(req, ASTRAL_ERR_NOMEM);
		goto out;
	}
	memcpy(text, PQgetvalue(res, 0, 0), len + 1);
	wellness_audit(req, "mood_read", "mood_checkin", NULL, "insights");
	astral_respond_text(req, 200, "application/json; charset=utf-8", text, len);
out:
	PQclear(res);
	return answered;
}

/* Keep the document just built, with what it was built for, when this request commits. */
static astral_err
keep(struct astral_request *req, const char *tz, long long days, const PGresult *res, const char *text)
{
	struct astral_params p;

	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_int(&p, days);
	astral_params_text(&p, tz);
	astral_params_int(&p, astral_db_int(res, 0, WELLNESS_IC_TODAY));
	astral_params_int(&p, astral_db_int(res, 0, WELLNESS_IC_VERSION));
	astral_params_text(&p, text);
	return astral_db_queue_at_commit(req->app->db, &wellness_stmts[WELLNESS_MOOD_INSIGHTS_KEEP], &p);
}

/* Compute the document (one statement), keep it and answer with it. */
static void
respond_computed(struct astral_request *req, const char *tz, long long days)
{
	struct astral_params p;
	char *text = NULL;
	size_t len = 0;
	PGresult *res = NULL;
	astral_err err;

	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, tz);
	astral_params_int(&p, req->now);
	astral_params_int(&p, days);
	err = wellness_exec(req, WELLNESS_MOOD_INSIGHTS, &p, &res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	if (PQntuples(res) < 1 || astral_db_int(res, 0, WELLNESS_IC_PART) != 0) {
		astral_respond_err(req, ASTRAL_ERR_INTERNAL);
		goto out;
	}
	if (astral_db_bool(res, 0, WELLNESS_IC_UNKNOWN_ZONE)) {
		wellness_respond_unknown_timezone(req, "timezone");
		goto out;
	}
	err = insights_text(res, days, &text, &len);
	if (err == ASTRAL_OK)
		err = keep(req, tz, days, res, text);
	if (err != ASTRAL_OK) {
		free(text);
		astral_respond_err(req, err);
		goto out;
	}
	wellness_audit(req, "mood_read", "mood_checkin", NULL, "insights");
	astral_respond_text(req, 200, "application/json; charset=utf-8", text, len);
out:
	PQclear(res);
}

void
wellness_mood_insights(struct astral_request *req, const void *input)
{
	const struct insights_in *in = input;
	const char *tz = in->timezone != NULL ? in->timezone : "UTC";
	long long days = 30;
	const char *why;

	why = wellness_timezone_problem(tz);
	if (why != NULL) {
		astral_respond_field_error(req, 400, "invalid_field", "Some fields need attention.", "timezone", why);
		return;
	}
	if (in->days != NULL)
		days = strcmp(in->days, "7") == 0 ? 7 : strcmp(in->days, "90") == 0 ? 90 : 30;
	if (!respond_kept(req, tz, days))
		respond_computed(req, tz, days);
}
