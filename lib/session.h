/*
 * Sessions: a short-lived access JWT plus an opaque refresh token that rotates on every use.
 * A session is one refresh-token family; presenting a token that was already rotated (after a
 * short grace for retries) revokes the whole family. Idle and absolute timeouts are enforced
 * here on every request.
 */
#ifndef ASTRAL_SESSION_H
#define ASTRAL_SESSION_H

#include <stdint.h>

#include "http.h"

#define ASTRAL_COOKIE_ACCESS "__Host-astral_at"
#define ASTRAL_COOKIE_REFRESH "__Host-astral_rt"

struct astral_issued {
	char session_id[37];
	char user_id[37];
	char role[16];
	int mfa;
	char *access_token;
	char *refresh_token;
	int64_t created_at, expires_at, access_expires_at;
};

void astral_issued_free(struct astral_issued *iss);

/* Verify the access token from `Authorization: Bearer` or the access cookie; fill req->who.
   UNAUTHORIZED, or EXPIRED for a token past its time. No database access. */
astral_err astral_session_read_token(struct astral_request *req) ASTRAL_MUST_USE;

/* In the request's transaction: the session is neither revoked nor past its idle or absolute
   limit, and the token's role is the account's; refreshes its last-seen time and fills req->who
   from the stored session and account. UNAUTHORIZED when revoked, unknown or the role differs;
   EXPIRED past a limit (req->who.expired_reason says which; not yet revoked: see
   astral_session_expire). */
astral_err astral_session_check(struct astral_request *req) ASTRAL_MUST_USE;

/* The same check, deferred: registered as the guard of the request's transaction (lib/db.h), it
   travels in the pipeline of the handler's first statement instead of a round trip of its own.
   Until its verdict is in, req->who holds only what the token says (check_pending is set).
   Call right after astral_db_begin. */
astral_err astral_session_check_deferred(struct astral_request *req) ASTRAL_MUST_USE;
/* The deferred check's verdict, sending the check now when it is still unsent (in a transaction
   of its own when none is open): as astral_session_check, or a database error. */
astral_err astral_session_verdict(struct astral_request *req) ASTRAL_MUST_USE;
/* Revoke and audit the session an EXPIRED verdict found past its limit, in the open transaction
   (the dispatcher opens a new one for it), and close the user's streams after its COMMIT. */
astral_err astral_session_expire(struct astral_request *req) ASTRAL_MUST_USE;

/* Start a new session (family) for a user who just proved who they are. */
astral_err astral_session_start(struct astral_request *req, const char *user_id, const char *role, int mfa,
                                struct astral_issued *out) ASTRAL_MUST_USE;

/* Rotate a refresh token. UNAUTHORIZED (unknown, revoked), EXPIRED (idle/absolute: revoked),
   CONFLICT (reuse detected: the family is revoked and `token_reuse` audited). */
astral_err astral_session_refresh(struct astral_request *req, const char *refresh_token,
                                  struct astral_issued *out) ASTRAL_MUST_USE;

/* The current session passed MFA: record it and issue a new access token (refresh token unchanged). */
astral_err astral_session_mark_mfa(struct astral_request *req, struct astral_issued *out) ASTRAL_MUST_USE;

/* Revoke one session, or every session of a user but `except_session` (may be NULL). */
astral_err astral_session_revoke(struct astral_request *req, const char *session_id, const char *reason) ASTRAL_MUST_USE;
astral_err astral_session_revoke_user(struct astral_request *req, const char *user_id, const char *except_session,
                                      const char *reason) ASTRAL_MUST_USE;

/* Set the cookies of an issued session (the refresh cookie only when it has a refresh token); clear them. */
void astral_session_set_cookies(struct astral_request *req, const struct astral_issued *iss);
void astral_session_clear_cookies(struct astral_request *req);

/* CSRF token bound to the session: base64url(HMAC-SHA256(jwt key, "csrf|" session id)). */
char *astral_csrf_token(const struct astral_app *app, const char *session_id);
/* The request's X-CSRF-Token header matches its session. */
int astral_csrf_valid(const struct astral_request *req);

/* Idle limit for a role, from the configuration. */
long long astral_session_idle_limit(const struct astral_app *app, const char *role);

extern const struct astral_stmt astral_session_stmts[];
extern const size_t astral_session_stmt_count;

#endif
