/*
 * Handing a pending direct request back to its author when its helper can no longer answer it:
 * the helper deletes their account (cgi-bin/auth), a block is made between the two either way
 * (cgi-bin/auth), a moderator bans the helper (cgi-bin/moderation), the helper's role changes
 * (lib/role_change.c, from the admin screens or astralctl). Each goes back declined, as
 * POST /api/posts/{id}/decline leaves it (cgi-bin/posts), so the author may publish or resolve
 * it; one statement, one audit row per request and one `direct_request.declined` to its author
 * after COMMIT, whichever program asks.
 */
#ifndef ASTRAL_DIRECT_REQUEST_H
#define ASTRAL_DIRECT_REQUEST_H

#include "db.h"
#include "error.h"
#include "http.h"

/* Every direct request still waiting for `helper_id`, in the caller's open transaction (row-level
   security decides as for any write of posts: the helper themselves, or staff). Each is audited
   `direct_request_decline` with the caller as actor, the helper as subject and `why` as detail
   ("account_delete", "ban", "role_change"). */
astral_err astral_direct_requests_decline_to(struct astral_request *req, const char *helper_id,
                                             const char *why) ASTRAL_MUST_USE;

/* The direct requests still waiting between the caller and `other_id`, in either direction (the
   caller's to them and theirs to the caller), for a block the caller makes. The audit rows name
   the caller as actor and subject, never the other person, and only the authors are told: a
   helper who is blocked learns nothing of it. */
astral_err astral_direct_requests_decline_between(struct astral_request *req, const char *other_id,
                                                  const char *why) ASTRAL_MUST_USE;

extern const struct astral_stmt astral_direct_request_stmts[];
extern const size_t astral_direct_request_stmt_count;

#endif
