/* POST and DELETE /api/wellness/habits/{id}/completions/{day}: mark a day done, or undo it.
   `?timezone=` says which day is today for the answer (and, for POST, which days may be
   marked: not after today, not before the same date a year ago). */
#include <string.h>

#include "wellness.h"

/* The path's day (YYYY-MM-DD) and today in the query's zone. 0 after answering 400. */
static int
completion_day(struct astral_request *req, int32_t *day, int32_t *today)
{
	char tz[WELLNESS_TIMEZONE_MAX + 1];
	astral_err err;

	if (wellness_day_parse(req->path_params[1], day) != ASTRAL_OK) {
		astral_respond_field_error(req, 400, "invalid_field", "Some fields need attention.", "day",
		                           "must be a date (YYYY-MM-DD)");
		return 0;
	}
	if (!wellness_query_timezone(req, tz))
		return 0;
	err = wellness_today(req, tz, today);
	if (err == ASTRAL_ERR_INVALID) {
		wellness_respond_unknown_timezone(req, "timezone");
		return 0;
	}
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		return 0;
	}
	return 1;
}

/* 0 after answering 400 when `day` may not be marked done: after today, or more than a year
   before it. */
static int
completion_day_markable(struct astral_request *req, int32_t day, int32_t today)
{
	if (day > today) {
		astral_respond_field_error(req, 400, "invalid_field", "A day in the future cannot be done yet.", "day",
		                           "must not be after today");
		return 0;
	}
	if (day < wellness_day_year_before(today)) {
		astral_respond_field_error(req, 400, "invalid_field", "That day is too long ago.", "day",
		                           "must be within the last year");
		return 0;
	}
	return 1;
}

/* Mark the path's day done (`done`) or undo it, audit a change, and answer with the habit: 201
   when a day was newly marked, else 200 (404 when the habit is not the caller's). */
static void
completion_set(struct astral_request *req, int done)
{
	const char *id = req->path_params[0];
	struct astral_params p;
	PGresult *res = NULL;
	int32_t day, today;
	char day_text[11];
	int changed;
	astral_err err;

	if (!completion_day(req, &day, &today))
		return;
	if (done && !completion_day_markable(req, day, today))
		return;
	wellness_day_format(day, day_text);
	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, day_text);
	if (done)
		astral_params_int(&p, req->now);
	err = wellness_exec(req, done ? WELLNESS_HABIT_COMPLETE : WELLNESS_HABIT_UNCOMPLETE, &p, &res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	/* Nothing changed: the day was done (or undone) already, or the habit is not the caller's
	   (the answer below is then 404). COMPLETE returns the row it adds; UNCOMPLETE returns none. */
	changed = done ? PQntuples(res) == 1 : strcmp(PQcmdTuples(res), "0") != 0;
	if (changed)
		wellness_audit(req, done ? "habit_complete" : "habit_uncomplete", "habit", id, NULL);
	wellness_respond_habit(req, done && changed ? 201 : 200, id, today);
out:
	PQclear(res);
}

void
wellness_habit_complete(struct astral_request *req, const void *input)
{
	(void)input;
	completion_set(req, 1);
}

void
wellness_habit_uncomplete(struct astral_request *req, const void *input)
{
	(void)input;
	completion_set(req, 0);
}
