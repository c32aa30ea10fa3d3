"""The per-address budget on /api/auth/ that the programs keep when the web server has no limit of
its own (Apache): `[auth] address_rate` and `address_burst`, lib/address_budget.c, migration 0025.

1. Through Apache (a stack started with --front apache --auth-rate 1r/s --auth-burst 2, so the
   programs run with address_rate = 1 and address_burst = 3): a burst of sign-ins from one address
   ends in 429 JSON with Retry-After, like nginx's limit_req; another address still gets through;
   the crisis page and the other API routes are never limited; the budget refills with time.
2. The bucket itself, called in SQL with the time given: a full budget of `burst`, refilled at
   `rate` a second up to `burst`; a refusal takes nothing and says how long to wait; a clock set
   back does not freeze it; rows untouched for a day are removed; bad arguments are refused.
3. What is stored: HMAC(server key, "address-budget|" address), never the address.
4. Behind nginx (address_rate = 0) the programs keep no budget: the table stays empty.
"""

import hashlib
import hmac
import json
import subprocess
import uuid

import psycopg2
import pytest
import requests

from conftest import Clock, start_stack, stop_stack

ADDRESS_LIMIT = "Too many requests from this address. Wait a moment and try again."

pytestmark = pytest.mark.nginx_only("starts an Apache stack of its own beside the session's nginx stack")


@pytest.fixture(scope="module")
def apache():
    st = start_stack(["--front", "apache", "--auth-rate", "1r/s", "--auth-burst", "2"], label="budget")
    yield st
    stop_stack(st)


def login(st, interface=None):
    """A sign-in with wrong credentials, from 127.0.0.1 or the given loopback source address. Each
    names another account, so that the per-account delay never answers for the address budget."""
    body = {"username": "nobody_" + uuid.uuid4().hex[:12], "password": "not the password at all"}
    if interface is None:
        return requests.post(st.url + "/api/auth/login", json=body, headers={"Origin": st.url}, timeout=10)
    out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--interface", interface,
                          "-X", "POST", "-H", "Content-Type: application/json", "-H", f"Origin: {st.url}",
                          "--data", json.dumps(body), st.url + "/api/auth/login"],
                         capture_output=True, text=True, timeout=20)
    return int(out.stdout)


def empty_budgets(st):
    st.query("DELETE FROM auth_address_budget")


# ------------------------------------------------------------------ 1. through Apache

def test_a_burst_of_sign_ins_from_one_address_ends_in_429_json(apache):
    empty_budgets(apache)
    statuses, limited = [], None
    for _ in range(10):
        r = login(apache)
        statuses.append(r.status_code)
        if r.status_code == 429 and limited is None:
            limited = r
    # The budget starts full: three go through to the program (which refuses the credentials).
    assert statuses[:3] == [401, 401, 401], statuses
    assert limited is not None, f"no 429 in ten sign-ins at once: {statuses}"
    assert set(statuses) <= {401, 429}, statuses
    assert limited.headers["Content-Type"].startswith("application/json")
    assert limited.json()["error"] == {"code": "too_many_requests", "message": ADDRESS_LIMIT}
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.headers.get("Cache-Control") == "no-store"


def test_another_address_and_other_routes_are_not_limited(apache):
    empty_budgets(apache)
    while login(apache).status_code != 429:
        pass
    assert login(apache, interface="127.0.0.2") == 401, "another address shares the first one's budget"
    for _ in range(5):
        assert requests.get(apache.url + "/crisis.html", timeout=10).status_code == 200
        assert requests.get(apache.url + "/api/resources", timeout=10).status_code == 200
        assert requests.get(apache.url + "/api/helpers/online-count", timeout=10).status_code == 200


def test_the_budget_refills_with_time(apache):
    empty_budgets(apache)
    clock = Clock(apache)
    try:
        while login(apache).status_code != 429:
            pass
        clock.advance(60)                      # a minute on: the budget is full again
        assert [login(apache).status_code for _ in range(3)] == [401, 401, 401]
    finally:
        clock.set(0)


# ------------------------------------------------------------------ 2. the bucket in SQL

def take(st, key, at, rate=2.0, burst=3):
    return st.query("SELECT astral_auth_address_take(%s, to_timestamp(%s), %s, %s)",
                    (psycopg2.Binary(key), at, rate, burst))[0][0]


def test_bucket_full_refill_and_refusal(apache):
    key, t = hashlib.sha256(b"bucket-1").digest(), 2_000_000_000
    assert [take(apache, key, t) for _ in range(3)] == [0, 0, 0]
    assert take(apache, key, t) == pytest.approx(0.5)       # one token at 2 a second
    assert take(apache, key, t) == pytest.approx(0.5), "a refusal took something"
    assert take(apache, key, t + 0.5) == 0
    assert take(apache, key, t + 0.5) == pytest.approx(0.5)
    # Ten seconds of refill stop at the burst.
    assert [take(apache, key, t + 10.5) for _ in range(4)][:3] == [0, 0, 0]
    assert take(apache, key, t + 10.5) > 0
    # A clock set back refills nothing for the step, and the budget goes on from there: it does
    # not stay empty until the clock is back where it was.
    assert take(apache, key, t) == pytest.approx(0.5)
    assert take(apache, key, t + 0.5) == 0


def test_bucket_rows_untouched_for_a_day_go(apache):
    old, new = hashlib.sha256(b"bucket-old").digest(), hashlib.sha256(b"bucket-new").digest()
    t = 2_100_000_000
    assert take(apache, old, t) == 0
    assert apache.query("SELECT count(*) FROM auth_address_budget WHERE address_key = %s",
                        (psycopg2.Binary(old),))[0][0] == 1
    assert take(apache, new, t + 86400 + 1) == 0
    assert apache.query("SELECT count(*) FROM auth_address_budget WHERE address_key = %s",
                        (psycopg2.Binary(old),))[0][0] == 0


@pytest.mark.parametrize("key,rate,burst", [(b"short", 1.0, 1), (b"k" * 32, 0.0, 1), (b"k" * 32, 1.0, 0),
                                            (b"k" * 32, -1.0, 1)])
def test_bucket_refuses_bad_arguments(apache, key, rate, burst):
    with pytest.raises(psycopg2.Error) as e:
        take(apache, key, 2_000_000_000, rate, burst)
    assert e.value.pgcode == "22023"


# ------------------------------------------------------------------ 3. and 4. what is kept

def test_only_an_hmac_of_the_address_is_kept(apache):
    empty_budgets(apache)
    login(apache)
    key = (apache.dir / "etc" / "jwt.key").read_bytes().rstrip(b"\n").rstrip(b"\r")   # as the config reads it
    want = hmac.new(key, b"address-budget|127.0.0.1", hashlib.sha256).digest()
    rows = [bytes(r[0]) for r in apache.query("SELECT address_key FROM auth_address_budget")]
    assert rows == [want]
    dump = apache.query("SELECT string_agg(t::text, ' ') FROM auth_address_budget t")[0][0]
    assert "127.0.0.1" not in dump


def test_behind_nginx_the_programs_keep_no_budget(stack):
    before = stack.query("SELECT count(*) FROM auth_address_budget")[0][0]
    for _ in range(3):
        assert login(stack).status_code == 401
    assert stack.query("SELECT count(*) FROM auth_address_budget")[0][0] == before == 0
