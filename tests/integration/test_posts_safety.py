"""cgi-bin/posts: reports (the post leaves the feed) and the crisis detector on posts (flags,
never blocks; alert queued; no text in alerts, audit rows or logs)."""

import uuid

import pytest

from astral_client import expect
from test_posts_fixtures import direct_request, feed_ids, helper, post, seeker


def test_report_hides_the_post(stack):
    a = seeker(stack)
    word = "rp" + uuid.uuid4().hex[:12]
    p = post(a, f"report me {word}")
    reporter, viewer = seeker(stack), seeker(stack)
    assert feed_ids(viewer, f"q={word}") == [p["id"]]
    r = expect(reporter.post(f"/api/posts/{p['id']}/report", {"reason": "spam", "note": "looks like an ad\nagain"}),
               201).json
    assert r["reason"] == "spam" and r["status"] == "open"
    assert feed_ids(viewer, f"q={word}") == []
    assert feed_ids(reporter, f"q={word}") == []
    assert p["id"] not in feed_ids(viewer)
    expect(viewer.get(f"/api/posts/{p['id']}"), 404)
    # The author still sees it among their posts.
    assert expect(a.get(f"/api/posts/{p['id']}"), 200).json["id"] == p["id"]
    rows = stack.query("SELECT reporter_id::text, reason, note, status FROM post_reports WHERE id = %s", (r["id"],))
    assert rows == [(reporter.user_id, "spam", "looks like an ad\nagain", "open")]
    assert stack.query("SELECT reported FROM posts WHERE id = %s", (p["id"],)) == [(True,)]
    # A second report by me is 409, another user's is 404 (the post is hidden now).
    expect(reporter.post(f"/api/posts/{p['id']}/report", {"reason": "hate"}), 409, "conflict")
    expect(viewer.post(f"/api/posts/{p['id']}/report", {"reason": "hate"}), 404, "not_found")
    audit = stack.query("SELECT action, detail FROM audit_log WHERE actor_id = %s AND object_id = %s",
                        (reporter.user_id, p["id"]))
    assert audit == [("post_report", "spam")]


@pytest.mark.parametrize("reason", ["spam", "hate", "self_harm", "inappropriate", "other"])
def test_report_every_reason(stack, reason):
    p = post(seeker(stack))
    expect(seeker(stack).post(f"/api/posts/{p['id']}/report", {"reason": reason}), 201)


@pytest.mark.parametrize("body,field", [
    ({}, "reason"), ({"reason": "boring"}, "reason"), ({"reason": "spam", "note": "n" * 501}, "note"),
    ({"reason": "spam", "note": 5}, "note"), ({"reason": "spam", "extra": 1}, "extra"),
    ({"reason": "spam", "status": "actioned"}, "status"),
])
def test_report_bad_input(stack, body, field):
    p = post(seeker(stack))
    expect(seeker(stack).post(f"/api/posts/{p['id']}/report", body), 400, "invalid_field", field)
    assert stack.query("SELECT reported FROM posts WHERE id = %s", (p["id"],)) == [(False,)]


def test_report_my_own_post_is_409_and_note_500_is_fine(stack):
    a = seeker(stack)
    p = post(a)
    expect(a.post(f"/api/posts/{p['id']}/report", {"reason": "other"}), 409, "conflict")
    expect(seeker(stack).post(f"/api/posts/{p['id']}/report", {"reason": "other", "note": "n" * 500}), 201)


def test_report_unknown_post_is_404(stack):
    expect(seeker(stack).post(f"/api/posts/{uuid.uuid4()}/report", {"reason": "spam"}), 404, "not_found")


CRISIS_TEXT = "I can't go on, I want to kill myself tonight"


def test_crisis_post_flags_alerts_and_keeps_text_out(stack):
    a = seeker(stack)
    canary = "canary" + uuid.uuid4().hex[:10]
    text = f"{CRISIS_TEXT} {canary}"
    p = expect(a.post("/api/posts", {"category": "Depression", "content": text}), 201).json
    assert p["status"] == "active" and p["content"] == text     # flagged, never blocked
    crisis = p["crisis"]
    assert crisis["severity"] == "high" and "suicide" in crisis["categories"]
    assert any("988" in r["contact"] for r in crisis["resources"])
    assert stack.query("SELECT crisis_severity FROM posts WHERE id = %s", (p["id"],)) == [("high",)]
    alerts = stack.query("SELECT user_id::text, source, severity, raised_by::text, status,"
                         " row_to_json(c)::text FROM crisis_alerts c WHERE source_id = %s", (p["id"],))
    assert len(alerts) == 1
    user_id, source, severity, raised_by, status, row = alerts[0]
    assert (user_id, source, severity, raised_by, status) == (a.user_id, "post", "high", a.user_id, "open")
    assert canary not in row and "kill myself" not in row
    audit = stack.query("SELECT row_to_json(l)::text FROM audit_log l WHERE object_id = %s", (p["id"],))
    assert audit and all(canary not in r[0] and "kill" not in r[0] for r in audit)
    assert not any(canary in r[0] for r in stack.query("SELECT row_to_json(l)::text FROM audit_log l"))
    for f in stack.log_files():
        if f.suffix == ".log" and "postgres" not in f.name:
            assert canary not in f.read_text(errors="replace"), f"post text in {f}"
    # Later reads do not repeat the crisis block.
    assert expect(a.get(f"/api/posts/{p['id']}"), 200).json["crisis"] is None


def test_ordinary_post_raises_no_alert(stack):
    a = seeker(stack)
    p = post(a, "I had a calm day and went for a walk")
    assert p["crisis"] is None
    assert stack.query("SELECT count(*) FROM crisis_alerts WHERE source_id = %s", (p["id"],)) == [(0,)]
    assert stack.query("SELECT crisis_severity FROM posts WHERE id = %s", (p["id"],)) == [("none",)]


def test_crisis_in_a_direct_request(stack):
    a = seeker(stack)
    h = helper(stack)
    r = expect(a.post("/api/posts/direct-requests",
                      {"helper_id": h.user_id, "category": "Other", "content": CRISIS_TEXT}), 201).json
    assert r["crisis"]["severity"] == "high"
    assert stack.query("SELECT source, severity FROM crisis_alerts WHERE source_id = %s",
                       (r["id"],)) == [("post", "high")]
    assert expect(h.get(f"/api/posts/{r['id']}"), 200).json["crisis"] is None


def test_hostile_text_is_stored_verbatim(stack):
    a = seeker(stack)
    for text in ["<script>alert(1)</script>", "' OR 1=1; DROP TABLE posts; --", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☃",
                 "Robert'); DELETE FROM audit_log;--"]:
        p = post(a, text)
        assert expect(a.get(f"/api/posts/{p['id']}"), 200).json["content"] == text
    dr = direct_request(a, helper(stack).user_id, "<img src=x onerror=alert(1)>")
    assert dr["content"] == "<img src=x onerror=alert(1)>"
