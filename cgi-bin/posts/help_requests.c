/* Asking for and giving help: a helper accepts a post (a help session begins), the author
   resolves or republishes it, a seeker asks one helper directly, that helper may decline. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "achievements.h"
#include "crisis_alert.h"
#include "help_session_key.h"
#include "json.h"
#include "posts.h"
#include "random.h"
#include "realtime.h"

/* Seekers stay anonymous to helpers: this is the only name a session shows for them. */
#define SEEKER_DISPLAY_NAME "Seeker"

static int
same_id(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcasecmp(a, b) == 0;
}

/* ---- accept ---- */

struct session_facts {
	const char *id;
	const char *helper_id;
	const char *helper_name;
	const char *reputation;   /* text of a float8, or NULL */
	int64_t started_at;
};

/* A HelpSession just begun, as `role` (seeker|helper) sees it. */
static struct json_object *
session_json(const struct session_facts *s, const PGresult *post, const char *role)
{
	struct json_object *o = json_object_new_object();
	struct json_object *seeker = json_object_new_object();
	struct json_object *helper = json_object_new_object();

	astral_json_add_str(o, "id", s->id);
	astral_json_add_str(o, "post_id", astral_db_value(post, 0, POST_COL_ID));
	astral_json_add_str(o, "post_excerpt", astral_db_value(post, 0, POST_COL_EXCERPT));
	astral_json_add_str(o, "category", astral_db_value(post, 0, POST_COL_CATEGORY));
	astral_json_add_str(o, "my_role", role);
	astral_json_add_str(seeker, "display_name", SEEKER_DISPLAY_NAME);
	json_object_object_add(o, "seeker", seeker);
	astral_json_add_str(helper, "id", s->helper_id);
	astral_json_add_str(helper, "display_name", s->helper_name != NULL ? s->helper_name : "Helper");
	json_object_object_add(helper, "reputation", astral_json_numeric(s->reputation));
	json_object_object_add(o, "helper", helper);
	astral_json_add_time(o, "started_at", s->started_at);
	json_object_object_add(o, "ended_at", NULL);
	json_object_object_add(o, "ended_by", NULL);
	astral_json_add_int(o, "unread", 0);
	json_object_object_add(o, "last_message_at", NULL);
	astral_json_add_bool(o, "kudos_given", 0);
	astral_json_add_bool(o, "favorite", 0);
	json_object_object_add(o, "feedback", NULL);
	astral_json_add_bool(o, "other_typing", 0);
	return o;
}

static struct json_object *
accepted_event(const struct astral_request *req, const struct session_facts *s, const PGresult *post,
               const char *role)
{
	struct json_object *e = posts_event_new(req, "session.accepted");

	json_object_object_add(e, "session", session_json(s, post, role));
	return e;
}

/* 404 for a post I cannot see, 409 when a helper has taken it meanwhile. */
static void
respond_invisible(struct astral_request *req, const char *post_id)
{
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	astral_params_init(&p);
	astral_params_text(&p, post_id);
	err = posts_exec(req, POSTS_TAKEN, &p, &res);
	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	else if (astral_db_bool(res, 0, 0))
		posts_respond_conflict(req, "Another helper has already accepted this post.", NULL, NULL);
	else
		astral_respond_err(req, ASTRAL_ERR_NOT_FOUND);
	PQclear(res);
}

/* Why a visible post cannot be accepted by me, or NULL when it can. */
static const char *
accept_refusal(const struct astral_request *req, const PGresult *post)
{
	const char *status = astral_db_value(post, 0, POST_COL_STATUS);

	if (same_id(astral_db_value(post, 0, POST_COL_AUTHOR_ID), req->who.user_id))
		return "You cannot accept your own post.";
	if (strcmp(status, "active") == 0)
		return NULL;
	if (strcmp(status, "direct_request") == 0)
		return same_id(astral_db_value(post, 0, POST_COL_RAW_REQUESTED_ID), req->who.user_id)
		       ? NULL : "This request was sent to another helper.";
	if (strcmp(status, "in_progress") == 0)
		return astral_db_value(post, 0, POST_COL_SESSION_ID) != NULL   /* shown to participants only */
		       ? "You are already helping with this post." : "Another helper has already accepted this post.";
	if (strcmp(status, "resolved") == 0)
		return "This post has been resolved.";
	if (strcmp(status, "declined") == 0)
		return "You declined this request.";
	return "This post is not open for help.";
}

/* Run a statement whose one parameter is the caller ($1). */
static ASTRAL_MUST_USE astral_err
exec_for_caller(struct astral_request *req, enum posts_stmt stmt, PGresult **res)
{
	struct astral_params p;

	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	return posts_exec(req, stmt, &p, res);
}

/* Run one of the statements that move a post on the caller's behalf (POSTS_SET_IN_PROGRESS,
   POSTS_RESOLVE, POSTS_PUBLISH, POSTS_DECLINE: $1 the caller, $2 the post, $3 now); the post
   moved when a row comes back. */
static ASTRAL_MUST_USE astral_err
move_post(struct astral_request *req, enum posts_stmt stmt, const char *post_id, PGresult **res)
{
	struct astral_params p;

	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, post_id);
	astral_params_int(&p, req->now);
	return posts_exec(req, stmt, &p, res);
}

/* 409 for a post that did not move: `already` when it had reached `status` before, `otherwise`
   when it has gone somewhere the move does not start from. */
static void
respond_not_moved(struct astral_request *req, const PGresult *post, const char *status, const char *already,
                  const char *otherwise)
{
	posts_respond_conflict(req, strcmp(astral_db_value(post, 0, POST_COL_STATUS), status) == 0 ? already : otherwise,
	                       NULL, NULL);
}

void
posts_accept(struct astral_request *req, const void *input)
{
	const char *post_id = req->path_params[0];
	char sid[ASTRAL_UUID_STR_LEN + 1];
	unsigned char dek[ASTRAL_DEK_LEN];
	struct session_facts facts;
	struct astral_params p;
	PGresult *post = NULL, *res = NULL, *summary = NULL;
	const char *refusal;
	astral_err err;

	(void)input;
	err = posts_get_visible(req, post_id, &post);
	if (err == ASTRAL_ERR_NOT_FOUND) {
		respond_invisible(req, post_id);
		goto out;
	}
	if (err != ASTRAL_OK)
		goto fail;
	refusal = accept_refusal(req, post);
	if (refusal != NULL) {
		posts_respond_conflict(req, refusal, NULL, NULL);
		goto out;
	}
	err = exec_for_caller(req, POSTS_HELPER_AVAILABLE, &res);
	if (err != ASTRAL_OK)
		goto fail;
	if (PQntuples(res) != 1 || !astral_db_bool(res, 0, 0)) {
		posts_respond_conflict(req, "Go online before you accept a post.", "available",
		                       "must be true: set your availability to online first");
		goto out;
	}
	PQclear(res);
	res = NULL;

	/* The session first: its unique post_id decides a race, and the post's row policy lets a
	   helper move a post only once they are its session's helper. */
	err = astral_uuid_v4(sid);
	if (err != ASTRAL_OK)
		goto fail;
	astral_params_init(&p);
	astral_params_text(&p, sid);
	astral_params_text(&p, post_id);
	astral_params_text(&p, astral_db_value(post, 0, POST_COL_AUTHOR_ID));
	astral_params_text(&p, req->who.user_id);
	astral_params_int(&p, req->now);
	err = posts_exec(req, POSTS_SESSION_INSERT, &p, &res);
	if (err == ASTRAL_ERR_CONFLICT) {
		posts_respond_conflict(req, "Another helper has just accepted this post.", NULL, NULL);
		goto out;
	}
	if (err != ASTRAL_OK)
		goto fail;
	facts.started_at = astral_db_int(res, 0, 0);
	PQclear(res);
	res = NULL;
	err = astral_help_session_key_create(req, sid, dek);
	OPENSSL_cleanse(dek, sizeof(dek));
	if (err != ASTRAL_OK)
		goto fail;
	err = move_post(req, POSTS_SET_IN_PROGRESS, post_id, &res);
	if (err != ASTRAL_OK)
		goto fail;
	if (PQntuples(res) != 1) {
		/* The post changed under us (resolved or reported meanwhile): keep nothing. */
		astral_db_rollback(req->app->db);
		posts_respond_conflict(req, "This post is no longer open for help.", NULL, NULL);
		goto out;
	}
	PQclear(res);
	res = NULL;
	err = astral_achievements_award(req, req->who.user_id, NULL);
	if (err != ASTRAL_OK)
		goto fail;
	err = exec_for_caller(req, POSTS_HELPER_SUMMARY, &summary);
	if (err != ASTRAL_OK)
		goto fail;

	facts.id = sid;
	facts.helper_id = req->who.user_id;
	facts.helper_name = astral_db_value(summary, 0, 0);
	facts.reputation = astral_db_value(summary, 0, 1);
	posts_audit(req, "post_accept", "help_session", sid, req->who.user_id, NULL);
	astral_rt_after_commit(req, astral_db_value(post, 0, POST_COL_AUTHOR_ID),
	                       accepted_event(req, &facts, post, "seeker"));
	astral_rt_after_commit(req, req->who.user_id, accepted_event(req, &facts, post, "helper"));
	astral_respond(req, 201, session_json(&facts, post, "helper"));
	goto out;
fail:
	astral_respond_err(req, err);
out:
	PQclear(post);
	PQclear(res);
	PQclear(summary);
}

/* ---- the author's decisions: resolve, publish ---- */

/* The caller's own post, or an answer (404) already given. */
static PGresult *
own_post(struct astral_request *req, const char *post_id)
{
	PGresult *post = NULL;
	astral_err err;

	err = posts_get_visible(req, post_id, &post);
	if (err == ASTRAL_OK && !astral_db_bool(post, 0, POST_COL_MINE))
		err = ASTRAL_ERR_NOT_FOUND;
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		PQclear(post);
		return NULL;
	}
	return post;
}

/* The author's decision (resolve, publish): their own post, moved with `stmt`. Returns 0 with the
   answer sent (404, or the statement's error); else 1 with *post and *res set, where no row in
   *res means the post did not move. */
static int
move_own_post(struct astral_request *req, enum posts_stmt stmt, const char *post_id, PGresult **post,
              PGresult **res)
{
	astral_err err;

	*post = own_post(req, post_id);
	if (*post == NULL)
		return 0;
	err = move_post(req, stmt, post_id, res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		return 0;
	}
	return 1;
}

void
posts_resolve(struct astral_request *req, const void *input)
{
	const char *post_id = req->path_params[0];
	struct astral_params p;
	PGresult *post = NULL, *res = NULL, *ended = NULL;
	astral_err err;

	(void)input;
	if (!move_own_post(req, POSTS_RESOLVE, post_id, &post, &res))
		goto out;
	if (PQntuples(res) != 1) {
		respond_not_moved(req, post, "resolved", "This post is already resolved.",
		                  "This post can no longer be resolved.");
		goto out;
	}
	astral_params_init(&p);
	astral_params_text(&p, post_id);
	astral_params_int(&p, req->now);
	err = posts_exec(req, POSTS_SESSION_END_RESOLVED, &p, &ended);
	if (err != ASTRAL_OK)
		goto fail;
	posts_audit(req, "post_resolve", "post", post_id, req->who.user_id, NULL);
	for (int i = 0; i < PQntuples(ended); i++) {
		const char *session_id = astral_db_value(ended, i, 0);

		posts_audit(req, "session_end", "help_session", session_id, req->who.user_id, "resolved");
		for (int who = 1; who <= 2; who++) {
			struct json_object *e = posts_event_new(req, "session.ended");

			astral_json_add_str(e, "session_id", session_id);
			astral_json_add_str(e, "ended_by", "resolved");
			astral_rt_after_commit(req, astral_db_value(ended, i, who), e);
		}
	}
	astral_respond(req, 200, posts_post_json(res, 0));
	goto out;
fail:
	astral_respond_err(req, err);
out:
	PQclear(post);
	PQclear(res);
	PQclear(ended);
}

void
posts_publish(struct astral_request *req, const void *input)
{
	const char *post_id = req->path_params[0];
	PGresult *post = NULL, *res = NULL;

	(void)input;
	if (!move_own_post(req, POSTS_PUBLISH, post_id, &post, &res))
		goto out;
	if (PQntuples(res) != 1) {
		posts_respond_conflict(req, "Only a declined direct request can be published.", NULL, NULL);
		goto out;
	}
	posts_audit(req, "post_publish", "post", post_id, req->who.user_id, NULL);
	astral_respond(req, 200, posts_post_json(res, 0));
out:
	PQclear(post);
	PQclear(res);
}

/* ---- direct requests ---- */

struct direct_in { const char *helper_id; const char *category; const char *content; };
static const struct astral_field direct_fields[] = {
	{ "helper_id", ASTRAL_F_UUID, 1, 0, 0, NULL, offsetof(struct direct_in, helper_id), 0 },
	{ "category", ASTRAL_F_ENUM, 1, 0, 0, posts_categories, offsetof(struct direct_in, category), 0 },
	{ "content", ASTRAL_F_MULTILINE, 1, 1, 5000, NULL, offsetof(struct direct_in, content), 0 },
};
const struct astral_input_spec posts_direct_request_input = { direct_fields, 3, sizeof(struct direct_in) };

/* The helper can be asked: exists as a helper with a profile, no block either way, and online
   (switched on, no ban in force, not resting). Answers and returns 0 when not: a helper who is
   not online is offline (409), or taking a break when resting; a ban is never named. */
static int
helper_askable(struct astral_request *req, const char *helper_id, astral_err *err)
{
	struct astral_params p, at;
	PGresult *helper = NULL, *blocked = NULL;
	int ok = 0;

	astral_params_init(&p);
	astral_params_text(&p, helper_id);
	astral_params_init(&at);
	astral_params_text(&at, helper_id);
	astral_params_int(&at, req->now);
	astral_params_int(&at, req->app->cfg.helpers_rest_minutes);
	*err = posts_exec(req, POSTS_HELPER_PUBLIC, &at, &helper);
	if (*err == ASTRAL_OK)
		*err = posts_exec(req, POSTS_IS_BLOCK_PEER, &p, &blocked);
	if (*err != ASTRAL_OK) {
		astral_respond_err(req, *err);
		goto out;
	}
	if (PQntuples(helper) != 1 || astral_db_bool(blocked, 0, 0)) {
		astral_respond_field_error(req, 404, "not_found", "No such helper.", "helper_id", "is not a helper");
		goto out;
	}
	if (astral_db_bool(helper, 0, 2)) {
		posts_respond_conflict(req, "This helper is taking a break.", "helper_id", "is taking a break");
		goto out;
	}
	if (!astral_db_bool(helper, 0, 1)) {
		posts_respond_conflict(req, "That helper is offline right now.", "helper_id", "is offline");
		goto out;
	}
	ok = 1;
out:
	PQclear(helper);
	PQclear(blocked);
	return ok;
}

void
posts_direct_request(struct astral_request *req, const void *input)
{
	const struct direct_in *in = input;
	struct astral_crisis_result crisis;
	struct json_object *body, *event, *as_helper;
	PGresult *res = NULL;
	astral_err err = ASTRAL_OK;

	if (posts_text_is_blank(in->content)) {
		astral_respond_field_error(req, 400, "invalid_field", "Write something first.", "content",
		                           "must not be blank");
		return;
	}
	if (same_id(in->helper_id, req->who.user_id)) {
		astral_respond_field_error(req, 400, "invalid_field", "You cannot ask yourself.", "helper_id",
		                           "cannot be yourself");
		return;
	}
	if (!helper_askable(req, in->helper_id, &err))
		return;
	if (!posts_insert(req, in->category, in->content, in->helper_id, &res, &crisis))
		goto out;
	posts_audit(req, "direct_request_create", "post", astral_db_value(res, 0, POST_COL_ID), req->who.user_id,
	            crisis.severity != ASTRAL_CRISIS_NONE ? "crisis_flagged" : NULL);
	/* The helper's view: not theirs, no filter of theirs applied, no crisis details. */
	as_helper = posts_post_json(res, 0);
	astral_json_add_bool(as_helper, "mine", 0);
	astral_json_add_bool(as_helper, "filtered", 0);
	event = posts_event_new(req, "direct_request.new");
	json_object_object_add(event, "post", as_helper);
	/* The channel is named by the id as stored: PostgreSQL writes a uuid in lower case, and the
	   helper's stream is user-<that>, while the client may have spelled helper_id in capitals. */
	astral_rt_after_commit(req, astral_db_value(res, 0, POST_COL_RAW_REQUESTED_ID), event);
	body = posts_post_json(res, 0);
	if (crisis.severity != ASTRAL_CRISIS_NONE)
		json_object_object_add(body, "crisis", astral_crisis_response_json(req->app, &crisis));
	astral_respond(req, 201, body);
out:
	PQclear(res);
}

void
posts_decline(struct astral_request *req, const void *input)
{
	const char *post_id = req->path_params[0];
	PGresult *post = NULL, *res = NULL;
	struct json_object *body, *event;
	astral_err err;

	(void)input;
	err = posts_get_visible(req, post_id, &post);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	if (!same_id(astral_db_value(post, 0, POST_COL_RAW_REQUESTED_ID), req->who.user_id)) {
		posts_respond_conflict(req, "This post is not a request to you.", NULL, NULL);
		goto out;
	}
	err = move_post(req, POSTS_DECLINE, post_id, &res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	if (PQntuples(res) != 1) {
		respond_not_moved(req, post, "declined", "You have already declined this request.",
		                  "This request is no longer open.");
		goto out;
	}
	posts_audit(req, "direct_request_decline", "post", post_id, req->who.user_id, NULL);
	event = posts_event_new(req, "direct_request.declined");
	astral_json_add_str(event, "post_id", astral_db_value(post, 0, POST_COL_ID));
	astral_rt_after_commit(req, astral_db_value(res, 0, 0), event);
	body = json_object_new_object();
	astral_json_add_str(body, "id", astral_db_value(post, 0, POST_COL_ID));
	astral_json_add_str(body, "status", "declined");
	astral_respond(req, 200, body);
out:
	PQclear(post);
	PQclear(res);
}
