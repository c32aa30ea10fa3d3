/*
 * Sending a message: sealed with the session key, idempotent on the client's key, screened by
 * the crisis detector when the seeker writes, and published to both participants after COMMIT.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "chat.h"
#include "crisis_alert.h"
#include "json.h"
#include "log.h"
#include "random.h"
#include "realtime.h"

struct send_in { const char *text; const char *client_key; };
static const struct astral_field send_fields[] = {
	{ "text", ASTRAL_F_MULTILINE, 1, 1, 4000, NULL, offsetof(struct send_in, text), 0 },
	{ "client_key", ASTRAL_F_TEXT, 1, 1, 64, NULL, offsetof(struct send_in, client_key), 0 },
};
const struct astral_input_spec chat_message_send_input = { send_fields, 2, sizeof(struct send_in) };

static int
client_key_valid(const char *key)
{
	static const char allowed[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

	return key[0] != '\0' && strspn(key, allowed) == strlen(key);
}

static int
blank(const char *text)
{
	return text[strspn(text, " \t\r\n")] == '\0';
}

/* message.new for one participant, seeing it from their side. `prev_id` is the session's message
   before it (NULL for the first): a client that does not hold it lost an event on the way and
   fetches what it missed before adding this one. */
static struct json_object *
message_new_event(struct astral_request *req, const struct chat_session *s, const struct chat_message *m,
                  const char *prev_id, const char *viewer_role)
{
	struct json_object *ev = chat_event_new(req, "message.new", s->id);

	json_object_object_add(ev, "message", chat_message_json(s, m, viewer_role));
	json_object_object_add(ev, "prev_id", prev_id != NULL ? json_object_new_string(prev_id) : NULL);
	return ev;
}

/* message.new to both participants. */
static void
publish_new(struct astral_request *req, const struct chat_session *s, const struct chat_message *m,
            const char *prev_id)
{
	astral_rt_after_commit(req, s->seeker_id, message_new_event(req, s, m, prev_id, "seeker"));
	if (s->helper_id[0] != '\0')
		astral_rt_after_commit(req, s->helper_id, message_new_event(req, s, m, prev_id, "helper"));
}

/* The same client key again: answer 200 with the stored message, never a second row. Once the
   session has ended this is all a send can still do: a resend of a message stored before the end
   (its first answer was lost) gets it; a key with no stored message is refused with 409. */
static void
respond_stored(struct astral_request *req, const struct chat_session *s, const struct send_in *in,
               const unsigned char dek[ASTRAL_DEK_LEN])
{
	struct astral_crisis_result result;
	struct json_object *body;
	struct chat_message m;
	struct astral_params p;
	PGresult *res = NULL;
	char *text = NULL;
	astral_err err;

	astral_params_init(&p);
	astral_params_text(&p, s->id);
	astral_params_text(&p, s->my_role);
	astral_params_text(&p, in->client_key);
	err = chat_exec(req, CHAT_MESSAGE_BY_KEY, &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) == 0 && s->ended) {
		chat_respond_conflict(req, "This conversation has ended; no more messages can be sent.");
		goto out;
	}
	if (err == ASTRAL_OK && PQntuples(res) != 1)
		err = ASTRAL_ERR_INTERNAL;
	if (err == ASTRAL_OK)
		err = chat_message_from_row(res, 0, dek, &m, &text);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err == ASTRAL_ERR_DB_DOWN ? err : ASTRAL_ERR_INTERNAL);
		goto out;
	}
	body = chat_message_json(s, &m, s->my_role);
	if (strcmp(s->my_role, "seeker") == 0 && strcmp(m.crisis_severity, "none") != 0) {
		astral_crisis_screen_or_none(m.text, &result);
		if (result.severity != ASTRAL_CRISIS_NONE)
			json_object_object_add(body, "crisis", astral_crisis_response_json(req->app, &result));
	}
	astral_respond(req, 200, body);
out:
	free(text);
	PQclear(res);
}

void
chat_message_send(struct astral_request *req, const void *input)
{
	const struct send_in *in = input;
	struct astral_crisis_result result;
	unsigned char dek[ASTRAL_DEK_LEN];
	unsigned char *sealed = NULL;
	size_t slen = 0;
	char id[ASTRAL_UUID_STR_LEN + 1];
	struct chat_session s;
	struct chat_message m;
	struct json_object *body;
	struct astral_params p;
	PGresult *res = NULL;
	int have_key = 0;
	astral_err err;

	memset(&result, 0, sizeof(result));
	if (!client_key_valid(in->client_key)) {
		astral_respond_field_error(req, 400, "invalid_field", "Some fields need attention.", "client_key",
		                           "must be 1 to 64 of A-Z a-z 0-9 _ -");
		return;
	}
	if (blank(in->text)) {
		astral_respond_field_error(req, 400, "invalid_field", "Some fields need attention.", "text",
		                           "must not be blank");
		return;
	}
	err = chat_session_open_to_send(req, req->path_params[0], &s, dek);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	have_key = 1;
	if (s.ended) {
		respond_stored(req, &s, in, dek);
		goto out;
	}
	/* The detector flags, never blocks; only the seeker's words are screened. */
	if (strcmp(s.my_role, "seeker") == 0)
		astral_crisis_screen_or_none(in->text, &result);
	err = astral_uuid_v4(id);
	if (err == ASTRAL_OK)
		err = chat_message_seal(dek, id, in->text, &sealed, &slen);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, ASTRAL_ERR_INTERNAL);
		goto out;
	}
	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_text(&p, s.id);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, s.my_role);
	astral_params_bytes(&p, sealed, slen);
	astral_params_text(&p, in->client_key);
	astral_params_text(&p, astral_crisis_severity_name(result.severity));
	astral_params_int(&p, req->now);
	astral_params_text(&p, req->who.role);
	astral_params_text(&p, s.seeker_id);
	astral_params_text(&p, req->request_id);
	/* The insert writes its own audit row. A flagged message raises its crisis alert in the same
	   transaction, which the dispatcher commits; any other commits in the round trip that stores
	   it. */
	if (result.severity == ASTRAL_CRISIS_NONE)
		err = chat_exec_commit(req, CHAT_MESSAGE_INSERT, &p, &res);
	else
		err = chat_exec(req, CHAT_MESSAGE_INSERT, &p, &res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	if (PQntuples(res) == 0) {
		/* A resend. After a commit, the stored message is read in a transaction of its own. */
		if (!astral_db_in_transaction(req->app->db) &&
		    (err = astral_db_begin(req->app->db, req->who.user_id, req->who.role)) != ASTRAL_OK) {
			astral_respond_err(req, err);
			goto out;
		}
		respond_stored(req, &s, in, dek);
		goto out;
	}
	m.id = id;
	m.seq = astral_db_int(res, 0, 0);
	m.sender_role = s.my_role;
	m.text = in->text;
	m.client_key = in->client_key;
	m.crisis_severity = astral_crisis_severity_name(result.severity);
	m.created_at = astral_db_int(res, 0, 1);
	if (result.severity != ASTRAL_CRISIS_NONE) {
		struct astral_crisis_alert alert = {
			.user_id = req->who.user_id, .source = "message", .source_id = id, .session_id = s.id,
			.severity = result.severity, .result = &result,
		};

		if (astral_crisis_alert_raise(req, &alert, NULL) != ASTRAL_OK)
			astral_log(ASTRAL_LOG_ERROR, "crisis alert for message %s could not be queued", id);
	}
	publish_new(req, &s, &m, astral_db_value(res, 0, 2));
	body = chat_message_json(&s, &m, s.my_role);
	if (result.severity != ASTRAL_CRISIS_NONE)
		json_object_object_add(body, "crisis", astral_crisis_response_json(req->app, &result));
	astral_respond(req, 201, body);
out:
	if (have_key)
		OPENSSL_cleanse(dek, sizeof(dek));
	free(sealed);
	PQclear(res);
}
