/* cgi-bin/posts: the route table. Everything else is in the handlers and libastral. */
#include "posts.h"
#include "program.h"

static const struct astral_route routes[] = {
	{ "GET", "/api/posts", posts_feed, ASTRAL_ANY_USER, &posts_feed_input, 0 },
	{ "POST", "/api/posts", posts_create, ASTRAL_SEEKER, &posts_create_input, 0 },
	{ "GET", "/api/posts/for-you", posts_for_you, ASTRAL_ANY_USER, &posts_page_input, 0 },
	{ "GET", "/api/posts/mine", posts_mine, ASTRAL_ANY_USER, &posts_page_input, 0 },
	{ "GET", "/api/posts/requests", posts_requests_to_me, ASTRAL_HELPER, &posts_page_input, 0 },
	{ "POST", "/api/posts/direct-requests", posts_direct_request, ASTRAL_SEEKER, &posts_direct_request_input, 0 },
	{ "GET", "/api/posts/{uuid}", posts_get, ASTRAL_ANY_USER, NULL, 0 },
	{ "POST", "/api/posts/{uuid}/support", posts_support_add, ASTRAL_ANY_USER, NULL, 0 },
	{ "DELETE", "/api/posts/{uuid}/support", posts_support_remove, ASTRAL_ANY_USER, NULL, 0 },
	{ "POST", "/api/posts/{uuid}/report", posts_report, ASTRAL_ANY_USER, &posts_report_input, 0 },
	{ "POST", "/api/posts/{uuid}/accept", posts_accept, ASTRAL_HELPER, NULL, 0 },
	{ "POST", "/api/posts/{uuid}/resolve", posts_resolve, ASTRAL_ANY_USER, NULL, 0 },
	{ "POST", "/api/posts/{uuid}/publish", posts_publish, ASTRAL_ANY_USER, NULL, 0 },
	{ "POST", "/api/posts/{uuid}/decline", posts_decline, ASTRAL_HELPER, NULL, 0 },
	{ "GET", "/api/reflections", reflections_list, ASTRAL_ANY_USER, &reflections_page_input, 0 },
	{ "POST", "/api/reflections", reflections_create, ASTRAL_ANY_USER, &reflections_create_input, 0 },
	{ "POST", "/api/reflections/{uuid}/light", reflections_light_add, ASTRAL_ANY_USER, NULL, 0 },
	{ "DELETE", "/api/reflections/{uuid}/light", reflections_light_remove, ASTRAL_ANY_USER, NULL, 0 },
};

ASTRAL_PROGRAM("posts", routes, posts_stmts, POSTS_STMT_COUNT)
