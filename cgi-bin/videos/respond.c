/* The Video object. */
#include <stdio.h>

#include "json.h"
#include "videos.h"

struct json_object *
videos_video_json(const PGresult *res, int row)
{
	const char *id = astral_db_value(res, row, VC_ID);
	const char *description = astral_db_value(res, row, VC_DESCRIPTION);
	const char *mime = astral_db_value(res, row, VC_MIME);
	const char *status = astral_db_value(res, row, VC_STATUS);
	struct json_object *v;
	char url[64];

	if (PQnfields(res) < VC_COLUMN_COUNT || id == NULL || description == NULL || mime == NULL || status == NULL)
		return NULL;
	snprintf(url, sizeof(url), "/media/videos/%s", id);
	v = json_object_new_object();
	astral_json_add_str(v, "id", id);
	astral_json_add_str(v, "description", description);
	astral_json_add_str(v, "mime", mime);
	astral_json_add_int(v, "size", astral_db_int(res, row, VC_SIZE));
	astral_json_add_str(v, "status", status);
	astral_json_add_time(v, "created_at", astral_db_int(res, row, VC_CREATED_AT));
	astral_json_add_int(v, "like_count", astral_db_int(res, row, VC_LIKE_COUNT));
	astral_json_add_bool(v, "liked_by_me", astral_db_bool(res, row, VC_LIKED_BY_ME));
	astral_json_add_bool(v, "mine", astral_db_bool(res, row, VC_MINE));
	astral_json_add_str(v, "url", url);
	return v;
}

astral_err
videos_get(struct astral_request *req, const char *id, PGresult **res)
{
	struct astral_params p;
	astral_err err;

	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, id);
	err = videos_exec(req, VIDEOS_GET, &p, res);
	if (err == ASTRAL_OK && PQntuples(*res) != 1)
		err = ASTRAL_ERR_NOT_FOUND;
	return err;
}

void
videos_respond_row(struct astral_request *req, int status, const PGresult *res)
{
	struct json_object *video = videos_video_json(res, 0);

	if (video == NULL)
		astral_respond_err(req, ASTRAL_ERR_INTERNAL);
	else
		astral_respond(req, status, video);
}

void
videos_respond_video(struct astral_request *req, int status, const char *id)
{
	PGresult *res = NULL;
	astral_err err = videos_get(req, id, &res);

	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	else
		videos_respond_row(req, status, res);
	PQclear(res);
}
