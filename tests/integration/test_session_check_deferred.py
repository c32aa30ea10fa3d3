"""The session check that travels with the handler's first statement (lib/db.h "guard",
docs/architecture.md "The session check rides with the first statement").

On most signed-in routes the check is not a round trip of its own: it goes in the pipeline of the
handler's first statement, and nothing the handler did stands unless it passes. These tests take
write routes, whose first statement is a write, and show that a session that is over writes
nothing, answers as the eager check did (401 `unauthorized` or `session_expired`), and that an
expired session found on such a route is still revoked and audited. A live session's last-seen time
still slides with activity on these routes.

A refusal on the token's word (403 `forbidden`, `mfa_required`, `csrf`) never reaches a handler, so
the dispatcher settles the session first (lib/router.c refuse_caller): a session that is over is told
to sign in, as the check would have told it, and only a live one gets its 403.
"""

import json
import time
import uuid

from astral_client import expect
from test_jwt import HS256, sign, unb64
from test_moderation_setup import new_staff

MIN = 60


def journal_rows(stack, user_id):
    return stack.query("SELECT count(*) FROM journal_entries WHERE user_id = %s", (user_id,))[0][0]


def assert_revoked_and_audited_as_idle(stack, session_id):
    revoked = stack.query("SELECT revoked_at IS NOT NULL, revoke_reason FROM sessions WHERE id = %s",
                          (session_id,))
    assert revoked == [(True, "idle")], revoked
    audited = stack.query("SELECT outcome, detail FROM audit_log WHERE action = 'session_expired' "
                          "AND object_id = %s", (session_id,))
    assert audited == [("success", "idle")], audited


def write_journal(c, text="A line that must not be kept"):
    return c.post("/api/wellness/journal", {"text": text})


def test_a_signed_out_session_writes_nothing(stack, bearer):
    bearer.anonymous()
    me = bearer.user_id
    expect(write_journal(bearer, "kept while signed in"), 201)
    token = bearer.access_token
    expect(bearer.logout(), 204)
    bearer.access_token = token                  # the access token is still within its 15 minutes
    r = write_journal(bearer)
    expect(r, 401, "unauthorized")
    assert journal_rows(stack, me) == 1, "a write on a signed-out session was kept"


def test_a_signed_out_session_reads_nothing(stack, bearer):
    bearer.anonymous()
    expect(write_journal(bearer, "private words " + uuid.uuid4().hex), 201)
    token = bearer.access_token
    expect(bearer.logout(), 204)
    bearer.access_token = token
    r = bearer.get("/api/wellness/journal")
    expect(r, 401, "unauthorized")
    assert b"private words" not in r.body


def test_a_session_past_its_limit_writes_nothing_and_is_revoked_and_audited(stack, bearer):
    """An access token never outlives its session's limits by itself (its expiry is capped), so
    the session is made idle in the database while the token is still good: the session check on
    the write route finds it, not the token check."""
    bearer.anonymous()
    me, session_id = bearer.user_id, bearer.session["id"]
    stack.query("UPDATE sessions SET last_seen_at = last_seen_at - interval '31 minutes' WHERE id = %s",
                (session_id,))
    r = write_journal(bearer)
    expect(r, 401, "session_expired")
    assert journal_rows(stack, me) == 0, "a write on an expired session was kept"
    assert_revoked_and_audited_as_idle(stack, session_id)


def test_a_token_naming_another_role_writes_nothing(stack, bearer):
    """A live session whose access token names a role the account does not have (a role change
    revokes sessions, so only a forged token can): 401, and the handler's work is undone."""
    bearer.anonymous()
    me = bearer.user_id
    h, p, s = bearer.access_token.split(".")
    raw = (stack.dir / "etc" / "jwt.key").read_bytes()
    claims = json.loads(unb64(p))
    key = next(k for k in (raw, raw.rstrip(b"\n"), raw.rstrip(b"\r\n"))
               if sign(HS256, claims, k).split(".")[2] == s)
    bearer.access_token = sign(HS256, dict(claims, role="helper"), key)
    expect(write_journal(bearer), 401, "unauthorized")
    assert journal_rows(stack, me) == 0


def test_activity_on_a_write_route_keeps_the_session_alive(stack, bearer, clock):
    bearer.anonymous()
    clock.set(25 * MIN)
    expect(bearer.refresh(), 200)                # a fresh access token; the session was seen now
    clock.set(38 * MIN)
    expect(write_journal(bearer, "seen at 38 minutes"), 201)
    clock.set(63 * MIN)                          # 25 min after the write, 38 after the refresh
    expect(bearer.refresh(), 200)


def test_a_staff_read_on_a_signed_out_session_is_refused_and_not_audited_as_read(stack):
    staff = new_staff(stack)
    mod = staff.c
    expect(mod.get("/api/moderation/alerts"), 200)
    count = ("SELECT count(*) FROM audit_log WHERE actor_id = %s AND action = 'alert_queue_read'")
    assert stack.query(count, (mod.user_id,))[0][0] == 1
    token = mod.access_token
    expect(mod.logout(), 204)
    mod.access_token = token
    expect(mod.get("/api/moderation/alerts"), 401, "unauthorized")
    assert stack.query(count, (mod.user_id,))[0][0] == 1, "a refused read was audited as a read"


def test_a_route_checked_first_revokes_and_audits_an_expired_session_too(stack, bearer):
    """GET /api/auth/session checks the session before its handler (ASTRAL_SESSION_FIRST); an
    expired session found there is revoked and audited the same way."""
    bearer.anonymous()
    session_id = bearer.session["id"]
    stack.query("UPDATE sessions SET last_seen_at = last_seen_at - interval '31 minutes' WHERE id = %s",
                (session_id,))
    expect(bearer.whoami(), 401, "session_expired")
    assert_revoked_and_audited_as_idle(stack, session_id)


def test_a_signed_out_session_is_not_logged_as_an_error(stack, bearer):
    """The journal write's first statement reads the person's data key, and brings the check's
    refusal: that is a routine 401, not a failed statement, a lost key or an internal error."""
    bearer.anonymous()
    token = bearer.access_token
    expect(bearer.logout(), 204)
    bearer.access_token = token
    r = write_journal(bearer)
    expect(r, 401, "unauthorized")
    rid = r.headers["X-Request-Id"]
    log = stack.log_dir / "wellness.log"
    deadline = time.monotonic() + 5
    while f"req={rid} " not in log.read_text() or "status=401" not in log.read_text():
        assert time.monotonic() < deadline, "the request's access line never came"
        time.sleep(0.05)
    mine = [line for line in log.read_text().splitlines() if f"req={rid} " in line]
    assert not [line for line in mine if "level=error" in line], mine


def signed_out(c):
    """Sign c out and keep its credentials: an access token outlives the session it was issued for
    (up to 15 minutes), in a stolen copy or a tab that missed the logout."""
    token, cookies = c.access_token, dict(c.cookies)
    expect(c.logout(), 204)
    c.access_token, c.cookies = token, cookies
    return c


def test_a_route_not_for_the_callers_role_tells_a_signed_out_session_to_sign_in(stack, bearer):
    bearer.anonymous()
    expect(bearer.get("/api/moderation/alerts"), 403, "forbidden")
    signed_out(bearer)
    expect(bearer.get("/api/moderation/alerts"), 401, "unauthorized")


def test_a_staff_route_tells_a_signed_out_staff_session_without_mfa_to_sign_in(stack):
    mod = new_staff(stack, mfa=False).c
    expect(mod.get("/api/moderation/alerts"), 403, "mfa_required")
    signed_out(mod)
    expect(mod.get("/api/moderation/alerts"), 401, "unauthorized")


def test_a_write_without_its_csrf_header_tells_a_signed_out_session_to_sign_in(stack, client):
    client.anonymous()
    expect(client.put("/api/me/preferences", {"theme": "dark"}, csrf=False), 403, "csrf")
    signed_out(client)
    r = client.put("/api/me/preferences", {"theme": "dark"}, csrf=False)
    expect(r, 401, "unauthorized")
    cleared = r.cookie("__Host-astral_at")
    assert cleared is not None and cleared.clears, "the signed-out session's access cookie was kept"


def test_a_refusal_revokes_and_audits_an_expired_session(stack):
    """The session check's other verdict reaches the refusals too: a staff session idle past its
    limit, holding a token still good, is told its session ended, and it is revoked and audited."""
    mod = new_staff(stack, mfa=False).c
    session_id = mod.session["id"]
    stack.query("UPDATE sessions SET last_seen_at = last_seen_at - interval '16 minutes' WHERE id = %s",
                (session_id,))
    expect(mod.get("/api/moderation/alerts"), 401, "session_expired")
    assert_revoked_and_audited_as_idle(stack, session_id)
