/*
 * Sending a message: sealed with the session key, idempotent on the client's key, screened by
 * the crisis detector when the seeker writes, and published to both participants after COMMIT.
 *
 * A sender whose side and key this worker remembers (send_memo.c) is served in one round trip:
 * the session check, the send lock, the insert and COMMIT go in one pipeline. Anything else (the
 * first send of a conversation in this worker, a resend, a session that has ended) reads the
 * session first and is answered as it finds it.
 */
#include <stddef.h>
#include <stdio.h>
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

/* The conversation's send lock, queued to go in the pipeline of the insert (CHAT_SEND_LOCK). */
static astral_err
queue_send_lock(struct astral_request *req, const char *session_id)
{
	struct astral_params p;

	astral_params_init(&p);
	astral_params_text(&p, session_id);
	return astral_db_queue(req->app->db, &chat_stmts[CHAT_SEND_LOCK], &p);
}

/* Seal the message and insert it with its audit row. An unflagged message commits in the same
   round trip, with the sends other threads make meanwhile when it is a remembered send (shared
   commits, lib/db_shared_commit.c); a flagged one stays in the transaction, to commit with its
   crisis alert. On a
   stored message, *stored is 1, and m, prev_id (the session's message before it, "" for the
   first) and s's participants and read marks are filled from the row; *stored is 0 when nothing
   was inserted (a resend, or a session that has ended). */
static astral_err
insert_message(struct astral_request *req, struct chat_session *s, const unsigned char dek[ASTRAL_DEK_LEN],
               const struct send_in *in, const struct astral_crisis_result *result, struct chat_message *m,
               char prev_id[ASTRAL_UUID_STR_LEN + 1], int *stored)
{
	unsigned char *sealed = NULL;
	size_t slen = 0;
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	*stored = 0;
	err = chat_message_seal(dek, m->id, in->text, &sealed, &slen);
	if (err != ASTRAL_OK)
		return ASTRAL_ERR_INTERNAL;
	astral_params_init(&p);
	astral_params_text(&p, m->id);
	astral_params_text(&p, s->id);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, s->my_role);
	astral_params_bytes(&p, sealed, slen);
	astral_params_text(&p, in->client_key);
	astral_params_text(&p, astral_crisis_severity_name(result->severity));
	astral_params_int(&p, req->now);
	astral_params_text(&p, req->who.role);
	astral_params_text(&p, req->request_id);
	if (result->severity == ASTRAL_CRISIS_NONE)
		err = chat_exec_commit_shared(req, CHAT_MESSAGE_INSERT, &p, &res);
	else
		err = chat_exec(req, CHAT_MESSAGE_INSERT, &p, &res);
	free(sealed);
	if (err == ASTRAL_OK && PQntuples(res) == 1) {
		*stored = 1;
		m->seq = astral_db_int(res, 0, 0);
		m->sender_role = s->my_role;
		m->text = in->text;
		m->client_key = in->client_key;
		m->crisis_severity = astral_crisis_severity_name(result->severity);
		m->created_at = astral_db_int(res, 0, 1);
		chat_copy_value(prev_id, ASTRAL_UUID_STR_LEN + 1, astral_db_value(res, 0, 2));
		chat_copy_value(s->seeker_id, sizeof(s->seeker_id), astral_db_value(res, 0, 3));
		chat_copy_value(s->helper_id, sizeof(s->helper_id), astral_db_value(res, 0, 4));
		s->seeker_read_seq = astral_db_int(res, 0, 5);
		s->helper_read_seq = astral_db_int(res, 0, 6);
	}
	PQclear(res);
	return err;
}

/* A stored message: its crisis alert (flagged), its events after COMMIT, and 201. */
static void
respond_sent(struct astral_request *req, const struct chat_session *s, const struct chat_message *m,
             const char *prev_id, const struct astral_crisis_result *result)
{
	struct json_object *body;

	if (result->severity != ASTRAL_CRISIS_NONE) {
		struct astral_crisis_alert alert = {
			.user_id = req->who.user_id, .source = "message", .source_id = m->id, .session_id = s->id,
			.severity = result->severity, .result = result,
		};

		if (astral_crisis_alert_raise(req, &alert, NULL) != ASTRAL_OK)
			astral_log(ASTRAL_LOG_ERROR, "crisis alert for message %s could not be queued", m->id);
	}
	publish_new(req, s, m, prev_id[0] != '\0' ? prev_id : NULL);
	body = chat_message_json(s, m, s->my_role);
	if (result->severity != ASTRAL_CRISIS_NONE)
		json_object_object_add(body, "crisis", astral_crisis_response_json(req->app, result));
	astral_respond(req, 201, body);
}

/* The detector flags, never blocks; only the seeker's words are screened. */
static void
screen(const struct chat_session *s, const struct send_in *in, struct astral_crisis_result *result)
{
	memset(result, 0, sizeof(*result));
	if (strcmp(s->my_role, "seeker") == 0)
		astral_crisis_screen_or_none(in->text, result);
}

/* The send in one round trip, for a sender the worker remembers: 1 when it is answered (stored,
   or refused by the session check or the database), 0 when nothing was stored and the session
   must be read to say why (a resend, a session that has ended or is gone). */
static int
send_remembered(struct astral_request *req, struct chat_session *s, const unsigned char dek[ASTRAL_DEK_LEN],
                const struct send_in *in, struct chat_message *m)
{
	char prev_id[ASTRAL_UUID_STR_LEN + 1];
	struct astral_crisis_result result;
	int stored = 0;
	astral_err err;

	screen(s, in, &result);
	err = queue_send_lock(req, s->id);
	if (err == ASTRAL_OK)
		err = insert_message(req, s, dek, in, &result, m, prev_id, &stored);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		return 1;
	}
	if (!stored)
		return 0;
	respond_sent(req, s, m, prev_id, &result);
	return 1;
}

/* The send that reads the session first, and remembers the sender's side and key for their next
   sends while the conversation goes on (an ended one is forgotten: no send can store there). */
static void
send_after_reading(struct astral_request *req, const struct send_in *in, struct chat_message *m)
{
	char prev_id[ASTRAL_UUID_STR_LEN + 1];
	struct astral_crisis_result result;
	unsigned char dek[ASTRAL_DEK_LEN];
	struct chat_session s;
	int stored = 0;
	astral_err err;

	if (!astral_db_in_transaction(req->app->db) &&
	    (err = astral_db_begin(req->app->db, req->who.user_id, req->who.role)) != ASTRAL_OK) {
		astral_respond_err(req, err);
		return;
	}
	err = chat_session_open_to_send(req, req->path_params[0], &s, dek);
	if (err != ASTRAL_OK) {
		if (err == ASTRAL_ERR_NOT_FOUND)
			chat_send_memo_forget(req->path_params[0], req->who.user_id);
		astral_respond_err(req, err);
		return;
	}
	if (s.ended) {
		chat_send_memo_forget(s.id, req->who.user_id);
		respond_stored(req, &s, in, dek);
		goto out;
	}
	chat_send_memo_keep(s.id, req->who.user_id, req->now, s.my_role, dek);
	screen(&s, in, &result);
	err = insert_message(req, &s, dek, in, &result, m, prev_id, &stored);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	if (stored) {
		respond_sent(req, &s, m, prev_id, &result);
		goto out;
	}
	/* A resend. After a commit, the stored message is read in a transaction of its own. */
	if (!astral_db_in_transaction(req->app->db) &&
	    (err = astral_db_begin(req->app->db, req->who.user_id, req->who.role)) != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	respond_stored(req, &s, in, dek);
out:
	OPENSSL_cleanse(dek, sizeof(dek));
}

void
chat_message_send(struct astral_request *req, const void *input)
{
	const struct send_in *in = input;
	char id[ASTRAL_UUID_STR_LEN + 1];
	unsigned char dek[ASTRAL_DEK_LEN];
	struct chat_session s;
	struct chat_message m;
	int answered = 0;

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
	if (astral_uuid_v4(id) != ASTRAL_OK) {
		astral_respond_err(req, ASTRAL_ERR_INTERNAL);
		return;
	}
	memset(&m, 0, sizeof(m));
	m.id = id;
	memset(&s, 0, sizeof(s));
	if (strlen(req->path_params[0]) < sizeof(s.id) &&             /* a uuid: the router checked */
	    chat_send_memo_recall(req->path_params[0], req->who.user_id, req->now, s.my_role, dek)) {
		memcpy(s.id, req->path_params[0], strlen(req->path_params[0]) + 1);
		answered = send_remembered(req, &s, dek, in, &m);
		OPENSSL_cleanse(dek, sizeof(dek));
	}
	if (!answered)
		send_after_reading(req, in, &m);
}
