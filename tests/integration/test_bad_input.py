"""Bad input on every route with a body: always a 4xx JSON error naming the field, never a 5xx.

One table describes the routes (their fields, types and a valid body); the cases are generated
from it. The client checks every answer against docs/openapi.yaml as well.
"""

import json
import uuid

import pytest

from astral_client import strong_password, unique

# field kinds → values of the wrong type
WRONG_TYPES = {
    "str": [123, 1.5, True, None, [], {}],
    "bool": ["true", 1, 0, None, [], {}],
    "list": ["Grief", 1, True, None, {}],
}
HUGE_NUMBERS = ["1e400", "-1e400", "123456789012345678901234567890", "1.7976931348623157e309"]
HOSTILE_TEXT = ["' OR 1=1; DROP TABLE users; --", "<script>alert(1)</script>",
                "\"><img src=x onerror=alert(1)>", "Robert'); DELETE FROM audit_log;--",
                "\u202e\u0007\u001b[31m", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☃ " * 3]


def route(method, path, auth, valid, fields, required):
    return {"method": method, "path": path, "auth": auth, "valid": valid, "fields": fields,
            "required": required}


ROUTES = [
    route("POST", "/api/auth/anonymous", False, lambda: {}, {}, []),
    route("POST", "/api/auth/register", False,
          lambda: {"username": unique("bi"), "password": strong_password(), "display_name": "Bad Input"},
          {"username": "str", "password": "str", "display_name": "str"},
          ["username", "password", "display_name"]),
    route("POST", "/api/auth/login", False,
          lambda: {"username": unique("bi"), "password": strong_password()},
          {"username": "str", "password": "str", "totp_code": "str"}, ["username", "password"]),
    route("POST", "/api/auth/recover", False,
          lambda: {"recovery_code": "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH"},
          {"recovery_code": "str"}, ["recovery_code"]),
    route("POST", "/api/auth/refresh", False, lambda: {"refresh_token": "A" * 43},
          {"refresh_token": "str"}, []),
    route("POST", "/api/auth/password", True, lambda: {"new_password": strong_password()},
          {"new_password": "str", "current_password": "str"}, ["new_password"]),
    route("POST", "/api/auth/mfa", True, lambda: {"action": "confirm", "code": "123456"},
          {"action": "str", "code": "str"}, ["action"]),
    route("DELETE", "/api/auth/mfa", True, lambda: {"code": "123456"}, {"code": "str"}, ["code"]),
    route("PUT", "/api/me/preferences", True, lambda: {"theme": "dark"},
          {"theme": "str", "language": "str", "content_filters": "list", "research_consent": "bool"},
          []),
    route("POST", "/api/me/consents", True, lambda: {"document": "terms_of_service", "version": "1.0"},
          {"document": "str", "version": "str"}, ["document", "version"]),
    route("POST", "/api/me/blocks", True, lambda: {"user_id": str(uuid.uuid4())},
          {"user_id": "str"}, ["user_id"]),
    route("DELETE", "/api/me", True, lambda: {"confirm": "delete my account"},
          {"confirm": "str"}, ["confirm"]),
]


def cases():
    """(id, route, kind, payload, field)"""
    out = []
    for rt in ROUTES:
        rid = f"{rt['method']} {rt['path']}"

        def add(kind, payload, field=None, extra=""):
            out.append(pytest.param(rt, kind, payload, field, id=f"{rid} {kind}{extra}"))

        add("malformed", b'{"a": ')
        add("malformed", b"{'single': 'quotes'}", extra=" quotes")
        add("malformed", b'{"a": 1,}', extra=" trailing comma")
        add("toplevel", b"[]", extra=" array")
        add("toplevel", b'[{"a": 1}]', extra=" array of object")
        add("toplevel", b'"text"', extra=" string")
        add("toplevel", b"42", extra=" number")
        add("toplevel", b"null", extra=" null")
        add("deep", b'{"x": ' + b"[" * 5000 + b"]" * 5000 + b"}")
        add("unknown", None, "zz_unknown_field")
        add("unknown", None, "role", extra=" role")
        add("oversize", None)
        add("content_type", None)
        for f in rt["required"]:
            add("missing", None, f, extra=f" {f}")
        for f, kind in rt["fields"].items():
            for i, v in enumerate(WRONG_TYPES[kind]):
                add("wrong_type", v, f, extra=f" {f} {json.dumps(v)}")
            for n in HUGE_NUMBERS:
                add("huge_number", n, f, extra=f" {f} {n}")
            if kind == "str":
                add("bad_utf8", b"\xff\xfe", f, extra=f" {f} ff fe")
                add("bad_utf8", b"\xc3\x28", f, extra=f" {f} c3 28")
                add("bad_utf8", b"\xed\xa0\x80", f, extra=f" {f} surrogate")
                add("nul", None, f, extra=f" {f}")
                add("too_long", None, f, extra=f" {f}")
                for i, t in enumerate(HOSTILE_TEXT):
                    add("hostile", t, f, extra=f" {f} #{i}")
    return out


_sessions = {}


def session_for(stack, rt, fresh=False):
    """A Bearer session for routes that need one (one per route, or a fresh one)."""
    if not rt["auth"]:
        return stack.client("bearer")
    key = (rt["method"], rt["path"])
    if fresh or key not in _sessions:
        c = stack.client("bearer")
        c.anonymous()
        if fresh:
            return c
        _sessions[key] = c
    return _sessions[key]


def body_with(rt, field, raw_value):
    """The valid body with `field` set to raw JSON text (str) or raw bytes."""
    body = rt["valid"]()
    marker = "@@RAW-VALUE@@"
    body[field] = marker
    raw = raw_value if isinstance(raw_value, bytes) else raw_value.encode("utf-8")
    return json.dumps(body).encode("utf-8").replace(json.dumps(marker).encode(), raw)


def assert_error(r, codes=None, field=None, statuses=range(400, 500)):
    assert r.status in statuses, f"expected 4xx, got {r!r}"
    assert r.headers.get("Content-Type", "").startswith("application/json"), r
    assert r.json and r.error_code, f"no error.code: {r!r}"
    if codes is not None:
        assert r.error_code in codes, f"error.code {r.error_code!r} not in {codes}: {r!r}"
    if field is not None and r.error_code == "invalid_field":
        assert field in r.error_fields, f"error.fields does not name {field!r}: {r!r}"


@pytest.mark.parametrize("rt,kind,payload,field", cases())
def test_bad_input(stack, rt, kind, payload, field):
    c = session_for(stack, rt, fresh=(kind == "hostile"))
    send = lambda data, **kw: c.request(rt["method"], rt["path"], data=data, **kw)  # noqa: E731

    if kind == "malformed":
        assert_error(send(payload), codes={"invalid_json"}, statuses={400})
    elif kind in ("toplevel", "deep"):
        assert_error(send(payload), codes={"invalid_json", "invalid_field"}, statuses={400})
    elif kind == "unknown":
        body = rt["valid"]()
        body[field] = 1
        r = send(json.dumps(body).encode())
        assert_error(r, codes={"invalid_field"}, statuses={400})
        assert r.error_fields.get(field) == "unknown field", r
    elif kind == "missing":
        body = rt["valid"]()
        del body[field]
        r = send(json.dumps(body).encode())
        assert_error(r, codes={"invalid_field"}, statuses={400})
        assert field in r.error_fields, r
    elif kind == "oversize":
        body = rt["valid"]()
        body["padding"] = "x" * (70 * 1024)
        r = send(json.dumps(body).encode())
        assert_error(r, codes={"payload_too_large"}, statuses={413})
    elif kind == "content_type":
        r = send(json.dumps(rt["valid"]()).encode(), content_type="text/plain")
        assert_error(r, codes={"unsupported_media_type"}, statuses={415})
    elif kind == "wrong_type":
        r = send(body_with(rt, field, json.dumps(payload)))
        assert_error(r, codes={"invalid_field"}, statuses={400})
        assert field in r.error_fields, r
    elif kind == "huge_number":
        r = send(body_with(rt, field, payload))
        assert_error(r, codes={"invalid_json", "invalid_field"}, field=field, statuses={400})
    elif kind == "bad_utf8":
        r = send(body_with(rt, field, b'"ok' + payload + b'ok"'))
        assert_error(r, codes={"invalid_json", "invalid_field"}, field=field, statuses={400})
    elif kind == "nul":
        r = send(body_with(rt, field, '"a\\u0000b"'))
        assert_error(r, codes={"invalid_field"}, field=field, statuses={400})
    elif kind == "too_long":
        r = send(body_with(rt, field, json.dumps("y" * 5000)))
        assert_error(r, codes={"invalid_field"}, field=field, statuses={400})
    elif kind == "hostile":
        r = send(body_with(rt, field, json.dumps(payload)))
        assert r.status < 500, f"hostile text caused a server error: {r!r}"
        if r.status >= 400:
            assert_error(r)
    else:
        raise AssertionError(kind)


# ------------------------------------------------------------------ routes and methods

@pytest.mark.parametrize("method,path", [
    ("GET", "/api/auth/nope"), ("POST", "/api/auth/nope"), ("GET", "/api/me/nope"),
    ("GET", "/api/nope"), ("GET", "/api/auth/session/extra"), ("GET", "/api/me/blocks/a/b"),
])
def test_unknown_route_404_json(bearer, method, path):
    bearer.anonymous()
    r = bearer.request(method, path)
    assert r.status == 404, r
    assert r.error_code == "not_found", r


METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"]


def wrong_method_cases():
    from astral_client import contract
    out = []
    for template, item in contract().doc["paths"].items():
        allowed = {m.upper() for m in item if m in ("get", "post", "put", "delete", "patch")}
        path = template.replace("{userId}", str(uuid.uuid4()))
        for m in METHODS:
            if m not in allowed:
                out.append(pytest.param(m, path, allowed, id=f"{m} {template}"))
    return out


@pytest.mark.parametrize("method,path,allowed", wrong_method_cases())
def test_wrong_method_405_with_allow(bearer, method, path, allowed):
    bearer.anonymous()
    if method == "GET":
        r = bearer.request(method, path)
    else:
        r = bearer.request(method, path, json_body={})
    assert r.status == 405, r
    assert r.error_code == "method_not_allowed", r
    allow = {m.strip().upper() for m in r.headers.get("Allow", "").split(",") if m.strip()}
    assert allowed <= allow <= allowed | {"HEAD", "OPTIONS"}, \
        f"Allow {r.headers.get('Allow')!r}, expected {sorted(allowed)}"


@pytest.mark.parametrize("header", ["Authorization", "Cookie", "X-CSRF-Token"])
def test_oversized_header_is_4xx_json(stack, header):
    """Headers beyond nginx's buffers (here 40 KB) are refused with a JSON error like every other
    API error, not nginx's HTML page."""
    c = stack.client("bearer", check_contract=False)
    r = c.request("GET", "/api/auth/session", headers={header: "Bearer " + "x" * 40960})
    assert 400 <= r.status < 500, r
    assert r.headers.get("Content-Type", "").startswith("application/json"), r
    assert r.error_code, r
