/*
 * The video list: approved videos newest first, or (?mine=true) the caller's own uploads in any
 * status. Keyset pages: the cursor (lib/cursor.h) holds which list it belongs to ('a' approved,
 * 'm' mine), the last video's creation time in microseconds and its id. A cursor that does not
 * decode to exactly that is a 400 on `cursor`. Reading the feed is not health data: no audit row.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "json.h"
#include "random.h"
#include "videos.h"

#define CREATED_US_MAX 253402300799999999LL   /* 9999-12-31T23:59:59.999999Z */

struct feed_in {
	long long limit;
	const char *cursor;
	int mine;
};
static const struct astral_field feed_fields[] = {
	{ "limit", ASTRAL_F_INT, 0, 1, 50, NULL, offsetof(struct feed_in, limit), 20 },
	{ "cursor", ASTRAL_F_TEXT, 0, 1, ASTRAL_CURSOR_TEXT_MAX, NULL, offsetof(struct feed_in, cursor), 0 },
	{ "mine", ASTRAL_F_BOOL, 0, 0, 1, NULL, offsetof(struct feed_in, mine), 0 },
};
const struct astral_input_spec videos_feed_input = { feed_fields, 3, sizeof(struct feed_in) };

struct after {
	char id[ASTRAL_UUID_STR_LEN + 1];
	char created_us[24];
};

/* INVALID unless `text` is a cursor this program wrote for the same list. */
static astral_err
after_decode(const char *text, int mine, struct after *a)
{
	struct astral_cursor c;
	const char *id;
	long long us;

	memset(a, 0, sizeof(*a));
	if (astral_cursor_decode(text, 3, &c) != ASTRAL_OK || strcmp(c.parts[0], mine ? "m" : "a") != 0 ||
	    astral_cursor_int(&c, 1, &us) != ASTRAL_OK || us < 0 || us > CREATED_US_MAX ||
	    astral_cursor_uuid(&c, 2, &id) != ASTRAL_OK)
		return ASTRAL_ERR_INVALID;
	memcpy(a->id, id, ASTRAL_UUID_STR_LEN + 1);
	snprintf(a->created_us, sizeof(a->created_us), "%lld", us);
	return ASTRAL_OK;
}

/* The cursor after row `row`, into out. */
static astral_err
after_encode(const PGresult *res, int row, int mine, char *out, size_t outlen)
{
	const char *id = astral_db_value(res, row, VC_ID);
	const char *us = astral_db_value(res, row, VC_CREATED_US);
	struct astral_cursor c;

	astral_cursor_init(&c);
	if (id == NULL || us == NULL || astral_cursor_add(&c, mine ? "m" : "a") != ASTRAL_OK ||
	    astral_cursor_add(&c, us) != ASTRAL_OK || astral_cursor_add(&c, id) != ASTRAL_OK)
		return ASTRAL_ERR_INTERNAL;
	return astral_cursor_encode(&c, out, outlen);
}

void
videos_feed(struct astral_request *req, const void *input)
{
	const struct feed_in *in = input;
	struct after after;
	struct astral_params p;
	PGresult *res = NULL;
	struct json_object *body = NULL, *items, *video;
	char next[ASTRAL_CURSOR_TEXT_MAX + 1];
	astral_err err = ASTRAL_OK;
	int n;

	memset(&after, 0, sizeof(after));
	if (in->cursor != NULL && after_decode(in->cursor, in->mine == 1, &after) != ASTRAL_OK) {
		astral_respond_field_error(req, 400, "invalid_field", "That page cursor is not valid.", "cursor",
		                           "is not a cursor of this list");
		return;
	}
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, in->cursor != NULL ? after.created_us : NULL);
	astral_params_text(&p, in->cursor != NULL ? after.id : NULL);
	astral_params_int(&p, in->limit + 1);
	err = videos_exec(req, in->mine == 1 ? VIDEOS_MINE : VIDEOS_FEED, &p, &res);
	if (err != ASTRAL_OK)
		goto out;
	n = PQntuples(res);
	body = json_object_new_object();
	items = json_object_new_array();
	json_object_object_add(body, "items", items);
	for (int i = 0; i < n && i < in->limit; i++) {
		video = videos_video_json(res, i);
		if (video == NULL) {
			err = ASTRAL_ERR_INTERNAL;
			goto out;
		}
		json_object_array_add(items, video);
	}
	if (n > in->limit) {
		err = after_encode(res, (int)in->limit - 1, in->mine == 1, next, sizeof(next));
		if (err != ASTRAL_OK)
			goto out;
		astral_json_add_str(body, "next", next);
	} else {
		astral_json_add_str(body, "next", NULL);
	}
	astral_respond(req, 200, body);
	body = NULL;
out:
	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	json_object_put(body);
	PQclear(res);
}
