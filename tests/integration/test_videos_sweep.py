"""astralctl media sweep: the files of a deleted account's videos and abandoned uploads go once
they are older than --min-age; files of live rows, recent files and files that are not ours stay."""

import os
import time

from astral_client import expect
from test_videos_setup import new_user, upload_ok, video_dir


def age(path, seconds):
    t = time.time() - seconds
    os.utime(path, (t, t))


def sweep(stack, *args):
    p = stack.astralctl("media", "sweep", *args)
    assert p.returncode == 0, f"astralctl media sweep failed ({p.returncode}):\n{p.stdout}\n{p.stderr}"
    return p.stdout


def test_sweep_removes_only_orphans_older_than_min_age(stack):
    keep_owner, gone_owner = new_user(stack), new_user(stack)
    kept = upload_ok(keep_owner, description="stays")
    gone = upload_ok(gone_owner, description="its account goes")
    expect(gone_owner.delete("/api/me", {"confirm": "delete my account"}), 204)
    d = video_dir(stack)
    abandoned = d / ".upload-abandoned-test"
    abandoned.write_bytes(b"half an upload")
    stranger = d / "README-not-ours"
    stranger.write_bytes(b"not a video id")
    for f in (d / kept["id"], d / gone["id"], abandoned, stranger):
        age(f, 7200)

    out = sweep(stack, "--dry-run")
    assert f"would remove {d / gone['id']}" in out and f"would remove {abandoned}" in out, out
    assert (d / gone["id"]).exists(), "--dry-run removed a file"

    out = sweep(stack)
    assert not (d / gone["id"]).exists(), f"the deleted account's video is still on disk:\n{out}"
    assert not abandoned.exists(), f"an abandoned upload is still on disk:\n{out}"
    assert (d / kept["id"]).exists(), "a live video's file was removed"
    assert stranger.exists(), "a file that is not ours was removed"
    stranger.unlink()


def test_sweep_leaves_recent_files(stack):
    owner = new_user(stack)
    v = upload_ok(owner, description="recent")
    expect(owner.delete("/api/me", {"confirm": "delete my account"}), 204)
    sweep(stack)
    assert (video_dir(stack) / v["id"]).exists(), "a file younger than --min-age was removed"
    sweep(stack, "--min-age", "0")
    assert not (video_dir(stack) / v["id"]).exists()


def test_sweep_bad_min_age(stack):
    p = stack.astralctl("media", "sweep", "--min-age", "soon")
    assert p.returncode == 1 and "--min-age" in p.stderr
