"""nginx limit_req on /api/auth/ (a stack started with --auth-rate 2r/s --auth-burst 2)."""

from concurrent.futures import ThreadPoolExecutor

import requests


def test_burst_of_anonymous_calls_gets_429_json(throttled_stack):
    st = throttled_stack

    def call(_):
        c = st.client()
        return c.post("/api/auth/anonymous", {})

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(call, range(20)))
    statuses = [r.status for r in results]
    limited = [r for r in results if r.status == 429]
    assert limited, f"no 429 in a burst of 20: {statuses}"
    assert any(s == 201 for s in statuses), f"nothing got through: {statuses}"
    assert set(statuses) <= {201, 429}, statuses
    for r in limited:
        assert r.headers.get("Content-Type", "").startswith("application/json"), r
        assert r.error_code == "too_many_requests", r
        assert r.headers.get("Retry-After"), r.headers


def test_crisis_pages_not_rate_limited(throttled_stack):
    st = throttled_stack
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(lambda _: requests.get(st.url + "/crisis.html", timeout=10).status_code,
                                 range(30)))
    assert statuses == [200] * 30, statuses
