/* cgi-bin/helpers: the route table. Everything else is in the handlers and libastral. */
#include "helpers.h"
#include "program.h"

static const struct astral_route routes[] = {
	{ "GET", "/api/helpers/online-count", helpers_online_count, ASTRAL_PUBLIC, NULL, 0 },
	{ "GET", "/api/helpers", helpers_list, ASTRAL_ANY_USER, &helpers_list_input, 0 },
	{ "GET", "/api/helpers/me", helpers_me_get, ASTRAL_HELPER, NULL, 0 },
	{ "POST", "/api/helpers/me", helpers_me_post, ASTRAL_HELPER, &helpers_me_post_input, 0 },
	{ "PUT", "/api/helpers/me", helpers_me_put, ASTRAL_HELPER, &helpers_me_put_input, 0 },
	{ "PUT", "/api/helpers/me/availability", helpers_availability_put, ASTRAL_HELPER, &helpers_availability_input, 0 },
	{ "GET", "/api/helpers/favorites", helpers_favorites, ASTRAL_SEEKER, NULL, 0 },
	{ "GET", "/api/helpers/{uuid}", helpers_get, ASTRAL_ANY_USER, NULL, 0 },
};

static const struct astral_stmt *const stmt_tables[] = { helpers_stmts, NULL };
static const size_t stmt_counts[] = { HELPERS_STMT_COUNT, 0 };

static const struct astral_program program = {
	.name = "helpers",
	.routes = routes,
	.nroutes = sizeof(routes) / sizeof(routes[0]),
	.stmt_tables = stmt_tables,
	.stmt_counts = stmt_counts,
};

int
main(int argc, char **argv)
{
	return astral_program_main(argc, argv, &program);
}
