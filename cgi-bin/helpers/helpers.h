/*
 * cgi-bin/helpers: helper profiles, availability, a seeker's favourite helpers, and the helper
 * program (training, certification, the dashboard, the helpers' community). Handlers are
 * grouped by concern: directory.c (the public list and one public profile, with the list's
 * keyset cursor), profiles.c (my profile: read, create, update), availability.c (going online
 * and offline, ending a rest, the public online count), favorites.c, training.c (the lessons and
 * the quiz; the text in training_content.c, the grading in training_quiz.c, see training.h),
 * application.c (applying for certification), dashboard.c, community.c (what the community
 * routes share: authors, keyset cursors, pages), community_threads.c, community_proposals.c.
 * respond.c builds the HelperProfile object and holds the audit helpers; statements.c holds
 * every SQL statement of the program.
 *
 * "Online" everywhere here means switched on and not resting (the gentle limit,
 * migrations/0015_helper_rest.sql): every statement that answers it takes the request's clock
 * and [helpers] rest_minutes.
 */
#ifndef ASTRAL_HELPERS_H
#define ASTRAL_HELPERS_H

#include "audit.h"
#include "db.h"
#include "http.h"
#include "input.h"
#include "router.h"

enum helpers_stmt {
	HELPERS_ONLINE_COUNT,
	HELPERS_PAGE,
	HELPERS_PROFILE,
	HELPERS_PROFILE_INSERT,
	HELPERS_PROFILE_UPDATE,
	HELPERS_AVAILABILITY_SET,
	HELPERS_FAVORITES,
	HELPERS_REST_END,
	HELPERS_TRAINING_STATE,
	HELPERS_TRAINING_INSERT,
	HELPERS_APPLICATION_LATEST,
	HELPERS_APPLICATION_INSERT,
	HELPERS_DASHBOARD,
	HELPERS_THREADS_PAGE,
	HELPERS_THREAD_GET,
	HELPERS_THREAD_INSERT,
	HELPERS_THREAD_POSTS_PAGE,
	HELPERS_THREAD_POST_INSERT,
	HELPERS_PROPOSALS_PAGE,
	HELPERS_PROPOSAL_GET,
	HELPERS_PROPOSAL_INSERT,
	HELPERS_MY_REPUTATION,
	HELPERS_VOTE_INSERT,
	HELPERS_STMT_COUNT
};

extern const struct astral_stmt helpers_stmts[HELPERS_STMT_COUNT];

/* The fixed expertise list of the contract (NULL-terminated). */
extern const char *const helpers_expertise[];
#define HELPERS_EXPERTISE_MAX 8
#define HELPERS_BIO_MAX 500
/* The dashboard counts the available posts up to this many ("100+" beyond). */
#define HELPERS_AVAILABLE_POSTS_CAP 100

/* Run one of this program's statements. */
astral_err helpers_exec(struct astral_request *req, enum helpers_stmt s, const struct astral_params *p,
                        PGresult **res) ASTRAL_MUST_USE;

/* Append an audit row about the caller's own profile (actor = subject = the caller). */
void helpers_audit(struct astral_request *req, const char *action, const char *detail);
/* The same about another object of the caller's (an attempt, an application, a thread...). */
void helpers_audit_object(struct astral_request *req, const char *action, const char *object_type,
                          const char *object_id, const char *detail);

/* The request's clock and [helpers] rest_minutes, the two parameters every statement that
   answers "online" or "resting" takes (in this order). */
void helpers_params_rest(struct astral_params *p, const struct astral_request *req);

/*
 * Every statement that answers HelperProfile rows selects the same leading columns, in this
 * order (PROFILE_COLUMNS in statements.c); helpers_profile_json() reads them.
 */
enum helpers_profile_col {
	HP_ID,
	HP_DISPLAY_NAME,
	HP_HELPER_TIER,
	HP_JOINED_AT,
	HP_BIO,
	HP_EXPERTISE,          /* JSON array text */
	HP_ONLINE,
	HP_SESSIONS,
	HP_KUDOS,
	HP_FEEDBACK,
	HP_REPUTATION,         /* numeric text or NULL */
	HP_XP,
	HP_ACHIEVEMENTS,       /* JSON [[id, epoch], ...] text */
	HP_JOINED_US,          /* join time in microseconds (the directory's keyset) */
	HP_COLUMN_COUNT
};

/* The HelperProfile object of one result row. NULL (and *err set) when a column cannot be
   read back. */
struct json_object *helpers_profile_json(const PGresult *res, int row, astral_err *err);

/* 200/201 with the profile of `user_id` read back in this transaction; 404 when it has none. */
void helpers_respond_profile(struct astral_request *req, int status, const char *user_id);

/* Handlers. */
void helpers_online_count(struct astral_request *req, const void *input);
void helpers_list(struct astral_request *req, const void *input);
void helpers_get(struct astral_request *req, const void *input);
void helpers_me_get(struct astral_request *req, const void *input);
void helpers_me_post(struct astral_request *req, const void *input);
void helpers_me_put(struct astral_request *req, const void *input);
void helpers_availability_put(struct astral_request *req, const void *input);
void helpers_favorites(struct astral_request *req, const void *input);
void helpers_training_get(struct astral_request *req, const void *input);
void helpers_training_post(struct astral_request *req, const void *input);
void helpers_application_get(struct astral_request *req, const void *input);
void helpers_application_post(struct astral_request *req, const void *input);
void helpers_dashboard(struct astral_request *req, const void *input);
void community_threads_list(struct astral_request *req, const void *input);
void community_thread_create(struct astral_request *req, const void *input);
void community_thread_get(struct astral_request *req, const void *input);
void community_thread_posts(struct astral_request *req, const void *input);
void community_thread_reply(struct astral_request *req, const void *input);
void community_proposals_list(struct astral_request *req, const void *input);
void community_proposal_create(struct astral_request *req, const void *input);
void community_proposal_vote(struct astral_request *req, const void *input);

/* Input declarations (defined beside their handlers, referenced by the route table). */
extern const struct astral_input_spec helpers_list_input, helpers_me_post_input, helpers_me_put_input,
	helpers_availability_input, helpers_training_input, helpers_application_input, community_page_input,
	community_thread_input, community_reply_input, community_proposals_page_input, community_proposal_input,
	community_vote_input;

/* ---- certification (application.c), shared with the dashboard ---- */

/* "none", "pending", "approved" or "rejected": the latest application's status, except that a
   certified helper reads "approved" whatever became of an earlier application. `latest` is the
   latest application's status, NULL when there is none. */
const char *helpers_certification_status(const struct astral_request *req, const char *latest);

/* ---- the community (community.c) ---- */

/* A keyset position: the list's kind letter, a time in microseconds, the last item's id. */
struct community_after {
	long long us;
	char id[37];
};

/* Read ?cursor= of list `kind` into *after; NULL (no cursor) leaves it empty. Answers 400
   naming `cursor` and returns 0 when the cursor is not one of this list's. */
int community_after_read(struct astral_request *req, const char *cursor, char kind, struct community_after *after);
/* Append the position's two parameters (time, id), or two NULLs for the first page. */
void community_params_after(struct astral_params *p, const struct community_after *after, const char *cursor);

/* One row of a list as JSON; NULL when a column cannot be read back. */
typedef struct json_object *(*community_row_json)(const struct astral_request *req, const PGresult *res, int row);

/* 200 {items, next} from res (limit + 1 rows asked for): the cursor after the last item is made
   from its columns us_col (microseconds) and id_col. */
void community_respond_page(struct astral_request *req, const PGresult *res, long long limit, char kind,
                            community_row_json item, int us_col, int id_col);

/* Text made only of white space says nothing: answers 400 naming `field` and returns 1. */
int community_refuse_blank(struct astral_request *req, const char *text, const char *field);

/* Author: {id, display_name}, or null once the account is gone (id column NULL). */
struct json_object *community_author_json(const PGresult *res, int row, int id_col, int name_col);

/* The columns of the Thread, ThreadPost and Proposal statements (statements.c), in order. */
enum community_thread_col { CT_ID, CT_TITLE, CT_AUTHOR_ID, CT_AUTHOR_NAME, CT_CREATED_AT, CT_LAST_POST_AT,
	CT_POST_COUNT, CT_LAST_POST_US };
enum community_post_col { CP_ID, CP_THREAD_ID, CP_AUTHOR_ID, CP_AUTHOR_NAME, CP_CONTENT, CP_CREATED_AT, CP_MINE,
	CP_CREATED_US };
enum community_proposal_col { CR_ID, CR_TITLE, CR_DESCRIPTION, CR_AUTHOR_ID, CR_AUTHOR_NAME, CR_CREATED_AT,
	CR_ENDS_AT, CR_CLOSED, CR_FOR, CR_AGAINST, CR_ABSTAIN, CR_MY_VOTE, CR_CREATED_US };

struct json_object *community_thread_json(const struct astral_request *req, const PGresult *res, int row);
struct json_object *community_post_json(const struct astral_request *req, const PGresult *res, int row);

#endif
