/* What one participant signals to the other: typing and read marks.
 *
 * Typing is passed on as an event and never stored, where there is an event stream. With
 * [realtime] transport = polling there is none: the time I typed is kept (session_typing,
 * migration 0042) and the other's session list says `other_typing` while it is recent. */
#include <stddef.h>

#include "chat.h"
#include "json.h"
#include "realtime.h"

struct read_in { const char *up_to; };
static const struct astral_field read_fields[] = {
	{ "up_to", ASTRAL_F_UUID, 1, 0, 0, NULL, offsetof(struct read_in, up_to), 0 },
};
const struct astral_input_spec chat_read_input = { read_fields, 1, sizeof(struct read_in) };

/* With polling: keep the time I typed, for the other participant's next look at the list, and
   answer 204 (409 when the conversation ended since it was read). */
static void
note_typing(struct astral_request *req, const struct chat_session *s)
{
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	astral_params_init(&p);
	astral_params_text(&p, s->id);
	astral_params_text(&p, s->my_role);
	astral_params_int(&p, req->now);
	err = chat_exec_commit(req, CHAT_TYPING_NOTE, &p, &res);
	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	else if (PQntuples(res) == 0)
		chat_respond_conflict(req, "This conversation has ended.");
	else
		astral_respond(req, 204, NULL);
	PQclear(res);
}

void
chat_typing(struct astral_request *req, const void *input)
{
	struct chat_session s;
	struct json_object *ev;
	astral_err err;

	(void)input;
	err = chat_session_access(req, req->path_params[0], &s);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		return;
	}
	if (s.ended) {
		chat_respond_conflict(req, "This conversation has ended.");
		return;
	}
	if (req->app->cfg.rt_transport == ASTRAL_RT_POLLING) {
		note_typing(req, &s);
		return;
	}
	ev = chat_event_new(req, "typing", s.id);
	astral_json_add_str(ev, "sender_role", s.my_role);
	astral_rt_after_commit(req, chat_session_other(&s), ev);
	astral_respond(req, 204, NULL);
}

void
chat_read(struct astral_request *req, const void *input)
{
	const struct read_in *in = input;
	struct json_object *body, *ev;
	struct chat_session s;
	struct astral_params p;
	PGresult *res = NULL;
	long long seq;
	astral_err err;

	err = chat_session_access(req, req->path_params[0], &s);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	astral_params_init(&p);
	astral_params_text(&p, in->up_to);
	astral_params_text(&p, s.id);
	err = chat_exec(req, CHAT_MESSAGE_SEQ, &p, &res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	if (PQntuples(res) != 1) {
		astral_respond_field_error(req, 400, "invalid_field", "That message is not in this conversation.", "up_to",
		                           "is not a message of this session");
		goto out;
	}
	seq = astral_db_int(res, 0, 0);
	PQclear(res);
	res = NULL;
	astral_params_init(&p);
	astral_params_text(&p, s.id);
	astral_params_text(&p, s.my_role);
	astral_params_int(&p, seq);
	astral_params_text(&p, req->who.user_id);
	err = chat_exec(req, CHAT_READ_SET, &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) != 1)
		err = ASTRAL_ERR_NOT_FOUND;
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	/* Only a mark that moved is news for the other side. */
	if (astral_db_int(res, 0, 0) > chat_read_seq_of(&s, s.my_role)) {
		ev = chat_event_new(req, "read", s.id);
		astral_json_add_str(ev, "reader_role", s.my_role);
		astral_json_add_int(ev, "up_to_seq", astral_db_int(res, 0, 0));
		astral_rt_after_commit(req, chat_session_other(&s), ev);
	}
	body = json_object_new_object();
	astral_json_add_int(body, "unread", astral_db_int(res, 0, 1));
	astral_respond(req, 200, body);
out:
	PQclear(res);
}
