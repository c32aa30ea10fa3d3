/*
 * Videos waiting for a decision, oldest first, and the decision. Staff watch a pending video at
 * /media/videos/{id} (cgi-bin/videos: row-level security shows staff every video). A rejection
 * tells the uploader why (decision_note and a video_rejected action). Keyset cursor: the upload
 * time in microseconds and the id.
 *
 * Staff may upload too, and nobody decides on their own upload (403): a moderator approving their
 * own video would publish it to everyone unreviewed. A video_rejected action is a mark on the
 * person's standing (UserStatus.actions), so it follows the sanction rules (respond.c): a
 * rejection of an admin's video, or of a moderator's by a moderator, is still made and its note
 * still shown to the uploader, but records no action against them.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "moderation.h"

#define CREATED_US_MAX 253402300799999999LL
#define MEDIA_PREFIX "/media/videos/"

/* Columns of MOD_VIDEOS_PENDING. */
enum { VP_ID, VP_DESCRIPTION, VP_UPLOADER_ID, VP_UPLOADER_NAME, VP_UPLOADER_ROLE, VP_MIME, VP_SIZE, VP_CREATED_AT,
       VP_CREATED_US };

static struct json_object *
pending_video_json(const PGresult *res, int row)
{
	struct json_object *o = json_object_new_object();
	char url[sizeof(MEDIA_PREFIX) + ASTRAL_UUID_STR_LEN];

	astral_json_add_str(o, "id", astral_db_value(res, row, VP_ID));
	astral_json_add_str(o, "description", astral_db_value(res, row, VP_DESCRIPTION));
	json_object_object_add(o, "uploader", moderation_user_ref(res, row, VP_UPLOADER_ID));
	astral_json_add_str(o, "mime", astral_db_value(res, row, VP_MIME));
	astral_json_add_int(o, "size", astral_db_int(res, row, VP_SIZE));
	moderation_add_time(o, "created_at", res, row, VP_CREATED_AT);
	snprintf(url, sizeof(url), MEDIA_PREFIX "%s", astral_db_value(res, row, VP_ID));
	astral_json_add_str(o, "media_url", url);
	return o;
}

void
moderation_videos(struct astral_request *req, const void *input)
{
	const struct moderation_page_in *in = input;
	struct astral_cursor c;
	struct astral_params p;
	PGresult *res = NULL;
	struct json_object *items = NULL;
	const char *after_id = NULL;
	char next[ASTRAL_CURSOR_TEXT_MAX + 1];
	long long created_us = 0;
	int n, have_next = 0;
	astral_err err;

	if (in->cursor != NULL &&
	    (moderation_cursor_decode(in->cursor, "v", 3, &c) != ASTRAL_OK ||
	     astral_cursor_int(&c, 1, &created_us) != ASTRAL_OK || created_us < 0 || created_us > CREATED_US_MAX ||
	     astral_cursor_uuid(&c, 2, &after_id) != ASTRAL_OK)) {
		moderation_respond_bad_cursor(req);
		return;
	}
	astral_params_init(&p);
	if (in->cursor != NULL)
		astral_params_int(&p, created_us);
	else
		astral_params_null(&p);
	astral_params_text(&p, after_id);
	astral_params_int(&p, in->limit + 1);
	err = moderation_exec(req, MOD_VIDEOS_PENDING, &p, &res);
	if (err != ASTRAL_OK)
		goto out;
	n = PQntuples(res);
	items = json_object_new_array();
	for (int i = 0; i < n && i < in->limit; i++)
		json_object_array_add(items, pending_video_json(res, i));
	if (n > in->limit) {
		int last = (int)in->limit - 1;
		const char *parts[] = { "v", astral_db_value(res, last, VP_CREATED_US), astral_db_value(res, last, VP_ID) };

		if (astral_cursor_encode_parts(parts, sizeof(parts) / sizeof(parts[0]), next, sizeof(next)) != ASTRAL_OK) {
			err = ASTRAL_ERR_INTERNAL;
			goto out;
		}
		have_next = 1;
	}
	err = moderation_audit(req, "video_queue_read", "wellness_video", NULL, NULL, "success", "pending", NULL);
	if (err != ASTRAL_OK)
		goto out;
	astral_respond(req, 200, moderation_list(items, have_next ? next : NULL));
	items = NULL;
out:
	if (err != ASTRAL_OK)
		moderation_fail(req, err);
	json_object_put(items);
	PQclear(res);
}

/* Approve or reject the pending video of the path; `reason` only for a rejection. */
static void
decide(struct astral_request *req, const char *status, const char *reason)
{
	const char *id = req->path_params[0];
	char action_id[ASTRAL_UUID_STR_LEN + 1], uploader[ASTRAL_UUID_STR_LEN + 1], uploader_role[16];
	struct astral_params p;
	PGresult *res = NULL;
	struct json_object *body;
	astral_err err;

	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_text(&p, req->who.user_id);
	astral_params_int(&p, req->now);
	astral_params_text(&p, status);
	astral_params_text(&p, reason);
	err = moderation_exec(req, MOD_VIDEO_DECIDE, &p, &res);
	if (err != ASTRAL_OK)
		goto out;
	if (PQntuples(res) != 1) {
		/* Nothing changed: no such video, or it was decided already. */
		PQclear(res);
		res = NULL;
		astral_params_init(&p);
		astral_params_text(&p, id);
		err = moderation_exec(req, MOD_VIDEO_STATUS, &p, &res);
		if (err == ASTRAL_OK && PQntuples(res) != 1)
			err = ASTRAL_ERR_NOT_FOUND;
		if (err != ASTRAL_OK)
			goto out;
		if (strcmp(astral_db_value(res, 0, 0), "pending") == 0 &&
		    strcmp(astral_db_value(res, 0, 1), req->who.user_id) == 0) {
			err = moderation_audit(req, reason != NULL ? "video_reject" : "video_approve", "wellness_video", id,
			                       req->who.user_id, "denied", "own_upload", NULL);
			if (err == ASTRAL_OK)
				astral_respond_refusal(req, 403, "own_upload", "You cannot decide on your own video.",
				                       "video", "is your own upload");
			goto out;
		}
		err = moderation_refuse_conflict(req, reason != NULL ? "video_reject" : "video_approve", "wellness_video",
		                                 id, astral_db_value(res, 0, 1), "already_decided",
		                                 "That video has been decided already.");
		goto out;
	}
	snprintf(uploader, sizeof(uploader), "%s", astral_db_value(res, 0, 0));
	snprintf(uploader_role, sizeof(uploader_role), "%s",
	         astral_db_value(res, 0, 1) != NULL ? astral_db_value(res, 0, 1) : "");
	if (reason != NULL && moderation_may_sanction(req, uploader, uploader_role)) {
		err = astral_uuid_v4(action_id);
		if (err != ASTRAL_OK)
			goto out;
		astral_params_init(&p);
		astral_params_text(&p, action_id);
		astral_params_text(&p, uploader);
		astral_params_text(&p, req->who.user_id);
		astral_params_text(&p, "video_rejected");
		astral_params_text(&p, reason);
		astral_params_null(&p);
		astral_params_text(&p, id);
		astral_params_null(&p);
		astral_params_int(&p, req->now);
		err = moderation_exec(req, MOD_ACTION_INSERT, &p, NULL);
		if (err != ASTRAL_OK)
			goto out;
	}
	err = moderation_audit(req, reason != NULL ? "video_reject" : "video_approve", "wellness_video", id, uploader,
	                       "success", status, reason);
	if (err != ASTRAL_OK)
		goto out;
	body = json_object_new_object();
	astral_json_add_str(body, "id", id);
	astral_json_add_str(body, "status", status);
	astral_respond(req, 200, body);
out:
	if (err != ASTRAL_OK)
		moderation_fail(req, err);
	PQclear(res);
}

void
moderation_video_approve(struct astral_request *req, const void *input)
{
	(void)input;
	decide(req, "approved", NULL);
}

void
moderation_video_reject(struct astral_request *req, const void *input)
{
	const struct moderation_reason_in *in = input;

	decide(req, "rejected", in->reason);
}
