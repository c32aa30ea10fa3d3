/* Every SQL statement of cgi-bin/helpers, prepared once per connection. */
#include "helpers.h"

#define EPOCH(col) "extract(epoch FROM " col ")::bigint"

/* The columns of enum helpers_profile_col, from `p` (a row of astral_helper_public or
   astral_helpers_page) and `st` (astral_helper_stats of that helper). */
#define PROFILE_COLUMNS \
	"p.id, p.display_name, p.helper_tier, " EPOCH("p.joined_at") ", p.bio, array_to_json(p.expertise)::text," \
	" p.available, st.sessions, st.kudos, st.feedback, st.reputation::text, st.xp," \
	" (SELECT coalesce(json_agg(json_build_array(a.achievement, " EPOCH("a.awarded_at") ")" \
	"   ORDER BY a.awarded_at, a.achievement), '[]')::text FROM helper_achievements a WHERE a.helper_id = p.id)," \
	" (extract(epoch FROM p.joined_at) * 1000000)::bigint"
#define PROFILE_STATS " CROSS JOIN LATERAL astral_helper_stats(p.id) st"
#define EXPERTISE_FROM_JSON(n) "ARRAY(SELECT json_array_elements_text(" n "::json))"
/* The clock (unix seconds) and [helpers] rest_minutes, as the 0015 functions take them. */
#define REST(now, minutes) "to_timestamp(" now "::bigint), " minutes "::integer"
/* Keyset positions are exact: microseconds since the epoch. */
#define EPOCH_US(col) "(extract(epoch FROM " col ") * 1000000)::bigint"
#define FROM_US(param) "(timestamptz 'epoch' + " param "::bigint * interval '1 microsecond')"

/* Neither the caller blocks the user in `col` nor that user the caller (as cgi-bin/posts'
   feed: the available posts are the feed's). */
#define NOT_BLOCKED(col) \
	" NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = astral_current_user_id() AND b.blocked_id = " col ")" \
	" OR (b.blocked_id = astral_current_user_id() AND b.blocker_id = " col "))"
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)
#define AVAILABLE_CAP_SQL STRINGIFY(HELPERS_AVAILABLE_POSTS_CAP)

#define APPLICATION_COLUMNS \
	"a.id, a.status, a.quiz_score, a.motivation, " EPOCH("a.submitted_at") "," \
	" coalesce(" EPOCH("a.decided_at") ", -1), a.notes"

/* The board's clock: the request's time, or a microsecond after the latest post on the board
   when that is later (the newest thread's last_post_at, one step of community_threads_recent). */
#define BOARD_TIME(now) \
	"greatest(to_timestamp(" now "::bigint), (SELECT l.last_post_at + interval '1 microsecond'" \
	" FROM community_threads l ORDER BY l.last_post_at DESC, l.id DESC LIMIT 1))"
#define PROPOSAL_TIME(now) \
	"greatest(to_timestamp(" now "::bigint), (SELECT l.created_at + interval '1 microsecond'" \
	" FROM community_proposals l ORDER BY l.created_at DESC, l.id DESC LIMIT 1))"

/* enum community_thread_col, _post_col and _proposal_col (helpers.h). */
#define THREAD_COLUMNS \
	"t.id, t.title, t.author_id, astral_user_public_name(t.author_id), " EPOCH("t.created_at") "," \
	" " EPOCH("t.last_post_at") ", t.post_count, " EPOCH_US("t.last_post_at")
#define POST_COLUMNS(mine) \
	"p.id, p.thread_id, p.author_id, astral_user_public_name(p.author_id), p.content, " EPOCH("p.created_at") "," \
	" " mine ", " EPOCH_US("p.created_at")
/* $1 me, $2 the clock. */
#define PROPOSAL_COLUMNS \
	"c.id, c.title, c.description, c.author_id, astral_user_public_name(c.author_id), " EPOCH("c.created_at") "," \
	" " EPOCH("c.ends_at") ", c.ends_at <= to_timestamp($2::bigint), c.votes_for, c.votes_against, c.votes_abstain," \
	" (SELECT v.vote FROM community_votes v WHERE v.proposal_id = c.id AND v.helper_id = $1::uuid)," \
	" " EPOCH_US("c.created_at")

const struct astral_stmt helpers_stmts[HELPERS_STMT_COUNT] = {
	/* In every statement below, `available` is "online": switched on, no ban in force and not
	   resting (the 0015 versions of the functions as 0031 left them, given the request's clock
	   and [helpers] rest_minutes). */
	[HELPERS_ONLINE_COUNT] = { "helpers_online_count",
		"SELECT astral_helpers_online_count(" REST("$1", "$2") ")", 2 },
	/* $1 by name (else by join date), $2 expertise, $3 online, $4/$5/$6 the keyset (name, join
	   time in microseconds, id), $7 how many, $8/$9 clock and rest minutes. */
	[HELPERS_PAGE] = { "helpers_page",
		"SELECT " PROFILE_COLUMNS
		" FROM astral_helpers_page($1::boolean, $2::text, $3::boolean, $4::text,"
		"  'epoch'::timestamptz + $5::bigint * interval '1 microsecond', $6::uuid, $7::integer, " REST("$8", "$9") ")"
		"  WITH ORDINALITY AS p(id, display_name, helper_tier, joined_at, bio, expertise, available, ord)"
		PROFILE_STATS " ORDER BY p.ord", 9 },
	[HELPERS_PROFILE] = { "helpers_profile",
		"SELECT " PROFILE_COLUMNS " FROM astral_helper_public($1::uuid, " REST("$2", "$3") ") p" PROFILE_STATS, 3 },
	/* A second create finds the row and returns nothing: 409, the transaction stays usable. */
	[HELPERS_PROFILE_INSERT] = { "helpers_profile_insert",
		"INSERT INTO helper_profiles (user_id, bio, expertise, available, created_at, updated_at)"
		" VALUES ($1::uuid, $2::text, " EXPERTISE_FROM_JSON("$3") ", false, to_timestamp($4::bigint),"
		"  to_timestamp($4::bigint))"
		" ON CONFLICT (user_id) DO NOTHING RETURNING 1", 4 },
	[HELPERS_PROFILE_UPDATE] = { "helpers_profile_update",
		"UPDATE helper_profiles SET bio = coalesce($2::text, bio),"
		" expertise = CASE WHEN $3::json IS NULL THEN expertise ELSE " EXPERTISE_FROM_JSON("$3") " END,"
		" updated_at = to_timestamp($4::bigint)"
		" WHERE user_id = $1::uuid RETURNING 1", 4 },
	/* Going offline touches nothing but these two columns (sessions and requests stay); the
	   previous value tells whether anything changed. */
	[HELPERS_AVAILABILITY_SET] = { "helpers_availability_set",
		"WITH old AS (SELECT available, available_since FROM helper_profiles WHERE user_id = $1::uuid FOR UPDATE)"
		" UPDATE helper_profiles h SET available = $2::boolean,"
		"  available_since = CASE WHEN NOT $2::boolean THEN NULL WHEN old.available THEN old.available_since"
		"   ELSE to_timestamp($3::bigint) END"
		" FROM old WHERE h.user_id = $1::uuid RETURNING old.available", 3 },
	/* The helpers of my favourite sessions, most recent session first; a helper who deleted
	   the account (helper_id NULL) or has no profile is left out. */
	[HELPERS_FAVORITES] = { "helpers_favorites",
		"SELECT " PROFILE_COLUMNS
		" FROM (SELECT s.helper_id, max(s.started_at) AS last FROM help_sessions s"
		"  WHERE s.seeker_id = $1::uuid AND s.favorite AND s.helper_id IS NOT NULL"
		"  GROUP BY s.helper_id ORDER BY last DESC, s.helper_id LIMIT $2::integer) f"
		" CROSS JOIN LATERAL astral_helper_public(f.helper_id, " REST("$3", "$4") ") p" PROFILE_STATS
		" ORDER BY f.last DESC, p.id", 4 },
	/* Ends my rest now when I am resting; no row when I was not. */
	[HELPERS_REST_END] = { "helpers_rest_end",
		"UPDATE helper_profiles SET rest_ended_at = to_timestamp($2::bigint)"
		" WHERE user_id = $1::uuid AND astral_my_rest_until(" REST("$2", "$3") ") IS NOT NULL RETURNING 1", 3 },

	/* ---- training and certification ---- */
	/* Attempts, the best score, the best passing score and when the first pass was. */
	[HELPERS_TRAINING_STATE] = { "helpers_training_state",
		"SELECT count(*), max(t.score), max(t.score) FILTER (WHERE t.passed),"
		" coalesce(" EPOCH("min(t.created_at) FILTER (WHERE t.passed)") ", -1)"
		" FROM helper_training_attempts t WHERE t.helper_id = $1::uuid", 1 },
	/* Returns whether the training is completed now (this attempt or an earlier one passed). */
	[HELPERS_TRAINING_INSERT] = { "helpers_training_insert",
		"INSERT INTO helper_training_attempts (id, helper_id, correct, total, score, passed, created_at)"
		" VALUES ($1::uuid, $2::uuid, $3::integer, $4::integer, $5::integer, $6::boolean, to_timestamp($7::bigint))"
		" RETURNING $6::boolean OR EXISTS (SELECT 1 FROM helper_training_attempts t"
		"  WHERE t.helper_id = $2::uuid AND t.passed)", 7 },
	/* My latest application (a pending one before a decided one of the same second). */
	[HELPERS_APPLICATION_LATEST] = { "helpers_application_latest",
		"SELECT " APPLICATION_COLUMNS " FROM helper_applications a WHERE a.helper_id = $1::uuid"
		" ORDER BY a.submitted_at DESC, a.decided_at DESC NULLS FIRST, a.id DESC LIMIT 1", 1 },
	/* One pending application per helper: a second finds it and returns nothing (409). */
	[HELPERS_APPLICATION_INSERT] = { "helpers_application_insert",
		"INSERT INTO helper_applications AS a (id, helper_id, status, motivation, quiz_score, submitted_at)"
		" VALUES ($1::uuid, $2::uuid, 'pending', $3::text, $4::integer, to_timestamp($5::bigint))"
		" ON CONFLICT (helper_id) WHERE status = 'pending' DO NOTHING RETURNING " APPLICATION_COLUMNS, 5 },

	/* ---- the dashboard ---- */
	/* Each count walks an index of the helper's own rows (help_sessions_helper, posts_requested);
	   the available posts stop at AVAILABLE_CAP + 1 rows of posts_feed_newest, so the dashboard
	   costs the same at any number of posts. The requests counted are those GET /api/posts/requests
	   lists: none from someone blocked either way. $1 me, $2/$3 clock and rest minutes. */
	[HELPERS_DASHBOARD] = { "helpers_dashboard",
		"SELECT (SELECT count(*) FROM help_sessions s WHERE s.helper_id = $1::uuid AND s.ended_at IS NULL),"
		" (SELECT count(*) FROM help_sessions s WHERE s.helper_id = $1::uuid AND s.ended_at IS NOT NULL),"
		" (SELECT count(*) FROM posts p WHERE p.status = 'direct_request' AND p.requested_helper_id = $1::uuid"
		"   AND" NOT_BLOCKED("p.author_id") "),"
		" (SELECT count(*) FROM (SELECT 1 FROM posts p WHERE p.status = 'active' AND NOT p.reported"
		"   AND p.author_id <> $1::uuid AND" NOT_BLOCKED("p.author_id")
		"   ORDER BY p.created_at DESC, p.id DESC LIMIT " AVAILABLE_CAP_SQL " + 1) a),"
		" EXISTS (SELECT 1 FROM helper_training_attempts t WHERE t.helper_id = $1::uuid AND t.passed),"
		" (SELECT a.status FROM helper_applications a WHERE a.helper_id = $1::uuid"
		"   ORDER BY a.submitted_at DESC, a.decided_at DESC NULLS FIRST, a.id DESC LIMIT 1),"
		" coalesce(" EPOCH("astral_my_rest_until(" REST("$2", "$3") ")") ", -1)", 3 },

	/* ---- the community ----
	   Times on the board strictly increase (BOARD_TIME): a thread or reply written in the same
	   second as the latest one still sorts after it, so "latest reply first" and "oldest first"
	   hold however fast people write. */
	[HELPERS_THREADS_PAGE] = { "helpers_threads_page",
		"SELECT " THREAD_COLUMNS " FROM community_threads t"
		" WHERE (t.last_post_at, t.id) < (coalesce(" FROM_US("$1") ", 'infinity'),"
		"  coalesce($2::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff'))"
		" ORDER BY t.last_post_at DESC, t.id DESC LIMIT $3::integer", 3 },
	[HELPERS_THREAD_GET] = { "helpers_thread_get",
		"SELECT " THREAD_COLUMNS " FROM community_threads t WHERE t.id = $1::uuid", 1 },
	/* The thread and its first post in one statement (the post's trigger counts it). */
	[HELPERS_THREAD_INSERT] = { "helpers_thread_insert",
		"WITH at AS (SELECT " BOARD_TIME("$5") " AS t),"
		" thread AS (INSERT INTO community_threads (id, author_id, title, created_at, last_post_at)"
		"  SELECT $1::uuid, $3::uuid, $4::text, at.t, at.t FROM at RETURNING id, created_at)"
		" INSERT INTO community_posts AS p (id, thread_id, author_id, content, created_at)"
		" SELECT $2::uuid, thread.id, $3::uuid, $6::text, thread.created_at FROM thread"
		" RETURNING " POST_COLUMNS("true"), 6 },
	/* $1 thread, $2 me, $3/$4 the keyset, $5 how many. */
	[HELPERS_THREAD_POSTS_PAGE] = { "helpers_thread_posts_page",
		"SELECT " POST_COLUMNS("p.author_id = $2::uuid") " FROM community_posts p WHERE p.thread_id = $1::uuid"
		" AND (p.created_at, p.id) > (coalesce(" FROM_US("$3") ", '-infinity'),"
		"  coalesce($4::uuid, '00000000-0000-0000-0000-000000000000'))"
		" ORDER BY p.created_at, p.id LIMIT $5::integer", 5 },
	/* A reply to a thread that is not there is a foreign-key violation (404). */
	[HELPERS_THREAD_POST_INSERT] = { "helpers_thread_post_insert",
		"INSERT INTO community_posts AS p (id, thread_id, author_id, content, created_at)"
		" VALUES ($1::uuid, $2::uuid, $3::uuid, $4::text, " BOARD_TIME("$5") ")"
		" RETURNING " POST_COLUMNS("true"), 5 },
	/* $1 me, $2 clock, $3 open|closed|all, $4/$5 the keyset, $6 how many. */
	[HELPERS_PROPOSALS_PAGE] = { "helpers_proposals_page",
		"SELECT " PROPOSAL_COLUMNS " FROM community_proposals c"
		" WHERE ($3::text = 'all' OR ($3::text = 'open') = (c.ends_at > to_timestamp($2::bigint)))"
		" AND (c.created_at, c.id) < (coalesce(" FROM_US("$4") ", 'infinity'),"
		"  coalesce($5::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff'))"
		" ORDER BY c.created_at DESC, c.id DESC LIMIT $6::integer", 6 },
	/* $1 me, $2 clock, $3 the proposal. */
	[HELPERS_PROPOSAL_GET] = { "helpers_proposal_get",
		"SELECT " PROPOSAL_COLUMNS " FROM community_proposals c WHERE c.id = $3::uuid", 3 },
	/* Created now (on the board's clock) and open for $5 days from the request's clock. */
	[HELPERS_PROPOSAL_INSERT] = { "helpers_proposal_insert",
		"INSERT INTO community_proposals (id, author_id, title, description, created_at, ends_at)"
		" VALUES ($1::uuid, $2::uuid, $3::text, $4::text, " PROPOSAL_TIME("$6") ","
		"  to_timestamp($6::bigint) + make_interval(days => $5::integer)) RETURNING id", 6 },
	[HELPERS_MY_REPUTATION] = { "helpers_my_reputation",
		"SELECT st.reputation::text FROM astral_helper_stats($1::uuid) st", 1 },
	/* One vote per helper while the proposal is open: no row when it is closed, not there, or
	   I already voted (the handler tells which). $1 proposal, $2 me, $3 vote, $4 clock. */
	[HELPERS_VOTE_INSERT] = { "helpers_vote_insert",
		"INSERT INTO community_votes (proposal_id, helper_id, vote, created_at)"
		" SELECT c.id, $2::uuid, $3::text, to_timestamp($4::bigint) FROM community_proposals c"
		" WHERE c.id = $1::uuid AND c.ends_at > to_timestamp($4::bigint)"
		" ON CONFLICT DO NOTHING RETURNING 1", 4 },
};

astral_err
helpers_exec(struct astral_request *req, enum helpers_stmt s, const struct astral_params *p, PGresult **res)
{
	return astral_db_exec(req->app->db, &helpers_stmts[s], p, res);
}
