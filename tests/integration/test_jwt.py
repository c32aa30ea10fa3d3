"""Access-token checks (security.md, "libjwt 1.10 does not do this for us"): algorithm pinned to
HS256, every claim required and checked, 60 s skew at most. Tokens are forged here with the
stack's own key, so only the property under test is wrong. Every one answers 401, never 5xx."""

import base64
import hashlib
import hmac
import json

import pytest

from astral_client import expect


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def sign(header, claims, key, digest=hashlib.sha256):
    h = b64(json.dumps(header, separators=(",", ":")).encode())
    p = b64(json.dumps(claims, separators=(",", ":")).encode())
    sig = b64(hmac.new(key, f"{h}.{p}".encode(), digest).digest())
    return f"{h}.{p}.{sig}"


@pytest.fixture
def real(stack, bearer):
    """(client, claims of its real access token, the key that signs it)."""
    bearer.anonymous()
    tok = bearer.access_token
    h, p, s = tok.split(".")
    raw = (stack.dir / "etc" / "jwt.key").read_bytes()
    for key in (raw, raw.rstrip(b"\n"), raw.rstrip(b"\r\n")):
        if hmac.compare_digest(b64(hmac.new(key, f"{h}.{p}".encode(), hashlib.sha256).digest()), s):
            break
    else:
        pytest.fail("cannot reproduce the access token's signature from etc/jwt.key")
    return bearer, json.loads(unb64(p)), key


HS256 = {"alg": "HS256", "typ": "JWT"}


def check(c, token, status=401):
    c.access_token = token
    r = c.whoami()
    assert r.status == status, f"{token[:60]}…: {r!r}"
    return r


def test_reforged_token_is_accepted(real):
    """Control: re-signing the real claims gives a working token, so the refusals below are
    caused by the one property each test changes."""
    c, claims, key = real
    check(c, sign(HS256, claims, key), 200)


def test_alg_none(real):
    c, claims, _ = real
    h = b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    p = b64(json.dumps(claims).encode())
    check(c, f"{h}.{p}.")
    check(c, f"{h}.{p}")


def test_wrong_key(real):
    c, claims, key = real
    check(c, sign(HS256, claims, b"k" * len(key)))


def test_hs384_with_the_right_key(real):
    c, claims, key = real
    check(c, sign({"alg": "HS384", "typ": "JWT"}, claims, key, hashlib.sha384))


def test_rs256_header_hmac_signed(real):
    c, claims, key = real
    check(c, sign({"alg": "RS256", "typ": "JWT"}, claims, key))


def test_tampered_payload(real):
    c, claims, key = real
    good = sign(HS256, claims, key).split(".")
    evil = dict(claims, role="admin")
    good[1] = b64(json.dumps(evil, separators=(",", ":")).encode())
    check(c, ".".join(good))


def test_expired(real, clock):
    c, claims, key = real
    now = int(clock.now())
    check(c, sign(HS256, dict(claims, iat=now - 900, exp=now - 120), key))


def test_future_nbf(real, clock):
    c, claims, key = real
    check(c, sign(HS256, dict(claims, nbf=int(clock.now()) + 3600), key))


def test_issued_in_the_future(real, clock):
    c, claims, key = real
    now = int(clock.now())
    check(c, sign(HS256, dict(claims, iat=now + 3600, exp=now + 3600 + 900), key))


@pytest.mark.parametrize("claim,value", [("aud", "someone-else"), ("iss", "someone-else"),
                                         ("typ", "refresh"), ("aud", ["someone-else"]),
                                         ("sub", "00000000-0000-4000-8000-000000000000"),
                                         ("sid", "00000000-0000-4000-8000-000000000000"),
                                         ("role", "superuser"), ("exp", "tomorrow")])
def test_wrong_claim(real, claim, value):
    c, claims, key = real
    check(c, sign(HS256, dict(claims, **{claim: value}), key))


@pytest.mark.parametrize("claim", ["exp", "iat", "iss", "aud", "typ", "sub", "sid", "role"])
def test_missing_claim(real, claim):
    c, claims, key = real
    d = dict(claims)
    assert claim in d, f"the real token has no {claim!r} claim: {sorted(d)}"
    del d[claim]
    check(c, sign(HS256, d, key))


def test_lifetime_over_15_minutes(real, clock):
    c, claims, key = real
    now = int(clock.now())
    check(c, sign(HS256, dict(claims, iat=now, exp=now + 86400), key))


def test_role_escalation_with_valid_signature_is_not_trusted(real):
    """A token whose role differs from the account's is refused (or at least does not grant
    the role): the session response reports the stored role."""
    c, claims, key = real
    c.access_token = sign(HS256, dict(claims, role="admin"), key)
    r = c.whoami()
    assert r.status == 401 or r.json["user"]["role"] == "seeker", r


@pytest.mark.parametrize("token", ["", ".", "..", "a.b", "a.b.c.d", "%%%.%%%.%%%",
                                   "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln"])
def test_garbage(stack, token):
    c = stack.client("bearer")
    c.access_token = token or None
    r = c.whoami()
    expect(r, 401)
