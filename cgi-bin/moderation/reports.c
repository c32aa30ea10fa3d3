/*
 * The report queue: posts with open reports (a self-harm report first, then the oldest first
 * report), dismissing them (the post is shown again) and removing a post (its reports are
 * actioned, its author is told why, an open help session on it ends). Keyset cursor: rank, the
 * first report's time in microseconds, the post id.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "moderation.h"
#include "random.h"
#include "realtime.h"

#define FIRST_US_MAX 253402300799999999LL   /* 9999-12-31T23:59:59.999999Z */

static const struct astral_field page_fields[] = {
	{ "limit", ASTRAL_F_INT, 0, 1, MOD_LIST_MAX, NULL, offsetof(struct moderation_page_in, limit), MOD_LIST_DEFAULT },
	{ "cursor", ASTRAL_F_TEXT, 0, 1, ASTRAL_CURSOR_TEXT_MAX, NULL, offsetof(struct moderation_page_in, cursor), 0 },
};
const struct astral_input_spec moderation_page_input = { page_fields, 2, sizeof(struct moderation_page_in) };

struct dismiss_in { const char *note; };
static const struct astral_field dismiss_fields[] = {
	{ "note", ASTRAL_F_MULTILINE, 0, 0, MOD_REASON_MAX, NULL, offsetof(struct dismiss_in, note), 0 },
};
const struct astral_input_spec moderation_dismiss_input = { dismiss_fields, 1, sizeof(struct dismiss_in) };

static const struct astral_field reason_fields[] = {
	{ "reason", ASTRAL_F_MULTILINE, 1, 1, MOD_REASON_MAX, NULL, offsetof(struct moderation_reason_in, reason), 0 },
};
const struct astral_input_spec moderation_reason_input = { reason_fields, 1, sizeof(struct moderation_reason_in) };

/* The ReportItem of one row (RC_ columns); NULL when the reports column cannot be read. */
static struct json_object *
report_item_json(const PGresult *res, int row)
{
	struct json_object *o, *post, *reports = moderation_json_column(res, row, RC_REPORTS);

	if (reports == NULL)
		return NULL;
	o = json_object_new_object();
	post = json_object_new_object();
	astral_json_add_str(post, "id", astral_db_value(res, row, RC_POST_ID));
	astral_json_add_str(post, "category", astral_db_value(res, row, RC_CATEGORY));
	astral_json_add_str(post, "content", astral_db_value(res, row, RC_CONTENT));
	astral_json_add_str(post, "status", astral_db_value(res, row, RC_STATUS));
	moderation_add_time(post, "created_at", res, row, RC_CREATED_AT);
	json_object_object_add(post, "author", moderation_user_ref(res, row, RC_AUTHOR_ID));
	json_object_object_add(o, "post", post);
	json_object_object_add(o, "reports", reports);
	astral_json_add_int(o, "report_count", astral_db_int(res, row, RC_COUNT));
	moderation_add_time(o, "first_reported_at", res, row, RC_FIRST_AT);
	return o;
}

void
moderation_reports(struct astral_request *req, const void *input)
{
	const struct moderation_page_in *in = input;
	struct astral_cursor c;
	struct astral_params p;
	PGresult *res = NULL;
	struct json_object *items = NULL, *item;
	const char *post_id = NULL;
	char next[ASTRAL_CURSOR_TEXT_MAX + 1];
	long long rank = 0, first_us = 0;
	int n, have_next = 0;
	astral_err err;

	if (in->cursor != NULL &&
	    (moderation_cursor_decode(in->cursor, "r", 4, &c) != ASTRAL_OK || astral_cursor_int(&c, 1, &rank) != ASTRAL_OK ||
	     (rank != 0 && rank != 1) || astral_cursor_int(&c, 2, &first_us) != ASTRAL_OK || first_us < 0 ||
	     first_us > FIRST_US_MAX || astral_cursor_uuid(&c, 3, &post_id) != ASTRAL_OK)) {
		moderation_respond_bad_cursor(req);
		return;
	}
	astral_params_init(&p);
	if (in->cursor != NULL) {
		astral_params_int(&p, rank);
		astral_params_int(&p, first_us);
	} else {
		astral_params_null(&p);
		astral_params_null(&p);
	}
	astral_params_text(&p, post_id);
	astral_params_int(&p, in->limit + 1);
	err = moderation_exec(req, MOD_REPORT_QUEUE, &p, &res);
	if (err != ASTRAL_OK)
		goto out;
	n = PQntuples(res);
	items = json_object_new_array();
	for (int i = 0; i < n && i < in->limit; i++) {
		item = report_item_json(res, i);
		if (item == NULL) {
			err = ASTRAL_ERR_INTERNAL;
			goto out;
		}
		json_object_array_add(items, item);
	}
	if (n > in->limit) {
		int last = (int)in->limit - 1;
		const char *parts[] = { "r", astral_db_value(res, last, RC_RANK), astral_db_value(res, last, RC_FIRST_US),
		                        astral_db_value(res, last, RC_POST_ID) };

		if (astral_cursor_encode_parts(parts, sizeof(parts) / sizeof(parts[0]), next, sizeof(next)) != ASTRAL_OK) {
			err = ASTRAL_ERR_INTERNAL;
			goto out;
		}
		have_next = 1;
	}
	/* The queue shows reported posts whole: a read of people's content, audited. */
	err = moderation_audit(req, "report_queue_read", "post_report", NULL, NULL, "success", "queue", NULL);
	if (err != ASTRAL_OK)
		goto out;
	astral_respond(req, 200, moderation_list(items, have_next ? next : NULL));
	items = NULL;
out:
	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	json_object_put(items);
	PQclear(res);
}

void
moderation_report_dismiss(struct astral_request *req, const void *input)
{
	const struct dismiss_in *in = input;
	const char *post_id = req->path_params[0];
	struct astral_params p;
	PGresult *res = NULL;
	struct json_object *item;
	const char *note = in->note != NULL && in->note[0] != '\0' ? in->note : NULL;
	astral_err err;

	astral_params_init(&p);
	astral_params_text(&p, post_id);
	astral_params_text(&p, req->who.user_id);
	astral_params_int(&p, req->now);
	err = moderation_exec(req, MOD_REPORT_DISMISS, &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) != 1)
		err = ASTRAL_ERR_NOT_FOUND;          /* no open report on that post (or no such post) */
	if (err != ASTRAL_OK)
		goto out;
	item = report_item_json(res, 0);
	if (item == NULL) {
		err = ASTRAL_ERR_INTERNAL;
		goto out;
	}
	err = moderation_audit(req, "report_dismiss", "post", post_id, astral_db_value(res, 0, RC_AUTHOR_ID), "success",
	                       "dismissed", note);
	if (err != ASTRAL_OK) {
		json_object_put(item);
		goto out;
	}
	astral_respond(req, 200, item);
out:
	if (err != ASTRAL_OK)
		moderation_fail(req, err);
	PQclear(res);
}

/* session.ended to both participants of a session a removal ended. */
static void
publish_session_ended(struct astral_request *req, const PGresult *res, int row)
{
	for (int col = 1; col <= 2; col++) {
		struct json_object *ev;

		if (astral_db_value(res, row, col) == NULL)
			continue;
		ev = json_object_new_object();
		astral_json_add_str(ev, "type", "session.ended");
		astral_json_add_time(ev, "at", req->now);
		astral_json_add_str(ev, "session_id", astral_db_value(res, row, 0));
		astral_json_add_str(ev, "ended_by", "moderator");
		astral_rt_after_commit(req, astral_db_value(res, row, col), ev);
	}
}

void
moderation_post_remove(struct astral_request *req, const void *input)
{
	const struct moderation_reason_in *in = input;
	const char *post_id = req->path_params[0];
	char action_id[ASTRAL_UUID_STR_LEN + 1];
	struct astral_params p;
	PGresult *res = NULL, *ended = NULL;
	struct json_object *body;
	astral_err err;

	err = astral_uuid_v4(action_id);
	if (err != ASTRAL_OK)
		goto out;
	astral_params_init(&p);
	astral_params_text(&p, post_id);
	astral_params_text(&p, req->who.user_id);
	astral_params_int(&p, req->now);
	astral_params_text(&p, action_id);
	astral_params_text(&p, in->reason);
	err = moderation_exec(req, MOD_POST_REMOVE, &p, &res);
	if (err != ASTRAL_OK)
		goto out;
	if (PQntuples(res) != 1) {
		/* Nothing was written: tell a missing post from one removed already. */
		PQclear(res);
		res = NULL;
		astral_params_init(&p);
		astral_params_text(&p, post_id);
		err = moderation_exec(req, MOD_POST_STATUS, &p, &res);
		if (err == ASTRAL_OK && PQntuples(res) != 1)
			err = ASTRAL_ERR_NOT_FOUND;
		if (err == ASTRAL_OK)
			err = moderation_refuse_conflict(req, "post_remove", "post", post_id, astral_db_value(res, 0, 1),
			                                 "already_removed", "That post has already been removed.");
		goto out;
	}
	/* The post is removed now, so the policy lets staff end the session on it. */
	astral_params_init(&p);
	astral_params_text(&p, post_id);
	astral_params_int(&p, req->now);
	err = moderation_exec(req, MOD_POST_SESSION_END, &p, &ended);
	if (err != ASTRAL_OK)
		goto out;
	for (int i = 0; i < PQntuples(ended); i++)
		publish_session_ended(req, ended, i);
	err = moderation_audit(req, "post_remove", "post", post_id, astral_db_value(res, 0, 0), "success", "removed",
	                       in->reason);
	if (err != ASTRAL_OK)
		goto out;
	body = json_object_new_object();
	astral_json_add_str(body, "post_id", post_id);
	astral_json_add_str(body, "status", "removed");
	astral_respond(req, 200, body);
out:
	if (err != ASTRAL_OK)
		moderation_fail(req, err);
	PQclear(res);
	PQclear(ended);
}
