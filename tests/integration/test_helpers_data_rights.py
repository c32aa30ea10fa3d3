"""Data rights over the peer-support tables: the export (GET /api/me/export) carries every table
of the person's peer-support data, message bodies opened; deleting an account cascades (a
deleted seeker's posts and sessions go; a deleted helper's sessions stay for the seeker with the
helper gone). Rows are made with direct SQL through the owner connection; sealed message bodies
and the session key are written exactly as lib/help_session_key.c and lib/crypt.c write them."""

import base64
import json
import os
import uuid

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from astral_client import expect

NEW_TABLES = ["helper_profiles", "helper_achievements", "posts", "post_supports", "post_reports",
              "help_sessions", "messages", "crisis_alerts", "reflections", "reflection_lights"]


# ------------------------------------------------------------------ rows by hand

def keyring(stack):
    keys, current = {}, None
    for line in (stack.dir / "etc" / "keyring").read_text().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "key":
            keys[int(parts[1])] = base64.b64decode(parts[2])
        elif len(parts) == 2 and parts[0] == "current":
            current = int(parts[1])
    return current, keys[current]


def seal(key, version, aad, plaintext):
    header = bytes([1]) + version.to_bytes(4, "big")
    nonce = os.urandom(12)
    return header + nonce + AESGCM(key).encrypt(nonce, plaintext, header + aad.encode())


def sql(stack, statement, params=()):
    return stack.query(statement, params)


def new_post(stack, author_id, content="my post", status="active"):
    pid = str(uuid.uuid4())
    sql(stack, "INSERT INTO posts (id, author_id, category, content, status, created_at, updated_at)"
               " VALUES (%s, %s, 'Grief', %s, %s, now(), now())", (pid, author_id, content, status))
    return pid


def new_session(stack, seeker_id, helper_id, favorite=False):
    """A post, its session and the session's key; returns (session id, dek)."""
    pid = new_post(stack, seeker_id, "session post", "in_progress")
    sid = str(uuid.uuid4())
    version, master = keyring(stack)
    dek = os.urandom(32)
    sql(stack, "INSERT INTO help_sessions (id, post_id, seeker_id, helper_id, started_at, favorite, helpful,"
               " feedback_at) VALUES (%s, %s, %s, %s, now(), %s, true, now())",
        (sid, pid, seeker_id, helper_id, favorite))
    sql(stack, "INSERT INTO help_session_keys (session_id, master_version, wrapped_key, created_at)"
               " VALUES (%s, %s, %s, now())",
        (sid, version, seal(master, version, f"help_session_keys|dek|{sid}", dek)))
    return sid, dek


def new_message(stack, sid, dek, sender_id, role, text, aad_id=None):
    mid = str(uuid.uuid4())
    body = seal(dek, 1, f"messages|body|{aad_id or mid}", text.encode())
    sql(stack, "INSERT INTO messages (id, session_id, sender_id, sender_role, body, client_key, created_at)"
               " VALUES (%s, %s, %s, %s, %s, %s, now())", (mid, sid, sender_id, role, body, mid[:8]))
    return mid


def seeker(stack):
    c = stack.client("bearer")
    c.anonymous()
    return c


def helper(stack, profile=True):
    c = stack.client("bearer")
    c.register()
    if profile:
        expect(c.post("/api/helpers/me", {"bio": "helper bio", "expertise": ["Grief & Loss"]}), 201)
    return c


def export(client):
    r = expect(client.get("/api/me/export"), 200)
    return r.json["tables"], r.body.decode()


# ------------------------------------------------------------------ export

def test_export_lists_the_peer_support_tables(stack):
    s = seeker(stack)
    tables, _ = export(s)
    for t in NEW_TABLES:
        assert t in tables and isinstance(tables[t], list), f"export lacks {t}"
    assert "help_session_keys" not in tables, "key material must not be exported"


def test_export_of_a_seeker(stack):
    a, b = seeker(stack), seeker(stack)
    h = helper(stack)
    own_post = new_post(stack, a.user_id, "a's own words")
    b_post = new_post(stack, b.user_id, "b's words, not a's")
    sql(stack, "INSERT INTO post_supports (post_id, user_id, created_at) VALUES (%s, %s, now())", (b_post, a.user_id))
    sql(stack, "INSERT INTO post_reports (id, post_id, reporter_id, reason, note, created_at)"
               " VALUES (%s, %s, %s, 'spam', 'looks like an ad', now())", (str(uuid.uuid4()), b_post, a.user_id))
    sid, dek = new_session(stack, a.user_id, h.user_id, favorite=True)
    new_message(stack, sid, dek, a.user_id, "seeker", "hello, I need to talk")
    new_message(stack, sid, dek, h.user_id, "helper", "I am here for you\nline two")
    b_sid, b_dek = new_session(stack, b.user_id, h.user_id)
    new_message(stack, b_sid, b_dek, b.user_id, "seeker", "b's private message")
    sql(stack, "INSERT INTO crisis_alerts (id, user_id, source, session_id, severity, categories, rules, raised_by,"
               " created_at) VALUES (%s, %s, 'message', %s, 'high', '{suicide}', '{r1}', %s, now())",
        (str(uuid.uuid4()), a.user_id, sid, h.user_id))
    sql(stack, "INSERT INTO crisis_alerts (id, user_id, source, severity, created_at)"
               " VALUES (%s, %s, 'post', 'low', now())", (str(uuid.uuid4()), b.user_id))
    ref = str(uuid.uuid4())
    sql(stack, "INSERT INTO reflections (id, author_id, content, created_at) VALUES (%s, %s, 'a small light', now())",
        (ref, a.user_id))
    b_ref = str(uuid.uuid4())
    sql(stack, "INSERT INTO reflections (id, author_id, content, created_at) VALUES (%s, %s, 'b reflects', now())",
        (b_ref, b.user_id))
    sql(stack, "INSERT INTO reflection_lights (reflection_id, user_id, created_at) VALUES (%s, %s, now())",
        (b_ref, a.user_id))

    t, text = export(a)
    session_posts = {r[0] for r in sql(stack, "SELECT post_id::text FROM help_sessions WHERE seeker_id = %s",
                                       (a.user_id,))}
    assert {p["id"] for p in t["posts"]} == {own_post} | session_posts
    assert any(p["content"] == "a's own words" for p in t["posts"])
    assert [s["post_id"] for s in t["post_supports"]] == [b_post]
    assert [(r["post_id"], r["reason"], r["note"]) for r in t["post_reports"]] == [(b_post, "spam", "looks like an ad")]
    assert len(t["help_sessions"]) == 1
    sess = t["help_sessions"][0]
    assert sess["id"] == sid and sess["my_role"] == "seeker" and sess["helper_id"] == h.user_id
    assert sess["favorite"] is True and sess["helpful"] is True
    assert [(m["sender_role"], m["text"]) for m in t["messages"]] == [
        ("seeker", "hello, I need to talk"), ("helper", "I am here for you\nline two")]
    assert all(set(m) == {"session_id", "sender_role", "text", "created_at"} for m in t["messages"])
    assert [(c["source"], c["severity"], c["status"]) for c in t["crisis_alerts"]] == [("message", "high", "open")]
    assert all(set(c) == {"source", "severity", "status", "created_at"} for c in t["crisis_alerts"]), \
        "crisis alerts must not carry other users' ids"
    assert [r["content"] for r in t["reflections"]] == ["a small light"]
    assert [r["reflection_id"] for r in t["reflection_lights"]] == [b_ref]
    assert t["helper_profiles"] == [] and t["helper_achievements"] == []
    # nothing of B's
    for secret in ("b's words", "b's private message", "b reflects", b.user_id):
        assert secret not in text, f"A's export holds B's data: {secret!r}"
    assert "wrapped_key" not in text and "body" not in json.dumps(t["messages"])


def test_export_of_a_helper_keeps_seekers_anonymous(stack):
    h = helper(stack)
    expect(h.put("/api/helpers/me/availability", {"online": True}), 200)
    s = seeker(stack)
    sid, dek = new_session(stack, s.user_id, h.user_id, favorite=True)
    new_message(stack, sid, dek, s.user_id, "seeker", "from the seeker")
    new_message(stack, sid, dek, h.user_id, "helper", "from the helper")
    sql(stack, "SELECT astral_award_achievements(%s, now())", (h.user_id,))
    t, text = export(h)
    assert [(p["bio"], p["expertise"], p["available"]) for p in t["helper_profiles"]] == \
        [("helper bio", ["Grief & Loss"], True)]
    assert [a["achievement"] for a in t["helper_achievements"]] == ["first_step"]
    assert len(t["help_sessions"]) == 1
    sess = t["help_sessions"][0]
    assert sess["my_role"] == "helper" and sess["helper_id"] is None
    assert sess["favorite"] is False and sess["helpful"] is None and sess["kudos_at"] is None, \
        "the seeker's own marks are the seeker's"
    assert [m["text"] for m in t["messages"]] == ["from the seeker", "from the helper"]
    assert s.user_id not in text, "a helper's export names the anonymous seeker"
    assert t["posts"] == [] and t["crisis_alerts"] == []


def test_export_with_an_unreadable_message(stack):
    s, h = seeker(stack), helper(stack)
    sid, dek = new_session(stack, s.user_id, h.user_id)
    new_message(stack, sid, dek, s.user_id, "seeker", "readable")
    new_message(stack, sid, dek, s.user_id, "seeker", "sealed for another row", aad_id=str(uuid.uuid4()))
    t, _ = export(s)
    assert [m["text"] for m in t["messages"]] == ["readable", None]


# ------------------------------------------------------------------ delete

def test_deleted_seeker_takes_posts_and_sessions(stack):
    s, h = seeker(stack), helper(stack)
    other = seeker(stack)
    pid = new_post(stack, s.user_id)
    sid, dek = new_session(stack, s.user_id, h.user_id, favorite=True)
    new_message(stack, sid, dek, s.user_id, "seeker", "bye")
    other_post = new_post(stack, other.user_id)
    sql(stack, "INSERT INTO post_supports (post_id, user_id, created_at) VALUES (%s, %s, now())",
        (other_post, s.user_id))
    ref = str(uuid.uuid4())
    sql(stack, "INSERT INTO reflections (id, author_id, content, created_at) VALUES (%s, %s, 'r', now())",
        (ref, other.user_id))
    sql(stack, "INSERT INTO reflection_lights (reflection_id, user_id, created_at) VALUES (%s, %s, now())",
        (ref, s.user_id))
    sql(stack, "INSERT INTO crisis_alerts (id, user_id, source, severity, created_at)"
               " VALUES (%s, %s, 'emergency', 'high', now())", (str(uuid.uuid4()), s.user_id))
    assert sql(stack, "SELECT support_count FROM posts WHERE id = %s", (other_post,))[0][0] == 1

    expect(s.delete("/api/me", {"confirm": "delete my account"}), 204)
    count = lambda q, *a: sql(stack, q, a)[0][0]  # noqa: E731
    assert count("SELECT count(*) FROM posts WHERE author_id = %s OR id = %s", s.user_id, pid) == 0
    assert count("SELECT count(*) FROM help_sessions WHERE id = %s", sid) == 0
    assert count("SELECT count(*) FROM help_session_keys WHERE session_id = %s", sid) == 0
    assert count("SELECT count(*) FROM messages WHERE session_id = %s", sid) == 0
    assert count("SELECT count(*) FROM post_supports WHERE user_id = %s", s.user_id) == 0
    assert count("SELECT count(*) FROM reflection_lights WHERE user_id = %s", s.user_id) == 0
    assert count("SELECT count(*) FROM crisis_alerts WHERE user_id = %s", s.user_id) == 0
    assert count("SELECT support_count FROM posts WHERE id = %s", other_post) == 0, "the counter follows"
    assert count("SELECT light_count FROM reflections WHERE id = %s", ref) == 0
    # the helper keeps their profile; the gone session no longer counts
    p = expect(h.get("/api/helpers/me"), 200).json
    assert p["sessions"] == 0


def test_deleted_helper_leaves_the_session_to_the_seeker(stack):
    s, h = seeker(stack), helper(stack)
    sid, dek = new_session(stack, s.user_id, h.user_id, favorite=True)
    new_message(stack, sid, dek, s.user_id, "seeker", "thank you")
    new_message(stack, sid, dek, h.user_id, "helper", "take care")
    sql(stack, "SELECT astral_award_achievements(%s, now())", (h.user_id,))
    expect(h.put("/api/helpers/me/availability", {"online": True}), 200)
    hid = h.user_id

    expect(h.delete("/api/me", {"confirm": "delete my account"}), 204)
    row = sql(stack, "SELECT seeker_id::text, helper_id FROM help_sessions WHERE id = %s", (sid,))
    assert row == [(s.user_id, None)], "the session stays for the seeker, the helper gone"
    assert sql(stack, "SELECT count(*) FROM help_session_keys WHERE session_id = %s", (sid,))[0][0] == 1
    senders = sql(stack, "SELECT sender_role, sender_id FROM messages WHERE session_id = %s ORDER BY seq", (sid,))
    assert [(r[0], r[1] is None) for r in senders] == [("seeker", False), ("helper", True)]
    for table, col in (("helper_profiles", "user_id"), ("helper_achievements", "helper_id")):
        assert sql(stack, f"SELECT count(*) FROM {table} WHERE {col} = %s", (hid,))[0][0] == 0
    expect(s.get(f"/api/helpers/{hid}"), 404)
    assert expect(s.get("/api/helpers/favorites"), 200).json["items"] == []
    t, _ = export(s)
    assert [(x["id"], x["helper_id"]) for x in t["help_sessions"]] == [(sid, None)]
    assert [m["text"] for m in t["messages"]] == ["thank you", "take care"], \
        "the conversation stays readable for the seeker"
