/*
 * cgi-bin/helpers: helper profiles, availability and a seeker's favourite helpers. Handlers are
 * grouped by concern: directory.c (the public list and one public profile, with the list's
 * keyset cursor), profiles.c (my profile: read, create, update), availability.c (going online
 * and offline, the public online count), favorites.c. respond.c builds the HelperProfile object
 * and holds the audit helper; statements.c holds every SQL statement of the program.
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
	HELPERS_STMT_COUNT
};

extern const struct astral_stmt helpers_stmts[HELPERS_STMT_COUNT];

/* The fixed expertise list of the contract (NULL-terminated). */
extern const char *const helpers_expertise[];
#define HELPERS_EXPERTISE_MAX 8
#define HELPERS_BIO_MAX 500

/* Run one of this program's statements. */
astral_err helpers_exec(struct astral_request *req, enum helpers_stmt s, const struct astral_params *p,
                        PGresult **res) ASTRAL_MUST_USE;

/* Append an audit row about the caller's own profile (actor = subject = the caller). */
void helpers_audit(struct astral_request *req, const char *action, const char *detail);

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

/* Input declarations (defined beside their handlers, referenced by the route table). */
extern const struct astral_input_spec helpers_list_input, helpers_me_post_input, helpers_me_put_input,
	helpers_availability_input;

#endif
