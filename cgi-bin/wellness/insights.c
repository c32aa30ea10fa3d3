/* GET /api/wellness/mood/insights: averages, trends, the per-day series, the year in pixels and
   the tag and habit correlations over a window ending today in the caller's zone. PostgreSQL
   computes all of it in one statement (statements.c, INSIGHTS_SQL) and returns the document. */
#include <stddef.h>
#include <string.h>

#include "json.h"
#include "wellness.h"

static const char *const insight_windows[] = { "7", "30", "90", NULL };

struct insights_in { const char *days; const char *timezone; };
static const struct astral_field insights_fields[] = {
	{ "days", ASTRAL_F_ENUM, 0, 0, 0, insight_windows, offsetof(struct insights_in, days), 0 },
	{ "timezone", ASTRAL_F_TEXT, 0, 1, WELLNESS_TIMEZONE_MAX, NULL, offsetof(struct insights_in, timezone), 0 },
};
const struct astral_input_spec wellness_mood_insights_input = { insights_fields, 2, sizeof(struct insights_in) };

void
wellness_mood_insights(struct astral_request *req, const void *input)
{
	const struct insights_in *in = input;
	const char *tz = in->timezone != NULL ? in->timezone : "UTC";
	long long days = 30;
	struct json_object *doc = NULL;
	struct astral_params p;
	PGresult *res = NULL;
	const char *why, *text;
	astral_err err;

	why = wellness_timezone_problem(tz);
	if (why != NULL) {
		astral_respond_field_error(req, 400, "invalid_field", "Some fields need attention.", "timezone", why);
		return;
	}
	if (in->days != NULL)
		days = strcmp(in->days, "7") == 0 ? 7 : strcmp(in->days, "90") == 0 ? 90 : 30;
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
	if (PQntuples(res) != 1) {
		astral_respond_err(req, ASTRAL_ERR_INTERNAL);
		goto out;
	}
	if (astral_db_bool(res, 0, 0)) {
		wellness_respond_unknown_timezone(req, "timezone");
		goto out;
	}
	text = astral_db_value(res, 0, 1);
	if (text == NULL || astral_json_parse(text, strlen(text), &doc, &why) != ASTRAL_OK) {
		astral_respond_err(req, ASTRAL_ERR_INTERNAL);
		goto out;
	}
	wellness_audit(req, "mood_read", "mood_checkin", NULL, "insights");
	astral_respond(req, 200, doc);
	doc = NULL;
out:
	json_object_put(doc);
	PQclear(res);
}
