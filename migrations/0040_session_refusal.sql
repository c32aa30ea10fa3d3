-- The session check refuses in SQL (lib/session.c, STMT_SESSION_CHECK): when the caller's session
-- is not live, the check's statement fails with one of these errors instead of returning a row
-- for the program to judge. The transaction is then aborted, and a COMMIT sent in the same
-- pipeline is skipped, so a program may send its writes, the check and COMMIT in one round trip
-- and still commit nothing for a session that is over (lib/db.h, "the guard").
--
-- SQLSTATE class AS is Astral's own; the program reads the verdict from it:
--   ASU01  unauthorized: revoked, unknown, or the token names another role than the account's
--   ASE01  expired: idle past the role's limit (DETAIL: the account's role, for the audit row)
--   ASE02  expired: past the session's absolute limit (DETAIL as above)
-- The server log shows one ERROR line for each refusal; it names no person.
CREATE FUNCTION astral_session_refuse(p_reason text, p_role text) RETURNS boolean
	LANGUAGE plpgsql VOLATILE
	AS $$
BEGIN
	IF p_reason = 'idle' THEN
		RAISE EXCEPTION USING ERRCODE = 'ASE01', MESSAGE = 'session refused: idle past its limit', DETAIL = p_role;
	ELSIF p_reason = 'absolute' THEN
		RAISE EXCEPTION USING ERRCODE = 'ASE02', MESSAGE = 'session refused: past its absolute limit', DETAIL = p_role;
	END IF;
	RAISE EXCEPTION USING ERRCODE = 'ASU01', MESSAGE = 'session refused: not live';
END $$;
REVOKE ALL ON FUNCTION astral_session_refuse(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION astral_session_refuse(text, text) TO astral_app;
