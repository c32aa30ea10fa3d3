"""CSRF: cookie-authenticated unsafe requests need X-CSRF-Token; a foreign Origin is refused."""

import pytest

from astral_client import expect

FOREIGN = "https://evil.example"
PREFS = "/api/me/preferences"


def test_cookie_put_without_token_403(client):
    client.anonymous()
    expect(client.put(PREFS, {"theme": "dark"}, csrf=False), 403, "csrf")
    assert client.get(PREFS).json["theme"] != "dark", "refused request must not write"


def test_cookie_put_wrong_token_403(client):
    client.anonymous()
    expect(client.put(PREFS, {"theme": "dark"}, csrf="A" * 43), 403, "csrf")
    expect(client.put(PREFS, {"theme": "dark"}, csrf=client.csrf_token[:-1]), 403, "csrf")


def test_cookie_put_other_sessions_token_403(stack, client):
    client.anonymous()
    other = stack.client()
    other.anonymous()
    expect(client.put(PREFS, {"theme": "dark"}, csrf=other.csrf_token), 403, "csrf")


def test_cookie_put_with_token_ok(client):
    client.anonymous()
    r = expect(client.put(PREFS, {"theme": "dark"}), 200)
    assert r.json["theme"] == "dark"


def test_same_origin_ok(stack, client):
    client.anonymous()
    client.origin = stack.url
    expect(client.put(PREFS, {"theme": "light"}), 200)


def test_foreign_origin_403_even_with_token(client):
    client.anonymous()
    client.origin = FOREIGN
    expect(client.put(PREFS, {"theme": "dark"}), 403, "csrf")
    client.origin = None
    assert client.get(PREFS).json["theme"] != "dark"


@pytest.mark.parametrize("origin", ["null", "http://127.0.0.1", "http://127.0.0.1:1"])
def test_origin_lookalikes_403(client, origin):
    client.anonymous()
    client.origin = origin
    expect(client.put(PREFS, {"theme": "dark"}), 403, "csrf")


def test_foreign_origin_on_public_route_403(stack):
    c = stack.client(origin=FOREIGN)
    expect(c.post("/api/auth/anonymous", {}), 403, "csrf")


def test_foreign_origin_with_bearer_403(bearer):
    bearer.anonymous()
    bearer.origin = FOREIGN
    expect(bearer.put(PREFS, {"theme": "dark"}), 403, "csrf")


def test_bearer_without_csrf_ok(bearer):
    bearer.anonymous()
    r = expect(bearer.put(PREFS, {"theme": "dark"}), 200)
    assert r.json["theme"] == "dark"
    expect(bearer.delete("/api/me/blocks/00000000-0000-4000-8000-000000000000"), 404, "not_found")


def test_safe_method_needs_no_token(client):
    client.anonymous()
    expect(client.get(PREFS, csrf=False), 200)


def test_logout_without_token_403(client):
    client.anonymous()
    expect(client.post("/api/auth/logout", csrf=False), 403, "csrf")
    expect(client.whoami(), 200)


def test_delete_account_without_token_403(client):
    client.anonymous()
    expect(client.delete("/api/me", {"confirm": "delete my account"}, csrf=False), 403, "csrf")
    expect(client.whoami(), 200)
