/*
 * cgi-bin/moderation: the moderators' and admins' work (docs/moderation-api-contract.md). Handlers
 * by concern: reports.c (the report queue, dismiss, remove a post), alerts.c (the crisis alert
 * queue, one alert with its flagged excerpt, acknowledge, resolve), sanctions.c (a person's
 * standing, warn, ban, unban), history.c (what was done to me and to my reports: any signed-in
 * person), videos.c (pending videos), break_glass.c (time-boxed grants and reading a help
 * session through one), applications.c (helper certification), roles.c (role changes), stats.c,
 * audit_query.c (the audit log and its chain). respond.c holds the JSON shared by several of them,
 * the cursors, the audit helper and the sanction rules; statements.c holds every SQL statement of
 * the program.
 *
 * Least sight: staff see a reported post, at most 280 characters of what fired an alert (one alert
 * at a time, on request), and a whole conversation only through a break-glass grant; every staff
 * request leaves an audit row.
 */
#ifndef ASTRAL_MODERATION_H
#define ASTRAL_MODERATION_H

#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "cursor.h"
#include "db.h"
#include "http.h"
#include "input.h"
#include "random.h"
#include "router.h"

#define MOD_REASON_MAX 500          /* code points of a sanction or decision reason */
#define MOD_NOTE_MAX 1000           /* an alert's resolution note, an application's notes */
#define MOD_EXCERPT_MAX 280         /* code points of a flagged excerpt */
#define MOD_ACTIONS_SHOWN 20        /* UserStatus.actions */
#define MOD_HISTORY_MAX 100         /* rows of each list of GET /api/moderation/history */
#define MOD_BAN_HOURS_MAX 87600
#define MOD_LIST_MAX 100
#define MOD_LIST_DEFAULT 20

enum moderation_stmt {
	MOD_REPORT_QUEUE,
	MOD_REPORT_DISMISS,
	MOD_POST_REMOVE,
	MOD_POST_STATUS,
	MOD_POST_SESSION_END,
	MOD_ALERTS_PAGE,
	MOD_ALERT_GET,
	MOD_ALERT_LOCK,
	MOD_ALERT_ACK,
	MOD_ALERT_RESOLVE,
	MOD_USER_STATUS,
	MOD_USER_LOCK,
	MOD_USER_ACTIONS,
	MOD_ACTION_INSERT,
	MOD_BAN_UPSERT,
	MOD_BAN_DELETE,
	MOD_HISTORY_ACTIONS,
	MOD_HISTORY_REPORTS,
	MOD_VIDEOS_PENDING,
	MOD_VIDEO_STATUS,
	MOD_VIDEO_DECIDE,
	MOD_GRANT_INSERT,
	MOD_GRANT_SUBJECT,
	MOD_GRANTS_ACTIVE,
	MOD_GRANT_FIND,
	MOD_BG_SESSION,
	MOD_BG_MESSAGES,
	MOD_APPLICATIONS_PENDING,
	MOD_APPLICATIONS_DECIDED,
	MOD_APPLICATION_GET,
	MOD_APPLICATION_LOCK,
	MOD_HELPER_CERTIFY,
	MOD_APPLICATION_DECIDE,
	MOD_STATS,
	MOD_AUDIT_BY_ACTOR,
	MOD_AUDIT_BY_SUBJECT,
	MOD_AUDIT_ALL,
	MOD_STMT_COUNT
};

extern const struct astral_stmt moderation_stmts[MOD_STMT_COUNT];

/* Run one of this program's statements. */
astral_err moderation_exec(struct astral_request *req, enum moderation_stmt s, const struct astral_params *p,
                           PGresult **res) ASTRAL_MUST_USE;

/* Columns of a ReportItem row (MOD_REPORT_QUEUE, MOD_REPORT_DISMISS). */
enum moderation_report_col {
	RC_POST_ID, RC_CATEGORY, RC_CONTENT, RC_STATUS, RC_CREATED_AT, RC_AUTHOR_ID, RC_AUTHOR_NAME, RC_AUTHOR_ROLE,
	RC_REPORTS,            /* JSON array text */
	RC_COUNT, RC_FIRST_AT, RC_RANK, RC_FIRST_US
};

/* Columns of an Alert row (MOD_ALERTS_PAGE, MOD_ALERT_GET; the page's source columns are NULL). */
enum moderation_alert_col {
	AC_ID, AC_USER_ID, AC_USER_NAME, AC_USER_ROLE, AC_SOURCE, AC_SOURCE_ID, AC_SESSION_ID, AC_SEVERITY,
	AC_CATEGORIES, AC_RULES,  /* JSON array text */
	AC_STATUS, AC_CREATED_AT,
	AC_ACK_ID, AC_ACK_NAME, AC_ACK_ROLE, AC_ACK_AT,
	AC_RES_ID, AC_RES_NAME, AC_RES_ROLE, AC_RES_AT, AC_RESOLUTION_NOTE,
	AC_POST_EXCERPT,       /* the first 280 characters of a source post */
	AC_MESSAGE_ID, AC_MESSAGE_SESSION, AC_MESSAGE_BODY, AC_MESSAGE_KEY,   /* a source message, sealed */
	AC_CREATED_US, AC_RANK,
	AC_HAS_EXCERPT         /* boolean: the source post, or the source message and its key, is there */
};

/* Columns of a ModerationAction row (MOD_USER_ACTIONS; MOD_HISTORY_ACTIONS stops before the moderator). */
enum moderation_action_col {
	MC_ID, MC_ACTION, MC_REASON, MC_POST_ID, MC_VIDEO_ID, MC_EXPIRES_AT, MC_CREATED_AT,
	MC_MOD_ID, MC_MOD_NAME, MC_MOD_ROLE
};

/* Columns of MOD_USER_STATUS. */
enum moderation_user_col {
	UC_ID, UC_NAME, UC_ROLE, UC_TIER, UC_CREATED_AT, UC_WARNINGS, UC_BANNED, UC_BAN_REASON, UC_BAN_BY_ID,
	UC_BAN_BY_NAME, UC_BAN_BY_ROLE, UC_BAN_AT, UC_BAN_UNTIL
};

/* Columns of an Application row (MOD_APPLICATIONS_*, MOD_APPLICATION_GET). */
enum moderation_application_col {
	PC_ID, PC_HELPER_ID, PC_HELPER_NAME, PC_BIO, PC_EXPERTISE, PC_JOINED_AT, PC_STATUS, PC_MOTIVATION,
	PC_QUIZ_SCORE, PC_SUBMITTED_AT, PC_SESSIONS, PC_KUDOS, PC_REPUTATION, PC_FEEDBACK, PC_DECIDED_AT,
	PC_DECIDER_ID, PC_DECIDER_NAME, PC_DECIDER_ROLE, PC_NOTES, PC_SUBMITTED_US
};

/* The query of the plain lists (?limit=&cursor=): moderation_page_input. */
struct moderation_page_in { long long limit; const char *cursor; };
/* The body of the routes that take only a reason (remove a post, warn, unban, reject a video). */
struct moderation_reason_in { const char *reason; };

/* ---- respond.c ---- */

/* A nullable epoch-seconds column as an RFC 3339 time or null. */
void moderation_add_time(struct json_object *o, const char *key, const PGresult *res, int row, int col);
/* UserRef {id, display_name, role} from three columns, or null when the id column is NULL. */
struct json_object *moderation_user_ref(const PGresult *res, int row, int id_col);
/* A JSON array or object the database wrote (array_to_json, json_agg); NULL when unreadable. */
struct json_object *moderation_json_column(const PGresult *res, int row, int col);
/* `text` cut to at most `max` code points (a UTF-8 string from the database), malloc'd. */
char *moderation_excerpt(const char *text, size_t max);

/* The list body {items, next}; `next` may be NULL. Takes ownership of items. */
struct json_object *moderation_list(struct json_object *items, const char *next);
/* Answer `err` after rolling back whatever the handler wrote (the dispatcher would commit it):
   a failed request never leaves a partial write. */
void moderation_fail(struct astral_request *req, astral_err err);
/* 400 invalid_field naming `cursor`. */
void moderation_respond_bad_cursor(struct astral_request *req);

/* One audit row for a staff action, the caller as actor. `detail` is written as "<code>" or
   "<code>: <reason>" and cut to the 200 code points the audit log holds (the reason is staff's
   own words, never a person's content). outcome: success|denied. */
astral_err moderation_audit(struct astral_request *req, const char *action, const char *object_type,
                            const char *object_id, const char *subject_id, const char *outcome, const char *code,
                            const char *reason) ASTRAL_MUST_USE;

/* Refuse a staff action with 409 conflict and `message`, after its audit row (outcome denied,
   detail `code`): a refused request that wrote nothing is still a staff action, and the
   dispatcher commits a 4xx answer, so the row stands. On an error nothing was answered. */
astral_err moderation_refuse_conflict(struct astral_request *req, const char *action, const char *object_type,
                                      const char *object_id, const char *subject_id, const char *code,
                                      const char *message) ASTRAL_MUST_USE;

/* Sanction rules of the contract for the caller acting on a person with role `target_role`:
   moderators act on seekers and helpers, admins on moderators as well; nobody on an admin or on
   themselves. */
int moderation_may_sanction(const struct astral_request *req, const char *target_id, const char *target_role);

/* 200 with the UserStatus of `user_id` as staff see it now; 404 when there is no such user. */
void moderation_respond_user_status(struct astral_request *req, const char *user_id);
/* The ModerationAction of row `row` (MC_ columns); with_moderator adds `moderator` (staff view). */
struct json_object *moderation_action_json(const PGresult *res, int row, int with_moderator);

/* The Alert of row `row` (AC_ columns). With `with_excerpt` its excerpt is opened when it has one,
   and *had_excerpt tells whether one was shown (the caller audits that read); without, `excerpt`
   is null (the queue). NULL and *err on failure. */
struct json_object *moderation_alert_json(struct astral_request *req, const PGresult *res, int row,
                                          int with_excerpt, int *had_excerpt, astral_err *err);
/* The Application of row `row` (PC_ columns). */
struct json_object *moderation_application_json(const PGresult *res, int row);

/* ---- cursors: keyset tokens of lib/cursor.h, tagged with the list they belong to ---- */

/* Decode a cursor of exactly `nparts` parts whose first part is `tag`. INVALID otherwise. */
astral_err moderation_cursor_decode(const char *text, const char *tag, size_t nparts,
                                    struct astral_cursor *c) ASTRAL_MUST_USE;

/* ---- handlers ---- */
void moderation_reports(struct astral_request *req, const void *input);
void moderation_report_dismiss(struct astral_request *req, const void *input);
void moderation_post_remove(struct astral_request *req, const void *input);
void moderation_alerts(struct astral_request *req, const void *input);
void moderation_alert_get(struct astral_request *req, const void *input);
void moderation_alert_ack(struct astral_request *req, const void *input);
void moderation_alert_resolve(struct astral_request *req, const void *input);
void moderation_user_get(struct astral_request *req, const void *input);
void moderation_user_warn(struct astral_request *req, const void *input);
void moderation_user_ban(struct astral_request *req, const void *input);
void moderation_user_unban(struct astral_request *req, const void *input);
void moderation_history(struct astral_request *req, const void *input);
void moderation_videos(struct astral_request *req, const void *input);
void moderation_video_approve(struct astral_request *req, const void *input);
void moderation_video_reject(struct astral_request *req, const void *input);
void moderation_grant_open(struct astral_request *req, const void *input);
void moderation_grants(struct astral_request *req, const void *input);
void moderation_session_messages(struct astral_request *req, const void *input);
void moderation_applications(struct astral_request *req, const void *input);
void moderation_application_decide(struct astral_request *req, const void *input);
void moderation_role_set(struct astral_request *req, const void *input);
void moderation_stats(struct astral_request *req, const void *input);
void moderation_audit_log(struct astral_request *req, const void *input);

/* Input declarations (defined beside their handlers, referenced by the route table). */
extern const struct astral_input_spec moderation_page_input, moderation_dismiss_input, moderation_reason_input,
	moderation_alerts_input, moderation_resolve_input, moderation_ban_input, moderation_grant_input,
	moderation_applications_input, moderation_decide_input, moderation_role_input, moderation_stats_input,
	moderation_audit_input;

#endif
