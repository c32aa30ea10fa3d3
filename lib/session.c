/* Sessions, refresh-token rotation and CSRF: see session.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "audit.h"
#include "digest.h"
#include "encoding.h"
#include "jwt.h"
#include "jwt_memo.h"
#include "log.h"
#include "random.h"
#include "realtime.h"
#include "router.h"
#include "session.h"

#define REFRESH_TOKEN_BYTES 32
#define TOUCH_EVERY_SECONDS 15

enum session_stmt {
	STMT_SESSION_CHECK,
	STMT_SESSION_INSERT,
	STMT_SIGN_IN_PRUNE,
	STMT_REFRESH_INSERT,
	STMT_REFRESH_FIND,
	STMT_REFRESH_ROTATE,
	STMT_SESSION_STATE,
	STMT_SESSION_TOUCH,
	STMT_SESSION_REVOKE,
	STMT_SESSION_REVOKE_USER,
	STMT_SESSION_MARK_MFA,
};

const struct astral_stmt astral_session_stmts[] = {
	[STMT_SESSION_CHECK] = { "session_check",
		"WITH s AS (SELECT s.revoked_at IS NOT NULL AS revoked,"
		"  extract(epoch FROM s.last_seen_at)::bigint AS seen,"
		"  extract(epoch FROM s.expires_at)::bigint AS expires, s.mfa, u.role::text AS role,"
		"  extract(epoch FROM s.created_at)::bigint AS created, u.username, u.display_name,"
		"  u.helper_tier, u.password_hash IS NOT NULL AS has_password,"
		"  u.totp_secret IS NOT NULL AS mfa_enabled, extract(epoch FROM u.created_at)::bigint AS user_created"
		"  FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1 AND s.user_id = $2),"
		" touch AS (UPDATE sessions SET last_seen_at = to_timestamp($3)"
		"  WHERE id = $1 AND revoked_at IS NULL AND expires_at > to_timestamp($3)"
		"  AND last_seen_at < to_timestamp($3) - make_interval(secs => $4::double precision)"
		"  AND last_seen_at >= to_timestamp($3) - make_interval(secs => (SELECT CASE WHEN s.role IN"
		"   ('moderator', 'admin') THEN $6 ELSE $5 END FROM s)::double precision)"
		"  RETURNING 1)"
		" SELECT s.revoked, s.seen, s.expires, s.mfa, s.role, s.created, s.username, s.display_name,"
		"  s.helper_tier, s.has_password, s.mfa_enabled, s.user_created, (SELECT count(*) FROM touch),"
		/* The verdict is SQL's: a session that is not live fails the statement (migration 0040)
		   with the reason, so nothing sent in its pipeline commits; judge_session_row reads it. */
		"  CASE WHEN s.role IS NULL OR s.revoked THEN astral_session_refuse('unauthorized', NULL)"
		"   WHEN $3 >= s.expires THEN astral_session_refuse('absolute', s.role)"
		"   WHEN $3 - s.seen > CASE WHEN s.role IN ('moderator', 'admin') THEN $6::bigint ELSE $5::bigint END"
		"    THEN astral_session_refuse('idle', s.role)"
		"   WHEN s.role <> $7::text THEN astral_session_refuse('unauthorized', NULL)"
		"   ELSE true END"
		" FROM (SELECT) one LEFT JOIN s ON true", 7 },
	/* What earlier sign-ins left behind, a little at a time (migration 0036). */
	[STMT_SIGN_IN_PRUNE] = { "sign_in_prune", "SELECT astral_auth_prune(to_timestamp($1))", 1 },
	/* A new session and its first refresh token, in one statement. */
	[STMT_SESSION_INSERT] = { "session_insert",
		"WITH s AS (INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, mfa)"
		"  VALUES ($1, $2, to_timestamp($3), to_timestamp($3), to_timestamp($4), $5) RETURNING id, user_id)"
		" INSERT INTO refresh_tokens (token_hash, session_id, user_id, issued_at)"
		" SELECT $6, id, user_id, to_timestamp($3) FROM s", 6 },
	[STMT_REFRESH_INSERT] = { "refresh_insert",
		"INSERT INTO refresh_tokens (token_hash, session_id, user_id, issued_at)"
		" VALUES ($1, $2, $3, to_timestamp($4)) ON CONFLICT (token_hash) DO NOTHING", 4 },
	[STMT_REFRESH_FIND] = { "refresh_find",
		"SELECT session_id, user_id, role::text, extract(epoch FROM rotated_at)::bigint"
		" FROM astral_auth_find_refresh($1)", 1 },
	[STMT_REFRESH_ROTATE] = { "refresh_rotate",
		"UPDATE refresh_tokens SET rotated_at = to_timestamp($2)"
		" WHERE token_hash = $1 AND rotated_at IS NULL", 2 },
	[STMT_SESSION_STATE] = { "session_state",
		"SELECT s.revoked_at IS NOT NULL, extract(epoch FROM s.last_seen_at)::bigint,"
		" extract(epoch FROM s.expires_at)::bigint, s.mfa, extract(epoch FROM s.created_at)::bigint"
		" FROM sessions s WHERE s.id = $1", 1 },
	[STMT_SESSION_TOUCH] = { "session_touch",
		"UPDATE sessions SET last_seen_at = to_timestamp($2) WHERE id = $1", 2 },
	[STMT_SESSION_REVOKE] = { "session_revoke",
		"UPDATE sessions SET revoked_at = to_timestamp($2), revoke_reason = $3"
		" WHERE id = $1 AND revoked_at IS NULL", 3 },
	[STMT_SESSION_REVOKE_USER] = { "session_revoke_user",
		"UPDATE sessions SET revoked_at = to_timestamp($2), revoke_reason = $3"
		" WHERE user_id = $1 AND revoked_at IS NULL AND id IS DISTINCT FROM $4::uuid RETURNING id", 4 },
	[STMT_SESSION_MARK_MFA] = { "session_mark_mfa",
		"UPDATE sessions SET mfa = true WHERE id = $1", 1 },
};
const size_t astral_session_stmt_count = sizeof(astral_session_stmts) / sizeof(astral_session_stmts[0]);

void
astral_issued_free(struct astral_issued *iss)
{
	if (iss->access_token != NULL) {
		OPENSSL_cleanse(iss->access_token, strlen(iss->access_token));
		free(iss->access_token);
	}
	if (iss->refresh_token != NULL) {
		OPENSSL_cleanse(iss->refresh_token, strlen(iss->refresh_token));
		free(iss->refresh_token);
	}
	memset(iss, 0, sizeof(*iss));
}

long long
astral_session_idle_limit(const struct astral_app *app, const char *role)
{
	return astral_role_is_staff(role) ? app->cfg.staff_idle_timeout : app->cfg.idle_timeout;
}

static void
audit_session_event(struct astral_request *req, const char *user_id, const char *role, const char *action,
                    const char *session_id, const char *outcome, const char *detail)
{
	struct astral_audit_event ev = {
		.actor_id = user_id, .actor_role = role, .action = action, .object_type = "session",
		.object_id = session_id, .subject_id = user_id, .outcome = outcome,
		.request_id = req->request_id, .detail = detail,
	};

	if (astral_audit_append(req->app->db, &ev) != ASTRAL_OK)
		astral_log(ASTRAL_LOG_ERROR, "audit append failed for %s", action);
}

astral_err
astral_session_read_token(struct astral_request *req)
{
	struct astral_claims claims;
	char cookie[ASTRAL_JWT_MAX_LEN + 1];
	const char *token = NULL;
	astral_err err;

	memset(&req->who, 0, sizeof(req->who));
	if (strncmp(req->authorization, "Bearer ", 7) == 0) {
		token = req->authorization + 7;
	} else if (req->authorization[0] != '\0') {
		return ASTRAL_ERR_UNAUTHORIZED;
	} else {
		err = astral_cookie_get(req, ASTRAL_COOKIE_ACCESS, cookie, sizeof(cookie));
		if (err != ASTRAL_OK || cookie[0] == '\0')
			return ASTRAL_ERR_UNAUTHORIZED;
		token = cookie;
		req->who.via_cookie = 1;
	}
	err = astral_jwt_verify_remembered(req->app->cfg.jwt_key, req->app->cfg.jwt_key_len, req->app->cfg.jwt_issuer,
	                        req->app->cfg.jwt_audience, token, req->now, &claims);
	if (err != ASTRAL_OK)
		return err == ASTRAL_ERR_EXPIRED ? ASTRAL_ERR_EXPIRED : ASTRAL_ERR_UNAUTHORIZED;
	memcpy(req->who.user_id, claims.sub, sizeof(req->who.user_id));
	memcpy(req->who.session_id, claims.sid, sizeof(req->who.session_id));
	snprintf(req->who.role, sizeof(req->who.role), "%s", claims.role);
	req->who.mfa = claims.mfa;
	req->who.access_expires = claims.exp;
	req->who.authenticated = 1;
	return ASTRAL_OK;
}

static void
session_check_params(struct astral_request *req, struct astral_params *p)
{
	const struct astral_app *app = req->app;

	astral_params_init(p);
	astral_params_text(p, req->who.session_id);
	astral_params_text(p, req->who.user_id);
	astral_params_int(p, req->now);
	astral_params_int(p, TOUCH_EVERY_SECONDS);
	astral_params_int(p, app->cfg.idle_timeout);
	astral_params_int(p, app->cfg.staff_idle_timeout);
	astral_params_text(p, req->who.role);
}

/* The verdict on the session check's result. The statement judges in SQL (migration 0040): a
   session that is not live fails it with an error of class AS, which says why. OK (req->who
   filled from the stored session and account), UNAUTHORIZED (revoked, unknown, or a token whose
   role is not the account's), or EXPIRED (past the idle or absolute limit: req->who.expired_reason
   says which, and req->who.role is the stored role, for the audit row). */
static astral_err
judge_session_row(struct astral_request *req, const PGresult *res)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	if (state != NULL && (strcmp(state, "ASE01") == 0 || strcmp(state, "ASE02") == 0)) {
		const char *role = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);

		req->who.expired_reason = strcmp(state, "ASE02") == 0 ? "absolute" : "idle";
		snprintf(req->who.role, sizeof(req->who.role), "%s", role != NULL ? role : "");
		return ASTRAL_ERR_EXPIRED;
	}
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		return ASTRAL_ERR_UNAUTHORIZED;
	req->who.mfa = astral_db_bool(res, 0, 3);
	req->who.session_created_at = astral_db_int(res, 0, 5);
	req->who.session_expires_at = astral_db_int(res, 0, 2);
	snprintf(req->who.username, sizeof(req->who.username), "%s", astral_db_value(res, 0, 6));
	snprintf(req->who.display_name, sizeof(req->who.display_name), "%s", astral_db_value(res, 0, 7));
	snprintf(req->who.helper_tier, sizeof(req->who.helper_tier), "%s",
	         astral_db_value(res, 0, 8) ? astral_db_value(res, 0, 8) : "");
	req->who.has_password = astral_db_bool(res, 0, 9);
	req->who.mfa_enabled = astral_db_bool(res, 0, 10);
	req->who.user_created_at = astral_db_int(res, 0, 11);
	return ASTRAL_OK;
}

astral_err
astral_session_expire(struct astral_request *req)
{
	astral_err err;

	err = astral_session_revoke(req, req->who.session_id, req->who.expired_reason);
	if (err != ASTRAL_OK)
		return err;
	audit_session_event(req, req->who.user_id, req->who.role, "session_expired", req->who.session_id, "success",
	                    req->who.expired_reason);
	/* A stream opened while the session was live would outlive it: close it with the revocation
	   (the user's other live sessions reconnect theirs). */
	astral_rt_close_after_commit(req, req->who.user_id);
	return ASTRAL_OK;
}

astral_err
astral_session_check(struct astral_request *req)
{
	astral_err err = astral_session_check_deferred(req);

	return err == ASTRAL_OK ? astral_session_verdict(req) : err;
}

/* The guard's judge (lib/db.h): keeps the verdict for astral_session_verdict. */
static astral_err
judge_guarded_session(void *ctx, const PGresult *res)
{
	struct astral_request *req = ctx;

	req->who.check_pending = 0;
	req->who.check_verdict = judge_session_row(req, res);
	return req->who.check_verdict;
}

astral_err
astral_session_check_deferred(struct astral_request *req)
{
	struct astral_params p;
	astral_err err;

	session_check_params(req, &p);
	err = astral_db_guard(req->app->db, &astral_session_stmts[STMT_SESSION_CHECK], &p, judge_guarded_session, req);
	if (err == ASTRAL_OK)
		req->who.check_pending = 1;
	return err;
}

astral_err
astral_session_verdict(struct astral_request *req)
{
	struct astral_db *db = req->app->db;
	astral_err err;

	if (!req->who.check_pending)
		return req->who.check_verdict;
	if (!astral_db_guard_pending(db))
		return ASTRAL_ERR_INTERNAL;           /* not possible: an unsent guard stays queued */
	if (astral_db_in_transaction(db) && astral_db_failed(db))
		astral_db_rollback(db);               /* keeps the unsent guard */
	if (!astral_db_in_transaction(db)) {
		err = astral_db_begin(db, req->who.user_id, req->who.role);
		if (err != ASTRAL_OK)
			return err;
	}
	err = astral_db_settle_guard(db);
	return req->who.check_pending ? err : req->who.check_verdict;
}

static void
hash_token(const char *token, unsigned char out[ASTRAL_SHA256_LEN])
{
	astral_sha256(token, strlen(token), out);
}

/* The successor of a refresh token is derived from it with the server key, so a retry within
   the grace period gets the very same successor without the server storing any token. */
static char *
successor_token(const struct astral_app *app, const char *token)
{
	unsigned char mac[ASTRAL_SHA256_LEN];
	size_t n = strlen(token) + 9;
	char *msg = malloc(n);
	char *out = NULL;

	if (msg == NULL)
		return NULL;
	snprintf(msg, n, "refresh|%s", token);
	if (astral_hmac_sha256(app->cfg.jwt_key, app->cfg.jwt_key_len, msg, strlen(msg), mac) == ASTRAL_OK)
		out = astral_b64url_encode(mac, sizeof(mac));
	free(msg);
	OPENSSL_cleanse(mac, sizeof(mac));
	return out;
}

static astral_err
store_refresh(struct astral_request *req, const char *token, const char *session_id, const char *user_id)
{
	unsigned char h[ASTRAL_SHA256_LEN];
	struct astral_params p;

	hash_token(token, h);
	astral_params_init(&p);
	astral_params_bytes(&p, h, sizeof(h));
	astral_params_text(&p, session_id);
	astral_params_text(&p, user_id);
	astral_params_int(&p, req->now);
	return astral_db_queue(req->app->db, &astral_session_stmts[STMT_REFRESH_INSERT], &p);
}

static astral_err
issue_access(struct astral_request *req, struct astral_issued *iss)
{
	struct astral_claims c;

	memset(&c, 0, sizeof(c));
	memcpy(c.sub, iss->user_id, sizeof(c.sub));
	memcpy(c.sid, iss->session_id, sizeof(c.sid));
	snprintf(c.role, sizeof(c.role), "%s", iss->role);
	c.mfa = iss->mfa;
	c.iat = req->now;
	c.exp = req->now + req->app->cfg.access_ttl;
	if (c.exp > iss->expires_at)
		c.exp = iss->expires_at;
	iss->access_expires_at = c.exp;
	return astral_jwt_issue(req->app->cfg.jwt_key, req->app->cfg.jwt_key_len, req->app->cfg.jwt_issuer,
	                        req->app->cfg.jwt_audience, &c, &iss->access_token);
}

astral_err
astral_session_start(struct astral_request *req, const char *user_id, const char *role, int mfa,
                     struct astral_issued *out)
{
	unsigned char h[ASTRAL_SHA256_LEN];
	struct astral_params p;
	astral_err err;

	memset(out, 0, sizeof(*out));
	err = astral_uuid_v4(out->session_id);
	if (err != ASTRAL_OK)
		return err;
	snprintf(out->user_id, sizeof(out->user_id), "%s", user_id);
	snprintf(out->role, sizeof(out->role), "%s", role);
	out->mfa = mfa;
	out->created_at = req->now;
	out->expires_at = req->now + req->app->cfg.absolute_timeout;
	out->refresh_token = astral_random_token(REFRESH_TOKEN_BYTES);
	if (out->refresh_token == NULL) {
		err = ASTRAL_ERR_NOMEM;
		goto fail;
	}
	hash_token(out->refresh_token, h);
	astral_params_init(&p);
	astral_params_text(&p, out->session_id);
	astral_params_text(&p, user_id);
	astral_params_int(&p, req->now);
	astral_params_int(&p, out->expires_at);
	astral_params_bool(&p, mfa);
	astral_params_bytes(&p, h, sizeof(h));
	err = astral_db_queue(req->app->db, &astral_session_stmts[STMT_SESSION_INSERT], &p);
	if (err == ASTRAL_OK) {
		astral_params_init(&p);
		astral_params_int(&p, req->now);
		err = astral_db_queue(req->app->db, &astral_session_stmts[STMT_SIGN_IN_PRUNE], &p);
	}
	if (err == ASTRAL_OK)
		err = issue_access(req, out);
	if (err == ASTRAL_OK)
		return ASTRAL_OK;
fail:
	astral_issued_free(out);
	return err;
}

astral_err
astral_session_refresh(struct astral_request *req, const char *token, struct astral_issued *out)
{
	struct astral_app *app = req->app;
	unsigned char h[ASTRAL_SHA256_LEN];
	struct astral_params p;
	PGresult *found = NULL, *state = NULL;
	const char *sid, *uid, *role;
	long long rotated_at, seen;
	astral_err err;

	memset(out, 0, sizeof(*out));
	hash_token(token, h);
	astral_params_init(&p);
	astral_params_bytes(&p, h, sizeof(h));
	err = astral_db_exec(app->db, &astral_session_stmts[STMT_REFRESH_FIND], &p, &found);
	if (err != ASTRAL_OK)
		goto out;
	if (PQntuples(found) != 1) {
		err = ASTRAL_ERR_UNAUTHORIZED;
		goto out;
	}
	sid = astral_db_value(found, 0, 0);
	uid = astral_db_value(found, 0, 1);
	role = astral_db_value(found, 0, 2);
	rotated_at = astral_db_value(found, 0, 3) ? astral_db_int(found, 0, 3) : -1;
	snprintf(out->session_id, sizeof(out->session_id), "%s", sid);
	snprintf(out->user_id, sizeof(out->user_id), "%s", uid);
	snprintf(out->role, sizeof(out->role), "%s", role);
	err = astral_db_set_identity(app->db, uid, role);
	if (err != ASTRAL_OK)
		goto out;

	astral_params_init(&p);
	astral_params_text(&p, sid);
	err = astral_db_exec(app->db, &astral_session_stmts[STMT_SESSION_STATE], &p, &state);
	if (err != ASTRAL_OK)
		goto out;
	if (PQntuples(state) != 1 || astral_db_bool(state, 0, 0)) {
		err = ASTRAL_ERR_UNAUTHORIZED;
		goto out;
	}
	seen = astral_db_int(state, 0, 1);
	out->expires_at = astral_db_int(state, 0, 2);
	out->mfa = astral_db_bool(state, 0, 3);
	out->created_at = astral_db_int(state, 0, 4);
	if (req->now >= out->expires_at || req->now - seen > astral_session_idle_limit(app, role)) {
		const char *reason = req->now >= out->expires_at ? "absolute" : "idle";

		err = astral_session_revoke(req, sid, reason);
		if (err == ASTRAL_OK) {
			audit_session_event(req, uid, role, "session_expired", sid, "success", reason);
			err = ASTRAL_ERR_EXPIRED;
		}
		goto out;
	}

	if (rotated_at < 0) {
		/* Marked rotated with the commit. When a concurrent retry got there first it marks
		   nothing, and both get the same successor. */
		astral_params_init(&p);
		astral_params_bytes(&p, h, sizeof(h));
		astral_params_int(&p, req->now);
		err = astral_db_queue(app->db, &astral_session_stmts[STMT_REFRESH_ROTATE], &p);
		if (err != ASTRAL_OK)
			goto out;
	} else if (req->now - rotated_at > app->cfg.refresh_grace) {
		err = astral_session_revoke(req, sid, "token_reuse");
		if (err == ASTRAL_OK) {
			audit_session_event(req, uid, role, "token_reuse", sid, "denied", NULL);
			err = ASTRAL_ERR_CONFLICT;
		}
		goto out;
	}
	out->refresh_token = successor_token(app, token);
	if (out->refresh_token == NULL) {
		err = ASTRAL_ERR_NOMEM;
		goto out;
	}
	err = store_refresh(req, out->refresh_token, sid, uid);
	if (err != ASTRAL_OK)
		goto out;
	astral_params_init(&p);
	astral_params_text(&p, sid);
	astral_params_int(&p, req->now);
	err = astral_db_queue(app->db, &astral_session_stmts[STMT_SESSION_TOUCH], &p);
	if (err == ASTRAL_OK)
		err = issue_access(req, out);
out:
	PQclear(found);
	PQclear(state);
	OPENSSL_cleanse(h, sizeof(h));
	if (err != ASTRAL_OK) {
		char keep_sid[37], keep_uid[37], keep_role[16];

		memcpy(keep_sid, out->session_id, sizeof(keep_sid));
		memcpy(keep_uid, out->user_id, sizeof(keep_uid));
		memcpy(keep_role, out->role, sizeof(keep_role));
		astral_issued_free(out);
		/* The caller still needs to know whose session failed, for audit. */
		memcpy(out->session_id, keep_sid, sizeof(keep_sid));
		memcpy(out->user_id, keep_uid, sizeof(keep_uid));
		memcpy(out->role, keep_role, sizeof(keep_role));
	}
	return err;
}

astral_err
astral_session_revoke(struct astral_request *req, const char *session_id, const char *reason)
{
	struct astral_params p;

	astral_params_init(&p);
	astral_params_text(&p, session_id);
	astral_params_int(&p, req->now);
	astral_params_text(&p, reason);
	return astral_db_exec(req->app->db, &astral_session_stmts[STMT_SESSION_REVOKE], &p, NULL);
}

astral_err
astral_session_revoke_user(struct astral_request *req, const char *user_id, const char *except_session,
                           const char *reason)
{
	struct astral_params p;

	astral_params_init(&p);
	astral_params_text(&p, user_id);
	astral_params_int(&p, req->now);
	astral_params_text(&p, reason);
	astral_params_text(&p, except_session);
	return astral_db_exec(req->app->db, &astral_session_stmts[STMT_SESSION_REVOKE_USER], &p, NULL);
}

astral_err
astral_session_mark_mfa(struct astral_request *req, struct astral_issued *out)
{
	struct astral_params p;
	astral_err err;

	memset(out, 0, sizeof(*out));
	astral_params_init(&p);
	astral_params_text(&p, req->who.session_id);
	err = astral_db_exec(req->app->db, &astral_session_stmts[STMT_SESSION_MARK_MFA], &p, NULL);
	if (err != ASTRAL_OK)
		return err;
	memcpy(out->session_id, req->who.session_id, sizeof(out->session_id));
	memcpy(out->user_id, req->who.user_id, sizeof(out->user_id));
	memcpy(out->role, req->who.role, sizeof(out->role));
	out->mfa = 1;
	out->created_at = req->who.session_created_at;
	out->expires_at = req->who.session_expires_at;
	req->who.mfa = 1;
	return issue_access(req, out);
}

void
astral_session_set_cookies(struct astral_request *req, const struct astral_issued *iss)
{
	astral_cookie_set(req, ASTRAL_COOKIE_ACCESS, iss->access_token, iss->access_expires_at - req->now);
	if (iss->refresh_token != NULL)
		astral_cookie_set(req, ASTRAL_COOKIE_REFRESH, iss->refresh_token, iss->expires_at - req->now);
}

void
astral_session_clear_cookies(struct astral_request *req)
{
	astral_cookie_clear(req, ASTRAL_COOKIE_ACCESS);
	astral_cookie_clear(req, ASTRAL_COOKIE_REFRESH);
}

char *
astral_csrf_token(const struct astral_app *app, const char *session_id)
{
	unsigned char mac[ASTRAL_SHA256_LEN];
	char msg[48];

	snprintf(msg, sizeof(msg), "csrf|%s", session_id);
	if (astral_hmac_sha256(app->cfg.jwt_key, app->cfg.jwt_key_len, msg, strlen(msg), mac) != ASTRAL_OK)
		return NULL;
	return astral_b64url_encode(mac, sizeof(mac));
}

int
astral_csrf_valid(const struct astral_request *req)
{
	const char *given = FCGX_GetParam("HTTP_X_CSRF_TOKEN", req->fcgx->envp);
	char *expected;
	int ok;

	if (given == NULL || !req->who.authenticated)
		return 0;
	expected = astral_csrf_token(req->app, req->who.session_id);
	if (expected == NULL)
		return 0;
	ok = strlen(given) == strlen(expected) && astral_ct_equal(given, expected, strlen(expected));
	free(expected);
	return ok;
}
