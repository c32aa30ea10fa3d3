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
	{ "POST", "/api/sessions/{uuid}/alert", chat_helper_alert, ASTRAL_HELPER, &chat_emergency_input,
	  ASTRAL_BODY_OPTIONAL },
	{ "GET", "/api/rt/connect", chat_rt_connect, ASTRAL_ANY_USER, &chat_rt_connect_input, 0 },
};

ASTRAL_PROGRAM_SERVING("chat", routes, chat_stmts, CHAT_STMT_COUNT, 1)
