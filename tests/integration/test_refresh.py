"""Refresh-token rotation, the 10 s grace and reuse detection."""

from astral_client import ACCESS_COOKIE, REFRESH_COOKIE, expect


def audit_rows(stack, user_id, action):
    return stack.query(
        "SELECT id, outcome, actor_id::text, subject_id::text, object_id FROM audit_log "
        "WHERE action = %s AND (actor_id = %s OR subject_id = %s OR object_id = %s) ORDER BY id",
        (action, user_id, user_id, user_id))


def test_rotation_bearer_new_token_each_time(bearer):
    bearer.anonymous()
    seen = [bearer.refresh_token]
    sid = bearer.session["id"]
    for _ in range(3):
        r = expect(bearer.refresh(), 200)
        assert r.json["refresh_token"] not in seen, "refresh token was not rotated"
        assert r.json["access_token"]
        assert r.json["session"]["id"] == sid, "refresh must keep the session"
        seen.append(r.json["refresh_token"])
    expect(bearer.whoami(), 200)


def test_rotation_cookie_sets_new_cookies(client):
    client.anonymous()
    rt0 = client.cookies[REFRESH_COOKIE]
    r = expect(client.refresh(), 200)
    rt1, at1 = r.cookie(REFRESH_COOKIE), r.cookie(ACCESS_COOKIE)
    assert rt1 is not None and rt1.value and rt1.value != rt0
    assert at1 is not None and at1.value        # may equal at0 when issued in the same second
    assert "refresh_token" not in r.json and "access_token" not in r.json
    expect(client.whoami(), 200)


def test_old_token_within_grace_returns_same_successor(bearer, clock):
    bearer.anonymous()
    t0 = bearer.refresh_token
    r1 = expect(bearer.refresh(), 200)
    t1 = r1.json["refresh_token"]
    clock.advance(5)                                   # inside the 10 s grace
    r2 = expect(bearer.refresh(token=t0), 200)
    assert r2.json["refresh_token"] == t1, "a retry within the grace must get the same successor"
    assert r2.json["session"]["id"] == r1.json["session"]["id"]
    # the successor still works afterwards (no revocation)
    r3 = expect(bearer.refresh(token=t1), 200)
    assert r3.json["refresh_token"] not in (t0, t1)


def test_reuse_after_grace_revokes_session(stack, bearer, clock):
    bearer.anonymous()
    uid = bearer.user_id
    t0 = bearer.refresh_token
    expect(bearer.refresh(), 200)
    t1 = bearer.refresh_token
    access_newest = bearer.access_token
    clock.advance(30)                                  # past the 10 s grace
    r = bearer.refresh(token=t0)
    expect(r, 401, "token_reused")
    # the whole family is revoked: newest access token and newest refresh token fail
    bearer.access_token = access_newest
    expect(bearer.whoami(), 401)
    expect(bearer.refresh(token=t1), 401)
    rows = audit_rows(stack, uid, "token_reuse")
    assert rows, "no audit_log row with action token_reuse for this user"
    revoked = stack.query("SELECT revoked_at IS NOT NULL, revoke_reason FROM sessions WHERE user_id = %s",
                          (uid,))
    assert revoked and all(r[0] for r in revoked), f"sessions not revoked: {revoked}"


def test_reuse_after_grace_cookie(client, clock):
    client.anonymous()
    old = dict(client.cookies)
    expect(client.refresh(), 200)
    newest = dict(client.cookies)
    clock.advance(30)
    client.cookies = dict(old)
    expect(client.refresh(), 401, "token_reused")
    client.cookies = newest
    expect(client.whoami(), 401)
    expect(client.refresh(), 401)


def test_unknown_refresh_token_401(stack):
    r = stack.client("bearer").refresh(token="A" * 43)
    expect(r, 401)
    assert r.error_code != "token_reused"


def test_refresh_without_any_token_401(stack):
    expect(stack.client().post("/api/auth/refresh"), 401)


def test_refresh_is_audited(stack, bearer):
    bearer.anonymous()
    expect(bearer.refresh(), 200)
    assert audit_rows(stack, bearer.user_id, "token_refresh"), "no token_refresh audit row"
