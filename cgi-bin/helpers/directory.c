/*
 * The helper directory: one page of helpers (by display name, or newest joined first, with
 * optional expertise and online filters) and one helper's public profile.
 *
 * The list's cursor is opaque to clients: base64url of the sort ('n' name, 'j' join date), the
 * last helper's id (36 characters) and that helper's sort key (the display name, or the join
 * time in microseconds). A cursor that does not decode to exactly that is a 400 on `cursor`.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encoding.h"
#include "helpers.h"
#include "json.h"
#include "random.h"
#include "validate.h"

#define CURSOR_TEXT_MAX 400              /* base64url of at most 1 + 36 + 200 bytes fits */
#define NAME_MAX_BYTES 200               /* display names are at most 50 code points */
#define JOINED_US_MAX 253402300799999999LL   /* 9999-12-31T23:59:59.999999Z */

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
	{ "cursor", ASTRAL_F_TEXT, 0, 1, CURSOR_TEXT_MAX, NULL, offsetof(struct list_in, cursor), 0 },
};
const struct astral_input_spec helpers_list_input = { list_fields, 5, sizeof(struct list_in) };

struct cursor {
	int by_name;
	char id[ASTRAL_UUID_STR_LEN + 1];
	char name[NAME_MAX_BYTES + 1];
	char joined_us[24];
};

/* INVALID unless `text` is a cursor this program wrote for the same sort. */
static astral_err
cursor_decode(const char *text, int by_name, struct cursor *c)
{
	unsigned char *raw = NULL;
	size_t len = 0, klen;
	const char *key;
	long long us;
	astral_err err;

	memset(c, 0, sizeof(*c));
	err = astral_b64url_decode(text, strlen(text), &raw, &len);
	if (err != ASTRAL_OK)
		goto out;
	err = ASTRAL_ERR_INVALID;
	if (len < 1 + ASTRAL_UUID_STR_LEN + 1 || raw[0] != (by_name ? 'n' : 'j'))
		goto out;
	memcpy(c->id, raw + 1, ASTRAL_UUID_STR_LEN);
	c->id[ASTRAL_UUID_STR_LEN] = '\0';
	if (!astral_uuid_valid(c->id))
		goto out;
	key = (const char *)raw + 1 + ASTRAL_UUID_STR_LEN;
	klen = len - 1 - ASTRAL_UUID_STR_LEN;
	if (by_name) {
		if (klen > NAME_MAX_BYTES || astral_check_text(key, klen, 1, 50, 0) != NULL)
			goto out;
		memcpy(c->name, key, klen);
		c->name[klen] = '\0';
	} else {
		if (klen >= sizeof(c->joined_us))
			goto out;
		memcpy(c->joined_us, key, klen);
		c->joined_us[klen] = '\0';
		if (astral_check_int(c->joined_us, 0, JOINED_US_MAX, &us) != NULL)
			goto out;
	}
	c->by_name = by_name;
	err = ASTRAL_OK;
out:
	free(raw);
	return err;
}

/* The cursor after row `row`; NULL when memory runs out. */
static char *
cursor_encode(const PGresult *res, int row, int by_name)
{
	const char *id = astral_db_value(res, row, HP_ID);
	const char *key = astral_db_value(res, row, by_name ? HP_DISPLAY_NAME : HP_JOINED_US);
	unsigned char raw[1 + ASTRAL_UUID_STR_LEN + NAME_MAX_BYTES];
	size_t klen;

	if (id == NULL || key == NULL || strlen(id) != ASTRAL_UUID_STR_LEN)
		return NULL;
	klen = strlen(key);
	if (klen > NAME_MAX_BYTES)
		return NULL;
	raw[0] = by_name ? 'n' : 'j';
	memcpy(raw + 1, id, ASTRAL_UUID_STR_LEN);
	memcpy(raw + 1 + ASTRAL_UUID_STR_LEN, key, klen);
	return astral_b64url_encode(raw, 1 + ASTRAL_UUID_STR_LEN + klen);
}

void
helpers_list(struct astral_request *req, const void *input)
{
	const struct list_in *in = input;
	int by_name = in->sort == NULL || strcmp(in->sort, "name") == 0;
	struct cursor after;
	struct astral_params p;
	PGresult *res = NULL;
	struct json_object *body = NULL, *items, *profile;
	char *next = NULL;
	astral_err err = ASTRAL_OK;
	int n;

	memset(&after, 0, sizeof(after));
	if (in->cursor != NULL && cursor_decode(in->cursor, by_name, &after) != ASTRAL_OK) {
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
		next = cursor_encode(res, (int)in->limit - 1, by_name);
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
