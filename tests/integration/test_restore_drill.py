"""Restore drill: `astralctl backup` of a populated stack, the keys kept apart, `astralctl restore`
into a fresh cluster (only the owner role and an empty database), then the audit chain verifies,
every table has the source's row count and, with the kept keys in place, a user of the source signs
in through the restored stack and reads their journal, mood note and chat with the original text.
Also: a changed or missing file, a keyring without the data's key version and a database that is
not empty are refused before anything changes; the set never holds key material; a production-like
cluster (astral_owner a CREATEROLE role, not a superuser) is restored into and backed up from.

Run with `pytest -s` to see the measured durations and sizes."""

import base64
import hashlib
import hmac
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import psycopg2
import pytest

from astral_client import expect, strong_password, unique
from conftest import IS_ROOT, PG_BIN, SRC, STACK_TOOL, start_stack, stop_stack
from test_moderation_setup import _RealClock, new_staff
from test_videos_setup import mp4_bytes, upload_ok

JOURNAL_TEXT = "Drill journal: slept badly, walked by the river — felt lighter after. ☀ 🌊"
MOOD_NOTE = "Drill mood note: anxious before the call, calm after\nsecond line ✓"
CHAT_TEXTS = ["Drill message one: I can't sleep before exams.", "Drill reply: that sounds hard — I'm here. ✨",
              "Drill message three: thank you 🙏"]


# ------------------------------------------------------------------ helpers

def run(cmd, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 600)
    return subprocess.run(cmd, **kw)


def give_to(path, st, mode):
    """Make path the run user's with this mode (the stack's programs and astralctl run as it)."""
    if IS_ROOT:
        pw = pwd.getpwnam(st.run_user)
        os.chown(path, pw.pw_uid, pw.pw_gid)
    os.chmod(path, mode)


def private_dir(st, label):
    d = Path(tempfile.mkdtemp(prefix=f"astral-drill-{label}-"))
    give_to(d, st, 0o700)
    return d


def copy_set(st, src, label):
    """A copy of a backup set the run user owns, to damage on purpose."""
    dst = private_dir(st, label) / "set"
    shutil.copytree(src, dst)
    for p in [dst, *dst.rglob("*")]:
        give_to(p, st, 0o700 if p.is_dir() else 0o600)
    return dst


def table_counts(st):
    """{table: rows} of schema public, read as the owner."""
    tables = [r[0] for r in st.query("SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace"
                                     " AND relkind IN ('r', 'p') ORDER BY relname")]
    conn = st.owner_db()
    try:
        with conn.cursor() as cur:
            counts = {}
            for t in tables:
                cur.execute(f'SELECT count(*) FROM public."{t}"')
                counts[t] = cur.fetchone()[0]
            return counts
    finally:
        conn.close()


def public_objects(st):
    return st.query("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")[0][0]


def fresh_database(st):
    """Make the stack's cluster what an admin prepares for a restore: the owner role and an empty
    database it owns; astral_app (created by migration 0001) dropped as well."""
    last = None
    for _ in range(5):
        conn = psycopg2.connect(host=st.pghost, port=st.pgport, dbname="postgres", user=st.pguser_owner,
                                connect_timeout=10)
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute("DROP DATABASE IF EXISTS astral WITH (FORCE)")
                cur.execute("DROP ROLE IF EXISTS astral_app")
                cur.execute("CREATE DATABASE astral OWNER astral_owner")
            return
        except psycopg2.Error as e:        # a program reconnecting in between: try again
            last = e
            time.sleep(0.5)
        finally:
            conn.close()
    raise AssertionError(f"could not re-create an empty database in {st.dir}: {last}")


def install_keys(st, jwt_key, keyring):
    """Write the stack's auth.jwt_key_file and crypto.keyring_file (0600, the run user's)."""
    for name, data in (("jwt.key", jwt_key), ("keyring", keyring)):
        path = st.dir / "etc" / name
        tmp = path.with_name(name + ".new")
        tmp.write_bytes(data)
        give_to(tmp, st, 0o600)
        os.replace(tmp, path)


def restart_programs(st):
    p = run([str(STACK_TOOL), "restart-programs", "--dir", str(st.dir)])
    assert p.returncode == 0, f"stack restart-programs failed:\n{p.stdout}\n{p.stderr}"


def key_material(jwt_key, keyring):
    """Every form the secret keys take in their files: the text and the decoded bytes."""
    forms = {"JWT key text": jwt_key.strip()}
    text = jwt_key.strip().decode()
    forms["JWT key bytes"] = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    for line in keyring.decode().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "key":
            forms[f"keyring key {parts[1]} text"] = parts[2].encode()
            forms[f"keyring key {parts[1]} bytes"] = base64.b64decode(parts[2])
    return forms


def sign_manifest(set_dir, keyring):
    """Sign an edited manifest.json again, as astralctl backup does (tools/ctl/backup_manifest_mac.c),
    with the key version that signed it: what someone holding the keyring could do."""
    mac = json.loads((set_dir / "manifest.mac").read_text())
    keys = {int(parts[1]): base64.b64decode(parts[2]) for parts in (line.split() for line in keyring.decode().splitlines())
            if len(parts) == 3 and parts[0] == "key"}
    key = hmac.new(keys[mac["key_version"]], b"astral-core backup manifest mac v1", hashlib.sha256).digest()
    mac["hmac_sha256"] = hmac.new(key, (set_dir / "manifest.json").read_bytes(), hashlib.sha256).hexdigest()
    (set_dir / "manifest.mac").write_text(json.dumps(mac))


def target_with_a_copy(drill, label):
    """The target, empty with the source's keys in place, and a copy of the backup set to change on
    purpose (removed with the drill)."""
    target = drill.target
    fresh_database(target)
    install_keys(target, drill.jwt_key, drill.keyring)
    copy = copy_set(target, drill.set_dir, label)
    drill.dirs.append(copy.parent)
    return target, copy


def restore(st, set_dir, *extra):
    t0 = time.monotonic()
    p = st.astralctl("restore", "--input", set_dir, *extra)
    return p, time.monotonic() - t0


# ------------------------------------------------------------------ the source, its backup, the target

class Drill:
    pass


@pytest.fixture(scope="module")
def drill():
    """A populated source stack, its backup set, its keys kept apart, and a target stack."""
    source = start_stack(["--workers", "1"], label="drill-src")
    target = None
    d = Drill()
    d.dirs = []
    try:
        d.source = source
        # People: a seeker with a password, a helper, a moderator with two-step sign-in, others.
        d.seeker_name, d.seeker_pw = unique("drs"), strong_password()
        source.create_user("seeker", d.seeker_name, "Drill Seeker", d.seeker_pw)
        seeker = source.client("bearer")
        seeker.login(d.seeker_name, d.seeker_pw)
        d.helper_name, d.helper_pw = unique("drh"), strong_password()
        helper = source.client("bearer")
        helper.register(username=d.helper_name, password=d.helper_pw, display_name="Drill Helper")
        expect(helper.post("/api/helpers/me", {"bio": "I listen.", "expertise": ["Loneliness"]}), 201)
        expect(helper.put("/api/helpers/me/availability", {"online": True}), 200)
        d.moderator = new_staff(source)
        for i in range(3):
            other = source.client("bearer")
            other.anonymous()
            expect(other.post("/api/posts", {"category": "Anxiety", "content": f"Drill post {i} {uuid.uuid4()}"}),
                   201)

        # Health data sealed at rest: a journal entry, a mood note, a conversation.
        expect(seeker.post("/api/wellness/journal", {"text": JOURNAL_TEXT}), 201)
        expect(seeker.post("/api/wellness/mood", {"mood": 2, "note": MOOD_NOTE}), 201)
        post = expect(seeker.post("/api/posts", {"category": "Loneliness", "content": "Drill: nobody calls."}),
                      201).json
        d.session_id = expect(helper.post(f"/api/posts/{post['id']}/accept"), 201).json["id"]
        for who, text in zip((seeker, helper, seeker), CHAT_TEXTS):
            expect(who.post(f"/api/sessions/{d.session_id}/messages",
                            {"text": text, "client_key": uuid.uuid4().hex}), 201)

        # A video, approved by the moderator (a staff action in the audit log).
        d.video_bytes = mp4_bytes(payload=200_000)
        d.video_id = upload_ok(seeker, d.video_bytes, "Drill breathing")["id"]
        expect(d.moderator.post(f"/api/moderation/videos/{d.video_id}/approve"), 200)

        # A second master key: the data keys are re-wrapped with version 2.
        p = source.astralctl("keys", "rotate")
        assert p.returncode == 0, f"keys rotate failed:\n{p.stdout}\n{p.stderr}"
        d.key_version = source.query("SELECT max(master_version) FROM user_keys")[0][0]
        assert d.key_version == 2, "after one rotation the data keys should use master key version 2"

        # The backup, then the keys copied apart (they are never in the set).
        d.set_dir = private_dir(source, "set") / "set"
        d.dirs.append(d.set_dir.parent)
        t0 = time.monotonic()
        d.backup = source.astralctl("backup", "--output", d.set_dir)
        d.backup_seconds = time.monotonic() - t0
        assert d.backup.returncode == 0, f"astralctl backup failed ({d.backup.returncode}):\n" \
                                         f"{d.backup.stdout}\n{d.backup.stderr}"
        d.source_counts = table_counts(source)
        d.source_audit_rows = source.query("SELECT count(*) FROM audit_log")[0][0]
        d.source_db_bytes = source.query("SELECT pg_database_size('astral')")[0][0]
        d.manifest = json.loads((d.set_dir / "manifest.json").read_text())
        d.jwt_key = (source.dir / "etc" / "jwt.key").read_bytes()
        d.keyring = (source.dir / "etc" / "keyring").read_bytes()

        target = start_stack(["--workers", "1"], label="drill-dst")
        d.target = target
        d.target_keyring = (target.dir / "etc" / "keyring").read_bytes()
        d.target_jwt_key = (target.dir / "etc" / "jwt.key").read_bytes()
        yield d
    finally:
        for path in d.dirs:
            shutil.rmtree(path, ignore_errors=True)
        if target is not None:
            stop_stack(target)
        stop_stack(source)


# ------------------------------------------------------------------ backup

def test_backup_set_lists_every_file_and_the_snapshot_facts(drill):
    m = drill.manifest
    files = {f["path"]: f for f in m["files"]}
    assert set(files) == {"database.dump", f"videos/{drill.video_id}"}, files.keys()
    on_disk = sorted(str(p.relative_to(drill.set_dir)) for p in drill.set_dir.rglob("*") if p.is_file())
    assert on_disk == sorted(["manifest.json", "manifest.mac", *files]), \
        f"the set holds files the manifest does not list: {on_disk}"
    assert (drill.set_dir / "videos" / drill.video_id).read_bytes() == drill.video_bytes
    for p in [drill.set_dir, *drill.set_dir.rglob("*")]:
        mode = p.stat().st_mode & 0o777
        assert mode == (0o700 if p.is_dir() else 0o600), f"{p} has mode {mode:o}"
    assert m["tables"] == drill.source_counts, "the manifest's row counts are not the source's"
    assert m["schema_version"] == drill.source.query("SELECT max(version) FROM schema_migrations")[0][0]
    heads = drill.source.query("SELECT chain, last_id, encode(last_hash, 'hex') FROM audit_chains ORDER BY chain")
    assert [(c["chain"], c["last_id"], c["last_hash"]) for c in m["audit_chains"]] == heads
    assert [v["version"] for v in m["key_versions"]] == [2]
    assert len(m["key_versions"][0]["key_id"]) == 16
    assert "auth.jwt_key_file" in drill.backup.stdout and "crypto.keyring_file" in drill.backup.stdout
    assert str(drill.source.dir / "etc" / "keyring") in drill.backup.stdout, drill.backup.stdout


def test_backup_set_holds_no_key_material(drill):
    dump = drill.set_dir / "database.dump"
    plain = run([str(PG_BIN / "pg_restore"), "-f", "-", str(dump)], text=False)
    assert plain.returncode == 0, f"pg_restore -f - failed: {plain.stderr.decode(errors='replace')}"
    assert b"CREATE TABLE public.journal_entries" in plain.stdout, "the dump's SQL text is not what was expected"
    haystacks = {str(p.relative_to(drill.set_dir)): p.read_bytes()
                 for p in drill.set_dir.rglob("*") if p.is_file()}
    haystacks["database.dump as SQL text"] = plain.stdout
    haystacks["astralctl backup's output"] = (drill.backup.stdout + drill.backup.stderr).encode()
    forms = key_material(drill.jwt_key, drill.keyring)
    assert any(k.startswith("keyring key 2") for k in forms), "the source keyring should hold key version 2"
    for where, data in haystacks.items():
        for what, secret in forms.items():
            assert secret not in data, f"{what} found in {where}"
    # The sealed texts are not in the dump either.
    for text in [JOURNAL_TEXT, MOOD_NOTE, *CHAT_TEXTS]:
        assert text.encode() not in plain.stdout, f"plain text {text!r} found in the dump"


def test_backup_refuses_an_output_directory_in_use(drill):
    p = drill.source.astralctl("backup", "--output", drill.set_dir)
    assert p.returncode == 1, f"a non-empty --output must be refused with exit status 1:\n{p.stdout}\n{p.stderr}"
    assert "--output" in p.stderr and "not empty" in p.stderr, p.stderr
    p = drill.source.astralctl("backup")
    assert p.returncode == 1 and "--output DIR is required" in p.stderr, p.stderr
    missing_parent = drill.set_dir.parent / "no-such-dir" / "set"
    p = drill.source.astralctl("backup", "--output", missing_parent)
    assert p.returncode == 1 and "--output" in p.stderr, p.stderr
    assert not missing_parent.parent.exists()


def test_backup_that_fails_leaves_nothing(drill):
    """pg_dump missing from PATH: the command fails (3) and removes the directory it made."""
    st = drill.source
    out = drill.set_dir.parent / "failed"
    ctl = [str(st.build / "tools" / "astralctl"), "-c", st.conf, "backup", "--output", str(out)]
    p = run(st.as_run_user(["env", "PATH=/nonexistent-bin", *ctl]), cwd="/")
    assert p.returncode == 3, f"backup without pg_dump must fail with exit status 3:\n{p.stdout}\n{p.stderr}"
    assert "pg_dump could not be run" in p.stderr, p.stderr
    assert not out.exists(), f"the failed backup left {sorted(os.listdir(out))} in {out}"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_backup_stopped_by_a_signal_leaves_nothing(drill, sig):
    """A backup stopped by a service manager (SIGTERM) or Ctrl-C (SIGINT) while pg_dump runs
    stops pg_dump, removes the partial set and ends by that signal."""
    st = drill.source
    work = private_dir(st, "interrupt")
    drill.dirs.append(work)
    ready = work / "pg_dump-started"
    wrapper = work / "bin" / "pg_dump"
    wrapper.parent.mkdir()
    # A pg_dump that never finishes: the interruption always lands while it runs. Its sleep has a
    # length of its own, so that no other process on the machine is taken for it below.
    sleeper = f"sleep 300.{os.getpid()}{int(sig)}"
    wrapper.write_text(f'#!/bin/sh\n: > "{ready}"\nexec {sleeper}\n')
    give_to(wrapper.parent, st, 0o755)
    give_to(wrapper, st, 0o755)
    out = work / "set"
    ctl = [str(st.build / "tools" / "astralctl"), "-c", st.conf, "backup", "--output", str(out)]
    proc = subprocess.Popen(st.as_run_user(["env", f"PATH={wrapper.parent}:/usr/bin:/bin", *ctl]),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd="/")
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert proc.poll() is None, f"backup ended before pg_dump started:\n{proc.communicate()}"
            assert time.monotonic() < deadline, "pg_dump never started"
            time.sleep(0.05)
        assert out.exists(), "the set's directory should exist while pg_dump runs"
        pids = [int(p) for p in run(["pgrep", "-x", "astralctl"]).stdout.split()
                if str(out) in Path(f"/proc/{p}/cmdline").read_bytes().decode(errors="replace")]
        assert len(pids) == 1, f"expected one astralctl for {out}, found {pids}"
        os.kill(pids[0], sig)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode in (-sig, 128 + sig), f"exit {proc.returncode}, expected death by {sig.name}:\n{stderr}"
    assert f"interrupted by signal {int(sig)}" in stderr, stderr
    assert "pg_dump was killed by signal" in stderr, stderr
    assert "the partial backup set was removed" in stderr, stderr
    assert not out.exists(), f"the stopped backup left {sorted(os.listdir(out))} in {out}"
    assert not [p for p in run(["pgrep", "-fx", sleeper]).stdout.split()], "pg_dump was left running"


# ------------------------------------------------------------------ refusals before anything changes

def test_restore_refuses_a_changed_or_missing_file(drill):
    target, damaged = target_with_a_copy(drill, "damaged")
    video = damaged / "videos" / drill.video_id
    data = bytearray(video.read_bytes())
    data[-1] ^= 0x01
    video.write_bytes(bytes(data))
    p, _ = restore(target, damaged)
    assert p.returncode == 1, f"a changed file must be refused with exit status 1:\n{p.stdout}\n{p.stderr}"
    assert f"videos/{drill.video_id} does not match its SHA-256" in p.stderr, p.stderr
    assert "nothing was restored" in p.stderr, p.stderr
    assert public_objects(target) == 0, "the refused restore changed the database"

    (damaged / "database.dump").unlink()
    p, _ = restore(target, damaged)
    assert p.returncode == 1 and "database.dump is missing" in p.stderr, p.stderr
    assert public_objects(target) == 0, "the refused restore changed the database"


def test_restore_refuses_a_keyring_without_the_data_key_version(drill):
    target = drill.target
    fresh_database(target)
    # The target's own keyring: version 1 only, another key.
    install_keys(target, drill.jwt_key, drill.target_keyring)
    p, _ = restore(target, drill.set_dir)
    assert p.returncode == 5, f"a keyring without key version 2 must be refused with exit status 5:\n" \
                              f"{p.stdout}\n{p.stderr}"
    assert "the keyring has no key version 2, which signed" in p.stderr, p.stderr
    assert "nothing was restored" in p.stderr, p.stderr
    assert public_objects(target) == 0, "the refused restore changed the database"

    # A keyring that has a version 2, but not the same key.
    other = b"# astral keyring\n" + b"".join(
        b"key %d %s\n" % (v, base64.b64encode(os.urandom(32))) for v in (1, 2)) + b"current 2\n"
    install_keys(target, drill.jwt_key, other)
    p, _ = restore(target, drill.set_dir)
    assert p.returncode == 5, f"a keyring with another key 2 must be refused:\n{p.stdout}\n{p.stderr}"
    assert "key version 2 of the keyring is not the one that signed" in p.stderr, p.stderr
    assert public_objects(target) == 0, "the refused restore changed the database"


def test_restore_refuses_a_manifest_changed_after_backup(drill):
    """manifest.json names every file with its SHA-256; its MAC, under a key of the keyring kept apart,
    shows it is as backup wrote it. Changed (to let a changed dump through, say), or its MAC changed,
    or the MAC unreadable: refused before anything changes."""
    target, forged = target_with_a_copy(drill, "forged")
    manifest = json.loads((forged / "manifest.json").read_text())
    manifest["tables"]["users"] += 1
    (forged / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    p, _ = restore(target, forged)
    assert p.returncode == 1, f"a changed manifest must be refused with exit status 1:\n{p.stdout}\n{p.stderr}"
    assert "manifest.json does not match its MAC" in p.stderr and "nothing was restored" in p.stderr, p.stderr
    assert public_objects(target) == 0, "the refused restore changed the database"

    shutil.copy(drill.set_dir / "manifest.json", forged / "manifest.json")
    mac = json.loads((forged / "manifest.mac").read_text())
    mac["hmac_sha256"] = ("0" if mac["hmac_sha256"][0] != "0" else "1") + mac["hmac_sha256"][1:]
    (forged / "manifest.mac").write_text(json.dumps(mac))
    p, _ = restore(target, forged)
    assert p.returncode == 1 and "does not match its MAC" in p.stderr, f"{p.stdout}\n{p.stderr}"

    (forged / "manifest.mac").write_text('{"key_version": "2"}')
    p, _ = restore(target, forged)
    assert p.returncode == 1 and "manifest.mac: not {" in p.stderr, f"{p.stdout}\n{p.stderr}"
    assert public_objects(target) == 0, "the refused restore changed the database"


def test_restore_of_a_set_without_its_mac_only_when_accepted(drill):
    """A set with no manifest.mac (made before backup signed its manifests, or with the MAC taken
    away) is refused, naming --accept-unsigned; with it, restored, with a warning."""
    target, unsigned = target_with_a_copy(drill, "unsigned")
    (unsigned / "manifest.mac").unlink()
    p, _ = restore(target, unsigned)
    assert p.returncode == 1 and "no manifest.mac" in p.stderr and "--accept-unsigned" in p.stderr, \
        f"{p.stdout}\n{p.stderr}"
    assert public_objects(target) == 0, "the refused restore changed the database"
    p, _ = restore(target, unsigned, "--accept-unsigned")
    assert p.returncode == 0, f"restore --accept-unsigned failed:\n{p.stdout}\n{p.stderr}"
    assert "warning" in p.stderr and "--accept-unsigned restores it unchecked" in p.stderr, p.stderr
    assert table_counts(target) == drill.source_counts


def newest_migration():
    """The version of the newest migration in the tree: the schema version astralctl knows."""
    return max(int(p.name[:4]) for p in (SRC / "migrations").glob("[0-9][0-9][0-9][0-9]_*.sql"))


def test_restore_refuses_a_set_of_a_newer_schema(drill):
    """A set made by a newer astralctl (a migration this one does not ship) is refused before
    anything changes, naming both schema versions; --force does not get past it either."""
    target, newer = target_with_a_copy(drill, "newer")
    known = newest_migration()
    manifest = json.loads((newer / "manifest.json").read_text())
    future = known + 1
    manifest["schema_migrations"].append({"version": future, "name": f"{future:04d}_from_the_future.sql",
                                          "checksum": "0" * 64})
    manifest["schema_version"] = future
    (newer / "manifest.json").write_text(json.dumps(manifest))
    sign_manifest(newer, drill.keyring)
    p, _ = restore(target, newer)
    assert p.returncode == 1, f"a set of a newer schema must be refused (1):\n{p.stdout}\n{p.stderr}"
    assert f"schema version {future}" in p.stderr and f"schema version {known}" in p.stderr, p.stderr
    assert "nothing was restored" in p.stderr, p.stderr
    assert public_objects(target) == 0, "the refused restore changed the database"

    # Into a database in use, with --force: refused before schema public is set aside.
    p, _ = restore(target, drill.set_dir)
    assert p.returncode == 0, f"restore failed:\n{p.stdout}\n{p.stderr}"
    before = table_counts(target)
    p, _ = restore(target, newer, "--force")
    assert p.returncode == 1 and f"schema version {future}" in p.stderr, f"{p.stdout}\n{p.stderr}"
    assert "--force: set" not in p.stdout, p.stdout
    assert table_counts(target) == before, "restore --force of a refused set changed the database"

    # A schema_version that is not the last migration of the set is not a valid manifest.
    manifest["schema_migrations"].pop()
    (newer / "manifest.json").write_text(json.dumps(manifest))
    sign_manifest(newer, drill.keyring)
    p, _ = restore(target, newer, "--force")
    assert p.returncode == 1 and "schema_version" in p.stderr, f"{p.stdout}\n{p.stderr}"
    assert table_counts(target) == before


def test_restore_of_a_set_of_an_older_schema_then_migrate(drill):
    """A set made at an older schema (one migration fewer) restores, says migrate is next, and
    `astralctl migrate` then brings the database up to date."""
    target = drill.target
    known = newest_migration()
    work = private_dir(target, "older")
    drill.dirs.append(work)
    older_dir = work / "migrations"
    older_dir.mkdir()
    for f in (SRC / "migrations").glob("*.sql"):
        if int(f.name[:4]) < known:
            shutil.copy(f, older_dir / f.name)
    for p in [older_dir, *older_dir.iterdir()]:
        give_to(p, target, 0o755 if p.is_dir() else 0o644)
    fresh_database(target)
    install_keys(target, drill.jwt_key, drill.keyring)
    p = target.astralctl("migrate", "--dir", older_dir)
    assert p.returncode == 0, f"migrate to version {known - 1} failed:\n{p.stdout}\n{p.stderr}"
    p = target.astralctl("backup", "--output", work / "set")
    assert p.returncode == 0, f"backup failed:\n{p.stdout}\n{p.stderr}"
    assert json.loads((work / "set" / "manifest.json").read_text())["schema_version"] == known - 1
    fresh_database(target)
    p, _ = restore(target, work / "set")
    assert p.returncode == 0, f"a set of an older schema must restore:\n{p.stdout}\n{p.stderr}"
    assert f"schema version {known - 1}; this astralctl's is {known}" in p.stdout, p.stdout
    assert "run `astralctl migrate`" in p.stdout, p.stdout
    assert "walk the chain with `astralctl audit verify` once migrated" in p.stdout, p.stdout
    p = target.astralctl("migrate", "--dir", SRC / "migrations")
    assert p.returncode == 0 and f"database is at version {known}" in p.stdout, f"{p.stdout}\n{p.stderr}"
    p = target.astralctl("audit", "verify")
    assert p.returncode == 0 and "audit log intact" in p.stdout, f"{p.stdout}\n{p.stderr}"


# ------------------------------------------------------------------ the drill

def test_restore_drill_into_a_fresh_cluster(drill):
    target = drill.target
    fresh_database(target)
    # The keys kept apart go in place of the new stack's first: restore checks the data against them.
    install_keys(target, drill.jwt_key, drill.keyring)
    p, restore_seconds = restore(target, drill.set_dir)
    assert p.returncode == 0, f"astralctl restore failed ({p.returncode}):\n{p.stdout}\n{p.stderr}"
    assert "created role astral_app" in p.stdout, p.stdout

    assert table_counts(target) == drill.source_counts, "row counts after the restore differ from the source's"
    v = target.astralctl("audit", "verify")
    assert v.returncode == 0, f"audit verify on the restored database failed:\n{v.stdout}\n{v.stderr}"
    assert v.stdout.strip() == f"audit log intact: {drill.source_audit_rows} rows", v.stdout
    assert (target.dir / "media" / "videos" / drill.video_id).read_bytes() == drill.video_bytes

    set_bytes = sum(p.stat().st_size for p in drill.set_dir.rglob("*") if p.is_file())
    print(f"\nrestore drill: backup {drill.backup_seconds:.2f} s, restore {restore_seconds:.2f} s; "
          f"backup set {set_bytes} bytes (database.dump {(drill.set_dir / 'database.dump').stat().st_size} bytes, "
          f"1 video), source database {drill.source_db_bytes} bytes, "
          f"{sum(drill.source_counts.values())} rows in {len(drill.source_counts)} tables")
    print("astralctl restore said:\n" + p.stdout)

    # With the source's keys in place, the restored stack reads the sealed data.
    restart_programs(target)
    seeker = target.client("bearer")
    seeker.login(drill.seeker_name, drill.seeker_pw)
    journal = expect(seeker.get("/api/wellness/journal"), 200).json["items"]
    assert [e["text"] for e in journal] == [JOURNAL_TEXT], journal
    mood = expect(seeker.get("/api/wellness/mood"), 200).json["items"]
    assert [m["note"] for m in mood] == [MOOD_NOTE], mood
    messages = expect(seeker.get(f"/api/sessions/{drill.session_id}/messages"), 200).json["items"]
    assert [m["text"] for m in messages] == CHAT_TEXTS, messages
    helper = target.client("bearer")
    helper.login(drill.helper_name, drill.helper_pw)
    messages = expect(helper.get(f"/api/sessions/{drill.session_id}/messages"), 200).json["items"]
    assert [m["text"] for m in messages] == CHAT_TEXTS, messages
    # The moderator's two-step secret is sealed too: signing in with a TOTP code needs it.
    drill.moderator.stack = target
    drill.moderator.relogin(_RealClock())
    expect(drill.moderator.get("/api/moderation/videos"), 200)
    # The approved video plays from the restored media directory.
    r = seeker.request("GET", f"/media/videos/{drill.video_id}", check=False)
    assert r.status == 200 and r.body == drill.video_bytes, r


def test_restore_refuses_a_database_in_use_unless_forced(drill):
    target = drill.target
    fresh_database(target)
    install_keys(target, drill.jwt_key, drill.keyring)
    p, _ = restore(target, drill.set_dir)
    assert p.returncode == 0, f"restore into an empty database failed:\n{p.stdout}\n{p.stderr}"
    objects = public_objects(target)
    p, _ = restore(target, drill.set_dir)
    assert p.returncode == 3, f"restore into a database with tables must be refused (3):\n{p.stdout}\n{p.stderr}"
    assert "not empty" in p.stderr and "--force" in p.stderr, p.stderr
    assert public_objects(target) == objects
    p, _ = restore(target, drill.set_dir, "--force")
    assert p.returncode == 0, f"restore --force failed:\n{p.stdout}\n{p.stderr}"
    assert "--force: dropped" in p.stdout, p.stdout
    assert table_counts(target) == drill.source_counts
    restart_programs(target)
    seeker = target.client("bearer")
    seeker.login(drill.seeker_name, drill.seeker_pw)
    assert [e["text"] for e in expect(seeker.get("/api/wellness/journal"), 200).json["items"]] == [JOURNAL_TEXT]


def test_restore_notices_a_manifest_that_disagrees_with_the_dump(drill):
    """The checks after pg_restore compare with the manifest: counts that differ are named."""
    target, edited = target_with_a_copy(drill, "edited")
    manifest = json.loads((edited / "manifest.json").read_text())
    manifest["tables"]["journal_entries"] += 1
    (edited / "manifest.json").write_text(json.dumps(manifest))
    sign_manifest(edited, drill.keyring)
    p, _ = restore(target, edited)
    rows = drill.source_counts["journal_entries"]
    assert p.returncode == 3, f"a count that differs must fail the restore (3):\n{p.stdout}\n{p.stderr}"
    assert f"table journal_entries has {rows} rows after the restore, the backup had {rows + 1}" in p.stderr, \
        p.stderr


# ------------------------------------------------------------------ a production-like cluster

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_restore_and_backup_with_an_owner_that_is_not_a_superuser(drill):
    """As docs/operations.md prepares it: `createuser --createrole astral_owner` and
    `createdb --owner astral_owner astral` in a cluster whose superuser is postgres."""
    st = drill.target
    base = private_dir(st, "cluster")
    drill.dirs.append(base)
    pg, sock, videos = base / "pg", base / "run", base / "videos"
    for d in (sock, videos):
        d.mkdir()
        give_to(d, st, 0o700)
    port = free_port()
    p = run(st.as_run_user([str(PG_BIN / "initdb"), "-U", "postgres", "--auth=trust", "--no-locale", "-E", "UTF8",
                            "-D", str(pg)]))
    assert p.returncode == 0, f"initdb failed:\n{p.stdout}\n{p.stderr}"
    p = run(st.as_run_user([str(PG_BIN / "pg_ctl"), "-D", str(pg), "-l", str(base / "postgres.log"), "-w",
                            "-o", f"-c listen_addresses='' -c unix_socket_directories='{sock}' -p {port}"
                            " -c fsync=off", "start"]))
    assert p.returncode == 0, f"pg_ctl start failed:\n{p.stdout}\n{p.stderr}"
    try:
        admin = psycopg2.connect(host=str(sock), port=port, dbname="postgres", user="postgres")
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute("CREATE ROLE astral_owner LOGIN CREATEROLE")
            cur.execute("CREATE DATABASE astral OWNER astral_owner")
        admin.close()
        conf = base / "astral.conf"
        text = Path(st.conf).read_text()
        lines = []
        for line in text.splitlines():
            if line.startswith("conninfo ="):
                line = f'conninfo = "host={sock} port={port} dbname=astral user=astral_app"'
            elif line.startswith("owner_conninfo ="):
                line = f'owner_conninfo = "host={sock} port={port} dbname=astral user=astral_owner"'
            elif line.startswith("video_dir ="):
                line = f"video_dir = {videos}"
            elif line.startswith("keyring_file ="):
                line = f"keyring_file = {base / 'keyring'}"
            lines.append(line)
        conf.write_text("\n".join(lines) + "\n")
        give_to(conf, st, 0o600)
        (base / "keyring").write_bytes(drill.keyring)
        give_to(base / "keyring", st, 0o600)

        ctl = [str(st.build / "tools" / "astralctl"), "-c", str(conf)]
        p = run(st.as_run_user(ctl + ["restore", "--input", str(drill.set_dir)]), cwd="/")
        assert p.returncode == 0, f"restore as a CREATEROLE owner failed ({p.returncode}):\n{p.stdout}\n{p.stderr}"
        assert "created role astral_app" in p.stdout, p.stdout
        conn = psycopg2.connect(host=str(sock), port=port, dbname="astral", user="postgres")
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'astral_owner'")
                assert cur.fetchone() == (False, False), "astral_owner must not be a superuser in this test"
        finally:
            conn.close()
        again = base / "again"
        p = run(st.as_run_user(ctl + ["backup", "--output", str(again)]), cwd="/")
        assert p.returncode == 0, f"backup as a CREATEROLE owner failed ({p.returncode}):\n{p.stdout}\n{p.stderr}"
        second = json.loads((again / "manifest.json").read_text())
        assert second["tables"] == drill.manifest["tables"], "a backup of the restored database lost rows"
        assert second["audit_chains"] == drill.manifest["audit_chains"]
        assert (again / "videos" / drill.video_id).read_bytes() == drill.video_bytes

        # A table whose row-level security hides rows from astral_owner: the dump would miss them,
        # so backup refuses, names the table and keeps nothing.
        conn = psycopg2.connect(host=str(sock), port=port, dbname="astral", user="astral_owner")
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute("CREATE TABLE drill_hidden (x integer); INSERT INTO drill_hidden VALUES (1);"
                            " ALTER TABLE drill_hidden ENABLE ROW LEVEL SECURITY;"
                            " ALTER TABLE drill_hidden FORCE ROW LEVEL SECURITY;"
                            " CREATE POLICY drill_hidden_app ON drill_hidden TO astral_app USING (true)")
        finally:
            conn.close()
        hidden = base / "hidden"
        p = run(st.as_run_user(ctl + ["backup", "--output", str(hidden)]), cwd="/")
        assert p.returncode == 3, f"a table hiding rows from the owner must fail the backup:\n{p.stdout}\n{p.stderr}"
        assert "row-level security may hide rows of table drill_hidden" in p.stderr, p.stderr
        assert not hidden.exists(), "the refused backup left its directory"
    finally:
        run(st.as_run_user([str(PG_BIN / "pg_ctl"), "-D", str(pg), "-m", "fast", "-w", "stop"]))
