/* Audit rows of the care half: who read or wrote which journal entry, assessment or safety
   plan. The caller is both actor and subject (nobody else reaches these rows); never text. */
#include "care.h"
#include "log.h"

void
care_audit(struct astral_request *req, const char *action, const char *object_type, const char *object_id,
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
