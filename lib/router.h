/*
 * The route table and the dispatcher. Each program declares one static table; the dispatcher
 * answers 404, 405, 401, 403, 413, 415 and 400 before any handler runs, opens the request's
 * transaction with the caller's identity, runs the handler, holds it to the session check's
 * verdict, commits, and sends the response.
 */
#ifndef ASTRAL_ROUTER_H
#define ASTRAL_ROUTER_H

#include <stddef.h>

#include "http.h"
#include "input.h"

enum astral_roles {
	ASTRAL_PUBLIC = 0,            /* no sign-in needed */
	ASTRAL_SEEKER = 1 << 0,
	ASTRAL_HELPER = 1 << 1,
	ASTRAL_MODERATOR = 1 << 2,
	ASTRAL_ADMIN = 1 << 3,
	ASTRAL_STAFF = ASTRAL_MODERATOR | ASTRAL_ADMIN,
	ASTRAL_ANY_USER = ASTRAL_SEEKER | ASTRAL_HELPER | ASTRAL_STAFF
};

enum astral_route_flags {
	ASTRAL_BODY_OPTIONAL = 1 << 0,   /* an empty body counts as {} */
	ASTRAL_NO_MFA_NEEDED = 1 << 1,   /* staff may call it before enrolling MFA (enrolment, sign-out) */
	/* The handler reads the raw body itself from req->fcgx->in (a multipart upload streamed to
	   disk): the dispatcher neither reads it nor checks its type or size; `input` must be NULL. */
	ASTRAL_BODY_STREAM = 1 << 2,
	/* The body may be up to ASTRAL_LARGE_BODY_MAX instead of [http] max_body_bytes (a document
	   such as the safety plan); nginx's location for the route must allow as much. */
	ASTRAL_BODY_LARGE = 1 << 3,
	/* The session is checked before the handler runs, in a round trip of its own: the handler
	   reads the stored session or account (req->who) before its first statement. Otherwise the
	   check travels with the handler's first statement (astral_session_check_deferred) and
	   nothing the handler did stands unless it passes. ASTRAL_BODY_STREAM routes are always
	   checked first: nobody streams a body to disk on a session that is over. */
	ASTRAL_SESSION_FIRST = 1 << 4,
	/* Each request takes one from the client address's budget (lib/address_budget.h) before
	   anything else is checked: the /api/auth/ routes, which nginx limits per address itself. */
	ASTRAL_ADDRESS_BUDGET = 1 << 5
};

/* The largest body of an ASTRAL_BODY_LARGE route, in bytes. */
#define ASTRAL_LARGE_BODY_MAX (256 * 1024)

/* `input` is the converted body (POST/PUT/DELETE) or query (GET) struct, or NULL. */
typedef void (*astral_handler)(struct astral_request *req, const void *input);

struct astral_route {
	const char *method;
	const char *pattern;          /* "/api/me/blocks/{uuid}"; {uuid} and {id} capture a segment */
	astral_handler handler;
	unsigned roles;
	const struct astral_input_spec *input;
	unsigned flags;
};

/* Route, check, run and answer one request. */
void astral_dispatch(struct astral_request *req, const struct astral_route *routes, size_t nroutes);

/* Role name ↔ bit. */
unsigned astral_role_bit(const char *role);
int astral_role_is_staff(const char *role);

#endif
