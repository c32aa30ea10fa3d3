"""The IDOR matrix of cgi-bin/chat: seeker A and helper H share a session; seeker B and another
helper H2 have their own. Every route on a session that is not the caller's answers 404 (the
same as an id that does not exist), or 403 where the route is for seekers and the caller is a
helper; nothing changes; lists and streams never show it."""

import uuid

import pytest

from astral_client import expect
from test_chat_setup import new_helper, new_seeker, new_session, send


@pytest.fixture(scope="module")
def world(stack):
    a, b = new_seeker(stack), new_seeker(stack)
    h, h2 = new_helper(stack), new_helper(stack)
    _, _, s = new_session(stack, a, h)
    _, _, t = new_session(stack, b, h2)
    m = send(a, s, "A's words")["id"]
    n = send(b, t, "B's words")["id"]
    send(h, s, "H's words")
    return {"A": a, "B": b, "H": h, "H2": h2, "S": s, "T": t, "m": m, "n": n}


SEEKER_ONLY = {"feedback", "kudos", "favorite", "emergency"}

ROUTES = [
    ("GET", "/api/sessions/{S}", None),
    ("GET", "/api/sessions/{S}/messages", None),
    ("GET", "/api/sessions/{S}/messages?after={m}", None),
    ("GET", "/api/sessions/{S}/messages?before={m}", None),
    ("POST", "/api/sessions/{S}/messages", {"text": "intruder", "client_key": "idor"}),
    ("POST", "/api/sessions/{S}/typing", None),
    ("POST", "/api/sessions/{S}/read", {"up_to": "{m}"}),
    ("POST", "/api/sessions/{S}/end", None),
    ("POST", "/api/sessions/{S}/feedback", {"helpful": False}),
    ("POST", "/api/sessions/{S}/kudos", None),
    ("POST", "/api/sessions/{S}/favorite", None),
    ("DELETE", "/api/sessions/{S}/favorite", None),
    ("POST", "/api/sessions/{S}/emergency", {}),
    ("GET", "/api/rt/connect?session={S}", None),
]


def fill(template, w):
    return template.replace("{S}", w["S"]).replace("{m}", w["m"])


def snapshot(stack, sid):
    return (stack.query("SELECT ended_at, ended_by, seeker_read_seq, helper_read_seq, helpful, kudos_at, favorite"
                        " FROM help_sessions WHERE id = %s", (sid,)),
            stack.query("SELECT count(*) FROM messages WHERE session_id = %s", (sid,)),
            stack.query("SELECT count(*) FROM crisis_alerts WHERE session_id = %s", (sid,)))


@pytest.mark.parametrize("method,template,body", ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
@pytest.mark.parametrize("actor", ["B", "H2"])
def test_foreign_session_is_404(stack, world, actor, method, template, body):
    person = world[actor]
    before = snapshot(stack, world["S"])
    kw = {}
    if body is not None:
        kw["json_body"] = {k: fill(v, world) if isinstance(v, str) else v for k, v in body.items()}
    r = person.request(method, fill(template, world), **kw)
    route = template.split("/")[-1].split("?")[0]
    if actor == "H2" and route in SEEKER_ONLY:
        expect(r, 403, "forbidden")
    else:
        expect(r, 404, "not_found")
    assert b"A's words" not in r.body and b"H's words" not in r.body
    assert snapshot(stack, world["S"]) == before


@pytest.mark.parametrize("method,template,body", ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_unknown_session_is_the_same_404(stack, world, method, template, body):
    w = dict(world, S=str(uuid.uuid4()))
    kw = {}
    if body is not None:
        kw["json_body"] = {k: fill(v, w) if isinstance(v, str) else v for k, v in body.items()}
    expect(world["B"].request(method, fill(template, w), **kw), 404, "not_found")


@pytest.mark.parametrize("actor", ["A", "H"])
def test_participants_reach_it(stack, world, actor):
    p = world[actor]
    expect(p.get(f"/api/sessions/{world['S']}"), 200)
    assert len(expect(p.get(f"/api/sessions/{world['S']}/messages"), 200).json["items"]) == 2


@pytest.mark.parametrize("actor", ["A", "H"])
def test_helper_of_one_session_cannot_use_another_sessions_message_ids(stack, world, actor):
    """A message id of session T is not a cursor or read mark in session S."""
    p, s, n = world[actor], world["S"], world["n"]
    expect(p.get(f"/api/sessions/{s}/messages?after={n}"), 400, "invalid_field", "after")
    expect(p.get(f"/api/sessions/{s}/messages?before={n}"), 400, "invalid_field", "before")
    expect(p.post(f"/api/sessions/{s}/read", {"up_to": n}), 400, "invalid_field", "up_to")


@pytest.mark.parametrize("actor", ["B", "H2"])
def test_lists_never_show_it(stack, world, actor):
    items = expect(world[actor].get("/api/sessions"), 200).json["items"]
    assert world["S"] not in {x["id"] for x in items}
    assert world["T"] in {x["id"] for x in items}


def test_rls_hides_sessions_and_messages_from_the_app_role_without_identity(stack, world):
    for table in ("help_sessions", "help_session_keys", "messages"):
        assert stack.query(f"SELECT count(*) FROM {table}", user="astral_app")[0][0] == 0
