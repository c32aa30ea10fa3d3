/* Audit rows of the whole program: who read or changed which of their own records (check-ins,
   habits, journal entries, assessments, the safety plan). Never a note, a tag, a habit name or
   any text. */
#include "audit.h"
#include "log.h"
#include "wellness_audit.h"

void
wellness_audit(struct astral_request *req, const char *action, const char *object_type, const char *object_id,
               const char *detail)
{
	struct astral_audit_event ev = {
		.actor_id = req->who.user_id, .actor_role = req->who.role, .action = action,
		.object_type = object_type, .object_id = object_id, .subject_id = req->who.user_id,
		.outcome = "success", .request_id = req->request_id, .detail = detail,
	};

	if (astral_audit_append(req->app->db, &ev) != ASTRAL_OK)
		astral_log(ASTRAL_LOG_ERROR, "audit append failed for %s", action);
}
