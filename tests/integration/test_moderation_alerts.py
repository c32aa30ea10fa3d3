"""The crisis alert queue (cgi-bin/moderation): ranked by severity then age, acknowledged and
resolved with a note, the flagged excerpt (at most 280 characters of the post or message that
fired, nothing for the other sources, and no other message of the conversation), and `alert.new`
reaching a moderator's open stream."""

import pytest

from astral_client import expect
from test_chat_setup import Subscriber
from test_moderation_setup import (CRISIS_TEXT, all_pages, audit_rows, insert_alert, new_seeker, new_session,
                                   new_staff, send)

RANK = {"high": 0, "medium": 1, "low": 2}


@pytest.fixture
def old_alerts(stack):
    """Alerts of long ago (they head their severity's group), removed afterwards."""
    made = []

    def make(user_id, severity, day, status="open"):
        made.append(insert_alert(stack, user_id, severity=severity, created_at=f"2001-01-0{day}T00:00:00Z",
                                 status=status))
        return made[-1]
    yield make
    for alert_id in made:
        stack.query("DELETE FROM crisis_alerts WHERE id = %s", (alert_id,))


def test_ranked_by_severity_then_oldest_first(stack, old_alerts):
    mod = new_staff(stack)
    person = new_seeker(stack)
    low = old_alerts(person.id, "low", 1)
    high_late = old_alerts(person.id, "high", 3)
    medium = old_alerts(person.id, "medium", 2)
    high_early = old_alerts(person.id, "high", 1)
    items, _ = all_pages(mod, "/api/moderation/alerts")
    keys = [(RANK[a["severity"]], a["created_at"]) for a in items]
    assert keys == sorted(keys), "not by severity, then oldest first"
    mine = [a["id"] for a in items if a["id"] in (low, high_late, medium, high_early)]
    assert mine == [high_early, high_late, medium, low]
    assert {a["status"] for a in items} <= {"open", "acknowledged"}
    # Small pages walk the same order.
    small, pages = all_pages(mod, "/api/moderation/alerts?status=active", limit=2)
    assert [a["id"] for a in small] == [a["id"] for a in items] and pages >= len(items) // 2
    # A cursor of one list is refused by another.
    first = expect(mod.get("/api/moderation/alerts?limit=1"), 200).json
    assert first["next"]
    expect(mod.get(f"/api/moderation/alerts?status=resolved&cursor={first['next']}"), 400, "invalid_field", "cursor")


def test_ack_then_resolve_with_a_note(stack, old_alerts):
    mod, other = new_staff(stack), new_staff(stack)
    person = new_seeker(stack)
    alert_id = old_alerts(person.id, "medium", 4)
    a = expect(mod.post(f"/api/moderation/alerts/{alert_id}/ack"), 200).json
    assert a["status"] == "acknowledged" and a["acknowledged_by"]["id"] == mod.id and a["acknowledged_at"]
    assert a["user"]["id"] == person.id and a["excerpt"] is None
    # A second acknowledgement keeps the first one's name.
    a2 = expect(other.post(f"/api/moderation/alerts/{alert_id}/ack"), 200).json
    assert a2["acknowledged_by"]["id"] == mod.id
    ids = lambda q: [x["id"] for x in all_pages(mod, "/api/moderation/alerts" + q)[0]]
    assert alert_id in ids("?status=acknowledged") and alert_id not in ids("?status=open")
    expect(other.post(f"/api/moderation/alerts/{alert_id}/resolve", {}), 400, "invalid_field", "note")
    expect(other.post(f"/api/moderation/alerts/{alert_id}/resolve", {"note": ""}), 400, "invalid_field", "note")
    note = "Called the person; they are safe with family tonight."
    r = expect(other.post(f"/api/moderation/alerts/{alert_id}/resolve", {"note": note}), 200).json
    assert r["status"] == "resolved" and r["resolved_by"]["id"] == other.id and r["resolution_note"] == note
    assert alert_id in ids("?status=resolved") and alert_id not in ids("")
    expect(mod.post(f"/api/moderation/alerts/{alert_id}/ack"), 409, "conflict")
    expect(mod.post(f"/api/moderation/alerts/{alert_id}/resolve", {"note": "again"}), 409, "conflict")
    rows = audit_rows(stack, "alert_resolve", actor_id=other.id, object_id=alert_id)
    assert rows and rows[0][4] == person.id and note in rows[0][6]


def test_excerpt_of_a_post_is_its_first_280_characters(stack):
    mod = new_staff(stack)
    seeker = new_seeker(stack)
    content = CRISIS_TEXT + ". " + "Everything feels heavy and grey. " * 20
    post = expect(seeker.post("/api/posts", {"category": "Depression", "content": content}), 201).json
    alert_id = stack.query("SELECT id::text FROM crisis_alerts WHERE source = 'post' AND source_id = %s",
                           (post["id"],))[0][0]
    a = next(x for x in all_pages(mod, "/api/moderation/alerts")[0] if x["id"] == alert_id)
    assert a["source"] == "post" and a["source_id"] == post["id"]
    assert a["excerpt"] == content[:280] and len(content) > 280
    assert audit_rows(stack, "alert_excerpt_read", actor_id=mod.id, object_id=alert_id)[0][4] == seeker.id


def test_excerpt_of_a_message_is_that_message_only(stack):
    mod = new_staff(stack)
    seeker, helper, sid = new_session(stack)
    before = send(seeker, sid, "Some context about my week that stays private.")
    text = CRISIS_TEXT + " " + "and nobody would notice at all " * 12
    m = send(seeker, sid, text)
    send(helper, sid, "I'm here with you. Can you tell me where you are?")
    alert_id = stack.query("SELECT id::text FROM crisis_alerts WHERE source = 'message' AND source_id = %s",
                           (m["id"],))[0][0]
    a = expect(mod.post(f"/api/moderation/alerts/{alert_id}/ack"), 200).json
    assert a["source"] == "message" and a["session_id"] == sid
    assert a["excerpt"] == text[:280] and len(text) > 280
    rows = audit_rows(stack, "alert_excerpt_read", actor_id=mod.id, object_id=alert_id)
    assert rows and rows[0][4] == seeker.id and rows[0][6] == "message"
    # Least sight: row-level security shows staff the flagged message and nothing else of the chat.
    conn = stack.app_db()
    try:
        with conn.cursor() as cur:
            cur.execute("BEGIN")
            cur.execute("SELECT set_config('astral.user_id', %s, true), set_config('astral.role', 'moderator', true)",
                        (mod.id,))
            cur.execute("SELECT id::text FROM messages WHERE session_id = %s", (sid,))
            assert [r[0] for r in cur.fetchall()] == [m["id"]]
            cur.execute("SELECT count(*) FROM messages WHERE id = %s", (before["id"],))
            assert cur.fetchone()[0] == 0
            cur.execute("ROLLBACK")
    finally:
        conn.close()


def test_no_excerpt_for_the_emergency_button(stack):
    mod = new_staff(stack)
    seeker, _, sid = new_session(stack)
    r = expect(seeker.post(f"/api/sessions/{sid}/emergency", {}), 201).json
    a = expect(mod.post(f"/api/moderation/alerts/{r['alert_id']}/ack"), 200).json
    assert a["source"] == "emergency" and a["excerpt"] is None and a["severity"] == "high"
    assert audit_rows(stack, "alert_excerpt_read", actor_id=mod.id, object_id=r["alert_id"]) == []


@pytest.mark.parametrize("transport", ["websocket", "eventsource"])
def test_alert_new_reaches_a_moderators_stream(stack, transport):
    mod = new_staff(stack)
    admin = new_staff(stack, role="admin")
    subs = [Subscriber(stack, mod, transport), Subscriber(stack, admin, transport)]
    bystander = new_seeker(stack)
    quiet = Subscriber(stack, bystander, transport)
    try:
        seeker = new_seeker(stack)
        secret = "private-words-" + transport
        post = expect(seeker.post("/api/posts", {"category": "Other", "content": f"{CRISIS_TEXT} {secret}"}), 201).json
        alert_id = stack.query("SELECT id::text FROM crisis_alerts WHERE source = 'post' AND source_id = %s",
                               (post["id"],))[0][0]
        for sub in subs:
            _, ev = sub.wait_for(lambda e: e.get("type") == "alert.new" and e["alert"]["id"] == alert_id, timeout=5)
            assert ev["alert"] == {"id": alert_id, "severity": "high", "source": "post",
                                   "created_at": ev["alert"]["created_at"]} and ev["at"]
            assert secret not in str(ev)
        assert not [e for e in quiet.drain() if e.get("type") == "alert.new"], "a seeker heard of an alert"
    finally:
        for sub in subs + [quiet]:
            sub.close()
