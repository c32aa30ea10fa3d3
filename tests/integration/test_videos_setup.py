"""Shared set-up for the wellness video tests (test_videos_*.py): people, real minimal video
files, multipart bodies written byte by byte, approval by SQL (there is no moderation route yet)
and a look at the video directory. Holds no tests itself."""

import os
import struct
import uuid
from pathlib import Path

from astral_client import expect, strong_password, unique

UPLOAD = "/api/wellness/videos"
MB = 1024 * 1024


# ------------------------------------------------------------------ files

def _filler(n, a, b):
    """n bytes of a repeating non-trivial pattern (fast even for 50 MB)."""
    block = bytes((i * a + b) % 256 for i in range(251))
    return (block * (n // len(block) + 1))[:n]


def mp4_bytes(payload=4096, brand=b"isom", compatible=(b"isom", b"iso2", b"avc1", b"mp41")):
    """A minimal ISO BMFF file: ftyp, free, and an mdat box holding `payload` bytes."""
    ftyp_body = brand + struct.pack(">I", 0x200) + b"".join(compatible)
    ftyp = struct.pack(">I", 8 + len(ftyp_body)) + b"ftyp" + ftyp_body
    free = struct.pack(">I", 8) + b"free"
    data = _filler(payload, 7, 3)
    mdat = struct.pack(">I", 8 + len(data)) + b"mdat" + data
    return ftyp + free + mdat


def webm_bytes(payload=2048, doctype=b"webm"):
    """An EBML header with this DocType, then a Segment of unknown size holding `payload` bytes."""
    children = (b"\x42\x86\x81\x01" b"\x42\xf7\x81\x01" b"\x42\xf2\x81\x04" b"\x42\xf3\x81\x08"
                + b"\x42\x82" + bytes([0x80 | len(doctype)]) + doctype
                + b"\x42\x87\x81\x04" b"\x42\x85\x81\x02")
    header = b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(children)]) + children
    segment = b"\x18\x53\x80\x67\x01\xff\xff\xff\xff\xff\xff\xff"
    return header + segment + _filler(payload, 13, 0)


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
MP3_ID3 = b"ID3\x04\x00\x00\x00\x00\x00\x0aTIT2\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\x00" * 400
TEXT = b"This is a text file renamed to video.mp4.\n" * 50


# ------------------------------------------------------------------ multipart bodies

def part(name, data, filename=None, content_type=None, raw_disposition=None):
    """One part: (headers bytes, data bytes)."""
    if raw_disposition is not None:
        disposition = raw_disposition
    else:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
    headers = b"Content-Disposition: " + disposition.encode() + b"\r\n"
    if content_type is not None:
        headers += b"Content-Type: " + content_type.encode() + b"\r\n"
    return headers, data if isinstance(data, bytes) else data.encode("utf-8")


def multipart(parts, boundary=None):
    """(body, Content-Type) of these parts."""
    boundary = boundary or "----astral" + uuid.uuid4().hex
    b = boundary.encode()
    body = b""
    for headers, data in parts:
        body += b"--" + b + b"\r\n" + headers + b"\r\n" + data + b"\r\n"
    body += b"--" + b + b"--\r\n"
    return body, f"multipart/form-data; boundary={boundary}"


def upload(client, file=None, description=None, filename="clip.mp4", content_type="video/mp4",
           file_first=True, **kw):
    """POST a video the way a browser's FormData does."""
    parts = []
    if file is not None:
        parts.append(part("file", file, filename=filename, content_type=content_type))
    if description is not None:
        d = part("description", description)
        parts = parts + [d] if file_first else [d] + parts
    body, ctype = multipart(parts)
    return client.request("POST", UPLOAD, data=body, content_type=ctype, **kw)


def upload_ok(client, file=None, description=None, **kw):
    r = expect(upload(client, file if file is not None else mp4_bytes(), description, **kw), 201)
    assert r.json["status"] == "pending" and r.json["mine"] is True, r
    return r.json


# ------------------------------------------------------------------ people

def new_user(stack, mode="bearer"):
    c = stack.client(mode)
    c.anonymous()
    return c


def new_staff(stack, clock):
    """A moderator signed in with two-step sign-in (staff routes need it)."""
    from test_recover_password_mfa import enrol
    from astral_client import totp

    name, pw = unique("vmod"), strong_password()
    stack.create_user("moderator", name, "Video Moderator", pw)
    c = stack.client("bearer")
    c.login(name, pw)
    secret = enrol(c, clock)
    expect(c.post("/api/auth/mfa", {"action": "confirm", "code": totp(secret, clock.now())}), 200)
    return c


# ------------------------------------------------------------------ database and disk

def set_status(stack, video_id, status):
    """What the moderation screens will do; as the owner role, in SQL."""
    stack.query("UPDATE wellness_videos SET status = %s,"
                " decided_at = CASE WHEN %s = 'pending' THEN NULL ELSE now() END WHERE id = %s",
                (status, status, video_id))


def approve(stack, video_id):
    set_status(stack, video_id, "approved")


def video_dir(stack):
    return Path(stack.env["VIDEO_DIR"])


def video_files(stack):
    return sorted(os.listdir(video_dir(stack)))


def row_count(stack, user_id):
    return stack.query("SELECT count(*) FROM wellness_videos WHERE uploader_id = %s", (user_id,))[0][0]
