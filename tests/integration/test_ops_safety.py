"""Operator tooling under an admin's bad day: `astralctl restore --force` whose pg_restore fails,
`astralctl keys rotate` on a keyring reached through a symbolic link."""

import os
import shutil

import pytest

from astral_client import strong_password, unique
from conftest import start_stack, stop_stack
from test_restore_drill import give_to, private_dir, restart_programs, run, table_counts
from test_videos_setup import mp4_bytes, upload_ok


@pytest.fixture(scope="module")
def stack():
    st = start_stack(["--workers", "1"], label="ops")
    st.work = []
    try:
        st.create_user("seeker", unique("ops"), "Ops Seeker", strong_password())
        yield st
    finally:
        for d in st.work:
            shutil.rmtree(d, ignore_errors=True)
        stop_stack(st)


def backup_set(st):
    d = private_dir(st, "ops-set")
    st.work.append(d)
    out = d / "set"
    p = st.astralctl("backup", "--output", out)
    assert p.returncode == 0, f"backup failed:\n{p.stdout}\n{p.stderr}"
    return out


def failing_tool(st, name):
    """A directory to put first on PATH holding a `name` that fails as a broken pg_restore would."""
    d = private_dir(st, "ops-bin")
    st.work.append(d)
    give_to(d, st, 0o755)
    tool = d / name
    tool.write_text("#!/bin/sh\necho 'pg_restore: error: could not execute query: simulated' >&2\nexit 1\n")
    give_to(tool, st, 0o755)
    return d


def test_restore_force_whose_pg_restore_fails_keeps_the_database(stack):
    """--force must not lose the data in place when the restore itself fails: pg_restore runs in one
    transaction and says it changed nothing, so the database must be as it was."""
    st = stack
    set_dir = backup_set(st)
    before = table_counts(st)
    assert before.get("users", 0) > 0
    bindir = failing_tool(st, "pg_restore")
    ctl = [str(st.build / "tools" / "astralctl"), "-c", st.conf, "restore", "--input", str(set_dir), "--force"]
    p = run(st.as_run_user(["env", f"PATH={bindir}:/usr/bin:/bin", *ctl]), cwd="/")
    assert p.returncode == 3, f"a failed pg_restore must fail the restore (3):\n{p.stdout}\n{p.stderr}"
    assert table_counts(st) == before, \
        f"restore --force whose pg_restore failed lost the data in place:\n{p.stdout}\n{p.stderr}"
    assert "put the previous schema public back" in p.stdout, p.stdout
    # What an interrupted --force leaves (the previous schema set aside) is never overwritten.
    st.query("CREATE SCHEMA astral_restore_previous")
    try:
        p = st.astralctl("restore", "--input", set_dir, "--force")
        assert p.returncode == 3 and "astral_restore_previous exists" in p.stderr, f"{p.stdout}\n{p.stderr}"
    finally:
        st.query("DROP SCHEMA astral_restore_previous")
    assert table_counts(st) == before
    # And a real restore --force afterwards still works and leaves no schema aside.
    p = st.astralctl("restore", "--input", set_dir, "--force")
    assert p.returncode == 0, f"restore --force failed:\n{p.stdout}\n{p.stderr}"
    assert table_counts(st) == before
    schemas = st.query("SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%%'"
                       " AND nspname <> 'information_schema' ORDER BY 1")
    assert schemas == [("public",)], schemas


def test_rotate_through_a_symlinked_keyring_updates_the_real_file(stack):
    """An admin keeps the keyring on another volume and links it from the configured path: rotation
    must add the key to that file (the one they back up), not replace the link by a copy."""
    st = stack
    conf_path = st.dir / "etc" / "keyring"
    vault = private_dir(st, "ops-vault")
    st.work.append(vault)
    real = vault / "keyring"
    shutil.copy2(conf_path, real)
    give_to(real, st, 0o600)
    original = conf_path.read_bytes()
    os.unlink(conf_path)
    os.symlink(real, conf_path)
    try:
        p = st.astralctl("keys", "rotate")
        assert p.returncode == 0, f"keys rotate failed:\n{p.stdout}\n{p.stderr}"
        version = st.query("SELECT max(master_version) FROM user_keys")[0][0]
        assert conf_path.is_symlink(), "keys rotate replaced the symbolic link by a regular file"
        assert f"key {version} ".encode() in real.read_bytes(), \
            f"the linked keyring lacks key version {version}, which every data key now uses"
        assert not [n for n in os.listdir(vault) if n != "keyring"], os.listdir(vault)
    finally:
        # Put back a plain file holding every key the data may use now.
        data = conf_path.read_bytes() if conf_path.exists() else original
        os.unlink(conf_path)
        conf_path.write_bytes(data)
        give_to(conf_path, st, 0o600)


def test_backup_and_restore_of_a_set_whose_name_starts_with_a_dash(stack):
    """A relative --input whose name starts with '-' must reach pg_restore as a path, not be read
    as its options (`-set/database.dump` is `-s -e -t /database.dump` to pg_restore)."""
    st = stack
    d = private_dir(st, "ops-dash")
    st.work.append(d)
    before = table_counts(st)
    ctl = [str(st.build / "tools" / "astralctl"), "-c", st.conf]
    p = run(st.as_run_user([*ctl, "backup", "--output", "-set"]), cwd=d)
    assert p.returncode == 0, f"backup --output -set failed:\n{p.stdout}\n{p.stderr}"
    assert (d / "-set" / "manifest.json").exists()
    p = run(st.as_run_user([*ctl, "restore", "--input", "-set", "--force"]), cwd=d)
    assert p.returncode == 0, f"restore --input -set failed:\n{p.stdout}\n{p.stderr}"
    assert "pg_restore (one transaction)" in p.stdout, p.stdout
    assert table_counts(st) == before


def test_restore_whose_video_copy_fails_says_the_database_is_restored(stack):
    """The videos are copied after pg_restore has committed. When a copy fails (a full disk, made
    here by a file size limit: writes fail with EFBIG), the exit status is 3, not 2 (the
    configuration's), and the message says the database is restored and a rerun needs --force."""
    st = stack
    restart_programs(st)          # the earlier tests' restores replaced the schema under them
    seeker = st.client("bearer")
    seeker.anonymous()
    video = mp4_bytes(payload=200_000)
    video_id = upload_ok(seeker, video, "Ops video")["id"]
    set_dir = backup_set(st)
    assert (set_dir / "videos" / video_id).exists()
    media = st.dir / "media" / "videos"
    (media / video_id).unlink()
    before = table_counts(st)
    ctl = [str(st.build / "tools" / "astralctl"), "-c", st.conf, "restore", "--input", str(set_dir), "--force"]
    limited = ["sh", "-c", "trap '' XFSZ; ulimit -f 100; exec \"$@\"", "sh", *ctl]
    p = run(st.as_run_user(limited), cwd="/")
    assert p.returncode == 3, f"a failed video copy after pg_restore must exit 3:\n{p.stdout}\n{p.stderr}"
    assert "File too large" in p.stderr, p.stderr
    assert "the database is restored" in p.stderr, p.stderr
    assert "0 of the set's 1 video files" in p.stderr, p.stderr
    assert f"astralctl restore --input {set_dir} --force" in p.stderr, p.stderr
    assert table_counts(st) == before
    assert not (media / video_id).exists()
    assert not [n for n in os.listdir(media) if n.startswith(".upload-restore-")], os.listdir(media)
    # The rerun it names completes the restore.
    p = st.astralctl("restore", "--input", set_dir, "--force")
    assert p.returncode == 0, f"restore --force failed:\n{p.stdout}\n{p.stderr}"
    assert (media / video_id).read_bytes() == video
    assert table_counts(st) == before
