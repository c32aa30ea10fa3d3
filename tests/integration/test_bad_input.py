"""Bad input on every route with a body: always a 4xx JSON error naming the field, never a 5xx.

One table describes the routes (their fields, types and a valid body); bad_input_battery.py
generates the cases from it and checks the answers. The client checks every answer against
docs/openapi.yaml as well.
"""

import re
import uuid

import pytest

import bad_input_battery as battery
from astral_client import strong_password, unique

HOSTILE_TEXT = battery.hostile_text("users") + ["\u202e\u0007\u001b[31m", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☃ " * 3]


def route(method, path, auth, valid, fields, required):
    """auth: the route needs a signed-in caller."""
    return battery.route(method, path, valid, fields, required, auth=auth)


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
    route("PUT", "/api/me", True, lambda: {"display_name": "River"}, {"display_name": "str"}, ["display_name"]),
    route("DELETE", "/api/me", True, lambda: {"confirm": "delete my account"},
          {"confirm": "str"}, ["confirm"]),
]

# The auth routes are also sent a JSON array holding an object.
TOPLEVEL = battery.TOPLEVEL[:1] + [(b'[{"a": 1}]', " array of object")] + battery.TOPLEVEL[1:]

_sessions = {}


def session_for(stack, rt, fresh=False):
    """A Bearer session for routes that need one (one per route, or a fresh one)."""
    if not rt["auth"]:
        return stack.client("bearer")

    def signed_in():
        c = stack.client("bearer")
        c.anonymous()
        return c
    return battery.client_per_route(_sessions, rt, signed_in, fresh)


@pytest.mark.parametrize("rt,kind,payload,field",
                         battery.cases(ROUTES, HOSTILE_TEXT, toplevel=TOPLEVEL, unknown_fields=("role",)))
def test_bad_input(stack, rt, kind, payload, field):
    c = session_for(stack, rt, fresh=(kind == "hostile"))
    battery.check(rt, kind, payload, field, battery.sender(c, rt["method"], rt["path"]), rt["valid"])


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


def path_value(item, name):
    """A value for path parameter `name`: the first of its enum when the contract lists one
    (/healthz/{program}), else a uuid."""
    for op in item.values():
        for param in op.get("parameters", []) if isinstance(op, dict) else []:
            if param.get("in") == "path" and param.get("name") == name and "enum" in param.get("schema", {}):
                return param["schema"]["enum"][0]
    return str(uuid.uuid4())


def wrong_method_cases():
    from astral_client import contract
    out = []
    for template, item in contract().doc["paths"].items():
        allowed = {m.upper() for m in item if m in ("get", "post", "put", "delete", "patch")}
        path = re.sub(r"\{([A-Za-z_]+)\}", lambda m: path_value(item, m.group(1)), template)
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
