-- The names of a help session's two participants, for cgi-bin/ai to take out of what it sends to
-- a model. summarize-session, helper-feedback and guidance send the other person's words, or
-- words addressed to them, and that person never asked for a model; their username and display
-- name must go like the caller's. Row-level security keeps a user's row (username included) to
-- its owner and staff, and no row policy is widened for this: the function answers only a
-- participant of the session (the caller, astral_current_user_id), and only about the session's
-- seeker and helper (none for a helper who deleted their account). The program uses the names to
-- scrub and never shows them. PL/pgSQL, as 0007 and 0021 explain, so it is planned once.
CREATE FUNCTION astral_session_names(p_session uuid)
	RETURNS TABLE (username text, display_name text)
	LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 2 SET search_path = public, pg_temp
	AS $$
BEGIN
	RETURN QUERY
	SELECT u.username, u.display_name
	FROM help_sessions s JOIN users u ON u.id = s.seeker_id OR u.id = s.helper_id
	WHERE s.id = p_session AND astral_current_user_id() IN (s.seeker_id, s.helper_id);
END $$;

REVOKE ALL ON FUNCTION astral_session_names(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION astral_session_names(uuid) TO astral_app;
