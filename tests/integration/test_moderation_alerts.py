"""The crisis alert queue (cgi-bin/moderation): ranked by severity then age, acknowledged and
resolved with a note, the flagged excerpt (at most 280 characters of the post or message that
fired, nothing for the other sources, and no other message of the conversation) read one alert at
a time (the queue carries no words, only `has_excerpt`), the page function of migration 0029
(staff only, the queue item as the single read shows it), and `alert.new` reaching a moderator's
open stream."""

import uuid

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
    expect(mod.post(f"/api/moderation/alerts/{alert_id}/ack"), 409, "conflict", reason="already_resolved")
    expect(mod.post(f"/api/moderation/alerts/{alert_id}/resolve", {"note": "again"}), 409, "conflict",
           reason="already_resolved")
    rows = audit_rows(stack, "alert_resolve", actor_id=other.id, object_id=alert_id)
    assert rows and rows[0][4] == person.id and note in rows[0][6]


def listed(mod, alert_id, query=""):
    """The alert as the queue shows it."""
    return next(x for x in all_pages(mod, "/api/moderation/alerts" + query)[0] if x["id"] == alert_id)


def test_excerpt_of_a_post_is_its_first_280_characters(stack):
    mod = new_staff(stack)
    seeker = new_seeker(stack)
    content = CRISIS_TEXT + ". " + "Everything feels heavy and grey. " * 20
    post = expect(seeker.post("/api/posts", {"category": "Depression", "content": content}), 201).json
    alert_id = stack.query("SELECT id::text FROM crisis_alerts WHERE source = 'post' AND source_id = %s",
                           (post["id"],))[0][0]
    # The queue says there are words to read, and shows none.
    a = listed(mod, alert_id)
    assert a["source"] == "post" and a["source_id"] == post["id"]
    assert a["excerpt"] is None and a["has_excerpt"] is True
    assert audit_rows(stack, "alert_excerpt_read", actor_id=mod.id, object_id=alert_id) == []
    # Asked for, one alert: the post's first 280 characters, audited with the person as subject.
    one = expect(mod.get(f"/api/moderation/alerts/{alert_id}"), 200).json
    assert one["excerpt"] == content[:280] and len(content) > 280 and one["has_excerpt"] is True
    assert {k: v for k, v in one.items() if k != "excerpt"} == {k: v for k, v in a.items() if k != "excerpt"}
    rows = audit_rows(stack, "alert_excerpt_read", actor_id=mod.id, object_id=alert_id)
    assert len(rows) == 1 and rows[0][4] == seeker.id and rows[0][6] == "post"


def test_the_queue_writes_one_audit_row_and_reads_no_words(stack, old_alerts):
    mod = new_staff(stack)
    person = new_seeker(stack)
    expect(person.post("/api/posts", {"category": "Other", "content": CRISIS_TEXT}), 201)
    for day in (1, 2, 3):
        old_alerts(person.id, "medium", day)
    before = stack.query("SELECT coalesce(max(id), 0) FROM audit_log")[0][0]
    r = expect(mod.get("/api/moderation/alerts?limit=100"), 200)
    assert r.json["items"] and all(a["excerpt"] is None for a in r.json["items"])
    rows = stack.query("SELECT action, detail FROM audit_log WHERE id > %s AND actor_id = %s ORDER BY id",
                       (before, mod.id))
    assert rows == [("alert_queue_read", "active")]


def test_excerpt_of_a_message_is_that_message_only(stack):
    mod = new_staff(stack)
    seeker, helper, sid = new_session(stack)
    before = send(seeker, sid, "Some context about my week that stays private.")
    text = CRISIS_TEXT + " " + "and nobody would notice at all " * 12
    m = send(seeker, sid, text)
    send(helper, sid, "I'm here with you. Can you tell me where you are?")
    alert_id = stack.query("SELECT id::text FROM crisis_alerts WHERE source = 'message' AND source_id = %s",
                           (m["id"],))[0][0]
    q = listed(mod, alert_id)
    assert q["source"] == "message" and q["excerpt"] is None and q["has_excerpt"] is True
    assert audit_rows(stack, "alert_excerpt_read", actor_id=mod.id, object_id=alert_id) == []
    one = expect(mod.get(f"/api/moderation/alerts/{alert_id}"), 200).json
    assert one["excerpt"] == text[:280] and len(text) > 280 and one["has_excerpt"] is True
    rows = audit_rows(stack, "alert_excerpt_read", actor_id=mod.id, object_id=alert_id)
    assert len(rows) == 1 and rows[0][4] == seeker.id and rows[0][6] == "message"
    # Acknowledging answers the one alert with its words too, and that read is audited as well.
    a = expect(mod.post(f"/api/moderation/alerts/{alert_id}/ack"), 200).json
    assert a["source"] == "message" and a["session_id"] == sid
    assert a["excerpt"] == text[:280] and a["has_excerpt"] is True
    assert len(audit_rows(stack, "alert_excerpt_read", actor_id=mod.id, object_id=alert_id)) == 2
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
    q = listed(mod, r["alert_id"])
    assert q["source"] == "emergency" and q["excerpt"] is None and q["has_excerpt"] is False
    one = expect(mod.get(f"/api/moderation/alerts/{r['alert_id']}"), 200).json
    assert one["excerpt"] is None and one["has_excerpt"] is False and one["session_id"] == sid
    # Reading it is audited, and it is no read of anyone's words.
    rows = audit_rows(stack, "alert_read", actor_id=mod.id, object_id=r["alert_id"])
    assert len(rows) == 1 and rows[0][4] == seeker.id and rows[0][6] == "emergency"
    a = expect(mod.post(f"/api/moderation/alerts/{r['alert_id']}/ack"), 200).json
    assert a["source"] == "emergency" and a["excerpt"] is None and a["severity"] == "high"
    assert a["has_excerpt"] is False
    assert audit_rows(stack, "alert_excerpt_read", actor_id=mod.id, object_id=r["alert_id"]) == []


def test_a_removed_source_post_still_has_its_excerpt_for_staff(stack):
    """Staff read a removed post (least sight: the one that fired); has_excerpt says so."""
    mod = new_staff(stack)
    seeker = new_seeker(stack)
    post = expect(seeker.post("/api/posts", {"category": "Other", "content": CRISIS_TEXT}), 201).json
    alert_id = stack.query("SELECT id::text FROM crisis_alerts WHERE source = 'post' AND source_id = %s",
                           (post["id"],))[0][0]
    expect(mod.request("DELETE", f"/api/moderation/posts/{post['id']}", json_body={"reason": "Safety."}), 200)
    assert listed(mod, alert_id)["has_excerpt"] is True
    assert expect(mod.get(f"/api/moderation/alerts/{alert_id}"), 200).json["excerpt"] == CRISIS_TEXT
    # The post gone altogether: nothing to show, and the alert stays in the queue.
    stack.query("DELETE FROM posts WHERE id = %s", (post["id"],))
    assert listed(mod, alert_id)["has_excerpt"] is False
    one = expect(mod.get(f"/api/moderation/alerts/{alert_id}"), 200).json
    assert one["excerpt"] is None and one["has_excerpt"] is False


def test_one_alert_that_does_not_exist_is_404_and_writes_nothing(stack):
    mod = new_staff(stack)
    before = stack.query("SELECT coalesce(max(id), 0) FROM audit_log")[0][0]
    expect(mod.get(f"/api/moderation/alerts/{uuid.uuid4()}"), 404, "not_found")
    assert stack.query("SELECT count(*) FROM audit_log WHERE id > %s AND actor_id = %s", (before, mod.id))[0][0] == 0


def app_page(stack, role, user_id, status=None, limit=5):
    """astral_alert_queue_page() called as the application role with `role` as the caller."""
    conn = stack.app_db()
    try:
        with conn.cursor() as cur:
            cur.execute("BEGIN")
            cur.execute("SELECT set_config('astral.user_id', %s, true), set_config('astral.role', %s, true)",
                        (user_id, role))
            cur.execute("SELECT id::text, rank FROM astral_alert_queue_page(%s, NULL, NULL, NULL, %s)", (status, limit))
            rows = cur.fetchall()
            cur.execute("ROLLBACK")
            return rows
    finally:
        conn.close()


def test_the_page_function_answers_staff_only(stack, old_alerts):
    """Migration 0029: the page is read with the owner's rights, for staff and nobody else."""
    mod = new_staff(stack)
    person = new_seeker(stack)
    mine = old_alerts(person.id, "high", 1)
    first = [a["id"] for a in expect(mod.get("/api/moderation/alerts?limit=5"), 200).json["items"]]
    assert mine in first
    assert [r[0] for r in app_page(stack, "moderator", mod.id)] == first
    assert [r[0] for r in app_page(stack, "admin", mod.id)] == first
    # Everyone else, the person the alert is about included, gets nothing from it.
    for role in ("seeker", "helper", "anonymous"):
        assert app_page(stack, role, person.id) == []
    # Nobody but the application role may call it.
    grants = stack.query("SELECT array_agg(CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee)::text"
                         " END) FROM pg_proc p, aclexplode(p.proacl) a"
                         " WHERE p.proname = 'astral_alert_queue_page' AND a.privilege_type = 'EXECUTE'")[0][0]
    assert set(grants) <= {"astral_app", "astral_owner"} and "astral_app" in grants, grants
    assert stack.query("SELECT prosecdef FROM pg_proc WHERE proname = 'astral_alert_queue_page'")[0][0] is True


def test_a_queue_item_is_the_alert_as_read_alone_without_its_words(stack, old_alerts):
    """The queue's page (read whole by migration 0029's function) and the single read (statements.c)
    format an alert the same way: every field but the excerpt, for every kind of source and status."""
    mod, other = new_staff(stack), new_staff(stack)
    seeker, helper, sid = new_session(stack)
    post = expect(seeker.post("/api/posts", {"category": "Other", "content": CRISIS_TEXT}), 201).json
    from_post = stack.query("SELECT id::text FROM crisis_alerts WHERE source = 'post' AND source_id = %s",
                            (post["id"],))[0][0]
    m = send(seeker, sid, CRISIS_TEXT)
    from_message = stack.query("SELECT id::text FROM crisis_alerts WHERE source = 'message' AND source_id = %s",
                               (m["id"],))[0][0]
    emergency = expect(seeker.post(f"/api/sessions/{sid}/emergency", {}), 201).json["alert_id"]
    acknowledged = old_alerts(seeker.id, "low", 5)
    expect(other.post(f"/api/moderation/alerts/{acknowledged}/ack"), 200)
    resolved = old_alerts(seeker.id, "medium", 6)
    expect(other.post(f"/api/moderation/alerts/{resolved}/resolve", {"note": "Called back; safe tonight."}), 200)
    for alert_id, query in ((from_post, ""), (from_message, ""), (emergency, ""), (acknowledged, ""),
                            (resolved, "?status=resolved")):
        queued = listed(mod, alert_id, query)
        alone = expect(mod.get(f"/api/moderation/alerts/{alert_id}"), 200).json
        assert queued["excerpt"] is None
        assert {k: v for k, v in queued.items() if k != "excerpt"} == \
            {k: v for k, v in alone.items() if k != "excerpt"}, alert_id
    assert listed(mod, resolved, "?status=resolved")["resolved_by"]["id"] == other.id
    assert listed(mod, acknowledged)["acknowledged_by"]["id"] == other.id


@pytest.mark.nginx_only("event streams are nchan's; behind Apache the UI polls (test_apache_front.py)")
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
