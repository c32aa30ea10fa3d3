/* JSON of the chat program: HelpSession, Message and real-time events (docs/peer-support-api-contract.md). */
#include <string.h>

#include "chat.h"
#include "json.h"

/* A nullable time column: NULL → JSON null. */
static void
add_time_col(struct json_object *o, const char *key, const PGresult *res, int row, int col)
{
	if (astral_db_value(res, row, col) == NULL)
		json_object_object_add(o, key, NULL);
	else
		astral_json_add_time(o, key, astral_db_int(res, row, col));
}

/* The other participant typed within CHAT_TYPING_FRESH_SECONDS of now, after their newest
   message (SESSION_COLUMNS), in a conversation that goes on. Stored only with polling
   (chat_typing), so always false behind nchan. */
static int
other_typing(const PGresult *res, int row, int64_t now)
{
	int64_t typed_at;

	if (astral_db_value(res, row, CHAT_SC_OTHER_TYPED_AT) == NULL ||
	    astral_db_value(res, row, CHAT_SC_ENDED_AT) != NULL)
		return 0;
	typed_at = astral_db_int(res, row, CHAT_SC_OTHER_TYPED_AT);
	return typed_at <= now && now - typed_at <= CHAT_TYPING_FRESH_SECONDS;
}

struct json_object *
chat_session_json(const PGresult *res, int row, int64_t now)
{
	struct json_object *o = json_object_new_object();
	struct json_object *seeker = json_object_new_object();
	const char *my_role = astral_db_value(res, row, CHAT_SC_MY_ROLE);
	const char *helper_id = astral_db_value(res, row, CHAT_SC_HELPER_ID);
	int seeker_view = my_role != NULL && strcmp(my_role, "seeker") == 0;

	astral_json_add_str(o, "id", astral_db_value(res, row, CHAT_SC_ID));
	astral_json_add_str(o, "post_id", astral_db_value(res, row, CHAT_SC_POST_ID));
	astral_json_add_str(o, "post_excerpt", astral_db_value(res, row, CHAT_SC_EXCERPT));
	astral_json_add_str(o, "category", astral_db_value(res, row, CHAT_SC_CATEGORY));
	astral_json_add_str(o, "my_role", my_role);
	/* Seekers stay anonymous, to their helper too. */
	astral_json_add_str(seeker, "display_name", "Seeker");
	json_object_object_add(o, "seeker", seeker);
	if (helper_id == NULL) {
		json_object_object_add(o, "helper", NULL);
	} else {
		struct json_object *helper = json_object_new_object();
		const char *name = astral_db_value(res, row, CHAT_SC_HELPER_NAME);

		astral_json_add_str(helper, "id", helper_id);
		astral_json_add_str(helper, "display_name", name != NULL ? name : "Helper");
		json_object_object_add(helper, "reputation",
		                       astral_json_numeric(astral_db_value(res, row, CHAT_SC_REPUTATION)));
		json_object_object_add(o, "helper", helper);
	}
	add_time_col(o, "started_at", res, row, CHAT_SC_STARTED_AT);
	add_time_col(o, "ended_at", res, row, CHAT_SC_ENDED_AT);
	astral_json_add_str(o, "ended_by", astral_db_value(res, row, CHAT_SC_ENDED_BY));
	astral_json_add_int(o, "unread", astral_db_int(res, row, CHAT_SC_UNREAD));
	add_time_col(o, "last_message_at", res, row, CHAT_SC_LAST_MESSAGE_AT);
	/* The seeker's own marks; the helper sees false/null (they are the seeker's to give). */
	astral_json_add_bool(o, "kudos_given", seeker_view && astral_db_bool(res, row, CHAT_SC_KUDOS_GIVEN));
	astral_json_add_bool(o, "favorite", seeker_view && astral_db_bool(res, row, CHAT_SC_FAVORITE));
	if (seeker_view && astral_db_value(res, row, CHAT_SC_HELPFUL) != NULL)
		astral_json_add_bool(o, "feedback", astral_db_bool(res, row, CHAT_SC_HELPFUL));
	else
		json_object_object_add(o, "feedback", NULL);
	astral_json_add_bool(o, "other_typing", other_typing(res, row, now));
	return o;
}

struct json_object *
chat_message_json(const struct chat_session *s, const struct chat_message *m, const char *viewer_role)
{
	struct json_object *o = json_object_new_object();
	const char *recipient = chat_other_role(m->sender_role);
	int viewer_is_helper = strcmp(viewer_role, "helper") == 0;

	astral_json_add_str(o, "id", m->id);
	astral_json_add_str(o, "session_id", s->id);
	astral_json_add_int(o, "seq", m->seq);
	astral_json_add_str(o, "sender_role", m->sender_role);
	astral_json_add_bool(o, "mine", strcmp(m->sender_role, viewer_role) == 0);
	astral_json_add_str(o, "text", m->text);
	astral_json_add_str(o, "client_key", m->client_key);
	astral_json_add_time(o, "created_at", m->created_at);
	/* The detector's mark guides the helper; the seeker never sees it on their own words. */
	astral_json_add_bool(o, "flagged", viewer_is_helper && strcmp(m->crisis_severity, "none") != 0);
	/* read: the message's recipient has read it. */
	astral_json_add_bool(o, "read", m->seq <= chat_read_seq_of(s, recipient));
	return o;
}

struct json_object *
chat_event_new(struct astral_request *req, const char *type, const char *session_id)
{
	struct json_object *ev = json_object_new_object();

	astral_json_add_str(ev, "type", type);
	astral_json_add_time(ev, "at", req->now);
	astral_json_add_str(ev, "session_id", session_id);
	return ev;
}

void
chat_respond_session(struct astral_request *req, int status, const char *id)
{
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, id);
	err = chat_exec(req, CHAT_SESSION_GET, &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) != 1)
		err = ASTRAL_ERR_NOT_FOUND;
	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	else
		astral_respond(req, status, chat_session_json(res, 0, req->now));
	PQclear(res);
}

void
chat_respond_conflict(struct astral_request *req, const char *message)
{
	astral_respond_error(req, 409, "conflict", message);
}
