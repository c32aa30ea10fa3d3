"""Bad input on every habit route of cgi-bin/wellness: always a 4xx JSON error naming the field
(or `body` / `query` / `day`), never a 5xx, never a partial write. Generated from one table of
routes by bad_input_battery.py; the client checks every answer against docs/openapi.yaml."""

import datetime
import uuid

import pytest

import bad_input_battery as battery
from astral_client import expect
from bad_input_battery import assert_error
from test_wellness_mood_setup import day, new_person, track, utc_today

HOSTILE_TEXT = battery.hostile_text("habits") + ["\u202e\u0007\u001b[31m", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☃", "../../etc/passwd",
                                                 "%00%0d%0a", "=1+2"]

BODY_ROUTES = [
    battery.route("POST", "/api/wellness/habits", lambda: {"name": "Walk the dog", "category": "Movement"},
                  {"name": "str", "category": "str", "catalog_id": "str"}, [],
                  max_len={"name": 80, "catalog_id": 40, "category": 5000}),
]


@pytest.fixture(scope="module")
def clients():
    return {}


@pytest.fixture(scope="module")
def owner(stack):
    p = new_person(stack)
    h = track(p, catalog_id="drink-water")
    return p, h


def counts(stack, user_id):
    return stack.query("SELECT (SELECT count(*) FROM habits WHERE user_id = %s),"
                       " (SELECT count(*) FROM habit_completions WHERE user_id = %s)", (user_id, user_id))[0]


@pytest.mark.parametrize("rt,kind,payload,field",
                         battery.cases(BODY_ROUTES, HOSTILE_TEXT, unknown_fields=("user_id", "id", "created_at"),
                                       empty_body=True, control_chars=True))
def test_bad_body(stack, clients, rt, kind, payload, field):
    p = battery.client_per_route(clients, rt, lambda: new_person(stack))
    before = counts(stack, p.user_id)
    r = battery.check(rt, kind, payload, field, battery.sender(p, rt["method"], rt["path"]), rt["valid"])
    if kind == "hostile":
        if r.status < 400:
            assert field == "name", f"{field} accepted hostile text: {r!r}"
            assert r.json["name"] == payload
        return
    assert counts(stack, p.user_id) == before, "a refused request changed something"


BAD_DAYS = ["2026-02-30", "2026-13-01", "2026-1-01", "today", "20260101", "2026-01-01x", "0000-01-01",
            "9999-99-99", "%27%20OR%201%3D1--", "a" * 60]
BAD_ZONES = ["Mars%2FBase", "", "%2E%2E%2Fetc", "A" * 65, "Europe%2F", "%3Cscript%3E", "Etc%2FGMT%2B99",
             "UTC%2B5", "Europe%2FMadrid5"]


def path_cases():
    today = day(utc_today())
    out = []
    for method in ("POST", "DELETE"):
        for v in BAD_DAYS:
            out.append((method, "/api/wellness/habits/{H}/completions/" + v, "day"))
        for v in BAD_ZONES:
            out.append((method, f"/api/wellness/habits/{{H}}/completions/{today}?timezone=" + v, "timezone"))
        out.append((method, f"/api/wellness/habits/{{H}}/completions/{today}?zz=1", "query"))
        out.append((method, f"/api/wellness/habits/{{H}}/completions/{today}?timezone=UTC&user=x", "query"))
    return out


@pytest.mark.parametrize("method,path,field", path_cases())
def test_bad_completion_request(stack, owner, method, path, field):
    p, h = owner
    before = counts(stack, p.user_id)
    r = p.request(method, path.replace("{H}", h["id"]))
    assert_error(r, codes={"invalid_field"}, field=field, statuses={400})
    assert counts(stack, p.user_id) == before


@pytest.mark.parametrize("path,field", [
    ("/api/wellness/habits?timezone=Mars%2FBase", "timezone"), ("/api/wellness/habits?timezone=", "timezone"),
    ("/api/wellness/habits?timezone=" + "A" * 65, "timezone"), ("/api/wellness/habits?zz=1", "query"),
    ("/api/wellness/habits/catalog?category=Rest", "query"),
])
def test_bad_query(stack, owner, path, field):
    assert_error(owner[0].get(path), codes={"invalid_field"}, field=field, statuses={400})


BODYLESS = [("DELETE", "/api/wellness/habits/{H}"), ("POST", "/api/wellness/habits/{H}/completions/{D}"),
            ("DELETE", "/api/wellness/habits/{H}/completions/{D}")]


@pytest.mark.parametrize("method,path", BODYLESS, ids=[f"{m} {p}" for m, p in BODYLESS])
@pytest.mark.parametrize("payload,status,code", [
    (b'{"a": 1}', 400, "invalid_field"), (b"[]", 400, "invalid_field"), (b'{"a": ', 400, "invalid_json"),
    (b"\xff\xfe", 400, "invalid_json"), (b"{}", None, None), (b"", None, None)])
def test_bodyless_routes(stack, method, path, payload, status, code):
    p = new_person(stack)
    h = track(p, name="Body test", category="Rest")
    target = path.replace("{H}", h["id"]).replace("{D}", day(utc_today() - datetime.timedelta(days=1)))
    r = p.request(method, target, data=payload if payload else None)
    if status is None:
        assert r.status < 300, r
    else:
        assert_error(r, codes={code}, field="body", statuses={status})


@pytest.mark.parametrize("segment", ["not-a-uuid", "1", "%27%20OR%201%3D1--", "a" * 100,
                                     "00000000-0000-4000-8000-00000000000g", "..", "%2e%2e"])
@pytest.mark.parametrize("suffix", ["", "/completions/2026-01-01"])
@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_bad_habit_id_in_the_path_is_404(stack, owner, segment, suffix, method):
    if method == "POST" and suffix == "":
        return                                   # POST /api/wellness/habits/{id} is no route: 404 or 405
    r = owner[0].request(method, f"/api/wellness/habits/{segment}{suffix}")
    assert r.status == 404 and r.error_code == "not_found", r


def test_unknown_habit_is_404(stack, owner):
    expect(owner[0].post(f"/api/wellness/habits/{uuid.uuid4()}/completions/{day(utc_today())}"), 404, "not_found")
