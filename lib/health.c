/*
 * The health check: see health.h. The program answers 200 when it can run a statement in its
 * database; a database it cannot reach gives the usual 503 before this handler runs (the router
 * opens the transaction first), so a monitor needs only the status code.
 */
#include <string.h>

#include "db.h"
#include "health.h"
#include "http.h"
#include "json.h"

const struct astral_stmt astral_health_stmts[] = {
	{ "health_database", "SELECT true", 0 },
};
const size_t astral_health_stmt_count = sizeof(astral_health_stmts) / sizeof(astral_health_stmts[0]);

static void
respond_health(struct astral_request *req)
{
	struct json_object *body;
	PGresult *res = NULL;
	astral_err err;

	err = astral_db_exec(req->app->db, &astral_health_stmts[0], NULL, &res);
	PQclear(res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err == ASTRAL_ERR_DB_DOWN ? err : ASTRAL_ERR_INTERNAL);
		return;
	}
	body = json_object_new_object();
	astral_json_add_str(body, "status", "ok");
	astral_json_add_str(body, "program", req->app->program);
	astral_json_add_str(body, "database", "ok");
	astral_respond(req, 200, body);
}

static void
health(struct astral_request *req, const void *input)
{
	(void)input;
	respond_health(req);
}

/* /healthz/<name> reaches the program of that name only: another name means the web server
   sends it to the wrong socket, which is what the per-program check is there to catch. */
static void
health_of_program(struct astral_request *req, const void *input)
{
	(void)input;
	if (strcmp(req->path_params[0], req->app->program) != 0) {
		astral_respond_error(req, 404, "not_found", "Not found.");
		return;
	}
	respond_health(req);
}

const struct astral_route astral_health_routes[] = {
	{ "GET", "/healthz", health, ASTRAL_PUBLIC, NULL, 0 },
	{ "GET", "/healthz/{id}", health_of_program, ASTRAL_PUBLIC, NULL, 0 },
};
const size_t astral_health_route_count = sizeof(astral_health_routes) / sizeof(astral_health_routes[0]);
