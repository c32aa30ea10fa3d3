/* cgi-bin/helpers: the route table. Everything else is in the handlers and libastral. */
#include "helpers.h"
#include "program.h"

/* The helpers' community: helpers and staff. */
#define COMMUNITY (ASTRAL_HELPER | ASTRAL_STAFF)

static const struct astral_route routes[] = {
	{ "GET", "/api/helpers/online-count", helpers_online_count, ASTRAL_PUBLIC, NULL, 0 },
	{ "GET", "/api/helpers", helpers_list, ASTRAL_ANY_USER, &helpers_list_input, 0 },
	{ "GET", "/api/helpers/me", helpers_me_get, ASTRAL_HELPER, NULL, 0 },
	{ "POST", "/api/helpers/me", helpers_me_post, ASTRAL_HELPER, &helpers_me_post_input, 0 },
	{ "PUT", "/api/helpers/me", helpers_me_put, ASTRAL_HELPER, &helpers_me_put_input, 0 },
	{ "PUT", "/api/helpers/me/availability", helpers_availability_put, ASTRAL_HELPER, &helpers_availability_input, 0 },
	{ "GET", "/api/helpers/favorites", helpers_favorites, ASTRAL_SEEKER, NULL, 0 },
	{ "GET", "/api/helpers/{uuid}", helpers_get, ASTRAL_ANY_USER, NULL, 0 },
	{ "GET", "/api/helpers/me/training", helpers_training_get, ASTRAL_HELPER, NULL, 0 },
	{ "POST", "/api/helpers/me/training", helpers_training_post, ASTRAL_HELPER, &helpers_training_input, 0 },
	{ "GET", "/api/helpers/me/application", helpers_application_get, ASTRAL_HELPER, NULL, 0 },
	{ "POST", "/api/helpers/me/application", helpers_application_post, ASTRAL_HELPER, &helpers_application_input,
	  ASTRAL_BODY_OPTIONAL },
	{ "GET", "/api/helpers/me/dashboard", helpers_dashboard, ASTRAL_HELPER, NULL, 0 },
	{ "GET", "/api/community/threads", community_threads_list, COMMUNITY, &community_page_input, 0 },
	{ "POST", "/api/community/threads", community_thread_create, COMMUNITY, &community_thread_input, 0 },
	{ "GET", "/api/community/threads/{uuid}", community_thread_get, COMMUNITY, NULL, 0 },
	{ "GET", "/api/community/threads/{uuid}/posts", community_thread_posts, COMMUNITY, &community_page_input, 0 },
	{ "POST", "/api/community/threads/{uuid}/posts", community_thread_reply, COMMUNITY, &community_reply_input, 0 },
	{ "GET", "/api/community/proposals", community_proposals_list, COMMUNITY, &community_proposals_page_input, 0 },
	/* The council is helpers only: staff neither propose nor vote. */
	{ "POST", "/api/community/proposals", community_proposal_create, ASTRAL_HELPER, &community_proposal_input, 0 },
	{ "POST", "/api/community/proposals/{uuid}/vote", community_proposal_vote, ASTRAL_HELPER, &community_vote_input,
	  0 },
};

ASTRAL_PROGRAM("helpers", routes, helpers_stmts, HELPERS_STMT_COUNT)
