/* A budget of the writes that reach other people, per person and kind of write: posts, reports,
   direct requests to a helper, reflections and video uploads (`[limits]` in astral.conf; 0 turns
   one off). Without it one signed-in script could flood the feed, hide every post with reports, spam
   a helper or fill the video queue and the disk. A token bucket per (person, action) in PostgreSQL
   (migration 0039): the limit at once, refilled evenly over its hour (or day).

   The take runs in the handler's own transaction, right before the write it guards, so a write that
   does not happen (its transaction rolled back: refused input, a lost race) gives its token back.
   Taken as the transaction's first statement it carries the deferred session check (lib/db.h's
   guard), whose verdict is judged before the take's answer is looked at: a refusal is never told to
   a session that is over. Chat messages, private wellness data and anything crisis-related are
   never budgeted (design/security.md: crisis help is never rate-limited). */
#ifndef ASTRAL_WRITE_BUDGET_H
#define ASTRAL_WRITE_BUDGET_H

#include <stddef.h>

#include "app.h"
#include "db.h"
#include "http.h"

enum astral_write_action {
	ASTRAL_WRITE_POST,
	ASTRAL_WRITE_REPORT,
	ASTRAL_WRITE_DIRECT_REQUEST,
	ASTRAL_WRITE_REFLECTION,
	ASTRAL_WRITE_VIDEO,
	ASTRAL_WRITE_ACTION_COUNT
};

extern const struct astral_stmt astral_write_budget_stmts[];
extern const size_t astral_write_budget_stmt_count;

/* Take one write of `a` from the caller's budget, in the request's open transaction. 1: go on
   (always when the limit is 0). 0: answered — 429 `too_many_requests` with Retry-After (the
   seconds until one is back, rounded up) and a calm sentence, or the database's error. */
int astral_write_budget_take(struct astral_request *req, enum astral_write_action a);

#endif
