"""Database outage: the programs answer 503 JSON with Retry-After, never hang or crash, and
recover on their own when PostgreSQL is back. Named test_zz_* so it runs last."""

import time

from astral_client import expect
from test_moderation_setup import new_staff


def retry_after_ok(r):
    v = r.headers.get("Retry-After", "")
    return v.isdigit() and int(v) >= 1


def test_db_outage_503_then_recovery(stack):
    c = stack.client("bearer")
    c.anonymous()
    expect(c.whoami(), 200)
    unenrolled = new_staff(stack, mfa=False).c
    stack.db_stop()
    try:
        for _ in range(6):                              # reach several workers
            r = c.whoami()
            expect(r, 503, "service_unavailable")
            assert retry_after_ok(r), f"503 without a usable Retry-After: {r.headers}"
            assert r.elapsed < 15, f"answer took {r.elapsed:.1f}s during the outage"
        r = stack.client().post("/api/auth/anonymous", {})
        expect(r, 503, "service_unavailable")
        assert retry_after_ok(r), r.headers
        # A refusal on the token's word holds only for a live session, and nobody can say whether
        # it is: 503, as on the routes the session check lets through, not 403 `mfa_required`.
        r = unenrolled.get("/api/moderation/alerts")
        expect(r, 503, "service_unavailable")
        assert retry_after_ok(r), r.headers
        r = stack.client("bearer").post("/api/auth/login", {"username": "nobody-here", "password": "x" * 12})
        expect(r, 503, "service_unavailable")
        for path in ("/healthz", "/healthz/chat"):    # what a monitor sees
            r = stack.client().get(path, auth=False)
            expect(r, 503, "service_unavailable")
            assert retry_after_ok(r), r.headers
    finally:
        stack.db_start()

    statuses = []
    for _ in range(20):
        r = c.whoami()
        statuses.append(r.status)
        if r.status == 200:
            break
        time.sleep(0.5)
    assert statuses[-1] == 200, f"no recovery after the database came back: {statuses}"
    assert all(s in (200, 503) for s in statuses), statuses

    for _ in range(20):
        r = stack.client().post("/api/auth/anonymous", {})
        if r.status == 201:
            break
        assert r.status == 503, r
        time.sleep(0.5)
    expect(r, 201)
