/* How a session ends and what the seeker says about it: end, feedback, kudos, favourite. */
#include <stddef.h>
#include <string.h>

#include "achievements.h"
#include "chat.h"
#include "json.h"
#include "realtime.h"

struct feedback_in { int helpful; };
static const struct astral_field feedback_fields[] = {
	{ "helpful", ASTRAL_F_BOOL, 1, 0, 1, NULL, offsetof(struct feedback_in, helpful), -1 },
};
const struct astral_input_spec chat_feedback_input = { feedback_fields, 1, sizeof(struct feedback_in) };

/* The session, when the caller is its seeker; otherwise the response is sent and 0 returned. */
static int
seeker_session(struct astral_request *req, struct chat_session *s)
{
	astral_err err = chat_session_access(req, req->path_params[0], s);

	if (err == ASTRAL_OK && strcmp(s->my_role, "seeker") != 0)
		err = ASTRAL_ERR_NOT_FOUND;
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		return 0;
	}
	return 1;
}

/* Something the seeker gives once per ended session (feedback, kudos): the 409 answers. */
struct once_per_session {
	const char *too_early;   /* the session is still open */
	const char *again;       /* it was given already */
};
static const struct once_per_session feedback_once = {
	"Feedback can be given once the conversation has ended.",
	"Feedback was already given for this conversation.",
};
static const struct once_per_session kudos_once = {
	"Kudos can be given once the conversation has ended.",
	"Kudos were already given for this conversation.",
};

/* 1 when it may be given now: the session has ended and `given` is still unset; otherwise the
   409 is sent and 0 returned. */
static int
once_per_session_open(struct astral_request *req, const struct once_per_session *what, int ended, int given)
{
	if (!ended) {
		chat_respond_conflict(req, what->too_early);
		return 0;
	}
	if (given) {
		chat_respond_conflict(req, what->again);
		return 0;
	}
	return 1;
}

/* Record it with `stmt`, which returns one row, or none when it was given meanwhile. 1 with *res
   set when recorded; otherwise the answer (the error, or 409) is sent and 0 returned. */
static int
once_per_session_record(struct astral_request *req, const struct once_per_session *what, enum chat_stmt stmt,
                        const struct astral_params *p, PGresult **res)
{
	astral_err err = chat_exec(req, stmt, p, res);

	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		return 0;
	}
	if (PQntuples(*res) != 1) {
		chat_respond_conflict(req, what->again);
		return 0;
	}
	return 1;
}

void
chat_session_end(struct astral_request *req, const void *input)
{
	struct chat_session s;
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	(void)input;
	err = chat_session_access(req, req->path_params[0], &s);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	if (!s.ended) {
		astral_params_init(&p);
		astral_params_text(&p, s.id);
		astral_params_text(&p, req->who.user_id);
		astral_params_int(&p, req->now);
		astral_params_text(&p, s.my_role);
		err = chat_exec(req, CHAT_SESSION_END, &p, &res);
		if (err != ASTRAL_OK) {
			astral_respond_err(req, err);
			goto out;
		}
		/* No row: someone ended it a moment ago; the answer is the same. */
		if (PQntuples(res) == 1) {
			chat_audit(req, "session_end", s.id, s.seeker_id, s.my_role);
			for (int i = 0; i < 2; i++) {
				const char *to = i == 0 ? s.seeker_id : s.helper_id;
				struct json_object *ev;

				if (to[0] == '\0')
					continue;
				ev = chat_event_new(req, "session.ended", s.id);
				astral_json_add_str(ev, "ended_by", s.my_role);
				astral_rt_after_commit(req, to, ev);
			}
		}
	}
	chat_respond_session(req, 200, s.id);
out:
	PQclear(res);
}

void
chat_feedback(struct astral_request *req, const void *input)
{
	const struct feedback_in *in = input;
	struct chat_session s;
	struct astral_params p;
	PGresult *res = NULL;

	if (!seeker_session(req, &s))
		goto out;
	if (!once_per_session_open(req, &feedback_once, s.ended, s.feedback_given))
		goto out;
	astral_params_init(&p);
	astral_params_text(&p, s.id);
	astral_params_text(&p, req->who.user_id);
	astral_params_bool(&p, in->helpful);
	astral_params_int(&p, req->now);
	if (!once_per_session_record(req, &feedback_once, CHAT_FEEDBACK_SET, &p, &res))
		goto out;
	chat_audit(req, "session_feedback", s.id, s.seeker_id, NULL);
	chat_respond_session(req, 200, s.id);
out:
	PQclear(res);
}

void
chat_kudos(struct astral_request *req, const void *input)
{
	struct json_object *body, *awarded = NULL;
	struct chat_session s;
	struct astral_params p;
	PGresult *res = NULL;
	const char *helper_id;
	astral_err err;

	(void)input;
	if (!seeker_session(req, &s))
		goto out;
	if (!once_per_session_open(req, &kudos_once, s.ended, s.kudos_given))
		goto out;
	astral_params_init(&p);
	astral_params_text(&p, s.id);
	astral_params_text(&p, req->who.user_id);
	astral_params_int(&p, req->now);
	if (!once_per_session_record(req, &kudos_once, CHAT_KUDOS_SET, &p, &res))
		goto out;
	/* The helper hears of what the kudos earned them (achievement.unlocked); a helper who left
	   earns nothing. */
	helper_id = astral_db_value(res, 0, 0);
	err = helper_id != NULL ? astral_achievements_award(req, helper_id, &awarded) : ASTRAL_OK;
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	if (awarded == NULL)
		awarded = json_object_new_array();
	chat_audit(req, "session_kudos", s.id, s.seeker_id, NULL);
	body = json_object_new_object();
	astral_json_add_bool(body, "kudos_given", 1);
	json_object_object_add(body, "new_achievements", awarded);
	astral_respond(req, 201, body);
out:
	PQclear(res);
}

static void
favorite_set(struct astral_request *req, int on)
{
	struct chat_session s;
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	if (!seeker_session(req, &s))
		goto out;
	astral_params_init(&p);
	astral_params_text(&p, s.id);
	astral_params_text(&p, req->who.user_id);
	astral_params_bool(&p, on);
	err = chat_exec(req, CHAT_FAVORITE_SET, &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) != 1)
		err = ASTRAL_ERR_NOT_FOUND;
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	chat_respond_session(req, 200, s.id);
out:
	PQclear(res);
}

void
chat_favorite_add(struct astral_request *req, const void *input)
{
	(void)input;
	favorite_set(req, 1);
}

void
chat_favorite_remove(struct astral_request *req, const void *input)
{
	(void)input;
	favorite_set(req, 0);
}
