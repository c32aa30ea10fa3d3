-- What the moderation program (cgi-bin/moderation, docs/moderation-api-contract.md) needs beyond
-- the tables of 0014: the row policies that let staff see exactly the content a moderation task
-- needs and no more ("least sight"), two SECURITY DEFINER functions that answer aggregates or ids
-- only, and the indexes that keep the queues and the statistics off sequential scans.
--
-- Every policy below is an extra permissive policy (PostgreSQL ORs them with the existing ones):
-- nothing a user could see before is hidden, and each one opens one narrow door for staff.

-- ------------------------------------------------------------------ new alerts reach staff
-- lib/crisis_alert.c publishes `alert.new` after COMMIT to the channel of every moderator and
-- admin. Raising an alert is done by whoever wrote the words that fired, who may not read the
-- users table; this answers the staff ids and nothing else, to a signed-in caller.
CREATE INDEX users_staff ON users (id) WHERE role IN ('moderator', 'admin');

CREATE FUNCTION astral_staff_ids() RETURNS SETOF uuid
	LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 10 SET search_path = public, pg_temp
	AS $$
BEGIN
	IF astral_current_user_id() IS NULL THEN
		RETURN;
	END IF;
	RETURN QUERY SELECT u.id FROM users u WHERE u.role IN ('moderator', 'admin');
END $$;
REVOKE ALL ON FUNCTION astral_staff_ids() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION astral_staff_ids() TO astral_app;

-- ------------------------------------------------------------------ sanctions and role changes
-- A ban and a role change end every session of the person (lib/session.c,
-- astral_session_revoke_user). Staff may see and revoke the sessions of an account that has a
-- ban row (the ban is inserted first, in the same transaction); admins those of any account
-- (a role change). Nobody else's sessions become visible to a moderator.
CREATE POLICY sessions_sanction_read ON sessions FOR SELECT TO astral_app
	USING (astral_current_role() = 'admin'
	       OR (astral_is_staff() AND EXISTS (SELECT 1 FROM account_bans b WHERE b.user_id = sessions.user_id)));
CREATE POLICY sessions_sanction_revoke ON sessions FOR UPDATE TO astral_app
	USING (astral_current_role() = 'admin'
	       OR (astral_is_staff() AND EXISTS (SELECT 1 FROM account_bans b WHERE b.user_id = sessions.user_id)))
	WITH CHECK (astral_current_role() = 'admin'
	            OR (astral_is_staff() AND EXISTS (SELECT 1 FROM account_bans b WHERE b.user_id = sessions.user_id)));

-- ------------------------------------------------------------------ a removed post's session
-- Removing a post ends the help session on it (ended_by 'moderator'). Staff see and end only
-- the sessions of posts already removed; the post is updated first, in the same transaction.
CREATE POLICY help_sessions_removed_post_read ON help_sessions FOR SELECT TO astral_app
	USING (astral_is_staff() AND EXISTS (SELECT 1 FROM posts p WHERE p.id = help_sessions.post_id
	                                     AND p.status = 'removed'));
CREATE POLICY help_sessions_removed_post_end ON help_sessions FOR UPDATE TO astral_app
	USING (astral_is_staff() AND EXISTS (SELECT 1 FROM posts p WHERE p.id = help_sessions.post_id
	                                     AND p.status = 'removed'))
	WITH CHECK (astral_is_staff() AND ended_by = 'moderator');

-- ------------------------------------------------------------------ the flagged excerpt
-- An alert raised on a chat message shows staff at most 280 characters of that one message. Staff
-- may read a message that is the source of an alert, and the conversation key of a session that
-- has such a message (to open that message; the other messages stay hidden by the policies of
-- `messages`).
CREATE INDEX crisis_alerts_message ON crisis_alerts (source_id) WHERE source = 'message';
CREATE INDEX crisis_alerts_session ON crisis_alerts (session_id) WHERE session_id IS NOT NULL;

CREATE POLICY messages_flagged ON messages FOR SELECT TO astral_app
	USING (astral_is_staff() AND EXISTS (SELECT 1 FROM crisis_alerts a WHERE a.source = 'message'
	                                     AND a.source_id = messages.id));
CREATE POLICY help_session_keys_flagged ON help_session_keys FOR SELECT TO astral_app
	USING (astral_is_staff() AND EXISTS (SELECT 1 FROM crisis_alerts a WHERE a.source = 'message'
	                                     AND a.session_id = help_session_keys.session_id));

-- ------------------------------------------------------------------ break-glass
-- With a grant of their own that has not expired, a moderator or admin reads the session, its
-- key and every message. The program checks the grant against the request's clock (lib/clock.h)
-- before it reads anything; these policies are the second wall, on the database's clock.
CREATE POLICY help_sessions_break_glass ON help_sessions FOR SELECT TO astral_app
	USING (astral_is_staff() AND EXISTS (SELECT 1 FROM break_glass_grants g WHERE g.session_id = help_sessions.id
	                                     AND g.staff_id = astral_current_user_id() AND g.expires_at > now()));
CREATE POLICY help_session_keys_break_glass ON help_session_keys FOR SELECT TO astral_app
	USING (astral_is_staff() AND EXISTS (SELECT 1 FROM break_glass_grants g
	                                     WHERE g.session_id = help_session_keys.session_id
	                                     AND g.staff_id = astral_current_user_id() AND g.expires_at > now()));
CREATE POLICY messages_break_glass ON messages FOR SELECT TO astral_app
	USING (astral_is_staff() AND EXISTS (SELECT 1 FROM break_glass_grants g WHERE g.session_id = messages.session_id
	                                     AND g.staff_id = astral_current_user_id() AND g.expires_at > now()));

-- ------------------------------------------------------------------ video decisions
-- 0011 left the decision to the moderation screens: staff set these four columns, as themselves.
GRANT UPDATE (status, decided_at, decided_by, decision_note) ON wellness_videos TO astral_app;
CREATE POLICY wellness_videos_decide ON wellness_videos FOR UPDATE TO astral_app
	USING (astral_is_staff())
	WITH CHECK (astral_is_staff() AND decided_by = astral_current_user_id());

-- ------------------------------------------------------------------ verifying the audit chain
-- GET /api/admin/audit?verify=true walks the chains with lib/audit.c (astral_audit_verify), in
-- the admin's own transaction. Admins already read every audit_log row (0005); the walk also
-- reads the sixteen chain heads, which the application role could not. The heads hold ids and
-- hashes only, but the rule that every table the application role reads has forced row-level
-- security and shows nothing without a caller holds here too: admins read them, the owner (the
-- chain trigger, which runs as the owner, and `astralctl audit verify`) keeps every right.
-- No SECURITY DEFINER function is needed: verification runs with the admin's own rights and
-- cannot see more than the admin can.
GRANT SELECT ON audit_chains TO astral_app;
ALTER TABLE audit_chains ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_chains FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_chains_admin_read ON audit_chains FOR SELECT TO astral_app
	USING (astral_current_role() = 'admin');
CREATE POLICY audit_chains_owner ON audit_chains TO astral_owner USING (true);

-- ------------------------------------------------------------------ queues
-- The alert lists walk one severity at a time, oldest first, in keyset pages: with the id in the
-- index a page can be read in index order and stop after `limit` rows, however long the queue.
-- Unresolved alerts (0006's crisis_alerts_queue lacks the id), resolved ones, and resolved ones by
-- the time they were resolved (stats).
CREATE INDEX crisis_alerts_active_page ON crisis_alerts (severity, created_at, id) WHERE status <> 'resolved';
CREATE INDEX crisis_alerts_resolved_queue ON crisis_alerts (severity, created_at, id) WHERE status = 'resolved';
CREATE INDEX crisis_alerts_resolved_at ON crisis_alerts (resolved_at) WHERE status = 'resolved';
-- Pending videos oldest first, in keyset pages (0011's wellness_videos_pending lacks the id).
CREATE INDEX wellness_videos_pending_page ON wellness_videos (created_at, id) WHERE status = 'pending';
-- Decided applications, newest first.
CREATE INDEX helper_applications_submitted ON helper_applications (submitted_at DESC, id DESC);
-- Posts by creation time, for the statistics' window (category for an index-only count).
CREATE INDEX posts_created ON posts (created_at) INCLUDE (category);

-- ------------------------------------------------------------------ statistics
-- The admin's community figures. Counting through the row policies of posts would evaluate them
-- on every row of the window (one of them a look-up per row), and the help sessions are private to
-- their participants; so this runs as the owner and answers aggregates only, to admins only.
-- p_since..p_now is the window (the program's clock); every count reads a (partial) index.
CREATE FUNCTION astral_moderation_stats(p_since timestamptz, p_now timestamptz)
	RETURNS TABLE (active_posts bigint, median_minutes numeric, helpers_online bigint, helpers_total bigint,
	               certified_helpers bigint, most_common_category text, alerts_open bigint,
	               alerts_acknowledged bigint, alerts_resolved bigint, open_reports bigint,
	               pending_applications bigint, pending_videos bigint)
	LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
BEGIN
	IF astral_current_role() <> 'admin' THEN
		RETURN;
	END IF;
	RETURN QUERY SELECT
		(SELECT count(*) FROM posts p WHERE p.status = 'active' AND NOT p.reported),
		(SELECT round((percentile_cont(0.5) WITHIN GROUP (
		            ORDER BY extract(epoch FROM s.started_at - p.created_at) / 60))::numeric, 1)
		   FROM posts p JOIN help_sessions s ON s.post_id = p.id
		  WHERE p.created_at >= p_since AND p.created_at <= p_now),
		(SELECT count(*) FROM helper_profiles h JOIN users u ON u.id = h.user_id
		  WHERE h.available AND u.role = 'helper'),
		(SELECT count(*) FROM users u WHERE u.role = 'helper'),
		(SELECT count(*) FROM users u WHERE u.role = 'helper' AND u.helper_tier = 'certified'),
		(SELECT p.category FROM posts p WHERE p.created_at >= p_since AND p.created_at <= p_now
		  GROUP BY p.category ORDER BY count(*) DESC, p.category LIMIT 1),
		(SELECT count(*) FROM crisis_alerts a WHERE a.status <> 'resolved' AND a.status = 'open'),
		(SELECT count(*) FROM crisis_alerts a WHERE a.status <> 'resolved' AND a.status = 'acknowledged'),
		(SELECT count(*) FROM crisis_alerts a WHERE a.status = 'resolved' AND a.resolved_at >= p_since
		    AND a.resolved_at <= p_now),
		(SELECT count(*) FROM post_reports r WHERE r.status = 'open'),
		(SELECT count(*) FROM helper_applications x WHERE x.status = 'pending'),
		(SELECT count(*) FROM wellness_videos v WHERE v.status = 'pending');
END $$;
REVOKE ALL ON FUNCTION astral_moderation_stats(timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION astral_moderation_stats(timestamptz, timestamptz) TO astral_app;
