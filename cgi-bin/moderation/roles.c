/*
 * PUT /api/admin/users/{id}/role: what `astralctl user set-role` does (tools/ctl/users.c), from the
 * admin screens. A tier is for helpers (and staff), never seekers; a helper without one gets
 * `community`, and a helper who stays a helper keeps theirs unless a new one is given. The change
 * ends every session of the person (reason role_change) and, once committed, their real-time
 * streams; the audit row says old_to_new. Admins never change their own role (409).
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

void
moderation_role_set(struct astral_request *req, const void *input)
{
	const struct role_in *in = input;
	const char *id = req->path_params[0], *tier = in->tier;
	char old_role[16], old_tier[16], detail[48];
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	if (strcmp(in->role, "seeker") == 0 && tier != NULL) {
		astral_respond_field_error(req, 400, "invalid_field", "Seekers have no helper tier.", "tier",
		                           "applies to helpers and staff, not to seekers");
		return;
	}
	if (strcmp(id, req->who.user_id) == 0) {
		astral_respond_field_error(req, 409, "conflict", "You cannot change your own role.", "user",
		                           "is your own account");
		return;
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
