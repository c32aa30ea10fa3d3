"""Bad input on every route of cgi-bin/videos: always a 4xx JSON error naming the field (`file`,
`description`, `body`, `query` or the parameter), never a 5xx, never a row or a file left
behind. The upload's multipart body is written byte by byte here; the query and the bodyless
like routes use the shared cases of bad_input_battery.py."""

import base64
import uuid

import pytest

import bad_input_battery as battery
from bad_input_battery import assert_error
from test_videos_setup import (UPLOAD, approve, mp4_bytes, multipart, new_user, part, row_count, upload,
                               upload_ok, video_files)

FILE = part("file", mp4_bytes(), filename="clip.mp4", content_type="video/mp4")


@pytest.fixture(scope="module")
def world(stack):
    a = new_user(stack)
    v = upload_ok(a, mp4_bytes())
    approve(stack, v["id"])
    return {"A": a, "video": v["id"]}


def raw(boundary, text):
    """A body written out by hand: `B` stands for the boundary."""
    return text.replace(b"B", boundary.encode())


B = "bNd"
AUTO = "auto"          # the Content-Type of a multipart() body, with its own boundary
CD = b"Content-Disposition: form-data; "

# (id, Content-Type, body, status, code, field)
MULTIPART_CASES = [
    ("json", "application/json", b'{"description": "x"}', 415, "unsupported_media_type", "body"),
    ("text", "text/plain", b"hello", 415, "unsupported_media_type", "body"),
    ("no content type", None, multipart([FILE])[0], 415, "unsupported_media_type", "body"),
    ("no boundary", "multipart/form-data", multipart([FILE])[0], 415, "unsupported_media_type", "body"),
    ("empty boundary", "multipart/form-data; boundary=", b"----\r\n", 415, "unsupported_media_type", "body"),
    ("mixed", f"multipart/mixed; boundary={B}", raw(B, b"--B--\r\n"), 415, "unsupported_media_type", "body"),
    ("urlencoded", "application/x-www-form-urlencoded", b"description=x&file=y", 415,
     "unsupported_media_type", "body"),
    ("empty body", f"multipart/form-data; boundary={B}", b"", 400, "invalid_field", "body"),
    ("no closing boundary", f"multipart/form-data; boundary={B}",
     raw(B, b"--B\r\n" + CD + b'name="file"; filename="a.mp4"\r\n\r\n') + mp4_bytes(), 400, "invalid_field", "body"),
    ("wrong boundary", f"multipart/form-data; boundary={B}", multipart([FILE], boundary="other")[0],
     400, "invalid_field", "body"),
    ("bare LF", f"multipart/form-data; boundary={B}",
     raw(B, b"--B\n" + CD + b'name="description"\n\nx\n--B--\n'), 400, "invalid_field", "body"),
    ("no disposition", f"multipart/form-data; boundary={B}",
     raw(B, b"--B\r\nContent-Type: video/mp4\r\n\r\nx\r\n--B--\r\n"), 400, "invalid_field", "body"),
    ("no name", f"multipart/form-data; boundary={B}",
     raw(B, b"--B\r\n" + CD + b'filename="a.mp4"\r\n\r\nx\r\n--B--\r\n'), 400, "invalid_field", "body"),
    ("unterminated quote", f"multipart/form-data; boundary={B}",
     raw(B, b"--B\r\n" + CD + b'name="file\r\n\r\nx\r\n--B--\r\n'), 400, "invalid_field", "body"),
    ("header too long", f"multipart/form-data; boundary={B}",
     raw(B, b"--B\r\nX-Padding: " + b"p" * 5000 + b"\r\n" + CD + b'name="description"\r\n\r\nx\r\n--B--\r\n'),
     400, "invalid_field", "body"),
    ("attachment", f"multipart/form-data; boundary={B}",
     raw(B, b"--B\r\nContent-Disposition: attachment; name=\"file\"\r\n\r\nx\r\n--B--\r\n"), 400,
     "invalid_field", "body"),
    ("no parts", f"multipart/form-data; boundary={B}", raw(B, b"--B--\r\n"), 400, "invalid_field", "file"),
    ("missing file", AUTO, multipart([part("description", "only words")])[0], 400, "invalid_field", "file"),
    ("empty file", AUTO, multipart([part("file", b"", filename="a.mp4")])[0], 400, "invalid_field", "file"),
    ("two files", AUTO, multipart([FILE, FILE])[0], 400, "invalid_field", "file"),
    ("two descriptions", AUTO, multipart([part("description", "a"), FILE, part("description", "b")])[0],
     400, "invalid_field", "description"),
    ("unknown part", AUTO, multipart([FILE, part("uploader_id", str(uuid.uuid4()))])[0], 400, "invalid_field",
     "uploader_id"),
    ("status part", AUTO, multipart([part("status", "approved"), FILE])[0], 400, "invalid_field", "status"),
    ("odd part name", AUTO, multipart([FILE, part("x", "y", raw_disposition='form-data; name="a b<c>"')])[0],
     400, "invalid_field", "body"),
    ("description too long", AUTO, multipart([FILE, part("description", "é" * 501)])[0], 400, "invalid_field",
     "description"),
    ("description over the byte cap", AUTO, multipart([part("description", "x" * 3000), FILE])[0], 400,
     "invalid_field", "description"),
    ("description NUL", AUTO, multipart([FILE, part("description", b"a\x00b")])[0], 400, "invalid_field",
     "description"),
    ("description bad UTF-8", AUTO, multipart([FILE, part("description", b"ok\xff\xfeok")])[0], 400,
     "invalid_field", "description"),
    ("description surrogate", AUTO, multipart([FILE, part("description", b"\xed\xa0\x80")])[0], 400,
     "invalid_field", "description"),
    ("description control", AUTO, multipart([FILE, part("description", b"a\x07b\x1b[31m")])[0], 400,
     "invalid_field", "description"),
    ("description lone CR", AUTO, multipart([FILE, part("description", b"a\rb")])[0], 400, "invalid_field",
     "description"),
]


def _content_type(case_ct, body):
    if case_ct != AUTO:
        return case_ct
    # multipart() bodies open with their boundary line.
    boundary = body.split(b"\r\n", 1)[0][2:].decode()
    return f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("ctype,body,status,code,field", [c[1:] for c in MULTIPART_CASES],
                         ids=[c[0] for c in MULTIPART_CASES])
def test_bad_upload(stack, world, ctype, body, status, code, field):
    a = world["A"]
    before_files, before_rows = video_files(stack), row_count(stack, a.user_id)
    ct = _content_type(ctype, body)
    if ct is None:
        r = a.request("POST", UPLOAD, data=body, headers={"Content-Type": None})
    else:
        r = a.request("POST", UPLOAD, data=body, content_type=ct)
    assert_error(r, codes={code}, statuses={status})
    assert field in r.error_fields, r
    assert video_files(stack) == before_files
    assert row_count(stack, a.user_id) == before_rows


HOSTILE = battery.hostile_text("wellness_videos") + ["\u202e right-to-left", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☃", "../../etc/passwd",
                                                    "%00%0d%0a", "é" * 500]


@pytest.mark.parametrize("text", HOSTILE, ids=[f"#{i}" for i in range(len(HOSTILE))])
def test_hostile_description_is_stored_as_written(stack, world, text):
    v = upload_ok(world["A"], mp4_bytes(), text)
    assert v["description"] == text


@pytest.mark.parametrize("filename", ["../../../etc/passwd", "/tmp/x.mp4", "a\\b.mp4", "C:\\evil.mp4",
                                      ".upload-deadbeef", "clip.mp4\r\nX-Injected: 1", "é.mp4"])
def test_client_file_names_never_reach_the_disk(stack, world, filename):
    a = world["A"]
    before = set(video_files(stack))
    body, ctype = multipart([part("file", mp4_bytes(), raw_disposition=f'form-data; name="file"; '
                                                                         f'filename="{filename}"'
                                                                         .replace("\r\n", "%0D%0A"))])
    r = a.request("POST", UPLOAD, data=body, content_type=ctype)
    assert r.status == 201, r
    assert set(video_files(stack)) - before == {r.json["id"]}


# ------------------------------------------------------------------ the query of the list

def token(*parts):
    raw_ = b"c1" + b"".join(b"\x1f" + p.encode() for p in parts)
    return base64.urlsafe_b64encode(raw_).rstrip(b"=").decode()


BAD_LIMITS = ["0", "51", "-1", "abc", "1e3", "1.5", "99999999999999999999", "", "%2B5", "0x10", " 5"]
BAD_CURSORS = ["x", "!!!!", "YWJj", "a" * 600, "%00", "%27%20OR%201%3D1--", "%3Cscript%3E",
               token("a", "1700000000000000", "not-a-uuid"), token("a", "-1", str(uuid.uuid4())),
               token("a", "1700000000000000"), token("z", "1700000000000000", str(uuid.uuid4())),
               token("a", "abc", str(uuid.uuid4())), token("a", "1700000000000000", str(uuid.uuid4()), "extra"),
               token("a", "999999999999999999999", str(uuid.uuid4())),
               token("m", "1700000000000000", str(uuid.uuid4()))]


def query_cases():
    out = [("?limit=" + v, "limit") for v in BAD_LIMITS]
    out += [("?cursor=" + v, "cursor") for v in BAD_CURSORS]
    out += [("?mine=" + v, "mine") for v in ["yes", "TRUE", "2", "", "%00", "true%00"]]
    out += [("?zz=1", "query"), ("?limit=5&uploader_id=" + str(uuid.uuid4()), "query"),
            ("?status=pending", "query")]
    return out


@pytest.mark.parametrize("query,field", query_cases())
def test_bad_query(stack, world, query, field):
    r = world["A"].get(UPLOAD + query)
    assert_error(r, codes={"invalid_field"}, field=field, statuses={400})


# ------------------------------------------------------------------ the like routes take no body

@pytest.mark.parametrize("method", ["POST", "DELETE"])
@pytest.mark.parametrize("payload,status,code", [
    (b'{"a": 1}', 400, "invalid_field"), (b"[]", 400, "invalid_field"), (b'{"a": ', 400, "invalid_json"),
    (b"\xff\xfe", 400, "invalid_json"), (b'{"like_count": 99}', 400, "invalid_field"), (b"{}", None, None),
    (b"", None, None)])
def test_like_routes_take_no_body(stack, world, method, payload, status, code):
    r = world["A"].request(method, f"{UPLOAD}/{world['video']}/like", data=payload if payload else None)
    if status is None:
        assert r.status == 200, r
    else:
        assert_error(r, codes={code}, field="body", statuses={status})
    assert stack.query("SELECT like_count FROM wellness_videos WHERE id = %s", (world["video"],))[0][0] in (0, 1)


def test_like_route_with_a_text_body_is_415(stack, world):
    r = world["A"].request("POST", f"{UPLOAD}/{world['video']}/like", data=b"hi", content_type="text/plain")
    assert_error(r, codes={"unsupported_media_type"}, statuses={415})


def test_like_route_oversize_body_is_413(stack, world):
    r = world["A"].request("POST", f"{UPLOAD}/{world['video']}/like", data=b'{"a": "' + b"x" * 70000 + b'"}')
    assert_error(r, codes={"payload_too_large"}, statuses={413})


@pytest.mark.parametrize("segment", ["not-a-uuid", "1", "%27%20OR%201%3D1--", "a" * 100,
                                     "00000000-0000-4000-8000-00000000000g", "..", "%2e%2e"])
@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_bad_video_id_in_the_path_is_404(stack, world, segment, method):
    r = world["A"].request(method, f"{UPLOAD}/{segment}/like")
    assert r.status == 404 and r.error_code == "not_found", r


@pytest.mark.parametrize("method,path", [("PUT", UPLOAD), ("DELETE", UPLOAD), ("GET", UPLOAD + "/{id}/like"),
                                         ("POST", "/media/videos/{id}")])
def test_wrong_method_is_405(stack, world, method, path):
    r = world["A"].request(method, path.replace("{id}", world["video"]), check=not path.startswith("/media"))
    assert r.status == 405 and r.error_code == "method_not_allowed" and r.headers.get("Allow"), r


@pytest.mark.parametrize("method,path", [("GET", UPLOAD), ("POST", UPLOAD), ("POST", UPLOAD + "/{id}/like"),
                                         ("DELETE", UPLOAD + "/{id}/like"), ("GET", "/media/videos/{id}")])
def test_signed_out_401(stack, world, method, path):
    c = stack.client("bearer")
    kw = {"check": not path.startswith("/media")}
    if path == UPLOAD and method == "POST":
        body, ctype = multipart([FILE])
        kw.update(data=body, content_type=ctype)
    r = c.request(method, path.replace("{id}", world["video"]), **kw)
    assert_error(r, codes={"unauthorized"}, statuses={401})
