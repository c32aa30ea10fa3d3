"""Messages (cgi-bin/chat): history pages, idempotent send, crisis screening, encryption at rest,
and the audit of every history read."""

import secrets
import threading
import uuid

import pytest

from astral_client import expect
from test_chat_setup import end_session, new_session, send


def history(person, sid, query=""):
    return expect(person.get(f"/api/sessions/{sid}/messages{query}"), 200).json


@pytest.fixture(scope="module")
def seven(stack):
    """A session with seven messages, alternating sides."""
    s, h, sid = new_session(stack)
    ids = [send(s if i % 2 == 0 else h, sid, f"line {i}\nwith a second line")["id"] for i in range(7)]
    return s, h, sid, ids


# ------------------------------------------------------------------ history

def test_latest_page_oldest_first(seven):
    s, h, sid, ids = seven
    page = history(s, sid, "?limit=3")
    assert [m["id"] for m in page["items"]] == ids[4:]
    assert page["next"] == ids[4]
    full = history(h, sid)
    assert [m["id"] for m in full["items"]] == ids and full["next"] is None
    assert [m["seq"] for m in full["items"]] == sorted(m["seq"] for m in full["items"])


def test_before_pages_walk_back_to_the_start(seven):
    s, h, sid, ids = seven
    page = history(s, sid, f"?before={ids[4]}&limit=3")
    assert [m["id"] for m in page["items"]] == ids[1:4] and page["next"] == ids[1]
    page = history(s, sid, f"?before={ids[1]}&limit=3")
    assert [m["id"] for m in page["items"]] == ids[:1] and page["next"] is None


def test_after_pages_walk_forward(seven):
    s, h, sid, ids = seven
    page = history(h, sid, f"?after={ids[0]}&limit=3")
    assert [m["id"] for m in page["items"]] == ids[1:4] and page["next"] == ids[3]
    page = history(h, sid, f"?after={ids[3]}&limit=3")
    assert [m["id"] for m in page["items"]] == ids[4:] and page["next"] is None
    assert history(h, sid, f"?after={ids[6]}") == {"items": [], "next": None}


def test_messages_as_each_side_sees_them(seven):
    s, h, sid, ids = seven
    for person, role in ((s, "seeker"), (h, "helper")):
        for i, m in enumerate(history(person, sid)["items"]):
            assert m["session_id"] == sid
            assert m["sender_role"] == ("seeker" if i % 2 == 0 else "helper")
            assert m["mine"] == (m["sender_role"] == role)
            assert m["text"] == f"line {i}\nwith a second line"
            assert m["flagged"] is False


def test_cursor_from_another_session_is_400(stack, seven):
    s, h, sid, ids = seven
    s2, h2, other = new_session(stack)
    foreign = send(s2, other, "not yours")["id"]
    expect(s.get(f"/api/sessions/{sid}/messages?after={foreign}"), 400, "invalid_field", "after")
    expect(s.get(f"/api/sessions/{sid}/messages?before={foreign}"), 400, "invalid_field", "before")
    expect(s.get(f"/api/sessions/{sid}/messages?after={ids[0]}&before={ids[3]}"), 400, "invalid_field", "before")


def test_empty_history(stack):
    s, h, sid = new_session(stack)
    assert history(s, sid) == {"items": [], "next": None}


def test_every_history_read_is_audited_without_text(stack, seven):
    s, h, sid, ids = seven
    before = stack.query("SELECT count(*) FROM audit_log WHERE action = 'session_messages_read' AND object_id = %s",
                         (sid,))[0][0]
    history(h, sid, "?limit=1")
    history(s, sid)
    rows = stack.query("SELECT actor_id::text, actor_role, subject_id::text, object_type, detail FROM audit_log"
                       " WHERE action = 'session_messages_read' AND object_id = %s ORDER BY id", (sid,))
    assert len(rows) == before + 2
    assert rows[-2] == (h.id, "helper", s.id, "help_session", None)
    assert rows[-1] == (s.id, "seeker", s.id, "help_session", None)
    dump = stack.query("SELECT string_agg(concat_ws('|', action, object_type, object_id, detail), ';')"
                       " FROM audit_log")[0][0]
    assert "line 1" not in dump


# ------------------------------------------------------------------ send

def test_every_send_is_audited_once_without_text(stack):
    """The insert writes its audit row itself (one statement, committed in the round trip that
    stores the message): one row per stored message, from either side and flagged or not, none for
    a resend, and the chain still verifies."""
    s, h, sid = new_session(stack)

    def rows():
        return stack.query("SELECT actor_id::text, actor_role, subject_id::text, outcome, detail, request_id"
                           " FROM audit_log WHERE action = 'session_message_send' AND object_id = %s ORDER BY id",
                           (sid,))
    send(s, sid, "audited words", key="k1")
    send(h, sid, "and the reply", key="k1")          # the same key on the other side is its own message
    send(s, sid, "I want to end my life", key="k2")  # flagged: its alert commits with it
    send(s, sid, "audited words", key="k1", status=200)   # a resend stores nothing
    got = rows()
    assert [r[:5] for r in got] == [(s.id, "seeker", s.id, "success", None), (h.id, "helper", s.id, "success", None),
                                    (s.id, "seeker", s.id, "success", None)]
    assert all(r[5] for r in got), "each row names its request"
    dump = stack.query("SELECT string_agg(concat_ws('|', action, object_type, object_id, detail, request_id), ';')"
                       " FROM audit_log WHERE object_id = %s", (sid,))[0][0]
    assert "audited" not in dump and "reply" not in dump
    p = stack.astralctl("audit", "verify")
    assert p.returncode == 0, f"audit verify fails:\n{p.stdout}\n{p.stderr}"


def test_send_returns_the_message(stack):
    s, h, sid = new_session(stack)
    text = "Markdown **bold**, unicode ☃ and\ttabs\nand lines"
    m = expect(s.post(f"/api/sessions/{sid}/messages", {"text": text, "client_key": "k-1_A"}), 201).json
    assert m["text"] == text and m["client_key"] == "k-1_A" and m["mine"] is True
    assert m["sender_role"] == "seeker" and m["read"] is False and m["flagged"] is False
    assert "crisis" not in m
    assert history(h, sid)["items"][0]["text"] == text


def test_same_client_key_twice_is_one_message(stack):
    s, h, sid = new_session(stack)
    first = expect(s.post(f"/api/sessions/{sid}/messages", {"text": "once", "client_key": "dup"}), 201).json
    again = expect(s.post(f"/api/sessions/{sid}/messages", {"text": "changed", "client_key": "dup"}), 200).json
    assert again == first
    assert stack.query("SELECT count(*) FROM messages WHERE session_id = %s", (sid,))[0][0] == 1
    # The other side's key space is its own.
    theirs = expect(h.post(f"/api/sessions/{sid}/messages", {"text": "hi", "client_key": "dup"}), 201).json
    assert theirs["id"] != first["id"]
    assert [m["id"] for m in history(s, sid)["items"]] == [first["id"], theirs["id"]]


def test_concurrent_resends_make_one_row(stack):
    s, h, sid = new_session(stack)
    results, key = [], "race-" + uuid.uuid4().hex

    def go():
        results.append(s.post(f"/api/sessions/{sid}/messages", {"text": "racing", "client_key": key}))

    threads = [threading.Thread(target=go) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status for r in results) == [200] * 5 + [201]
    assert len({r.json["id"] for r in results}) == 1
    assert stack.query("SELECT count(*) FROM messages WHERE session_id = %s", (sid,))[0][0] == 1


def test_send_to_an_ended_session_is_409(stack):
    s, h, sid = new_session(stack)
    end_session(h, sid)
    r = expect(s.post(f"/api/sessions/{sid}/messages", {"text": "hello?", "client_key": "x"}), 409, "conflict")
    assert "ended" in r.json["error"]["message"]
    expect(h.post(f"/api/sessions/{sid}/messages", {"text": "hello?", "client_key": "x"}), 409, "conflict")


def test_resend_of_a_stored_message_after_the_end_is_200(stack):
    """The answer to a last message was lost and the other side ended the chat meanwhile: the
    retry with the same client_key gets the stored message (200), not 409 "not sent"."""
    s, h, sid = new_session(stack)
    key = "k-" + uuid.uuid4().hex
    first = expect(s.post(f"/api/sessions/{sid}/messages", {"text": "bye, thanks", "client_key": key}), 201).json
    crisis = send(s, sid, "I want to kill myself tonight")
    end_session(h, sid)
    again = expect(s.post(f"/api/sessions/{sid}/messages", {"text": "bye, thanks", "client_key": key}), 200).json
    assert {k: again[k] for k in ("id", "seq", "text", "client_key", "created_at", "sender_role", "mine")} == \
        {k: first[k] for k in ("id", "seq", "text", "client_key", "created_at", "sender_role", "mine")}
    # A crisis message's resend brings the resources again, and raises no second alert.
    again = expect(s.post(f"/api/sessions/{sid}/messages", {"text": "x", "client_key": crisis["client_key"]}),
                   200).json
    assert again["id"] == crisis["id"] and again["crisis"]["severity"] == "high"
    assert stack.query("SELECT count(*) FROM crisis_alerts WHERE session_id = %s", (sid,))[0][0] == 1
    # Anything new is still refused, the other side's key space included.
    r = expect(s.post(f"/api/sessions/{sid}/messages", {"text": "one more", "client_key": key + "-2"}), 409,
               "conflict")
    assert "ended" in r.json["error"]["message"]
    expect(h.post(f"/api/sessions/{sid}/messages", {"text": "bye", "client_key": key}), 409, "conflict")
    assert stack.query("SELECT count(*) FROM messages WHERE session_id = %s", (sid,))[0][0] == 2
    assert [m["id"] for m in history(h, sid)["items"]] == [first["id"], crisis["id"]]


@pytest.mark.parametrize("text", ["", " ", "\n\t \n", "x" * 4001])
def test_text_must_say_something_and_fit(stack, text):
    s, h, sid = new_session(stack)
    expect(s.post(f"/api/sessions/{sid}/messages", {"text": text, "client_key": "k"}), 400, "invalid_field", "text")


def test_text_of_4000_characters_fits(stack):
    s, h, sid = new_session(stack)
    m = send(s, sid, "é" * 4000)
    assert len(m["text"]) == 4000


@pytest.mark.parametrize("key", ["", "a b", "a/b", "ä", "x" * 65, "a.b", "a+b", "a\nb"])
def test_client_key_charset(stack, key):
    s, h, sid = new_session(stack)
    expect(s.post(f"/api/sessions/{sid}/messages", {"text": "hi", "client_key": key}), 400, "invalid_field",
           "client_key")


# ------------------------------------------------------------------ crisis screening

def test_seeker_crisis_message_alerts_and_flags_for_the_helper_only(stack):
    s, h, sid = new_session(stack)
    m = send(s, sid, "I want to kill myself tonight")
    assert m["crisis"]["severity"] == "high" and "suicide" in m["crisis"]["categories"]
    assert m["crisis"]["resources"]
    assert m["flagged"] is False                       # the seeker never sees the mark
    rows = stack.query("SELECT user_id::text, source, source_id::text, session_id::text, severity, raised_by::text,"
                       " cardinality(rules) > 0 FROM crisis_alerts WHERE source_id = %s", (m["id"],))
    assert rows == [(s.id, "message", m["id"], sid, "high", s.id, True)]
    assert stack.query("SELECT crisis_severity FROM messages WHERE id = %s", (m["id"],))[0][0] == "high"
    assert history(h, sid)["items"][0]["flagged"] is True
    assert history(s, sid)["items"][0]["flagged"] is False
    # A resend answers with the stored message and the resources again, without a second alert.
    again = expect(s.post(f"/api/sessions/{sid}/messages", {"text": "x", "client_key": m["client_key"]}), 200).json
    assert again["id"] == m["id"] and again["crisis"]["severity"] == "high"
    assert stack.query("SELECT count(*) FROM crisis_alerts WHERE session_id = %s", (sid,))[0][0] == 1


def test_ordinary_words_raise_nothing(stack):
    s, h, sid = new_session(stack)
    m = send(s, sid, "Thanks, talking helped. I feel calmer about the exam now.")
    assert "crisis" not in m
    assert stack.query("SELECT count(*) FROM crisis_alerts WHERE session_id = %s", (sid,))[0][0] == 0


def test_helper_words_are_not_screened(stack):
    s, h, sid = new_session(stack)
    m = send(h, sid, "Have you had thoughts of wanting to kill yourself?")
    assert "crisis" not in m and m["flagged"] is False
    assert stack.query("SELECT count(*) FROM crisis_alerts WHERE session_id = %s", (sid,))[0][0] == 0


# ------------------------------------------------------------------ at rest

def test_bodies_are_sealed_and_canary_never_reaches_disk(stack):
    s, h, sid = new_session(stack)
    canary = "CanaryMessage" + secrets.token_hex(10)
    m = send(s, sid, f"my secret is {canary}")
    send(h, sid, f"helper echo {canary}")
    history(h, sid)
    body = bytes(stack.query("SELECT body FROM messages WHERE id = %s", (m["id"],))[0][0])
    assert body[0] == 1 and canary.encode() not in body
    dump = stack.pg_dump()
    assert canary.encode() not in dump and canary.encode().hex().encode() not in dump
    for f in stack.log_files():
        assert canary.encode() not in f.read_bytes(), f"canary in {f}"


def test_a_body_moved_to_another_row_does_not_open(stack):
    """AAD binds each body to its own message id."""
    s, h, sid = new_session(stack)
    a = send(s, sid, "first words")
    send(s, sid, "second words")
    stack.query("UPDATE messages SET body = (SELECT body FROM messages WHERE id = %s)"
                " WHERE session_id = %s AND id <> %s", (a["id"], sid, a["id"]))
    r = s.get(f"/api/sessions/{sid}/messages")
    assert r.status == 500 and b"first words" not in r.body
