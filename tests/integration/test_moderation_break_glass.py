"""Break-glass (cgi-bin/moderation): without a grant of one's own no transcript (403 naming
`grant`); a grant opens the whole conversation, decrypted, for its minutes only (by the server's
clock, which the `clock` fixture moves); opening, reading and refused reads are audited."""

from astral_client import expect
from test_moderation_setup import audit_rows, new_seeker, new_session, new_staff, send

REASON = "Safety review after a high-severity alert."


def test_no_grant_no_transcript(stack):
    mod = new_staff(stack)
    _, _, sid = new_session(stack)
    r = expect(mod.get(f"/api/moderation/sessions/{sid}/messages"), 403, "forbidden", "grant", reason="no_grant")
    assert "items" not in (r.json or {})
    rows = audit_rows(stack, "break_glass_read", actor_id=mod.id, object_id=sid)
    assert [(row[5], row[6]) for row in rows] == [("denied", "no_grant")]


def test_grant_opens_the_transcript_until_it_expires(stack, clock):
    mod, other = new_staff(stack, clock), new_staff(stack, clock)
    seeker, helper, sid = new_session(stack)
    texts = ["I have had a very hard week.", "I'm listening. What happened?", "Everything at once, really."]
    sent = [send(seeker, sid, texts[0]), send(helper, sid, texts[1]), send(seeker, sid, texts[2])]
    g = expect(mod.post("/api/moderation/break-glass", {"session_id": sid, "reason": REASON, "minutes": 10}), 201).json
    assert g["session_id"] == sid and g["reason"] == REASON and g["active"] is True
    listed = expect(mod.get("/api/moderation/break-glass"), 200).json["items"]
    assert [x["id"] for x in listed] == [g["id"]]
    assert expect(other.get("/api/moderation/break-glass"), 200).json["items"] == []

    body = expect(mod.get(f"/api/moderation/sessions/{sid}/messages"), 200).json
    assert [(m["id"], m["text"], m["sender_role"]) for m in body["items"]] == \
        [(m["id"], t, r) for m, t, r in zip(sent, texts, ["seeker", "helper", "seeker"])]
    assert all(m["mine"] is False for m in body["items"]) and body["next"] is None
    # Pages of one message walk the same conversation.
    page = expect(mod.get(f"/api/moderation/sessions/{sid}/messages?limit=1"), 200).json
    seen = [m["id"] for m in page["items"]]
    while page["next"]:
        page = expect(mod.get(f"/api/moderation/sessions/{sid}/messages?limit=1&cursor={page['next']}"), 200).json
        seen += [m["id"] for m in page["items"]]
    assert seen == [m["id"] for m in sent]
    # The grant is its holder's alone.
    expect(other.get(f"/api/moderation/sessions/{sid}/messages"), 403, "forbidden", "grant")

    clock.advance(9 * 60)
    mod.relogin(clock)
    expect(mod.get(f"/api/moderation/sessions/{sid}/messages"), 200)
    clock.advance(60 + 5)
    mod.relogin(clock)
    expect(mod.get(f"/api/moderation/sessions/{sid}/messages"), 403, "forbidden", "grant")
    assert expect(mod.get("/api/moderation/break-glass"), 200).json["items"] == []

    opened = audit_rows(stack, "break_glass_open", actor_id=mod.id, object_id=sid)
    assert len(opened) == 1 and opened[0][4] == seeker.id and REASON in opened[0][6]
    assert opened[0][6].startswith("grant_minutes_10: ")
    reads = audit_rows(stack, "break_glass_read", actor_id=mod.id, object_id=sid)
    assert [r[5] for r in reads].count("success") >= 3 and reads[-1][5] == "denied"
    assert all(r[4] == seeker.id for r in reads if r[5] == "success")
    assert g["id"] in reads[0][6]


def test_grant_needs_a_real_session_and_a_reason(stack):
    mod = new_staff(stack)
    _, _, sid = new_session(stack)
    expect(mod.post("/api/moderation/break-glass", {"session_id": sid, "reason": "too short"}), 400,
           "invalid_field", "reason")
    expect(mod.post("/api/moderation/break-glass", {"session_id": sid, "reason": REASON, "minutes": 61}), 400,
           "invalid_field", "minutes")
    expect(mod.post("/api/moderation/break-glass", {"session_id": sid, "reason": REASON, "minutes": 4}), 400,
           "invalid_field", "minutes")
    nobody = "00000000-0000-4000-8000-000000000001"
    expect(mod.post("/api/moderation/break-glass", {"session_id": nobody, "reason": REASON}), 404)
    g = expect(mod.post("/api/moderation/break-glass", {"session_id": sid, "reason": REASON}), 201).json
    # The default is 30 minutes.
    assert stack.query("SELECT extract(epoch FROM expires_at - created_at)::int FROM break_glass_grants"
                       " WHERE id = %s", (g["id"],)) == [(1800,)]
    # Nobody but staff opens one.
    expect(new_seeker(stack).post("/api/moderation/break-glass", {"session_id": sid, "reason": REASON}), 403)
