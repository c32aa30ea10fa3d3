/*
 * POST /api/wellness/videos: a multipart/form-data body with a `file` part (an MP4 or WebM video
 * of at most 50 MB, judged by its first bytes whatever its name or declared type) and an optional
 * `description` part (at most 500 characters), in either order.
 *
 * The route streams (ASTRAL_BODY_STREAM): the body is read from FastCGI stdin in chunks through
 * the multipart parser; the file part's first bytes are held back until the sniffer has decided,
 * then everything goes to a temporary file in the video directory. Only when the whole body has
 * been read and checked is one upload taken from the person's budget (lib/write_budget.h,
 * `[limits] videos_per_day`), the row inserted, the file renamed to the video's id, and the
 * transaction committed here (so that a commit that fails can still remove the file). Any
 * failure removes the temporary file: nothing is left behind.
 */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "log.h"
#include "multipart.h"
#include "random.h"
#include "sniff.h"
#include "validate.h"
#include "videos.h"
#include "write_budget.h"

#define READ_CHUNK (64 * 1024)
#define DESCRIPTION_BYTES_MAX (VIDEOS_DESCRIPTION_MAX * 4)

enum upload_part { PART_NONE, PART_FILE, PART_DESCRIPTION };

struct upload {
	struct astral_request *req;
	struct videos_file file;
	enum upload_part part;
	int file_seen, description_seen;
	unsigned char sniff[VIDEOS_SNIFF_BYTES];
	size_t sniff_len;
	int sniffed;
	enum videos_kind kind;
	long long size;
	char description[DESCRIPTION_BYTES_MAX + 1];
	size_t description_len;
	/* Why the body was refused (status 0: it was not). */
	int status;
	const char *code, *message, *problem;
	char field[VIDEOS_MP_NAME_MAX + 1];
};

/* Remember the answer for a refused body; the error stops the parser. */
static astral_err
refuse(struct upload *u, int status, const char *code, const char *message, const char *field, const char *problem)
{
	u->status = status;
	u->code = code;
	u->message = message;
	u->problem = problem;
	memcpy(u->field, field, strlen(field) + 1);
	return ASTRAL_ERR_INVALID;
}

static astral_err
too_large(struct upload *u)
{
	return refuse(u, 413, "payload_too_large", "The video is larger than 50 MB.", "file", "must be at most 50 MB");
}

/* A part name is echoed back as the field only when it is plain ASCII of the kind field names use. */
static int
name_echoable(const char *name)
{
	for (const char *p = name; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
		      *p == '-' || *p == '.'))
			return 0;
	return 1;
}

static astral_err
part_begin(void *ctx, const struct videos_mp_part *part)
{
	struct upload *u = ctx;

	if (strcmp(part->name, "file") == 0) {
		if (u->file_seen)
			return refuse(u, 400, "invalid_field", "Send one video at a time.", "file", "is given more than once");
		u->file_seen = 1;
		u->part = PART_FILE;
		return videos_file_create(&u->file, u->req->app->cfg.media_video_dir);
	}
	if (strcmp(part->name, "description") == 0) {
		if (u->description_seen)
			return refuse(u, 400, "invalid_field", "Some fields need attention.", "description",
			              "is given more than once");
		u->description_seen = 1;
		u->part = PART_DESCRIPTION;
		return ASTRAL_OK;
	}
	if (name_echoable(part->name))
		return refuse(u, 400, "invalid_field", "Some fields need attention.", part->name, "unknown field");
	return refuse(u, 400, "invalid_field", "Some fields need attention.", "body",
	              "has a part other than file and description");
}

/* The sniffer decides on the bytes held back; the file then gets them. */
static astral_err
sniff_decide(struct upload *u)
{
	u->kind = videos_sniff(u->sniff, u->sniff_len);
	if (u->kind == VIDEOS_KIND_UNKNOWN)
		return refuse(u, 415, "unsupported_media_type", "Upload an MP4 or WebM video.", "file",
		              "is not an MP4 or WebM video");
	u->sniffed = 1;
	return videos_file_write(&u->file, u->sniff, u->sniff_len);
}

static astral_err
file_data(struct upload *u, const unsigned char *buf, size_t len)
{
	astral_err err;

	if ((long long)len > VIDEOS_FILE_MAX - u->size)
		return too_large(u);
	u->size += (long long)len;
	if (!u->sniffed) {
		size_t take = sizeof(u->sniff) - u->sniff_len;

		if (take > len)
			take = len;
		memcpy(u->sniff + u->sniff_len, buf, take);
		u->sniff_len += take;
		buf += take;
		len -= take;
		if (u->sniff_len < sizeof(u->sniff))
			return ASTRAL_OK;
		err = sniff_decide(u);
		if (err != ASTRAL_OK)
			return err;
	}
	return len > 0 ? videos_file_write(&u->file, buf, len) : ASTRAL_OK;
}

static astral_err
part_data(void *ctx, const unsigned char *buf, size_t len)
{
	struct upload *u = ctx;

	if (u->part == PART_FILE)
		return file_data(u, buf, len);
	if (len > DESCRIPTION_BYTES_MAX - u->description_len)
		return refuse(u, 400, "invalid_field", "Some fields need attention.", "description",
		              "must be at most 500 characters");
	memcpy(u->description + u->description_len, buf, len);
	u->description_len += len;
	return ASTRAL_OK;
}

/* Browsers send a textarea's line breaks as CRLF: keep them as LF. */
static void
description_normalise(struct upload *u)
{
	size_t o = 0;

	for (size_t i = 0; i < u->description_len; i++) {
		if (u->description[i] == '\r' && i + 1 < u->description_len && u->description[i + 1] == '\n')
			continue;
		u->description[o++] = u->description[i];
	}
	u->description_len = o;
	u->description[o] = '\0';
}

static astral_err
part_end(void *ctx)
{
	struct upload *u = ctx;
	enum upload_part part = u->part;
	const char *why;

	u->part = PART_NONE;
	if (part == PART_FILE) {
		if (u->size == 0)
			return refuse(u, 400, "invalid_field", "Some fields need attention.", "file", "is empty");
		return u->sniffed ? ASTRAL_OK : sniff_decide(u);
	}
	description_normalise(u);
	why = astral_check_text(u->description, u->description_len, 0, VIDEOS_DESCRIPTION_MAX, 1);
	if (why != NULL)
		return refuse(u, 400, "invalid_field", "Some fields need attention.", "description", why);
	return ASTRAL_OK;
}

static const struct videos_mp_sink upload_sink = { part_begin, part_data, part_end };

/* Read the whole body through the parser. ASTRAL_OK when it was well formed and accepted;
   otherwise the answer is in u (status set) or mp->problem, or the error is the server's. */
static astral_err
read_body(struct astral_request *req, struct upload *u, struct videos_multipart *mp)
{
	unsigned char *chunk = malloc(READ_CHUNK);
	long long total = 0;
	astral_err err = ASTRAL_OK;
	int n;

	if (chunk == NULL)
		return ASTRAL_ERR_NOMEM;
	while ((n = FCGX_GetStr((char *)chunk, READ_CHUNK, req->fcgx->in)) > 0) {
		total += n;
		if (total > VIDEOS_BODY_MAX) {
			err = too_large(u);
			goto out;
		}
		err = videos_mp_feed(mp, chunk, (size_t)n);
		if (err != ASTRAL_OK)
			goto out;
	}
	err = videos_mp_finish(mp);
out:
	free(chunk);
	return err;
}

/* Take one upload from the person's budget, insert the row, give the file its name, read the
   Video back, commit. A refusal by the budget is answered here (429) and returns ASTRAL_OK: the
   handler rolls back and removes the temporary file, as for any refused upload. */
static astral_err
store(struct astral_request *req, struct upload *u)
{
	struct astral_params p;
	char id[ASTRAL_UUID_STR_LEN + 1];
	int published = 0, committing = 0;
	astral_err err;

	err = astral_uuid_v4(id);
	if (err != ASTRAL_OK)
		return err;
	/* Only now, with the whole body read and checked: a body refused for its content takes
	   nothing. (The body is read before a person over the budget is told: nothing of it stays.) */
	if (!astral_write_budget_take(req, ASTRAL_WRITE_VIDEO))
		return ASTRAL_OK;
	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, u->description);
	astral_params_text(&p, videos_kind_mime(u->kind));
	astral_params_int(&p, u->size);
	astral_params_int(&p, req->now);
	err = videos_exec(req, VIDEOS_INSERT, &p, NULL);
	if (err != ASTRAL_OK)
		goto out;
	err = videos_file_publish(&u->file, id);
	if (err != ASTRAL_OK)
		goto out;
	published = 1;
	videos_audit(req, "video_upload", id, req->who.user_id, videos_kind_mime(u->kind));
	videos_respond_video(req, 201, id);
	if (req->status != 201) {
		err = ASTRAL_ERR_INTERNAL;
		goto out;
	}
	committing = 1;
	err = astral_db_commit(req->app->db);
out:
	if (err != ASTRAL_OK) {
		astral_db_rollback(req->app->db);
		/* A COMMIT that failed may still have stored the row (the connection lost after it was
		   sent): its file stays, and `astralctl media sweep` removes it within the hour when no
		   row names it. A row without its file would stay in the queue for ever. */
		if (published && !committing)
			videos_file_unpublish(&u->file, id);
	}
	return err;
}

void
videos_upload(struct astral_request *req, const void *input)
{
	struct upload *u = NULL;
	struct videos_multipart *mp = NULL;
	char boundary[VIDEOS_MP_BOUNDARY_MAX + 1];
	astral_err err = ASTRAL_OK;

	(void)input;
	if (videos_mp_boundary(req->content_type, boundary, sizeof(boundary)) != ASTRAL_OK) {
		astral_respond_field_error(req, 415, "unsupported_media_type", "Send the video as multipart/form-data.",
		                           "body", "must be multipart/form-data with a boundary");
		goto out;
	}
	u = calloc(1, sizeof(*u));
	mp = malloc(sizeof(*mp));
	if (u == NULL || mp == NULL) {
		err = ASTRAL_ERR_NOMEM;
		goto out;
	}
	u->req = req;
	videos_file_init(&u->file);
	if (req->content_length > VIDEOS_BODY_MAX) {
		(void)too_large(u);
		goto refused;
	}
	videos_mp_init(mp, boundary, &upload_sink, u);
	err = read_body(req, u, mp);
	if (err != ASTRAL_OK && u->status == 0 && mp->problem != NULL && !mp->sink_failed) {
		astral_respond_field_error(req, 400, "invalid_field", "The upload could not be read.", "body", mp->problem);
		err = ASTRAL_OK;
		goto out;
	}
	if (err == ASTRAL_OK && !u->file_seen)
		(void)refuse(u, 400, "invalid_field", "Some fields need attention.", "file", "is required");
	if (u->status != 0)
		goto refused;
	if (err != ASTRAL_OK)
		goto out;
	err = store(req, u);
	goto out;
refused:
	err = ASTRAL_OK;
	astral_respond_field_error(req, u->status, u->code, u->message, u->field, u->problem);
out:
	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	if (req->status >= 400)
		astral_db_rollback(req->app->db);
	if (u != NULL)
		videos_file_close(&u->file);
	free(mp);
	free(u);
}
