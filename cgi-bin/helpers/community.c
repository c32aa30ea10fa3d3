/*
 * What the helpers' community routes share: the Author object, the keyset cursors of its three
 * lists and the {items, next} page. A cursor (lib/cursor.h) holds the list's kind letter ('t'
 * threads by latest reply, 'p' a thread's posts, 'r' proposals), the last item's sort time in
 * microseconds and its id; one that does not decode to exactly that is a 400 on `cursor`.
 */
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "helpers.h"
#include "json.h"
#include "random.h"

/* Times are microseconds since the epoch, 0001-01-01 to 9999-12-31. */
#define AFTER_US_MIN (-62135596800LL * 1000000)
#define AFTER_US_MAX (253402300799LL * 1000000)

static int
after_decode(const char *text, char kind, struct community_after *after)
{
	struct astral_cursor c;
	const char *id;

	if (astral_cursor_decode(text, 3, &c) != ASTRAL_OK || strlen(c.parts[0]) != 1 || c.parts[0][0] != kind ||
	    astral_cursor_int(&c, 1, &after->us) != ASTRAL_OK || after->us < AFTER_US_MIN ||
	    after->us > AFTER_US_MAX || astral_cursor_uuid(&c, 2, &id) != ASTRAL_OK ||
	    strlen(id) != ASTRAL_UUID_STR_LEN)
		return 0;
	memcpy(after->id, id, ASTRAL_UUID_STR_LEN + 1);
	return 1;
}

int
community_after_read(struct astral_request *req, const char *cursor, char kind, struct community_after *after)
{
	memset(after, 0, sizeof(*after));
	if (cursor == NULL || after_decode(cursor, kind, after))
		return 1;
	astral_respond_field_error(req, 400, "invalid_field", "That page cursor is not valid.", "cursor",
	                           "is not a cursor of this list");
	return 0;
}

void
community_params_after(struct astral_params *p, const struct community_after *after, const char *cursor)
{
	if (cursor == NULL) {
		astral_params_null(p);
		astral_params_null(p);
		return;
	}
	astral_params_int(p, after->us);
	astral_params_text(p, after->id);
}

/* The cursor after row `row` (malloc'd); NULL when it cannot be made. */
static char *
after_encode(const PGresult *res, int row, char kind, int us_col, int id_col)
{
	const char *id = astral_db_value(res, row, id_col);
	char kind_text[2] = { kind, '\0' };
	struct astral_cursor c;
	char *out;

	astral_cursor_init(&c);
	if (id == NULL || astral_db_value(res, row, us_col) == NULL || astral_cursor_add(&c, kind_text) != ASTRAL_OK ||
	    astral_cursor_add_int(&c, astral_db_int(res, row, us_col)) != ASTRAL_OK ||
	    astral_cursor_add(&c, id) != ASTRAL_OK)
		return NULL;
	out = malloc(ASTRAL_CURSOR_TEXT_MAX + 1);
	if (out != NULL && astral_cursor_encode(&c, out, ASTRAL_CURSOR_TEXT_MAX + 1) != ASTRAL_OK) {
		free(out);
		out = NULL;
	}
	return out;
}

void
community_respond_page(struct astral_request *req, const PGresult *res, long long limit, char kind,
                       community_row_json item, int us_col, int id_col)
{
	struct json_object *body = json_object_new_object(), *items = json_object_new_array(), *one;
	int n = PQntuples(res);
	char *next = NULL;
	astral_err err = ASTRAL_OK;

	json_object_object_add(body, "items", items);
	for (int i = 0; i < n && i < limit; i++) {
		one = item(req, res, i);
		if (one == NULL) {
			err = ASTRAL_ERR_INTERNAL;
			goto out;
		}
		json_object_array_add(items, one);
	}
	if (n > limit) {
		next = after_encode(res, (int)limit - 1, kind, us_col, id_col);
		if (next == NULL) {
			err = ASTRAL_ERR_NOMEM;
			goto out;
		}
	}
	astral_json_add_str(body, "next", next);
	astral_respond(req, 200, body);
	body = NULL;
out:
	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	json_object_put(body);
	free(next);
}

struct json_object *
community_author_json(const PGresult *res, int row, int id_col, int name_col)
{
	struct json_object *o;

	if (astral_db_value(res, row, id_col) == NULL)
		return NULL;
	o = json_object_new_object();
	astral_json_add_str(o, "id", astral_db_value(res, row, id_col));
	astral_json_add_str(o, "display_name", astral_db_value(res, row, name_col));
	return o;
}

int
community_refuse_blank(struct astral_request *req, const char *text, const char *field)
{
	for (const char *c = text; *c != '\0'; c++)
		if (*c != ' ' && *c != '\t' && *c != '\n' && *c != '\r')
			return 0;
	astral_respond_field_error(req, 400, "invalid_field", "Write something first.", field, "must not be blank");
	return 1;
}
