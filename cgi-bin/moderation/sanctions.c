/*
 * A person's standing (UserStatus) and the sanctions: a warning, a timed or permanent ban, lifting
 * a ban. Moderators sanction seekers and helpers, admins moderators too; nobody an admin or
 * themselves (403). A ban ends every session of the person and, once committed, closes their
 * real-time streams; signing in or refreshing then answers 403 account_banned (cgi-bin/auth)
 * until the ban ends or is lifted. It also hands the direct requests waiting for the person back
 * to their authors, declined.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "direct_request.h"
#include "json.h"
#include "moderation.h"
#include "realtime.h"
#include "session.h"

struct ban_in { const char *reason; long long hours; };
static const struct astral_field ban_fields[] = {
	{ "reason", ASTRAL_F_MULTILINE, 1, 1, MOD_REASON_MAX, NULL, offsetof(struct ban_in, reason), 0 },
	{ "hours", ASTRAL_F_INT, 0, 1, MOD_BAN_HOURS_MAX, NULL, offsetof(struct ban_in, hours), 0 },
};
const struct astral_input_spec moderation_ban_input = { ban_fields, 2, sizeof(struct ban_in) };

/* The person `id` exists and the caller may sanction them. Responds itself (404, 403) and
   returns 0 otherwise; *err is set when the look-up failed. */
static int
target_allowed(struct astral_request *req, const char *id, astral_err *err)
{
	struct astral_params p;
	PGresult *res = NULL;
	int ok = 0;

	astral_params_init(&p);
	astral_params_text(&p, id);
	*err = astral_db_queue(req->app->db, &moderation_stmts[MOD_USER_LOCK], &p);
	if (*err != ASTRAL_OK)
		goto out;
	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_int(&p, req->now);
	*err = moderation_exec(req, MOD_USER_STATUS, &p, &res);
	if (*err != ASTRAL_OK)
		goto out;
	if (PQntuples(res) != 1) {
		astral_respond_err(req, ASTRAL_ERR_NOT_FOUND);
		goto out;
	}
	if (!moderation_may_sanction(req, id, astral_db_value(res, 0, UC_ROLE))) {
		int own = strcmp(id, req->who.user_id) == 0;

		astral_respond_refusal(req, 403, own ? "own_account" : "not_yours_to_sanction",
		                       "You may not sanction this account.", "user",
		                       own ? "is your own account" : "is not yours to sanction");
		/* A refused sanction is a staff action too. */
		*err = moderation_audit(req, "sanction_denied", "user", id, id, "denied", astral_db_value(res, 0, UC_ROLE),
		                        NULL);
		goto out;
	}
	ok = 1;
out:
	PQclear(res);
	return ok;
}

/* A moderation_actions row about `user_id`. */
static astral_err
record_action(struct astral_request *req, const char *user_id, const char *action, const char *reason,
              long long expires_at)
{
	char id[ASTRAL_UUID_STR_LEN + 1];
	struct astral_params p;
	astral_err err;

	err = astral_uuid_v4(id);
	if (err != ASTRAL_OK)
		return err;
	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_text(&p, user_id);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, action);
	astral_params_text(&p, reason);
	astral_params_null(&p);
	astral_params_null(&p);
	if (expires_at > 0)
		astral_params_int(&p, expires_at);
	else
		astral_params_null(&p);
	astral_params_int(&p, req->now);
	return moderation_exec(req, MOD_ACTION_INSERT, &p, NULL);
}

void
moderation_user_get(struct astral_request *req, const void *input)
{
	const char *id = req->path_params[0];
	astral_err err;

	(void)input;
	/* The audit row goes with the answer; a 404 rolls nothing back that matters. */
	err = moderation_audit(req, "moderation_user_read", "user", id, id, "success", "status", NULL);
	if (err != ASTRAL_OK) {
		moderation_fail(req, err);
		return;
	}
	moderation_respond_user_status(req, id);
}

void
moderation_user_warn(struct astral_request *req, const void *input)
{
	const struct moderation_reason_in *in = input;
	const char *id = req->path_params[0];
	astral_err err = ASTRAL_OK;

	if (!target_allowed(req, id, &err))
		goto out;
	err = record_action(req, id, "warning", in->reason, 0);
	if (err == ASTRAL_OK)
		err = moderation_audit(req, "user_warn", "user", id, id, "success", "warning", in->reason);
	if (err == ASTRAL_OK)
		moderation_respond_user_status(req, id);
out:
	if (err != ASTRAL_OK)
		moderation_fail(req, err);
}

void
moderation_user_ban(struct astral_request *req, const void *input)
{
	const struct ban_in *in = input;
	const char *id = req->path_params[0];
	long long until = in->hours > 0 ? (long long)req->now + in->hours * 3600 : 0;
	struct astral_params p;
	char code[32];
	astral_err err = ASTRAL_OK;

	if (!target_allowed(req, id, &err))
		goto out;
	/* The ban row first: the policy that lets staff revoke the person's sessions asks for it. */
	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_text(&p, in->reason);
	astral_params_text(&p, req->who.user_id);
	astral_params_int(&p, req->now);
	if (until > 0)
		astral_params_int(&p, until);
	else
		astral_params_null(&p);
	err = moderation_exec(req, MOD_BAN_UPSERT, &p, NULL);
	if (err == ASTRAL_OK)
		err = record_action(req, id, "ban", in->reason, until);
	if (err == ASTRAL_OK)
		err = astral_session_revoke_user(req, id, NULL, "ban");
	/* A banned helper is offline to new requests (migration 0031); those already waiting for
	   them go back to their authors declined (lib/direct_request.c), who may publish them for
	   others to answer. The ban's end does not bring them back: by then they may be public. */
	if (err == ASTRAL_OK)
		err = astral_direct_requests_decline_to(req, id, "ban");
	if (in->hours > 0)
		snprintf(code, sizeof(code), "ban_hours_%lld", in->hours);
	else
		snprintf(code, sizeof(code), "ban_permanent");
	if (err == ASTRAL_OK)
		err = moderation_audit(req, "user_ban", "user", id, id, "success", code, in->reason);
	if (err != ASTRAL_OK)
		goto out;
	astral_rt_close_after_commit(req, id);
	moderation_respond_user_status(req, id);
out:
	if (err != ASTRAL_OK)
		moderation_fail(req, err);
}

void
moderation_user_unban(struct astral_request *req, const void *input)
{
	const struct moderation_reason_in *in = input;
	const char *id = req->path_params[0];
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err = ASTRAL_OK;

	if (!target_allowed(req, id, &err))
		goto out;
	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_int(&p, req->now);
	err = moderation_exec(req, MOD_BAN_DELETE, &p, &res);
	if (err != ASTRAL_OK)
		goto out;
	if (PQntuples(res) != 1) {
		err = moderation_refuse_conflict(req, "user_unban", "user", id, id, "not_banned",
		                                 "That account is not banned.");
		goto out;
	}
	err = record_action(req, id, "unban", in->reason, 0);
	if (err == ASTRAL_OK)
		err = moderation_audit(req, "user_unban", "user", id, id, "success", "unban", in->reason);
	if (err == ASTRAL_OK)
		moderation_respond_user_status(req, id);
out:
	if (err != ASTRAL_OK)
		moderation_fail(req, err);
	PQclear(res);
}
