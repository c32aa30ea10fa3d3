/* Keyset pages of the journal and the assessment history: newest first by creation second, then
   id. The cursor (lib/cursor.h) carries the last row's second and id. */
#include <stdio.h>
#include <string.h>

#include "care.h"
#include "cursor.h"

astral_err
care_page_from_input(struct astral_request *req, long long limit, const char *cursor, struct care_page *out)
{
	struct astral_cursor c;
	const char *uuid = NULL;
	long long t = 0;
	astral_err err;

	memset(out, 0, sizeof(*out));
	out->limit = limit;
	if (cursor == NULL)
		return ASTRAL_OK;
	err = astral_cursor_decode(cursor, 2, &c);
	if (err == ASTRAL_OK)
		err = astral_cursor_int(&c, 0, &t);
	if (err == ASTRAL_OK)
		err = astral_cursor_uuid(&c, 1, &uuid);
	/* Seconds from 1970 to 9999-12-31, the range of to_timestamp. */
	if (err != ASTRAL_OK || t < 0 || t > 253402300799LL) {
		astral_respond_field_error(req, 400, "invalid_field", "That cursor is not valid.", "cursor",
		                           "is not a cursor from this list");
		return ASTRAL_ERR_INVALID;
	}
	out->has_cursor = 1;
	out->after_time = t;
	snprintf(out->after_id, sizeof(out->after_id), "%s", uuid);
	return ASTRAL_OK;
}

void
care_page_params(struct astral_params *p, const struct care_page *page)
{
	if (page->has_cursor) {
		astral_params_int(p, page->after_time);
		astral_params_text(p, page->after_id);
	} else {
		astral_params_text(p, "Infinity");
		astral_params_text(p, "ffffffff-ffff-ffff-ffff-ffffffffffff");
	}
	astral_params_int(p, page->limit + 1);
}

void
care_page_next(struct json_object *body, const struct care_page *page, int rows, long long last_time,
               const char *last_id)
{
	char next[ASTRAL_CURSOR_TEXT_MAX + 1];
	struct astral_cursor c;

	if (rows <= page->limit || last_id == NULL) {
		json_object_object_add(body, "next", NULL);
		return;
	}
	astral_cursor_init(&c);
	if (astral_cursor_add_int(&c, last_time) != ASTRAL_OK || astral_cursor_add(&c, last_id) != ASTRAL_OK ||
	    astral_cursor_encode(&c, next, sizeof(next)) != ASTRAL_OK) {
		json_object_object_add(body, "next", NULL);
		return;
	}
	json_object_object_add(body, "next", json_object_new_string(next));
}
