/*
 * The community forum: threads by latest reply, a thread's posts oldest first, a new thread
 * with its first post, a reply. Helpers and staff read and write; every write is audited.
 */
#include <stddef.h>

#include "cursor.h"
#include "helpers.h"
#include "json.h"
#include "random.h"

#define TITLE_MIN 3
#define TITLE_MAX 120
#define CONTENT_MAX 5000

struct page_in { long long limit; const char *cursor; };
static const struct astral_field page_fields[] = {
	{ "limit", ASTRAL_F_INT, 0, 1, 100, NULL, offsetof(struct page_in, limit), 20 },
	{ "cursor", ASTRAL_F_TEXT, 0, 1, ASTRAL_CURSOR_TEXT_MAX, NULL, offsetof(struct page_in, cursor), 0 },
};
const struct astral_input_spec community_page_input = { page_fields, 2, sizeof(struct page_in) };

struct thread_in { const char *title; const char *content; };
static const struct astral_field thread_fields[] = {
	{ "title", ASTRAL_F_TEXT, 1, TITLE_MIN, TITLE_MAX, NULL, offsetof(struct thread_in, title), 0 },
	{ "content", ASTRAL_F_MULTILINE, 1, 1, CONTENT_MAX, NULL, offsetof(struct thread_in, content), 0 },
};
const struct astral_input_spec community_thread_input = { thread_fields, 2, sizeof(struct thread_in) };

struct reply_in { const char *content; };
static const struct astral_field reply_fields[] = {
	{ "content", ASTRAL_F_MULTILINE, 1, 1, CONTENT_MAX, NULL, offsetof(struct reply_in, content), 0 },
};
const struct astral_input_spec community_reply_input = { reply_fields, 1, sizeof(struct reply_in) };

struct json_object *
community_thread_json(const struct astral_request *req, const PGresult *res, int row)
{
	struct json_object *o = json_object_new_object();

	(void)req;
	astral_json_add_str(o, "id", astral_db_value(res, row, CT_ID));
	astral_json_add_str(o, "title", astral_db_value(res, row, CT_TITLE));
	json_object_object_add(o, "author", community_author_json(res, row, CT_AUTHOR_ID, CT_AUTHOR_NAME));
	astral_json_add_time(o, "created_at", astral_db_int(res, row, CT_CREATED_AT));
	astral_json_add_time(o, "last_post_at", astral_db_int(res, row, CT_LAST_POST_AT));
	astral_json_add_int(o, "post_count", astral_db_int(res, row, CT_POST_COUNT));
	return o;
}

struct json_object *
community_post_json(const struct astral_request *req, const PGresult *res, int row)
{
	struct json_object *o = json_object_new_object();

	(void)req;
	astral_json_add_str(o, "id", astral_db_value(res, row, CP_ID));
	astral_json_add_str(o, "thread_id", astral_db_value(res, row, CP_THREAD_ID));
	json_object_object_add(o, "author", community_author_json(res, row, CP_AUTHOR_ID, CP_AUTHOR_NAME));
	astral_json_add_str(o, "content", astral_db_value(res, row, CP_CONTENT));
	astral_json_add_time(o, "created_at", astral_db_int(res, row, CP_CREATED_AT));
	astral_json_add_bool(o, "mine", astral_db_bool(res, row, CP_MINE));
	return o;
}

/* Read one thread into *res; NOT_FOUND when there is none. */
static astral_err
thread_read(struct astral_request *req, const char *id, PGresult **res)
{
	struct astral_params p;
	astral_err err;

	astral_params_init(&p);
	astral_params_text(&p, id);
	err = helpers_exec(req, HELPERS_THREAD_GET, &p, res);
	if (err == ASTRAL_OK && PQntuples(*res) != 1)
		err = ASTRAL_ERR_NOT_FOUND;
	return err;
}

void
community_threads_list(struct astral_request *req, const void *input)
{
	const struct page_in *in = input;
	struct community_after after;
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	if (!community_after_read(req, in->cursor, 't', &after))
		return;
	astral_params_init(&p);
	community_params_after(&p, &after, in->cursor);
	astral_params_int(&p, in->limit + 1);
	err = helpers_exec(req, HELPERS_THREADS_PAGE, &p, &res);
	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	else
		community_respond_page(req, res, in->limit, 't', community_thread_json, CT_LAST_POST_US, CT_ID);
	PQclear(res);
}

void
community_thread_get(struct astral_request *req, const void *input)
{
	PGresult *res = NULL;
	astral_err err;

	(void)input;
	err = thread_read(req, req->path_params[0], &res);
	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	else
		astral_respond(req, 200, community_thread_json(req, res, 0));
	PQclear(res);
}

void
community_thread_create(struct astral_request *req, const void *input)
{
	const struct thread_in *in = input;
	char thread_id[ASTRAL_UUID_STR_LEN + 1], post_id[ASTRAL_UUID_STR_LEN + 1];
	struct astral_params p;
	PGresult *post = NULL, *thread = NULL;
	struct json_object *body;
	astral_err err;

	if (community_refuse_blank(req, in->title, "title") || community_refuse_blank(req, in->content, "content"))
		return;
	err = astral_uuid_v4(thread_id);
	if (err == ASTRAL_OK)
		err = astral_uuid_v4(post_id);
	if (err != ASTRAL_OK)
		goto out;
	astral_params_init(&p);
	astral_params_text(&p, thread_id);
	astral_params_text(&p, post_id);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, in->title);
	astral_params_int(&p, req->now);
	astral_params_text(&p, in->content);
	err = helpers_exec(req, HELPERS_THREAD_INSERT, &p, &post);
	if (err == ASTRAL_OK && PQntuples(post) != 1)
		err = ASTRAL_ERR_INTERNAL;
	if (err == ASTRAL_OK)
		err = thread_read(req, thread_id, &thread);
	if (err != ASTRAL_OK)
		goto out;
	helpers_audit_object(req, "community_thread_create", "community_thread", thread_id, NULL);
	body = json_object_new_object();
	json_object_object_add(body, "thread", community_thread_json(req, thread, 0));
	json_object_object_add(body, "post", community_post_json(req, post, 0));
	astral_respond(req, 201, body);
out:
	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	PQclear(post);
	PQclear(thread);
}

void
community_thread_posts(struct astral_request *req, const void *input)
{
	const struct page_in *in = input;
	const char *thread_id = req->path_params[0];
	struct community_after after;
	struct astral_params p;
	PGresult *thread = NULL, *res = NULL;
	astral_err err;

	if (!community_after_read(req, in->cursor, 'p', &after))
		return;
	err = thread_read(req, thread_id, &thread);
	if (err != ASTRAL_OK)
		goto out;
	astral_params_init(&p);
	astral_params_text(&p, thread_id);
	astral_params_text(&p, req->who.user_id);
	community_params_after(&p, &after, in->cursor);
	astral_params_int(&p, in->limit + 1);
	err = helpers_exec(req, HELPERS_THREAD_POSTS_PAGE, &p, &res);
	if (err == ASTRAL_OK)
		community_respond_page(req, res, in->limit, 'p', community_post_json, CP_CREATED_US, CP_ID);
out:
	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	PQclear(thread);
	PQclear(res);
}

void
community_thread_reply(struct astral_request *req, const void *input)
{
	const struct reply_in *in = input;
	char id[ASTRAL_UUID_STR_LEN + 1];
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	if (community_refuse_blank(req, in->content, "content"))
		return;
	err = astral_uuid_v4(id);
	if (err != ASTRAL_OK)
		goto out;
	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_text(&p, req->path_params[0]);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, in->content);
	astral_params_int(&p, req->now);
	err = helpers_exec(req, HELPERS_THREAD_POST_INSERT, &p, &res);   /* no such thread: NOT_FOUND */
	if (err == ASTRAL_OK && PQntuples(res) != 1)
		err = ASTRAL_ERR_INTERNAL;
	if (err != ASTRAL_OK)
		goto out;
	helpers_audit_object(req, "community_post_create", "community_post", id, NULL);
	astral_respond(req, 201, community_post_json(req, res, 0));
out:
	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	PQclear(res);
}
