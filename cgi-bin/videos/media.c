/*
 * GET /media/videos/{id}: the program decides who may watch (row-level security: approved videos
 * to anyone signed in, the others to their uploader and staff) and hands the request back to
 * nginx with X-Accel-Redirect to the internal location that maps onto media.video_dir. nginx then
 * serves the bytes itself, Range requests included. With [media] delivery = program (Apache, which
 * has no X-Accel-Redirect) the program sends the file itself after COMMIT, Range requests included
 * (lib/file_response.c). Watching is not health data: no audit row.
 */
#include <stdio.h>
#include <string.h>

#include "file_response.h"
#include "log.h"
#include "random.h"
#include "videos.h"

#define VIDEOS_INTERNAL_PREFIX "/_astral/media/videos/"

void
videos_media(struct astral_request *req, const void *input)
{
	struct astral_params p;
	PGresult *res = NULL;
	const char *id, *mime;
	char target[sizeof(VIDEOS_INTERNAL_PREFIX) + ASTRAL_UUID_STR_LEN];
	astral_err err;

	(void)input;
	astral_params_init(&p);
	astral_params_text(&p, req->path_params[0]);
	err = videos_exec(req, VIDEOS_MEDIA, &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) != 1)
		err = ASTRAL_ERR_NOT_FOUND;
	if (err != ASTRAL_OK)
		goto out;
	/* The name comes from the database (canonical lower-case text), never from the request. */
	id = astral_db_value(res, 0, 0);
	mime = astral_db_value(res, 0, 1);
	if (id == NULL || mime == NULL || !astral_uuid_valid(id) || strlen(id) != ASTRAL_UUID_STR_LEN) {
		err = ASTRAL_ERR_INTERNAL;
		goto out;
	}
	if (req->app->cfg.media_delivery == ASTRAL_MEDIA_PROGRAM) {
		char path[4096];
		int n = snprintf(path, sizeof(path), "%s/%s", req->app->cfg.media_video_dir, id);

		if (n < 0 || (size_t)n >= sizeof(path)) {
			err = ASTRAL_ERR_INTERNAL;
			goto out;
		}
		err = astral_respond_file(req, path, mime);
		if (err == ASTRAL_ERR_NOT_FOUND)
			astral_log(ASTRAL_LOG_ERROR, "video %s has a row but no file in media.video_dir", id);
		goto out;
	}
	snprintf(target, sizeof(target), VIDEOS_INTERNAL_PREFIX "%s", id);
	astral_header(req, "X-Accel-Redirect", target);
	astral_header(req, "Content-Type", mime);
	astral_respond(req, 200, NULL);
out:
	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	PQclear(res);
}
