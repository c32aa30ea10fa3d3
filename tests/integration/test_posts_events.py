"""cgi-bin/posts: the real-time events it publishes (contract: session.accepted to seeker and
helper, session.ended to both, direct_request.new to the helper, direct_request.declined to the
author), read through GET /api/rt/connect over a WebSocket. Skipped when the stack has no
working real-time hand-off (cgi-bin/chat builds it); test_posts_help.py checks the publishes
themselves through the publisher's access log either way."""

import json
import queue
import threading
import time

import pytest
import websocket

from astral_client import contract, expect
from test_posts_fixtures import direct_request, helper, post, seeker

# Behind Apache (ASTRAL_FRONT=apache) the programs publish nothing and the UI polls the lists;
# test_apache_front.py checks that the lists show these changes.
pytestmark = pytest.mark.nginx_only("events stream through nchan, which only the nginx front has")


class Stream:
    def __init__(self, stack, client):
        url = "ws" + stack.url[len("http"):] + "/api/rt/connect"
        try:
            self.ws = websocket.create_connection(url, timeout=10,
                                                  header=[f"Authorization: Bearer {client.access_token}"])
        except (websocket.WebSocketException, OSError) as e:
            pytest.skip(f"no real-time stream on this stack: {e}")
        self.events = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        time.sleep(0.2)                      # nchan may replay its newest stored event: drop it
        self.drain()

    def _read(self):
        try:
            while True:
                op, data = self.ws.recv_data(control_frame=False)
                if op == websocket.ABNF.OPCODE_CLOSE:
                    return
                if op == websocket.ABNF.OPCODE_TEXT:
                    try:
                        self.events.put(json.loads(data.decode("utf-8")))
                    except ValueError:
                        pass
        except (websocket.WebSocketException, OSError):
            return

    def drain(self):
        while not self.events.empty():
            self.events.get_nowait()

    def wait_for(self, type_, timeout=5.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                ev = self.events.get(timeout=max(0.01, end - time.monotonic()))
            except queue.Empty:
                break
            if ev.get("type") == type_:
                return ev
        raise AssertionError(f"no {type_} event within {timeout} s")

    def close(self):
        try:
            self.ws.close()
        except (websocket.WebSocketException, OSError):
            pass


@pytest.fixture
def streams(stack):
    opened = []

    def open_for(client):
        s = Stream(stack, client)
        opened.append(s)
        return s

    yield open_for
    for s in opened:
        s.close()


def schema_ok(name, value):
    errors = contract().schema_errors(f"schemas/{name}", value)
    assert not errors, [e.message for e in errors]


def test_accept_and_resolve_events(stack, streams):
    s, h = seeker(stack), helper(stack)
    s_stream, h_stream = streams(s), streams(h)
    p = post(s)
    sess = expect(h.post(f"/api/posts/{p['id']}/accept"), 201).json
    ev = s_stream.wait_for("session.accepted")
    assert ev["at"] and ev["session"]["id"] == sess["id"] and ev["session"]["my_role"] == "seeker"
    schema_ok("HelpSession", ev["session"])
    ev = h_stream.wait_for("session.accepted")
    assert ev["session"]["my_role"] == "helper"
    schema_ok("HelpSession", ev["session"])
    expect(s.post(f"/api/posts/{p['id']}/resolve"), 200)
    for stream in (s_stream, h_stream):
        ev = stream.wait_for("session.ended")
        assert ev["session_id"] == sess["id"] and ev["ended_by"] == "resolved"


def test_achievement_events(stack, streams):
    """A helper hears what they have newly earned: first_step with their first accept, heartfelt_thanks
    with their first kudos; nothing when nothing new is earned."""
    s, h = seeker(stack), helper(stack)
    h_stream = streams(h)
    sess = expect(h.post(f"/api/posts/{post(s)['id']}/accept"), 201).json
    ev = h_stream.wait_for("achievement.unlocked")
    assert ev["achievements"] == ["first_step"] and ev["at"]
    expect(h.post(f"/api/sessions/{sess['id']}/end"), 200)
    expect(s.post(f"/api/sessions/{sess['id']}/kudos"), 201)
    assert h_stream.wait_for("achievement.unlocked")["achievements"] == ["heartfelt_thanks"]
    s2 = seeker(stack)
    expect(h.post(f"/api/posts/{post(s2)['id']}/accept"), 201)
    with pytest.raises(AssertionError):
        h_stream.wait_for("achievement.unlocked", timeout=1.0)


def test_direct_request_events(stack, streams):
    s, h = seeker(stack), helper(stack)
    s_stream, h_stream = streams(s), streams(h)
    other = streams(helper(stack))
    dr = direct_request(s, h.user_id, "just for you")
    ev = h_stream.wait_for("direct_request.new")
    schema_ok("Post", ev["post"])
    assert ev["post"]["id"] == dr["id"] and ev["post"]["mine"] is False
    assert ev["post"]["requested_helper"]["id"] == h.user_id and ev["post"]["content"] == "just for you"
    expect(h.post(f"/api/posts/{dr['id']}/decline"), 200)
    ev = s_stream.wait_for("direct_request.declined")
    assert ev["post_id"] == dr["id"] and ev["at"]
    with pytest.raises(AssertionError):
        other.wait_for("direct_request.new", timeout=0.5)
