"""Shared commits (lib/db_shared_commit.c): with [chat] threads above 1, astral-chat serves on
threads, and the sends that arrive while another send is committing commit together with it, in
one transaction, each under its own sender's identity. These tests run on a stack of their own,
one chat process of 16 threads.

To make a batch on purpose, the test stops the shared connection's backend (SIGSTOP: it shows as
application_name astral-shared-commit): the first send leads and waits for its answer, the sends
that arrive meanwhile queue behind it, and when the backend goes on they commit together, as the
next batch. PostgreSQL's xmin says which rows one transaction wrote.
"""

import os
import signal
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from astral_client import expect
from conftest import FRONT, start_stack, stop_stack
from test_chat_setup import new_session, send

SEND_LOCK_CLASS = 1634          # cgi-bin/chat/statements.c, CHAT_SEND_LOCK_CLASS
QUEUED = 5


@pytest.fixture(scope="module")
def stack(request):
    """One astral-chat process of 16 threads ([chat] threads is 1 by default)."""
    st = start_stack(["--front", FRONT, "--chat-workers", "1", "--chat-threads", "16"], label="shared")
    yield st
    stop_stack(st)


def warm_sessions(stack, n):
    """n conversations whose seekers have each sent once: the chat process remembers them, so
    their next sends go to the database in one round trip, which is what is shared."""
    sessions = []
    for _ in range(n):
        s, h, sid = new_session(stack)
        send(s, sid, "first words")
        sessions.append((s, h, sid))
    return sessions


def shared_backend(stack):
    pids = stack.query("SELECT pid FROM pg_stat_activity WHERE application_name = 'astral-shared-commit'")
    assert len(pids) == 1, f"one astral-chat process, one shared connection: {pids}"
    return pids[0][0]


def post_send(person, sid, text):
    r = person.post(f"/api/sessions/{sid}/messages", {"text": text, "client_key": uuid.uuid4().hex})
    return r.status, r.json


def batch_behind_a_paused_commit(stack, leader, queued):
    """Send leader's message with the shared backend stopped (so it waits for its answer), then
    the queued ones while it waits; let the backend go on; return the answers, leader's first."""
    pid = shared_backend(stack)
    pool = ThreadPoolExecutor(max_workers=len(queued) + 1)
    os.kill(pid, signal.SIGSTOP)
    try:
        first = pool.submit(post_send, *leader)
        time.sleep(0.5)
        rest = [pool.submit(post_send, *q) for q in queued]
        time.sleep(1.0)                  # they reach the queue in milliseconds
        assert not first.done() and not any(f.done() for f in rest), "a send did not wait for the batch"
    finally:
        os.kill(pid, signal.SIGCONT)
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
    answers = batch_behind_a_paused_commit(stack, (s0, sid0, "the leading words"), queued)
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


def test_a_refused_send_in_a_batch_goes_alone_and_the_others_commit_without_it(stack):
    sessions = warm_sessions(stack, QUEUED + 1)
    (s0, _, sid0), rest = sessions[0], sessions[1:]
    refused = rest[2][0]
    expect(refused.c.logout(), 204)      # the token still verifies; its session check refuses in SQL
    queued = [(s, sid, f"queued words {i}") for i, (s, _, sid) in enumerate(rest)]
    answers = batch_behind_a_paused_commit(stack, (s0, sid0, "the leading words"), queued)
    statuses = [status for status, _ in answers]
    assert statuses == [201, 201, 201, 401, 201, 201], statuses
    assert answers[3][1]["error"]["code"] == "unauthorized"

    # The batch was rolled back whole; the refused send went alone and the four others were
    # committed again together: every conversation holds exactly what was answered, once.
    for (s, _, sid), (status, _) in zip(sessions, answers):
        count = stack.query("SELECT count(*) FROM messages WHERE session_id = %s", (sid,))[0][0]
        assert count == (2 if status == 201 else 1), sid
    xmins = [row_of(stack, body["id"])[0] for status, body in answers[1:] if status == 201]
    assert len(xmins) == 4 and len(set(xmins)) == 1, xmins


def test_sends_of_one_conversation_in_one_batch_keep_their_order(stack):
    sessions = warm_sessions(stack, 2)
    (s0, _, sid0), (s1, h1, sid1) = sessions
    send(h1, sid1, "the helper's first words")
    queued = [(s1, sid1, "one"), (h1, sid1, "two"), (s1, sid1, "three")]
    answers = batch_behind_a_paused_commit(stack, (s0, sid0, "the leading words"), queued)
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


def test_a_conversation_whose_send_lock_is_held_keeps_no_other_waiting(stack):
    """A batch waits at most 10 ms for a lock: then the send that waited goes alone, to wait for
    its conversation's lock on its own connection, and the others are answered meanwhile."""
    (s0, _, sid0), (s1, _, sid1) = warm_sessions(stack, 2)
    lock = stack.owner_db()
    lock.autocommit = True
    with lock.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", (SEND_LOCK_CLASS, sid0))
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        held = pool.submit(post_send, s0, sid0, "waits for its conversation")
        deadline = time.time() + 10
        while not stack.query("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")[0][0]:
            assert time.time() < deadline, "the send never reached its conversation's lock"
            time.sleep(0.02)
        started = time.time()
        other = send(s1, sid1, "another conversation goes on")
        assert time.time() - started < 2.0
        assert not held.done()
    finally:
        with lock.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock_all()")
        lock.close()
    status, body = held.result(timeout=30)
    assert status == 201 and body["seq"] > other["seq"]
    texts = [m["text"] for m in expect(s0.get(f"/api/sessions/{sid0}/messages"), 200).json["items"]]
    assert texts == ["first words", "waits for its conversation"]


def test_a_batch_whose_connection_is_lost_answers_503_and_the_next_send_reconnects(stack):
    """The shared connection ends while its batch waits: whether its COMMIT happened is unknown,
    so each send of the batch gets 503, as a lone send would (never a 500), and the next sends
    are committed on a new shared connection."""
    sessions = warm_sessions(stack, 3)
    pid = shared_backend(stack)
    pool = ThreadPoolExecutor(max_workers=3)
    os.kill(pid, signal.SIGSTOP)
    try:
        answers = [pool.submit(post_send, s, sid, "lost with its batch") for s, _, sid in sessions]
        time.sleep(1.0)
        assert not any(f.done() for f in answers)
        os.kill(pid, signal.SIGTERM)      # acted on once it runs again: pg_terminate_backend's signal
    finally:
        os.kill(pid, signal.SIGCONT)
    statuses = [f.result(timeout=30)[0] for f in answers]
    pool.shutdown()
    assert set(statuses) <= {201, 503} and 503 in statuses, statuses
    for s, _, sid in sessions:
        send(s, sid, "after the reconnect")
    assert shared_backend(stack) != pid
