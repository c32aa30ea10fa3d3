"""cgi-bin/helpers: bad input on every route with a body or a query is a 4xx JSON error naming the
field, never a 5xx (the cases come from bad_input_battery.py, as for test_bad_input.py). The client
checks every answer against docs/openapi.yaml as well."""

import base64
import json
import uuid

import pytest

import bad_input_battery as battery
from bad_input_battery import assert_error

WRONG_TYPES = {**battery.WRONG_TYPES,
               "list": ["Depression", 1, True, None, {}, [1], [None], [["Depression"]]]}
HOSTILE_TEXT = battery.hostile_text("helper_profiles") + ["\u202e RTL override", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☃ " * 3,
                                                          "line\nbreak\ttab", "%00%27", "\\u0000"]
MALFORMED = battery.MALFORMED[:2] + [(b'{"bio": "x",}', " trailing comma"), (b"", " empty body")]


def route(method, path, valid, fields, required, profile):
    """profile: the helper needs a profile before the call (PUT routes) or must not have one."""
    return battery.route(method, path, valid, fields, required, profile=profile)


ROUTES = [
    route("POST", "/api/helpers/me", lambda: {"bio": "I listen.", "expertise": ["Depression"]},
          {"bio": "str", "expertise": "list"}, ["bio", "expertise"], False),
    route("PUT", "/api/helpers/me", lambda: {"bio": "I listen well."},
          {"bio": "str", "expertise": "list"}, [], True),
    route("PUT", "/api/helpers/me/availability", lambda: {"online": True},
          {"online": "bool"}, ["online"], True),
]


def cases():
    out = battery.cases(ROUTES, HOSTILE_TEXT, wrong_types=WRONG_TYPES, malformed=MALFORMED,
                        unknown_fields=("user_id", "display_name", "available"))
    # Lists of expertise: too many items, or an item that is hostile text.
    for rt in ROUTES:
        for f, kind in rt["fields"].items():
            if kind == "list":
                for case in ("too_many", "hostile_item"):
                    out.append(pytest.param(rt, case, None, f, id=f"{rt['name']} {case} {f}"))
    return out


_sessions = {}


def session_for(stack, rt, fresh=False):
    def registered():
        c = stack.client("bearer")
        c.register()
        if rt["profile"]:
            r = c.post("/api/helpers/me", {"bio": "Before.", "expertise": ["Loneliness"]})
            assert r.status == 201, r
        return c
    return battery.client_per_route(_sessions, rt, registered, fresh)


@pytest.mark.parametrize("rt,kind,payload,field", cases())
def test_helpers_bad_input(stack, rt, kind, payload, field):
    c = session_for(stack, rt, fresh=(kind == "hostile"))
    send = battery.sender(c, rt["method"], rt["path"])

    if kind == "too_many":
        r = send(battery.body_with(rt["valid"](), field, json.dumps(["Depression"] * 17)))
        assert_error(r, codes={"invalid_field"}, field=field, statuses={400})
    elif kind == "hostile_item":
        for item in HOSTILE_TEXT:
            r = send(battery.body_with(rt["valid"](), field, json.dumps([item])))
            assert_error(r, codes={"invalid_field"}, field=field, statuses={400})
    else:
        # Here a malformed body (the empty one among them) may also be answered invalid_field.
        r = battery.check(rt, kind, payload, field, send, rt["valid"],
                          malformed_codes=("invalid_json", "invalid_field"))
        if kind == "hostile" and r.status < 400:
            stored = c.get("/api/helpers/me").json
            assert stored[field] == payload, "hostile text must come back exactly as sent"


# ------------------------------------------------------------------ the directory's query

def b64url(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


GOOD_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"


def token(*parts):
    """A cursor in lib/cursor.h's format: base64url of "c1", each part after a 0x1F."""
    return b64url(b"c1" + b"".join(b"\x1f" + p for p in parts))


def by_name(name_bytes, sort=b"n", helper=GOOD_ID.encode()):
    return token(sort, helper, b64url(name_bytes).encode())


def by_join(key, helper=GOOD_ID.encode()):
    return token(b"j", helper, key)


# (cursor, the sort it is sent with)
BAD_CURSORS = [
    ("x", ""), ("%%%", ""), ("====", ""), ("AAAA=", ""), ("not a cursor", ""), ("a" * 401, ""),
    (b64url(b""), ""), (token(), ""), (token(b"n"), ""), (token(b"n", GOOD_ID.encode()), ""),  # no key
    (by_name(b"Name", sort=b"z"), ""),                                             # unknown sort
    (by_name(b"Name", helper=b"0" * 36), ""),                                      # not a uuid
    (by_name(b"\x00x"), ""),                                                       # NUL in the name
    (by_name(b"\xff\xfe"), ""),                                                    # not UTF-8
    (by_name(b"\x1b[31m"), ""),                                                    # control character
    (by_name("é".encode() * 51), ""),                                              # longer than a name
    (by_join(b"12x"), "&sort=joined"),
    (by_join(b"-5"), "&sort=joined"),
    (by_join(b"99999999999999999999999"), "&sort=joined"),
    (by_join(b"253402300800000000"), "&sort=joined"),                               # after year 9999
]


@pytest.mark.parametrize("query,field", [
    ("limit=0", "limit"), ("limit=101", "limit"), ("limit=-1", "limit"), ("limit=abc", "limit"),
    ("limit=1.5", "limit"), ("limit=99999999999999999999", "limit"), ("limit=", "limit"),
    ("online=yes", "online"), ("online=", "online"), ("online=TRUE", "online"), ("online=2", "online"),
    ("expertise=Cats", "expertise"), ("expertise=", "expertise"), ("expertise=depression", "expertise"),
    ("expertise=Anxiety", "expertise"), ("expertise=%27%20OR%201%3D1", "expertise"),
    ("expertise=Depression%00", "expertise"), ("expertise=%ff%fe", "expertise"),
    ("sort=newest", "sort"), ("sort=", "sort"), ("sort=name%3B", "sort"),
    ("cursor=", "cursor"),
    ("role=admin", "query"), ("user_id=" + GOOD_ID, "query"), ("zz=1", "query"),
])
def test_helpers_list_bad_query(stack, query, field):
    c = stack.client("bearer")
    c.anonymous()
    r = c.get(f"/api/helpers?{query}")
    assert_error(r, codes={"invalid_field"}, field=field, statuses={400})


@pytest.mark.parametrize("cursor,sort", BAD_CURSORS, ids=lambda v: v[:40])
def test_helpers_list_bad_cursor(stack, cursor, sort):
    c = stack.client("bearer")
    c.anonymous()
    r = c.get(f"/api/helpers?cursor={cursor}{sort}")
    assert_error(r, codes={"invalid_field"}, field="cursor", statuses={400})


def test_helpers_list_forged_but_wellformed_cursor_is_a_position(stack):
    """A cursor built by hand is only another position in the list: never an error, never
    another person's data."""
    c = stack.client("bearer")
    c.anonymous()
    for cursor, sort in ((by_name(b"' OR 1=1 --", helper=str(uuid.uuid4()).encode()), ""),
                         (by_name("𝔘𝔫𝔦".encode()), ""),
                         (by_join(b"0", helper=str(uuid.uuid4()).encode()), "&sort=joined"),
                         (by_join(b"253402300799999999"), "&sort=joined")):
        r = c.get(f"/api/helpers?cursor={cursor}{sort}")
        assert r.status == 200, r
        assert all(set(i) >= {"id", "display_name", "bio"} for i in r.json["items"])


def test_helpers_list_hostile_but_valid_query(stack):
    c = stack.client("bearer")
    c.anonymous()
    r = c.get("/api/helpers?expertise=Academic%2FWork%20Stress&online=0&sort=joined&limit=100")
    assert r.status == 200, r
