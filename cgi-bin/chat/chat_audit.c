/* Audit rows of the chat program: who did what to which session. Never message text. */
#include "chat.h"
#include "log.h"

void
chat_audit(struct astral_request *req, const char *action, const char *session_id, const char *subject_id,
           const char *detail)
{
	struct astral_audit_event ev = {
		.actor_id = req->who.user_id, .actor_role = req->who.role, .action = action,
		.object_type = "help_session", .object_id = session_id, .subject_id = subject_id,
		.outcome = "success", .request_id = req->request_id, .detail = detail,
	};

	if (astral_audit_append(req->app->db, &ev) != ASTRAL_OK)
		astral_log(ASTRAL_LOG_ERROR, "audit append failed for %s", action);
}
