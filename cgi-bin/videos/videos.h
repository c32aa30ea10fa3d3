/*
 * cgi-bin/videos: wellness videos. A program of its own because an upload of 50 MB holds a worker
 * for its whole read: these routes get their own workers and nginx limits (docs/architecture.md).
 * Handlers by concern: upload.c (POST a video: the multipart body of multipart.c streamed to a
 * file of storage.c after sniff.c has judged its first bytes), feed.c (the list), likes.c,
 * media.c (GET /media/videos/{id}: the visibility check and the X-Accel-Redirect hand-off to
 * nginx). respond.c builds the Video object; videos_audit.c writes audit rows; statements.c holds
 * every SQL statement.
 */
#ifndef VIDEOS_H
#define VIDEOS_H

#include <stddef.h>

#include "audit.h"
#include "db.h"
#include "http.h"
#include "input.h"
#include "router.h"

#define VIDEOS_FILE_MAX (50LL * 1024 * 1024)           /* bytes of one video */
/* A request body: the file, its description and the multipart framing. nginx's
   client_max_body_size for /api/wellness/videos is this (51m). */
#define VIDEOS_BODY_MAX (VIDEOS_FILE_MAX + 1024 * 1024)
#define VIDEOS_DESCRIPTION_MAX 500                     /* code points */

enum videos_stmt {
	VIDEOS_INSERT,
	VIDEOS_GET,
	VIDEOS_FEED,
	VIDEOS_MINE,
	VIDEOS_LIKE,
	VIDEOS_UNLIKE,
	VIDEOS_MEDIA,
	VIDEOS_STMT_COUNT
};

extern const struct astral_stmt videos_stmts[VIDEOS_STMT_COUNT];

/* Run one of this program's statements. */
astral_err videos_exec(struct astral_request *req, enum videos_stmt s, const struct astral_params *p,
                       PGresult **res) ASTRAL_MUST_USE;

/* Column positions of every statement that answers Video rows (VIDEO_COLUMNS in statements.c). */
enum videos_col {
	VC_ID,
	VC_DESCRIPTION,
	VC_MIME,
	VC_SIZE,
	VC_STATUS,
	VC_CREATED_AT,
	VC_LIKE_COUNT,
	VC_LIKED_BY_ME,
	VC_MINE,
	VC_CREATED_US,         /* creation time in microseconds (the lists' keyset) */
	VC_COLUMN_COUNT
};

/* The Video object of one result row; NULL when a column cannot be read back. */
struct json_object *videos_video_json(const PGresult *res, int row);
/* The video `id` as the caller sees it, read back in this transaction (one VIDEOS_GET row);
   ASTRAL_ERR_NOT_FOUND when the caller cannot see it. */
astral_err videos_get(struct astral_request *req, const char *id, PGresult **res) ASTRAL_MUST_USE;
/* `status` with the Video of the one row of `res` (from videos_get); 500 when it cannot be read. */
void videos_respond_row(struct astral_request *req, int status, const PGresult *res);
/* `status` with the Video `id` as the caller sees it (videos_get, videos_respond_row); 404 when
   the caller cannot see it. */
void videos_respond_video(struct astral_request *req, int status, const char *id);

/* An audit row about one video (object type wellness_video); the subject is the uploader when
   known. Never the description. */
void videos_audit(struct astral_request *req, const char *action, const char *video_id, const char *subject_id,
                  const char *detail);

/*
 * The video directory (media.video_dir). A file is written under a temporary name in the same
 * directory, synced, and renamed to the video id once the row is inserted; on any failure it is
 * removed. No name a client sent ever reaches the file system.
 */
struct videos_file {
	int dirfd;                 /* -1 when closed */
	int fd;                    /* -1 when closed */
	char tmpname[40];          /* "" once renamed or removed */
};

/* Start-up: the directory exists and is writable. (Files a worker killed mid-upload leaves are
   removed by `astralctl media sweep`.) */
astral_err videos_store_prepare(const char *dir) ASTRAL_MUST_USE;
void videos_file_init(struct videos_file *f);
astral_err videos_file_create(struct videos_file *f, const char *dir) ASTRAL_MUST_USE;
astral_err videos_file_write(struct videos_file *f, const void *buf, size_t len) ASTRAL_MUST_USE;
/* Sync the file, rename it to `id` (never over an existing file), sync the directory. */
astral_err videos_file_publish(struct videos_file *f, const char *id) ASTRAL_MUST_USE;
/* Remove the published file `id` again (its row was not committed). */
void videos_file_unpublish(struct videos_file *f, const char *id);
/* Close; remove the temporary file if it is still there. Safe to call twice. */
void videos_file_close(struct videos_file *f);

/* Inputs. */
extern const struct astral_input_spec videos_feed_input;

/* Handlers. */
void videos_upload(struct astral_request *req, const void *input);
void videos_feed(struct astral_request *req, const void *input);
void videos_like(struct astral_request *req, const void *input);
void videos_unlike(struct astral_request *req, const void *input);
void videos_media(struct astral_request *req, const void *input);

/* Start-up hook of the program (checks media.video_dir). */
astral_err videos_init(struct astral_app *app) ASTRAL_MUST_USE;

#endif
