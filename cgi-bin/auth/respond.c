/* What every sign-in answers with, and the audit helper of this program. */
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "json.h"
#include "log.h"

void
auth_audit(struct astral_request *req, const char *user_id, const char *role, const char *action,
           const char *object_type, const char *object_id, const char *outcome, const char *detail)
{
	struct astral_audit_event ev = {
		.actor_id = user_id, .actor_role = role ? role : "anonymous", .action = action,
		.object_type = object_type, .object_id = object_id, .subject_id = user_id, .outcome = outcome,
		.request_id = req->request_id, .detail = detail,
	};

	if (astral_audit_append(req->app->db, &ev) != ASTRAL_OK)
		astral_log(ASTRAL_LOG_ERROR, "audit append failed for %s", action);
}

/* The signed-in caller's summary was read with the session check: no second query. */
static struct json_object *
caller_json(const struct astral_request *req)
{
	struct json_object *user = json_object_new_object();

	astral_json_add_str(user, "id", req->who.user_id);
	astral_json_add_str(user, "role", req->who.role);
	astral_json_add_str(user, "helper_tier", req->who.helper_tier[0] ? req->who.helper_tier : NULL);
	astral_json_add_str(user, "username", req->who.username);
	astral_json_add_str(user, "display_name", req->who.display_name);
	astral_json_add_bool(user, "has_password", req->who.has_password);
	astral_json_add_bool(user, "mfa_enabled", req->who.mfa_enabled);
	astral_json_add_time(user, "created_at", req->who.user_created_at);
	return user;
}

struct json_object *
auth_user_json(struct astral_request *req, const char *user_id, astral_err *err)
{
	struct astral_params p;
	PGresult *res = NULL;
	struct json_object *user = NULL;

	*err = ASTRAL_OK;
	if (req->who.authenticated && req->who.user_created_at > 0 && strcmp(user_id, req->who.user_id) == 0)
		return caller_json(req);
	astral_params_init(&p);
	astral_params_text(&p, user_id);
	*err = auth_exec(req, AUTH_USER_BY_ID, &p, &res);
	if (*err != ASTRAL_OK)
		goto out;
	if (PQntuples(res) != 1) {
		*err = ASTRAL_ERR_NOT_FOUND;
		goto out;
	}
	user = json_object_new_object();
	astral_json_add_str(user, "id", astral_db_value(res, 0, 0));
	astral_json_add_str(user, "role", astral_db_value(res, 0, 1));
	astral_json_add_str(user, "helper_tier", astral_db_value(res, 0, 2));
	astral_json_add_str(user, "username", astral_db_value(res, 0, 3));
	astral_json_add_str(user, "display_name", astral_db_value(res, 0, 4));
	astral_json_add_bool(user, "has_password", astral_db_bool(res, 0, 5));
	astral_json_add_bool(user, "mfa_enabled", astral_db_bool(res, 0, 6));
	astral_json_add_time(user, "created_at", astral_db_int(res, 0, 7));
out:
	PQclear(res);
	return user;
}

struct json_object *
auth_new_account_json(const struct astral_new_account *acct, const char *id, int64_t created_at)
{
	struct json_object *user = json_object_new_object();

	astral_json_add_str(user, "id", id);
	astral_json_add_str(user, "role", acct->role);
	astral_json_add_str(user, "helper_tier", acct->helper_tier);
	astral_json_add_str(user, "username", acct->username);
	astral_json_add_str(user, "display_name", acct->display_name);
	astral_json_add_bool(user, "has_password", acct->password_hash != NULL);
	astral_json_add_bool(user, "mfa_enabled", 0);
	astral_json_add_time(user, "created_at", created_at);
	return user;
}

void
auth_respond_session(struct astral_request *req, int status, const struct astral_issued *iss,
                     struct json_object *user, struct json_object *extra)
{
	struct json_object *root = NULL, *session;
	char *csrf = NULL;
	astral_err err = ASTRAL_OK;

	if (user == NULL)
		user = auth_user_json(req, iss->user_id, &err);
	if (user == NULL) {
		astral_respond_err(req, err);
		goto out;
	}
	csrf = astral_csrf_token(req->app, iss->session_id);
	if (csrf == NULL) {
		json_object_put(user);
		astral_respond_err(req, ASTRAL_ERR_NOMEM);
		goto out;
	}
	session = json_object_new_object();
	astral_json_add_str(session, "id", iss->session_id);
	astral_json_add_time(session, "created_at", iss->created_at);
	astral_json_add_time(session, "expires_at", iss->expires_at);
	astral_json_add_int(session, "idle_timeout_seconds", astral_session_idle_limit(req->app, iss->role));
	astral_json_add_time(session, "access_expires_at", iss->access_expires_at);
	astral_json_add_bool(session, "mfa", iss->mfa);

	root = json_object_new_object();
	json_object_object_add(root, "user", user);
	json_object_object_add(root, "session", session);
	astral_json_add_str(root, "csrf_token", csrf);
	if (strcmp(req->token_delivery, "body") == 0 && iss->access_token != NULL) {
		astral_json_add_str(root, "access_token", iss->access_token);
		if (iss->refresh_token != NULL)
			astral_json_add_str(root, "refresh_token", iss->refresh_token);
	}
	if (extra != NULL) {
		json_object_object_foreach(extra, key, val)
			json_object_object_add(root, key, json_object_get(val));
	}
	if (iss->access_token != NULL)
		astral_session_set_cookies(req, iss);
	astral_respond(req, status, root);
out:
	free(csrf);
	json_object_put(extra);
}
