"""Bad input on every mood route of cgi-bin/wellness: always a 4xx JSON error naming the field
(or `body` / `query`), never a 5xx, never a partial write. Generated from one table of routes by
bad_input_battery.py; the client checks every answer against docs/openapi.yaml."""

import pytest

import bad_input_battery as battery
from bad_input_battery import assert_error
from test_wellness_mood_setup import new_person

HOSTILE_TEXT = battery.hostile_text("mood_checkins") + ["\u202e\u0007\u001b[31m", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☃ " * 3,
                                                        "../../etc/passwd", "%00%0d%0a", "=cmd|' /C calc'!A0"]
WRONG_TYPES = {**battery.WRONG_TYPES, "int": ["3", 3.5, True, None, [], {}]}

BODY_ROUTES = [
    battery.route("POST", "/api/wellness/mood",
                  lambda: {"mood": 3, "anxiety": 2, "sleep": 4, "energy": 3, "tags": ["Calm"], "note": "fine",
                           "timezone": "Europe/Madrid"},
                  {"mood": "int", "anxiety": "int", "sleep": "int", "energy": "int", "tags": "list", "note": "str",
                   "timezone": "str"},
                  ["mood"], max_len={"note": 1000, "timezone": 64}),
]


@pytest.fixture(scope="module")
def clients():
    return {}


def rows(stack, user_id):
    return stack.query("SELECT count(*), max(updated_at)::text FROM mood_checkins WHERE user_id = %s", (user_id,))[0]


@pytest.mark.parametrize("rt,kind,payload,field",
                         battery.cases(BODY_ROUTES, HOSTILE_TEXT, wrong_types=WRONG_TYPES, control_chars=False,
                                       unknown_fields=("user_id", "id", "day", "created_at")))
def test_bad_body(stack, clients, rt, kind, payload, field):
    p = battery.client_per_route(clients, rt, lambda: new_person(stack))
    before = rows(stack, p.user_id)
    r = battery.check(rt, kind, payload, field, battery.sender(p, rt["method"], rt["path"]), rt["valid"])
    if kind == "hostile":
        if r.status < 400:
            assert field == "note", f"{field} accepted hostile text: {r!r}"
            assert r.json["note"] == payload          # stored and given back exactly as written
        return
    assert rows(stack, p.user_id) == before, "a refused request changed something"


def test_control_characters_in_the_note_are_refused_but_lines_are_kept(stack):
    p = new_person(stack)
    r = p.request("POST", "/api/wellness/mood", data=b'{"mood": 3, "note": "a\\u0007b"}')
    assert_error(r, codes={"invalid_field"}, field="note", statuses={400})
    r = p.request("POST", "/api/wellness/mood", data=b'{"mood": 3, "note": "a\\nb\\tc"}')
    assert r.status == 201 and r.json["note"] == "a\nb\tc"


BAD_DAYS = ["2025-13-01", "2025-02-30", "yesterday", "", "2025-1-1", "%00", "2025-01-01T00:00", "a" * 300,
            "20250101", "2025%2D01%2D01x", "%27%20OR%201%3D1--", "0000-01-01"]
BAD_ZONES = ["Mars%2FBase", "", "%2E%2E%2Fetc", "A" * 65, "Europe%2F", "%2BUTC", "Europe%2F%2FMadrid",
             "%3Cscript%3E", "UTC%00", "Etc%2FGMT%2B99"]


def query_cases():
    out = []
    for v in BAD_DAYS:
        out.append(("/api/wellness/mood?from=" + v, "from"))
        out.append(("/api/wellness/mood?to=" + v, "to"))
    for v in ["14", "", "30.0", "-7", "1e1", "%00", "seven"]:
        out.append(("/api/wellness/mood/insights?days=" + v, "days"))
    for v in BAD_ZONES:
        out.append(("/api/wellness/mood/insights?timezone=" + v, "timezone"))
    for p in ["/api/wellness/mood", "/api/wellness/mood/insights", "/api/wellness/mood/export.csv"]:
        out.append((p + "?zz=1", "query"))
        out.append((p + "?user_id=00000000-0000-4000-8000-000000000000", "query"))
    return out


@pytest.mark.parametrize("path,field", query_cases())
def test_bad_query(stack, clients, path, field):
    p = battery.client_per_route(clients, {"name": "queries"}, lambda: new_person(stack))
    r = p.get(path)
    assert_error(r, codes={"invalid_field"}, field=field, statuses={400})


@pytest.mark.parametrize("method,path", [("PUT", "/api/wellness/mood"), ("DELETE", "/api/wellness/mood"),
                                         ("POST", "/api/wellness/mood/insights"),
                                         ("DELETE", "/api/wellness/mood/export.csv")])
def test_other_methods_are_405(stack, method, path):
    p = new_person(stack)
    r = p.request(method, path, json_body={})
    assert r.status == 405 and r.error_code == "method_not_allowed", r
