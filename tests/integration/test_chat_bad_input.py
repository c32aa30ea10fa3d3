"""Bad input on every route of cgi-bin/chat: always a 4xx JSON error naming the field (or
`body` / `query`), never a 5xx, never a partial write. Generated from one table of routes by
bad_input_battery.py (as for test_bad_input.py); the client checks every answer against
docs/openapi.yaml."""

import base64
import uuid

import pytest

import bad_input_battery as battery
from bad_input_battery import assert_error
from test_chat_setup import end_session, new_session, send

HOSTILE_TEXT = battery.hostile_text("messages") + ["\u202e\u0007\u001b[31m", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☃ " * 3,
                                                   "../../etc/passwd", "%00%0d%0a"]


@pytest.fixture(scope="module")
def world(stack):
    s, h, sid = new_session(stack)
    m = send(h, sid, "a message to point at")["id"]
    return {"seeker": s, "helper": h, "sid": sid, "m": m}


# valid(world) → a body the route accepts; fields: name → kind
BODY_ROUTES = [
    battery.route("POST", "/api/sessions/{sid}/messages",
                  lambda w: {"text": "hello", "client_key": uuid.uuid4().hex},
                  {"text": "str", "client_key": "str"}, ["text", "client_key"]),
    battery.route("POST", "/api/sessions/{sid}/read", lambda w: {"up_to": w["m"]}, {"up_to": "str"}, ["up_to"]),
    battery.route("POST", "/api/sessions/{sid}/feedback", lambda w: {"helpful": True}, {"helpful": "bool"},
                  ["helpful"]),
    battery.route("POST", "/api/sessions/{sid}/emergency", lambda w: {}, {}, []),
]
# Routes that take no body at all.
BODYLESS_ROUTES = [("POST", "/api/sessions/{sid}/typing"), ("POST", "/api/sessions/{sid}/end"),
                   ("POST", "/api/sessions/{sid}/kudos"), ("POST", "/api/sessions/{sid}/favorite"),
                   ("DELETE", "/api/sessions/{sid}/favorite")]


def counts(stack, sid):
    return stack.query("SELECT (SELECT count(*) FROM messages WHERE session_id = %s),"
                       " (SELECT count(*) FROM crisis_alerts WHERE session_id = %s),"
                       " (SELECT row(helpful, seeker_read_seq) FROM help_sessions WHERE id = %s)::text",
                       (sid, sid, sid))[0]


@pytest.mark.parametrize("rt,kind,payload,field",
                         battery.cases(BODY_ROUTES, HOSTILE_TEXT, unknown_fields=("sender_id", "session_id")))
def test_bad_body(stack, world, rt, kind, payload, field):
    send_raw = battery.sender(world["seeker"], rt["method"], rt["path"].replace("{sid}", world["sid"]))
    before = counts(stack, world["sid"])
    r = battery.check(rt, kind, payload, field, send_raw, lambda: rt["valid"](world))
    if kind == "hostile":
        if r.status < 400 and field == "text":
            # Stored and given back exactly as written: escaping is the reader's job.
            assert r.json["text"] == payload
        return
    assert counts(stack, world["sid"]) == before, "a refused request changed something"


@pytest.mark.parametrize("method,path", BODYLESS_ROUTES, ids=[f"{m} {p}" for m, p in BODYLESS_ROUTES])
@pytest.mark.parametrize("payload,status,code", [
    (b'{"a": 1}', 400, "invalid_field"), (b"[]", 400, "invalid_field"), (b'{"a": ', 400, "invalid_json"),
    (b"\xff\xfe", 400, "invalid_json"), (b"{}", None, None), (b"", None, None)])
def test_bodyless_routes(stack, method, path, payload, status, code):
    s, h, sid = new_session(stack)
    if path.endswith("/kudos"):
        end_session(s, sid)
    r = s.request(method, path.replace("{sid}", sid), data=payload if payload else None)
    if status is None:
        assert r.status < 300, r
    else:
        assert_error(r, codes={code}, field="body", statuses={status})


def test_bodyless_route_with_a_text_body_is_415(stack, world):
    r = world["seeker"].request("POST", f"/api/sessions/{world['sid']}/typing", data=b"hi", content_type="text/plain")
    assert_error(r, codes={"unsupported_media_type"}, statuses={415})


# ------------------------------------------------------------------ queries

BAD_LIMITS = ["0", "101", "-1", "abc", "1e3", "1.5", "99999999999999999999", "", "%2B5", "0x10", " 5"]
BAD_UUIDS = ["x", "1", "00000000-0000-0000-0000-00000000000", "00000000-0000-0000-0000-0000000000000",
             "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", "%27%20OR%201%3D1--", "a" * 300, "%00"]


def token(*parts):
    """A cursor in lib/cursor.c's format, with any parts."""
    raw = b"c1" + b"".join(b"\x1f" + p.encode() for p in parts)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


BAD_CURSORS = ["x", "!!!!", "YWJj", "a" * 300, "%00", "%27%20OR%201%3D1--", "%3Cscript%3E",
               token("1700000000000000", "not-a-uuid"), token("-1", str(uuid.UUID(int=0))),
               token("1700000000000000"), token("abc", str(uuid.uuid4())),
               token("1700000000000000", str(uuid.uuid4()), "extra"),
               token("1700000000000000", str(uuid.uuid4())) + "="]


def query_cases():
    out = []
    for v in BAD_LIMITS:
        out.append(("/api/sessions?limit=" + v, "limit"))
        out.append(("/api/sessions/{sid}/messages?limit=" + v, "limit"))
    for v in ["bogus", "ACTIVE", "", "active,ended", "%00"]:
        out.append(("/api/sessions?status=" + v, "status"))
    for v in BAD_CURSORS:
        out.append(("/api/sessions?cursor=" + v, "cursor"))
    for v in BAD_UUIDS:
        out.append(("/api/sessions/{sid}/messages?after=" + v, "after"))
        out.append(("/api/sessions/{sid}/messages?before=" + v, "before"))
        out.append(("/api/rt/connect?session=" + v, "session"))
    for v in ["a%20b", "%3Cscript%3E", "1%0d%0aX-Injected:%201", "a/b", "a%3Fb", "a%26b", "%00", "",
              "1" * 101, "1700000000%3A0%5B0%5D"]:
        out.append(("/api/rt/connect?last_event_id=" + v, "last_event_id"))
    for p in ["/api/sessions", "/api/sessions/{sid}/messages", "/api/rt/connect", "/api/sessions/{sid}"]:
        out.append((p + "?zz=1", "query"))
        out.append((p + "?limit=5&role=admin", "query"))
    return out


@pytest.mark.parametrize("path,field", query_cases())
def test_bad_query(stack, world, path, field):
    r = world["seeker"].get(path.replace("{sid}", world["sid"]))
    assert_error(r, codes={"invalid_field"}, field=field, statuses={400})


@pytest.mark.parametrize("segment", ["not-a-uuid", "1", "%27%20OR%201%3D1--", "a" * 100,
                                     "00000000-0000-4000-8000-00000000000g", "..", "%2e%2e"])
@pytest.mark.parametrize("suffix", ["", "/messages", "/end", "/read"])
def test_bad_session_id_in_the_path_is_404(stack, world, segment, suffix):
    method = "GET" if suffix in ("", "/messages") else "POST"
    r = world["seeker"].request(method, f"/api/sessions/{segment}{suffix}",
                                **({} if method == "GET" else {"json_body": {"up_to": world["m"]}}))
    assert r.status == 404 and r.error_code == "not_found", r


def test_forged_cursor_is_only_another_position(stack, world):
    """A well-formed cursor names a place in my list, never someone else's rows."""
    r = world["helper"].get("/api/sessions?cursor=" + token("9999999999999999", str(uuid.uuid4())))
    assert r.status == 200 and [x["id"] for x in r.json["items"]] == [world["sid"]], r
