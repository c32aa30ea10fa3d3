"""cgi-bin/ai: bad input on every route with a body is a 4xx JSON error naming the field, never a
5xx (cases from bad_input_battery.py). Hostile text that is accepted goes to the mock provider and
comes back as an ordinary answer. One stack with the OpenAI wire format."""

import pytest

import bad_input_battery as battery
from conftest import start_stack, stop_stack
from mock_ai import start_mock
from test_chat_setup import new_helper, new_post, new_seeker, new_session, send

HOSTILE_TEXT = battery.hostile_text("ai_messages") + ["\u202e RTL override", "[[mock:echo]] {\"x\": 1}",
                                                      "line\nbreak\ttab", "%00%27"]
ZERO = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def ai_stack():
    mock = start_mock(piece_delay_ms=0)
    st = start_stack(["--ai-provider", "openai", "--ai-endpoint", mock.url + "/v1",
                      "--ai-option", "timeout_ms=2000"], label="ai-bad-input")
    yield st
    stop_stack(st)
    mock.stop()


def seeker_route(method, path, valid, fields, required, **extra):
    return battery.route(method, path, valid, fields, required, who="seeker", **extra)


def helper_route(method, path, valid, fields, required, **extra):
    return battery.route(method, path, valid, fields, required, who="helper", **extra)


ROUTES = [
    seeker_route("POST", "/api/ai/age-confirmation", lambda w: {"adult": True}, {"adult": "bool"}, ["adult"]),
    seeker_route("POST", "/api/ai/chat", lambda w: {"message": "hello"}, {"message": "str"}, ["message"],
                 max_len={"message": 2000}),
    seeker_route("POST", "/api/ai/summarize-session", lambda w: {"session_id": w["session"]},
                 {"session_id": "str"}, ["session_id"]),
    helper_route("POST", "/api/ai/summarize-post", lambda w: {"post_id": w["post"]}, {"post_id": "str"},
                 ["post_id"]),
    helper_route("POST", "/api/ai/guidance", lambda w: {"session_id": w["session"], "message_id": w["message"]},
                 {"session_id": "str", "message_id": "str"}, ["session_id", "message_id"]),
    helper_route("POST", "/api/ai/helper-feedback", lambda w: {"session_id": w["session"]},
                 {"session_id": "str"}, ["session_id"]),
]


def cases():
    return battery.cases(ROUTES, HOSTILE_TEXT, unknown_fields=("user_id", "system", "prompt", "model"),
                         control_chars=True)


_worlds = {}


def world(stack, who):
    """The caller and the ids their valid bodies name (one per kind of caller, kept)."""
    if who not in _worlds:
        seeker, helper, sid = new_session(stack)
        message = send(seeker, sid, "a hard week")["id"]
        expect_ok = seeker.post("/api/ai/age-confirmation", {"adult": True})
        assert expect_ok.status == 200, expect_ok
        post = new_post(stack, new_seeker(stack))
        ids = {"session": sid, "message": message, "post": post}
        _worlds["seeker"] = (seeker, ids)
        _worlds["helper"] = (helper, ids)
    return _worlds[who]


@pytest.mark.parametrize("rt,kind,payload,field", cases())
def test_ai_bad_input(ai_stack, rt, kind, payload, field):
    client, ids = world(ai_stack, rt["who"])
    send_raw = battery.sender(client, rt["method"], rt["path"])
    battery.check(rt, kind, payload, field, send_raw, lambda: rt["valid"](ids),
                  malformed_codes=("invalid_json", "invalid_field"))


def test_a_seeker_never_reaches_a_helper_route(ai_stack):
    seeker, ids = world(ai_stack, "seeker")
    for path, body in [("/api/ai/summarize-post", {"post_id": ids["post"]}),
                       ("/api/ai/guidance", {"session_id": ids["session"], "message_id": ids["message"]}),
                       ("/api/ai/helper-feedback", {"session_id": ids["session"]}),
                       ("/api/ai/match", {})]:
        r = seeker.post(path, body)
        assert r.status == 403, (path, r)
    helper = new_helper(ai_stack)
    r = helper.post("/api/ai/guidance", {"session_id": ids["session"], "message_id": ZERO})
    assert r.status == 404, r
