"""The helper program (cgi-bin/helpers: training, application, availability's end_rest, the
community): bad input on every new route with a body or a query is a 4xx JSON error naming the
field, never a 5xx (the cases come from bad_input_battery.py). The client checks every answer
against docs/openapi.yaml as well."""

import json
import uuid

import pytest

import bad_input_battery as battery
from astral_client import expect
from bad_input_battery import assert_error
from test_helper_training import answers_with, training
from test_helpers_profiles import make_session

WRONG_TYPES = {**battery.WRONG_TYPES,
               "obj": ["q1", 1, True, None, [], [["q1", "b"]]],
               "int": ["7", 1.5, True, None, [], {}]}
HOSTILE_TEXT = battery.hostile_text("community_posts") + ["\u202e RTL override", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☃ " * 3,
                                                          "line\nbreak\ttab", "%00%27", "\\u0000", "**bold** _md_"]
# Names a client might try to set on these routes (mass assignment).
UNKNOWN = ("helper_id", "author_id", "status", "score", "passed", "quiz_score", "post_count", "votes_for",
           "ends_at", "available")
RIGHT = {"q1": "b", "q2": "c", "q3": "a"}


def route(method, path, valid, fields, required, setup, **extra):
    """setup(stack, client) prepares the caller and returns the concrete path (ids filled in)."""
    return battery.route(method, path, valid, fields, required, setup=setup, **extra)


def plain(stack, c):
    return None


def trained(stack, c):
    expect(c.post("/api/helpers/me/training", {"answers": answers_with(training(c)["quiz"])}), 200)


def with_profile(stack, c):
    expect(c.post("/api/helpers/me", {"bio": "I listen.", "expertise": ["Loneliness"]}), 201)


def council(stack, c):
    seeker = stack.client("bearer")
    seeker.anonymous()
    for _ in range(4):
        make_session(stack, seeker.user_id, c.user_id, helpful=True)


def with_thread(stack, c):
    r = expect(c.post("/api/community/threads", {"title": "Bad input thread", "content": "first"}), 201).json
    return f"/api/community/threads/{r['thread']['id']}/posts"


def with_proposal(stack, c):
    author = stack.client("bearer")
    author.register()
    council(stack, author)
    p = expect(author.post("/api/community/proposals", {"title": "Bad input proposal", "description": "d"}), 201).json
    return f"/api/community/proposals/{p['id']}/vote"


ROUTES = [
    route("POST", "/api/helpers/me/training", lambda: {"answers": dict(RIGHT)}, {"answers": "obj"}, ["answers"], plain),
    route("POST", "/api/helpers/me/application", lambda: {"motivation": "I want to help."}, {"motivation": "str"}, [],
          trained, max_len={"motivation": 1000}),
    route("PUT", "/api/helpers/me/availability", lambda: {"online": True, "end_rest": True},
          {"online": "bool", "end_rest": "bool"}, ["online"], with_profile),
    route("POST", "/api/community/threads", lambda: {"title": "A thread", "content": "Hello there."},
          {"title": "str", "content": "str"}, ["title", "content"], plain, max_len={"title": 120, "content": 5000}),
    route("POST", "/api/community/threads/{id}/posts", lambda: {"content": "A reply."}, {"content": "str"},
          ["content"], with_thread, max_len={"content": 5000}),
    route("POST", "/api/community/proposals", lambda: {"title": "An idea", "description": "Why.", "days": 3},
          {"title": "str", "description": "str", "days": "int"}, ["title", "description"], council,
          max_len={"title": 120, "description": 2000}),
    route("POST", "/api/community/proposals/{id}/vote", lambda: {"vote": "for"}, {"vote": "str"}, ["vote"],
          with_proposal),
]


def cases():
    return battery.cases(ROUTES, HOSTILE_TEXT, wrong_types=WRONG_TYPES, unknown_fields=UNKNOWN)


_sessions = {}


def session_for(stack, rt, fresh=False):
    def make():
        c = stack.client("bearer")
        c.register()
        c.path = rt["setup"](stack, c) or rt["path"]
        return c
    return battery.client_per_route(_sessions, rt, make, fresh)


STORED = {
    "/api/helpers/me/application": lambda c: c.get("/api/helpers/me/application").json,
    "/api/community/threads": lambda c: expect(c.get("/api/community/threads?limit=1"), 200).json["items"][0],
}


@pytest.mark.parametrize("rt,kind,payload,field", cases())
def test_helper_program_bad_input(stack, rt, kind, payload, field):
    c = session_for(stack, rt, fresh=(kind == "hostile"))
    r = battery.check(rt, kind, payload, field, battery.sender(c, rt["method"], c.path), rt["valid"])
    if kind == "hostile" and r.status < 400 and rt["path"] in STORED and field in STORED[rt["path"]](c):
        assert STORED[rt["path"]](c)[field] == payload, "hostile text must come back exactly as sent"


# ------------------------------------------------------------------ the quiz's answers, member by member

@pytest.mark.parametrize("answers,field", [
    ({**RIGHT, "q1": {"x": 1}}, "answers.q1"),
    ({**RIGHT, "q2": ["c"]}, "answers.q2"),
    ({**RIGHT, "q3": None}, "answers.q3"),
    ({**RIGHT, "q3": "a" * 5000}, "answers.q3"),
    ({**RIGHT, "q1": "b\u0000"}, "answers.q1"),
    ({**RIGHT, "q1": "<script>alert(1)</script>"}, "answers.q1"),
    ({**RIGHT, "q4' OR 1=1 --": "a"}, "answers.q4' OR 1=1 --"),
    ({**RIGHT, "x" * 200: "a"}, "answers"),
    ({**RIGHT, "\u001b[31m": "a"}, "answers"),
    ({f"k{i}": "a" for i in range(17)}, "answers"),
])
def test_training_answers_bad_members(stack, answers, field):
    c = stack.client("bearer")
    c.register()
    expect(c.post("/api/helpers/me/training", {"answers": answers}), 400, "invalid_field", field)
    assert stack.query("SELECT count(*) FROM helper_training_attempts WHERE helper_id = %s", (c.user_id,))[0][0] == 0


@pytest.mark.parametrize("days", [0, 31, -1, 10 ** 6])
def test_proposal_days_out_of_range(stack, days):
    c = stack.client("bearer")
    c.register()
    council(stack, c)
    expect(c.post("/api/community/proposals", {"title": "An idea", "description": "d", "days": days}), 400,
           "invalid_field", "days")


@pytest.mark.parametrize("path,field", [("/api/community/threads", "title"), ("/api/community/proposals", "title")])
def test_blank_text_is_refused(stack, path, field):
    c = stack.client("bearer")
    c.register()
    council(stack, c)
    body = {"title": "   ", "content": "x"} if path.endswith("threads") else {"title": "   ", "description": "x"}
    expect(c.post(path, body), 400, "invalid_field", field)


# ------------------------------------------------------------------ queries and paths

LISTS = ["/api/community/threads", "/api/community/threads/{t}/posts", "/api/community/proposals"]


@pytest.fixture(scope="module")
def member_and_thread(stack):
    c = stack.client("bearer")
    c.register()
    t = expect(c.post("/api/community/threads", {"title": "Query thread", "content": "x"}), 201).json["thread"]["id"]
    return c, t


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("query,field", [
    ("limit=0", "limit"), ("limit=101", "limit"), ("limit=-1", "limit"), ("limit=abc", "limit"),
    ("limit=1.5", "limit"), ("limit=99999999999999999999", "limit"), ("limit=", "limit"),
    ("limit=1&limit=2", "limit"), ("cursor=", "cursor"), ("cursor=x", "cursor"), ("cursor=%25%25%25", "cursor"),
    ("cursor=" + "a" * 600, "cursor"), ("cursor=%ff%fe", "cursor"), ("zz=1", "query"), ("author_id=1", "query"),
])
def test_list_bad_query(stack, member_and_thread, path, query, field):
    c, t = member_and_thread
    r = c.get(path.replace("{t}", t) + "?" + query)
    assert_error(r, codes={"invalid_field"}, field=field, statuses={400})


@pytest.mark.parametrize("query", ["status=", "status=OPEN", "status=pending", "status=open%00",
                                   "status=%27%20OR%201%3D1"])
def test_proposals_bad_status(stack, member_and_thread, query):
    c, _ = member_and_thread
    expect(c.get(f"/api/community/proposals?{query}"), 400, "invalid_field", "status")


@pytest.mark.parametrize("path", ["/api/helpers/me/training?x=1", "/api/helpers/me/application?status=approved",
                                  "/api/helpers/me/dashboard?limit=1"])
def test_routes_without_a_query_refuse_one(stack, path):
    c = stack.client("bearer")
    c.register()
    r = c.get(path)
    assert_error(r, statuses={400, 404})


@pytest.mark.parametrize("method,path", [
    ("GET", "/api/community/threads/not-a-uuid"), ("GET", "/api/community/threads/1/posts"),
    ("POST", "/api/community/proposals/%27%20OR%201%3D1/vote"), ("GET", "/api/community/threads/" + "f" * 36),
])
def test_bad_ids_in_the_path(stack, member_and_thread, method, path):
    c, _ = member_and_thread
    kw = {"json_body": {"vote": "for"}} if method == "POST" else {}
    r = c.request(method, path, **kw)
    assert_error(r, statuses={400, 404})
