"""Server-side session timeouts: idle 30 min (staff 15), absolute 12 h, access token 15 min."""

from datetime import datetime

from astral_client import expect, strong_password, unique

MIN = 60


def test_clock_fixture_moves_the_programs_clock(bearer, clock):
    """Guard for every time-based test: the test build honours DIR/clock."""
    clock.set(24 * 3600)
    r = bearer.anonymous()
    created = datetime.fromisoformat(r.json["session"]["created_at"].replace("Z", "+00:00"))
    skew = created.timestamp() - clock.now()
    assert abs(skew) < 60, f"session created_at is {skew:+.0f}s off the test clock"


def test_access_token_expires_after_15_minutes(bearer, clock):
    bearer.anonymous()
    clock.set(16 * MIN)
    expect(bearer.whoami(), 401)
    expect(bearer.refresh(), 200)                      # idle has not passed: refresh works
    expect(bearer.whoami(), 200)


def test_idle_timeout_30_minutes(client, clock):
    client.anonymous()
    clock.set(31 * MIN)
    expect(client.refresh(), 401, "session_expired")
    expect(client.whoami(), 401)


def test_idle_timeout_slides_with_activity(bearer, clock):
    bearer.anonymous()
    clock.set(25 * MIN)
    expect(bearer.refresh(), 200)
    clock.set(50 * MIN)                                # 50 min after sign-in, 25 after last use
    expect(bearer.refresh(), 200)
    expect(bearer.whoami(), 200)


def test_staff_idle_timeout_15_minutes(stack, clock):
    name, pw = unique("mod"), strong_password()
    stack.create_user("moderator", name, "Mod " + name[-4:], pw)
    mod = stack.client("bearer")
    r = mod.login(name, pw)
    assert r.json["user"]["role"] == "moderator"
    assert r.json["session"]["idle_timeout_seconds"] == 900
    helper = stack.client("bearer")
    helper.register()
    assert helper.session["idle_timeout_seconds"] == 1800
    clock.set(16 * MIN)
    expect(mod.refresh(), 401, "session_expired")
    expect(helper.refresh(), 200)                      # same idle time, 30 min limit: still fine


def test_absolute_timeout_12_hours(bearer, clock):
    bearer.anonymous()
    for minutes in range(20, 12 * 60, 20):             # 20 … 700 min, never idle for 30
        clock.set(minutes * MIN)
        r = bearer.refresh()
        assert r.status == 200, f"refresh at +{minutes} min: {r!r}"
    clock.set(12 * 60 * MIN + MIN)
    expect(bearer.refresh(), 401, "session_expired")
    expect(bearer.whoami(), 401)
