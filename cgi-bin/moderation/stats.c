/*
 * GET /api/admin/stats?days=: the community's figures over a window ending now (the request's
 * clock), from astral_moderation_stats (migration 0016: aggregates only, for admins only).
 */
#include <stddef.h>

#include "json.h"
#include "moderation.h"

struct stats_in { long long days; };
static const struct astral_field stats_fields[] = {
	{ "days", ASTRAL_F_INT, 0, 1, 365, NULL, offsetof(struct stats_in, days), 30 },
};
const struct astral_input_spec moderation_stats_input = { stats_fields, 1, sizeof(struct stats_in) };

/* Columns of MOD_STATS. */
enum { SC_ACTIVE_POSTS, SC_MEDIAN, SC_ONLINE, SC_HELPERS, SC_CERTIFIED, SC_CATEGORY, SC_ALERTS_OPEN, SC_ALERTS_ACK,
       SC_ALERTS_RESOLVED, SC_OPEN_REPORTS, SC_PENDING_APPLICATIONS, SC_PENDING_VIDEOS };

void
moderation_stats(struct astral_request *req, const void *input)
{
	const struct stats_in *in = input;
	struct astral_params p;
	PGresult *res = NULL;
	struct json_object *body = NULL, *alerts;
	char code[24];
	astral_err err;

	astral_params_init(&p);
	astral_params_int(&p, (long long)req->now - in->days * 86400);
	astral_params_int(&p, req->now);
	astral_params_int(&p, req->app->cfg.helpers_rest_minutes);
	err = moderation_exec(req, MOD_STATS, &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) != 1)
		err = ASTRAL_ERR_INTERNAL;
	if (err != ASTRAL_OK)
		goto out;
	snprintf(code, sizeof(code), "days_%lld", in->days);
	err = moderation_audit(req, "stats_read", "community", NULL, NULL, "success", code, NULL);
	if (err != ASTRAL_OK)
		goto out;
	body = json_object_new_object();
	astral_json_add_int(body, "days", in->days);
	astral_json_add_int(body, "active_posts", astral_db_int(res, 0, SC_ACTIVE_POSTS));
	json_object_object_add(body, "median_minutes_to_first_helper",
	                       astral_json_numeric(astral_db_value(res, 0, SC_MEDIAN)));
	astral_json_add_int(body, "helpers_online", astral_db_int(res, 0, SC_ONLINE));
	astral_json_add_int(body, "helpers_total", astral_db_int(res, 0, SC_HELPERS));
	astral_json_add_int(body, "certified_helpers", astral_db_int(res, 0, SC_CERTIFIED));
	astral_json_add_str(body, "most_common_category", astral_db_value(res, 0, SC_CATEGORY));
	alerts = json_object_new_object();
	astral_json_add_int(alerts, "open", astral_db_int(res, 0, SC_ALERTS_OPEN));
	astral_json_add_int(alerts, "acknowledged", astral_db_int(res, 0, SC_ALERTS_ACK));
	astral_json_add_int(alerts, "resolved_in_window", astral_db_int(res, 0, SC_ALERTS_RESOLVED));
	json_object_object_add(body, "alerts", alerts);
	astral_json_add_int(body, "open_reports", astral_db_int(res, 0, SC_OPEN_REPORTS));
	astral_json_add_int(body, "pending_applications", astral_db_int(res, 0, SC_PENDING_APPLICATIONS));
	astral_json_add_int(body, "pending_videos", astral_db_int(res, 0, SC_PENDING_VIDEOS));
	astral_respond(req, 200, body);
out:
	if (err != ASTRAL_OK)
		moderation_fail(req, err);
	PQclear(res);
}
