/* cgi-bin/ai: the route table and the program, whose start-up hook opens the provider and reads
   the prompts (runtime.c). Everything else is in the handlers and libastral. */
#include "ai.h"
#include "program.h"

static const struct astral_route routes[] = {
	{ "GET", "/api/ai/status", ai_status, ASTRAL_ANY_USER, NULL, 0 },
	{ "POST", "/api/ai/age-confirmation", ai_age_confirm, ASTRAL_ANY_USER, &ai_age_input, 0 },
	{ "POST", "/api/ai/chat", ai_chat, ASTRAL_ANY_USER, &ai_chat_input, 0 },
	{ "GET", "/api/ai/history", ai_history_get, ASTRAL_ANY_USER, NULL, 0 },
	{ "DELETE", "/api/ai/history", ai_history_delete, ASTRAL_ANY_USER, NULL, ASTRAL_BODY_OPTIONAL },
	{ "POST", "/api/ai/draft-post", ai_draft_post, ASTRAL_ANY_USER, NULL, ASTRAL_BODY_OPTIONAL },
	{ "POST", "/api/ai/summarize-post", ai_summarize_post, ASTRAL_HELPER, &ai_post_input, 0 },
	{ "POST", "/api/ai/summarize-session", ai_summarize_session, ASTRAL_ANY_USER, &ai_session_input, 0 },
	{ "POST", "/api/ai/guidance", ai_guidance, ASTRAL_HELPER, &ai_guidance_input, 0 },
	{ "POST", "/api/ai/match", ai_match, ASTRAL_HELPER, NULL, ASTRAL_BODY_OPTIONAL },
	{ "POST", "/api/ai/helper-feedback", ai_helper_feedback, ASTRAL_HELPER, &ai_session_input, 0 },
};

static const struct astral_stmt *const stmt_tables[] = { ai_stmts, NULL };
static const size_t stmt_counts[] = { AI_STMT_COUNT, 0 };

static const struct astral_program ai_program = {
	.name = "ai",
	.routes = routes,
	.nroutes = sizeof(routes) / sizeof(routes[0]),
	.stmt_tables = stmt_tables,
	.stmt_counts = stmt_counts,
	.init = ai_runtime_init,
};

int
main(int argc, char **argv)
{
	return astral_program_main(argc, argv, &ai_program);
}
