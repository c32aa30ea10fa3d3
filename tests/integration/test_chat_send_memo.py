"""A send in one round trip (cgi-bin/chat/send_memo.c, message_send.c).

A chat worker remembers a sender's side and conversation key after their first send, and serves
their next sends with one pipeline: session check, send lock, insert and COMMIT. The session check
refuses in SQL (migration 0040), so a session that is over commits nothing even though COMMIT went
with it; the insert stores only into a session that has not ended.

These tests run on a stack of their own with one worker per program, so every send after the
first is served from the worker's memory, and show that a remembered send is as careful as the
first: signed out, expired, forged role, ended, resent, flagged, erased.
"""

import json
import uuid

import pytest

from astral_client import expect
from conftest import FRONT, start_stack, stop_stack
from test_chat_setup import end_session, new_seeker, new_session, send
from test_jwt import HS256, sign, unb64

MIN = 60


@pytest.fixture(scope="module")
def one_worker(request):
    st = start_stack(["--front", FRONT, "--workers", "1"], label="memo")
    yield st
    stop_stack(st)


@pytest.fixture
def warm(one_worker):
    """A session whose seeker and helper have each sent once: the worker remembers both."""
    s, h, sid = new_session(one_worker)
    first = [send(s, sid, "hello from the seeker"), send(h, sid, "hello from the helper")]
    return s, h, sid, first


def stored(st, sid):
    return st.query("SELECT count(*) FROM messages WHERE session_id = %s", (sid,))[0][0]


def audited_sends(st, sid):
    return st.query("SELECT count(*) FROM audit_log WHERE action = 'session_message_send' AND object_id = %s",
                    (sid,))[0][0]


def without_key_row(st, sid):
    """Take the session's key row away (as the owner) and return a function that puts it back."""
    row = st.query("SELECT session_id, master_version, wrapped_key, created_at, rewrapped_at"
                   " FROM help_session_keys WHERE session_id = %s", (sid,))
    assert len(row) == 1
    st.query("DELETE FROM help_session_keys WHERE session_id = %s", (sid,))

    def put_back():
        st.query("INSERT INTO help_session_keys (session_id, master_version, wrapped_key, created_at, rewrapped_at)"
                 " VALUES (%s, %s, %s, %s, %s)", row[0])
    return put_back


def test_a_remembered_send_reads_neither_the_session_nor_its_key(one_worker, warm):
    """The probe that the one-round-trip path is taken: with the key row gone, only a worker that
    remembers the key can seal the message. Once the row is back, the message opens with it."""
    s, h, sid, _ = warm
    put_back = without_key_row(one_worker, sid)
    try:
        m = send(s, sid, "sealed with the remembered key")
        r = send(h, sid, "and the helper's too")
    finally:
        put_back()
    texts = [x["text"] for x in expect(s.get(f"/api/sessions/{sid}/messages"), 200).json["items"]]
    assert texts[-2:] == ["sealed with the remembered key", "and the helper's too"]
    assert m["mine"] is True and m["sender_role"] == "seeker"
    assert r["mine"] is True and r["sender_role"] == "helper"


def test_the_memory_is_per_participant(one_worker, warm):
    """The seeker's memory is not the helper's: each send carries its own side."""
    s, h, sid, _ = warm
    a = send(s, sid, "seeker again")
    b = send(h, sid, "helper again")
    items = expect(h.get(f"/api/sessions/{sid}/messages"), 200).json["items"]
    roles = {m["id"]: m["sender_role"] for m in items}
    assert roles[a["id"]] == "seeker" and roles[b["id"]] == "helper"
    stranger = new_seeker(one_worker)
    expect(stranger.post(f"/api/sessions/{sid}/messages", {"text": "not mine", "client_key": "k1"}), 404)


def test_a_remembered_send_to_an_ended_session_stores_nothing(one_worker, warm):
    s, h, sid, first = warm
    end_session(s, sid)
    before = stored(one_worker, sid)
    r = s.post(f"/api/sessions/{sid}/messages", {"text": "too late", "client_key": uuid.uuid4().hex})
    expect(r, 409, "conflict")
    expect(h.post(f"/api/sessions/{sid}/messages", {"text": "too late too", "client_key": uuid.uuid4().hex}),
           409, "conflict")
    assert stored(one_worker, sid) == before
    # A resend of a message stored before the end still gets that message.
    again = send(s, sid, "hello from the seeker", key=first[0]["client_key"], status=200)
    assert again["id"] == first[0]["id"]


def test_a_remembered_resend_gets_the_stored_message_once(one_worker, warm):
    s, h, sid, _ = warm
    key = uuid.uuid4().hex
    a = send(s, sid, "only once", key=key)
    b = send(s, sid, "only once", key=key, status=200)
    assert a["id"] == b["id"] and a["seq"] == b["seq"]
    assert stored(one_worker, sid) == 3
    assert audited_sends(one_worker, sid) == 3


def signed_out(person):
    token = person.c.access_token
    expect(person.c.logout(), 204)
    person.c.access_token = token
    return person


def test_a_remembered_send_on_a_signed_out_session_stores_nothing(one_worker, warm):
    s, h, sid, _ = warm
    signed_out(s)
    expect(s.post(f"/api/sessions/{sid}/messages", {"text": "after logout", "client_key": "k2"}), 401,
           "unauthorized")
    assert stored(one_worker, sid) == 2
    assert audited_sends(one_worker, sid) == 2


def test_a_remembered_send_on_an_expired_session_stores_nothing_and_is_revoked_and_audited(one_worker, warm):
    s, h, sid, _ = warm
    session_id = s.c.session["id"]
    one_worker.query("UPDATE sessions SET last_seen_at = last_seen_at - interval '31 minutes' WHERE id = %s",
                     (session_id,))
    expect(s.post(f"/api/sessions/{sid}/messages", {"text": "idle too long", "client_key": "k3"}), 401,
           "session_expired")
    assert stored(one_worker, sid) == 2
    revoked = one_worker.query("SELECT revoke_reason FROM sessions WHERE id = %s", (session_id,))
    assert revoked == [("idle",)]
    audited = one_worker.query("SELECT actor_role, detail FROM audit_log WHERE action = 'session_expired'"
                               " AND object_id = %s", (session_id,))
    assert audited == [("seeker", "idle")]


def test_a_remembered_send_with_a_token_naming_another_role_stores_nothing(one_worker, warm):
    s, h, sid, _ = warm
    head, payload, mac = s.c.access_token.split(".")
    raw = (one_worker.dir / "etc" / "jwt.key").read_bytes()
    claims = json.loads(unb64(payload))
    key = next(k for k in (raw, raw.rstrip(b"\n"), raw.rstrip(b"\r\n"))
               if sign(HS256, claims, k).split(".")[2] == mac)
    s.c.access_token = sign(HS256, dict(claims, role="helper"), key)
    expect(s.post(f"/api/sessions/{sid}/messages", {"text": "as someone else", "client_key": "k4"}), 401,
           "unauthorized")
    assert stored(one_worker, sid) == 2


def test_a_remembered_flagged_send_raises_its_alert(one_worker, warm):
    s, h, sid, _ = warm
    m = send(s, sid, "I want to kill myself tonight")
    assert "crisis" in m
    alerts = one_worker.query("SELECT severity, session_id::text FROM crisis_alerts WHERE source = 'message'"
                              " AND source_id = %s", (m["id"],))
    assert alerts == [("high", sid)]
    seen = [x for x in expect(h.get(f"/api/sessions/{sid}/messages"), 200).json["items"] if x["id"] == m["id"]]
    assert seen[0]["flagged"] is True


def test_a_remembered_send_to_an_erased_session_is_404_and_forgotten(one_worker, warm):
    s, h, sid, _ = warm
    one_worker.query("DELETE FROM help_sessions WHERE id = %s", (sid,))
    for _ in range(2):
        expect(s.post(f"/api/sessions/{sid}/messages", {"text": "anyone there?", "client_key": uuid.uuid4().hex}),
               404, "not_found")
    assert stored(one_worker, sid) == 0


def test_the_worker_forgets_a_key_unused_for_ten_minutes(one_worker, warm):
    """After ten quiet minutes the key is read again: with its row gone, the send cannot be sealed
    (the probe of the first test, the other way round)."""
    s, h, sid, _ = warm
    one_worker.set_clock(11 * MIN)
    try:
        expect(s.refresh(), 200)                 # a fresh access token at the new time
        put_back = without_key_row(one_worker, sid)
        try:
            r = s.post(f"/api/sessions/{sid}/messages", {"text": "after a pause", "client_key": "k5"})
            assert r.status == 500, r.status
        finally:
            put_back()
        send(s, sid, "after a pause")
    finally:
        one_worker.set_clock(0)
    assert stored(one_worker, sid) == 3
