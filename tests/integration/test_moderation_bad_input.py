"""Bad input on every route of cgi-bin/moderation with a body or a query: always a 4xx JSON error
naming the field (or `body` / `query`), never a 5xx, never a partial write. The body cases come
from bad_input_battery.py; the client checks every answer against docs/openapi.yaml."""

import base64
import uuid

import pytest

import bad_input_battery as battery
from bad_input_battery import assert_error
from test_moderation_setup import (CRISIS_TEXT, new_admin, new_helper, new_seeker, new_session, new_staff,
                                   reported_post, send)
from test_videos_setup import mp4_bytes, new_user, upload_ok

WRONG_TYPES = {**battery.WRONG_TYPES, "int": ["1", 1.5, True, None, [], {}, -1, 0, 87601]}
HOSTILE_TEXT = battery.hostile_text("moderation_actions") + ["\u202e RTL override", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☃ " * 3,
                                                             "line\nbreak\ttab", "%00%27"]


@pytest.fixture(scope="module")
def world(stack):
    mod, admin = new_staff(stack), new_admin(stack)
    author, post_id, _ = reported_post(stack)
    seeker, helper, sid = new_session(stack)
    m = send(seeker, sid, CRISIS_TEXT)
    alert = stack.query("SELECT id::text FROM crisis_alerts WHERE source_id = %s", (m["id"],))[0][0]
    target = new_seeker(stack)
    video = upload_ok(new_user(stack), mp4_bytes(payload=77))["id"]
    applicant = new_helper(stack)
    application = str(uuid.uuid4())
    stack.query("INSERT INTO helper_applications (id, helper_id, quiz_score, submitted_at) VALUES (%s, %s, 90, now())",
                (application, applicant.id))
    return {"mod": mod, "admin": admin, "post": post_id, "sid": sid, "alert": alert, "user": target.id,
            "video": video, "application": application}


def route(method, path, valid, fields, required, who="mod", **extra):
    return battery.route(method, path, valid, fields, required, who=who, **extra)


REASON = {"reason": "str"}
BODY_ROUTES = [
    route("POST", "/api/moderation/reports/{post}/dismiss", lambda: {"note": "Fine."}, {"note": "str"}, [],
          max_len={"note": 500}),
    route("DELETE", "/api/moderation/posts/{post}", lambda: {"reason": "Spam."}, REASON, ["reason"],
          max_len={"reason": 500}),
    route("POST", "/api/moderation/alerts/{alert}/resolve", lambda: {"note": "Called them."}, {"note": "str"},
          ["note"], max_len={"note": 1000}),
    route("POST", "/api/moderation/users/{user}/warn", lambda: {"reason": "Be kind."}, REASON, ["reason"],
          max_len={"reason": 500}),
    route("POST", "/api/moderation/users/{user}/ban", lambda: {"reason": "Spam.", "hours": 1},
          {"reason": "str", "hours": "int"}, ["reason"], max_len={"reason": 500}),
    route("POST", "/api/moderation/users/{user}/unban", lambda: {"reason": "Appeal."}, REASON, ["reason"],
          max_len={"reason": 500}),
    route("POST", "/api/moderation/videos/{video}/reject", lambda: {"reason": "Too loud."}, REASON, ["reason"],
          max_len={"reason": 500}),
    route("POST", "/api/moderation/break-glass",
          lambda: {"session_id": "{sid}", "reason": "A safety review of this chat.", "minutes": 5},
          {"session_id": "str", "reason": "str", "minutes": "int"}, ["session_id", "reason"],
          max_len={"reason": 500, "session_id": 36}),
    route("PUT", "/api/admin/applications/{application}", lambda: {"status": "rejected", "notes": "Retake the quiz."},
          {"status": "str", "notes": "str"}, ["status"], who="admin", max_len={"status": 8, "notes": 1000}),
    route("PUT", "/api/admin/users/{user}/role", lambda: {"role": "helper", "tier": "community"},
          {"role": "str", "tier": "str"}, ["role"], who="admin", max_len={"role": 9, "tier": 9}),
]


def fill(text, w):
    for k, v in w.items():
        if isinstance(v, str):
            text = text.replace("{" + k + "}", v)
    return text


def state(stack, w):
    """What a refused request must not have changed."""
    return stack.query(
        "SELECT (SELECT count(*) FROM moderation_actions), (SELECT count(*) FROM account_bans),"
        " (SELECT count(*) FROM break_glass_grants),"
        " (SELECT status FROM crisis_alerts WHERE id = %s), (SELECT status FROM posts WHERE id = %s),"
        " (SELECT string_agg(status, ',') FROM post_reports WHERE post_id = %s),"
        " (SELECT status FROM wellness_videos WHERE id = %s), (SELECT status FROM helper_applications WHERE id = %s),"
        " (SELECT role::text FROM users WHERE id = %s)",
        (w["alert"], w["post"], w["post"], w["video"], w["application"], w["user"]))[0]


def body_cases():
    out = battery.cases(BODY_ROUTES, HOSTILE_TEXT, wrong_types=WRONG_TYPES,
                        unknown_fields=("moderator_id", "user_id", "status", "staff_id", "decided_by"))
    # A huge or negative duration and a role outside the list.
    return out


@pytest.mark.parametrize("rt,kind,payload,field", body_cases())
def test_bad_body(stack, world, rt, kind, payload, field):
    client = world[rt["who"]]
    send_raw = battery.sender(client, rt["method"], fill(rt["path"], world))
    valid = lambda: {k: fill(v, world) if isinstance(v, str) else v for k, v in rt["valid"]().items()}
    before = state(stack, world)
    r = battery.check(rt, kind, payload, field, send_raw, valid)
    if kind == "hostile":
        return
    assert state(stack, world) == before, "a refused request changed something"


# ------------------------------------------------------------------ routes without a body

BODYLESS = [("POST", "/api/moderation/alerts/{alert}/ack"), ("POST", "/api/moderation/videos/{video}/approve")]


@pytest.mark.parametrize("method,path", BODYLESS, ids=[p for _, p in BODYLESS])
@pytest.mark.parametrize("payload,status,code", [
    (b'{"a": 1}', 400, "invalid_field"), (b"[]", 400, "invalid_field"), (b'{"a": ', 400, "invalid_json"),
    (b"\xff\xfe", 400, "invalid_json")])
def test_bodyless_routes_refuse_a_body(stack, world, method, path, payload, status, code):
    before = state(stack, world)
    r = world["mod"].request(method, fill(path, world), data=payload)
    assert_error(r, codes={code}, field="body", statuses={status})
    r = world["mod"].request(method, fill(path, world), data=b"hi", content_type="text/plain")
    assert_error(r, codes={"unsupported_media_type"}, statuses={415})
    assert state(stack, world) == before


# ------------------------------------------------------------------ queries

BAD_LIMITS = ["0", "101", "-1", "abc", "1e3", "1.5", "99999999999999999999", "", "%2B5", "0x10", " 5"]
BAD_UUIDS = ["x", "1", "00000000-0000-0000-0000-00000000000", "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz",
             "%27%20OR%201%3D1--", "a" * 300, "%00"]
BAD_DATES = ["2026-13-01", "2026-02-30", "yesterday", "2026-1-1", "%00", "2026-01-01T00:00:00Z", ""]


def token(*parts):
    raw = b"c1" + b"".join(b"\x1f" + p.encode() for p in parts)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


BAD_CURSORS = ["x", "!!!!", "YWJj", "a" * 600, "%00", "%27%20OR%201%3D1--", "%3Cscript%3E",
               token("r", "0", "1700000000000000"), token("r", "5", "1700000000000000", str(uuid.uuid4())),
               token("r", "0", "-1", str(uuid.uuid4())), token("zz", "0", "1", str(uuid.uuid4())),
               token("active", "3", "1", str(uuid.uuid4())), token("m", "-1"), token("l", "0"),
               token("v", "1700000000000000", "not-a-uuid")]

LISTS = [("/api/moderation/reports", "mod"), ("/api/moderation/alerts", "mod"), ("/api/moderation/videos", "mod"),
         ("/api/moderation/sessions/{sid}/messages", "mod"), ("/api/admin/applications", "admin"),
         ("/api/admin/audit", "admin")]


def query_cases():
    out = []
    for path, who in LISTS:
        for v in BAD_LIMITS:
            out.append((f"{path}?limit={v}", who, "limit"))
        for v in BAD_CURSORS:
            out.append((f"{path}?cursor={v}", who, "cursor"))
        out.append((f"{path}?zz=1", who, "query"))
        out.append((f"{path}?limit=5&limit=6", who, "limit"))
    for v in ["bogus", "ACTIVE", "", "open,resolved", "%00"]:
        out.append((f"/api/moderation/alerts?status={v}", "mod", "status"))
        out.append((f"/api/admin/applications?status={v}", "admin", "status"))
    for v in ["0", "366", "-5", "x", "", "30.5"]:
        out.append((f"/api/admin/stats?days={v}", "admin", "days"))
    for name in ("actor", "subject"):
        for v in BAD_UUIDS:
            out.append((f"/api/admin/audit?{name}={v}", "admin", name))
    for name in ("action", "object_type"):
        for v in ["User_Warn", "user-warn", "a" * 65, "%27%20OR%201%3D1--", "", "x%00"]:
            out.append((f"/api/admin/audit?{name}={v}", "admin", name))
    for name in ("from", "to"):
        for v in BAD_DATES:
            out.append((f"/api/admin/audit?{name}={v}", "admin", name))
    for v in ["yes", "2", "", "TRUE "]:
        out.append((f"/api/admin/audit?verify={v}", "admin", "verify"))
    for path in ("/api/moderation/history", "/api/moderation/break-glass", f"/api/moderation/users/{uuid.uuid4()}",
                 "/api/moderation/alerts/{alert}"):
        out.append((f"{path}?limit=5", "mod", "query"))
        out.append((f"{path}?excerpt=1", "mod", "query"))
    return out


@pytest.mark.parametrize("path,who,field", query_cases())
def test_bad_query(stack, world, path, who, field):
    r = world[who].get(fill(path, world))
    assert_error(r, codes={"invalid_field"}, field=field, statuses={400})


@pytest.mark.parametrize("segment", ["not-a-uuid", "1", "%27%20OR%201%3D1--", "a" * 100, "..", "%2e%2e"])
@pytest.mark.parametrize("path", ["/api/moderation/users/@", "/api/moderation/alerts/@",
                                  "/api/moderation/alerts/@/ack", "/api/moderation/sessions/@/messages",
                                  "/api/admin/users/@/role"])
def test_bad_id_in_the_path_is_404(stack, world, segment, path):
    method = "GET" if path.endswith(("@", "messages")) else ("PUT" if "/admin/" in path else "POST")
    who = "admin" if "/admin/" in path else "mod"
    r = world[who].request(method, path.replace("@", segment),
                           **({} if method == "GET" else {"json_body": {"role": "helper"}}))
    assert r.status == 404 and r.error_code == "not_found", r
