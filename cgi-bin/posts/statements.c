/* Every SQL statement of cgi-bin/posts, prepared once per connection. In every statement that
   returns posts, $1 is the caller: the flags (`mine`, `supported_by_me`, `filtered`) and what
   is shown of a direct request depend on who asks. */
#include "posts.h"

#define EPOCH(col) "extract(epoch FROM " col ")::bigint"
/* Keyset positions are exact: microseconds since the epoch, out and back in without rounding
   (a row written with a fractional time must neither repeat nor vanish between pages). */
#define EPOCH_US(col) "(extract(epoch FROM " col ") * 1000000)::bigint"
#define FROM_US(param) "(timestamptz 'epoch' + " param "::bigint * interval '1 microsecond')"

/* The columns of enum posts_col, in order. The help session is read through row-level
   security, so its id is NULL for everyone but the session's two participants. */
#define POST_COLUMNS \
	"p.id, p.category, p.content, p.status, " EPOCH("p.created_at") ", p.support_count," \
	" EXISTS (SELECT 1 FROM post_supports s WHERE s.post_id = p.id AND s.user_id = $1::uuid)," \
	" p.author_id = $1::uuid," \
	" p.category = ANY (coalesce((SELECT f.content_filters FROM preferences f WHERE f.user_id = $1::uuid)," \
	"  '{}'::text[]))," \
	" (SELECT h.id FROM help_sessions h WHERE h.post_id = p.id)," \
	" CASE WHEN p.author_id = $1::uuid OR p.requested_helper_id = $1::uuid THEN p.requested_helper_id END," \
	" CASE WHEN p.author_id = $1::uuid OR p.requested_helper_id = $1::uuid" \
	"  THEN astral_user_public_name(p.requested_helper_id) END," \
	" p.author_id, p.requested_helper_id, left(p.content, 160), " EPOCH_US("p.created_at")

/* Neither the caller blocks the user in `col` nor that user the caller (an anti-join). */
#define NOT_BLOCKED(col) \
	" NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = astral_current_user_id() AND b.blocked_id = " col ")" \
	" OR (b.blocked_id = astral_current_user_id() AND b.blocker_id = " col "))"

/* The caller is not a resting helper (migrations/0015_helper_rest.sql): the clock and [helpers]
   rest_minutes in the two parameters named. One test per statement, before any row is read. */
#define NOT_RESTING(now, minutes) \
	" AND NOT astral_helper_resting($1::uuid, to_timestamp(" now "::bigint), " minutes "::integer)"

/* What the public feed shows: exactly the rows of the partial feed indexes, minus the
   authors I block or who block me (computed once per statement). */
#define FEED_PUBLIC \
	" p.status = 'active' AND NOT p.reported AND" NOT_BLOCKED("p.author_id")

/* Keyset conditions: $3 time, $4 id, and $5 count for the support orders. */
#define AFTER_NEWEST " AND (p.created_at, p.id) < (" FROM_US("$3") ", $4::uuid)"
#define ORDER_NEWEST " ORDER BY p.created_at DESC, p.id DESC LIMIT $2::int"
#define AFTER_SUPPORT " AND (p.support_count, p.created_at, p.id) < ($5::int, " FROM_US("$3") ", $4::uuid)"
#define ORDER_SUPPORT " ORDER BY p.support_count DESC, p.created_at DESC, p.id DESC LIMIT $2::int"
#define AFTER_NEEDS " AND (p.support_count, p.created_at, p.id) > ($5::int, " FROM_US("$3") ", $4::uuid)"
#define ORDER_NEEDS " ORDER BY p.support_count ASC, p.created_at ASC, p.id ASC LIMIT $2::int"

#define FEED(after, order) "SELECT " POST_COLUMNS " FROM posts p WHERE" FEED_PUBLIC after order
#define FEED_CATEGORY(after, order, n) \
	"SELECT " POST_COLUMNS " FROM posts p WHERE" FEED_PUBLIC " AND p.category = $" n "::text" after order
/* A search that matches few posts: exactly those (found through the GIN index by
   astral_search_public_posts), then the usual order. */
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)
#define SEARCH_FEW_MAX STRINGIFY(POSTS_SEARCH_FEW_MAX)
#define FEED_SEARCH_FEW(after, order, n, m) \
	"SELECT " POST_COLUMNS " FROM posts p WHERE" FEED_PUBLIC \
	" AND p.id IN (SELECT astral_search_public_posts($" m "::text, $" n "::text, " SEARCH_FEW_MAX "))" after order
#define FEED_SEARCH(after, order, n, m) \
	"SELECT " POST_COLUMNS " FROM posts p WHERE" FEED_PUBLIC \
	" AND ($" n "::text IS NULL OR p.category = $" n "::text)" \
	" AND p.search @@ plainto_tsquery('simple', $" m "::text)" after order

/* Who may see one post: the author, the requested helper while no block stands between them
   and the author, the session's helper, staff, and anyone for a public post whose author is
   not blocked either way. Row-level security is the second wall: it lets the requested helper
   through whatever the blocks, this is what keeps a blocked pair apart (and makes an accept 404). */
#define POST_VISIBLE \
	" (p.author_id = $1::uuid OR (p.requested_helper_id = $1::uuid AND" NOT_BLOCKED("p.author_id") ")" \
	"  OR astral_helps_on_post(p.id) OR astral_is_staff() OR (" FEED_PUBLIC "))"

#define REFLECTION_COLUMNS \
	"r.id, r.content, " EPOCH("r.created_at") ", r.light_count," \
	" EXISTS (SELECT 1 FROM reflection_lights l WHERE l.reflection_id = r.id AND l.user_id = $1::uuid)," \
	" r.author_id = $1::uuid, " EPOCH_US("r.created_at")

const struct astral_stmt posts_stmts[POSTS_STMT_COUNT] = {
	[POSTS_FEED_NEWEST] = { "posts_feed_newest", FEED(AFTER_NEWEST, ORDER_NEWEST), 4 },
	[POSTS_FEED_NEWEST_CATEGORY] = { "posts_feed_newest_category",
		FEED_CATEGORY(AFTER_NEWEST, ORDER_NEWEST, "5"), 5 },
	[POSTS_FEED_NEWEST_SEARCH] = { "posts_feed_newest_search",
		FEED_SEARCH(AFTER_NEWEST, ORDER_NEWEST, "5", "6"), 6 },
	[POSTS_FEED_SUPPORT] = { "posts_feed_support", FEED(AFTER_SUPPORT, ORDER_SUPPORT), 5 },
	[POSTS_FEED_SUPPORT_CATEGORY] = { "posts_feed_support_category",
		FEED_CATEGORY(AFTER_SUPPORT, ORDER_SUPPORT, "6"), 6 },
	[POSTS_FEED_SUPPORT_SEARCH] = { "posts_feed_support_search",
		FEED_SEARCH(AFTER_SUPPORT, ORDER_SUPPORT, "6", "7"), 7 },
	[POSTS_FEED_NEEDS] = { "posts_feed_needs", FEED(AFTER_NEEDS, ORDER_NEEDS), 5 },
	[POSTS_FEED_NEEDS_CATEGORY] = { "posts_feed_needs_category",
		FEED_CATEGORY(AFTER_NEEDS, ORDER_NEEDS, "6"), 6 },
	[POSTS_FEED_NEEDS_SEARCH] = { "posts_feed_needs_search",
		FEED_SEARCH(AFTER_NEEDS, ORDER_NEEDS, "6", "7"), 7 },
	/* How many public posts a search matches, up to SEARCH_FEW_MAX + 1: few, and the feed reads
	   exactly those; more, and the ordered index meets matches at once (FEED_SEARCH). */
	[POSTS_SEARCH_PROBE] = { "posts_search_probe",
		"SELECT count(*) FROM astral_search_public_posts($1::text, $2::text, " SEARCH_FEW_MAX " + 1)", 2 },
	[POSTS_FEED_NEWEST_FEW] = { "posts_feed_newest_few", FEED_SEARCH_FEW(AFTER_NEWEST, ORDER_NEWEST, "5", "6"), 6 },
	[POSTS_FEED_SUPPORT_FEW] = { "posts_feed_support_few", FEED_SEARCH_FEW(AFTER_SUPPORT, ORDER_SUPPORT, "6", "7"), 7 },
	[POSTS_FEED_NEEDS_FEW] = { "posts_feed_needs_few", FEED_SEARCH_FEW(AFTER_NEEDS, ORDER_NEEDS, "6", "7"), 7 },
	[POSTS_HAS_OWN] = { "posts_has_own",
		"SELECT EXISTS (SELECT 1 FROM posts WHERE author_id = $1::uuid)", 1 },
	/* For You: public posts by others in the categories I have written in, newest first. A
	   resting helper is offered nothing. */
	[POSTS_FOR_YOU_CATEGORIES] = { "posts_for_you_categories",
		"SELECT " POST_COLUMNS " FROM posts p WHERE" FEED_PUBLIC " AND p.author_id <> $1::uuid"
		" AND p.category = ANY ((SELECT array_agg(DISTINCT o.category) FROM posts o WHERE o.author_id = $1::uuid)::text[])"
		NOT_RESTING("$5", "$6") AFTER_NEWEST ORDER_NEWEST, 6 },
	/* For You without posts of my own: the least supported first. */
	[POSTS_FOR_YOU_NEEDS] = { "posts_for_you_needs",
		"SELECT " POST_COLUMNS " FROM posts p WHERE" FEED_PUBLIC " AND p.author_id <> $1::uuid"
		NOT_RESTING("$6", "$7") AFTER_NEEDS ORDER_NEEDS, 7 },
	[POSTS_MINE] = { "posts_mine",
		"SELECT " POST_COLUMNS " FROM posts p WHERE p.author_id = $1::uuid" AFTER_NEWEST ORDER_NEWEST, 4 },
	/* Private requests waiting for me (a helper), newest first; none from someone I block or who
	   blocks me, as POST_VISIBLE. */
	[POSTS_REQUESTS_TO_ME] = { "posts_requests_to_me",
		"SELECT " POST_COLUMNS " FROM posts p WHERE p.status = 'direct_request' AND p.requested_helper_id = $1::uuid"
		" AND" NOT_BLOCKED("p.author_id") AFTER_NEWEST ORDER_NEWEST, 4 },
	[POSTS_GET] = { "posts_get",
		"SELECT " POST_COLUMNS " FROM posts p WHERE p.id = $2::uuid AND" POST_VISIBLE, 2 },
	[POSTS_INSERT] = { "posts_insert",
		"INSERT INTO posts AS p (id, author_id, category, content, status, requested_helper_id, crisis_severity,"
		" created_at, updated_at) VALUES ($2::uuid, $1::uuid, $3::text, $4::text, $5::text, $6::uuid, $7::text,"
		" to_timestamp($8::bigint), to_timestamp($8::bigint)) RETURNING " POST_COLUMNS, 8 },
	[POSTS_SUPPORT_ADD] = { "posts_support_add",
		"INSERT INTO post_supports (post_id, user_id, created_at) VALUES ($2::uuid, $1::uuid, to_timestamp($3::bigint))"
		" ON CONFLICT DO NOTHING", 3 },
	[POSTS_SUPPORT_REMOVE] = { "posts_support_remove",
		"DELETE FROM post_supports WHERE post_id = $2::uuid AND user_id = $1::uuid", 2 },
	[POSTS_SUPPORT_STATE] = { "posts_support_state",
		"SELECT p.support_count,"
		" EXISTS (SELECT 1 FROM post_supports s WHERE s.post_id = p.id AND s.user_id = $1::uuid)"
		" FROM posts p WHERE p.id = $2::uuid", 2 },
	[POSTS_REPORTED_BY_ME] = { "posts_reported_by_me",
		"SELECT 1 FROM post_reports WHERE post_id = $2::uuid AND reporter_id = $1::uuid", 2 },
	[POSTS_REPORT_INSERT] = { "posts_report_insert",
		"INSERT INTO post_reports (id, post_id, reporter_id, reason, note, created_at)"
		" VALUES ($2::uuid, $3::uuid, $1::uuid, $4::text, $5::text, to_timestamp($6::bigint))", 6 },
	[POSTS_TAKEN] = { "posts_taken", "SELECT astral_post_taken($1::uuid)", 1 },
	[POSTS_HELPER_AVAILABLE] = { "posts_helper_available",
		"SELECT available FROM helper_profiles WHERE user_id = $1::uuid", 1 },
	/* $2/$3: the clock and [helpers] rest_minutes. `available` is "online" as everywhere else
	   (migration 0031: switched on, no ban in force, not resting); the rest, apart, says why. */
	[POSTS_HELPER_PUBLIC] = { "posts_helper_public",
		"SELECT h.display_name, h.available, astral_helper_resting(h.id, to_timestamp($2::bigint), $3::integer)"
		" FROM astral_helper_public($1::uuid, to_timestamp($2::bigint), $3::integer) h", 3 },
	[POSTS_IS_BLOCK_PEER] = { "posts_is_block_peer",
		"SELECT NOT" NOT_BLOCKED("$1::uuid"), 1 },
	/* The unique post_id makes the second of two racing accepts fail here (409). */
	[POSTS_SESSION_INSERT] = { "posts_session_insert",
		"INSERT INTO help_sessions (id, post_id, seeker_id, helper_id, started_at)"
		" VALUES ($1::uuid, $2::uuid, $3::uuid, $4::uuid, to_timestamp($5::bigint))"
		" RETURNING " EPOCH("started_at"), 5 },
	[POSTS_SET_IN_PROGRESS] = { "posts_set_in_progress",
		"UPDATE posts SET status = 'in_progress', updated_at = to_timestamp($3::bigint) WHERE id = $2::uuid"
		" AND ((status = 'active' AND NOT reported) OR (status = 'direct_request' AND requested_helper_id = $1::uuid))"
		" RETURNING id", 3 },
	[POSTS_HELPER_SUMMARY] = { "posts_helper_summary",
		"SELECT astral_user_public_name($1::uuid), (SELECT st.reputation FROM astral_helper_stats($1::uuid) st)::float8", 1 },
	[POSTS_RESOLVE] = { "posts_resolve",
		"UPDATE posts AS p SET status = 'resolved', resolved_at = to_timestamp($3::bigint),"
		" updated_at = to_timestamp($3::bigint)"
		" WHERE p.id = $2::uuid AND p.author_id = $1::uuid"
		" AND p.status IN ('active', 'in_progress', 'direct_request', 'declined') RETURNING " POST_COLUMNS, 3 },
	[POSTS_SESSION_END_RESOLVED] = { "posts_session_end_resolved",
		"UPDATE help_sessions SET ended_at = to_timestamp($2::bigint), ended_by = 'resolved'"
		" WHERE post_id = $1::uuid AND ended_at IS NULL RETURNING id, seeker_id, helper_id", 2 },
	[POSTS_PUBLISH] = { "posts_publish",
		"UPDATE posts AS p SET status = 'active', requested_helper_id = NULL, updated_at = to_timestamp($3::bigint)"
		" WHERE p.id = $2::uuid AND p.author_id = $1::uuid AND p.status = 'declined' RETURNING " POST_COLUMNS, 3 },
	[POSTS_DECLINE] = { "posts_decline",
		"UPDATE posts SET status = 'declined', updated_at = to_timestamp($3::bigint)"
		" WHERE id = $2::uuid AND requested_helper_id = $1::uuid AND status = 'direct_request' RETURNING author_id", 3 },
	[POSTS_REFLECTIONS_LIST] = { "posts_reflections_list",
		"SELECT " REFLECTION_COLUMNS " FROM reflections r"
		" WHERE" NOT_BLOCKED("r.author_id")
		" AND (r.created_at, r.id) < (" FROM_US("$3") ", $4::uuid)"
		" ORDER BY r.created_at DESC, r.id DESC LIMIT $2::int", 4 },
	[POSTS_REFLECTION_INSERT] = { "posts_reflection_insert",
		"INSERT INTO reflections AS r (id, author_id, content, created_at)"
		" VALUES ($2::uuid, $1::uuid, $3::text, to_timestamp($4::bigint)) RETURNING " REFLECTION_COLUMNS, 4 },
	[POSTS_REFLECTION_VISIBLE] = { "posts_reflection_visible",
		"SELECT 1 FROM reflections r WHERE r.id = $1::uuid AND" NOT_BLOCKED("r.author_id"), 1 },
	[POSTS_LIGHT_ADD] = { "posts_light_add",
		"INSERT INTO reflection_lights (reflection_id, user_id, created_at)"
		" VALUES ($2::uuid, $1::uuid, to_timestamp($3::bigint)) ON CONFLICT DO NOTHING", 3 },
	[POSTS_LIGHT_REMOVE] = { "posts_light_remove",
		"DELETE FROM reflection_lights WHERE reflection_id = $2::uuid AND user_id = $1::uuid", 2 },
	[POSTS_LIGHT_STATE] = { "posts_light_state",
		"SELECT r.light_count,"
		" EXISTS (SELECT 1 FROM reflection_lights l WHERE l.reflection_id = r.id AND l.user_id = $1::uuid)"
		" FROM reflections r WHERE r.id = $2::uuid", 2 },
};

astral_err
posts_exec(struct astral_request *req, enum posts_stmt s, const struct astral_params *p, PGresult **res)
{
	return astral_db_exec(req->app->db, &posts_stmts[s], p, res);
}
