/* A person's role changed by the rules every path keeps: see role_change.h. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "direct_request.h"
#include "realtime.h"
#include "role_change.h"
#include "router.h"
#include "session.h"

enum role_change_stmt {
	ROLE_ADMINS_LOCK,
	ROLE_PERSON_LOCK,
	ROLE_BAN_IN_FORCE,
	ROLE_SET,
	ROLE_STMT_COUNT
};

const struct astral_stmt astral_role_change_stmts[] = {
	/* Every admin, in id order so that two changes never wait on each other in a cycle. */
	[ROLE_ADMINS_LOCK] = { "role_change_admins_lock",
		"SELECT id FROM users WHERE role = 'admin' ORDER BY id FOR UPDATE", 0 },
	[ROLE_PERSON_LOCK] = { "role_change_person_lock",
		"SELECT role::text, helper_tier FROM users WHERE id = $1::uuid FOR UPDATE", 1 },
	/* Whether $1 has a ban in force at $2 (with the caller's rights since migration 0038: staff
	   and the owner see every ban). Asked after ROLE_PERSON_LOCK, in a statement of its own, so
	   that it sees a ban committed while the lock was awaited (a new ban row holds a key share on
	   the person's row, its foreign key, until it commits). */
	[ROLE_BAN_IN_FORCE] = { "role_change_ban_in_force",
		"SELECT astral_ban_in_force($1::uuid, to_timestamp($2::bigint))", 2 },
	[ROLE_SET] = { "role_change_set",
		"UPDATE users SET role = $2::astral_role, helper_tier = $3::text,"
		" updated_at = to_timestamp($4::bigint) WHERE id = $1::uuid RETURNING 1", 4 },
};
const size_t astral_role_change_stmt_count = ROLE_STMT_COUNT;

static astral_err
exec(struct astral_request *req, enum role_change_stmt s, const struct astral_params *p, PGresult **res)
{
	return astral_db_exec(req->app->db, &astral_role_change_stmts[s], p, res);
}

/* Lock every admin row: *admins is how many there are, *caller_admin whether the signed-in
   caller is one of them. */
static astral_err
lock_admins(struct astral_request *req, int *admins, int *caller_admin)
{
	PGresult *res = NULL;
	astral_err err;

	err = exec(req, ROLE_ADMINS_LOCK, NULL, &res);
	if (err == ASTRAL_OK) {
		*admins = PQntuples(res);
		*caller_admin = 0;
		for (int i = 0; i < *admins; i++)
			if (strcmp(astral_db_value(res, i, 0), req->who.user_id) == 0)
				*caller_admin = 1;
	}
	PQclear(res);
	return err;
}

static astral_err
ban_in_force(struct astral_request *req, const char *user_id, int *banned)
{
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	astral_params_init(&p);
	astral_params_text(&p, user_id);
	astral_params_int(&p, req->now);
	err = exec(req, ROLE_BAN_IN_FORCE, &p, &res);
	if (err == ASTRAL_OK)
		*banned = strcmp(astral_db_value(res, 0, 0), "t") == 0;
	PQclear(res);
	return err;
}

astral_err
astral_role_change(struct astral_request *req, const char *user_id, const char *role, const char *tier,
                   struct astral_role_change *out)
{
	struct astral_params p;
	PGresult *res = NULL;
	int admins = 0, caller_admin = 0, banned = 0;
	astral_err err;

	memset(out, 0, sizeof(*out));
	/* The admins first, then the person: one order for every role change. */
	err = lock_admins(req, &admins, &caller_admin);
	if (err != ASTRAL_OK)
		return err;
	if (req->who.authenticated && !caller_admin) {
		out->outcome = ASTRAL_ROLE_CALLER_NOT_ADMIN;
		return ASTRAL_OK;
	}
	astral_params_init(&p);
	astral_params_text(&p, user_id);
	err = exec(req, ROLE_PERSON_LOCK, &p, &res);
	if (err != ASTRAL_OK)
		goto out;
	if (PQntuples(res) != 1) {
		out->outcome = ASTRAL_ROLE_NO_USER;
		goto out;
	}
	snprintf(out->old_role, sizeof(out->old_role), "%s", astral_db_value(res, 0, 0));
	snprintf(out->old_tier, sizeof(out->old_tier), "%s", astral_db_value(res, 0, 1) ? astral_db_value(res, 0, 1) : "");

	if (strcmp(out->old_role, "admin") == 0 && strcmp(role, "admin") != 0 && admins < 2) {
		out->outcome = ASTRAL_ROLE_LAST_ADMIN;
		goto out;
	}
	if (astral_role_is_staff(role)) {
		err = ban_in_force(req, user_id, &banned);
		if (err != ASTRAL_OK)
			goto out;
		if (banned) {
			out->outcome = ASTRAL_ROLE_BAN_IN_FORCE;
			goto out;
		}
	}
	if (tier == NULL && strcmp(role, "helper") == 0)
		tier = strcmp(out->old_role, "helper") == 0 && out->old_tier[0] != '\0' ? out->old_tier : "community";
	snprintf(out->tier, sizeof(out->tier), "%s", tier != NULL ? tier : "");
	if (strcmp(role, out->old_role) == 0 && strcmp(out->tier, out->old_tier) == 0) {
		out->outcome = ASTRAL_ROLE_UNCHANGED;   /* the sessions stay */
		goto out;
	}

	astral_params_init(&p);
	astral_params_text(&p, user_id);
	astral_params_text(&p, role);
	astral_params_text(&p, tier);
	astral_params_int(&p, req->now);
	err = exec(req, ROLE_SET, &p, NULL);
	if (err == ASTRAL_OK)
		err = astral_session_revoke_user(req, user_id, NULL, "role_change");
	if (err == ASTRAL_OK && strcmp(out->old_role, "helper") == 0 && strcmp(role, "helper") != 0)
		err = astral_direct_requests_decline_to(req, user_id, "role_change");
	if (err != ASTRAL_OK)
		goto out;
	astral_rt_close_after_commit(req, user_id);
	out->outcome = ASTRAL_ROLE_CHANGED;
out:
	PQclear(res);
	return err;
}
