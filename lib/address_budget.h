/* A budget of requests per client address, for routes the web server in front does not throttle
   (Apache has nothing like nginx's limit_req on /api/auth/). `[auth] address_rate` requests a
   second, up to `address_burst` at once; 0 (the default) turns it off and leaves the limit to
   nginx. The budget lives in PostgreSQL (migration 0025), shared by every worker of every program;
   the address is kept only as an HMAC under the server key. */
#ifndef ASTRAL_ADDRESS_BUDGET_H
#define ASTRAL_ADDRESS_BUDGET_H

#include <stddef.h>

#include "db.h"
#include "http.h"

extern const struct astral_stmt astral_address_budget_stmts[];
extern const size_t astral_address_budget_stmt_count;

/* Take one request from the caller's budget, in a transaction of its own (a refused sign-in must
   still count). 1: go on. 0: answered — 429 `too_many_requests` with Retry-After, or the
   database's error. Always 1 when address_rate is 0. */
int astral_address_budget_take(struct astral_request *req);

#endif
