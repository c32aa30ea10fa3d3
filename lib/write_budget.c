/* The per-person write budget (see write_budget.h). */
#include <stdlib.h>

#include "app.h"
#include "error.h"
#include "write_budget.h"

#define HOUR 3600
#define DAY 86400

const struct astral_stmt astral_write_budget_stmts[] = {
	/* $1 the person, $2 the action, $3 now (unix seconds), $4 the limit, $5 its window in seconds:
	   0 or the seconds to wait. The rate is the limit spread evenly over the window. */
	{ "write_budget_take",
	  "SELECT astral_write_take($1::uuid, $2::text, to_timestamp($3::bigint),"
	  " $4::integer::double precision / $5::integer, $4::integer)", 5 },
};
const size_t astral_write_budget_stmt_count =
	sizeof(astral_write_budget_stmts) / sizeof(astral_write_budget_stmts[0]);

/* What each action is called in write_budgets, its window, and the refusal's sentence for clients
   other than the web UI (which words it in the person's language, with the wait). Calm, never
   accusatory: the person is most likely just having a hard day. */
static const struct {
	const char *name;
	long long window;
	const char *refusal;
} kinds[ASTRAL_WRITE_ACTION_COUNT] = {
	[ASTRAL_WRITE_POST] = { "post", HOUR,
		"You have posted a lot in a short time. You can post again a little later." },
	[ASTRAL_WRITE_REPORT] = { "report", HOUR,
		"You have sent a lot of reports in a short time. You can report again a little later." },
	[ASTRAL_WRITE_DIRECT_REQUEST] = { "direct_request", HOUR,
		"You have asked helpers directly a lot in a short time. You can ask again a little later." },
	[ASTRAL_WRITE_REFLECTION] = { "reflection", HOUR,
		"You have shared a lot of reflections in a short time. You can share another a little later." },
	[ASTRAL_WRITE_VIDEO] = { "video", DAY,
		"You have uploaded a lot of videos today. You can upload another a little later." },
};

/* How many writes of `a` a person may make in its window (0: no limit). */
static long long
write_limit(const struct astral_app *app, enum astral_write_action a)
{
	switch (a) {
	case ASTRAL_WRITE_POST:
		return app->cfg.limits_posts_per_hour;
	case ASTRAL_WRITE_REPORT:
		return app->cfg.limits_reports_per_hour;
	case ASTRAL_WRITE_DIRECT_REQUEST:
		return app->cfg.limits_direct_requests_per_hour;
	case ASTRAL_WRITE_REFLECTION:
		return app->cfg.limits_reflections_per_hour;
	case ASTRAL_WRITE_VIDEO:
		return app->cfg.limits_videos_per_day;
	default:
		return 0;
	}
}

int
astral_write_budget_take(struct astral_request *req, enum astral_write_action a)
{
	long long limit = write_limit(req->app, a);
	struct astral_params p;
	PGresult *res = NULL;
	double wait = 0;
	astral_err err;

	if (limit <= 0)
		return 1;
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, kinds[a].name);
	astral_params_int(&p, req->now);
	astral_params_int(&p, limit);
	astral_params_int(&p, kinds[a].window);
	err = astral_db_exec(req->app->db, &astral_write_budget_stmts[0], &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) != 1)
		err = ASTRAL_ERR_INTERNAL;
	if (err == ASTRAL_OK)
		wait = strtod(astral_db_value(res, 0, 0), NULL);
	PQclear(res);
	if (err != ASTRAL_OK) {
		/* A session that is over is the dispatcher's to answer; it replaces this. */
		astral_respond_err(req, err);
		return 0;
	}
	if (wait > 0) {
		astral_respond_too_many(req, wait, kinds[a].refusal);
		return 0;
	}
	return 1;
}
