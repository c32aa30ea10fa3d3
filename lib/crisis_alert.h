/*
 * What every program does when the crisis detector fires (or a seeker presses the emergency
 * button): raise an alert row for the moderators' queue inside the request's transaction, and
 * tell the writer where help is. The alert never holds the user's text: the source row and the
 * detector's rule ids say where to look.
 */
#ifndef ASTRAL_CRISIS_ALERT_H
#define ASTRAL_CRISIS_ALERT_H

#include <json-c/json.h>

#include "app.h"
#include "crisis.h"
#include "db.h"
#include "error.h"
#include "http.h"

struct astral_crisis_alert {
	const char *user_id;        /* whose safety is at stake */
	const char *source;         /* post|message|emergency|ai|assessment|journal */
	const char *source_id;      /* the row that fired, or NULL */
	const char *session_id;     /* the help session, or NULL */
	enum astral_crisis_severity severity;   /* LOW..HIGH */
	const struct astral_crisis_result *result;  /* categories and rule ids, or NULL (emergency) */
};

/* INSERT the alert in the open transaction (it travels in one round trip with the look-up of the
   staff to tell) and keep `alert.new` for every moderator and admin until COMMIT (lib/realtime.h);
   raised_by is the caller. id_out (37 bytes, may be NULL) receives the new alert's id. */
astral_err astral_crisis_alert_raise(struct astral_request *req, const struct astral_crisis_alert *alert,
                                     char *id_out) ASTRAL_MUST_USE;

/* The `crisis` object of a response to the writer: severity, categories (of result; NULL: high,
   none) and the resources to show at once, those of the host's region (wellness.crisis_region)
   from the resources catalogue: its crisis lines, its emergency number, then Find A Helpline
   (astral_resources_crisis_lines). */
struct json_object *astral_crisis_response_json(const struct astral_app *app,
                                                const struct astral_crisis_result *result);

/* The host's crisis lines alone, as `resources` of a crisis answer lists them: a new array (the
   safety plan, the AI's fallback and guidance answers). */
struct json_object *astral_crisis_lines_json(const struct astral_app *app);

extern const struct astral_stmt astral_crisis_alert_stmts[];
extern const size_t astral_crisis_alert_stmt_count;

#endif
