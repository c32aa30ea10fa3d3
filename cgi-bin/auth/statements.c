/* Every SQL statement of cgi-bin/auth, prepared once per connection. */
#include "auth.h"

#define EPOCH(col) "extract(epoch FROM " col ")::bigint"

const struct astral_stmt auth_stmts[AUTH_STMT_COUNT] = {
	[AUTH_USER_BY_ID] = { "auth_user_by_id",
		"SELECT id, role::text, helper_tier, username, display_name, password_hash IS NOT NULL,"
		" totp_secret IS NOT NULL, " EPOCH("created_at") " FROM users WHERE id = $1", 1 },
	[AUTH_LOGIN_FIND] = { "auth_login_find",
		"SELECT id, role::text, password_hash, totp_enabled FROM astral_auth_find_login($1)", 1 },
	[AUTH_RECOVERY_FIND] = { "auth_recovery_find",
		"SELECT id, role::text FROM astral_auth_find_recovery($1)", 1 },
	[AUTH_SET_RECOVERY] = { "auth_set_recovery",
		"UPDATE users SET recovery_hash = $2, updated_at = to_timestamp($3) WHERE id = $1", 3 },
	/* The name's throttle row, made if missing and then locked until the attempt's COMMIT: attempts
	   on one name take turns, so each sees the failures of the one before. Read without the lock,
	   parallel attempts all passed a check the first failure was about to close. */
	[AUTH_THROTTLE_ENSURE] = { "auth_throttle_ensure",
		"INSERT INTO login_throttle (name_hash, failures, next_allowed_at, updated_at)"
		" VALUES ($1, 0, to_timestamp(0), to_timestamp(0)) ON CONFLICT (name_hash) DO NOTHING", 1 },
	[AUTH_THROTTLE_GET] = { "auth_throttle_get",
		"SELECT failures, " EPOCH("next_allowed_at") " FROM login_throttle WHERE name_hash = $1 FOR UPDATE", 1 },
	/* From the fifth failure on, each failure doubles the wait: 30 s, 60 s, … at most 15 min. A
	   failure a day after the last one counts from 1 again (astral_auth_prune, migration 0036,
	   removes such rows as sign-ins go on). */
	[AUTH_THROTTLE_FAIL] = { "auth_throttle_fail",
		"INSERT INTO login_throttle AS t (name_hash, failures, next_allowed_at, updated_at)"
		" VALUES ($1, 1, to_timestamp($2), to_timestamp($2))"
		" ON CONFLICT (name_hash) DO UPDATE SET updated_at = to_timestamp($2),"
		"  failures = CASE WHEN t.updated_at < to_timestamp($2) - interval '1 day' THEN 1 ELSE t.failures + 1 END,"
		"  next_allowed_at = CASE WHEN t.updated_at < to_timestamp($2) - interval '1 day' OR t.failures + 1 < 5"
		"   THEN to_timestamp($2)"
		"   ELSE to_timestamp($2) + make_interval(secs => least(900, 30 * power(2, least(t.failures + 1 - 5, 10))))"
		"   END", 2 },
	[AUTH_THROTTLE_CLEAR] = { "auth_throttle_clear",
		"DELETE FROM login_throttle WHERE name_hash = $1", 1 },
	[AUTH_USER_PASSWORD] = { "auth_user_password",
		"SELECT password_hash FROM users WHERE id = $1", 1 },
	[AUTH_SET_PASSWORD] = { "auth_set_password",
		"UPDATE users SET password_hash = $2, updated_at = to_timestamp($3) WHERE id = $1", 3 },
	[AUTH_TOTP_GET] = { "auth_totp_get",
		"SELECT totp_secret, totp_pending, totp_last_step FROM users WHERE id = $1", 1 },
	[AUTH_TOTP_SET_PENDING] = { "auth_totp_set_pending",
		"UPDATE users SET totp_pending = $2, updated_at = to_timestamp($3) WHERE id = $1", 3 },
	[AUTH_TOTP_CONFIRM] = { "auth_totp_confirm",
		"UPDATE users SET totp_secret = $2, totp_pending = NULL, totp_last_step = $3,"
		" updated_at = to_timestamp($4) WHERE id = $1", 4 },
	/* A code's time step is used at most once: replay is refused here, atomically. */
	[AUTH_TOTP_USE_STEP] = { "auth_totp_use_step",
		"UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2 RETURNING 1", 2 },
	[AUTH_TOTP_REMOVE] = { "auth_totp_remove",
		"UPDATE users SET totp_secret = NULL, totp_pending = NULL, updated_at = to_timestamp($2)"
		" WHERE id = $1", 2 },
	[AUTH_PREFS_GET] = { "auth_prefs_get",
		"SELECT theme, language, array_to_json(content_filters)::text, research_consent"
		" FROM preferences WHERE user_id = $1", 1 },
	[AUTH_PREFS_UPSERT] = { "auth_prefs_upsert",
		"INSERT INTO preferences AS p (user_id, theme, language, content_filters, research_consent, updated_at)"
		" VALUES ($1, coalesce($2, 'system'), coalesce($3, 'en'),"
		"  coalesce(ARRAY(SELECT json_array_elements_text($4::json)), '{}'), coalesce($5::boolean, false),"
		"  to_timestamp($6))"
		" ON CONFLICT (user_id) DO UPDATE SET theme = coalesce($2, p.theme), language = coalesce($3, p.language),"
		"  content_filters = CASE WHEN $4 IS NULL THEN p.content_filters"
		"   ELSE ARRAY(SELECT json_array_elements_text($4::json)) END,"
		"  research_consent = coalesce($5::boolean, p.research_consent), updated_at = to_timestamp($6)"
		" RETURNING theme, language, array_to_json(content_filters)::text, research_consent", 6 },
	[AUTH_CONSENTS_LIST] = { "auth_consents_list",
		"SELECT document, version, " EPOCH("accepted_at") " FROM consents WHERE user_id = $1"
		" ORDER BY accepted_at, document", 1 },
	[AUTH_CONSENT_INSERT] = { "auth_consent_insert",
		"INSERT INTO consents AS c (user_id, document, version, accepted_at) VALUES ($1, $2, $3, to_timestamp($4))"
		" ON CONFLICT (user_id, document, version) DO UPDATE SET accepted_at = c.accepted_at"
		" RETURNING " EPOCH("accepted_at"), 4 },
	[AUTH_USER_PUBLIC_NAME] = { "auth_user_public_name",
		"SELECT astral_user_public_name($1)", 1 },
	[AUTH_BLOCKS_LIST] = { "auth_blocks_list",
		"SELECT b.blocked_id, astral_user_public_name(b.blocked_id), " EPOCH("b.created_at")
		" FROM blocks b WHERE b.blocker_id = $1 AND ($2::uuid IS NULL OR (b.created_at, b.blocked_id) <"
		"  (SELECT c.created_at, c.blocked_id FROM blocks c WHERE c.blocker_id = $1 AND c.blocked_id = $2))"
		" ORDER BY b.created_at DESC, b.blocked_id DESC LIMIT $3", 3 },
	[AUTH_BLOCK_INSERT] = { "auth_block_insert",
		"INSERT INTO blocks AS b (blocker_id, blocked_id, created_at) VALUES ($1, $2, to_timestamp($3))"
		" ON CONFLICT (blocker_id, blocked_id) DO UPDATE SET created_at = b.created_at"
		" RETURNING " EPOCH("created_at"), 3 },
	[AUTH_BLOCK_DELETE] = { "auth_block_delete",
		"DELETE FROM blocks WHERE blocker_id = $1 AND blocked_id = $2 RETURNING 1", 2 },
	[AUTH_ACCESS_LOG] = { "auth_access_log",
		"SELECT id, " EPOCH("occurred_at") ", actor_id, actor_role, action, object_type, outcome"
		" FROM audit_log WHERE subject_id = $1 AND ($2::bigint = 0 OR id < $2)"
		" ORDER BY id DESC LIMIT $3", 3 },
	/* Every table that holds this person's data, as one JSON document. Credentials (password
	   hash, TOTP secret, recovery hash, refresh-token hashes) and key material are not data
	   about the person and are left out; tests/integration checks no table is forgotten.
	   An audit row's detail is exported when the person or the system wrote it: the rows of
	   what someone else did to them (staff above all) keep what the access log shows, not
	   the reason that person wrote (a crisis alert's resolution note, a break-glass reason, a
	   dismissal's note about the reporters), which the person's own views never show. */
	[AUTH_EXPORT] = { "auth_export",
		"SELECT json_build_object("
		" 'users', (SELECT coalesce(json_agg(t), '[]') FROM (SELECT id, role, helper_tier, username, display_name,"
		"   password_hash IS NOT NULL AS has_password, totp_secret IS NOT NULL AS mfa_enabled, created_at, updated_at"
		"   FROM users WHERE id = $1) t),"
		" 'sessions', (SELECT coalesce(json_agg(t ORDER BY t.created_at), '[]') FROM (SELECT id, created_at,"
		"   last_seen_at, expires_at, mfa, revoked_at, revoke_reason FROM sessions WHERE user_id = $1) t),"
		" 'consents', (SELECT coalesce(json_agg(t ORDER BY t.accepted_at), '[]') FROM (SELECT document, version,"
		"   accepted_at FROM consents WHERE user_id = $1) t),"
		" 'preferences', (SELECT coalesce(json_agg(t), '[]') FROM (SELECT theme, language, content_filters,"
		"   research_consent, updated_at FROM preferences WHERE user_id = $1) t),"
		" 'blocks', (SELECT coalesce(json_agg(t ORDER BY t.created_at), '[]') FROM (SELECT blocked_id, created_at"
		"   FROM blocks WHERE blocker_id = $1) t),"
		" 'audit_log', (SELECT coalesce(json_agg(t ORDER BY t.id), '[]') FROM (SELECT id, occurred_at, actor_role,"
		"   action, object_type, object_id, outcome, CASE WHEN actor_id IS NULL OR actor_id = $1 THEN detail END AS detail"
		"   FROM audit_log"
		"   WHERE subject_id = $1 OR actor_id = $1) t),"
		/* Peer support. Another person's id appears only where it is a helper the person chose or
		   was helped by (helpers are named; seekers stay anonymous). Message bodies are sealed
		   with their session's key: data_rights.c opens them and replaces `body`. */
		" 'helper_profiles', (SELECT coalesce(json_agg(t), '[]') FROM (SELECT bio, expertise, available,"
		"   available_since, created_at, updated_at FROM helper_profiles WHERE user_id = $1) t),"
		" 'helper_achievements', (SELECT coalesce(json_agg(t ORDER BY t.awarded_at), '[]') FROM (SELECT achievement,"
		"   awarded_at FROM helper_achievements WHERE helper_id = $1) t),"
		" 'posts', (SELECT coalesce(json_agg(t ORDER BY t.created_at), '[]') FROM (SELECT id, category, content,"
		"   status, requested_helper_id, crisis_severity, support_count, created_at, updated_at, resolved_at"
		"   FROM posts WHERE author_id = $1) t),"
		" 'post_supports', (SELECT coalesce(json_agg(t ORDER BY t.created_at), '[]') FROM (SELECT post_id, created_at"
		"   FROM post_supports WHERE user_id = $1) t),"
		" 'post_reports', (SELECT coalesce(json_agg(t ORDER BY t.created_at), '[]') FROM (SELECT id, post_id, reason,"
		"   note, status, created_at, decided_at FROM post_reports WHERE reporter_id = $1) t),"
		" 'help_sessions', (SELECT coalesce(json_agg(t ORDER BY t.started_at), '[]') FROM (SELECT s.id, s.post_id,"
		"   CASE WHEN s.seeker_id = $1 THEN 'seeker' ELSE 'helper' END AS my_role,"
		"   CASE WHEN s.seeker_id = $1 THEN s.helper_id END AS helper_id, s.started_at, s.ended_at, s.ended_by,"
		"   CASE WHEN s.seeker_id = $1 THEN s.helpful END AS helpful,"
		"   CASE WHEN s.seeker_id = $1 THEN s.feedback_at END AS feedback_at,"
		"   CASE WHEN s.seeker_id = $1 THEN s.kudos_at END AS kudos_at,"
		"   s.seeker_id = $1 AND s.favorite AS favorite"
		"   FROM help_sessions s WHERE $1 IN (s.seeker_id, s.helper_id)) t),"
		" 'messages', (SELECT coalesce(json_agg(t ORDER BY t.session_id, t.seq), '[]') FROM (SELECT m.id, m.session_id,"
		"   m.seq, m.sender_role, encode(m.body, 'hex') AS body, m.created_at FROM messages m"
		"   JOIN help_sessions s ON s.id = m.session_id WHERE $1 IN (s.seeker_id, s.helper_id)) t),"
		" 'crisis_alerts', (SELECT coalesce(json_agg(t ORDER BY t.created_at), '[]') FROM (SELECT source, severity,"
		"   status, created_at FROM crisis_alerts WHERE user_id = $1) t),"
		" 'reflections', (SELECT coalesce(json_agg(t ORDER BY t.created_at), '[]') FROM (SELECT id, content,"
		"   light_count, created_at FROM reflections WHERE author_id = $1) t),"
		" 'reflection_lights', (SELECT coalesce(json_agg(t ORDER BY t.created_at), '[]') FROM (SELECT reflection_id,"
		"   created_at FROM reflection_lights WHERE user_id = $1) t),"
		/* The helper program: quiz attempts, applications (the deciding admin stays unnamed), and
		   what the person wrote in the helpers' community. */
		" 'helper_training_attempts', (SELECT coalesce(json_agg(t ORDER BY t.created_at), '[]') FROM (SELECT id,"
		"   correct, total, score, passed, created_at FROM helper_training_attempts WHERE helper_id = $1) t),"
		" 'helper_applications', (SELECT coalesce(json_agg(t ORDER BY t.submitted_at), '[]') FROM (SELECT id, status,"
		"   motivation, quiz_score, submitted_at, decided_at, notes FROM helper_applications WHERE helper_id = $1) t),"
		" 'community_threads', (SELECT coalesce(json_agg(t ORDER BY t.created_at), '[]') FROM (SELECT id, title,"
		"   created_at, last_post_at, post_count FROM community_threads WHERE author_id = $1) t),"
		" 'community_posts', (SELECT coalesce(json_agg(t ORDER BY t.created_at), '[]') FROM (SELECT id, thread_id,"
		"   content, created_at FROM community_posts WHERE author_id = $1) t),"
		" 'community_proposals', (SELECT coalesce(json_agg(t ORDER BY t.created_at), '[]') FROM (SELECT id, title,"
		"   description, created_at, ends_at, votes_for, votes_against, votes_abstain FROM community_proposals"
		"   WHERE author_id = $1) t),"
		" 'community_votes', (SELECT coalesce(json_agg(t ORDER BY t.created_at), '[]') FROM (SELECT proposal_id, vote,"
		"   created_at FROM community_votes WHERE helper_id = $1) t),"
		/* Wellness. Notes, journal text, assessment answers and the safety plan are sealed with
		   the person's data key: export_sealed.c opens them in place (hex here). */
		" 'mood_checkins', (SELECT coalesce(json_agg(t ORDER BY t.day), '[]') FROM (SELECT id, day, mood, anxiety,"
		"   sleep, energy, tags, encode(note, 'hex') AS note, created_at, updated_at FROM mood_checkins"
		"   WHERE user_id = $1) t),"
		" 'habits', (SELECT coalesce(json_agg(t ORDER BY t.created_at), '[]') FROM (SELECT h.id, h.catalog_id,"
		"   coalesce(h.name, c.name) AS name, coalesce(h.category, c.category) AS category, h.created_at"
		"   FROM habits h LEFT JOIN habit_catalog c ON c.id = h.catalog_id WHERE h.user_id = $1) t),"
		" 'habit_completions', (SELECT coalesce(json_agg(t ORDER BY t.day, t.habit_id), '[]') FROM (SELECT habit_id,"
		"   day, created_at FROM habit_completions WHERE user_id = $1) t),"
		/* Derived from the rows above, kept to serve insights again (migration 0012). */
		" 'mood_insights_cache', (SELECT coalesce(json_agg(t ORDER BY t.days), '[]') FROM (SELECT days, timezone,"
		"   today, version, body::json AS insights FROM mood_insights_cache WHERE user_id = $1) t),"
		" 'wellness_versions', (SELECT coalesce(json_agg(t), '[]') FROM (SELECT version FROM wellness_versions"
		"   WHERE user_id = $1) t),"
		/* The AI companion conversation (bodies sealed like the notes), the age answer, the quotas used. */
		" 'ai_messages', (SELECT coalesce(json_agg(t ORDER BY t.seq), '[]') FROM (SELECT id, seq, role,"
		"   encode(body, 'hex') AS body, fallback, crisis_severity, created_at FROM ai_messages WHERE user_id = $1) t),"
		" 'ai_age_answers', (SELECT coalesce(json_agg(t), '[]') FROM (SELECT adult, answered_at FROM ai_age_answers"
		"   WHERE user_id = $1) t),"
		" 'ai_usage', (SELECT coalesce(json_agg(t ORDER BY t.day, t.action), '[]') FROM (SELECT day, action, used"
		"   FROM ai_usage WHERE user_id = $1) t),"
		/* How many posts, reports, direct requests, reflections and uploads are left (lib/write_budget.c). */
		" 'write_budgets', (SELECT coalesce(json_agg(t ORDER BY t.action), '[]') FROM (SELECT action, tokens, at"
		"   FROM write_budgets WHERE user_id = $1) t),"
		" 'journal_entries', (SELECT coalesce(json_agg(t ORDER BY t.created_at), '[]') FROM (SELECT id,"
		"   encode(body, 'hex') AS body, crisis_severity, created_at, updated_at FROM journal_entries"
		"   WHERE user_id = $1) t),"
		" 'assessments', (SELECT coalesce(json_agg(t ORDER BY t.created_at), '[]') FROM (SELECT id, kind, score, band,"
		"   encode(answers, 'hex') AS answers, item9_positive, contact_requested, contact_requested_at, created_at"
		"   FROM assessments WHERE user_id = $1) t),"
		" 'safety_plans', (SELECT coalesce(json_agg(t), '[]') FROM (SELECT user_id, encode(plan, 'hex') AS plan,"
		"   updated_at FROM safety_plans WHERE user_id = $1) t),"
		" 'wellness_videos', (SELECT coalesce(json_agg(t ORDER BY t.created_at), '[]') FROM (SELECT id, description,"
		"   mime, size, status, like_count, created_at, decided_at, decision_note FROM wellness_videos"
		"   WHERE uploader_id = $1) t),"
		/* Moderation: what staff did about me (the moderator is not named), my ban, and for staff
		   the break-glass grants I opened. What became of my reports is in post_reports. */
		" 'moderation_actions', (SELECT coalesce(json_agg(t ORDER BY t.created_at), '[]') FROM (SELECT id, action,"
		"   reason, post_id, video_id, expires_at, created_at FROM moderation_actions WHERE user_id = $1) t),"
		" 'account_bans', (SELECT coalesce(json_agg(t), '[]') FROM (SELECT reason, created_at, expires_at"
		"   FROM account_bans WHERE user_id = $1) t),"
		" 'break_glass_grants', (SELECT coalesce(json_agg(t ORDER BY t.created_at), '[]') FROM (SELECT id, session_id,"
		"   reason, created_at, expires_at FROM break_glass_grants WHERE staff_id = $1) t),"
		" 'video_likes', (SELECT coalesce(json_agg(t ORDER BY t.created_at), '[]') FROM (SELECT video_id, created_at"
		"   FROM video_likes WHERE user_id = $1) t)"
		")::text", 1 },
	[AUTH_USER_DELETE] = { "auth_user_delete",
		"DELETE FROM users WHERE id = $1 RETURNING 1", 1 },
	/* A ban in force ($2 now: a timed ban lifts itself at its end); the person reads their own. The
	   refusal names its reason and end, so this reads the row, with astral_ban_in_force's test. */
	[AUTH_BAN_FIND] = { "auth_ban_find",
		"SELECT reason, " EPOCH("expires_at") " FROM account_bans WHERE user_id = $1::uuid"
		" AND (expires_at IS NULL OR expires_at > to_timestamp($2::bigint))", 2 },
	/* The person's row, held FOR SHARE from the ban check to COMMIT: a ban locks it first
	   (cgi-bin/moderation, MOD_USER_LOCK), so it either waits for this sign-in's session and revokes
	   it, or is committed before the check, which then sees it. */
	[AUTH_USER_LOCK] = { "auth_user_lock", "SELECT 1 FROM users WHERE id = $1::uuid FOR SHARE", 1 },
	[AUTH_DISPLAY_NAME_SET] = { "auth_display_name_set",
		"UPDATE users SET display_name = $2, updated_at = to_timestamp($3) WHERE id = $1 RETURNING 1", 3 },
};

astral_err
auth_exec(struct astral_request *req, enum auth_stmt s, const struct astral_params *p, PGresult **res)
{
	return astral_db_exec(req->app->db, &auth_stmts[s], p, res);
}
