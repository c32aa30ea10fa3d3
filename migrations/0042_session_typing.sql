-- "… is typing" where there is no event stream ([realtime] transport = polling, a front end
-- without nchan such as Apache).
--
-- Behind nginx a participant's typing is passed to the other as an event and never stored. With
-- polling there is no event to pass on, so POST /api/sessions/{id}/typing keeps the time the
-- participant last typed, one row per side of a conversation, and the other participant's
-- session list and detail say whether it is recent (cgi-bin/chat/signals.c, respond.c).
--
-- UNLOGGED: the time someone last typed matters for a few seconds. It writes no WAL, waits for no
-- flush and is emptied by a crash, which loses nothing anyone needs. It holds no words, only
-- which side of which conversation typed when, and goes with its session.
CREATE UNLOGGED TABLE session_typing (
	session_id  uuid NOT NULL REFERENCES help_sessions (id) ON DELETE CASCADE,
	sender_role text NOT NULL CHECK (sender_role IN ('seeker', 'helper')),
	typed_at    timestamptz NOT NULL,
	PRIMARY KEY (session_id, sender_role)
);

-- Participants read both sides of their conversation; each writes only their own side, and only
-- while the conversation goes on.
ALTER TABLE session_typing ENABLE ROW LEVEL SECURITY;
ALTER TABLE session_typing FORCE ROW LEVEL SECURITY;
CREATE POLICY session_typing_participants ON session_typing TO astral_app
	USING (astral_in_session(session_id))
	WITH CHECK (EXISTS (SELECT 1 FROM help_sessions s WHERE s.id = session_typing.session_id
	                    AND s.ended_at IS NULL
	                    AND astral_current_user_id() = CASE session_typing.sender_role
	                                                   WHEN 'seeker' THEN s.seeker_id ELSE s.helper_id END));
CREATE POLICY session_typing_owner ON session_typing TO astral_owner USING (true);

GRANT SELECT, INSERT, UPDATE ON session_typing TO astral_app;
