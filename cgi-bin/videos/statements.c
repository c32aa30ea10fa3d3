/* Every SQL statement of cgi-bin/videos, prepared once per connection. Row-level security
   decides what the caller sees (migrations/0011_wellness_videos.sql); the statements add the
   feed's own conditions. */
#include "videos.h"

/* The columns of enum videos_col from `v` (wellness_videos); $1 is the caller. */
#define VIDEO_COLUMNS \
	"v.id, v.description, v.mime, v.size, v.status, extract(epoch FROM v.created_at)::bigint, v.like_count," \
	" EXISTS (SELECT 1 FROM video_likes l WHERE l.video_id = v.id AND l.user_id = $1::uuid)," \
	" v.uploader_id = $1::uuid, (extract(epoch FROM v.created_at) * 1000000)::bigint"
/* The keyset of both lists: rows strictly after ($2 microseconds, $3 id) in newest-first order;
   NULLs (the first page) start from the top. */
#define AFTER_KEYSET \
	" (v.created_at, v.id) < (coalesce('epoch'::timestamptz + $2::bigint * interval '1 microsecond', 'infinity')," \
	"  coalesce($3::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff'))"

const struct astral_stmt videos_stmts[VIDEOS_STMT_COUNT] = {
	/* $1 id, $2 uploader (the caller), $3 description, $4 mime, $5 size, $6 now. */
	[VIDEOS_INSERT] = { "videos_insert",
		"INSERT INTO wellness_videos (id, uploader_id, description, mime, size, created_at)"
		" VALUES ($1::uuid, $2::uuid, $3::text, $4::text, $5::bigint, to_timestamp($6::bigint))", 6 },
	/* One video as the caller ($1) sees it. */
	[VIDEOS_GET] = { "videos_get",
		"SELECT " VIDEO_COLUMNS " FROM wellness_videos v WHERE v.id = $2::uuid", 2 },
	/* Approved videos, newest first; $4 rows. */
	[VIDEOS_FEED] = { "videos_feed",
		"SELECT " VIDEO_COLUMNS " FROM wellness_videos v"
		" WHERE v.status = 'approved' AND" AFTER_KEYSET
		" ORDER BY v.created_at DESC, v.id DESC LIMIT $4::integer", 4 },
	/* The caller's own uploads in any status, newest first; $4 rows. */
	[VIDEOS_MINE] = { "videos_mine",
		"SELECT " VIDEO_COLUMNS " FROM wellness_videos v"
		" WHERE v.uploader_id = $1::uuid AND" AFTER_KEYSET
		" ORDER BY v.created_at DESC, v.id DESC LIMIT $4::integer", 4 },
	/* A row back only when the like is new; nothing for a video the caller cannot see or that
	   is not approved (the handler tells those apart by reading the video). */
	[VIDEOS_LIKE] = { "videos_like",
		"INSERT INTO video_likes (video_id, user_id, created_at)"
		" SELECT v.id, $1::uuid, to_timestamp($3::bigint) FROM wellness_videos v"
		"  WHERE v.id = $2::uuid AND v.status = 'approved'"
		" ON CONFLICT (video_id, user_id) DO NOTHING RETURNING video_id", 3 },
	/* A row back only when there was a like to remove. */
	[VIDEOS_UNLIKE] = { "videos_unlike",
		"DELETE FROM video_likes WHERE video_id = $2::uuid AND user_id = $1::uuid RETURNING video_id", 2 },
	/* The id (canonical text, the file's name) and type of a video the caller may watch. */
	[VIDEOS_MEDIA] = { "videos_media",
		"SELECT v.id, v.mime FROM wellness_videos v WHERE v.id = $1::uuid", 1 },
};

astral_err
videos_exec(struct astral_request *req, enum videos_stmt s, const struct astral_params *p, PGresult **res)
{
	return astral_db_exec(req->app->db, &videos_stmts[s], p, res);
}
