"""cgi-bin/posts: bad input on every route with a body or a query, generated from one table by
bad_input_battery.py (as for test_bad_input.py): always a 4xx JSON error naming the field, never a 5xx."""

import urllib.parse
import uuid

import pytest

import bad_input_battery as battery
from bad_input_battery import assert_error
from test_posts_fixtures import helper, post, seeker

HOSTILE_TEXT = battery.hostile_text("posts") + ["\u202e\u0007\u001b[31m", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☃ " * 3,
                                                "%00%n%s%x" * 4, "${jndi:ldap://x}"]

_state = {}


def online_helper_id(stack):
    if "helper" not in _state:
        _state["helper"] = helper(stack).user_id
    return _state["helper"]


def public_post_id(stack):
    """A post nobody has reported yet (reports hide posts, so each report case gets its own)."""
    return post(seeker(stack))["id"]


# path(stack) and valid(stack) make the path and a body the route accepts.
ROUTES = [
    battery.route("POST", lambda st: "/api/posts",
                  lambda st: {"category": "Anxiety", "content": "bad input " + uuid.uuid4().hex},
                  {"category": "str", "content": "str"}, ["category", "content"], name="POST /api/posts",
                  max_len={"category": 20, "content": 5000}),
    battery.route("POST", lambda st: "/api/posts/direct-requests",
                  lambda st: {"helper_id": online_helper_id(st), "category": "Stress",
                              "content": "hi " + uuid.uuid4().hex},
                  {"helper_id": "str", "category": "str", "content": "str"}, ["helper_id", "category", "content"],
                  name="POST /api/posts/direct-requests", max_len={"helper_id": 36, "category": 20, "content": 5000}),
    battery.route("POST", lambda st: f"/api/posts/{public_post_id(st)}/report",
                  lambda st: {"reason": "spam", "note": "n"},
                  {"reason": "str", "note": "str"}, ["reason"], name="POST /api/posts/{id}/report",
                  max_len={"reason": 20, "note": 500}),
    battery.route("POST", lambda st: "/api/reflections",
                  lambda st: {"content": "bad input " + uuid.uuid4().hex[:8]},
                  {"content": "str"}, ["content"], name="POST /api/reflections", max_len={"content": 280}),
]
# Fields the server sets: a client that sends one is refused.
SERVER_FIELDS = ("id", "author_id", "status", "support_count", "reported", "user_id")


@pytest.fixture(scope="module")
def writer(stack):
    return seeker(stack)


def written(stack):
    return stack.query("SELECT (SELECT count(*) FROM posts), (SELECT count(*) FROM reflections),"
                       " (SELECT count(*) FROM post_reports)")


@pytest.mark.parametrize("rt,kind,payload,field",
                         battery.cases(ROUTES, HOSTILE_TEXT, unknown_fields=SERVER_FIELDS, empty_body=True,
                                       control_chars=True))
def test_bad_input(stack, writer, rt, kind, payload, field):
    c = seeker(stack) if kind == "hostile" else writer
    send = battery.sender(c, rt["method"], rt["path"](stack))
    before = written(stack)
    battery.check(rt, kind, payload, field, send, lambda: rt["valid"](stack))
    if kind == "hostile":
        return
    # Nothing was written (the report route's fresh post is made before `before`).
    after = written(stack)
    assert before == after, f"a refused request wrote something: {before} → {after}"


# ------------------------------------------------------------------ bodies where none is taken

NO_BODY = ["/support", "/accept", "/resolve", "/publish", "/decline"]


@pytest.mark.parametrize("suffix", NO_BODY)
@pytest.mark.parametrize("data,status,code", [
    (b'{"x": 1}', 400, "invalid_field"), (b"[]", 400, "invalid_field"), (b"{", 400, "invalid_json"),
])
def test_actions_take_no_body(stack, suffix, data, status, code):
    h = helper(stack)
    p = post(seeker(stack))
    c = h if suffix in ("/accept", "/decline") else seeker(stack)
    r = c.request("POST", f"/api/posts/{p['id']}{suffix}", data=data)
    assert r.status == status and r.error_code == code, r


def test_action_body_wrong_content_type(stack):
    p = post(seeker(stack))
    r = seeker(stack).request("POST", f"/api/posts/{p['id']}/support", data=b"x=1",
                              content_type="application/x-www-form-urlencoded")
    assert r.status == 415 and r.error_code == "unsupported_media_type", r


def test_empty_json_object_is_fine_for_actions(stack):
    p = post(seeker(stack))
    r = seeker(stack).request("POST", f"/api/posts/{p['id']}/support", data=b"{}")
    assert r.status == 200, r


# ------------------------------------------------------------------ queries

QUERY_PATHS = ["/api/posts", "/api/posts/for-you", "/api/posts/mine", "/api/reflections"]


@pytest.mark.parametrize("path", QUERY_PATHS)
@pytest.mark.parametrize("i", range(len(HOSTILE_TEXT)))
def test_hostile_cursor(stack, path, i):
    r = seeker(stack).get(f"{path}?cursor={urllib.parse.quote(HOSTILE_TEXT[i])}")
    assert_error(r, codes={"invalid_field"}, field="cursor", statuses={400})


@pytest.mark.parametrize("i", range(len(HOSTILE_TEXT)))
def test_hostile_search(stack, i):
    r = seeker(stack).get(f"/api/posts?q={urllib.parse.quote(HOSTILE_TEXT[i])}")
    assert r.status in (200, 400), r
    if r.status == 400:
        assert_error(r, codes={"invalid_field"}, field="q")


@pytest.mark.parametrize("path", QUERY_PATHS)
@pytest.mark.parametrize("query,field", [
    ("limit=1.5", "limit"), ("limit=%2B5", "limit"), ("limit=0x10", "limit"), ("limit=", "limit"),
    ("cursor=", "cursor"), ("cursor=YzEfbh8x", "cursor"), ("cursor=" + "Q" * 257, "cursor"),
    ("limit=%ff", "limit"), ("unknown=1", "query"), ("LIMIT=5", "query"),
])
def test_query_battery(stack, path, query, field):
    r = seeker(stack).get(f"{path}?{query}")
    assert_error(r, codes={"invalid_field"}, field=field, statuses={400})


@pytest.mark.parametrize("query,field", [
    ("sort=NEWEST", "sort"), ("sort=%00", "sort"), ("category=Anxiety%00", "category"),
    ("category=1", "category"), ("q=" + "%e2%98%83" * 201, "q"), ("q=a%0Ab", "q"),
])
def test_feed_query_battery(stack, query, field):
    r = seeker(stack).get(f"/api/posts?{query}")
    assert_error(r, codes={"invalid_field"}, field=field, statuses={400})
