"""The IDOR matrix of cgi-bin/videos: A uploads a pending and a rejected video; B is another
user. Every route on an id that B may not see answers 404, the same as an id that does not exist;
nothing changes; B's lists never show them. The app role without a caller sees no row."""

import uuid

import pytest

from astral_client import expect
from test_videos_setup import UPLOAD, mp4_bytes, new_user, set_status, upload_ok


@pytest.fixture(scope="module")
def world(stack):
    a, b = new_user(stack), new_user(stack)
    pending = upload_ok(a, mp4_bytes(), "A's pending video")["id"]
    rejected = upload_ok(a, mp4_bytes(), "A's rejected video")["id"]
    set_status(stack, rejected, "rejected")
    return {"A": a, "B": b, "pending": pending, "rejected": rejected}


ROUTES = [
    ("POST", UPLOAD + "/{id}/like", True),
    ("DELETE", UPLOAD + "/{id}/like", True),
    ("GET", "/media/videos/{id}", False),
]


def snapshot(stack, vid):
    return (stack.query("SELECT status, like_count, description FROM wellness_videos WHERE id = %s", (vid,)),
            stack.query("SELECT count(*) FROM video_likes WHERE video_id = %s", (vid,)))


@pytest.mark.parametrize("method,template,api", ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
@pytest.mark.parametrize("which", ["pending", "rejected", "unknown"])
def test_foreign_or_unknown_video_is_404(stack, world, method, template, api, which):
    vid = world[which] if which != "unknown" else str(uuid.uuid4())
    before = snapshot(stack, vid)
    r = world["B"].request(method, template.replace("{id}", vid), check=api)
    expect(r, 404, "not_found")
    assert b"A's" not in r.body
    assert snapshot(stack, vid) == before


@pytest.mark.parametrize("which", ["pending", "rejected"])
def test_owner_still_reaches_own_video(stack, world, which):
    r = world["A"].request("GET", f"/media/videos/{world[which]}", check=False)
    assert r.status == 200, r


def test_lists_never_show_anothers_unapproved_videos(stack, world):
    for q in ("", "?mine=true", "?limit=50", "?mine=true&limit=50"):
        body = expect(world["B"].get(UPLOAD + q), 200).body
        assert world["pending"].encode() not in body and world["rejected"].encode() not in body


def test_forged_cursor_is_only_another_position(stack, world):
    """A well-formed cursor with A's id in it lists B's own uploads, never A's."""
    import base64

    raw = b"c1\x1fm\x1f9999999999999999\x1f" + world["pending"].encode()
    token = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    r = expect(world["B"].get(UPLOAD + "?mine=true&cursor=" + token), 200)
    assert r.json["items"] == [], r


def test_rls_hides_every_row_without_a_caller(stack, world):
    for table in ("wellness_videos", "video_likes"):
        assert stack.query(f"SELECT count(*) FROM {table}", user="astral_app")[0][0] == 0, table
    assert stack.query("SELECT count(*) FROM wellness_videos")[0][0] > 0


def test_rls_as_the_app_role(stack, world):
    """The database's own wall: B sees neither of A's unapproved rows, cannot insert a row for A
    or one that is already approved, and cannot move a counter."""
    conn = stack.app_db()
    try:
        with conn.cursor() as cur:
            cur.execute("BEGIN")
            cur.execute("SELECT set_config('astral.user_id', %s, true), set_config('astral.role', 'seeker', true)",
                        (world["B"].user_id,))
            cur.execute("SELECT count(*) FROM wellness_videos WHERE id IN (%s, %s)",
                        (world["pending"], world["rejected"]))
            assert cur.fetchone()[0] == 0
            cur.execute("SAVEPOINT s")
            with pytest.raises(Exception):
                cur.execute("INSERT INTO wellness_videos (id, uploader_id, mime, size, created_at)"
                            " VALUES (%s, %s, 'video/mp4', 1, now())", (str(uuid.uuid4()), world["A"].user_id))
            cur.execute("ROLLBACK TO SAVEPOINT s")
            with pytest.raises(Exception):
                cur.execute("INSERT INTO wellness_videos (id, uploader_id, mime, size, status, decided_at,"
                            " created_at) VALUES (%s, %s, 'video/mp4', 1, 'approved', now(), now())",
                            (str(uuid.uuid4()), world["B"].user_id))
            cur.execute("ROLLBACK TO SAVEPOINT s")
            with pytest.raises(Exception):
                cur.execute("UPDATE wellness_videos SET like_count = 99")
            cur.execute("ROLLBACK TO SAVEPOINT s")
            with pytest.raises(Exception):
                cur.execute("INSERT INTO video_likes (video_id, user_id, created_at) VALUES (%s, %s, now())",
                            (world["pending"], world["B"].user_id))
            cur.execute("ROLLBACK")
    finally:
        conn.close()
