/* The history of a session, oldest first: after a message, before one, or the latest page. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "chat.h"
#include "json.h"

struct history_in { const char *after; const char *before; long long limit; };
static const struct astral_field history_fields[] = {
	{ "after", ASTRAL_F_UUID, 0, 0, 0, NULL, offsetof(struct history_in, after), 0 },
	{ "before", ASTRAL_F_UUID, 0, 0, 0, NULL, offsetof(struct history_in, before), 0 },
	{ "limit", ASTRAL_F_INT, 0, 1, 100, NULL, offsetof(struct history_in, limit), 50 },
};
const struct astral_input_spec chat_messages_history_input = { history_fields, 3, sizeof(struct history_in) };

/* The seq of message `id` within the session; NOT_FOUND when it is not one of its messages. */
static astral_err
message_seq(struct astral_request *req, const char *session_id, const char *id, long long *seq)
{
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_text(&p, session_id);
	err = chat_exec(req, CHAT_MESSAGE_SEQ, &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) != 1)
		err = ASTRAL_ERR_NOT_FOUND;
	if (err == ASTRAL_OK)
		*seq = astral_db_int(res, 0, 0);
	PQclear(res);
	return err;
}

/* Rows of `res` (at most `limit`) as Message objects, oldest first. */
static astral_err
messages_json(const struct chat_session *s, const unsigned char dek[ASTRAL_DEK_LEN], const PGresult *res,
              int count, int newest_first, struct json_object *items)
{
	for (int k = 0; k < count; k++) {
		int row = newest_first ? count - 1 - k : k;
		struct chat_message m;
		char *text = NULL;
		astral_err err;

		err = chat_message_from_row(res, row, dek, &m, &text);
		if (err == ASTRAL_OK)
			json_object_array_add(items, chat_message_json(s, &m, s->my_role));
		free(text);
		if (err != ASTRAL_OK)
			return ASTRAL_ERR_INTERNAL;
	}
	return ASTRAL_OK;
}

void
chat_messages_history(struct astral_request *req, const void *input)
{
	const struct history_in *in = input;
	const char *cursor = in->after != NULL ? in->after : in->before;
	const char *cursor_field = in->after != NULL ? "after" : "before";
	struct json_object *body = NULL, *items = NULL;
	unsigned char dek[ASTRAL_DEK_LEN];
	struct chat_session s;
	struct astral_params p;
	int have_key = 0;
	PGresult *res = NULL;
	long long seq = 0;
	enum chat_stmt stmt;
	astral_err err;
	int n, count;

	if (in->after != NULL && in->before != NULL) {
		astral_respond_field_error(req, 400, "invalid_field", "Ask for messages after one or before one, not both.",
		                           "before", "cannot be combined with after");
		return;
	}
	err = chat_session_open(req, req->path_params[0], &s, dek);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	have_key = 1;
	if (cursor != NULL) {
		err = message_seq(req, s.id, cursor, &seq);
		if (err == ASTRAL_ERR_NOT_FOUND) {
			astral_respond_field_error(req, 400, "invalid_field", "That message is not in this conversation.",
			                           cursor_field, "is not a message of this session");
			goto out;
		}
		if (err != ASTRAL_OK) {
			astral_respond_err(req, err);
			goto out;
		}
	}
	astral_params_init(&p);
	astral_params_text(&p, s.id);
	if (cursor != NULL) {
		astral_params_int(&p, seq);
		stmt = in->after != NULL ? CHAT_MESSAGES_AFTER : CHAT_MESSAGES_BEFORE;
	} else {
		stmt = CHAT_MESSAGES_LATEST;
	}
	astral_params_int(&p, in->limit + 1);
	err = chat_exec(req, stmt, &p, &res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	n = PQntuples(res);
	count = n > in->limit ? (int)in->limit : n;
	items = json_object_new_array();
	err = messages_json(&s, dek, res, count, stmt != CHAT_MESSAGES_AFTER, items);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	/* Reading a conversation is a read of health data: audited, without a word of it. */
	chat_audit(req, "session_messages_read", s.id, s.seeker_id, NULL);
	body = json_object_new_object();
	json_object_object_add(body, "items", items);
	items = NULL;
	/* next: for `after`, the newest id returned (ask again with after=next); otherwise the
	   oldest id returned (ask for older ones with before=next). */
	astral_json_add_str(body, "next", n > in->limit ? astral_db_value(res, count - 1, CHAT_MC_ID) : NULL);
	astral_respond(req, 200, body);
out:
	if (have_key)
		OPENSSL_cleanse(dek, sizeof(dek));
	json_object_put(items);
	PQclear(res);
}
