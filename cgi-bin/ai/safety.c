/* Crisis handling around the model: the fixed replies the person gets instead of model output,
   the alert for the moderators, the operator's referral count, and the program's audit rows. */
#include "ai.h"
#include "audit.h"
#include "crisis_alert.h"
#include "log.h"

const char ai_crisis_reply[] =
	"I'm really glad you told me. What you're going through sounds very hard, and you deserve support "
	"from a person right now. I'm an AI, so I can't keep you safe, but people can: please reach out to one "
	"of the crisis lines below, or to someone you trust. If you are in immediate danger, call your local "
	"emergency number. Our team has been told, so a trained person can reach out.";

const char ai_fallback_reply[] =
	"I'm sorry, I can't answer right now. You don't have to wait for me: a trained volunteer can talk with "
	"you if you share a post, and the crisis lines in Get Help Now are open day and night.";

void
ai_crisis_raise(struct astral_request *req, const struct astral_crisis_result *r, enum ai_action a,
                const char *source_id)
{
	struct astral_crisis_alert alert = {
		.user_id = req->who.user_id, .source = "ai", .source_id = source_id, .session_id = NULL,
		.severity = r->severity, .result = r,
	};
	struct astral_params p;

	if (astral_crisis_alert_raise(req, &alert, NULL) != ASTRAL_OK)
		astral_log(ASTRAL_LOG_ERROR, "crisis alert for an AI %s could not be queued", ai_action_name(a));
	astral_params_init(&p);
	astral_params_text(&p, a == AI_ACTION_GUIDANCE ? "guidance" : "chat");
	astral_params_int(&p, req->now);
	if (astral_db_queue(req->app->db, &ai_stmts[AI_REFERRAL_COUNT], &p) != ASTRAL_OK)
		astral_log(ASTRAL_LOG_ERROR, "the crisis referral count could not be queued");
}

void
ai_audit(struct astral_request *req, const char *action, const char *object_type, const char *object_id,
         const char *subject_id, const char *detail)
{
	struct astral_audit_event ev = {
		.actor_id = req->who.user_id, .actor_role = req->who.role, .action = action,
		.object_type = object_type, .object_id = object_id,
		.subject_id = subject_id != NULL ? subject_id : req->who.user_id,
		.outcome = "success", .request_id = req->request_id, .detail = detail,
	};

	if (astral_audit_append(req->app->db, &ev) != ASTRAL_OK)
		astral_log(ASTRAL_LOG_ERROR, "audit append failed for %s", action);
}
