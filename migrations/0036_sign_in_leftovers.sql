-- What sign-in leaves behind is removed as sign-ins go on, so that nothing about a person's
-- sign-ins is kept longer than it serves (lib/session.c queues astral_auth_prune with every new
-- session; docs/operations.md "Retention"):
--   - a session (with its refresh tokens, ON DELETE CASCADE) 30 days after it ended: revoked, or
--     past its absolute limit. Until then the person's export and the audit of a stolen token's
--     reuse can still name it;
--   - a login-throttle row a day after its last failure (its longest wait is 15 minutes): the
--     hashed name of an account deleted since, or a name that was only ever guessed, goes too.
-- At most 100 of each per call, rows another sign-in holds skipped, so a backlog (an upgrade from
-- a version that kept everything) drains over the next sign-ins and no sign-in waits on another.
CREATE INDEX sessions_ended ON sessions ((LEAST(coalesce(revoked_at, expires_at), expires_at)));
CREATE INDEX login_throttle_updated ON login_throttle (updated_at);

-- Each scan walks its index from the oldest row and stops at the first that is not yet due, and
-- each DELETE finds its rows by key: a sign-in with nothing to remove costs two index probes, however
-- many sessions there are (ORDER BY keeps the planner on the index, the plan being generic).
CREATE FUNCTION astral_auth_prune(p_now timestamptz) RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
BEGIN
	DELETE FROM sessions WHERE id = ANY (ARRAY(
		SELECT s.id FROM sessions s
		WHERE LEAST(coalesce(s.revoked_at, s.expires_at), s.expires_at) < p_now - interval '30 days'
		ORDER BY LEAST(coalesce(s.revoked_at, s.expires_at), s.expires_at)
		LIMIT 100 FOR UPDATE SKIP LOCKED));
	DELETE FROM login_throttle WHERE name_hash = ANY (ARRAY(
		SELECT t.name_hash FROM login_throttle t
		WHERE t.updated_at < p_now - interval '1 day' AND t.next_allowed_at < p_now
		ORDER BY t.updated_at
		LIMIT 100 FOR UPDATE SKIP LOCKED));
END $$;
REVOKE ALL ON FUNCTION astral_auth_prune(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION astral_auth_prune(timestamptz) TO astral_app;
