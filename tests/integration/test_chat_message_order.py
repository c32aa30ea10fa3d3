"""Sends to one conversation commit in the order of their seq (cgi-bin/chat/statements.c,
CHAT_SESSION_OPEN_TO_SEND). A message's seq is drawn at INSERT; readers resume with `?after=` the
newest message they hold and move their read mark to it. Had a message committed after one with a
larger seq, both would pass over it for good: the helper would never be shown it, and the seeker
would see it marked read."""

import threading
import time
import uuid

import pytest

from astral_client import expect
from test_chat_setup import new_session, send


def _wait_for_a_lock_wait(stack, sql_filter, what):
    for _ in range(200):
        if stack.query("SELECT count(*) FROM pg_locks WHERE NOT granted AND " + sql_filter)[0][0]:
            return
        time.sleep(0.05)
    pytest.fail(f"{what} never started waiting")


def test_a_send_waits_for_an_earlier_one_to_the_same_conversation_to_commit(stack):
    s, h, sid = new_session(stack)
    first = send(h, sid, "hello, I'm here")
    other_s, _, other_sid = new_session(stack)

    # Hold the seeker's crisis message after its INSERT (its seq is drawn) and before its COMMIT:
    # a crisis message raises its alert in the same transaction, and the alert insert waits here.
    lock = stack.owner_db()
    lock.autocommit = False
    cur = lock.cursor()
    cur.execute("LOCK TABLE crisis_alerts IN SHARE MODE")
    out = {}

    def post(key, person, session, text):
        out[key] = person.post(f"/api/sessions/{session}/messages",
                               {"text": text, "client_key": key + "-" + uuid.uuid4().hex})

    slow = threading.Thread(target=post, args=("slow", s, sid, "I want to kill myself tonight"))
    slow.start()
    fast = None
    try:
        _wait_for_a_lock_wait(stack, "relation = 'public.crisis_alerts'::regclass", "the crisis send")
        # The next message to that conversation waits for the crisis message's COMMIT ...
        fast = threading.Thread(target=post, args=("fast", s, sid, "sorry, ignore that"))
        fast.start()
        _wait_for_a_lock_wait(stack, "locktype = 'advisory'", "the second send")
        assert "fast" not in out, "the second send did not wait for the first to commit"
        # ... while a send to another conversation does not.
        other = send(other_s, other_sid, "a different conversation goes on")
        assert other["seq"] > 0
        # Nothing of the waiting conversation is visible yet, so nothing can be passed over.
        assert expect(h.get(f"/api/sessions/{sid}/messages?after={first['id']}"), 200).json["items"] == []
    finally:
        lock.rollback()
        lock.close()
        slow.join(15)
        if fast is not None:
            fast.join(15)
    crisis = expect(out["slow"], 201).json
    later = expect(out["fast"], 201).json
    assert crisis["seq"] < later["seq"]
    # The helper resumes from what it held and gets both, in order; its read mark then covers both.
    page = expect(h.get(f"/api/sessions/{sid}/messages?after={first['id']}"), 200).json
    assert [m["id"] for m in page["items"]] == [crisis["id"], later["id"]]
    assert expect(h.get(f"/api/sessions/{sid}"), 200).json["unread"] == 2
