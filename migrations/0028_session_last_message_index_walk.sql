-- astral_session_last_message (0026) walks messages_session_seq backwards whatever the statistics
-- say: 0026 turned sequential scans off for it, but on a new installation, where `messages` is
-- empty when a connection first plans the function, PostgreSQL then chose a bitmap scan of
-- messages_session_role_seq and a sort. That plan read every message of the conversation, and
-- checked row-level security on each, on every send, until autovacuum's first ANALYZE of
-- `messages` (up to a minute, or longer under a steady stream of sends). Measured on a new stack
-- with 64 conversations written into round-robin: PostgreSQL's CPU per send grew from 0.7 ms to
-- 3.5 ms within 30,000 messages. With bitmap scans and sorts off as well, the only plan left that
-- can answer "the newest one" is the backward walk of the index that is ordered that way.
ALTER FUNCTION astral_session_last_message(uuid) SET enable_bitmapscan = off;
ALTER FUNCTION astral_session_last_message(uuid) SET enable_sort = off;
