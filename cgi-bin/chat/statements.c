/* Every SQL statement of cgi-bin/chat, prepared once per connection. */
#include "audit.h"
#include "chat.h"

#define EPOCH(col) "extract(epoch FROM " col ")::bigint"

/* The first key of the conversations' send locks (pg_advisory_xact_lock(int, int)); the second is
   the hash of the session id. No other lock of the service uses this class. */
#define CHAT_SEND_LOCK_CLASS "1634"

/* Unread counts stop here: a badge needs no more, and a page of sessions costs the same
   whatever their backlog. */
#define UNREAD_CAP "1000"

/*
 * The HelpSession object as the caller ($1) sees it; columns in enum chat_session_col order.
 * The helper's public name and standing come from SECURITY DEFINER functions (the users table
 * is private to its owner); the seeker is never named. Unread = messages of the other side
 * after my read mark, at most UNREAD_CAP (an index range scan of messages_session_role_seq;
 * the last message comes from messages_session_seq). The other participant's last typing is
 * stored only with [realtime] transport = polling (migration 0042; behind nchan it is NULL), and
 * counts only when it is newer than their newest message: the message they typed ends it.
 */
#define SESSION_COLUMNS \
	"s.id, s.post_id, left(p.content, 160), p.category," \
	" CASE WHEN s.seeker_id = $1::uuid THEN 'seeker' ELSE 'helper' END," \
	" s.helper_id, hp.display_name, st.reputation::text, " EPOCH("s.started_at") ", " EPOCH("s.ended_at") "," \
	" s.ended_by," \
	" (SELECT count(*) FROM (SELECT 1 FROM messages m WHERE m.session_id = s.id" \
	"   AND m.seq > CASE WHEN s.seeker_id = $1::uuid THEN s.seeker_read_seq ELSE s.helper_read_seq END" \
	"   AND m.sender_role = CASE WHEN s.seeker_id = $1::uuid THEN 'helper' ELSE 'seeker' END" \
	"   LIMIT " UNREAD_CAP ") u)," \
	" (SELECT " EPOCH("m.created_at") " FROM messages m WHERE m.session_id = s.id ORDER BY m.seq DESC LIMIT 1)," \
	" s.kudos_at IS NOT NULL, s.favorite, s.helpful," \
	" (extract(epoch FROM s.started_at) * 1000000)::bigint," \
	" (SELECT " EPOCH("t.typed_at") " FROM session_typing t WHERE t.session_id = s.id" \
	"   AND t.sender_role = CASE WHEN s.seeker_id = $1::uuid THEN 'helper' ELSE 'seeker' END" \
	"   AND t.typed_at > coalesce((SELECT m.created_at FROM messages m WHERE m.session_id = s.id" \
	"     AND m.sender_role = t.sender_role ORDER BY m.seq DESC LIMIT 1), '-infinity'))"

#define SESSION_JOINS \
	" JOIN posts p ON p.id = s.post_id" \
	" LEFT JOIN LATERAL astral_helper_public(s.helper_id) hp ON true" \
	" LEFT JOIN LATERAL astral_helper_stats(s.helper_id) st ON true"

/* One side of the session list: my sessions in one role, newest started first, after the
   cursor ($3 started_at, $4 id; 'infinity' and the largest uuid for the first page), filtered
   by status ($2). Each side is an index scan of help_sessions_seeker / help_sessions_helper
   that starts at the cursor: plain parameters keep `started_at <= $3` an index condition
   under row-level security and in a generic plan. */
#define SESSION_LIST_SIDE(col) \
	"(SELECT h.id, h.started_at, h.helper_id FROM help_sessions h WHERE h." col " = $1::uuid" \
	" AND h.started_at <= $3::timestamptz AND (h.started_at < $3::timestamptz OR h.id < $4::uuid)" \
	" AND ($2::text IS NULL OR ($2::text = 'active') = (h.ended_at IS NULL))" \
	" ORDER BY h.started_at DESC, h.id DESC LIMIT $5)"

#define MESSAGE_COLUMNS \
	"m.id, m.seq, m.sender_role, m.body, m.client_key, m.crisis_severity, " EPOCH("m.created_at")

/* The caller's view of one session (struct chat_session, in order). */
#define SESSION_ACCESS_COLUMNS \
	"s.id, s.seeker_id, s.helper_id, CASE WHEN s.seeker_id = $2::uuid THEN 'seeker' ELSE 'helper' END," \
	" s.ended_at IS NOT NULL, s.seeker_read_seq, s.helper_read_seq, s.helpful IS NOT NULL," \
	" s.kudos_at IS NOT NULL"

/* Session $1 as participant $2 sees it, with its conversation key (CHAT_SESSION_OPEN*). */
#define SESSION_WITH_KEY \
	" FROM help_sessions s LEFT JOIN help_session_keys k ON k.session_id = s.id" \
	" WHERE s.id = $1::uuid AND $2::uuid IN (s.seeker_id, s.helper_id)"

const struct astral_stmt chat_stmts[CHAT_STMT_COUNT] = {
	[CHAT_SESSION_ACCESS] = { "chat_session_access",
		"SELECT " SESSION_ACCESS_COLUMNS
		" FROM help_sessions s WHERE s.id = $1::uuid AND $2::uuid IN (s.seeker_id, s.helper_id)", 2 },
	/* The same with the conversation key, in one round trip, for the routes that read or write
	   message text. */
	[CHAT_SESSION_OPEN] = { "chat_session_open",
		"SELECT " SESSION_ACCESS_COLUMNS ", k.wrapped_key" SESSION_WITH_KEY, 2 },
	/* The same for a send, taking the conversation's send lock (held until COMMIT or ROLLBACK)
	   before the message's seq is drawn. Without it two sends to one conversation could commit in
	   the other order than their seq (a seeker's crisis message raises its alert before it
	   commits, so a quick second message overtook it): a reader's `?after=` and read mark then
	   passed over the late one for good. The lock is taken only on the row the caller may see;
	   two conversations whose ids hash alike merely take turns. */
	[CHAT_SESSION_OPEN_TO_SEND] = { "chat_session_open_to_send",
		"SELECT " SESSION_ACCESS_COLUMNS ", k.wrapped_key,"
		" pg_advisory_xact_lock(" CHAT_SEND_LOCK_CLASS ", hashtext(s.id::text))" SESSION_WITH_KEY, 2 },
	[CHAT_SESSION_GET] = { "chat_session_get",
		"SELECT " SESSION_COLUMNS " FROM help_sessions s" SESSION_JOINS
		" WHERE s.id = $2::uuid AND $1::uuid IN (s.seeker_id, s.helper_id)", 2 },
	/* The page first; then each helper's public facts and standing once per page, however many
	   of the page's sessions they hold (astral_helper_stats reads all of a helper's sessions). */
	[CHAT_SESSION_LIST] = { "chat_session_list",
		"WITH k AS (SELECT u.id, u.helper_id FROM (" SESSION_LIST_SIDE("seeker_id") " UNION ALL "
		SESSION_LIST_SIDE("helper_id") ") u ORDER BY u.started_at DESC, u.id DESC LIMIT $5),"
		" helpers AS (SELECT DISTINCT helper_id FROM k WHERE helper_id IS NOT NULL),"
		" pub AS (SELECT x.* FROM helpers, LATERAL astral_helper_public(helpers.helper_id) x),"
		" rep AS (SELECT helpers.helper_id, x.reputation FROM helpers, LATERAL astral_helper_stats(helpers.helper_id) x)"
		" SELECT " SESSION_COLUMNS " FROM k JOIN help_sessions s ON s.id = k.id JOIN posts p ON p.id = s.post_id"
		" LEFT JOIN pub hp ON hp.id = s.helper_id LEFT JOIN rep st ON st.helper_id = s.helper_id"
		" ORDER BY s.started_at DESC, s.id DESC", 5 },
	[CHAT_MESSAGE_SEQ] = { "chat_message_seq",
		"SELECT seq FROM messages WHERE id = $1::uuid AND session_id = $2::uuid", 2 },
	[CHAT_MESSAGES_AFTER] = { "chat_messages_after",
		"SELECT " MESSAGE_COLUMNS " FROM messages m WHERE m.session_id = $1::uuid AND m.seq > $2::bigint"
		" ORDER BY m.seq LIMIT $3", 3 },
	[CHAT_MESSAGES_BEFORE] = { "chat_messages_before",
		"SELECT " MESSAGE_COLUMNS " FROM messages m WHERE m.session_id = $1::uuid AND m.seq < $2::bigint"
		" ORDER BY m.seq DESC LIMIT $3", 3 },
	[CHAT_MESSAGES_LATEST] = { "chat_messages_latest",
		"SELECT " MESSAGE_COLUMNS " FROM messages m WHERE m.session_id = $1::uuid"
		" ORDER BY m.seq DESC LIMIT $2", 2 },
	/* The conversation's send lock (see CHAT_SESSION_OPEN_TO_SEND) for a sender whose side and key
	   the worker remembers (send_memo.c): it goes in the pipeline of the insert. Only a
	   participant's send gets here. */
	[CHAT_SEND_LOCK] = { "chat_send_lock",
		"SELECT pg_advisory_xact_lock(" CHAT_SEND_LOCK_CLASS ", hashtext($1::uuid::text))", 1 },
	/* The message and its audit row ($9 the sender's account role, $10 the request) in one
	   statement, so that a send can commit in the round trip that stores it. It stores only into a
	   session that has not ended and that the sender takes part in (the policies of `messages`),
	   moves the session's pointer to its newest message (migration 0041), and answers with what
	   the participants' events need: the seq, the time, the message before this one (the pointer
	   as it was: the send lock is held, so it is the newest committed), the participants and
	   their read marks. A resend with the same client key, or a send to a session that has ended,
	   changes nothing and returns no row: the handler then looks again
	   (CHAT_SESSION_OPEN_TO_SEND). */
	[CHAT_MESSAGE_INSERT] = { "chat_message_insert",
		"WITH s AS (SELECT s.seeker_id, s.helper_id, s.seeker_read_seq, s.helper_read_seq, s.last_message_id"
		"  FROM help_sessions s WHERE s.id = $2::uuid AND s.ended_at IS NULL),"
		" m AS (INSERT INTO messages (id, session_id, sender_id, sender_role, body, client_key,"
		"  crisis_severity, created_at)"
		"  SELECT $1::uuid, $2::uuid, $3::uuid, $4::text, $5::bytea, $6::text, $7::text, to_timestamp($8::bigint)"
		"  FROM s"
		"  ON CONFLICT (session_id, sender_role, client_key) DO NOTHING RETURNING id, seq, created_at),"
		" newest AS (UPDATE help_sessions h SET last_message_id = m.id FROM m WHERE h.id = $2::uuid),"
		" a AS (INSERT INTO audit_log (" ASTRAL_AUDIT_COLUMNS ")"
		"  SELECT $3::uuid, $9::text, 'session_message_send', 'help_session', $2::text, s.seeker_id, 'success',"
		"  $10::text, NULL FROM m, s)"
		" SELECT m.seq, " EPOCH("m.created_at") ", s.last_message_id, s.seeker_id, s.helper_id,"
		"  s.seeker_read_seq, s.helper_read_seq FROM m, s", 10 },
	[CHAT_MESSAGE_BY_KEY] = { "chat_message_by_key",
		"SELECT " MESSAGE_COLUMNS " FROM messages m"
		" WHERE m.session_id = $1::uuid AND m.sender_role = $2::text AND m.client_key = $3::text", 3 },
	/* Move my read mark forward (never back) and count what is still unread. */
	[CHAT_READ_SET] = { "chat_read_set",
		"WITH u AS (UPDATE help_sessions s SET"
		"  seeker_read_seq = CASE WHEN $2::text = 'seeker' THEN greatest(s.seeker_read_seq, $3::bigint)"
		"   ELSE s.seeker_read_seq END,"
		"  helper_read_seq = CASE WHEN $2::text = 'helper' THEN greatest(s.helper_read_seq, $3::bigint)"
		"   ELSE s.helper_read_seq END"
		" WHERE s.id = $1::uuid"
		"  AND $4::uuid = CASE WHEN $2::text = 'seeker' THEN s.seeker_id ELSE s.helper_id END"
		" RETURNING CASE WHEN $2::text = 'seeker' THEN s.seeker_read_seq ELSE s.helper_read_seq END AS r)"
		" SELECT u.r, (SELECT count(*) FROM (SELECT 1 FROM messages m WHERE m.session_id = $1::uuid AND m.seq > u.r"
		"  AND m.sender_role = CASE WHEN $2::text = 'seeker' THEN 'helper' ELSE 'seeker' END"
		" LIMIT " UNREAD_CAP ") c) FROM u", 4 },
	[CHAT_SESSION_END] = { "chat_session_end",
		"UPDATE help_sessions SET ended_at = to_timestamp($3::bigint), ended_by = $4::text"
		" WHERE id = $1::uuid AND $2::uuid IN (seeker_id, helper_id) AND ended_at IS NULL RETURNING 1", 4 },
	/* With polling: the time I last typed in this conversation, my side only (the policy of
	   session_typing refuses another side). No row when the conversation ended meanwhile. */
	[CHAT_TYPING_NOTE] = { "chat_typing_note",
		"INSERT INTO session_typing (session_id, sender_role, typed_at)"
		" SELECT s.id, $2::text, to_timestamp($3::bigint) FROM help_sessions s"
		" WHERE s.id = $1::uuid AND s.ended_at IS NULL"
		" ON CONFLICT (session_id, sender_role) DO UPDATE SET typed_at = EXCLUDED.typed_at RETURNING 1", 3 },
	[CHAT_FEEDBACK_SET] = { "chat_feedback_set",
		"UPDATE help_sessions SET helpful = $3::boolean, feedback_at = to_timestamp($4::bigint)"
		" WHERE id = $1::uuid AND seeker_id = $2::uuid AND ended_at IS NOT NULL AND helpful IS NULL"
		" RETURNING 1", 4 },
	[CHAT_KUDOS_SET] = { "chat_kudos_set",
		"UPDATE help_sessions SET kudos_at = to_timestamp($3::bigint)"
		" WHERE id = $1::uuid AND seeker_id = $2::uuid AND ended_at IS NOT NULL AND kudos_at IS NULL"
		" RETURNING helper_id", 3 },
	[CHAT_FAVORITE_SET] = { "chat_favorite_set",
		"UPDATE help_sessions SET favorite = $3::boolean WHERE id = $1::uuid AND seeker_id = $2::uuid"
		" RETURNING 1", 3 },
};

astral_err
chat_exec(struct astral_request *req, enum chat_stmt s, const struct astral_params *p, PGresult **res)
{
	return astral_db_exec(req->app->db, &chat_stmts[s], p, res);
}

astral_err
chat_exec_commit(struct astral_request *req, enum chat_stmt s, const struct astral_params *p, PGresult **res)
{
	return astral_db_exec_commit(req->app->db, &chat_stmts[s], p, res);
}

astral_err
chat_exec_commit_shared(struct astral_request *req, enum chat_stmt s, const struct astral_params *p, PGresult **res)
{
	return astral_db_exec_commit_shared(req->app->db, &chat_stmts[s], p, res);
}
