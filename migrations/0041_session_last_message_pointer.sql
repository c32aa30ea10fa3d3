-- A conversation's newest message, kept on its session row by the send that stores it
-- (cgi-bin/chat/statements.c, CHAT_MESSAGE_INSERT), instead of being looked up on every send.
--
-- message.new names the message before it (prev_id), so that a client that never got that one
-- fetches what it missed. Each send asked astral_session_last_message (0026, 0028) for it: a walk
-- of messages_session_seq under row-level security, in a function with three planner settings of
-- its own to keep that walk whatever the statistics say. That was about a tenth of the
-- database's work on a send (measured with one worker, sends one after another: 50 of 560 µs).
-- The send now reads the pointer with the session row it already reads (under the conversation's
-- send lock, so it is the newest committed message) and moves it in the same statement, only when
-- a message was stored.
--
-- The pointer is a hint for clients, not a reference: no foreign key (messages already point at
-- their session), and a message removed with its session takes the pointer with it.
ALTER TABLE help_sessions ADD COLUMN last_message_id uuid;
UPDATE help_sessions h SET last_message_id = (SELECT m.id FROM messages m WHERE m.session_id = h.id
                                               ORDER BY m.seq DESC LIMIT 1);
DROP FUNCTION astral_session_last_message(uuid);
