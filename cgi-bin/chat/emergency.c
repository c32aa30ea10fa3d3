/* Alerts from inside a conversation: the seeker's emergency button (a high-severity alert, the
   resources at once) and the helper's "alert a moderator" about the seeker they are talking with. */
#include <string.h>

#include "chat.h"
#include "crisis_alert.h"
#include "json.h"
#include "random.h"

/* The body is `{}` (or empty): no fields, so any field sent is named back as unknown. */
struct emergency_in { char none; };
const struct astral_input_spec chat_emergency_input = { NULL, 0, sizeof(struct emergency_in) };

/* A high-severity alert about `about` (the seeker) in the caller's session `role` must hold,
   raised by the caller; answers 201 { alert_id } and, for the seeker, the crisis resources.
   Raised in an ended conversation too: safety does not wait for a session's state. */
static void
raise_alert(struct astral_request *req, const char *role, const char *action)
{
	char alert_id[ASTRAL_UUID_STR_LEN + 1];
	struct chat_session s;
	struct json_object *body;
	astral_err err;

	err = chat_session_access(req, req->path_params[0], &s);
	if (err == ASTRAL_OK && strcmp(s.my_role, role) != 0)
		err = ASTRAL_ERR_NOT_FOUND;
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		return;
	}
	{
		struct astral_crisis_alert alert = {
			.user_id = s.seeker_id, .source = "emergency", .source_id = NULL, .session_id = s.id,
			.severity = ASTRAL_CRISIS_HIGH, .result = NULL,
		};

		err = astral_crisis_alert_raise(req, &alert, alert_id);
	}
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err == ASTRAL_ERR_DB_DOWN ? err : ASTRAL_ERR_INTERNAL);
		return;
	}
	chat_audit(req, action, s.id, s.seeker_id, "high");
	body = json_object_new_object();
	astral_json_add_str(body, "alert_id", alert_id);
	if (strcmp(role, "seeker") == 0)
		json_object_object_add(body, "crisis", astral_crisis_response_json(req->app, NULL));
	astral_respond(req, 201, body);
}

void
chat_emergency(struct astral_request *req, const void *input)
{
	(void)input;
	raise_alert(req, "seeker", "session_emergency");
}

/* The helper's alert: about the seeker they are talking with (the guidance panel's "alert a
   moderator"). Same body as the emergency button: `{}` or empty. */
void
chat_helper_alert(struct astral_request *req, const void *input)
{
	(void)input;
	raise_alert(req, "helper", "session_helper_alert");
}
