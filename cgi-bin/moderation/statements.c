/* Every SQL statement of cgi-bin/moderation, prepared once per connection. Row-level security
   (migrations 0006, 0014, 0016) decides what staff may see; the statements add the queues' own
   conditions. Each list is a keyset page read from an index (the comments name it). The alert and
   report queues are read whole by staff-only functions with the owner's rights (migration 0029),
   where every policy those rows pass is true for staff. */
#include "moderation.h"

#define EPOCH(col) "extract(epoch FROM " col ")::bigint"
#define MICROS(col) "(extract(epoch FROM " col ") * 1000000)::bigint"
#define FROM_MICROS(p) "('epoch'::timestamptz + " p "::bigint * interval '1 microsecond')"
#define RFC3339(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
#define NOW(p) "to_timestamp(" p "::bigint)"
#define USER_REF(a) a ".id, " a ".display_name, " a ".role::text"
#define ZERO_UUID "'00000000-0000-0000-0000-000000000000'::uuid"
#define MAX_UUID "'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid"

/* ---- reports ---- */

/* The reported post and its author (enum moderation_report_col up to RC_AUTHOR_ROLE); the queue's
   page (astral_report_queue_page, migration 0029) answers them in the same form. */
#define REPORT_POST_COLUMNS \
	"p.id, p.category, p.content, p.status, " EPOCH("p.created_at") ", " USER_REF("u")
/* One open report as the ReportItem shows it. */
#define REPORT_JSON(r) \
	"json_build_object('id', " r ".id, 'reason', " r ".reason, 'note', " r ".note, 'created_at', " \
	RFC3339(r ".created_at") ")"

/* ---- alerts ---- */

/* An alert's own columns (enum moderation_alert_col, AC_ID up to AC_RESOLUTION_NOTE). */
#define ALERT_COLUMNS \
	"a.id, " USER_REF("u") ", a.source, a.source_id, a.session_id, a.severity," \
	" array_to_json(a.categories)::text, array_to_json(a.rules)::text, a.status, " EPOCH("a.created_at") "," \
	" " USER_REF("ua") ", " EPOCH("a.acknowledged_at") "," \
	" " USER_REF("ur") ", " EPOCH("a.resolved_at") ", a.resolution_note"
/* What the excerpt is read from (AC_POST_EXCERPT up to AC_MESSAGE_KEY): the first 280 characters
   of a source post, or a source message sealed, with its session's key. The queue reads none of
   it (NULLs): an excerpt is shown one alert at a time (MOD_ALERT_GET). astral_alert_queue_page
   (migration 0029) answers ALERT_COLUMNS and ALERT_HAS_EXCERPT in the same form for the queue. */
#define ALERT_SOURCE_COLUMNS "left(p.content, 280), m.id, m.session_id, m.body, k.wrapped_key"
#define ALERT_NO_SOURCE_COLUMNS "NULL::text, NULL::uuid, NULL::uuid, NULL::bytea, NULL::bytea"
/* Whether there is an excerpt to show (AC_HAS_EXCERPT): the source post, or the source message
   and its session's key, as row-level security lets staff see them (policies posts_read,
   messages_flagged, help_session_keys_flagged). */
#define ALERT_HAS_EXCERPT \
	"CASE a.source WHEN 'post' THEN EXISTS (SELECT 1 FROM posts x WHERE x.id = a.source_id)" \
	" WHEN 'message' THEN EXISTS (SELECT 1 FROM messages x" \
	"  JOIN help_session_keys xk ON xk.session_id = x.session_id WHERE x.id = a.source_id)" \
	" ELSE false END"
/* The people an alert names. */
#define ALERT_PEOPLE_JOINS \
	" JOIN users u ON u.id = a.user_id" \
	" LEFT JOIN users ua ON ua.id = a.acknowledged_by" \
	" LEFT JOIN users ur ON ur.id = a.resolved_by"
/* The source post or message of an alert: staff read a post; a message only because it is the
   source of an alert (policy messages_flagged), with its session's key (help_session_keys_flagged). */
#define ALERT_SOURCE_JOINS \
	" LEFT JOIN posts p ON a.source = 'post' AND p.id = a.source_id" \
	" LEFT JOIN messages m ON a.source = 'message' AND m.id = a.source_id" \
	" LEFT JOIN help_session_keys k ON k.session_id = m.session_id"
#define ALERT_RANK "CASE a.severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END"

/* ---- applications ---- */

#define APPLICATION_COLUMNS \
	"a.id, h.id, h.display_name, hp.bio, coalesce(array_to_json(hp.expertise), '[]')::text, " EPOCH("h.created_at") "," \
	" a.status, a.motivation, a.quiz_score, " EPOCH("a.submitted_at") ", st.sessions, st.kudos," \
	" st.reputation::text, st.feedback, " EPOCH("a.decided_at") ", " USER_REF("d") ", a.notes," \
	" " MICROS("a.submitted_at")
#define APPLICATION_JOINS \
	" JOIN users h ON h.id = a.helper_id LEFT JOIN helper_profiles hp ON hp.user_id = a.helper_id" \
	" LEFT JOIN users d ON d.id = a.decided_by CROSS JOIN LATERAL astral_helper_stats(a.helper_id) st"

/* ---- audit log ---- */

#define AUDIT_COLUMNS \
	"a.id, " EPOCH("a.occurred_at") ", a.actor_id, a.actor_role, a.action, a.object_type, a.object_id," \
	" a.subject_id, a.outcome, a.request_id, a.detail"
/* $3 action, $4 object type, $5/$6 first and last day (UTC), $7 before id, $8 how many. */
#define AUDIT_FILTERS \
	" AND ($3::text IS NULL OR a.action = $3::text) AND ($4::text IS NULL OR a.object_type = $4::text)" \
	" AND ($5::date IS NULL OR a.occurred_at >= ($5::date::timestamp AT TIME ZONE 'UTC'))" \
	" AND ($6::date IS NULL OR a.occurred_at < (($6::date + 1)::timestamp AT TIME ZONE 'UTC'))" \
	" AND a.id < $7::bigint ORDER BY a.id DESC LIMIT $8::integer"

const struct astral_stmt moderation_stmts[MOD_STMT_COUNT] = {
	/* Posts with open reports, a self-harm report first, then by their first report: one page of
	   the kept queue (report_queue, migrations/0019), read whole by astral_report_queue_page (0029;
	   staff only) in the columns of enum moderation_report_col. $1 rank, $2 first report (us), $3
	   post id of the cursor, all NULL on the first page; $4 rows. */
	[MOD_REPORT_QUEUE] = { "moderation_report_queue",
		"SELECT post_id, category, content, status, created_at, author_id, author_name, author_role, reports,"
		" report_count, first_at, rank, first_us"
		" FROM astral_report_queue_page($1::integer, $2::bigint, $3::uuid, $4::integer)", 4 },
	/* Dismiss every open report of post $1 ($2 me, $3 now) and show the post again; the
	   ReportItem of the reports dismissed. No row: the post had no open report. */
	[MOD_REPORT_DISMISS] = { "moderation_report_dismiss",
		"WITH d AS (UPDATE post_reports r SET status = 'dismissed', decided_at = " NOW("$3") ","
		"  decided_by = $2::uuid WHERE r.post_id = $1::uuid AND r.status = 'open'"
		"  RETURNING r.id, r.reason, r.note, r.created_at),"
		" shown AS (UPDATE posts SET reported = false WHERE id = $1::uuid AND EXISTS (SELECT 1 FROM d) RETURNING 1),"
		" page AS (SELECT min(d.created_at) AS first_at, count(*) AS n,"
		"  CASE WHEN bool_or(d.reason = 'self_harm') THEN 0 ELSE 1 END AS rank FROM d)"
		" SELECT " REPORT_POST_COLUMNS ","
		"  (SELECT coalesce(json_agg(" REPORT_JSON("d") " ORDER BY d.created_at, d.id), '[]')::text FROM d),"
		"  page.n, " EPOCH("page.first_at") ", page.rank, " MICROS("page.first_at")
		" FROM page JOIN posts p ON p.id = $1::uuid LEFT JOIN users u ON u.id = p.author_id WHERE page.n > 0", 3 },
	/* Remove post $1 ($2 me, $3 now, $4 the action's id, $5 reason): its open reports are
	   actioned and its author gets a post_removed action. No row: missing or already removed. */
	[MOD_POST_REMOVE] = { "moderation_post_remove",
		"WITH p AS (UPDATE posts SET status = 'removed', updated_at = " NOW("$3")
		"  WHERE id = $1::uuid AND status <> 'removed' RETURNING id, author_id),"
		" r AS (UPDATE post_reports SET status = 'actioned', decided_at = " NOW("$3") ", decided_by = $2::uuid"
		"  WHERE post_id = $1::uuid AND status = 'open' AND EXISTS (SELECT 1 FROM p) RETURNING 1),"
		" a AS (INSERT INTO moderation_actions (id, user_id, moderator_id, action, reason, post_id, created_at)"
		"  SELECT $4::uuid, p.author_id, $2::uuid, 'post_removed', $5::text, p.id, " NOW("$3") " FROM p RETURNING 1)"
		" SELECT p.author_id, (SELECT count(*) FROM r) FROM p", 5 },
	[MOD_POST_STATUS] = { "moderation_post_status",
		"SELECT status, author_id FROM posts WHERE id = $1::uuid", 1 },
	/* The open session on a removed post ends (policy help_sessions_removed_post_end). */
	[MOD_POST_SESSION_END] = { "moderation_post_session_end",
		"UPDATE help_sessions SET ended_at = " NOW("$2") ", ended_by = 'moderator'"
		" WHERE post_id = $1::uuid AND ended_at IS NULL RETURNING id, seeker_id, helper_id", 2 },

	/* One page of the alert queue, read whole by astral_alert_queue_page (migration 0029; staff
	   only) in the columns of enum moderation_alert_col, without the excerpt's (NULLs). $1 NULL (not
	   resolved) or a status; $2 rank, $3 created (us), $4 id of the cursor, NULL on the first page;
	   $5 rows. */
	[MOD_ALERTS_PAGE] = { "moderation_alerts_page",
		"SELECT id, user_id, user_name, user_role, source, source_id, session_id, severity, categories, rules,"
		" status, created_at, ack_id, ack_name, ack_role, acknowledged_at, res_id, res_name, res_role, resolved_at,"
		" resolution_note, " ALERT_NO_SOURCE_COLUMNS ", created_us, rank, has_excerpt"
		" FROM astral_alert_queue_page($1::text, $2::integer, $3::bigint, $4::uuid, $5::integer)", 5 },
	/* One alert with what its excerpt is read from. */
	[MOD_ALERT_GET] = { "moderation_alert_get",
		"SELECT " ALERT_COLUMNS ", " ALERT_SOURCE_COLUMNS ", " MICROS("a.created_at") ", " ALERT_RANK ", "
		ALERT_HAS_EXCERPT " FROM crisis_alerts a" ALERT_PEOPLE_JOINS ALERT_SOURCE_JOINS " WHERE a.id = $1::uuid", 1 },
	[MOD_ALERT_LOCK] = { "moderation_alert_lock",
		"SELECT status, user_id FROM crisis_alerts WHERE id = $1::uuid FOR UPDATE", 1 },
	[MOD_ALERT_ACK] = { "moderation_alert_ack",
		"UPDATE crisis_alerts SET status = 'acknowledged', acknowledged_by = $2::uuid, acknowledged_at = " NOW("$3")
		" WHERE id = $1::uuid AND status = 'open'", 3 },
	[MOD_ALERT_RESOLVE] = { "moderation_alert_resolve",
		"UPDATE crisis_alerts SET status = 'resolved', resolved_by = $2::uuid, resolved_at = " NOW("$3") ","
		" resolution_note = $4::text WHERE id = $1::uuid AND status <> 'resolved'", 4 },

	/* A person's standing: $1 the person, $2 now (a timed ban past its end is no ban). */
	/* The person's row, locked until the sanction's COMMIT: a sign-in holds it FOR SHARE from its
	   ban check to its COMMIT (cgi-bin/auth, AUTH_USER_LOCK), so a ban either waits for that
	   sign-in's session and revokes it, or is seen by it; and a role change made meanwhile is
	   read after it (the sanction's rules depend on the role). */
	[MOD_USER_LOCK] = { "moderation_user_lock",
		"SELECT 1 FROM users WHERE id = $1::uuid FOR NO KEY UPDATE", 1 },
	/* Banned: astral_ban_in_force's test, made on the joined row whose reason, author and times
	   are shown with it. */
	[MOD_USER_STATUS] = { "moderation_user_status",
		"SELECT u.id, u.display_name, u.role::text, u.helper_tier, " EPOCH("u.created_at") ","
		" (SELECT count(*) FROM moderation_actions x WHERE x.user_id = u.id AND x.action = 'warning'),"
		" b.user_id IS NOT NULL AND (b.expires_at IS NULL OR b.expires_at > " NOW("$2") "),"
		" b.reason, " USER_REF("bb") ", " EPOCH("b.created_at") ", " EPOCH("b.expires_at")
		" FROM users u LEFT JOIN account_bans b ON b.user_id = u.id LEFT JOIN users bb ON bb.id = b.banned_by"
		" WHERE u.id = $1::uuid", 2 },
	/* The latest actions about $1 (index moderation_actions_user), $2 rows; in one second, the later
	   first (seq, migration 0030). */
	[MOD_USER_ACTIONS] = { "moderation_user_actions",
		"SELECT x.id, x.action, x.reason, x.post_id, x.video_id, " EPOCH("x.expires_at") ", " EPOCH("x.created_at") ","
		" " USER_REF("m") " FROM moderation_actions x LEFT JOIN users m ON m.id = x.moderator_id"
		" WHERE x.user_id = $1::uuid ORDER BY x.created_at DESC, x.seq DESC LIMIT $2::integer", 2 },
	/* $1 id, $2 whom, $3 me, $4 action, $5 reason, $6 post, $7 video, $8 end (epoch or NULL), $9 now. */
	[MOD_ACTION_INSERT] = { "moderation_action_insert",
		"INSERT INTO moderation_actions (id, user_id, moderator_id, action, reason, post_id, video_id, expires_at,"
		" created_at) VALUES ($1::uuid, $2::uuid, $3::uuid, $4::text, $5::text, $6::uuid, $7::uuid,"
		" to_timestamp($8::bigint), " NOW("$9") ")", 9 },
	/* A new ban replaces the one in force (or one that ran out). $5 end (epoch) or NULL. */
	[MOD_BAN_UPSERT] = { "moderation_ban_upsert",
		"INSERT INTO account_bans (user_id, reason, banned_by, created_at, expires_at)"
		" VALUES ($1::uuid, $2::text, $3::uuid, " NOW("$4") ", to_timestamp($5::bigint))"
		" ON CONFLICT (user_id) DO UPDATE SET reason = EXCLUDED.reason, banned_by = EXCLUDED.banned_by,"
		" created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at", 5 },
	/* Lift the ban in force (astral_ban_in_force's test, on the row deleted); no row when there is
	   none. */
	[MOD_BAN_DELETE] = { "moderation_ban_delete",
		"DELETE FROM account_bans WHERE user_id = $1::uuid"
		" AND (expires_at IS NULL OR expires_at > " NOW("$2") ") RETURNING 1", 2 },

	/* What was done to me (the moderator is not named to me), latest first (seq breaks a tie). */
	[MOD_HISTORY_ACTIONS] = { "moderation_history_actions",
		"SELECT x.id, x.action, x.reason, x.post_id, x.video_id, " EPOCH("x.expires_at") ", " EPOCH("x.created_at")
		" FROM moderation_actions x WHERE x.user_id = $1::uuid ORDER BY x.created_at DESC, x.seq DESC"
		" LIMIT $2::integer", 2 },
	/* What became of my reports (index post_reports_reporter), latest first. */
	[MOD_HISTORY_REPORTS] = { "moderation_history_reports",
		"SELECT r.id, r.post_id, r.reason, r.status, " EPOCH("r.created_at") ", " EPOCH("r.decided_at")
		" FROM post_reports r WHERE r.reporter_id = $1::uuid ORDER BY r.created_at DESC, r.id DESC"
		" LIMIT $2::integer", 2 },

	/* Pending videos oldest first (partial index wellness_videos_pending_page), the page first and
	   then its uploaders; $1/$2 the cursor. */
	[MOD_VIDEOS_PENDING] = { "moderation_videos_pending",
		"SELECT v.id, v.description, " USER_REF("u") ", v.mime, v.size, " EPOCH("v.created_at") ","
		" " MICROS("v.created_at") " FROM (SELECT x.* FROM wellness_videos x WHERE x.status = 'pending'"
		"  AND (x.created_at, x.id) > (coalesce(" FROM_MICROS("$1") ", '-infinity'), coalesce($2::uuid, " ZERO_UUID "))"
		"  ORDER BY x.created_at, x.id LIMIT $3::integer) v JOIN users u ON u.id = v.uploader_id"
		" ORDER BY v.created_at, v.id", 3 },
	[MOD_VIDEO_STATUS] = { "moderation_video_status",
		"SELECT status, uploader_id FROM wellness_videos WHERE id = $1::uuid", 1 },
	/* $1 video, $2 me, $3 now, $4 approved|rejected, $5 the note shown to the uploader. Never my
	   own upload: someone else reviews what staff publish. Answers the uploader and their role. */
	[MOD_VIDEO_DECIDE] = { "moderation_video_decide",
		"UPDATE wellness_videos v SET status = $4::text, decided_at = " NOW("$3") ", decided_by = $2::uuid,"
		" decision_note = $5::text WHERE v.id = $1::uuid AND v.status = 'pending' AND v.uploader_id <> $2::uuid"
		" RETURNING v.uploader_id, (SELECT u.role::text FROM users u WHERE u.id = v.uploader_id)", 5 },

	/* A grant ($1 id, $2 me, $3 session, $4 reason, $5 now, $6 end); a session that does not
	   exist is a foreign key violation (404). */
	[MOD_GRANT_INSERT] = { "moderation_grant_insert",
		"INSERT INTO break_glass_grants (id, staff_id, session_id, reason, created_at, expires_at)"
		" VALUES ($1::uuid, $2::uuid, $3::uuid, $4::text, " NOW("$5") ", " NOW("$6") ")"
		" RETURNING id, session_id, reason, " EPOCH("created_at") ", " EPOCH("expires_at"), 6 },
	/* Whose conversation it is (visible through the grant just opened). */
	[MOD_GRANT_SUBJECT] = { "moderation_grant_subject",
		"SELECT s.seeker_id FROM help_sessions s WHERE s.id = $1::uuid", 1 },
	/* My grants still running at $2 (index break_glass_grants_staff). */
	[MOD_GRANTS_ACTIVE] = { "moderation_grants_active",
		"SELECT g.id, g.session_id, g.reason, " EPOCH("g.created_at") ", " EPOCH("g.expires_at")
		" FROM break_glass_grants g WHERE g.staff_id = $1::uuid AND g.expires_at > " NOW("$2")
		" ORDER BY g.expires_at DESC, g.id LIMIT 100", 2 },
	/* My grant for session $2 still running at $3. */
	[MOD_GRANT_FIND] = { "moderation_grant_find",
		"SELECT g.id FROM break_glass_grants g WHERE g.staff_id = $1::uuid AND g.session_id = $2::uuid"
		" AND g.expires_at > " NOW("$3") " ORDER BY g.expires_at DESC LIMIT 1", 3 },
	/* The session and its key, read through the grant (policies *_break_glass). */
	[MOD_BG_SESSION] = { "moderation_bg_session",
		"SELECT s.seeker_id, s.helper_id, s.seeker_read_seq, s.helper_read_seq, k.wrapped_key"
		" FROM help_sessions s LEFT JOIN help_session_keys k ON k.session_id = s.id WHERE s.id = $1::uuid", 1 },
	/* Messages after seq $2, oldest first (index messages_session_seq). */
	[MOD_BG_MESSAGES] = { "moderation_bg_messages",
		"SELECT m.id, m.seq, m.sender_role, m.body, m.client_key, m.crisis_severity, " EPOCH("m.created_at")
		" FROM messages m WHERE m.session_id = $1::uuid AND m.seq > $2::bigint ORDER BY m.seq LIMIT $3::integer", 3 },

	/* Pending applications, oldest first (partial index helper_applications_queue). */
	[MOD_APPLICATIONS_PENDING] = { "moderation_applications_pending",
		"SELECT " APPLICATION_COLUMNS " FROM (SELECT x.* FROM helper_applications x WHERE x.status = 'pending'"
		"  AND (x.submitted_at, x.id) > (coalesce(" FROM_MICROS("$1") ", '-infinity'), coalesce($2::uuid, " ZERO_UUID "))"
		"  ORDER BY x.submitted_at, x.id LIMIT $3::integer) a" APPLICATION_JOINS
		" ORDER BY a.submitted_at, a.id", 3 },
	/* Decided ones ($1 approved|rejected, or NULL for all), newest first
	   (index helper_applications_submitted). */
	[MOD_APPLICATIONS_DECIDED] = { "moderation_applications_decided",
		"SELECT " APPLICATION_COLUMNS " FROM (SELECT x.* FROM helper_applications x"
		"  WHERE ($1::text IS NULL OR x.status = $1::text)"
		"  AND (x.submitted_at, x.id) < (coalesce(" FROM_MICROS("$2") ", 'infinity'), coalesce($3::uuid, " MAX_UUID "))"
		"  ORDER BY x.submitted_at DESC, x.id DESC LIMIT $4::integer) a" APPLICATION_JOINS
		" ORDER BY a.submitted_at DESC, a.id DESC", 4 },
	[MOD_APPLICATION_GET] = { "moderation_application_get",
		"SELECT " APPLICATION_COLUMNS " FROM helper_applications a" APPLICATION_JOINS " WHERE a.id = $1::uuid", 1 },
	[MOD_APPLICATION_LOCK] = { "moderation_application_lock",
		"SELECT status, helper_id FROM helper_applications WHERE id = $1::uuid FOR UPDATE", 1 },
	/* Certification: only while the person is a helper. */
	[MOD_HELPER_CERTIFY] = { "moderation_helper_certify",
		"UPDATE users SET helper_tier = 'certified', updated_at = " NOW("$2")
		" WHERE id = $1::uuid AND role = 'helper' RETURNING 1", 2 },
	/* $1 application, $2 approved|rejected, $3 me, $4 now, $5 notes. */
	[MOD_APPLICATION_DECIDE] = { "moderation_application_decide",
		"UPDATE helper_applications SET status = $2::text, decided_at = " NOW("$4") ", decided_by = $3::uuid,"
		" notes = $5::text WHERE id = $1::uuid AND status = 'pending' RETURNING 1", 5 },

	/* Aggregates for admins (migration 0024): $1 start of the window, $2 now, $3 [helpers] rest_minutes
	   (a resting helper is not online). */
	[MOD_STATS] = { "moderation_stats",
		"SELECT s.active_posts, s.median_minutes::text, s.helpers_online, s.helpers_total, s.certified_helpers,"
		" s.most_common_category, s.alerts_open, s.alerts_acknowledged, s.alerts_resolved, s.open_reports,"
		" s.pending_applications, s.pending_videos"
		" FROM astral_moderation_stats(" NOW("$1") ", " NOW("$2") ", $3::integer) s", 3 },

	/* The audit log newest first. $1 actor, $2 subject: each chooses its index (audit_log_actor,
	   audit_log_subject); without either, the primary key read backwards. */
	[MOD_AUDIT_BY_ACTOR] = { "moderation_audit_by_actor",
		"SELECT " AUDIT_COLUMNS " FROM audit_log a WHERE a.actor_id = $1::uuid"
		" AND ($2::uuid IS NULL OR a.subject_id = $2::uuid)" AUDIT_FILTERS, 8 },
	[MOD_AUDIT_BY_SUBJECT] = { "moderation_audit_by_subject",
		"SELECT " AUDIT_COLUMNS " FROM audit_log a WHERE a.subject_id = $2::uuid"
		" AND ($1::uuid IS NULL OR a.actor_id = $1::uuid)" AUDIT_FILTERS, 8 },
	[MOD_AUDIT_ALL] = { "moderation_audit_all",
		"SELECT " AUDIT_COLUMNS " FROM audit_log a WHERE ($1::uuid IS NULL OR a.actor_id = $1::uuid)"
		" AND ($2::uuid IS NULL OR a.subject_id = $2::uuid)" AUDIT_FILTERS, 8 },
};

astral_err
moderation_exec(struct astral_request *req, enum moderation_stmt s, const struct astral_params *p, PGresult **res)
{
	return astral_db_exec(req->app->db, &moderation_stmts[s], p, res);
}
