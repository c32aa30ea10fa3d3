/* My help sessions: the list (as seeker or helper) and one session. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "chat.h"
#include "cursor.h"
#include "json.h"

static const char *const statuses[] = { "active", "ended", NULL };

struct sessions_list_in { const char *status; long long limit; const char *cursor; };
static const struct astral_field sessions_list_fields[] = {
	{ "status", ASTRAL_F_ENUM, 0, 0, 0, statuses, offsetof(struct sessions_list_in, status), 0 },
	{ "limit", ASTRAL_F_INT, 0, 1, 100, NULL, offsetof(struct sessions_list_in, limit), 20 },
	{ "cursor", ASTRAL_F_TEXT, 0, 1, ASTRAL_CURSOR_TEXT_MAX, NULL, offsetof(struct sessions_list_in, cursor), 0 },
};
const struct astral_input_spec chat_sessions_list_input = { sessions_list_fields, 3, sizeof(struct sessions_list_in) };

/* The keyset cursor (lib/cursor.h): started_at in microseconds and the session id. */
static astral_err
cursor_encode(const char *started_us, const char *id, char *out, size_t outlen)
{
	struct astral_cursor c;
	astral_err err;

	astral_cursor_init(&c);
	err = astral_cursor_add(&c, started_us);
	if (err == ASTRAL_OK)
		err = astral_cursor_add(&c, id);
	if (err == ASTRAL_OK)
		err = astral_cursor_encode(&c, out, outlen);
	return err;
}

/* Microseconds since 1970 as a timestamptz literal, for the cursor's bound. */
static astral_err
cursor_time(long long us, char *buf, size_t len)
{
	time_t secs = (time_t)(us / 1000000);
	struct tm tm;
	char day[32];
	int n;

	if (us < 0 || us / 1000000 > 253402300799LL || gmtime_r(&secs, &tm) == NULL ||
	    strftime(day, sizeof(day), "%Y-%m-%d %H:%M:%S", &tm) == 0)
		return ASTRAL_ERR_INVALID;
	n = snprintf(buf, len, "%s.%06lld+00", day, us % 1000000);
	return n > 0 && (size_t)n < len ? ASTRAL_OK : ASTRAL_ERR_INVALID;
}

/* INVALID for anything this list did not write. */
static astral_err
cursor_decode(const char *text, char *started, size_t len, char id[37])
{
	struct astral_cursor c;
	const char *uuid = NULL;
	long long us = 0;
	astral_err err;

	err = astral_cursor_decode(text, 2, &c);
	if (err == ASTRAL_OK)
		err = astral_cursor_int(&c, 0, &us);
	if (err == ASTRAL_OK)
		err = astral_cursor_uuid(&c, 1, &uuid);
	if (err == ASTRAL_OK)
		err = cursor_time(us, started, len);
	if (err != ASTRAL_OK)
		return ASTRAL_ERR_INVALID;
	snprintf(id, 37, "%s", uuid);
	return ASTRAL_OK;
}

void
chat_sessions_list(struct astral_request *req, const void *input)
{
	const struct sessions_list_in *in = input;
	struct json_object *body, *items;
	struct astral_params p;
	PGresult *res = NULL;
	/* The first page starts after the newest possible position. */
	char cursor_time_text[48] = "infinity", cursor_id[37] = "ffffffff-ffff-ffff-ffff-ffffffffffff";
	char next[ASTRAL_CURSOR_TEXT_MAX + 1] = "";
	astral_err err;
	int n;

	if (in->cursor != NULL &&
	    cursor_decode(in->cursor, cursor_time_text, sizeof(cursor_time_text), cursor_id) != ASTRAL_OK) {
		astral_respond_field_error(req, 400, "invalid_field", "That cursor is not valid.", "cursor",
		                           "is not a cursor from this list");
		return;
	}
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, in->status);
	astral_params_text(&p, cursor_time_text);
	astral_params_text(&p, cursor_id);
	astral_params_int(&p, in->limit + 1);
	err = chat_exec(req, CHAT_SESSION_LIST, &p, &res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	n = PQntuples(res);
	items = json_object_new_array();
	for (int i = 0; i < n && i < in->limit; i++)
		json_object_array_add(items, chat_session_json(res, i, req->now));
	if (n > in->limit) {
		int last = (int)in->limit - 1;

		err = cursor_encode(astral_db_value(res, last, CHAT_SC_STARTED_US), astral_db_value(res, last, CHAT_SC_ID),
		                    next, sizeof(next));
		if (err != ASTRAL_OK) {
			json_object_put(items);
			astral_respond_err(req, ASTRAL_ERR_INTERNAL);
			goto out;
		}
	}
	body = json_object_new_object();
	json_object_object_add(body, "items", items);
	astral_json_add_str(body, "next", next[0] != '\0' ? next : NULL);
	astral_respond(req, 200, body);
out:
	PQclear(res);
}

void
chat_session_get(struct astral_request *req, const void *input)
{
	(void)input;
	chat_respond_session(req, 200, req->path_params[0]);
}
