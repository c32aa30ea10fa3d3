"""`astralctl keys rotate`: a new master key version, every wrapped data key re-wrapped with it
(users' keys and help sessions' conversation keys), and everything still readable afterwards."""

import os
import uuid

import pytest

from astral_client import expect, strong_password, unique
from conftest import start_stack, stop_stack


@pytest.fixture(scope="module")
def stack():
    """A stack of its own: other tests damage data keys on purpose, and a rotation meets them."""
    st = start_stack(label="keys")
    yield st
    stop_stack(st)


def stale_counts(stack, version):
    rows = stack.query(
        "SELECT (SELECT count(*) FROM user_keys WHERE master_version < %s),"
        "       (SELECT count(*) FROM help_session_keys WHERE master_version < %s)",
        (version, version))
    return rows[0]


@pytest.fixture
def conversation(stack):
    """A seeker's post accepted by an online helper, with one message each way."""
    seeker = stack.client("bearer")
    seeker.anonymous()
    helper = stack.client("bearer")
    password = strong_password()
    helper.register(username=unique("rot"), password=password, display_name="Rotation Helper")
    expect(helper.post("/api/helpers/me", {"bio": "I listen.", "expertise": ["Loneliness"]}), 201)
    expect(helper.put("/api/helpers/me/availability", {"online": True}), 200)
    post = expect(seeker.post("/api/posts", {"category": "Loneliness", "content": "Nobody calls."}), 201).json
    session = expect(helper.post(f"/api/posts/{post['id']}/accept"), 201).json
    expect(seeker.post(f"/api/sessions/{session['id']}/messages",
                       {"text": "rotation canary one", "client_key": uuid.uuid4().hex}), 201)
    expect(helper.post(f"/api/sessions/{session['id']}/messages",
                       {"text": "rotation canary two", "client_key": uuid.uuid4().hex}), 201)
    return seeker, helper, session, password


def test_rotate_rewraps_user_and_session_keys(stack, conversation):
    seeker, helper, session, password = conversation
    before = stack.query("SELECT max(master_version) FROM user_keys")[0][0]
    p = stack.astralctl("keys", "rotate")
    assert p.returncode == 0, f"keys rotate failed ({p.returncode}):\n{p.stdout}\n{p.stderr}"
    new_version = before + 1
    assert f"key version {new_version}" in p.stdout, p.stdout
    assert stale_counts(stack, new_version) == (0, 0), p.stdout
    rewrapped = stack.query("SELECT count(*) FROM help_session_keys WHERE session_id = %s "
                            "AND master_version = %s AND rewrapped_at IS NOT NULL",
                            (session["id"], new_version))[0][0]
    assert rewrapped == 1

    # Both participants still read the conversation (the programs reload the keyring when they
    # meet the new version) and can keep writing to it.
    for who in (seeker, helper):
        texts = [m["text"] for m in expect(who.get(f"/api/sessions/{session['id']}/messages"), 200).json["items"]]
        assert texts == ["rotation canary one", "rotation canary two"]
    expect(seeker.post(f"/api/sessions/{session['id']}/messages",
                       {"text": "after rotation", "client_key": uuid.uuid4().hex}), 201)
    # The helper signs in again with a password checked against data sealed before the rotation.
    again = stack.client("bearer")
    again.login(helper.whoami().json["user"]["username"], password)


def test_rotate_names_a_damaged_session_key(stack, conversation):
    _, _, session, _ = conversation
    stack.query("UPDATE help_session_keys SET wrapped_key = '\\x0100'::bytea WHERE session_id = %s",
                (session["id"],))
    p = stack.astralctl("keys", "rotate", "--rewrap-only")
    assert p.returncode != 0
    assert f"help session {session['id']}" in p.stderr, p.stderr
    stack.query("DELETE FROM help_sessions WHERE id = %s", (session["id"],))


def test_rotate_names_a_keyring_that_is_too_open(stack):
    """A keyring readable by group or others: rotate says which mode and how to fix it, as backup
    and restore do, and adds no key."""
    path = stack.dir / "etc" / "keyring"
    before = path.read_bytes()
    os.chmod(path, 0o644)
    try:
        p = stack.astralctl("keys", "rotate")
        assert p.returncode == 5, f"a keyring of mode 644 must be refused (5):\n{p.stdout}\n{p.stderr}"
        assert "mode 644" in p.stderr and f"chmod 600 {path}" in p.stderr, p.stderr
        assert path.read_bytes() == before, "keys rotate changed a keyring it refused"
        p = stack.astralctl("keys", "rotate", "--rewrap-only")
        assert p.returncode == 5 and f"chmod 600 {path}" in p.stderr, f"{p.stdout}\n{p.stderr}"
    finally:
        os.chmod(path, 0o600)


@pytest.mark.parametrize("name,what", [("jwt.key", "JWT key file"), ("keyring", "keyring")])
def test_init_with_an_existing_key_file_that_is_too_open(stack, name, what):
    """keys init leaves an existing key file unchanged, but one the programs would refuse (group or
    others have access) is named with its fix and the exit status is 5, not a silent 0."""
    path = stack.dir / "etc" / name
    before = path.read_bytes()
    os.chmod(path, 0o640)
    try:
        p = stack.astralctl("keys", "init")
        assert p.returncode == 5, f"keys init must not succeed over a {what} of mode 640:\n{p.stdout}\n{p.stderr}"
        assert f"{what} {path} exists but its mode 640" in p.stderr, p.stderr
        assert f"chmod 600 {path}" in p.stderr, p.stderr
        assert f"{path} exists; left unchanged" not in p.stdout, p.stdout
        assert path.read_bytes() == before and (path.stat().st_mode & 0o777) == 0o640, \
            "keys init changed an existing key file"
    finally:
        os.chmod(path, 0o600)
    p = stack.astralctl("keys", "init")
    assert p.returncode == 0 and f"{path} exists; left unchanged" in p.stdout, f"{p.stdout}\n{p.stderr}"


@pytest.mark.parametrize("command", [("keys", "rotate"), ("keys", "rotate", "--rewrap-only"), ("keys", "init")])
def test_rotate_and_init_remove_a_stale_temporary_keyring(stack, command):
    """A keys rotate killed while writing leaves its temporary copy of the keyring (0600, key
    material) beside it; the next keys rotate or keys init removes it, and nothing else."""
    path = stack.dir / "etc" / "keyring"
    stale = path.with_name("keyring.astral-tmp.Zz9Yy8")
    stale.write_bytes(path.read_bytes())
    os.chmod(stale, 0o600)
    backup = path.with_name("keyring.backup")           # an admin's copy: never touched
    backup.write_bytes(path.read_bytes())
    os.chmod(backup, 0o600)
    try:
        p = stack.astralctl(*command)
        assert p.returncode == 0, f"{' '.join(command)} failed:\n{p.stdout}\n{p.stderr}"
        assert not stale.exists(), f"{' '.join(command)} left the stale temporary keyring {stale}"
        assert "removed 1 temporary copy of the keyring" in p.stdout, p.stdout
        assert backup.exists(), f"{' '.join(command)} removed {backup}, which is not its own"
        leftovers = [n for n in os.listdir(path.parent) if n.startswith("keyring.astral-tmp.")]
        assert not leftovers, leftovers
    finally:
        for f in (stale, backup):
            if f.exists():
                f.unlink()
