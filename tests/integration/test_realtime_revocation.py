"""Logout, token reuse, account deletion and a password change close the user's real-time streams:
the program deletes the user's nchan channel through the loopback-only publisher (architecture §6)."""

import time

import pytest
import requests

from astral_client import expect, strong_password, unique
from test_chat_setup import Person, Subscriber, new_session, send

pytestmark = pytest.mark.nginx_only("event streams are nchan's; behind Apache the UI polls (test_apache_front.py)")


def publisher_deletes(stack, user_id):
    log = stack.log_dir / "nginx-access.log"
    wanted = f"DELETE /rt/pub/user-{user_id}"
    for _ in range(20):                       # nginx writes its access log as requests end
        if log.exists() and wanted in log.read_text(errors="replace"):
            return True
        time.sleep(0.1)
    return False


def test_logout_closes_the_users_channel(stack):
    c = stack.client()
    c.anonymous()
    uid = c.user["id"]
    assert not publisher_deletes(stack, uid)
    expect(c.post("/api/auth/logout"), 204)
    assert publisher_deletes(stack, uid)


def test_token_reuse_closes_the_users_channel(stack, bearer, clock):
    """The reuse answers 401 token_reused after revoking the whole family; its close is sent
    after that COMMIT, like every other close, although the answer is a refusal."""
    bearer.anonymous()
    uid = bearer.user_id
    t0 = bearer.refresh_token
    expect(bearer.refresh(), 200)
    clock.advance(30)                                  # past the refresh grace
    assert not publisher_deletes(stack, uid)
    expect(bearer.refresh(token=t0), 401, "token_reused")
    assert publisher_deletes(stack, uid)


def test_account_deletion_closes_the_users_channel(stack):
    c = stack.client()
    c.anonymous()
    uid = c.user["id"]
    expect(c.delete("/api/me", {"confirm": "delete my account"}), 204)
    assert publisher_deletes(stack, uid)


@pytest.mark.parametrize("transport", ["websocket", "eventsource"])
def test_an_expired_sessions_stream_closes_at_its_next_request(stack, transport):
    """A stream opened while the session was live: the first request after the session's idle
    limit revokes it (401 session_expired) and closes the stream, within the same 5 s."""
    s, h, sid = new_session(stack)
    sub = Subscriber(stack, h, transport)
    try:
        sub.drain(0.3)
        assert not sub.closed.is_set()
        stack.query("UPDATE sessions SET last_seen_at = last_seen_at - interval '31 minutes'"
                    " WHERE user_id = %s AND revoked_at IS NULL", (h.c.user_id,))
        expect(h.c.post(f"/api/sessions/{sid}/messages", {"text": "still there?", "client_key": "late-1"}),
               401, "session_expired")
        assert sub.closed.wait(5.0), f"the expired session's {transport} stream stayed open"
        assert publisher_deletes(stack, h.c.user_id)
    finally:
        sub.close()


@pytest.mark.parametrize("transport", ["websocket", "eventsource"])
def test_password_change_closes_the_other_sessions_stream_within_5s(stack, transport):
    """A password change signs out the user's other sessions: their open streams close too (as
    after logout or a ban), so a stolen session hears nothing more, and cannot reconnect."""
    username, password = unique("pw"), strong_password()
    stack.create_user("helper", username, "Helper PW", password)
    c1 = stack.client("bearer")
    c1.login(username, password)
    stack.query("INSERT INTO helper_profiles (user_id, bio, expertise, available, available_since, created_at,"
                " updated_at) VALUES (%s, 'I listen.', ARRAY['Anxiety & Stress'], true, now(), now(), now())",
                (c1.user_id,))
    c2 = stack.client("bearer")                     # another device, or someone who took the session
    c2.login(username, password)
    h1, h2 = Person(c1, "helper"), Person(c2, "helper")
    s, _, sid = new_session(stack, helper=h1)
    sub = Subscriber(stack, h2, transport)
    try:
        sub.drain(0.3)
        assert not sub.closed.is_set()
        t0 = time.monotonic()
        expect(c1.post("/api/auth/password", {"current_password": password, "new_password": strong_password()}),
               204)
        assert sub.closed.wait(5.0), f"the revoked session's {transport} stream stayed open after a password change"
        assert time.monotonic() - t0 <= 5.0
        assert publisher_deletes(stack, c1.user_id)
        expect(c2.get("/api/auth/session"), 401)
        m = send(s, sid, "words written after the password change")
        assert all(ev.get("message", {}).get("id") != m["id"] for ev in sub.drain(0.5))
        # The revoked token opens nothing any more; the session that changed the password is still
        # signed in (its own stream, closed with the channel, reconnects).
        r = requests.get(stack.url + "/api/rt/connect", headers={"Authorization": "Bearer " + c2.access_token},
                         timeout=5)
        assert r.status_code == 401
        expect(c1.get("/api/auth/session"), 200)
    finally:
        sub.close()
