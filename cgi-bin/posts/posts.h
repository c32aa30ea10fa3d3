/*
 * cgi-bin/posts: the peer-support feed, posts, direct requests and reflections. Handlers are
 * grouped by concern: feed.c (the feed, For You, my posts, one post), post_write.c (create),
 * support.c (support on/off), reports.c, help_requests.c (accept, resolve, publish, direct
 * requests, decline), reflections.c. statements.c holds every SQL statement of the program,
 * cursor.c the keyset cursors and respond.c the JSON builders and the audit helper.
 */
#ifndef ASTRAL_POSTS_H
#define ASTRAL_POSTS_H

#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "crisis.h"
#include "db.h"
#include "http.h"
#include "input.h"
#include "router.h"

enum posts_stmt {
	POSTS_FEED_NEWEST,
	POSTS_FEED_NEWEST_CATEGORY,
	POSTS_FEED_NEWEST_SEARCH,
	POSTS_FEED_SUPPORT,
	POSTS_FEED_SUPPORT_CATEGORY,
	POSTS_FEED_SUPPORT_SEARCH,
	POSTS_FEED_NEEDS,
	POSTS_FEED_NEEDS_CATEGORY,
	POSTS_FEED_NEEDS_SEARCH,
	POSTS_SEARCH_PROBE,
	POSTS_FEED_NEWEST_FEW,
	POSTS_FEED_SUPPORT_FEW,
	POSTS_FEED_NEEDS_FEW,
	POSTS_HAS_OWN,
	POSTS_FOR_YOU_CATEGORIES,
	POSTS_FOR_YOU_NEEDS,
	POSTS_MINE,
	POSTS_REQUESTS_TO_ME,
	POSTS_GET,
	POSTS_INSERT,
	POSTS_SUPPORT_ADD,
	POSTS_SUPPORT_REMOVE,
	POSTS_SUPPORT_STATE,
	POSTS_REPORTED_BY_ME,
	POSTS_REPORT_INSERT,
	POSTS_TAKEN,
	POSTS_HELPER_AVAILABLE,
	POSTS_HELPER_PUBLIC,
	POSTS_IS_BLOCK_PEER,
	POSTS_SESSION_INSERT,
	POSTS_SET_IN_PROGRESS,
	POSTS_HELPER_SUMMARY,
	POSTS_RESOLVE,
	POSTS_SESSION_END_RESOLVED,
	POSTS_PUBLISH,
	POSTS_DECLINE,
	POSTS_REFLECTIONS_LIST,
	POSTS_REFLECTION_INSERT,
	POSTS_REFLECTION_VISIBLE,
	POSTS_LIGHT_ADD,
	POSTS_LIGHT_REMOVE,
	POSTS_LIGHT_STATE,
	POSTS_STMT_COUNT
};

extern const struct astral_stmt posts_stmts[POSTS_STMT_COUNT];

/* A search matching at most this many public posts reads exactly those (statements.c puts the
   same number into SQL). */
#define POSTS_SEARCH_FEW_MAX 1000

/* The columns of every statement that returns posts (POST_COLUMNS in statements.c). */
enum posts_col {
	POST_COL_ID,
	POST_COL_CATEGORY,
	POST_COL_CONTENT,
	POST_COL_STATUS,
	POST_COL_CREATED_AT,
	POST_COL_SUPPORT_COUNT,
	POST_COL_SUPPORTED_BY_ME,
	POST_COL_MINE,
	POST_COL_FILTERED,
	POST_COL_SESSION_ID,
	POST_COL_REQUESTED_ID,
	POST_COL_REQUESTED_NAME,
	POST_COL_AUTHOR_ID,          /* internal: never sent */
	POST_COL_RAW_REQUESTED_ID,   /* internal: never sent */
	POST_COL_EXCERPT,            /* the first 160 characters, for a help session */
	POST_COL_CREATED_US,         /* internal: the keyset position (microseconds) */
	POST_NCOLS
};

/* Reflection columns. */
enum posts_reflection_col {
	REFL_COL_ID,
	REFL_COL_CONTENT,
	REFL_COL_CREATED_AT,
	REFL_COL_LIGHT_COUNT,
	REFL_COL_LIT_BY_ME,
	REFL_COL_MINE,
	REFL_COL_CREATED_US          /* internal: the keyset position (microseconds) */
};

/* Run one of this program's statements. */
astral_err posts_exec(struct astral_request *req, enum posts_stmt s, const struct astral_params *p,
                      PGresult **res) ASTRAL_MUST_USE;

/* Append an audit row: actor is the caller, subject whose data it is (may be NULL). Never text. */
void posts_audit(struct astral_request *req, const char *action, const char *object_type, const char *object_id,
                 const char *subject_id, const char *detail);

/* ---- keyset cursors (cursor.c) ----
   A cursor is base64url("<kind>.<count>.<time>.<uuid>"): the sort key of the last item of a
   page. `kind` says which list it belongs to; a cursor of another list is refused. */
struct posts_cursor {
	char kind;
	long long count;     /* support or light count; 0 when the list does not sort by it */
	long long time;      /* microseconds since the epoch (exact, see EPOCH_US) */
	char id[37];
};

/* NULL for a good cursor, else the problem text for the `cursor` field. */
const char *posts_cursor_parse(const char *text, const char *kinds, struct posts_cursor *out);
/* The encoded cursor (malloc'd), NULL when out of memory. */
char *posts_cursor_make(char kind, long long count, long long time, const char *id);
/* Fill the key of the first page: everything comes after it in the list's order. */
void posts_cursor_first(struct posts_cursor *c, char kind, int ascending);

/* ---- JSON builders (respond.c) ---- */

/* The Post object of row `row` (POST_COLUMNS layout). */
struct json_object *posts_post_json(const PGresult *res, int row);
/* Respond 200 {items, next} with the posts of res (limit + 1 rows asked for); `kind` and
   `by_count` describe the cursor of the list. */
void posts_respond_post_list(struct astral_request *req, const PGresult *res, long long limit, char kind,
                             int by_count);
/* A 409 conflict saying what happened, optionally naming a field. */
void posts_respond_conflict(struct astral_request *req, const char *message, const char *field,
                            const char *problem);
/* A real-time event {type, at, ...}: the caller adds its fields. */
struct json_object *posts_event_new(const struct astral_request *req, const char *type);
/* Read one visible post into *res (POST_COLUMNS); NOT_FOUND when it is not visible to me. */
astral_err posts_get_visible(struct astral_request *req, const char *post_id, PGresult **res) ASTRAL_MUST_USE;

/* ---- shared by post_write.c and help_requests.c ---- */

/* Screen, take from the caller's write budget, insert and alert: a new post by the caller, public
   (requested_helper NULL) or a direct request. 1: stored, *res the inserted row (POST_COLUMNS),
   *crisis the detector's result; the caller responds. 0: answered (the budget's 429, with the
   crisis resources when the detector fired, or the error). */
int posts_insert(struct astral_request *req, const char *category, const char *content,
                 const char *requested_helper, PGresult **res,
                 struct astral_crisis_result *crisis) ASTRAL_MUST_USE;

/* Text made only of white space says nothing: it is refused like an empty one. */
int posts_text_is_blank(const char *s);

/* Handlers. */
void posts_feed(struct astral_request *req, const void *input);
void posts_for_you(struct astral_request *req, const void *input);
void posts_mine(struct astral_request *req, const void *input);
void posts_requests_to_me(struct astral_request *req, const void *input);
void posts_get(struct astral_request *req, const void *input);
void posts_create(struct astral_request *req, const void *input);
void posts_support_add(struct astral_request *req, const void *input);
void posts_support_remove(struct astral_request *req, const void *input);
void posts_report(struct astral_request *req, const void *input);
void posts_accept(struct astral_request *req, const void *input);
void posts_resolve(struct astral_request *req, const void *input);
void posts_publish(struct astral_request *req, const void *input);
void posts_direct_request(struct astral_request *req, const void *input);
void posts_decline(struct astral_request *req, const void *input);
void reflections_list(struct astral_request *req, const void *input);
void reflections_create(struct astral_request *req, const void *input);
void reflections_light_add(struct astral_request *req, const void *input);
void reflections_light_remove(struct astral_request *req, const void *input);

/* Input declarations (defined beside their handlers, referenced by the route table). */
extern const struct astral_input_spec posts_feed_input, posts_page_input, posts_create_input,
	posts_report_input, posts_direct_request_input, reflections_page_input, reflections_create_input;

/* The fixed post categories (NULL-terminated). */
extern const char *const posts_categories[];

#endif
