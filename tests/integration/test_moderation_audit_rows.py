"""Every staff action of cgi-bin/moderation leaves an audit row naming the actor, the action, the
object and whose data it was (and the reason, where there is one). One table: each row prepares
its case, makes the call and names the audit row it must find."""

import re
import uuid
from pathlib import Path

import pytest

from astral_client import expect
from test_moderation_setup import (CRISIS_TEXT, insert_alert, new_admin, new_helper, new_post, new_seeker,
                                   new_session, new_staff, reported_post, send)
from test_videos_setup import mp4_bytes, new_user, upload_ok

REASON = "A reason written for the audit test."


@pytest.fixture(scope="module")
def people(stack):
    return {"mod": new_staff(stack), "admin": new_admin(stack)}


# Each case: (the contract's route, who acts, prepare(stack) → (method, path, body, object_id,
#             subject_id), status, action, object_type, outcome, detail)
def _report_queue(stack):
    return "GET", "/api/moderation/reports", None, None, None


def _dismiss(stack):
    author, post_id, _ = reported_post(stack)
    return "POST", f"/api/moderation/reports/{post_id}/dismiss", {"note": REASON}, post_id, author.id


def _remove(stack):
    author, post_id, _ = reported_post(stack)
    return "DELETE", f"/api/moderation/posts/{post_id}", {"reason": REASON}, post_id, author.id


def _alert_queue(stack):
    return "GET", "/api/moderation/alerts", None, None, None


def _message_alert(stack):
    seeker, _, sid = new_session(stack)
    m = send(seeker, sid, CRISIS_TEXT)
    alert_id = stack.query("SELECT id::text FROM crisis_alerts WHERE source_id = %s", (m["id"],))[0][0]
    return alert_id, seeker.id


def _alert_read(stack):
    alert_id, person = _message_alert(stack)
    return "GET", f"/api/moderation/alerts/{alert_id}", None, alert_id, person


def _post_alert_read(stack):
    seeker = new_seeker(stack)
    post = expect(seeker.post("/api/posts", {"category": "Other", "content": CRISIS_TEXT}), 201).json
    alert_id = stack.query("SELECT id::text FROM crisis_alerts WHERE source_id = %s", (post["id"],))[0][0]
    return "GET", f"/api/moderation/alerts/{alert_id}", None, alert_id, seeker.id


def _emergency_alert_read(stack):
    seeker, _, sid = new_session(stack)
    alert_id = expect(seeker.post(f"/api/sessions/{sid}/emergency", {}), 201).json["alert_id"]
    return "GET", f"/api/moderation/alerts/{alert_id}", None, alert_id, seeker.id


def _ack(stack):
    alert_id, person = _message_alert(stack)
    return "POST", f"/api/moderation/alerts/{alert_id}/ack", None, alert_id, person


def _excerpt(stack):
    return _ack(stack)


def _resolve(stack):
    alert_id, person = _message_alert(stack)
    return "POST", f"/api/moderation/alerts/{alert_id}/resolve", {"note": REASON}, alert_id, person


def _user_read(stack):
    s = new_seeker(stack)
    return "GET", f"/api/moderation/users/{s.id}", None, s.id, s.id


def _warn(stack):
    s = new_seeker(stack)
    return "POST", f"/api/moderation/users/{s.id}/warn", {"reason": REASON}, s.id, s.id


def _ban(stack):
    s = new_seeker(stack)
    return "POST", f"/api/moderation/users/{s.id}/ban", {"reason": REASON, "hours": 3}, s.id, s.id


def _unban(stack):
    s = new_seeker(stack)
    stack.query("INSERT INTO account_bans (user_id, reason, created_at) VALUES (%s, 'earlier', now())", (s.id,))
    return "POST", f"/api/moderation/users/{s.id}/unban", {"reason": REASON}, s.id, s.id


def _denied(stack):
    return "POST", f"/api/moderation/users/{new_admin(stack).id}/warn", {"reason": REASON}, None, None


def _video_queue(stack):
    return "GET", "/api/moderation/videos", None, None, None


def _video(stack):
    u = new_user(stack)
    return upload_ok(u, mp4_bytes(payload=64))["id"], u.user_id


def _approve(stack):
    vid, uploader = _video(stack)
    return "POST", f"/api/moderation/videos/{vid}/approve", None, vid, uploader


def _reject(stack):
    vid, uploader = _video(stack)
    return "POST", f"/api/moderation/videos/{vid}/reject", {"reason": REASON}, vid, uploader


def _grant(stack):
    seeker, _, sid = new_session(stack)
    return "POST", "/api/moderation/break-glass", {"session_id": sid, "reason": REASON}, sid, seeker.id


def _grants(stack):
    return "GET", "/api/moderation/break-glass", None, None, None


def _transcript_denied(stack):
    seeker, _, sid = new_session(stack)
    return "GET", f"/api/moderation/sessions/{sid}/messages", None, sid, None


def _applications(stack):
    return "GET", "/api/admin/applications?status=all", None, None, None


def _decide(stack):
    h = new_helper(stack)
    app_id = str(uuid.uuid4())
    stack.query("INSERT INTO helper_applications (id, helper_id, quiz_score, submitted_at) VALUES (%s, %s, 90, now())",
                (app_id, h.id))
    return "PUT", f"/api/admin/applications/{app_id}", {"status": "rejected", "notes": REASON}, app_id, h.id


# Refusals that write nothing still leave their audit row (outcome denied), as a refused sanction
# (_denied) and a refused transcript read (_transcript_denied) do.
def _remove_removed(stack):
    author, post_id, _ = reported_post(stack)
    stack.query("UPDATE posts SET status = 'removed' WHERE id = %s", (post_id,))
    return "DELETE", f"/api/moderation/posts/{post_id}", {"reason": REASON}, post_id, author.id


def _resolved_alert(stack):
    s = new_seeker(stack)
    return insert_alert(stack, s.id, status="resolved"), s.id


def _ack_resolved(stack):
    alert_id, person = _resolved_alert(stack)
    return "POST", f"/api/moderation/alerts/{alert_id}/ack", None, alert_id, person


def _resolve_resolved(stack):
    alert_id, person = _resolved_alert(stack)
    return "POST", f"/api/moderation/alerts/{alert_id}/resolve", {"note": REASON}, alert_id, person


def _unban_not_banned(stack):
    s = new_seeker(stack)
    return "POST", f"/api/moderation/users/{s.id}/unban", {"reason": REASON}, s.id, s.id


def _decided_video(stack):
    vid, uploader = _video(stack)
    stack.query("UPDATE wellness_videos SET status = 'approved', decided_at = now() WHERE id = %s", (vid,))
    return vid, uploader


def _approve_decided(stack):
    vid, uploader = _decided_video(stack)
    return "POST", f"/api/moderation/videos/{vid}/approve", None, vid, uploader


def _reject_decided(stack):
    vid, uploader = _decided_video(stack)
    return "POST", f"/api/moderation/videos/{vid}/reject", {"reason": REASON}, vid, uploader


def _decide_decided(stack):
    method, path, body, app_id, helper = _decide(stack)
    stack.query("UPDATE helper_applications SET status = 'approved', decided_at = now() WHERE id = %s", (app_id,))
    return method, path, body, app_id, helper


def _decide_not_helper(stack):
    method, path, _, app_id, helper = _decide(stack)
    stack.query("UPDATE users SET role = 'seeker', helper_tier = NULL WHERE id = %s", (helper,))
    return method, path, {"status": "approved"}, app_id, helper


def _role_banned(stack):
    s = new_seeker(stack)
    stack.query("INSERT INTO account_bans (user_id, reason, created_at) VALUES (%s, 'earlier', now())", (s.id,))
    return "PUT", f"/api/admin/users/{s.id}/role", {"role": "moderator"}, s.id, s.id


def _role(stack):
    s = new_seeker(stack)
    return "PUT", f"/api/admin/users/{s.id}/role", {"role": "helper"}, s.id, s.id


def _stats(stack):
    return "GET", "/api/admin/stats?days=7", None, None, None


def _audit(stack):
    return "GET", "/api/admin/audit?limit=1", None, None, None


CASES = [
    ("GET", "/api/moderation/reports", "mod", _report_queue,
     200, "report_queue_read", "post_report", "success", "queue"),
    ("POST", "/api/moderation/reports/{post_id}/dismiss", "mod", _dismiss,
     200, "report_dismiss", "post", "success", "dismissed: " + REASON),
    ("DELETE", "/api/moderation/posts/{id}", "mod", _remove,
     200, "post_remove", "post", "success", "removed: " + REASON),
    ("GET", "/api/moderation/alerts", "mod", _alert_queue,
     200, "alert_queue_read", "crisis_alert", "success", "active"),
    ("GET", "/api/moderation/alerts/{id}", "mod", _alert_read,
     200, "alert_excerpt_read", "crisis_alert", "success", "message"),
    ("GET", "/api/moderation/alerts/{id}", "mod", _post_alert_read,
     200, "alert_excerpt_read", "crisis_alert", "success", "post"),
    ("GET", "/api/moderation/alerts/{id}", "mod", _emergency_alert_read,
     200, "alert_read", "crisis_alert", "success", "emergency"),
    ("POST", "/api/moderation/alerts/{id}/ack", "mod", _ack,
     200, "alert_ack", "crisis_alert", "success", "acknowledged"),
    ("POST", "/api/moderation/alerts/{id}/ack", "mod", _excerpt,
     200, "alert_excerpt_read", "crisis_alert", "success", "message"),
    ("POST", "/api/moderation/alerts/{id}/resolve", "mod", _resolve,
     200, "alert_resolve", "crisis_alert", "success", "resolved: " + REASON),
    ("GET", "/api/moderation/users/{id}", "mod", _user_read,
     200, "moderation_user_read", "user", "success", "status"),
    ("POST", "/api/moderation/users/{id}/warn", "mod", _warn,
     200, "user_warn", "user", "success", "warning: " + REASON),
    ("POST", "/api/moderation/users/{id}/ban", "mod", _ban,
     200, "user_ban", "user", "success", "ban_hours_3: " + REASON),
    ("POST", "/api/moderation/users/{id}/unban", "mod", _unban,
     200, "user_unban", "user", "success", "unban: " + REASON),
    ("POST", "/api/moderation/users/{id}/warn", "mod", _denied, 403, "sanction_denied", "user", "denied", "admin"),
    ("GET", "/api/moderation/videos", "mod", _video_queue,
     200, "video_queue_read", "wellness_video", "success", "pending"),
    ("POST", "/api/moderation/videos/{id}/approve", "mod", _approve,
     200, "video_approve", "wellness_video", "success", "approved"),
    ("POST", "/api/moderation/videos/{id}/reject", "mod", _reject,
     200, "video_reject", "wellness_video", "success", "rejected: " + REASON),
    ("POST", "/api/moderation/break-glass", "mod", _grant,
     201, "break_glass_open", "help_session", "success", "grant_minutes_30: " + REASON),
    ("GET", "/api/moderation/break-glass", "mod", _grants,
     200, "break_glass_list", "break_glass_grant", "success", "active"),
    ("GET", "/api/moderation/sessions/{id}/messages", "mod", _transcript_denied,
     403, "break_glass_read", "help_session", "denied", "no_grant"),
    ("GET", "/api/admin/applications", "admin", _applications,
     200, "application_list", "helper_application", "success", "all"),
    ("PUT", "/api/admin/applications/{id}", "admin", _decide,
     200, "application_decide", "helper_application", "success", "rejected: " + REASON),
    ("PUT", "/api/admin/users/{id}/role", "admin", _role, 200, "role_change", "user", "success", "seeker_to_helper"),
    ("DELETE", "/api/moderation/posts/{id}", "mod", _remove_removed,
     409, "post_remove", "post", "denied", "already_removed"),
    ("POST", "/api/moderation/alerts/{id}/ack", "mod", _ack_resolved,
     409, "alert_ack", "crisis_alert", "denied", "already_resolved"),
    ("POST", "/api/moderation/alerts/{id}/resolve", "mod", _resolve_resolved,
     409, "alert_resolve", "crisis_alert", "denied", "already_resolved"),
    ("POST", "/api/moderation/users/{id}/unban", "mod", _unban_not_banned,
     409, "user_unban", "user", "denied", "not_banned"),
    ("POST", "/api/moderation/videos/{id}/approve", "mod", _approve_decided,
     409, "video_approve", "wellness_video", "denied", "already_decided"),
    ("POST", "/api/moderation/videos/{id}/reject", "mod", _reject_decided,
     409, "video_reject", "wellness_video", "denied", "already_decided"),
    ("PUT", "/api/admin/applications/{id}", "admin", _decide_decided,
     409, "application_decide", "helper_application", "denied", "already_decided"),
    ("PUT", "/api/admin/applications/{id}", "admin", _decide_not_helper,
     409, "application_decide", "helper_application", "denied", "not_helper"),
    ("PUT", "/api/admin/users/{id}/role", "admin", _role_banned, 409, "role_change", "user", "denied", "ban_in_force"),
    ("GET", "/api/admin/stats", "admin", _stats, 200, "stats_read", "community", "success", "days_7"),
    ("GET", "/api/admin/audit", "admin", _audit, 200, "audit_query", "audit_log", "success", "list"),
]


@pytest.mark.parametrize("method,route,who,prepare,status,action,object_type,outcome,detail", CASES,
                         ids=[c[5] for c in CASES])
def test_staff_action_is_audited(stack, people, method, route, who, prepare, status, action, object_type, outcome,
                                 detail):
    actor = people[who]
    call_method, path, body, object_id, subject_id = prepare(stack)
    assert call_method == method and re.fullmatch(re.sub(r"\\\{[a-z_]+\\\}", "[0-9a-f-]{36}", re.escape(route)),
                                                  path.split("?")[0]), (method, route, call_method, path)
    before = stack.query("SELECT coalesce(max(id), 0) FROM audit_log")[0][0]
    r = actor.request(call_method, path, **({} if body is None else {"json_body": body}))
    expect(r, status)
    rows = stack.query("SELECT actor_role, object_type, object_id, subject_id::text, outcome, detail, request_id"
                       " FROM audit_log WHERE id > %s AND actor_id = %s AND action = %s ORDER BY id",
                       (before, actor.id, action))
    assert rows, f"no {action} audit row for {method} {path}"
    role, otype, oid, subject, out, det, request_id = rows[-1]
    assert (role, otype, out) == (actor.role, object_type, outcome), rows
    assert det == detail, rows
    if object_id is not None:
        assert oid == object_id, rows
    if subject_id is not None:
        assert subject == subject_id, rows
    assert request_id == r.headers["X-Request-Id"]


def test_every_route_has_a_case():
    """The table above reaches every staff and admin route of the contract."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "moderation-api-contract.md").read_text()
    routes = {(m.group(1), m.group(2)) for m in
              re.finditer(r"^\|\s*([A-Z]+)\s*\|\s*(/api/\S+)\s*\|\s*(?:staff|admin)\s*\|", text, re.M)}
    assert routes and routes == {(c[0], c[1]) for c in CASES}


def test_refused_change_of_my_own_role_is_audited(stack, people):
    """The one refusal the table cannot prepare: the path names the acting admin."""
    admin = people["admin"]
    before = stack.query("SELECT coalesce(max(id), 0) FROM audit_log")[0][0]
    expect(admin.put(f"/api/admin/users/{admin.id}/role", {"role": "seeker"}), 409, "conflict", "user")
    assert stack.query("SELECT object_id, subject_id::text, outcome, detail FROM audit_log"
                       " WHERE id > %s AND actor_id = %s AND action = 'role_change'", (before, admin.id)) == \
        [(admin.id, admin.id, "denied", "own_role")]
