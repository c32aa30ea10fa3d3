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

ASTRAL_PROGRAM("helpers", routes, helpers_stmts, HELPERS_STMT_COUNT)
