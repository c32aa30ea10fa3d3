/* Reflections: short anonymous notes anyone signed in may read, with a "light" per user; sharing
   one is taken from the writer's budget (lib/write_budget.h). */
#include <stddef.h>
#include <stdlib.h>

#include "json.h"
#include "posts.h"
#include "random.h"
#include "write_budget.h"

struct page_in { long long limit; const char *cursor; };
static const struct astral_field page_fields[] = {
	{ "limit", ASTRAL_F_INT, 0, 1, 100, NULL, offsetof(struct page_in, limit), 20 },
	{ "cursor", ASTRAL_F_TEXT, 0, 1, 256, NULL, offsetof(struct page_in, cursor), 0 },
};
const struct astral_input_spec reflections_page_input = { page_fields, 2, sizeof(struct page_in) };

struct create_in { const char *content; };
static const struct astral_field create_fields[] = {
	{ "content", ASTRAL_F_MULTILINE, 1, 1, 280, NULL, offsetof(struct create_in, content), 0 },
};
const struct astral_input_spec reflections_create_input = { create_fields, 1, sizeof(struct create_in) };

static struct json_object *
reflection_json(const PGresult *res, int row)
{
	struct json_object *o = json_object_new_object();

	astral_json_add_str(o, "id", astral_db_value(res, row, REFL_COL_ID));
	astral_json_add_str(o, "content", astral_db_value(res, row, REFL_COL_CONTENT));
	astral_json_add_time(o, "created_at", astral_db_int(res, row, REFL_COL_CREATED_AT));
	astral_json_add_int(o, "light_count", astral_db_int(res, row, REFL_COL_LIGHT_COUNT));
	astral_json_add_bool(o, "lit_by_me", astral_db_bool(res, row, REFL_COL_LIT_BY_ME));
	astral_json_add_bool(o, "mine", astral_db_bool(res, row, REFL_COL_MINE));
	return o;
}

void
reflections_list(struct astral_request *req, const void *input)
{
	const struct page_in *in = input;
	struct posts_cursor c;
	struct astral_params p;
	PGresult *res = NULL;
	struct json_object *body, *items;
	char *next = NULL;
	astral_err err;
	int n;

	if (in->cursor == NULL) {
		posts_cursor_first(&c, 'r', 0);
	} else {
		const char *why = posts_cursor_parse(in->cursor, "r", &c);

		if (why != NULL) {
			astral_respond_field_error(req, 400, "invalid_field", "That cursor is not valid.", "cursor", why);
			return;
		}
	}
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_int(&p, in->limit + 1);
	astral_params_int(&p, c.time);
	astral_params_text(&p, c.id);
	err = posts_exec(req, POSTS_REFLECTIONS_LIST, &p, &res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	n = PQntuples(res);
	if (n > in->limit) {
		int last = (int)in->limit - 1;

		next = posts_cursor_make('r', 0, astral_db_int(res, last, REFL_COL_CREATED_US),
		                         astral_db_value(res, last, REFL_COL_ID));
		if (next == NULL) {
			astral_respond_err(req, ASTRAL_ERR_NOMEM);
			goto out;
		}
	}
	items = json_object_new_array();
	for (int i = 0; i < n && i < in->limit; i++)
		json_object_array_add(items, reflection_json(res, i));
	body = json_object_new_object();
	json_object_object_add(body, "items", items);
	astral_json_add_str(body, "next", next);
	astral_respond(req, 200, body);
out:
	free(next);
	PQclear(res);
}

void
reflections_create(struct astral_request *req, const void *input)
{
	const struct create_in *in = input;
	char id[ASTRAL_UUID_STR_LEN + 1];
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	if (posts_text_is_blank(in->content)) {
		astral_respond_field_error(req, 400, "invalid_field", "Write something first.", "content",
		                           "must not be blank");
		return;
	}
	if (!astral_write_budget_take(req, ASTRAL_WRITE_REFLECTION))
		return;
	err = astral_uuid_v4(id);
	if (err == ASTRAL_OK) {
		astral_params_init(&p);
		astral_params_text(&p, req->who.user_id);
		astral_params_text(&p, id);
		astral_params_text(&p, in->content);
		astral_params_int(&p, req->now);
		err = posts_exec(req, POSTS_REFLECTION_INSERT, &p, &res);
	}
	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	else
		astral_respond(req, 201, reflection_json(res, 0));
	PQclear(res);
}

static void
light_set(struct astral_request *req, int on)
{
	const char *reflection_id = req->path_params[0];
	struct astral_params p;
	PGresult *res = NULL;
	struct json_object *body;
	astral_err err;

	astral_params_init(&p);
	astral_params_text(&p, reflection_id);
	err = posts_exec(req, POSTS_REFLECTION_VISIBLE, &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) != 1)
		err = ASTRAL_ERR_NOT_FOUND;
	PQclear(res);
	res = NULL;
	if (err != ASTRAL_OK)
		goto out;
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, reflection_id);
	if (on)
		astral_params_int(&p, req->now);
	err = posts_exec(req, on ? POSTS_LIGHT_ADD : POSTS_LIGHT_REMOVE, &p, NULL);
	if (err != ASTRAL_OK)
		goto out;
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, reflection_id);
	err = posts_exec(req, POSTS_LIGHT_STATE, &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) != 1)
		err = ASTRAL_ERR_NOT_FOUND;
	if (err != ASTRAL_OK)
		goto out;
	body = json_object_new_object();
	astral_json_add_int(body, "light_count", astral_db_int(res, 0, 0));
	astral_json_add_bool(body, "lit_by_me", astral_db_bool(res, 0, 1));
	astral_respond(req, 200, body);
out:
	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	PQclear(res);
}

void
reflections_light_add(struct astral_request *req, const void *input)
{
	(void)input;
	light_set(req, 1);
}

void
reflections_light_remove(struct astral_request *req, const void *input)
{
	(void)input;
	light_set(req, 0);
}
