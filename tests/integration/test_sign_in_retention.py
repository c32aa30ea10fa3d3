"""What sign-in leaves behind is not kept longer than it serves (migration 0036, docs/operations.md
"Retention"): every new session removes sessions that ended 30 days ago (with their refresh
tokens) and login-throttle rows quiet for a day; and a failure a day after the last one counts
from 1 again, so old failures never slow a later sign-in."""

import hashlib
import uuid

from astral_client import expect, strong_password, unique

DAY = 86400


def throttle_key(name):
    return hashlib.sha256(f"login|{name}".encode()).digest()


def drain(stack):
    """Remove what earlier tests left that is already due, so one sign-in's share (100 of each)
    covers what this test adds."""
    for _ in range(1000):
        due = stack.query(
            "SELECT (SELECT count(*) FROM sessions"
            "         WHERE LEAST(coalesce(revoked_at, expires_at), expires_at) < now() - interval '30 days')"
            " + (SELECT count(*) FROM login_throttle"
            "     WHERE updated_at < now() - interval '1 day' AND next_allowed_at < now())")[0][0]
        if due == 0:
            return
        stack.query("SELECT astral_auth_prune(now())")
    raise AssertionError("the backlog of ended sessions never drained")


def add_session(stack, user_id, created_days_ago, expires_days_ago, revoked_days_ago=None):
    """A session of user_id (and one refresh token of it) whose times lie that many days back."""
    sid = str(uuid.uuid4())
    stack.query("INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, revoked_at, revoke_reason)"
                " VALUES (%s, %s, now() - make_interval(days => %s), now() - make_interval(days => %s),"
                "         now() - make_interval(days => %s),"
                "         CASE WHEN %s::int IS NULL THEN NULL ELSE now() - make_interval(days => %s::int) END,"
                "         CASE WHEN %s::int IS NULL THEN NULL ELSE 'logout' END)",
                (sid, user_id, created_days_ago, created_days_ago, expires_days_ago,
                 revoked_days_ago, revoked_days_ago, revoked_days_ago))
    stack.query("INSERT INTO refresh_tokens (token_hash, session_id, user_id, issued_at)"
                " VALUES (%s, %s, %s, now() - make_interval(days => %s))",
                (hashlib.sha256(sid.encode()).digest(), sid, user_id, created_days_ago))
    return sid


def present(stack, table, column, values):
    rows = stack.query(f"SELECT {column} FROM {table} WHERE {column} = ANY(%s)", (list(values),))
    return {r[0] for r in rows}


def test_a_sign_in_removes_sessions_ended_30_days_ago_with_their_tokens(stack):
    person = stack.client("bearer")
    person.anonymous()
    (live,), = stack.query("SELECT id::text FROM sessions WHERE user_id = %s", (person.user_id,))
    drain(stack)
    expired_long_ago = add_session(stack, person.user_id, 40, 31)
    revoked_long_ago = add_session(stack, person.user_id, 40, -5, revoked_days_ago=31)
    revoked_lately = add_session(stack, person.user_id, 40, -5, revoked_days_ago=29)
    expired_lately = add_session(stack, person.user_id, 35, 29)
    mine = {expired_long_ago, revoked_long_ago, revoked_lately, expired_lately, live}
    assert present(stack, "sessions", "id::text", mine) == mine

    stack.client("bearer").anonymous()                       # anyone's sign-in

    kept = {revoked_lately, expired_lately, live}
    assert present(stack, "sessions", "id::text", mine) == kept
    assert present(stack, "refresh_tokens", "session_id::text", mine - {live}) == \
        {revoked_lately, expired_lately}
    expect(person.get("/api/auth/session"), 200)


def test_a_sign_in_removes_throttle_rows_quiet_for_a_day(stack):
    quiet, recent = unique("qt"), unique("rc")
    for name in (quiet, recent):
        c = stack.client()
        expect(c.post("/api/auth/login", {"username": name, "password": strong_password()}), 401)
    drain(stack)
    stack.query("UPDATE login_throttle SET updated_at = now() - interval '25 hours',"
                " next_allowed_at = now() - interval '25 hours' WHERE name_hash = %s", (throttle_key(quiet),))
    stack.query("UPDATE login_throttle SET updated_at = now() - interval '23 hours',"
                " next_allowed_at = now() - interval '23 hours' WHERE name_hash = %s", (throttle_key(recent),))

    stack.client("bearer").anonymous()

    keys = [throttle_key(quiet), throttle_key(recent)]
    assert [bytes(r[0]) for r in stack.query("SELECT name_hash FROM login_throttle WHERE name_hash = ANY(%s)",
                                             (keys,))] == [throttle_key(recent)]


def test_failures_a_day_apart_count_from_one_again(stack, clock):
    """Five failures then the sixth attempt waits (test_anonymous_register_login.py). A day later
    the slate is clean: four more failures and the right password still goes through at once,
    where counting on from before would have made each of them wait."""
    name, pw = unique("dec"), strong_password()
    stack.client().register(username=name, password=pw)
    c = stack.client()
    for _ in range(5):
        expect(c.post("/api/auth/login", {"username": name, "password": strong_password()}), 401)
    expect(c.post("/api/auth/login", {"username": name, "password": strong_password()}), 429)

    clock.advance(DAY + 1000)
    for _ in range(4):
        expect(c.post("/api/auth/login", {"username": name, "password": strong_password()}), 401)
    assert stack.query("SELECT failures FROM login_throttle WHERE name_hash = %s", (throttle_key(name),)) == [(4,)]
    c.login(name, pw)
