/*
 * cgi-bin/wellness, mood and habits (journal, assessments, safety plan and resources are in
 * care.h). Handlers are grouped by concern: mood_checkin.c (POST /api/wellness/mood),
 * mood_history.c (GET /api/wellness/mood), insights.c, mood_csv.c (the CSV export), habits.c
 * (catalogue, list, track, untrack), habit_completions.c (complete and undo a day). Below them:
 * local_day.c (the caller's time zone and today in it), timezone_name.c (the shape of a zone name,
 * pure), day_number.c (calendar days as numbers, also a habit row's list of them, pure),
 * streak.c (streak rules, pure), habit_view.c (a Habit object with its streaks), mood_note.c
 * (sealing and opening notes), csv.c (RFC 4180 cells), respond.c (JSON of a check-in),
 * wellness_audit.c (audit rows, also of the care half); statements.c holds every SQL statement of this part.
 */
#ifndef ASTRAL_WELLNESS_H
#define ASTRAL_WELLNESS_H

#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "crypt.h"
#include "day_number.h"
#include "db.h"
#include "http.h"
#include "input.h"
#include "router.h"
#include "strbuf.h"
#include "timezone_name.h"
#include "wellness_audit.h"

enum wellness_stmt {
	WELLNESS_LOCAL_DAY,
	WELLNESS_MOOD_DAY,
	WELLNESS_MOOD_UPSERT,
	WELLNESS_MOOD_UPSERT_TODAY,
	WELLNESS_MOOD_RANGE,
	WELLNESS_MOOD_INSIGHTS,
	WELLNESS_MOOD_INSIGHTS_KEPT,
	WELLNESS_MOOD_INSIGHTS_KEEP,
	WELLNESS_MOOD_EXPORT,
	WELLNESS_HABIT_EXPORT,
	WELLNESS_HABIT_CATALOG,
	WELLNESS_HABITS_LIST,
	WELLNESS_HABIT_GET,
	WELLNESS_HABIT_TRACK_CATALOG,
	WELLNESS_HABIT_TRACK_CUSTOM,
	WELLNESS_HABIT_UNTRACK,
	WELLNESS_HABIT_COMPLETE,
	WELLNESS_HABIT_UNCOMPLETE,
	WELLNESS_STMT_COUNT
};

extern const struct astral_stmt wellness_stmts[WELLNESS_STMT_COUNT];

/* Run one of this part's statements. */
astral_err wellness_exec(struct astral_request *req, enum wellness_stmt s, const struct astral_params *p,
                         PGresult **res) ASTRAL_MUST_USE;

/* Limits shared by the handlers, the statements and docs/openapi.yaml. */
#define WELLNESS_NOTE_MAX 1000
#define WELLNESS_HISTORY_MAX_SPAN 366       /* days between from and to */
#define WELLNESS_HISTORY_DEFAULT_SPAN 29    /* the last 30 days, today included */
#define WELLNESS_HABITS_MAX 50              /* tracked habits per user */
#define WELLNESS_HABIT_NAME_MAX 80
#define WELLNESS_COMPLETIONS_SHOWN 90       /* days of completions in a Habit object */

extern const char *const wellness_mood_tags[];         /* NULL-terminated, the fixed tag list */
extern const char *const wellness_habit_categories[];  /* NULL-terminated */

/* Column positions of the insights statement: the first row (part 0) fills UNKNOWN_ZONE, DAY (the
   window's first day number) through NOT_ENOUGH, and VERSION (of the data it was computed from);
   each following row (part 1) is a check-in of the last 365 days with DAY and MOOD through ENERGY. */
enum wellness_insight_col {
	WELLNESS_IC_PART, WELLNESS_IC_UNKNOWN_ZONE, WELLNESS_IC_DAY, WELLNESS_IC_TODAY, WELLNESS_IC_CHECKINS,
	WELLNESS_IC_MEASURES, WELLNESS_IC_CORRELATIONS, WELLNESS_IC_NOT_ENOUGH, WELLNESS_IC_MOOD,
	WELLNESS_IC_ANXIETY, WELLNESS_IC_SLEEP, WELLNESS_IC_ENERGY, WELLNESS_IC_VERSION
};

/* Column positions of the check-in statements (UPSERT, UPSERT_TODAY, RANGE, EXPORT). */
enum wellness_mood_col {
	WELLNESS_MC_ID, WELLNESS_MC_DAY, WELLNESS_MC_MOOD, WELLNESS_MC_ANXIETY, WELLNESS_MC_SLEEP, WELLNESS_MC_ENERGY,
	WELLNESS_MC_TAGS, WELLNESS_MC_NOTE, WELLNESS_MC_CREATED_AT, WELLNESS_MC_UPDATED_AT
};

/* Column positions of HABITS_LIST and HABIT_GET: the days column holds every completion as a
   comma-separated list of day numbers (days since 1970-01-01), ascending; "" when none. */
enum wellness_habit_col {
	WELLNESS_HC_ID, WELLNESS_HC_CATALOG_ID, WELLNESS_HC_NAME, WELLNESS_HC_CATEGORY, WELLNESS_HC_CREATED_AT,
	WELLNESS_HC_DAYS
};

/* ------------------------------------------------------------ time zones and days (local_day.c) */

/* The shape of a name (wellness_timezone_problem) and WELLNESS_TIMEZONE_MAX: timezone_name.h. */
/* Today in zone `tz` at the request's time, as a day number. INVALID when the zone is not known
   (the caller answers 400 naming its field). */
astral_err wellness_today(struct astral_request *req, const char *tz, int32_t *today) ASTRAL_MUST_USE;
/* The `timezone` query parameter of a POST or DELETE (whose input is the body): "UTC" when
   absent. Answers 400 itself and returns 0 on a bad or unknown parameter. */
int wellness_query_timezone(struct astral_request *req, char tz[WELLNESS_TIMEZONE_MAX + 1]);
/* 400 naming `field` for a zone PostgreSQL does not know. */
void wellness_respond_unknown_timezone(struct astral_request *req, const char *field);

/* ------------------------------------------------------------ mood notes (mood_note.c) */

/* Seal a note with the user's data key (AAD mood_checkins|note|<id>). */
astral_err wellness_mood_note_seal(const unsigned char dek[ASTRAL_DEK_LEN], const char *id, const char *note,
                                   unsigned char **out, size_t *outlen) ASTRAL_MUST_USE;
/* Open row `row`'s note (column WELLNESS_MC_NOTE): *note is malloc'd, NULL when there is none. */
astral_err wellness_mood_note_open(const unsigned char dek[ASTRAL_DEK_LEN], const PGresult *res, int row,
                                   char **note) ASTRAL_MUST_USE;
/* True when any row of `res` has a note (the data key is needed). */
int wellness_mood_rows_have_notes(const PGresult *res);

/* ------------------------------------------------------------ JSON (respond.c) */

/* A MoodCheckin from row `row`, with its note already opened (NULL: none). `crisis` (taken over,
   may be NULL) is the detector's answer to the note just written, as in a journal write: only the
   check-in's own answer carries it, a history carries null and safety_plan_prompt false. */
struct json_object *wellness_mood_json(const PGresult *res, int row, const char *note, struct json_object *crisis);

/* ------------------------------------------------------------ habits (habit_view.c) */

/* A Habit from row `row` of HABITS_LIST or HABIT_GET, with its streaks as of `today`. */
astral_err wellness_habit_json(const PGresult *res, int row, int32_t today, struct json_object **out) ASTRAL_MUST_USE;
/* Respond `status` with the caller's habit `id` as of `today`; 404 when it is not theirs. */
void wellness_respond_habit(struct astral_request *req, int status, const char *id, int32_t today);

/* ------------------------------------------------------------ CSV (csv.c) */

/* A CSV document being written: RFC 4180 (CRLF rows, fields quoted when they hold a quote, a
   comma or a line break, quotes doubled) and no cell a spreadsheet would run as a formula (text
   starting with = + - @, tab or CR gets a leading '). `text.failed` is set once an allocation
   fails; every later call does nothing. */
struct wellness_csv {
	struct astral_strbuf text;
	int row_open;
};

void wellness_csv_text(struct wellness_csv *c, const char *s);   /* NULL → an empty cell */
void wellness_csv_int(struct wellness_csv *c, long long v);
void wellness_csv_end_row(struct wellness_csv *c);
/* Ends the document; hands the buffer over (*out malloc'd) or NOMEM; frees it on failure. */
astral_err wellness_csv_finish(struct wellness_csv *c, char **out, size_t *len) ASTRAL_MUST_USE;
void wellness_csv_free(struct wellness_csv *c);

/* ------------------------------------------------------------ handlers and their inputs */

extern const struct astral_input_spec wellness_mood_checkin_input;
extern const struct astral_input_spec wellness_mood_history_input;
extern const struct astral_input_spec wellness_mood_insights_input;
extern const struct astral_input_spec wellness_habits_list_input;
extern const struct astral_input_spec wellness_habit_track_input;

void wellness_mood_checkin(struct astral_request *req, const void *input);
void wellness_mood_history(struct astral_request *req, const void *input);
void wellness_mood_insights(struct astral_request *req, const void *input);
void wellness_mood_export_csv(struct astral_request *req, const void *input);
void wellness_habit_catalog(struct astral_request *req, const void *input);
void wellness_habits_list(struct astral_request *req, const void *input);
void wellness_habit_track(struct astral_request *req, const void *input);
void wellness_habit_untrack(struct astral_request *req, const void *input);
void wellness_habit_complete(struct astral_request *req, const void *input);
void wellness_habit_uncomplete(struct astral_request *req, const void *input);

#endif
