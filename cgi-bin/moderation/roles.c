/*
 * PUT /api/admin/users/{id}/role: what `astralctl user set-role` does (tools/ctl/users.c), from the
 * admin screens. A tier is for helpers (and staff), never seekers; a helper without one gets
 * `community`, and a helper who stays a helper keeps theirs unless a new one is given. The change
 * ends every session of the person (reason role_change) and, once committed, their real-time
 * streams; the audit row says old_to_new. Admins never change their own role (409).
 *
 * Two rules keep "nobody sanctions an admin" (respond.c) from being got around and keep someone
 * in charge: a staff role (moderator, admin) is never given to a person with a ban in force (409
 * naming `user`: otherwise demote, ban, promote again leaves an admin with a ban nobody may lift),
 * and the last admin is never demoted (409 naming `role`). The admins are counted under a lock on
 * every admin row, so two admins demoting each other at once cannot both succeed; an admin
 * demoted while their request waited is refused (403). Every refusal leaves an audit row.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "moderation.h"
#include "realtime.h"
#include "session.h"

static const char *const roles[] = { "seeker", "helper", "moderator", "admin", NULL };
static const char *const tiers[] = { "community", "certified", NULL };

struct role_in { const char *role; const char *tier; };
static const struct astral_field role_fields[] = {
	{ "role", ASTRAL_F_ENUM, 1, 0, 0, roles, offsetof(struct role_in, role), 0 },
	{ "tier", ASTRAL_F_ENUM, 0, 0, 0, tiers, offsetof(struct role_in, tier), 0 },
};
const struct astral_input_spec moderation_role_input = { role_fields, 2, sizeof(struct role_in) };

/* Refuse the change with an audit row (outcome denied, detail `code`). */
static astral_err
refuse(struct astral_request *req, int status, const char *code, const char *message, const char *field,
       const char *why)
{
	const char *id = req->path_params[0];
	astral_err err = moderation_audit(req, "role_change", "user", id, id, "denied", code, NULL);

	if (err == ASTRAL_OK)
		astral_respond_field_error(req, status, status == 403 ? "forbidden" : "conflict", message, field, why);
	return err;
}

/* Lock every admin row (MOD_ADMINS_LOCK): *admins is how many there are, *me_admin whether the
   caller is still one of them. */
static astral_err
lock_admins(struct astral_request *req, int *admins, int *me_admin)
{
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	astral_params_init(&p);
	err = moderation_exec(req, MOD_ADMINS_LOCK, &p, &res);
	if (err == ASTRAL_OK) {
		*admins = PQntuples(res);
		*me_admin = 0;
		for (int i = 0; i < *admins; i++)
			if (strcmp(astral_db_value(res, i, 0), req->who.user_id) == 0)
				*me_admin = 1;
	}
	PQclear(res);
	return err;
}

static int
is_staff_role(const char *role)
{
	return strcmp(role, "moderator") == 0 || strcmp(role, "admin") == 0;
}

void
moderation_role_set(struct astral_request *req, const void *input)
{
	const struct role_in *in = input;
	const char *id = req->path_params[0], *tier = in->tier;
	char old_role[16], old_tier[16], detail[48];
	struct astral_params p;
	PGresult *res = NULL;
	int admins = 0, me_admin = 0;
	astral_err err;

	if (strcmp(in->role, "seeker") == 0 && tier != NULL) {
		astral_respond_field_error(req, 400, "invalid_field", "Seekers have no helper tier.", "tier",
		                           "applies to helpers and staff, not to seekers");
		return;
	}
	if (strcmp(id, req->who.user_id) == 0) {
		err = refuse(req, 409, "own_role", "You cannot change your own role.", "user", "is your own account");
		goto out;
	}
	/* The admins first, then the person: one order for every role change (see MOD_ADMINS_LOCK). */
	err = lock_admins(req, &admins, &me_admin);
	if (err != ASTRAL_OK)
		goto out;
	if (!me_admin) {
		/* Demoted by another admin while this request waited for the lock. */
		err = refuse(req, 403, "not_admin", "You are no longer an admin.", "user", "you are no longer an admin");
		goto out;
	}
	astral_params_init(&p);
	astral_params_text(&p, id);
	err = moderation_exec(req, MOD_ROLE_LOCK, &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) != 1)
		err = ASTRAL_ERR_NOT_FOUND;
	if (err != ASTRAL_OK)
		goto out;
	snprintf(old_role, sizeof(old_role), "%s", astral_db_value(res, 0, 0));
	snprintf(old_tier, sizeof(old_tier), "%s", astral_db_value(res, 0, 1) ? astral_db_value(res, 0, 1) : "");
	PQclear(res);
	res = NULL;
	/* The caller is an admin and is not the person, so a demoted admin leaves at least the
	   caller; the count still decides, should the rows say otherwise. */
	if (strcmp(old_role, "admin") == 0 && strcmp(in->role, "admin") != 0 && admins < 2) {
		err = refuse(req, 409, "last_admin", "That is the last admin.", "role", "would leave no admin");
		goto out;
	}
	if (is_staff_role(in->role)) {
		astral_params_init(&p);
		astral_params_text(&p, id);
		astral_params_int(&p, req->now);
		err = moderation_exec(req, MOD_BAN_IN_FORCE, &p, &res);
		if (err != ASTRAL_OK)
			goto out;
		if (strcmp(astral_db_value(res, 0, 0), "t") == 0) {
			err = refuse(req, 409, "ban_in_force", "A person with a ban in force cannot be staff.", "user",
			             "has a ban in force");
			goto out;
		}
		PQclear(res);
		res = NULL;
	}
	if (strcmp(in->role, "helper") == 0 && tier == NULL)
		tier = strcmp(old_role, "helper") == 0 && old_tier[0] != '\0' ? old_tier : "community";
	if (strcmp(in->role, old_role) == 0 && strcmp(tier != NULL ? tier : "", old_tier) == 0) {
		/* Nothing changes: the sessions stay. */
		snprintf(detail, sizeof(detail), "unchanged_%s", old_role);
		err = moderation_audit(req, "role_change", "user", id, id, "success", detail, NULL);
		if (err == ASTRAL_OK)
			moderation_respond_user_status(req, id);
		goto out;
	}
	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_text(&p, in->role);
	astral_params_text(&p, tier);
	astral_params_int(&p, req->now);
	err = moderation_exec(req, MOD_ROLE_SET, &p, NULL);
	if (err == ASTRAL_OK)
		err = astral_session_revoke_user(req, id, NULL, "role_change");
	snprintf(detail, sizeof(detail), "%s_to_%s", old_role, in->role);
	if (err == ASTRAL_OK)
		err = moderation_audit(req, "role_change", "user", id, id, "success", detail, NULL);
	if (err != ASTRAL_OK)
		goto out;
	astral_rt_close_after_commit(req, id);
	moderation_respond_user_status(req, id);
out:
	if (err != ASTRAL_OK)
		moderation_fail(req, err);
	PQclear(res);
}
