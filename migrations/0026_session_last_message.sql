-- The session's newest message, which message.new names as prev_id (cgi-bin/chat/message_send.c)
-- so that a client that never got it fetches what it missed. The insert calls it in RETURNING,
-- whose snapshot does not hold the new row. A plain sub-select there is planned once per
-- connection, at its first use: on a new installation `messages` is empty then, and the cached
-- plan would read the whole table and sort it on every send until autovacuum's next ANALYZE.
-- Planned here with seqscan off, it walks messages_session_seq backwards whatever the statistics
-- say. It runs as the caller: row-level security shows a participant their own session only.
CREATE FUNCTION astral_session_last_message(p_session uuid) RETURNS uuid
	LANGUAGE plpgsql STABLE SET enable_seqscan = off
	AS $$
DECLARE
	last uuid;
BEGIN
	SELECT p.id INTO last FROM messages p WHERE p.session_id = p_session ORDER BY p.seq DESC LIMIT 1;
	RETURN last;
END $$;
REVOKE ALL ON FUNCTION astral_session_last_message(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION astral_session_last_message(uuid) TO astral_app;
