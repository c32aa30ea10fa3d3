/*
 * Break-glass: a moderator or admin opens a time-boxed grant (5 to 60 minutes, with a reason of
 * at least 10 characters) to read one help session whole, lists their grants still running, and
 * reads the session's messages (opened with its conversation key) while a grant of their own is
 * running by the request's clock. Opening, every read and every refused read are audited.
 * Messages come oldest first; the cursor holds the last seq returned.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypt.h"
#include "help_session_key.h"
#include "json.h"
#include "log.h"
#include "moderation.h"

#define GRANT_REASON_MIN 10
#define GRANT_MINUTES_MIN 5
#define GRANT_MINUTES_MAX 60
#define GRANT_MINUTES_DEFAULT 30
#define SEQ_MAX 9223372036854775806LL

struct grant_in { const char *session_id; const char *reason; long long minutes; };
static const struct astral_field grant_fields[] = {
	{ "session_id", ASTRAL_F_UUID, 1, 0, 0, NULL, offsetof(struct grant_in, session_id), 0 },
	{ "reason", ASTRAL_F_MULTILINE, 1, GRANT_REASON_MIN, MOD_REASON_MAX, NULL, offsetof(struct grant_in, reason), 0 },
	{ "minutes", ASTRAL_F_INT, 0, GRANT_MINUTES_MIN, GRANT_MINUTES_MAX, NULL, offsetof(struct grant_in, minutes),
	  GRANT_MINUTES_DEFAULT },
};
const struct astral_input_spec moderation_grant_input = { grant_fields, 3, sizeof(struct grant_in) };

/* Columns of the grant statements (MOD_GRANT_INSERT, MOD_GRANTS_ACTIVE). */
enum { GC_ID, GC_SESSION_ID, GC_REASON, GC_CREATED_AT, GC_EXPIRES_AT };
/* Columns of MOD_BG_SESSION. */
enum { BS_SEEKER, BS_HELPER, BS_SEEKER_READ, BS_HELPER_READ, BS_KEY };
/* Columns of MOD_BG_MESSAGES. */
enum { BM_ID, BM_SEQ, BM_SENDER_ROLE, BM_BODY, BM_CLIENT_KEY, BM_CRISIS, BM_CREATED_AT };

static struct json_object *
grant_json(struct astral_request *req, const PGresult *res, int row)
{
	struct json_object *o = json_object_new_object();

	astral_json_add_str(o, "id", astral_db_value(res, row, GC_ID));
	astral_json_add_str(o, "session_id", astral_db_value(res, row, GC_SESSION_ID));
	astral_json_add_str(o, "reason", astral_db_value(res, row, GC_REASON));
	moderation_add_time(o, "created_at", res, row, GC_CREATED_AT);
	moderation_add_time(o, "expires_at", res, row, GC_EXPIRES_AT);
	astral_json_add_bool(o, "active", astral_db_int(res, row, GC_EXPIRES_AT) > req->now);
	return o;
}

void
moderation_grant_open(struct astral_request *req, const void *input)
{
	const struct grant_in *in = input;
	char id[ASTRAL_UUID_STR_LEN + 1], code[32];
	struct astral_params p;
	PGresult *res = NULL, *subject = NULL;
	astral_err err;

	err = astral_uuid_v4(id);
	if (err != ASTRAL_OK)
		goto out;
	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, in->session_id);
	astral_params_text(&p, in->reason);
	astral_params_int(&p, req->now);
	astral_params_int(&p, (long long)req->now + in->minutes * 60);
	/* A session that does not exist breaks the foreign key: 404, nothing written. */
	err = moderation_exec(req, MOD_GRANT_INSERT, &p, &res);
	if (err != ASTRAL_OK)
		goto out;
	astral_params_init(&p);
	astral_params_text(&p, in->session_id);
	err = moderation_exec(req, MOD_GRANT_SUBJECT, &p, &subject);
	if (err != ASTRAL_OK)
		goto out;
	snprintf(code, sizeof(code), "grant_minutes_%lld", in->minutes);
	err = moderation_audit(req, "break_glass_open", "help_session", in->session_id,
	                       PQntuples(subject) == 1 ? astral_db_value(subject, 0, 0) : NULL, "success", code,
	                       in->reason);
	if (err != ASTRAL_OK)
		goto out;
	astral_respond(req, 201, grant_json(req, res, 0));
out:
	if (err != ASTRAL_OK)
		moderation_fail(req, err);
	PQclear(res);
	PQclear(subject);
}

void
moderation_grants(struct astral_request *req, const void *input)
{
	struct astral_params p;
	PGresult *res = NULL;
	struct json_object *items, *body;
	astral_err err;

	(void)input;
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_int(&p, req->now);
	err = moderation_exec(req, MOD_GRANTS_ACTIVE, &p, &res);
	if (err == ASTRAL_OK)
		err = moderation_audit(req, "break_glass_list", "break_glass_grant", NULL, NULL, "success", "active", NULL);
	if (err != ASTRAL_OK) {
		moderation_fail(req, err);
		goto out;
	}
	items = json_object_new_array();
	for (int i = 0; i < PQntuples(res); i++)
		json_object_array_add(items, grant_json(req, res, i));
	body = json_object_new_object();
	json_object_object_add(body, "items", items);
	astral_respond(req, 200, body);
out:
	PQclear(res);
}

/* The Message object of row `row` as staff see it: never `mine`, `flagged` shown, `read` as the
   recipient's mark says. NULL when the body does not open. */
static struct json_object *
message_json(const char *session_id, const PGresult *session, const PGresult *res, int row,
             const unsigned char dek[ASTRAL_DEK_LEN])
{
	const char *id = astral_db_value(res, row, BM_ID), *sender = astral_db_value(res, row, BM_SENDER_ROLE);
	const char *crisis = astral_db_value(res, row, BM_CRISIS);
	unsigned char *sealed = NULL;
	size_t slen = 0;
	char *text = NULL;
	struct json_object *o = NULL;
	long long seq = astral_db_int(res, row, BM_SEQ), recipient_read;

	if (id == NULL || sender == NULL || crisis == NULL)
		return NULL;
	if (astral_db_bytes(res, row, BM_BODY, &sealed, &slen) != ASTRAL_OK ||
	    astral_field_open(dek, "messages", "body", id, sealed, slen, &text) != ASTRAL_OK) {
		/* The id only: never the body. */
		astral_log(ASTRAL_LOG_ERROR, "message %s does not open with its session key", id);
		goto out;
	}
	recipient_read = strcmp(sender, "seeker") == 0 ? astral_db_int(session, 0, BS_HELPER_READ)
	                                               : astral_db_int(session, 0, BS_SEEKER_READ);
	o = json_object_new_object();
	astral_json_add_str(o, "id", id);
	astral_json_add_str(o, "session_id", session_id);
	astral_json_add_int(o, "seq", seq);
	astral_json_add_str(o, "sender_role", sender);
	astral_json_add_bool(o, "mine", 0);
	astral_json_add_str(o, "text", text);
	astral_json_add_str(o, "client_key", astral_db_value(res, row, BM_CLIENT_KEY));
	moderation_add_time(o, "created_at", res, row, BM_CREATED_AT);
	astral_json_add_bool(o, "flagged", strcmp(crisis, "none") != 0);
	astral_json_add_bool(o, "read", seq <= recipient_read);
out:
	if (text != NULL) {
		OPENSSL_cleanse(text, strlen(text));
		free(text);
	}
	free(sealed);
	return o;
}

void
moderation_session_messages(struct astral_request *req, const void *input)
{
	const struct moderation_page_in *in = input;
	const char *session_id = req->path_params[0];
	unsigned char dek[ASTRAL_DEK_LEN];
	int have_key = 0, n, have_next = 0;
	char grant[ASTRAL_UUID_STR_LEN + 1], code[48], next[ASTRAL_CURSOR_TEXT_MAX + 1];
	struct astral_cursor c;
	struct astral_params p;
	PGresult *found = NULL, *session = NULL, *res = NULL;
	struct json_object *items = NULL, *m;
	long long after = 0;
	astral_err err;

	if (in->cursor != NULL &&
	    (moderation_cursor_decode(in->cursor, "m", 2, &c) != ASTRAL_OK || astral_cursor_int(&c, 1, &after) != ASTRAL_OK ||
	     after < 0 || after > SEQ_MAX)) {
		moderation_respond_bad_cursor(req);
		return;
	}
	/* The grant, by the request's clock (the test clock in test builds). */
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, session_id);
	astral_params_int(&p, req->now);
	err = moderation_exec(req, MOD_GRANT_FIND, &p, &found);
	if (err != ASTRAL_OK)
		goto out;
	if (PQntuples(found) != 1) {
		err = moderation_audit(req, "break_glass_read", "help_session", session_id, NULL, "denied", "no_grant", NULL);
		if (err == ASTRAL_OK)
			astral_respond_refusal(req, 403, "no_grant", "Open a break-glass grant for this session first.",
			                       "grant", "no active grant of yours for this session");
		goto out;
	}
	snprintf(grant, sizeof(grant), "%s", astral_db_value(found, 0, 0));
	astral_params_init(&p);
	astral_params_text(&p, session_id);
	err = moderation_exec(req, MOD_BG_SESSION, &p, &session);
	if (err == ASTRAL_OK && PQntuples(session) != 1)
		err = ASTRAL_ERR_NOT_FOUND;
	if (err != ASTRAL_OK)
		goto out;
	items = json_object_new_array();
	if (astral_db_value(session, 0, BS_KEY) != NULL) {
		err = astral_help_session_key_open(req, session_id, session, 0, BS_KEY, dek);
		if (err != ASTRAL_OK)
			goto out;
		have_key = 1;
		astral_params_init(&p);
		astral_params_text(&p, session_id);
		astral_params_int(&p, after);
		astral_params_int(&p, in->limit + 1);
		err = moderation_exec(req, MOD_BG_MESSAGES, &p, &res);
		if (err != ASTRAL_OK)
			goto out;
		n = PQntuples(res);
		for (int i = 0; i < n && i < in->limit; i++) {
			m = message_json(session_id, session, res, i, dek);
			if (m == NULL) {
				err = ASTRAL_ERR_INTERNAL;
				goto out;
			}
			json_object_array_add(items, m);
		}
		if (n > in->limit) {
			const char *parts[] = { "m", astral_db_value(res, (int)in->limit - 1, BM_SEQ) };

			if (astral_cursor_encode_parts(parts, sizeof(parts) / sizeof(parts[0]), next, sizeof(next)) !=
			    ASTRAL_OK) {
				err = ASTRAL_ERR_INTERNAL;
				goto out;
			}
			have_next = 1;
		}
	}
	snprintf(code, sizeof(code), "grant %s", grant);
	err = moderation_audit(req, "break_glass_read", "help_session", session_id,
	                       astral_db_value(session, 0, BS_SEEKER), "success", code, NULL);
	if (err != ASTRAL_OK)
		goto out;
	astral_respond(req, 200, moderation_list(items, have_next ? next : NULL));
	items = NULL;
out:
	if (err != ASTRAL_OK)
		moderation_fail(req, err);
	if (have_key)
		OPENSSL_cleanse(dek, sizeof(dek));
	json_object_put(items);
	PQclear(found);
	PQclear(session);
	PQclear(res);
}
