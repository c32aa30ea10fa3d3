/* Reading posts: the public feed, For You, my posts, and one post. */
#include <stddef.h>
#include <string.h>

#include "posts.h"

static const char *const sorts[] = { "newest", "most_support", "needs_support", NULL };

struct feed_in { const char *category; const char *q; const char *sort; long long limit; const char *cursor; };
static const struct astral_field feed_fields[] = {
	{ "category", ASTRAL_F_ENUM, 0, 0, 0, posts_categories, offsetof(struct feed_in, category), 0 },
	{ "q", ASTRAL_F_TEXT, 0, 1, 200, NULL, offsetof(struct feed_in, q), 0 },
	{ "sort", ASTRAL_F_ENUM, 0, 0, 0, sorts, offsetof(struct feed_in, sort), 0 },
	{ "limit", ASTRAL_F_INT, 0, 1, 100, NULL, offsetof(struct feed_in, limit), 20 },
	{ "cursor", ASTRAL_F_TEXT, 0, 1, 256, NULL, offsetof(struct feed_in, cursor), 0 },
};
const struct astral_input_spec posts_feed_input = { feed_fields, 5, sizeof(struct feed_in) };

struct page_in { long long limit; const char *cursor; };
static const struct astral_field page_fields[] = {
	{ "limit", ASTRAL_F_INT, 0, 1, 100, NULL, offsetof(struct page_in, limit), 20 },
	{ "cursor", ASTRAL_F_TEXT, 0, 1, 256, NULL, offsetof(struct page_in, cursor), 0 },
};
const struct astral_input_spec posts_page_input = { page_fields, 2, sizeof(struct page_in) };

/* The first page's key, or the client's cursor; 0 (answered 400) for a bad cursor. */
static int
page_key(struct astral_request *req, const char *text, const char *kinds, char first_kind, int ascending,
         struct posts_cursor *c)
{
	const char *why;

	if (text == NULL) {
		posts_cursor_first(c, first_kind, ascending);
		return 1;
	}
	why = posts_cursor_parse(text, kinds, c);
	if (why != NULL) {
		astral_respond_field_error(req, 400, "invalid_field", "That cursor is not valid.", "cursor", why);
		return 0;
	}
	return 1;
}

/* me, limit + 1, time, id: the parameters every list statement starts with. */
static void
page_params(struct astral_params *p, const struct astral_request *req, long long limit, const struct posts_cursor *c)
{
	astral_params_init(p);
	astral_params_text(p, req->who.user_id);
	astral_params_int(p, limit + 1);
	astral_params_int(p, c->time);
	astral_params_text(p, c->id);
}

/* Whether the search matches few public posts (see POSTS_SEARCH_PROBE). */
static astral_err
search_matches_few(struct astral_request *req, const char *q, const char *category, int *few)
{
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	astral_params_init(&p);
	astral_params_text(&p, q);
	astral_params_text(&p, category);
	err = posts_exec(req, POSTS_SEARCH_PROBE, &p, &res);
	if (err == ASTRAL_OK)
		*few = astral_db_int(res, 0, 0) <= POSTS_SEARCH_FEW_MAX;
	PQclear(res);
	return err;
}

void
posts_feed(struct astral_request *req, const void *input)
{
	static const enum posts_stmt by_sort[3] = { POSTS_FEED_NEWEST, POSTS_FEED_SUPPORT, POSTS_FEED_NEEDS };
	static const enum posts_stmt few_matches[3] = { POSTS_FEED_NEWEST_FEW, POSTS_FEED_SUPPORT_FEW,
	                                                 POSTS_FEED_NEEDS_FEW };
	static const char kinds[3] = { 'n', 's', 'd' };
	const struct feed_in *in = input;
	struct posts_cursor c;
	struct astral_params p;
	PGresult *res = NULL;
	enum posts_stmt stmt;
	astral_err err;
	int sort = 0;

	if (in->sort != NULL)
		for (int i = 0; sorts[i] != NULL; i++)
			if (strcmp(in->sort, sorts[i]) == 0)
				sort = i;
	{
		char kind_set[2] = { kinds[sort], '\0' };

		if (!page_key(req, in->cursor, kind_set, kinds[sort], sort == 2, &c))
			return;
	}
	/* The three variants of each order follow one another: plain, by category, searched. */
	stmt = (enum posts_stmt)(by_sort[sort] + (in->q != NULL ? 2 : in->category != NULL ? 1 : 0));
	if (in->q != NULL) {
		int few = 0;

		err = search_matches_few(req, in->q, in->category, &few);
		if (err != ASTRAL_OK) {
			astral_respond_err(req, err);
			return;
		}
		if (few)
			stmt = few_matches[sort];
	}
	page_params(&p, req, in->limit, &c);
	if (sort != 0)
		astral_params_int(&p, c.count);
	if (in->q != NULL || in->category != NULL)
		astral_params_text(&p, in->category);
	if (in->q != NULL)
		astral_params_text(&p, in->q);
	err = posts_exec(req, stmt, &p, &res);
	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	else
		posts_respond_post_list(req, res, in->limit, kinds[sort], sort != 0);
	PQclear(res);
}

void
posts_for_you(struct astral_request *req, const void *input)
{
	const struct page_in *in = input;
	struct posts_cursor c;
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err = ASTRAL_OK;
	char kind;

	/* 'c': my categories, newest first; 'l': the least supported (no posts of my own). */
	if (in->cursor != NULL) {
		if (!page_key(req, in->cursor, "cl", 'c', 0, &c))
			return;
		kind = c.kind;
	} else {
		astral_params_init(&p);
		astral_params_text(&p, req->who.user_id);
		err = posts_exec(req, POSTS_HAS_OWN, &p, &res);
		if (err != ASTRAL_OK)
			goto out;
		kind = astral_db_bool(res, 0, 0) ? 'c' : 'l';
		PQclear(res);
		res = NULL;
		posts_cursor_first(&c, kind, kind == 'l');
	}
	page_params(&p, req, in->limit, &c);
	if (kind == 'l')
		astral_params_int(&p, c.count);
	astral_params_int(&p, req->now);
	astral_params_int(&p, req->app->cfg.helpers_rest_minutes);
	err = posts_exec(req, kind == 'c' ? POSTS_FOR_YOU_CATEGORIES : POSTS_FOR_YOU_NEEDS, &p, &res);
	if (err == ASTRAL_OK)
		posts_respond_post_list(req, res, in->limit, kind, kind == 'l');
out:
	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	PQclear(res);
}

void
posts_mine(struct astral_request *req, const void *input)
{
	const struct page_in *in = input;
	struct posts_cursor c;
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	if (!page_key(req, in->cursor, "m", 'm', 0, &c))
		return;
	page_params(&p, req, in->limit, &c);
	err = posts_exec(req, POSTS_MINE, &p, &res);
	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	else
		posts_respond_post_list(req, res, in->limit, 'm', 0);
	PQclear(res);
}

void
posts_requests_to_me(struct astral_request *req, const void *input)
{
	const struct page_in *in = input;
	struct posts_cursor c;
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	if (!page_key(req, in->cursor, "r", 'r', 0, &c))
		return;
	page_params(&p, req, in->limit, &c);
	err = posts_exec(req, POSTS_REQUESTS_TO_ME, &p, &res);
	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	else
		posts_respond_post_list(req, res, in->limit, 'r', 0);
	PQclear(res);
}

astral_err
posts_get_visible(struct astral_request *req, const char *post_id, PGresult **res)
{
	struct astral_params p;
	astral_err err;

	*res = NULL;
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, post_id);
	err = posts_exec(req, POSTS_GET, &p, res);
	if (err == ASTRAL_OK && PQntuples(*res) != 1)
		err = ASTRAL_ERR_NOT_FOUND;
	if (err != ASTRAL_OK) {
		PQclear(*res);
		*res = NULL;
	}
	return err;
}

void
posts_get(struct astral_request *req, const void *input)
{
	PGresult *res = NULL;
	astral_err err;

	(void)input;
	err = posts_get_visible(req, req->path_params[0], &res);
	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	else
		astral_respond(req, 200, posts_post_json(res, 0));
	PQclear(res);
}
