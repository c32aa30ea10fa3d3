"""Shared commits (lib/db_shared_commit.c): astral-chat serves on threads, and the sends that
arrive while another send is committing commit together with it, in one transaction, each under
its own sender's identity.

To make a batch on purpose, the test holds one conversation's send lock (the advisory lock every
send to it takes) from an owner connection: the send to that conversation leads and waits for the
lock, the sends that arrive meanwhile queue behind it, and when the lock is released they commit
together. PostgreSQL's xmin says which rows one transaction wrote.
"""

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from astral_client import expect
from test_chat_setup import new_session, send

SEND_LOCK_CLASS = 1634          # cgi-bin/chat/statements.c, CHAT_SEND_LOCK_CLASS
QUEUED = 5


def warm_sessions(stack, n):
    """n conversations whose seekers have each sent once: the chat process remembers them, so
    their next sends go to the database in one round trip, which is what is shared."""
    sessions = []
    for _ in range(n):
        s, h, sid = new_session(stack)
        send(s, sid, "first words")
        sessions.append((s, h, sid))
    return sessions


def waiting_for_lock(stack):
    return stack.query("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")[0][0]


class HeldSendLock:
    """The send lock of one conversation, held by an owner connection until released."""

    def __init__(self, stack, sid):
        self.conn = stack.owner_db()
        self.conn.autocommit = True
        with self.conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", (SEND_LOCK_CLASS, sid))

    def release(self):
        with self.conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock_all()")
        self.conn.close()


def post_send(person, sid, text):
    r = person.post(f"/api/sessions/{sid}/messages", {"text": text, "client_key": uuid.uuid4().hex})
    return r.status, r.json


def batch_behind_a_held_lock(stack, leader, queued):
    """Send leader's message (its conversation's lock held, so it waits in the database), then the
    queued ones while it waits; release the lock; return the answers, leader's first."""
    person, sid, text = leader
    lock = HeldSendLock(stack, sid)
    pool = ThreadPoolExecutor(max_workers=len(queued) + 1)
    try:
        first = pool.submit(post_send, person, sid, text)
        deadline = time.time() + 10
        while waiting_for_lock(stack) == 0:
            assert time.time() < deadline, "the leading send never reached the send lock"
            time.sleep(0.02)
        rest = [pool.submit(post_send, p, s, t) for p, s, t in queued]
        time.sleep(1.0)                  # they reach the queue in milliseconds
        assert not first.done() and not any(f.done() for f in rest), "a send did not wait for the batch"
    finally:
        lock.release()
    answers = [first.result(timeout=30)] + [f.result(timeout=30) for f in rest]
    pool.shutdown()
    return answers


def row_of(stack, message_id):
    return stack.query("SELECT xmin::text, session_id::text, sender_id::text FROM messages WHERE id = %s",
                       (message_id,))[0]


def test_sends_that_wait_together_commit_together_each_as_its_sender(stack):
    sessions = warm_sessions(stack, QUEUED + 1)
    (s0, _, sid0), rest = sessions[0], sessions[1:]
    queued = [(s, sid, f"queued words {i}") for i, (s, _, sid) in enumerate(rest)]
    answers = batch_behind_a_held_lock(stack, (s0, sid0, "the leading words"), queued)
    assert [status for status, _ in answers] == [201] * (QUEUED + 1)

    rows = [row_of(stack, body["id"]) for _, body in answers]
    # The leader's batch held only its own send; the sends that queued meanwhile are one transaction.
    assert len({xmin for xmin, _, _ in rows[1:]}) == 1, rows
    assert rows[0][0] != rows[1][0]
    # Each row is its own sender's, in its own conversation, and so is its audit row.
    for (s, _, sid), (_, session_id, sender_id), (_, body) in zip(sessions, rows, answers):
        assert session_id == sid and sender_id == s.id
        assert body["mine"] is True and body["sender_role"] == "seeker"
        actors = stack.query("SELECT actor_id::text FROM audit_log WHERE action = 'session_message_send'"
                             " AND object_id = %s", (sid,))
        assert actors == [(s.id,), (s.id,)]
    # Each reads back its own words, sealed with its own conversation's key.
    for (s, _, sid), (_, _, text) in zip(rest, queued):
        texts = [m["text"] for m in expect(s.get(f"/api/sessions/{sid}/messages"), 200).json["items"]]
        assert texts == ["first words", text]


def test_a_refused_send_in_a_batch_leaves_the_others_to_commit_alone(stack):
    sessions = warm_sessions(stack, QUEUED + 1)
    (s0, _, sid0), rest = sessions[0], sessions[1:]
    refused = rest[2][0]
    expect(refused.c.logout(), 204)      # the token still verifies; its session check refuses in SQL
    queued = [(s, sid, f"queued words {i}") for i, (s, _, sid) in enumerate(rest)]
    answers = batch_behind_a_held_lock(stack, (s0, sid0, "the leading words"), queued)
    statuses = [status for status, _ in answers]
    assert statuses == [201, 201, 201, 401, 201, 201], statuses
    assert answers[3][1]["error"]["code"] == "unauthorized"

    # The batch was rolled back whole and the others went again, each in a transaction of its own:
    # every conversation holds exactly what was answered, once.
    for (s, _, sid), (status, _) in zip(sessions, answers):
        count = stack.query("SELECT count(*) FROM messages WHERE session_id = %s", (sid,))[0][0]
        assert count == (2 if status == 201 else 1), sid
    xmins = [row_of(stack, body["id"])[0] for status, body in answers[1:] if status == 201]
    assert len(set(xmins)) == len(xmins), "a send of the failed batch was committed with another"


def test_sends_of_one_conversation_in_one_batch_keep_their_order(stack):
    sessions = warm_sessions(stack, 2)
    (s0, _, sid0), (s1, h1, sid1) = sessions
    send(h1, sid1, "the helper's first words")
    queued = [(s1, sid1, "one"), (h1, sid1, "two"), (s1, sid1, "three")]
    answers = batch_behind_a_held_lock(stack, (s0, sid0, "the leading words"), queued)
    assert [status for status, _ in answers] == [201] * 4
    seqs = sorted((body["seq"], body["text"]) for _, body in answers[1:])
    rows = {row_of(stack, body["id"])[0] for _, body in answers[1:]}
    assert len(rows) == 1, "the three sends were not one batch"
    items = expect(s1.get(f"/api/sessions/{sid1}/messages"), 200).json["items"]
    # Whatever order they reached the queue in, their seqs are consecutive and the history shows
    # them in seq order, each once.
    assert [m["seq"] for m in items] == sorted(m["seq"] for m in items)
    assert [m["text"] for m in items][2:] == [text for _, text in seqs]
    assert seqs[-1][0] - seqs[0][0] == 2
