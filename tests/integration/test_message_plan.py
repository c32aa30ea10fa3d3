"""The newest message of a conversation is found by walking an index, whatever the statistics
(migrations/0026_session_last_message.sql, 0028_session_last_message_index_walk.sql).

Every send asks astral_session_last_message for the message before it. A worker plans that
function once, at its first send; on a new installation `messages` is empty then, with no
statistics. The test recreates that moment in one transaction that it rolls back: `messages`
emptied (TRUNCATE gives it new, empty storage) and its statistics removed, the function planned
there as the application role, then a conversation of 300 messages written. The function must
then find the newest one looking at one row: row-level security's membership check
(astral_in_session) runs once per row the plan reads, so its call count tells how many it read.
A plan that read the whole conversation and sorted it calls it 300 times.
"""

import uuid

from test_chat_setup import new_session

MESSAGES = 300


def in_session_calls(cur):
    cur.execute("SELECT coalesce(pg_stat_get_xact_function_calls('astral_in_session(uuid)'::regprocedure), 0)")
    return cur.fetchone()[0]


def test_the_newest_message_is_found_through_the_index_even_before_any_statistics(stack):
    seeker, _helper, sid = new_session(stack)
    conn = stack.owner_db()
    conn.autocommit = False
    try:
        with conn.cursor() as cur:
            cur.execute("SET LOCAL track_functions = 'pl'")
            cur.execute("SET LOCAL plan_cache_mode = force_generic_plan")       # as lib/db.c sets it
            cur.execute("TRUNCATE messages")
            cur.execute("DELETE FROM pg_statistic WHERE starelid = 'messages'::regclass")
            cur.execute("SET LOCAL ROLE astral_app")
            cur.execute("SELECT set_config('astral.user_id', %s, true), set_config('astral.role', 'seeker', true)",
                        (seeker.id,))
            cur.execute("SELECT astral_session_last_message(%s)", (sid,))       # planned here, on nothing
            assert cur.fetchone()[0] is None
            cur.execute("RESET ROLE")
            ids = [str(uuid.uuid4()) for _ in range(MESSAGES)]
            cur.execute("INSERT INTO messages (id, session_id, sender_id, sender_role, body, client_key, created_at)"
                        " SELECT id, %s, %s, 'seeker', '\\x00'::bytea, 'plan-' || n, now()"
                        " FROM unnest(%s::uuid[]) WITH ORDINALITY AS t(id, n) ORDER BY n",
                        (sid, seeker.id, ids))
            cur.execute("SET LOCAL ROLE astral_app")
            before = in_session_calls(cur)
            cur.execute("SELECT astral_session_last_message(%s)", (sid,))
            assert cur.fetchone()[0] == ids[-1]
            read = in_session_calls(cur) - before
            assert read <= 2, f"the newest message took {read} membership checks: the plan read the conversation"
    finally:
        conn.rollback()
        conn.close()
