"""cgi-bin/videos end to end, through nginx: upload (type by content, size limits, nothing left
behind), the feed and my uploads, visibility of pending and approved videos, likes, and the
media route (X-Accel-Redirect: the exact bytes, Range requests, stored outside htdocs)."""

import hashlib
import os

import pytest

from astral_client import expect
from test_videos_setup import (MB, MP3_ID3, PNG, TEXT, UPLOAD, approve, mp4_bytes, multipart, new_staff,
                               new_user, part, row_count, set_status, upload, upload_ok, video_dir,
                               video_files, webm_bytes)


def media(client, video_id, **headers):
    """GET /media/videos/{id}: not an API route (the bytes come from nginx), so no contract check."""
    return client.request("GET", f"/media/videos/{video_id}", headers=headers or None, check=False)


# ------------------------------------------------------------------ upload

def test_upload_mp4_and_read_it_back(stack):
    a = new_user(stack)
    data = mp4_bytes(payload=20000)
    before = video_files(stack)
    v = upload_ok(a, data, "A slow walk by the sea")
    assert v["mime"] == "video/mp4" and v["size"] == len(data)
    assert v["description"] == "A slow walk by the sea"
    assert v["like_count"] == 0 and v["liked_by_me"] is False
    assert v["url"] == f"/media/videos/{v['id']}"
    # One new file, named by the id, holding exactly the bytes; nothing else.
    assert video_files(stack) == sorted(before + [v["id"]])
    assert (video_dir(stack) / v["id"]).read_bytes() == data
    r = media(a, v["id"])
    assert r.status == 200, r
    assert r.body == data
    assert r.headers["Content-Type"] == "video/mp4"
    assert r.headers.get("X-Content-Type-Options") == "nosniff"


def test_upload_webm_declared_as_text_is_webm(stack):
    """The bytes decide, not the name or the declared type."""
    a = new_user(stack)
    data = webm_bytes()
    v = upload_ok(a, data, filename="notes.txt", content_type="text/plain")
    assert v["mime"] == "video/webm" and v["size"] == len(data)
    r = media(a, v["id"])
    assert r.status == 200 and r.body == data and r.headers["Content-Type"] == "video/webm", r


def test_description_first_crlf_kept_as_lf_and_default_empty(stack):
    a = new_user(stack)
    v = upload_ok(a, mp4_bytes(), "line one\r\nline two", file_first=False)
    assert v["description"] == "line one\nline two"
    v = upload_ok(a, mp4_bytes())
    assert v["description"] == ""


def test_upload_through_the_browser_path(stack):
    """A cookie client (the web app) uploads with its CSRF token; without it, 403."""
    c = new_user(stack, mode="cookie")
    upload_ok(c, mp4_bytes(), "from the browser")
    body, ctype = multipart([part("file", mp4_bytes(), filename="a.mp4")])
    n = row_count(stack, c.user_id)
    expect(c.request("POST", UPLOAD, data=body, content_type=ctype, csrf=False), 403, "csrf")
    assert row_count(stack, c.user_id) == n


@pytest.mark.parametrize("data,name", [
    (TEXT, "text.mp4"), (PNG, "image.mp4"), (MP3_ID3, "song.webm"),
    (webm_bytes(doctype=b"matroska"), "film.webm"),
    (mp4_bytes(brand=b"qt  ", compatible=(b"qt  ",)), "movie.mp4"),
    (mp4_bytes()[:20], "truncated.mp4"),
    (b"\x00\x00\x00\x20ftypisom", "header-only.mp4"),
], ids=["text", "png", "mp3-id3", "matroska", "quicktime", "truncated", "cut-ftyp"])
def test_not_a_video_is_415_and_leaves_nothing(stack, data, name):
    a = new_user(stack)
    before = video_files(stack)
    r = upload(a, data, "nope", filename=name, content_type="video/mp4")
    expect(r, 415, "unsupported_media_type", "file")
    assert video_files(stack) == before
    assert row_count(stack, a.user_id) == 0


def test_large_text_file_is_415_without_reading_it_all(stack):
    """Refused after its first bytes; the program still answers (no 502) and keeps nothing."""
    a = new_user(stack)
    before = video_files(stack)
    r = upload(a, b"not a video, " * (400 * 1024), filename="big.mp4")
    expect(r, 415, "unsupported_media_type", "file")
    assert video_files(stack) == before
    # The worker is fine afterwards.
    upload_ok(a, mp4_bytes())


class Sixty:
    """A 60 MB multipart body produced as it is read, so Python never holds it whole."""

    def __init__(self, total=60 * MB, chunked=False):
        self.boundary = "----sixty"
        self.head = (b"--" + self.boundary.encode() + b"\r\n"
                     b'Content-Disposition: form-data; name="file"; filename="big.mp4"\r\n'
                     b"Content-Type: video/mp4\r\n\r\n" + mp4_bytes(payload=0)[:40])
        self.tail = b"\r\n--" + self.boundary.encode() + b"--\r\n"
        self.total = total
        self.chunked = chunked

    def chunks(self):
        yield self.head
        left = self.total - len(self.head) - len(self.tail)
        block = b"\0" * MB
        while left > 0:
            n = min(left, len(block))
            yield block[:n]
            left -= n
        yield self.tail

    @property
    def content_type(self):
        return f"multipart/form-data; boundary={self.boundary}"


class _Reader:
    """File-like over a generator with a known length: requests sends Content-Length."""

    def __init__(self, body):
        self.gen = body.chunks()
        self.len = body.total
        self.buf = b""

    def read(self, n=-1):
        while (n < 0 or len(self.buf) < n):
            try:
                self.buf += next(self.gen)
            except StopIteration:
                break
        if n < 0:
            out, self.buf = self.buf, b""
        else:
            out, self.buf = self.buf[:n], self.buf[n:]
        return out


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_sixty_megabytes_is_413_naming_file(stack, chunked):
    a = new_user(stack)
    before = video_files(stack)
    body = Sixty()
    data = body.chunks() if chunked else _Reader(body)
    r = a.request("POST", UPLOAD, data=data, content_type=body.content_type)
    expect(r, 413, "payload_too_large", "file")
    assert video_files(stack) == before
    assert row_count(stack, a.user_id) == 0


def test_just_over_fifty_megabytes_is_413_from_the_program(stack):
    """Under nginx's 51m but over 50 MB of video: the program refuses it and removes its file."""
    a = new_user(stack)
    before = video_files(stack)
    data = mp4_bytes(payload=50 * MB - 48 + 1)
    assert len(data) == 50 * MB + 1
    expect(upload(a, data), 413, "payload_too_large", "file")
    assert video_files(stack) == before
    assert not [f for f in os.listdir(video_dir(stack)) if f.startswith(".upload-")]
    assert row_count(stack, a.user_id) == 0


def test_exactly_fifty_megabytes_is_accepted(stack):
    a = new_user(stack)
    data = mp4_bytes(payload=50 * MB - 48)
    assert len(data) == 50 * MB
    v = upload_ok(a, data)
    assert v["size"] == 50 * MB
    path = video_dir(stack) / v["id"]
    assert path.stat().st_size == 50 * MB
    assert hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(data).digest()


def test_files_are_outside_htdocs_and_not_served_directly(stack):
    a = new_user(stack)
    data = mp4_bytes(payload=3000)
    v = upload_ok(a, data)
    htdocs = (stack.src / "htdocs").resolve()
    stored = (video_dir(stack) / v["id"]).resolve()
    assert htdocs not in stored.parents
    # Only the media route gives the bytes: not the internal location, not a static path.
    for path in (f"/_astral/media/videos/{v['id']}", f"/{v['id']}", f"/media/videos/{v['id']}.mp4",
                 f"/media/videos/../media/videos/{v['id']}", f"/media/{v['id']}"):
        r = a.request("GET", path, check=False)
        assert data not in r.body, path
        assert r.status in (401, 404) or (r.status == 200 and r.headers["Content-Type"].startswith("text/html")), \
            (path, r)
    # Signed out: the media route answers 401 and no bytes.
    c = stack.client("bearer")
    r = media(c, v["id"])
    assert r.status == 401 and data not in r.body, r


# ------------------------------------------------------------------ visibility

def test_pending_is_visible_to_its_uploader_and_staff_only(stack, clock):
    a, b = new_user(stack), new_user(stack)
    v = upload_ok(a, mp4_bytes(), "waiting")
    ids = lambda c, q="": [x["id"] for x in expect(c.get(UPLOAD + q), 200).json["items"]]
    assert v["id"] in ids(a, "?mine=true")
    assert v["id"] not in ids(a)                    # the feed is approved videos only
    assert v["id"] not in ids(b) and v["id"] not in ids(b, "?mine=true")
    assert media(a, v["id"]).status == 200
    r = media(b, v["id"])
    expect(r, 404, "not_found")
    staff = new_staff(stack, clock)
    r = media(staff, v["id"])
    assert r.status == 200 and r.headers["Content-Type"] == "video/mp4", r
    assert v["id"] not in ids(staff)


def test_approved_is_visible_to_everyone_signed_in(stack):
    a, b = new_user(stack), new_user(stack)
    data = mp4_bytes(payload=777)
    v = upload_ok(a, data, "approved one")
    approve(stack, v["id"])
    items = expect(b.get(UPLOAD + "?limit=50"), 200).json["items"]
    mine = [x for x in items if x["id"] == v["id"]]
    assert mine and mine[0]["mine"] is False and mine[0]["status"] == "approved", items
    r = media(b, v["id"])
    assert r.status == 200 and r.body == data, r
    # Rejected: gone from the feed and from others, still the uploader's.
    set_status(stack, v["id"], "rejected")
    assert v["id"] not in [x["id"] for x in expect(b.get(UPLOAD + "?limit=50"), 200).json["items"]]
    expect(media(b, v["id"]), 404, "not_found")
    mine = expect(a.get(UPLOAD + "?mine=true"), 200).json["items"]
    assert [x["status"] for x in mine if x["id"] == v["id"]] == ["rejected"]


def test_feed_is_newest_first_with_cursor_pages(stack, clock):
    a = new_user(stack)
    made = []
    for i in range(5):
        made.append(upload_ok(a, mp4_bytes(payload=100 + i))["id"])
        clock.advance(2)
    for vid in made:
        approve(stack, vid)
    seen, cursor = [], None
    while True:
        q = "?mine=true&limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = expect(a.get(UPLOAD + q), 200).json
        assert len(page["items"]) <= 2
        seen += [x["id"] for x in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == list(reversed(made))
    # The approved feed holds them in the same order (other tests' videos may sit between).
    feed = [x["id"] for x in expect(a.get(UPLOAD + "?limit=50"), 200).json["items"] if x["id"] in made]
    assert feed == list(reversed(made))
    # A cursor of one list is refused by the other.
    page = expect(a.get(UPLOAD + "?mine=true&limit=1"), 200).json
    expect(a.get(UPLOAD + "?cursor=" + page["next"]), 400, "invalid_field", "cursor")


# ------------------------------------------------------------------ likes

def test_likes_are_per_user_and_idempotent(stack):
    a, b, c = new_user(stack), new_user(stack), new_user(stack)
    v = upload_ok(a, mp4_bytes())
    approve(stack, v["id"])
    path = f"{UPLOAD}/{v['id']}/like"
    r = expect(b.post(path), 200).json
    assert r["like_count"] == 1 and r["liked_by_me"] is True and r["mine"] is False
    r = expect(b.post(path), 200).json
    assert r["like_count"] == 1 and r["liked_by_me"] is True
    r = expect(c.post(path), 200).json
    assert r["like_count"] == 2 and r["liked_by_me"] is True
    r = expect(a.get(UPLOAD + "?mine=true"), 200).json["items"]
    assert [(x["like_count"], x["liked_by_me"]) for x in r if x["id"] == v["id"]] == [(2, False)]
    r = expect(b.delete(path), 200).json
    assert r["like_count"] == 1 and r["liked_by_me"] is False
    r = expect(b.delete(path), 200).json
    assert r["like_count"] == 1 and r["liked_by_me"] is False
    assert stack.query("SELECT count(*) FROM video_likes WHERE video_id = %s", (v["id"],))[0][0] == 1
    # Audited once per change, never for a repeat.
    rows = stack.query("SELECT action, actor_id::text FROM audit_log WHERE object_type = 'wellness_video'"
                       " AND object_id = %s AND action IN ('video_like', 'video_unlike') ORDER BY id",
                       (v["id"],))
    assert rows == [("video_like", b.user_id), ("video_like", c.user_id), ("video_unlike", b.user_id)]


def test_own_pending_video_cannot_be_liked(stack):
    a = new_user(stack)
    v = upload_ok(a, mp4_bytes())
    expect(a.post(f"{UPLOAD}/{v['id']}/like"), 409, "conflict")
    assert stack.query("SELECT count(*) FROM video_likes WHERE video_id = %s", (v["id"],))[0][0] == 0
    r = expect(a.delete(f"{UPLOAD}/{v['id']}/like"), 200).json
    assert r["like_count"] == 0


def test_deleting_the_account_takes_its_likes_and_counts_follow(stack):
    a, b = new_user(stack), new_user(stack)
    v = upload_ok(a, mp4_bytes())
    approve(stack, v["id"])
    expect(b.post(f"{UPLOAD}/{v['id']}/like"), 200)
    stack.query("DELETE FROM users WHERE id = %s", (b.user_id,))
    assert stack.query("SELECT like_count FROM wellness_videos WHERE id = %s", (v["id"],))[0][0] == 0
    stack.query("DELETE FROM users WHERE id = %s", (a.user_id,))
    assert stack.query("SELECT count(*) FROM wellness_videos WHERE id = %s", (v["id"],))[0][0] == 0


# ------------------------------------------------------------------ media route

def test_media_range_requests(stack):
    a = new_user(stack)
    data = mp4_bytes(payload=100000)
    v = upload_ok(a, data)
    r = media(a, v["id"], Range="bytes=1000-1999")
    assert r.status == 206, r
    assert r.body == data[1000:2000]
    assert r.headers["Content-Range"] == f"bytes 1000-1999/{len(data)}"
    assert r.headers["Content-Type"] == "video/mp4"
    r = media(a, v["id"], Range=f"bytes=-100")
    assert r.status == 206 and r.body == data[-100:], r
    r = media(a, v["id"], Range=f"bytes={len(data)}-")
    assert r.status == 416, r
    r = media(a, v["id"])
    assert r.headers.get("Accept-Ranges") == "bytes"


def test_media_of_unknown_or_malformed_id_is_404(stack):
    a = new_user(stack)
    expect(media(a, "6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"), 404, "not_found")
    for bad in ("not-a-uuid", "1234", "6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4", "6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/x"):
        expect(media(a, bad), 404, "not_found")


def test_upload_is_audited_without_the_description(stack):
    a = new_user(stack)
    v = upload_ok(a, webm_bytes(), "canary-description-8f3a")
    rows = stack.query("SELECT action, actor_id::text, subject_id::text, outcome, detail FROM audit_log"
                       " WHERE object_type = 'wellness_video' AND object_id = %s", (v["id"],))
    assert rows == [("video_upload", a.user_id, a.user_id, "success", "video/webm")]
    assert not stack.query("SELECT 1 FROM audit_log WHERE detail LIKE '%%canary-description%%'")


def test_nothing_left_behind_after_any_refusal(stack):
    """Every refusal path of one upload leaves no temporary file."""
    a = new_user(stack)
    before = video_files(stack)
    upload(a, TEXT)
    upload(a, mp4_bytes(), "x" * 501)
    body, ctype = multipart([part("file", mp4_bytes(), filename="a.mp4"), part("file", mp4_bytes())])
    a.request("POST", UPLOAD, data=body, content_type=ctype)
    a.request("POST", UPLOAD, data=body[:-20], content_type=ctype)
    assert video_files(stack) == before
    assert row_count(stack, a.user_id) == 0
