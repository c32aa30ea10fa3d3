/* Every SQL statement of cgi-bin/ai. Row-level security limits each to the caller's own rows
   (migrations/0013_ai.sql) or, for posts and sessions, to what the caller may read anyway. */
#include "ai.h"

#define EPOCH(col) "extract(epoch FROM " col ")::bigint"

const struct astral_stmt ai_stmts[AI_STMT_COUNT] = {
	[AI_AGE_GET] = { "ai_age_get", "SELECT adult FROM ai_age_answers WHERE user_id = $1::uuid", 1 },
	[AI_AGE_SET] = { "ai_age_set",
		"INSERT INTO ai_age_answers (user_id, adult, answered_at) VALUES ($1::uuid, $2::boolean, to_timestamp($3))"
		" ON CONFLICT (user_id) DO UPDATE SET adult = EXCLUDED.adult, answered_at = EXCLUDED.answered_at", 3 },
	/* Take one use of action $2 on the UTC day of unix time $3 unless $4 are used: the new count,
	   or no row when the day's limit is spent. */
	[AI_USAGE_TAKE] = { "ai_usage_take",
		"INSERT INTO ai_usage AS u (user_id, day, action, used)"
		" VALUES ($1::uuid, (to_timestamp($3) AT TIME ZONE 'UTC')::date, $2::text, 1)"
		" ON CONFLICT (user_id, day, action) DO UPDATE SET used = u.used + 1 WHERE u.used < $4::int"
		" RETURNING used", 4 },
	[AI_USAGE_TODAY] = { "ai_usage_today",
		"SELECT action, used FROM ai_usage WHERE user_id = $1::uuid"
		" AND day = (to_timestamp($2) AT TIME ZONE 'UTC')::date", 2 },
	/* The caller's last $2 messages, newest first (the caller reverses them). */
	[AI_HISTORY_RECENT] = { "ai_history_recent",
		"SELECT id, role, body, fallback, " EPOCH("created_at") " FROM ai_messages WHERE user_id = $1::uuid"
		" ORDER BY seq DESC LIMIT $2::int", 2 },
	[AI_MESSAGE_INSERT] = { "ai_message_insert",
		"INSERT INTO ai_messages (id, user_id, role, body, fallback, crisis_severity, created_at)"
		" VALUES ($1::uuid, $2::uuid, $3::text, $4::bytea, $5::boolean, $6::text, to_timestamp($7))", 7 },
	[AI_HISTORY_DELETE] = { "ai_history_delete",
		"DELETE FROM ai_messages WHERE user_id = $1::uuid", 1 },
	[AI_REFERRAL_COUNT] = { "ai_referral_count", "SELECT astral_ai_count_referral($1::text, $2::bigint)", 2 },
	/* A post the helper may read and could help with (public, or requested of them, or theirs to
	   help on), never one they wrote. */
	[AI_POST_FOR_HELPER] = { "ai_post_for_helper",
		"SELECT p.content, p.category FROM posts p WHERE p.id = $1::uuid AND p.author_id <> $2::uuid"
		" AND p.status <> 'removed'", 2 },
	/* The session's messages, oldest first, with the session's wrapped key (participants only). */
	[AI_SESSION_MESSAGES] = { "ai_session_messages",
		"SELECT m.id, m.sender_role, m.body FROM help_sessions s JOIN messages m ON m.session_id = s.id"
		" WHERE s.id = $1::uuid AND $2::uuid IN (s.seeker_id, s.helper_id)"
		" ORDER BY m.seq DESC LIMIT 200", 2 },
	/* A seeker's message in a session the caller helps on. */
	[AI_GUIDANCE_MESSAGE] = { "ai_guidance_message",
		"SELECT m.id, m.body FROM help_sessions s JOIN messages m ON m.session_id = s.id"
		" WHERE s.id = $1::uuid AND s.helper_id = $2::uuid AND m.id = $3::uuid AND m.sender_role = 'seeker'", 3 },
	/* An ended session the caller helped on. */
	[AI_FEEDBACK_SESSION] = { "ai_feedback_session",
		"SELECT s.ended_at IS NOT NULL FROM help_sessions s WHERE s.id = $1::uuid AND s.helper_id = $2::uuid", 2 },
	/* The helper's expertise and the newest public posts waiting for a helper, not theirs; none
	   while the helper is resting ($3/$4: the clock and [helpers] rest_minutes). */
	[AI_MATCH_POSTS] = { "ai_match_posts",
		"SELECT p.id, p.category, left(p.content, 400), " EPOCH("p.created_at") ","
		" (SELECT array_to_string(h.expertise, ',') FROM helper_profiles h WHERE h.user_id = $1::uuid)"
		" FROM posts p WHERE p.status = 'active' AND NOT p.reported AND p.author_id <> $1::uuid"
		" AND NOT astral_helper_resting($1::uuid, to_timestamp($3::bigint), $4::integer)"
		" ORDER BY p.created_at DESC, p.id DESC LIMIT $2::int", 4 },
	/* What a companion message needs before the model is asked, in one round trip (chat_open.c):
	   the caller's age answer; one use of today's chat quota, taken as AI_USAGE_TAKE takes it but
	   only from an adult and only when $5 (not for a crisis message, which asks no model); the
	   caller's wrapped data key; and the last $6 messages, newest first, as AI_HISTORY_RECENT
	   gives them — one row per message, or one row with NULLs there when there is none yet. */
	[AI_CHAT_OPEN] = { "ai_chat_open",
		"WITH age AS (SELECT a.adult FROM ai_age_answers a WHERE a.user_id = $1::uuid),"
		" took AS (INSERT INTO ai_usage AS u (user_id, day, action, used)"
		"  SELECT $1::uuid, (to_timestamp($3) AT TIME ZONE 'UTC')::date, $2::text, 1"
		"  WHERE $5::boolean AND coalesce((SELECT adult FROM age), false)"
		"  ON CONFLICT (user_id, day, action) DO UPDATE SET used = u.used + 1 WHERE u.used < $4::int"
		"  RETURNING used),"
		" recent AS (SELECT m.id, m.role, m.body, m.fallback, m.created_at, m.seq FROM ai_messages m"
		"  WHERE m.user_id = $1::uuid ORDER BY m.seq DESC LIMIT $6::int)"
		" SELECT (SELECT adult FROM age), (SELECT used FROM took),"
		"  (SELECT k.wrapped_key FROM user_keys k WHERE k.user_id = $1::uuid),"
		"  r.id, r.role, r.body, r.fallback, " EPOCH("r.created_at")
		" FROM (SELECT 1) one LEFT JOIN recent r ON true ORDER BY r.seq DESC", 6 },
	/* The names of the session's participants, for the scrub only (migrations/0033): none unless
	   the caller is one of them. */
	[AI_SESSION_NAMES] = { "ai_session_names",
		"SELECT n.username, n.display_name FROM astral_session_names($1::uuid) n", 1 },
};

astral_err
ai_exec(struct astral_request *req, enum ai_stmt s, const struct astral_params *p, PGresult **res)
{
	return astral_db_exec(req->app->db, &ai_stmts[s], p, res);
}
