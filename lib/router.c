/* The dispatcher: see router.h. A request's path through it reads top to bottom. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address_budget.h"
#include "health.h"
#include "json.h"
#include "log.h"
#include "random.h"
#include "realtime.h"
#include "router.h"
#include "session.h"

unsigned
astral_role_bit(const char *role)
{
	if (strcmp(role, "seeker") == 0)
		return ASTRAL_SEEKER;
	if (strcmp(role, "helper") == 0)
		return ASTRAL_HELPER;
	if (strcmp(role, "moderator") == 0)
		return ASTRAL_MODERATOR;
	if (strcmp(role, "admin") == 0)
		return ASTRAL_ADMIN;
	return 0;
}

int
astral_role_is_staff(const char *role)
{
	return role != NULL && (astral_role_bit(role) & ASTRAL_STAFF) != 0;
}

static int
method_is_safe(const char *m)
{
	return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
}

/* Match one pattern; on success copy the captured segments into req->path_params. */
static int
path_matches(struct astral_request *req, const char *pattern)
{
	const char *p = pattern, *s = req->path;
	int n = 0;

	while (*p != '\0' && *s != '\0') {
		if (*p == '{') {
			const char *pend = strchr(p, '}');
			const char *send = strchr(s, '/');
			size_t len = send ? (size_t)(send - s) : strlen(s);

			if (pend == NULL || len == 0 || len >= sizeof(req->path_params[0]) || n == ASTRAL_MAX_PATH_PARAMS)
				return 0;
			if (strncmp(p, "{uuid}", 6) == 0) {
				char seg[64];

				memcpy(seg, s, len);
				seg[len] = '\0';
				if (!astral_uuid_valid(seg))
					return 0;
			}
			memcpy(req->path_params[n], s, len);
			req->path_params[n][len] = '\0';
			/* A UUID is spelled one way from here on, as PostgreSQL prints it: an id sealed into
			   an AAD or named in a channel must match the stored one byte for byte. */
			if (strncmp(p, "{uuid}", 6) == 0)
				for (char *c = req->path_params[n]; *c != '\0'; c++)
					*c = (char)tolower((unsigned char)*c);
			n++;
			p = pend + 1;
			s += len;
			continue;
		}
		if (*p != *s)
			return 0;
		p++;
		s++;
	}
	if (*p != '\0' || *s != '\0')
		return 0;
	req->npath_params = n;
	return 1;
}

/* The route of `routes` matching the request, noting the methods of a path that matches with
   another method in `allow`. */
static const struct astral_route *
match_route(struct astral_request *req, const struct astral_route *routes, size_t n, char *allow, size_t allowlen,
            int *path_seen)
{
	for (size_t i = 0; i < n; i++) {
		if (!path_matches(req, routes[i].pattern))
			continue;
		*path_seen = 1;
		if (strcmp(routes[i].method, req->method) == 0) {
			snprintf(req->route, sizeof(req->route), "%s", routes[i].pattern);
			return &routes[i];
		}
		if (strstr(allow, routes[i].method) == NULL) {
			size_t used = strlen(allow);

			snprintf(allow + used, allowlen - used, "%s%s", used ? ", " : "", routes[i].method);
		}
	}
	return NULL;
}

/* The program's own routes first, then those every program answers (the health check). */
static const struct astral_route *
find_route(struct astral_request *req, const struct astral_route *routes, size_t n)
{
	const struct astral_route *route;
	char allow[128] = "";
	int path_seen = 0;

	route = match_route(req, routes, n, allow, sizeof(allow), &path_seen);
	if (route == NULL && !path_seen)
		route = match_route(req, astral_health_routes, astral_health_route_count, allow, sizeof(allow),
		                    &path_seen);
	if (route != NULL)
		return route;
	if (path_seen) {
		astral_header(req, "Allow", allow);
		astral_respond_error(req, 405, "method_not_allowed", "That method is not allowed here.");
	} else {
		astral_respond_error(req, 404, "not_found", "Not found.");
	}
	return NULL;
}

/* Unsafe requests from another origin are refused whoever makes them. */
static int
origin_allowed(const struct astral_request *req)
{
	return req->origin[0] == '\0' || strcmp(req->origin, req->app->cfg.public_origin) == 0;
}

static int open_transaction(struct astral_request *req, const struct astral_route *route, int check_now);
static void finish_transaction(struct astral_request *req);

/* A 403 on the token's word (its role, its missing second factor, the CSRF header of its session)
   is the truth only while its session lives: logout, a ban, a role change and "sign out
   everywhere" revoke the session, not the token, and the check that would notice rides with the
   handler's first statement, which a refusal never reaches. Told "forbidden", a signed-out person
   is not sent to sign in. So a refusal settles the session first, in a round trip of its own; the
   hot path pays nothing for it. A session that is over gets what the deferred check would have
   answered (401, cookies cleared; an expired one revoked and audited), a database that cannot be
   reached 503 as there; a live one its 403, whose transaction commits like any refusal's. */
static int
refuse_caller(struct astral_request *req, const struct astral_route *route, int status, const char *code,
              const char *message)
{
	if (open_transaction(req, route, 1))
		astral_respond_error(req, status, code, message);
	finish_transaction(req);
	return 0;
}

/* 401/403 before the handler: a valid token, a role the route allows, MFA for staff, CSRF. */
static int
check_caller(struct astral_request *req, const struct astral_route *route)
{
	astral_err err;

	if (route->roles == ASTRAL_PUBLIC)
		return 1;
	err = astral_session_read_token(req);
	if (err != ASTRAL_OK) {
		/* An expired access token is routine: the client refreshes and retries. */
		astral_respond_error(req, 401, "unauthorized", "Please sign in.");
		return 0;
	}
	if ((astral_role_bit(req->who.role) & route->roles) == 0)
		return refuse_caller(req, route, 403, "forbidden", "You are not allowed to do that.");
	if (astral_role_is_staff(req->who.role) && !req->who.mfa && !(route->flags & ASTRAL_NO_MFA_NEEDED))
		return refuse_caller(req, route, 403, "mfa_required",
		                     "Staff accounts must set up two-step sign-in first.");
	if (req->who.via_cookie && !method_is_safe(req->method) && !astral_csrf_valid(req))
		return refuse_caller(req, route, 403, "csrf", "The request is missing its CSRF token.");
	return 1;
}

/* 413/415/400: read and convert the body (unsafe methods) or the query (safe methods). */
static int
read_input(struct astral_request *req, const struct astral_route *route, void **input)
{
	size_t max = (size_t)req->app->cfg.max_body_bytes;
	struct json_object *problems = NULL;
	const char *why;
	astral_err err;

	*input = NULL;
	if (method_is_safe(req->method)) {
		const size_t storelen = 2048;

		if (route->input == NULL) {
			if (req->query[0] != '\0') {
				astral_respond_field_error(req, 400, "invalid_field", "This address takes no parameters.",
				                           "query", "unknown parameter");
				return 0;
			}
			return 1;
		}
		/* The converted values point into the store: it lives as long as the request. */
		*input = calloc(1, route->input->size);
		req->query_store = malloc(storelen);
		if (*input == NULL || req->query_store == NULL) {
			astral_respond_err(req, ASTRAL_ERR_NOMEM);
			return 0;
		}
		astral_input_from_query(route->input, req->query, *input, req->query_store, storelen, &problems);
		goto convert_done;
	}

	if (route->flags & ASTRAL_BODY_STREAM)
		return 1;
	if ((route->flags & ASTRAL_BODY_LARGE) && max < ASTRAL_LARGE_BODY_MAX)
		max = ASTRAL_LARGE_BODY_MAX;
	if (req->content_length > (long long)max) {
		astral_respond_err(req, ASTRAL_ERR_TOO_LARGE);
		return 0;
	}
	err = astral_request_read_body(req, max);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		return 0;
	}
	if (req->body_len == 0 && (route->input == NULL || (route->flags & ASTRAL_BODY_OPTIONAL))) {
		if (route->input == NULL)
			return 1;
		req->json = json_object_new_object();
	} else {
		if (!astral_content_type_is_json(req->content_type)) {
			astral_respond_error(req, 415, "unsupported_media_type", "Send JSON (application/json).");
			return 0;
		}
		if (astral_json_parse(req->body, req->body_len, &req->json, &why) != ASTRAL_OK) {
			astral_respond_field_error(req, 400, "invalid_json", why ? why : "body is not valid JSON", "body",
			                           why ? why : "is not valid JSON");
			return 0;
		}
		if (route->input == NULL) {
			if (!json_object_is_type(req->json, json_type_object) || json_object_object_length(req->json) != 0) {
				astral_respond_field_error(req, 400, "invalid_field", "This request takes no body.", "body",
				                           "must be empty");
				return 0;
			}
			return 1;
		}
	}
	*input = calloc(1, route->input->size);
	if (*input == NULL) {
		astral_respond_err(req, ASTRAL_ERR_NOMEM);
		return 0;
	}
	astral_input_from_json(route->input, req->json, *input, &problems);
convert_done:
	if (problems != NULL) {
		astral_respond_fields(req, 400, "invalid_field", "Some fields need attention.", problems);
		return 0;
	}
	return 1;
}

/* The answer to a session that did not pass its check; nothing the transaction did stands. An
   expired session is revoked and audited in a transaction of its own (the dispatcher commits it). */
static void
refuse_session(struct astral_request *req, astral_err err)
{
	struct astral_db *db = req->app->db;

	astral_db_rollback(db);
	if (err == ASTRAL_ERR_EXPIRED) {
		astral_err expired = astral_db_begin(db, req->who.user_id, req->who.role);

		if (expired == ASTRAL_OK)
			expired = astral_session_expire(req);
		if (expired != ASTRAL_OK) {
			astral_db_rollback(db);
			err = expired;
		}
	}
	if (err == ASTRAL_ERR_EXPIRED) {
		astral_session_clear_cookies(req);
		astral_respond_error(req, 401, "session_expired", "Your session has ended. Please sign in again.");
	} else if (err == ASTRAL_ERR_UNAUTHORIZED) {
		astral_session_clear_cookies(req);
		astral_respond_error(req, 401, "unauthorized", "Please sign in.");
	} else {
		astral_respond_err(req, err);
	}
}

static int
checks_session_first(const struct astral_route *route)
{
	return (route->flags & (ASTRAL_SESSION_FIRST | ASTRAL_BODY_STREAM)) != 0;
}

/* Open the transaction as the caller and, for signed-in routes, check the session is live: now
   (check_now, or the route asks for it), or (most routes) with the handler's first statement. */
static int
open_transaction(struct astral_request *req, const struct astral_route *route, int check_now)
{
	astral_err err;

	err = astral_db_begin(req->app->db, req->who.authenticated ? req->who.user_id : NULL,
	                      req->who.authenticated ? req->who.role : NULL);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		return 0;
	}
	if (route->roles == ASTRAL_PUBLIC)
		return 1;
	if (check_now || checks_session_first(route))
		err = astral_session_check(req);
	else
		err = astral_session_check_deferred(req);
	if (err != ASTRAL_OK) {
		refuse_session(req, err);
		return 0;
	}
	return 1;
}

/* After the handler: a deferred session check must have passed, or nothing the handler did
   stands — its answer is replaced by the refusal. */
static int
hold_to_session_verdict(struct astral_request *req, const struct astral_route *route)
{
	astral_err err;

	if (route->roles == ASTRAL_PUBLIC || checks_session_first(route))
		return 1;
	err = astral_session_verdict(req);
	if (err == ASTRAL_OK)
		return 1;
	astral_response_reset(req);
	refuse_session(req, err);
	return 0;
}

/* Commit what the handler did, unless the transaction failed or the handler answered with a
   server error: a 5xx says the request did not happen, so nothing it wrote before failing (a help
   session without its key, say) may stand. A 4xx commits: a refusal may write its own audit row.
   A failed commit replaces the response, so a client never sees success for something that was
   not stored. */
static void
finish_transaction(struct astral_request *req)
{
	struct astral_db *db = req->app->db;
	astral_err err;

	if (!astral_db_in_transaction(db))
		return;
	if (astral_db_failed(db) || req->status >= 500) {
		astral_db_rollback(db);
		if (req->status < 400) {
			astral_response_reset(req);      /* nothing of the answer that did not happen */
			astral_respond_err(req, ASTRAL_ERR_INTERNAL);
		}
		return;
	}
	err = astral_db_commit(db);
	if (err != ASTRAL_OK) {
		/* The handler's headers go with its answer: an X-Accel-Redirect to a file or a session
		   cookie must not ride on the error (nginx follows the redirect whatever the status). */
		astral_response_reset(req);
		astral_respond_err(req, err == ASTRAL_ERR_DB_DOWN ? err : ASTRAL_ERR_INTERNAL);
	}
}

void
astral_dispatch(struct astral_request *req, const struct astral_route *routes, size_t nroutes)
{
	const struct astral_route *route;
	void *input = NULL;

	route = find_route(req, routes, nroutes);
	if (route == NULL)
		goto send;
	if ((route->flags & ASTRAL_ADDRESS_BUDGET) && !astral_address_budget_take(req))
		goto send;
	if (!method_is_safe(req->method) && !origin_allowed(req)) {
		astral_respond_error(req, 403, "csrf", "Cross-origin requests are not accepted.");
		goto send;
	}
	if (!check_caller(req, route))
		goto send;
	if (!read_input(req, route, &input))
		goto send;
	if (!open_transaction(req, route, 0))
		goto finish;
	req->status = 500;
	route->handler(req, input);
	hold_to_session_verdict(req, route);
finish:
	finish_transaction(req);
	astral_db_guard_forget(req->app->db);    /* the session check was this request's alone */
send:
	astral_response_send(req);
	/* Below 500 the transaction committed (finish_transaction): a success's events go out, and a
	   refusal's stream closes (a reused refresh token revokes sessions and answers 401). */
	if (req->status < 500 && req->rt_events != NULL) {
		astral_response_flush(req);          /* the caller has the answer before anyone else hears */
		astral_rt_publish_pending(req, req->status < 400);
	}
	free(input);
}
