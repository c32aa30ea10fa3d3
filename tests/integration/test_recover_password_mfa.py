"""Recovery codes, passphrases and password changes, TOTP second factor."""

import urllib.parse

from astral_client import expect, strong_password, totp, unique


def audit_actions(stack, user_id):
    rows = stack.query("SELECT action FROM audit_log WHERE actor_id = %s OR subject_id = %s",
                       (user_id, user_id))
    return {r[0] for r in rows}


# ------------------------------------------------------------------ recovery

def test_recover_with_code_rotates_it(stack):
    a = stack.client()
    r0 = a.anonymous().json
    code0 = r0["recovery_code"]
    b = stack.client()
    r1 = expect(b.post("/api/auth/recover", {"recovery_code": code0}), 200)
    assert r1.json["user"]["id"] == r0["user"]["id"]
    code1 = r1.json["recovery_code"]
    assert code1 and code1 != code0
    assert r1.json["session"]["id"] != r0["session"]["id"]
    expect(b.whoami(), 200)
    # the old code stops working, the new one works
    expect(stack.client().post("/api/auth/recover", {"recovery_code": code0}), 401)
    r2 = expect(stack.client().post("/api/auth/recover", {"recovery_code": code1}), 200)
    assert r2.json["user"]["id"] == r0["user"]["id"]


def test_recover_with_unknown_code_401(stack):
    expect(stack.client().post("/api/auth/recover",
                               {"recovery_code": "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH"}), 401)


# ------------------------------------------------------------------ passwords

def test_seeker_sets_passphrase_then_logs_in(stack, bearer):
    r = bearer.anonymous()
    username = r.json["user"]["username"]
    phrase = "correct horse " + unique("battery")
    expect(bearer.post("/api/auth/password", {"new_password": phrase}), 204)
    assert bearer.whoami().json["user"]["has_password"] is True
    c = stack.client()
    r2 = c.login(username, phrase)
    assert r2.json["user"]["id"] == r.json["user"]["id"]
    assert r2.json["user"]["role"] == "seeker"


def test_change_password_needs_current(stack):
    name, pw = unique("chg"), strong_password()
    s1 = stack.client("bearer")
    s1.register(username=name, password=pw)
    s2 = stack.client("bearer")
    s2.login(name, pw)
    new = strong_password()

    r = s1.post("/api/auth/password", {"new_password": new})
    assert r.status in (400, 403), f"missing current_password must be refused: {r!r}"
    assert "current_password" in r.error_fields, r
    r = s1.post("/api/auth/password", {"current_password": strong_password(), "new_password": new})
    expect(r, 403, "forbidden", "current_password")
    # nothing changed yet
    stack.client().login(name, pw)

    expect(s1.post("/api/auth/password", {"current_password": pw, "new_password": new}), 204)
    expect(s1.whoami(), 200)                            # this session stays
    expect(s2.whoami(), 401)                            # other sessions are revoked
    expect(s2.refresh(), 401)
    expect(stack.client().post("/api/auth/login", {"username": name, "password": pw}), 401,
           "invalid_credentials")
    stack.client().login(name, new)
    assert "password_change" in audit_actions(stack, s1.user_id)


def test_new_password_must_be_acceptable(bearer):
    bearer.register()
    r = bearer.post("/api/auth/password", {"current_password": bearer.password,
                                           "new_password": "short"})
    expect(r, 400, "invalid_field", "new_password")


# ------------------------------------------------------------------ MFA

def other_code(code):
    """A six-digit code that is not `code`."""
    return str((int(code) + 1) % 1000000).zfill(6)


def enrol(c, clock):
    r = expect(c.post("/api/auth/mfa", {"action": "enrol"}), 200)
    secret, uri = r.json["secret"], r.json["otpauth_uri"]
    u = urllib.parse.urlparse(uri)
    assert u.scheme == "otpauth" and u.netloc == "totp", uri
    q = urllib.parse.parse_qs(u.query)
    assert q.get("secret") == [secret], uri
    assert q.get("algorithm", ["SHA1"]) == ["SHA1"], uri
    assert q.get("digits", ["6"]) == ["6"], uri
    assert q.get("period", ["30"]) == ["30"], uri
    return secret


def test_mfa_enrol_confirm_login_replay_remove(stack, clock):
    name, pw = unique("mfa"), strong_password()
    c = stack.client("bearer")
    c.register(username=name, password=pw)
    secret = enrol(c, clock)
    assert c.whoami().json["user"]["mfa_enabled"] is False, "enrol alone must not turn MFA on"

    r = c.post("/api/auth/mfa", {"action": "confirm", "code": other_code(totp(secret, clock.now()))})
    assert 400 <= r.status < 500, f"a wrong code must not confirm: {r!r}"
    assert c.whoami().json["user"]["mfa_enabled"] is False

    r = expect(c.post("/api/auth/mfa", {"action": "confirm", "code": totp(secret, clock.now())}), 200)
    assert r.json["mfa_enabled"] is True
    assert set(r.json) <= {"mfa_enabled", "access_token"}, r.json
    assert c.whoami().json["user"]["mfa_enabled"] is True

    # sign-in now needs the code
    r = stack.client().post("/api/auth/login", {"username": name, "password": pw})
    expect(r, 401, "mfa_required", "totp_code")
    assert not r.set_cookies, "no session without the second factor"

    clock.advance(30)
    code = totp(secret, clock.now())
    r = stack.client().post("/api/auth/login", {"username": name, "password": pw,
                                                "totp_code": other_code(code)})
    expect(r, 401)

    m = stack.client("bearer")
    r = m.login(name, pw, totp_code=code)
    assert r.json["session"]["mfa"] is True
    # the same code again: replay refused
    r = stack.client().post("/api/auth/login", {"username": name, "password": pw, "totp_code": code})
    assert r.status == 401, f"a used TOTP code must be refused: {r!r}"

    # removal needs a fresh code
    clock.advance(30)
    r = m.delete("/api/auth/mfa", {"code": other_code(totp(secret, clock.now()))})
    assert 400 <= r.status < 500, r
    expect(m.delete("/api/auth/mfa", {"code": totp(secret, clock.now())}), 204)
    assert m.whoami().json["user"]["mfa_enabled"] is False
    stack.client().login(name, pw)

    acts = audit_actions(stack, c.user_id)
    for a in ("mfa_enrol", "mfa_confirm", "mfa_remove"):
        assert a in acts, f"no {a} audit row (have {sorted(acts)})"


def test_moderator_cannot_remove_mfa(stack, clock):
    name, pw = unique("modm"), strong_password()
    stack.create_user("moderator", name, "Mod M", pw)
    c = stack.client("bearer")
    c.login(name, pw)
    secret = enrol(c, clock)
    expect(c.post("/api/auth/mfa", {"action": "confirm", "code": totp(secret, clock.now())}), 200)
    clock.advance(30)
    m = stack.client("bearer")
    m.login(name, pw, totp_code=totp(secret, clock.now()))
    clock.advance(30)
    expect(m.delete("/api/auth/mfa", {"code": totp(secret, clock.now())}), 403, "mfa_required")
    assert m.whoami().json["user"]["mfa_enabled"] is True
