/*
 * cgi-bin/auth: identity, account and data rights. Handlers are grouped by concern:
 * sign_in.c (anonymous, register, login, recover, refresh, logout, session), credentials.c
 * (password), mfa.c, me.c (preferences, consents, blocks, access log), data_rights.c (export,
 * delete). statements.c holds every SQL statement of the program.
 */
#ifndef ASTRAL_AUTH_H
#define ASTRAL_AUTH_H

#include "account.h"
#include "audit.h"
#include "db.h"
#include "http.h"
#include "input.h"
#include "router.h"
#include "session.h"

enum auth_stmt {
	AUTH_USER_BY_ID,
	AUTH_LOGIN_FIND,
	AUTH_RECOVERY_FIND,
	AUTH_SET_RECOVERY,
	AUTH_THROTTLE_ENSURE,
	AUTH_THROTTLE_GET,
	AUTH_THROTTLE_FAIL,
	AUTH_THROTTLE_CLEAR,
	AUTH_USER_PASSWORD,
	AUTH_SET_PASSWORD,
	AUTH_TOTP_GET,
	AUTH_TOTP_SET_PENDING,
	AUTH_TOTP_CONFIRM,
	AUTH_TOTP_USE_STEP,
	AUTH_TOTP_REMOVE,
	AUTH_PREFS_GET,
	AUTH_PREFS_UPSERT,
	AUTH_CONSENTS_LIST,
	AUTH_CONSENT_INSERT,
	AUTH_USER_PUBLIC_NAME,
	AUTH_BLOCKS_LIST,
	AUTH_BLOCK_INSERT,
	AUTH_BLOCK_DELETE,
	AUTH_ACCESS_LOG,
	AUTH_EXPORT,
	AUTH_USER_DELETE,
	AUTH_BAN_FIND,
	AUTH_USER_LOCK,
	AUTH_DISPLAY_NAME_SET,
	AUTH_STMT_COUNT
};

extern const struct astral_stmt auth_stmts[AUTH_STMT_COUNT];

/* A display name, in characters: the column's limit (users.display_name, migration 0002). */
#define AUTH_DISPLAY_NAME_MAX 50

/* Run one of this program's statements. */
astral_err auth_exec(struct astral_request *req, enum auth_stmt s, const struct astral_params *p,
                     PGresult **res) ASTRAL_MUST_USE;

/* Append an audit row about the caller (actor = subject = user_id). */
void auth_audit(struct astral_request *req, const char *user_id, const char *role, const char *action,
                const char *object_type, const char *object_id, const char *outcome, const char *detail);

/* 200/201 with the session response for an issued session (cookies set; tokens in the body only
   when the client asked for them). `user` is the user object, or NULL to read it; `extra` (may
   be NULL) is merged in, e.g. recovery_code. Takes ownership of both. */
void auth_respond_session(struct astral_request *req, int status, const struct astral_issued *iss,
                          struct json_object *user, struct json_object *extra);
/* The user object of an account created in this request (nothing to read back). */
struct json_object *auth_new_account_json(const struct astral_new_account *acct, const char *id,
                                          int64_t created_at);
/* The `user` object of a session response. NULL when the user does not exist. */
struct json_object *auth_user_json(struct astral_request *req, const char *user_id, astral_err *err);

/* 1 when `user_id` (the transaction's identity) has a ban in force: the 403 account_banned
   answer (reason and until) is written, the refusal audited as `action` (login, token_refresh)
   and the cookies cleared (sign_in.c). 0 when not banned; -1 after answering an error. */
int auth_refuse_banned(struct astral_request *req, const char *user_id, const char *role, const char *action);

/* Handlers. */
void auth_anonymous(struct astral_request *req, const void *input);
void auth_register(struct astral_request *req, const void *input);
void auth_login(struct astral_request *req, const void *input);
void auth_recover(struct astral_request *req, const void *input);
void auth_refresh(struct astral_request *req, const void *input);
void auth_logout(struct astral_request *req, const void *input);
void auth_session(struct astral_request *req, const void *input);
void auth_password(struct astral_request *req, const void *input);
void auth_mfa_post(struct astral_request *req, const void *input);
void auth_mfa_delete(struct astral_request *req, const void *input);
void me_preferences_get(struct astral_request *req, const void *input);
void me_preferences_put(struct astral_request *req, const void *input);
void me_consents_get(struct astral_request *req, const void *input);
void me_consents_post(struct astral_request *req, const void *input);
void me_blocks_get(struct astral_request *req, const void *input);
void me_blocks_post(struct astral_request *req, const void *input);
void me_blocks_delete(struct astral_request *req, const void *input);
void me_access_log(struct astral_request *req, const void *input);
void me_export(struct astral_request *req, const void *input);
/* Open, in the export's tables, the fields sealed with the caller's data key (export_sealed.c). */
astral_err auth_export_open_personal(struct astral_request *req, struct json_object *tables) ASTRAL_MUST_USE;
void me_delete(struct astral_request *req, const void *input);
void me_display_name_put(struct astral_request *req, const void *input);

/* Input declarations (defined beside their handlers, referenced by the route table). */
extern const struct astral_input_spec auth_register_input, auth_login_input, auth_recover_input,
	auth_refresh_input, auth_anonymous_input, auth_password_input, auth_mfa_post_input, auth_mfa_delete_input,
	me_preferences_input, me_consents_input, me_blocks_input, me_blocks_list_input, me_access_log_input,
	me_delete_input, me_display_name_input;

#endif
