/* Audit rows of the videos program: who uploaded or liked which video. Never the description. */
#include "log.h"
#include "videos.h"

void
videos_audit(struct astral_request *req, const char *action, const char *video_id, const char *subject_id,
             const char *detail)
{
	struct astral_audit_event ev = {
		.actor_id = req->who.user_id, .actor_role = req->who.role, .action = action,
		.object_type = "wellness_video", .object_id = video_id, .subject_id = subject_id,
		.outcome = "success", .request_id = req->request_id, .detail = detail,
	};

	if (astral_audit_append(req->app->db, &ev) != ASTRAL_OK)
		astral_log(ASTRAL_LOG_ERROR, "audit append failed for %s", action);
}
