"""GET /healthz and /healthz/<program> (lib/health.c): public, never cached, each program
answers for itself through its own socket, a misspelt name is a JSON 404 (never the UI's page),
and a database outage turns them into 503 with Retry-After."""

import pytest

from astral_client import expect

PROGRAMS = ["auth", "posts", "chat", "helpers", "wellness", "videos", "ai", "moderation"]


def test_healthz_is_auth_and_its_database(stack):
    r = expect(stack.client().get("/healthz", auth=False), 200)
    assert r.json == {"status": "ok", "program": "auth", "database": "ok"}, r
    assert "no-store" in r.headers.get("Cache-Control", ""), r.headers
    assert r.headers.get("X-Request-Id"), r.headers


@pytest.mark.parametrize("program", PROGRAMS)
def test_each_program_answers_for_itself(stack, program):
    r = expect(stack.client().get(f"/healthz/{program}", auth=False), 200)
    assert r.json == {"status": "ok", "program": program, "database": "ok"}, r


@pytest.mark.parametrize("path", ["/healthz/nobody", "/healthz/auth/extra", "/healthz/", "/healthz/AUTH"])
def test_unknown_program_is_a_json_404(stack, path):
    r = stack.client(check_contract=False).get(path, auth=False)
    expect(r, 404, "not_found")


def test_healthz_refuses_other_methods(stack):
    c = stack.client("bearer", check_contract=False)
    r = c.request("POST", "/healthz", {}, auth=False)
    expect(r, 405, "method_not_allowed")
    assert r.headers.get("Allow") == "GET", r.headers
