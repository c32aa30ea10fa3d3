/*
 * Likes: one per user and video, idempotent both ways. Only an approved video can be liked: a
 * video the caller cannot see is a 404, one they can see that is not approved (their own pending
 * upload) a 409. The counter moves in a trigger. A like that changes something is audited.
 */
#include <string.h>

#include "videos.h"

/* After the write: 404 when the caller cannot see the video, 409 when liking one that is not
   approved, else 200 with the Video. */
static void
respond_after(struct astral_request *req, const char *id, int liking)
{
	PGresult *res = NULL;
	const char *status;
	astral_err err = videos_get(req, id, &res);

	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	status = astral_db_value(res, 0, VC_STATUS);
	if (liking && (status == NULL || strcmp(status, "approved") != 0)) {
		astral_respond_error(req, 409, "conflict", "Only approved videos can be liked.");
		goto out;
	}
	videos_respond_row(req, 200, res);
out:
	PQclear(res);
}

static void
like_set(struct astral_request *req, int like)
{
	const char *id = req->path_params[0];
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, id);
	if (like)
		astral_params_int(&p, req->now);
	err = videos_exec(req, like ? VIDEOS_LIKE : VIDEOS_UNLIKE, &p, &res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	if (PQntuples(res) == 1)
		videos_audit(req, like ? "video_like" : "video_unlike", id, req->who.user_id, NULL);
	respond_after(req, id, like);
out:
	PQclear(res);
}

void
videos_like(struct astral_request *req, const void *input)
{
	(void)input;
	like_set(req, 1);
}

void
videos_unlike(struct astral_request *req, const void *input)
{
	(void)input;
	like_set(req, 0);
}
