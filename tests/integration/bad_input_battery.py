"""The bad-input battery shared by the programs' test files (a plain module, not a test file).

A test file describes its routes with route() in one table; cases() turns the table into pytest
params (malformed JSON, wrong top-level types, deep nesting, unknown and missing fields, wrong
types, huge numbers, bad UTF-8, NUL, overlong and hostile text, ...) and check() sends one case
and asserts the answer: a 4xx JSON error naming the field, never a 5xx. What differs between
programs (which client sends, the path, what must not have been written, extra cases) stays in
the test file.
"""

import json

import pytest

# field kinds → values of the wrong type
WRONG_TYPES = {
    "str": [123, 1.5, True, None, [], {}],
    "bool": ["true", 1, 0, None, [], {}],
    "list": ["Grief", 1, True, None, {}],
}
HUGE_NUMBERS = ["1e400", "-1e400", "123456789012345678901234567890", "1.7976931348623157e309"]
# (body, id suffix)
MALFORMED = [(b'{"a": ', ""), (b"{'single': 'quotes'}", " quotes"), (b'{"a": 1,}', " trailing comma")]
TOPLEVEL = [(b"[]", " array"), (b'"text"', " string"), (b"42", " number"), (b"null", " null")]
DEEP = b'{"x": ' + b"[" * 5000 + b"]" * 5000 + b"}"
# A string field without a declared max_len gets one this long.
TOO_LONG = 5000


def hostile_text(table):
    """Text that attacks SQL (on `table`) and HTML; a file appends its own."""
    return [f"' OR 1=1; DROP TABLE {table}; --", "<script>alert(1)</script>",
            "\"><img src=x onerror=alert(1)>", "Robert'); DELETE FROM audit_log;--"]


def route(method, path, valid, fields, required, name=None, **extra):
    """One route of a table. valid: makes a body the route accepts (its arguments are the test
    file's business); fields: name → kind (str, bool, list); required: field names; name: the
    case ids' prefix (default "METHOD path"); max_len (optional): field → longest accepted
    length; max_body (optional): the route's body limit when it is not the usual 64 KB.
    Anything else the test file needs rides along in **extra."""
    return {"name": name or f"{method} {path}", "method": method, "path": path, "valid": valid,
            "fields": fields, "required": required, **extra}


def cases(routes, hostile, *, wrong_types=WRONG_TYPES, malformed=MALFORMED, toplevel=TOPLEVEL,
          unknown_fields=(), empty_body=False, control_chars=False):
    """pytest params (route, kind, payload, field) for every route of the table.

    hostile: the hostile texts sent in every string field; unknown_fields: names a client might
    try to set, each sent as an unknown field where the route does not take it; empty_body and
    control_chars add those cases."""
    out = []
    for rt in routes:
        def add(kind, payload, field=None, extra="", rt=rt):
            out.append(pytest.param(rt, kind, payload, field, id=f"{rt['name']} {kind}{extra}"))

        for payload, extra in malformed:
            add("malformed", payload, extra=extra)
        for payload, extra in toplevel:
            add("toplevel", payload, extra=extra)
        add("deep", DEEP)
        add("unknown", None, "zz_unknown_field")
        for f in unknown_fields:
            if f not in rt["fields"]:
                add("unknown", None, f, extra=f" {f}")
        add("oversize", None)
        add("content_type", None)
        if empty_body:
            add("empty", None)
        for f in rt["required"]:
            add("missing", None, f, extra=f" {f}")
        for f, kind in rt["fields"].items():
            for v in wrong_types[kind]:
                add("wrong_type", v, f, extra=f" {f} {json.dumps(v)}")
            for n in HUGE_NUMBERS:
                add("huge_number", n, f, extra=f" {f} {n}")
            if kind == "str":
                add("bad_utf8", b"\xff\xfe", f, extra=f" {f} ff fe")
                add("bad_utf8", b"\xc3\x28", f, extra=f" {f} c3 28")
                add("bad_utf8", b"\xed\xa0\x80", f, extra=f" {f} surrogate")
                add("nul", None, f, extra=f" {f}")
                if control_chars:
                    add("control", None, f, extra=f" {f}")
                add("too_long", None, f, extra=f" {f}")
                for i, t in enumerate(hostile):
                    add("hostile", t, f, extra=f" {f} #{i}")
    return out


def body_with(body, field, raw_value):
    """`body` with `field` set to raw JSON text (str) or raw bytes."""
    marker = "@@RAW-VALUE@@"
    body[field] = marker
    raw = raw_value if isinstance(raw_value, bytes) else raw_value.encode("utf-8")
    return json.dumps(body).encode("utf-8").replace(json.dumps(marker).encode(), raw)


def assert_error(r, codes=None, field=None, statuses=range(400, 500)):
    assert r.status in statuses, f"expected 4xx, got {r!r}"
    assert r.headers.get("Content-Type", "").startswith("application/json"), r
    assert r.json and r.error_code, f"no error.code: {r!r}"
    if codes is not None:
        assert r.error_code in codes, f"error.code {r.error_code!r} not in {codes}: {r!r}"
    if field is not None and r.error_code == "invalid_field":
        assert field in r.error_fields, f"error.fields does not name {field!r}: {r!r}"


def sender(client, method, path):
    """send(data, **kw): one raw request to the route."""
    return lambda data, **kw: client.request(method, path, data=data, **kw)


def client_per_route(cache, rt, make, fresh=False):
    """The client `make()` made for this route (one per route, kept in `cache`), or a fresh one."""
    if fresh:
        return make()
    if rt["name"] not in cache:
        cache[rt["name"]] = make()
    return cache[rt["name"]]


def check(rt, kind, payload, field, send, valid, *, malformed_codes=("invalid_json",)):
    """Send one case of cases() with send(data, **kw) and assert the refusal; valid() makes a
    fresh valid body. Hostile text may be accepted (never a 5xx). Returns the response for the
    test file's own checks."""
    if kind == "malformed":
        r = send(payload)
        assert_error(r, codes=set(malformed_codes), statuses={400})
    elif kind in ("toplevel", "deep"):
        r = send(payload)
        assert_error(r, codes={"invalid_json", "invalid_field"}, statuses={400})
    elif kind == "empty":
        r = send(b"")
        assert_error(r, codes={"invalid_json", "invalid_field"}, statuses={400})
    elif kind == "unknown":
        body = valid()
        body[field] = 1
        r = send(json.dumps(body).encode())
        assert_error(r, codes={"invalid_field"}, statuses={400})
        assert r.error_fields.get(field) == "unknown field", r
    elif kind == "missing":
        body = valid()
        del body[field]
        r = send(json.dumps(body).encode())
        assert_error(r, codes={"invalid_field"}, statuses={400})
        assert field in r.error_fields, r
    elif kind == "oversize":
        body = valid()
        body["padding"] = "x" * (rt.get("max_body", 64 * 1024) + 6 * 1024)
        r = send(json.dumps(body).encode())
        assert_error(r, codes={"payload_too_large"}, statuses={413})
    elif kind == "content_type":
        r = send(json.dumps(valid()).encode(), content_type="text/plain")
        assert_error(r, codes={"unsupported_media_type"}, statuses={415})
    elif kind == "wrong_type":
        r = send(body_with(valid(), field, json.dumps(payload)))
        assert_error(r, codes={"invalid_field"}, statuses={400})
        assert field in r.error_fields, r
    elif kind == "huge_number":
        r = send(body_with(valid(), field, payload))
        assert_error(r, codes={"invalid_json", "invalid_field"}, field=field, statuses={400})
    elif kind == "bad_utf8":
        r = send(body_with(valid(), field, b'"ok' + payload + b'ok"'))
        assert_error(r, codes={"invalid_json", "invalid_field"}, field=field, statuses={400})
    elif kind == "nul":
        r = send(body_with(valid(), field, '"a\\u0000b"'))
        assert_error(r, codes={"invalid_field"}, field=field, statuses={400})
    elif kind == "control":
        r = send(body_with(valid(), field, '"a\\u0007b\\u001b"'))
        assert_error(r, codes={"invalid_field"}, field=field, statuses={400})
    elif kind == "too_long":
        length = rt["max_len"][field] + 1 if "max_len" in rt else TOO_LONG
        r = send(body_with(valid(), field, json.dumps("y" * length)))
        assert_error(r, codes={"invalid_field"}, field=field, statuses={400})
    elif kind == "hostile":
        r = send(body_with(valid(), field, json.dumps(payload)))
        assert r.status < 500, f"hostile text caused a server error: {r!r}"
        if r.status >= 400:
            assert_error(r)
    else:
        raise AssertionError(f"unknown case kind {kind!r}")
    return r
