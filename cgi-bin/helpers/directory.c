/*
 * The helper directory: one page of helpers (by display name, or newest joined first, with
 * optional expertise and online filters) and one helper's public profile.
 *
 * The list's cursor (lib/cursor.h) holds the sort ('n' name, 'j' join date), the last helper's
 * id and that helper's sort key (the display name, or the join time in microseconds). A cursor
 * that does not decode to exactly that is a 400 on `cursor`.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "helpers.h"
#include "json.h"
#include "random.h"
#include "validate.h"

#define JOINED_US_MAX 253402300799999999LL   /* 9999-12-31T23:59:59.999999Z */
#define DISPLAY_NAME_MAX 50                  /* code points, as the users table allows */

static const char *const sorts[] = { "name", "joined", NULL };

struct list_in {
	const char *expertise;
	int online;
	const char *sort;
	long long limit;
	const char *cursor;
};
static const struct astral_field list_fields[] = {
	{ "expertise", ASTRAL_F_ENUM, 0, 0, 0, helpers_expertise, offsetof(struct list_in, expertise), 0 },
	{ "online", ASTRAL_F_BOOL, 0, 0, 1, NULL, offsetof(struct list_in, online), -1 },
	{ "sort", ASTRAL_F_ENUM, 0, 0, 0, sorts, offsetof(struct list_in, sort), 0 },
	{ "limit", ASTRAL_F_INT, 0, 1, 100, NULL, offsetof(struct list_in, limit), 20 },
	{ "cursor", ASTRAL_F_TEXT, 0, 1, ASTRAL_CURSOR_TEXT_MAX, NULL, offsetof(struct list_in, cursor), 0 },
};
const struct astral_input_spec helpers_list_input = { list_fields, 5, sizeof(struct list_in) };

struct after {
	char id[ASTRAL_UUID_STR_LEN + 1];
	char name[ASTRAL_CURSOR_TEXT_PART_MAX + 1];
	char joined_us[24];
};

/* INVALID unless `text` is a cursor this program wrote for the same sort. */
static astral_err
after_decode(const char *text, int by_name, struct after *a)
{
	struct astral_cursor c;
	const char *id;
	long long us;

	memset(a, 0, sizeof(*a));
	if (astral_cursor_decode(text, 3, &c) != ASTRAL_OK || strcmp(c.parts[0], by_name ? "n" : "j") != 0 ||
	    astral_cursor_uuid(&c, 1, &id) != ASTRAL_OK)
		return ASTRAL_ERR_INVALID;
	memcpy(a->id, id, ASTRAL_UUID_STR_LEN + 1);
	if (by_name)
		return astral_cursor_text(&c, 2, a->name, sizeof(a->name)) == ASTRAL_OK &&
		       astral_utf8_length(a->name, strlen(a->name)) <= DISPLAY_NAME_MAX ? ASTRAL_OK : ASTRAL_ERR_INVALID;
	if (astral_cursor_int(&c, 2, &us) != ASTRAL_OK || us < 0 || us > JOINED_US_MAX)
		return ASTRAL_ERR_INVALID;
	snprintf(a->joined_us, sizeof(a->joined_us), "%lld", us);
	return ASTRAL_OK;
}

/* The cursor after row `row` (malloc'd); NULL when it cannot be made. */
static char *
after_encode(const PGresult *res, int row, int by_name)
{
	const char *id = astral_db_value(res, row, HP_ID);
	const char *key = astral_db_value(res, row, by_name ? HP_DISPLAY_NAME : HP_JOINED_US);
	struct astral_cursor c;
	char *out;

	astral_cursor_init(&c);
	if (id == NULL || key == NULL || astral_cursor_add(&c, by_name ? "n" : "j") != ASTRAL_OK ||
	    astral_cursor_add(&c, id) != ASTRAL_OK ||
	    (by_name ? astral_cursor_add_text(&c, key) : astral_cursor_add(&c, key)) != ASTRAL_OK)
		return NULL;
	out = malloc(ASTRAL_CURSOR_TEXT_MAX + 1);
	if (out != NULL && astral_cursor_encode(&c, out, ASTRAL_CURSOR_TEXT_MAX + 1) != ASTRAL_OK) {
		free(out);
		out = NULL;
	}
	return out;
}

void
helpers_list(struct astral_request *req, const void *input)
{
	const struct list_in *in = input;
	int by_name = in->sort == NULL || strcmp(in->sort, "name") == 0;
	struct after after;
	struct astral_params p;
	PGresult *res = NULL;
	struct json_object *body = NULL, *items, *profile;
	char *next = NULL;
	astral_err err = ASTRAL_OK;
	int n;

	memset(&after, 0, sizeof(after));
	if (in->cursor != NULL && after_decode(in->cursor, by_name, &after) != ASTRAL_OK) {
		astral_respond_field_error(req, 400, "invalid_field", "That page cursor is not valid.", "cursor",
		                           "is not a cursor of this list");
		return;
	}
	astral_params_init(&p);
	astral_params_bool(&p, by_name);
	astral_params_text(&p, in->expertise);
	if (in->online < 0)
		astral_params_null(&p);
	else
		astral_params_bool(&p, in->online);
	astral_params_text(&p, in->cursor != NULL && by_name ? after.name : NULL);
	astral_params_text(&p, in->cursor != NULL && !by_name ? after.joined_us : NULL);
	astral_params_text(&p, in->cursor != NULL ? after.id : NULL);
	astral_params_int(&p, in->limit + 1);
	helpers_params_rest(&p, req);
	err = helpers_exec(req, HELPERS_PAGE, &p, &res);
	if (err != ASTRAL_OK)
		goto out;
	n = PQntuples(res);
	body = json_object_new_object();
	items = json_object_new_array();
	json_object_object_add(body, "items", items);
	for (int i = 0; i < n && i < in->limit; i++) {
		profile = helpers_profile_json(res, i, &err);
		if (profile == NULL)
			goto out;
		json_object_array_add(items, profile);
	}
	if (n > in->limit) {
		next = after_encode(res, (int)in->limit - 1, by_name);
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
	PQclear(res);
}

void
helpers_get(struct astral_request *req, const void *input)
{
	(void)input;
	helpers_respond_profile(req, 200, req->path_params[0]);
}
