"""Anonymous start, registration, sign-in, sign-out and the per-username throttle."""

import http.client
import json
import re
import statistics
import threading
import time
import urllib.parse
import uuid
from datetime import datetime, timedelta

import pytest

from astral_client import ACCESS_COOKIE, REFRESH_COOKIE, expect, strong_password, unique

ACCESS_TTL = 15 * 60
ABSOLUTE_TTL = 12 * 3600


def ts(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def assert_session_cookie(c, name, max_age):
    assert c is not None, f"no Set-Cookie for {name}"
    a = c.attrs
    assert c.value, f"{name} is empty"
    assert a.get("httponly") is True, f"{name} lacks HttpOnly: {c.line}"
    assert a.get("secure") is True, f"{name} lacks Secure: {c.line}"
    assert str(a.get("samesite", "")).lower() == "strict", f"{name} not SameSite=Strict: {c.line}"
    assert a.get("path") == "/", f"{name} must have Path=/: {c.line}"
    assert "domain" not in a, f"__Host- cookie must not carry Domain: {c.line}"
    assert c.max_age == max_age, f"{name} Max-Age {c.max_age}, expected {max_age}: {c.line}"


# ------------------------------------------------------------------ anonymous

def test_anonymous_creates_seeker_with_recovery_code_once(client):
    r = client.anonymous()
    j = r.json
    user, sess = j["user"], j["session"]
    assert user["role"] == "seeker"
    assert user["helper_tier"] is None
    assert user["has_password"] is False and user["mfa_enabled"] is False
    assert re.fullmatch(r"[a-z0-9_.-]{3,32}", user["username"]), user["username"]
    assert user["display_name"]
    code = j["recovery_code"]
    compact = re.sub(r"[-\s]", "", code)
    assert len(compact) == 32 and re.fullmatch(r"[A-Za-z0-9]+", compact), code
    assert sess["idle_timeout_seconds"] == 1800
    assert sess["mfa"] is False
    created, expires = ts(sess["created_at"]), ts(sess["expires_at"])
    assert abs((expires - created) - timedelta(seconds=ABSOLUTE_TTL)) <= timedelta(seconds=5)
    access_left = ts(sess["access_expires_at"]) - created
    assert timedelta(0) < access_left <= timedelta(seconds=ACCESS_TTL + 5)
    # browsers never get tokens in the body
    assert "access_token" not in j and "refresh_token" not in j
    assert_session_cookie(r.cookie(ACCESS_COOKIE), ACCESS_COOKIE, ACCESS_TTL)
    assert_session_cookie(r.cookie(REFRESH_COOKIE), REFRESH_COOKIE, ABSOLUTE_TTL)

    # shown once: the session endpoint does not repeat it
    s = expect(client.whoami(), 200)
    assert "recovery_code" not in s.json
    assert s.json["user"]["id"] == user["id"]
    assert s.json["csrf_token"] == j["csrf_token"]


def test_anonymous_accepts_empty_body(stack):
    c = stack.client()
    r = c.request("POST", "/api/auth/anonymous", data=b"")
    expect(r, 201)
    r2 = stack.client().request("POST", "/api/auth/anonymous", data=b"", content_type=None,
                                headers={"Content-Type": None})
    expect(r2, 201)


def test_anonymous_handles_are_distinct(stack):
    users = [stack.client().anonymous().json["user"] for _ in range(5)]
    assert len({u["username"] for u in users}) == 5
    assert len({u["id"] for u in users}) == 5


def test_bearer_delivery_returns_tokens_in_body(bearer):
    r = bearer.anonymous()
    assert r.json.get("access_token") and r.json.get("refresh_token")
    s = expect(bearer.whoami(), 200)
    assert s.json["user"]["id"] == r.json["user"]["id"]


def test_no_credentials_is_401(stack):
    r = stack.client().whoami()
    expect(r, 401, "unauthorized")


def test_garbage_bearer_is_401_not_500(stack):
    c = stack.client("bearer")
    for tok in ["garbage", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "x" * 2000]:
        c.access_token = tok
        r = c.whoami()
        assert r.status == 401, r


def test_10kb_bearer_is_401_json(stack):
    """security.md: a 10 KB token answers 401, never 5xx (nor nginx's HTML error page)."""
    c = stack.client("bearer", check_contract=False)
    c.access_token = "x" * 10240
    r = c.whoami()
    assert r.status == 401 and r.error_code == "unauthorized", r


# ------------------------------------------------------------------ register

def test_register_creates_community_helper(client):
    username = unique("Helper")       # mixed case: the server lower-cases it
    r = client.register(username=username, password=strong_password(), display_name="Kind Owl")
    u = r.json["user"]
    assert u["role"] == "helper"
    assert u["helper_tier"] == "community"
    assert u["username"] == username.lower()
    assert u["display_name"] == "Kind Owl"
    assert u["has_password"] is True
    assert "recovery_code" not in r.json
    assert_session_cookie(r.cookie(ACCESS_COOKIE), ACCESS_COOKIE, ACCESS_TTL)
    assert_session_cookie(r.cookie(REFRESH_COOKIE), REFRESH_COOKIE, ABSOLUTE_TTL)


def test_register_duplicate_username_409(stack):
    username = unique("dup")
    stack.client().register(username=username)
    r = stack.client().post("/api/auth/register", {"username": username.upper(),
                                                   "password": strong_password(),
                                                   "display_name": "Other"})
    expect(r, 409, "conflict", "username")


@pytest.mark.parametrize("password", ["password", "12345678", "qwertyuiop"])
def test_register_refuses_common_password(stack, password):
    r = stack.client().post("/api/auth/register", {"username": unique("cp"), "password": password,
                                                   "display_name": "X"})
    expect(r, 400, "invalid_field", "password")


def test_register_refuses_short_password(stack):
    r = stack.client().post("/api/auth/register", {"username": unique("sp"), "password": "Zq7!x",
                                                   "display_name": "X"})
    expect(r, 400, "invalid_field", "password")


@pytest.mark.parametrize("username", ["ab", "a" * 33, "bad name", "bad/slash", "émile"])
def test_register_refuses_bad_username(stack, username):
    r = stack.client().post("/api/auth/register", {"username": username,
                                                   "password": strong_password(),
                                                   "display_name": "X"})
    expect(r, 400, "invalid_field", "username")


# ------------------------------------------------------------------ login

def test_login_with_password(stack):
    u = stack.client()
    username, pw = unique("li"), strong_password()
    u.register(username=username, password=pw)
    c = stack.client()
    r = c.login(username, pw)
    assert r.json["user"]["username"] == username
    assert r.json["session"]["id"] != u.session["id"]
    assert_session_cookie(r.cookie(ACCESS_COOKIE), ACCESS_COOKIE, ACCESS_TTL)
    expect(c.whoami(), 200)


def test_login_username_is_case_insensitive(stack):
    username, pw = unique("ci"), strong_password()
    stack.client().register(username=username, password=pw)
    stack.client().login(username.upper(), pw)


def _strip_request_id(body):
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        e = dict(body["error"])
        e.pop("request_id", None)
        return {**body, "error": e}
    return body


# keep-alive: Apache counts down the requests left on the connection (a hop-by-hop header).
VOLATILE_HEADERS = {"date", "x-request-id", "content-length", "keep-alive"}


def test_unknown_user_and_wrong_password_identical(stack):
    known, pw = unique("known"), strong_password()
    stack.client().register(username=known, password=pw)
    c = stack.client()
    wrong = c.post("/api/auth/login", {"username": known, "password": strong_password()})
    unknown = c.post("/api/auth/login", {"username": unique("nobody"), "password": strong_password()})
    expect(wrong, 401, "invalid_credentials")
    expect(unknown, 401, "invalid_credentials")
    assert _strip_request_id(wrong.json) == _strip_request_id(unknown.json)
    wh = {k.lower(): v for k, v in wrong.headers.items()}
    uh = {k.lower(): v for k, v in unknown.headers.items()}
    assert set(wh) == set(uh), f"header names differ: {set(wh) ^ set(uh)}"
    for k in wh:
        if k not in VOLATILE_HEADERS:
            assert wh[k] == uh[k], f"header {k} differs: {wh[k]!r} vs {uh[k]!r}"
    assert not wrong.set_cookies and not unknown.set_cookies


def test_unknown_user_timing_close_to_wrong_password(stack):
    """The unknown-user path hashes against a dummy: it must not be much faster. One failure
    per name, so the per-username throttle stays out of the way."""
    wrong_t, unknown_t = [], []
    for _ in range(4):
        name, pw = unique("tm"), strong_password()
        stack.client().register(username=name, password=pw)
        c = stack.client()
        r = c.post("/api/auth/login", {"username": name, "password": strong_password()})
        expect(r, 401)
        wrong_t.append(r.elapsed)
        r = c.post("/api/auth/login", {"username": unique("ghost"), "password": strong_password()})
        expect(r, 401)
        unknown_t.append(r.elapsed)
    w, u = statistics.median(wrong_t), statistics.median(unknown_t)
    assert u >= 0.3 * w, f"unknown user answers much faster ({u:.4f}s) than a wrong password ({w:.4f}s)"


def test_per_username_throttle_after_five_failures(stack, clock):
    name, pw = unique("thr"), strong_password()
    stack.client().register(username=name, password=pw)
    c = stack.client()
    for i in range(5):
        r = c.post("/api/auth/login", {"username": name, "password": strong_password()})
        expect(r, 401, "invalid_credentials")
    r = c.post("/api/auth/login", {"username": name, "password": strong_password()})
    expect(r, 429, "too_many_requests")
    ra = r.headers.get("Retry-After")
    assert ra is not None and ra.isdigit() and 1 <= int(ra) <= 900, f"Retry-After {ra!r}"
    # the right password is refused too while the delay lasts
    r2 = expect(c.post("/api/auth/login", {"username": name, "password": pw}), 429, "too_many_requests")
    wait = max(int(ra), int(r2.headers.get("Retry-After") or 0))
    # not a lockout: after the delay the right password works
    clock.advance(wait + 1)
    c.login(name, pw)


def test_parallel_attempts_get_one_guess_per_delay(stack, clock):
    """Attempts on one name take turns (its throttle row is locked until COMMIT): when the delay
    runs out, a burst of parallel guesses gets one password check, not one each."""
    name = unique("par")
    stack.client().register(username=name, password=strong_password())
    c = stack.client()
    for _ in range(5):
        expect(c.post("/api/auth/login", {"username": name, "password": strong_password()}), 401)
    r = expect(c.post("/api/auth/login", {"username": name, "password": strong_password()}), 429)
    clock.advance(int(r.headers["Retry-After"]) + 1)
    statuses = []

    def guess(n):
        # Each from an address of its own (127.0.0.x): one address's attempts already take turns
        # on its address budget; the name's throttle must hold across addresses too.
        u = urllib.parse.urlsplit(stack.url)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60, source_address=(f"127.0.0.{n + 10}", 0))
        body = json.dumps({"username": name, "password": strong_password()})
        conn.request("POST", "/api/auth/login", body, {"Content-Type": "application/json", "Origin": stack.url})
        statuses.append(conn.getresponse().status)
        conn.close()

    # Hold the first failure's COMMIT (its audit row waits for this lock), so that the others
    # arrive while its failure is not yet recorded: without the row lock they all got a check.
    hold = stack.owner_db()
    hold.autocommit = False
    hold.cursor().execute("LOCK TABLE audit_log IN SHARE MODE")
    threads = [threading.Thread(target=guess, args=(n,)) for n in range(8)]
    try:
        for t in threads:
            t.start()
        for _ in range(200):
            if stack.query("SELECT count(*) FROM pg_locks WHERE NOT granted")[0][0]:
                break
            time.sleep(0.05)
        time.sleep(1.0)                      # the others reach the throttle meanwhile
    finally:
        hold.rollback()
        hold.close()
    for t in threads:
        t.join(60)
    assert statuses.count(401) == 1, f"parallel guesses checked: {sorted(statuses)}"
    assert statuses.count(429) == 7, sorted(statuses)


def test_throttle_does_not_reveal_unknown_usernames(stack):
    """Five failures for a name that does not exist throttle it exactly like a real one."""
    ghost = unique("ghost")
    c = stack.client()
    for _ in range(5):
        expect(c.post("/api/auth/login", {"username": ghost, "password": strong_password()}),
               401, "invalid_credentials")
    r = c.post("/api/auth/login", {"username": ghost, "password": strong_password()})
    expect(r, 429, "too_many_requests")
    assert r.headers.get("Retry-After")


# ------------------------------------------------------------------ logout

def test_logout_clears_cookies_and_revokes(client):
    client.anonymous()
    saved_cookies = dict(client.cookies)
    r = expect(client.logout(), 204)
    for name in (ACCESS_COOKIE, REFRESH_COOKIE):
        c = r.cookie(name)
        assert c is not None and c.clears, f"{name} not cleared: {r.set_cookies}"
    csd = r.headers.get("Clear-Site-Data", "")
    assert '"cookies"' in csd and '"storage"' in csd, csd
    # the old cookies no longer work
    client.cookies = dict(saved_cookies)
    expect(client.whoami(), 401)
    expect(client.refresh(), 401)


def test_logout_bearer_revokes_tokens(bearer):
    bearer.anonymous()
    at, rt = bearer.access_token, bearer.refresh_token
    expect(bearer.logout(), 204)
    bearer.access_token = at
    expect(bearer.whoami(), 401)
    expect(bearer.refresh(token=rt), 401)
