/* Changing a password, or setting a seeker's first passphrase. */
#include <stddef.h>
#include <stdlib.h>

#include "auth.h"
#include "password.h"
#include "realtime.h"

struct password_in { const char *current_password; const char *new_password; };
static const struct astral_field password_fields[] = {
	{ "current_password", ASTRAL_F_SECRET, 0, 1, 1024, NULL, offsetof(struct password_in, current_password), 0 },
	{ "new_password", ASTRAL_F_SECRET, 1, 1, 1024, NULL, offsetof(struct password_in, new_password), 0 },
};
const struct astral_input_spec auth_password_input = { password_fields, 2, sizeof(struct password_in) };

void
auth_password(struct astral_request *req, const void *input)
{
	const struct password_in *in = input;
	struct astral_params p;
	PGresult *res = NULL;
	const char *stored, *problem;
	char *hash = NULL;
	astral_err err;

	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	err = auth_exec(req, AUTH_USER_PASSWORD, &p, &res);
	if (err != ASTRAL_OK || PQntuples(res) != 1) {
		astral_respond_err(req, err != ASTRAL_OK ? err : ASTRAL_ERR_NOT_FOUND);
		goto out;
	}
	stored = astral_db_value(res, 0, 0);
	if (stored != NULL) {
		if (in->current_password == NULL) {
			astral_respond_field_error(req, 400, "invalid_field", "Enter your current password.",
			                           "current_password", "is required");
			goto out;
		}
		if (astral_password_verify(stored, in->current_password) != ASTRAL_OK) {
			auth_audit(req, req->who.user_id, req->who.role, "password_change", "user", req->who.user_id,
			           "denied", "wrong_current_password");
			astral_respond_field_error(req, 403, "forbidden", "Your current password is not correct.",
			                           "current_password", "is not correct");
			goto out;
		}
	}
	problem = astral_password_policy_problem(req->app->common_passwords, in->new_password);
	if (problem != NULL) {
		astral_respond_field_error(req, 400, "invalid_field", "Please choose another password.", "new_password",
		                           problem);
		goto out;
	}
	err = astral_password_hash(in->new_password, &hash);
	if (err == ASTRAL_OK) {
		astral_params_init(&p);
		astral_params_text(&p, req->who.user_id);
		astral_params_text(&p, hash);
		astral_params_int(&p, req->now);
		err = auth_exec(req, AUTH_SET_PASSWORD, &p, NULL);
	}
	/* Anyone holding another session with the old password is signed out. */
	if (err == ASTRAL_OK)
		err = astral_session_revoke_user(req, req->who.user_id, req->who.session_id, "password_change");
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	auth_audit(req, req->who.user_id, req->who.role, "password_change", "user", req->who.user_id, "success",
	           stored ? "changed" : "set");
	/* Their open streams too, once the revocation has committed: a stream is authorised only when
	   it connects. This closes this session's own stream as well; it reconnects, and is let in. */
	astral_rt_close_after_commit(req, req->who.user_id);
	astral_respond(req, 204, NULL);
out:
	free(hash);
	PQclear(res);
}
