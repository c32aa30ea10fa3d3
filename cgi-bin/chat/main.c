/* cgi-bin/chat: the route table. Everything else is in the handlers and libastral. */
#include "chat.h"
#include "program.h"

static const struct astral_route routes[] = {
	{ "GET", "/api/sessions", chat_sessions_list, ASTRAL_ANY_USER, &chat_sessions_list_input, 0 },
	{ "GET", "/api/sessions/{uuid}", chat_session_get, ASTRAL_ANY_USER, NULL, 0 },
	{ "GET", "/api/sessions/{uuid}/messages", chat_messages_history, ASTRAL_ANY_USER, &chat_messages_history_input, 0 },
	{ "POST", "/api/sessions/{uuid}/messages", chat_message_send, ASTRAL_ANY_USER, &chat_message_send_input, 0 },
	{ "POST", "/api/sessions/{uuid}/typing", chat_typing, ASTRAL_ANY_USER, NULL, 0 },
	{ "POST", "/api/sessions/{uuid}/read", chat_read, ASTRAL_ANY_USER, &chat_read_input, 0 },
	{ "POST", "/api/sessions/{uuid}/end", chat_session_end, ASTRAL_ANY_USER, NULL, 0 },
	{ "POST", "/api/sessions/{uuid}/feedback", chat_feedback, ASTRAL_SEEKER, &chat_feedback_input, 0 },
	{ "POST", "/api/sessions/{uuid}/kudos", chat_kudos, ASTRAL_SEEKER, NULL, 0 },
	{ "POST", "/api/sessions/{uuid}/favorite", chat_favorite_add, ASTRAL_SEEKER, NULL, 0 },
	{ "DELETE", "/api/sessions/{uuid}/favorite", chat_favorite_remove, ASTRAL_SEEKER, NULL, 0 },
	{ "POST", "/api/sessions/{uuid}/emergency", chat_emergency, ASTRAL_SEEKER, &chat_emergency_input,
	  ASTRAL_BODY_OPTIONAL },
	{ "GET", "/api/rt/connect", chat_rt_connect, ASTRAL_ANY_USER, &chat_rt_connect_input, 0 },
};

static const struct astral_stmt *const stmt_tables[] = { chat_stmts, NULL };
static const size_t stmt_counts[] = { CHAT_STMT_COUNT, 0 };

static const struct astral_program program = {
	.name = "chat",
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
