/*
 * PUT /api/admin/users/{id}/role: what `astralctl user set-role` does (tools/ctl/users.c), from the
 * admin screens; both keep the rules of lib/role_change.h (the last admin is never demoted, 409
 * naming `role`; no staff role for a person with a ban in force, 409 naming `user`; sessions and
 * streams ended; a former helper's pending direct requests handed back). Here besides: a tier is
 * never given to a seeker (400), admins never change their own role (409), an admin demoted while
 * their request waited is refused (403). The audit row says old_to_new, or unchanged_<role>;
 * every refusal leaves one too.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "moderation.h"
#include "role_change.h"

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
		astral_respond_refusal(req, status, code, message, field, why);
	return err;
}

void
moderation_role_set(struct astral_request *req, const void *input)
{
	const struct role_in *in = input;
	const char *id = req->path_params[0];
	struct astral_role_change change;
	char detail[48];
	astral_err err;

	if (strcmp(in->role, "seeker") == 0 && in->tier != NULL) {
		astral_respond_field_error(req, 400, "invalid_field", "Seekers have no helper tier.", "tier",
		                           "applies to helpers and staff, not to seekers");
		return;
	}
	if (strcmp(id, req->who.user_id) == 0) {
		err = refuse(req, 409, "own_role", "You cannot change your own role.", "user", "is your own account");
		goto out;
	}
	err = astral_role_change(req, id, in->role, in->tier, &change);
	if (err != ASTRAL_OK)
		goto out;
	switch (change.outcome) {
	case ASTRAL_ROLE_NO_USER:
		err = ASTRAL_ERR_NOT_FOUND;
		break;
	case ASTRAL_ROLE_CALLER_NOT_ADMIN:
		/* Demoted by another admin while this request waited for the lock. */
		err = refuse(req, 403, "not_admin", "You are no longer an admin.", "user", "you are no longer an admin");
		break;
	case ASTRAL_ROLE_LAST_ADMIN:
		err = refuse(req, 409, "last_admin", "That is the last admin.", "role", "would leave no admin");
		break;
	case ASTRAL_ROLE_BAN_IN_FORCE:
		err = refuse(req, 409, "ban_in_force", "A person with a ban in force cannot be staff.", "user",
		             "has a ban in force");
		break;
	case ASTRAL_ROLE_UNCHANGED:
		/* Nothing changes: the sessions stay. */
		snprintf(detail, sizeof(detail), "unchanged_%s", change.old_role);
		err = moderation_audit(req, "role_change", "user", id, id, "success", detail, NULL);
		if (err == ASTRAL_OK)
			moderation_respond_user_status(req, id);
		break;
	case ASTRAL_ROLE_CHANGED:
		snprintf(detail, sizeof(detail), "%s_to_%s", change.old_role, in->role);
		err = moderation_audit(req, "role_change", "user", id, id, "success", detail, NULL);
		if (err == ASTRAL_OK)
			moderation_respond_user_status(req, id);
		break;
	}
out:
	if (err != ASTRAL_OK)
		moderation_fail(req, err);
}
