/*
 * Changing a person's role, by the rules every path keeps: PUT /api/admin/users/{id}/role
 * (cgi-bin/moderation) and `astralctl user set-role` (tools/ctl) both come here.
 *
 * - Every admin row is locked (in id order) before the person's, one order for every role change:
 *   two admins demoting each other at once run one after the other, and the second counts the
 *   admins the first left. When the caller is signed in (the web), they must still be one of them.
 * - The last admin is never demoted, so someone is always in charge.
 * - A staff role (moderator, admin) is never given to a person with a ban in force: nobody
 *   sanctions an admin, so demote, ban, promote again would leave a ban nobody may lift.
 * - A helper keeps their tier unless a new one is given; a new helper gets `community`. A tier
 *   is for helpers and staff: the caller refuses one for a seeker before asking.
 * - A change ends every session of the person (reason role_change) and, once committed, their
 *   real-time streams; a helper who stops being one hands back their pending direct requests,
 *   declined (lib/direct_request.h, detail "role_change"): nobody else can answer them.
 *
 * All of it runs in the caller's open transaction; the caller writes the audit row (success or
 * refusal) and commits or rolls back.
 */
#ifndef ASTRAL_ROLE_CHANGE_H
#define ASTRAL_ROLE_CHANGE_H

#include "db.h"
#include "error.h"
#include "http.h"

enum astral_role_outcome {
	ASTRAL_ROLE_CHANGED,
	ASTRAL_ROLE_UNCHANGED,          /* already that role and tier: nothing was done */
	ASTRAL_ROLE_NO_USER,            /* no such person */
	ASTRAL_ROLE_CALLER_NOT_ADMIN,   /* the signed-in caller was demoted while the lock was awaited */
	ASTRAL_ROLE_LAST_ADMIN,         /* would leave no admin */
	ASTRAL_ROLE_BAN_IN_FORCE,       /* a staff role for a person with a ban in force */
};

struct astral_role_change {
	enum astral_role_outcome outcome;
	char old_role[16], old_tier[16]; /* "" when none; set from ASTRAL_ROLE_LAST_ADMIN on */
	char tier[16];                   /* the tier the person has now ("" when none) */
};

/* Give `user_id` `role` (and `tier`, or NULL to keep or default it, as above) at req->now. The
   caller is req->who when req->who.authenticated, else the system (astralctl). Refusals are
   outcomes, not errors; an error means the transaction must be rolled back. */
astral_err astral_role_change(struct astral_request *req, const char *user_id, const char *role,
                              const char *tier, struct astral_role_change *out) ASTRAL_MUST_USE;

extern const struct astral_stmt astral_role_change_stmts[];
extern const size_t astral_role_change_stmt_count;

#endif
