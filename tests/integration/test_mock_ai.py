"""Tests of the mock AI provider itself (tests/integration/mock_ai.py): both wire formats, whole
and streamed, every directive, the request log, bad input and concurrency. Standard library
clients only (http.client, urllib, socket); no stack fixtures.

Run: /usr/bin/python3 -m pytest -q tests/integration/test_mock_ai.py
"""

import http.client
import json
import re
import select
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import mock_ai  # noqa: E402
from mock_ai import start_mock  # noqa: E402

MOCK_SCRIPT = Path(mock_ai.__file__).resolve()
KEY = "test-key-123"
FORMATS = ("gemini", "openai")
UUID = "5f0c6a1e-8d2b-4c7a-9e3f-1a2b3c4d5e6f"


@pytest.fixture(scope="module")
def mock():
    m = start_mock(latency_ms=0, piece_delay_ms=20)
    yield m
    m.stop()


# --------------------------------------------------------------------------- helpers

class Answer:
    def __init__(self, status, headers, raw, elapsed):
        self.status = status
        self.headers = headers          # {lower-case name: value}
        self.raw = raw
        self.elapsed = elapsed

    def json(self):
        return json.loads(self.raw)


def connect(url, timeout=30):
    u = urlsplit(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)


def send(url, method, path, body=None, headers=None, timeout=30, conn=None):
    """One request; bytes, str or a JSON-able body. Returns Answer (the body read whole)."""
    if body is not None and not isinstance(body, (bytes, str)):
        body = json.dumps(body)
    hdrs = {"Content-Type": "application/json"}
    hdrs.update(headers or {})
    own = conn is None
    conn = conn or connect(url, timeout)
    try:
        t0 = time.monotonic()
        conn.request(method, path, body=body, headers=hdrs)
        resp = conn.getresponse()
        raw = resp.read()
        return Answer(resp.status, {k.lower(): v for k, v in resp.getheaders()}, raw,
                      time.monotonic() - t0)
    finally:
        if own:
            conn.close()


def gemini_body(user, system=None, history=(), json_mode=False):
    contents = [{"role": role, "parts": [{"text": text}]} for role, text in history]
    contents.append({"role": "user", "parts": [{"text": user}]})
    body = {"contents": contents, "generationConfig": {"temperature": 0.7}}
    if system is not None:
        body["systemInstruction"] = {"parts": [{"text": system}]}
    if json_mode:
        body["generationConfig"]["responseMimeType"] = "application/json"
    return body


def openai_body(user, system=None, history=(), json_mode=False, stream=False):
    messages = [{"role": "system", "content": system}] if system is not None else []
    messages += [{"role": "assistant" if role == "model" else "user", "content": text}
                 for role, text in history]
    messages.append({"role": "user", "content": user})
    body = {"model": "mock-model", "messages": messages, "stream": stream}
    if json_mode:
        body["response_format"] = {"type": "json_object"}
    return body


def request_for(fmt, user, stream=False, **kw):
    """(path, body, headers) for one model call in format fmt."""
    if fmt == "gemini":
        verb = "streamGenerateContent?alt=sse" if stream else "generateContent"
        return (f"/v1beta/models/gemini-test:{verb}", gemini_body(user, **kw),
                {"x-goog-api-key": KEY})
    return "/v1/chat/completions", openai_body(user, stream=stream, **kw), {"Authorization": f"Bearer {KEY}"}


def ask(mock, fmt, user, stream=False, timeout=30, **kw):
    path, body, headers = request_for(fmt, user, stream, **kw)
    return send(mock.url, "POST", path, body, headers, timeout=timeout)


def sse_events(fmt, raw):
    """The data of each event; checks the format's separator and the "data: " prefix."""
    sep = b"\r\n\r\n" if fmt == "gemini" else b"\n\n"
    assert raw.endswith(sep), raw[-200:]
    events = raw[: -len(sep)].split(sep)
    for e in events:
        assert e.startswith(b"data: "), e[:200]
        assert b"\n" not in e, "one line per event"
    return [e[len(b"data: "):].decode() for e in events]


def reply(fmt, answer, stream):
    """(text, finish reason, pieces) of a 200 answer, checking the wire shape on the way."""
    assert answer.status == 200, answer.raw[:500]
    if not stream:
        assert answer.headers["content-type"] == "application/json"
        assert int(answer.headers["content-length"]) == len(answer.raw)
        doc = answer.json()
        if fmt == "gemini":
            cand = doc["candidates"][0]
            assert cand["content"]["role"] == "model"
            text = cand["content"]["parts"][0]["text"]
            return text, cand["finishReason"], [text]
        assert doc["object"] == "chat.completion" and doc["id"]
        choice = doc["choices"][0]
        assert choice["index"] == 0 and choice["message"]["role"] == "assistant"
        return choice["message"]["content"], choice["finish_reason"], [choice["message"]["content"]]
    assert answer.headers["content-type"] == "text/event-stream"
    events = sse_events(fmt, answer.raw)
    if fmt == "gemini":
        docs = [json.loads(e) for e in events]
        pieces = [d["candidates"][0]["content"]["parts"][0]["text"] for d in docs]
        finishes = [d["candidates"][0].get("finishReason") for d in docs]
        assert finishes[:-1] == [None] * (len(docs) - 1), "only the last event carries finishReason"
        return "".join(pieces), finishes[-1], pieces
    assert events[-1] == "[DONE]"
    docs = [json.loads(e) for e in events[:-1]]
    for d in docs:
        assert d["object"] == "chat.completion.chunk" and d["choices"][0]["index"] == 0
    *content, final = docs
    pieces = [d["choices"][0]["delta"]["content"] for d in content]
    assert all(d["choices"][0]["finish_reason"] is None for d in content)
    assert final["choices"][0]["delta"] == {}
    return "".join(pieces), final["choices"][0]["finish_reason"], pieces


def records_for(mock, marker):
    return [r for r in mock.requests() if marker in r["body"]]


# --------------------------------------------------------------------------- default replies

@pytest.mark.parametrize("fmt", FORMATS)
def test_default_reply_whole(mock, fmt):
    text, finish, _ = reply(fmt, ask(mock, fmt, "I had a rough day at work"), stream=False)
    assert text.startswith("I hear you. ") and len(text) > len("I hear you. ") + 20
    assert finish == ("STOP" if fmt == "gemini" else "stop")
    again, _, _ = reply(fmt, ask(mock, fmt, "I had a rough day at work"), stream=False)
    assert again == text, "the reply depends only on the user's text"


@pytest.mark.parametrize("fmt", FORMATS)
def test_default_reply_streamed_in_pieces(mock, fmt):
    whole, _, _ = reply(fmt, ask(mock, fmt, "I could not sleep last night"), stream=False)
    answer = ask(mock, fmt, "I could not sleep last night", stream=True)
    assert answer.headers.get("transfer-encoding") == "chunked"
    text, finish, pieces = reply(fmt, answer, stream=True)
    assert text == whole
    assert 5 <= len(pieces) <= 10
    assert all(pieces)
    assert finish == ("STOP" if fmt == "gemini" else "stop")


def test_gemini_stream_events_use_crlf_and_last_carries_stop(mock):
    answer = ask(mock, "gemini", "hello there", stream=True)
    assert answer.raw.count(b"\r\n\r\n") == len(sse_events("gemini", answer.raw))
    last = json.loads(sse_events("gemini", answer.raw)[-1])
    assert last["candidates"][0]["finishReason"] == "STOP"
    assert last["candidates"][0]["content"]["parts"][0]["text"]


def test_openai_stream_ends_with_stop_chunk_and_done(mock):
    events = sse_events("openai", ask(mock, "openai", "hello there", stream=True).raw)
    assert events[-1] == "[DONE]"
    assert json.loads(events[-2])["choices"][0]["finish_reason"] == "stop"
    ids = {json.loads(e)["id"] for e in events[:-1]}
    assert len(ids) == 1, "every chunk of one stream shares its id"


def test_pieces_arrive_over_time():
    """piece_delay_ms spaces the events: the first arrives well before the last."""
    with start_mock(piece_delay_ms=60) as m:
        path, body, headers = request_for("openai", "tell me something", stream=True)
        conn = connect(m.url)
        conn.request("POST", path, body=json.dumps(body), headers=headers)
        resp = conn.getresponse()
        t0 = time.monotonic()
        stamps = []
        while True:
            line = resp.readline()
            if not line:
                break
            if line.startswith(b"data: ") and b"[DONE]" not in line:
                stamps.append(time.monotonic() - t0)
        conn.close()
        assert len(stamps) >= 6
        assert stamps[-1] - stamps[0] >= 0.06 * (len(stamps) - 2) * 0.9


def test_latency_before_first_byte():
    with start_mock(latency_ms=200) as m:
        for fmt in FORMATS:
            for stream in (False, True):
                answer = ask(m, fmt, "hi", stream=stream)
                assert answer.status == 200
                assert answer.elapsed >= 0.19, (fmt, stream, answer.elapsed)
        t0 = time.monotonic()
        assert send(m.url, "GET", "/_mock/health").status == 200
        assert time.monotonic() - t0 < 0.15, "the control routes are not delayed"


# --------------------------------------------------------------------------- directives

@pytest.mark.parametrize("stream", (False, True))
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("status", (500, 429, 503, 400, 413, 422))
def test_error_statuses(mock, fmt, stream, status):
    answer = ask(mock, fmt, f"please [[mock:{status}]] now", stream=stream)
    assert answer.status == status
    assert answer.headers["content-type"] == "application/json"
    err = answer.json()["error"]
    assert err["message"]
    if status == 429:
        assert answer.headers["retry-after"] == "0"
    else:
        assert "retry-after" not in answer.headers


@pytest.mark.parametrize("fmt", FORMATS)
def test_timeout_never_answers(mock, fmt):
    t0 = time.monotonic()
    with pytest.raises((socket.timeout, TimeoutError)):
        ask(mock, fmt, "[[mock:timeout]]", timeout=1.0)
    assert time.monotonic() - t0 >= 0.9
    assert records_for(mock, "[[mock:timeout]]"), "the held request is recorded at once"
    assert ask(mock, fmt, "still there?").status == 200


@pytest.mark.parametrize("fmt", FORMATS)
def test_garbage_whole(mock, fmt):
    answer = ask(mock, fmt, "[[mock:garbage]]")
    assert answer.status == 200 and answer.raw
    with pytest.raises(ValueError):
        json.loads(answer.raw)


@pytest.mark.parametrize("fmt", FORMATS)
def test_garbage_streamed(mock, fmt):
    answer = ask(mock, fmt, "[[mock:garbage]]", stream=True)
    assert answer.status == 200
    events = sse_events(fmt, answer.raw)
    assert len(events) == 1
    with pytest.raises(ValueError):
        json.loads(events[0])


@pytest.mark.parametrize("fmt", FORMATS)
def test_huge_whole(mock, fmt):
    answer = ask(mock, fmt, "[[mock:huge]]")
    assert len(answer.raw) >= 10 * 1024 * 1024
    text, _, _ = reply(fmt, answer, stream=False)
    assert len(text) == 10 * 1024 * 1024


@pytest.mark.parametrize("fmt", FORMATS)
def test_huge_streamed(mock, fmt):
    answer = ask(mock, fmt, "[[mock:huge]]", stream=True)
    assert len(answer.raw) >= 10 * 1024 * 1024
    text, finish, pieces = reply(fmt, answer, stream=True)
    assert len(text) == 10 * 1024 * 1024 and len(pieces) > 100
    assert finish == ("STOP" if fmt == "gemini" else "stop")


@pytest.mark.parametrize("stream", (False, True))
@pytest.mark.parametrize("fmt", FORMATS)
def test_drip_one_byte_every_half_second(mock, fmt, stream):
    path, body, headers = request_for(fmt, "[[mock:drip]]", stream)
    conn = connect(mock.url, timeout=5)
    try:
        conn.request("POST", path, body=json.dumps(body), headers=headers)
        resp = conn.getresponse()
        assert resp.status == 200
        assert "content-length" not in {k.lower() for k in resp.headers.keys()}
        t0 = time.monotonic()
        got = b"".join(resp.read(1) for _ in range(3))
        elapsed = time.monotonic() - t0
    finally:
        conn.close()
    assert got == (b": d" if stream else b"   ")
    assert 0.85 <= elapsed < 2.5, elapsed


@pytest.mark.parametrize("fmt", FORMATS)
def test_safety_whole(mock, fmt):
    answer = ask(mock, fmt, "[[mock:safety]]")
    assert answer.status == 200
    doc = answer.json()
    if fmt == "gemini":
        assert doc["candidates"][0]["finishReason"] == "SAFETY"
        assert "content" not in doc["candidates"][0]
    else:
        choice = doc["choices"][0]
        assert choice["finish_reason"] == "content_filter"
        assert choice["message"]["content"] == ""


@pytest.mark.parametrize("fmt", FORMATS)
def test_safety_streamed(mock, fmt):
    answer = ask(mock, fmt, "[[mock:safety]]", stream=True)
    assert answer.status == 200
    events = sse_events(fmt, answer.raw)
    if fmt == "gemini":
        assert len(events) == 1
        assert json.loads(events[0])["candidates"][0]["finishReason"] == "SAFETY"
    else:
        assert events[-1] == "[DONE]" and len(events) == 2
        choice = json.loads(events[0])["choices"][0]
        assert choice["finish_reason"] == "content_filter"
        assert choice["delta"].get("content", "") == ""


@pytest.mark.parametrize("stream", (False, True))
@pytest.mark.parametrize("fmt", FORMATS)
def test_crisis_reply(mock, fmt, stream):
    text, _, pieces = reply(fmt, ask(mock, fmt, "[[mock:crisis-reply]]", stream=stream), stream)
    assert text == mock_ai.CRISIS_REPLY
    assert "kill themselves" in text
    if stream:
        assert len(pieces) >= 5, "the crisis text is split across pieces"


@pytest.mark.parametrize("stream", (False, True))
@pytest.mark.parametrize("fmt", FORMATS)
def test_echo_returns_the_request_body(mock, fmt, stream):
    path, body, headers = request_for(fmt, "[[mock:echo]] with ünïcode and \"quotes\"", stream,
                                      system="ACTION: companion\nBe kind.")
    raw = json.dumps(body, ensure_ascii=False)
    answer = send(mock.url, "POST", path, raw.encode(), headers)
    text, _, _ = reply(fmt, answer, stream)
    assert text == raw
    assert json.loads(text) == body


@pytest.mark.parametrize("stream", (False, True))
@pytest.mark.parametrize("fmt", FORMATS)
def test_json_directive_is_verbatim(mock, fmt, stream):
    wanted = '{"content": "a [[nested]] list: [[1, 2]]", "category": "Grief"}'
    text, _, _ = reply(fmt, ask(mock, fmt, f"[[mock:json:{wanted}]]", stream=stream, json_mode=True),
                       stream)
    assert text == wanted


@pytest.mark.parametrize("fmt", FORMATS)
def test_half_then_500_streamed_cuts_after_two_pieces(mock, fmt):
    path, body, headers = request_for(fmt, "[[mock:half-then-500]]", stream=True)
    conn = connect(mock.url, timeout=10)
    try:
        conn.request("POST", path, body=json.dumps(body), headers=headers)
        resp = conn.getresponse()
        assert resp.status == 200
        with pytest.raises(http.client.IncompleteRead) as cut:
            resp.read()
    finally:
        conn.close()
    sep = b"\r\n\r\n" if fmt == "gemini" else b"\n\n"
    events = [e for e in cut.value.partial.split(sep) if e]
    assert len(events) == 2
    for e in events:
        doc = json.loads(e[len(b"data: "):])
        if fmt == "gemini":
            assert "finishReason" not in doc["candidates"][0]
        else:
            assert doc["choices"][0]["finish_reason"] is None


@pytest.mark.parametrize("fmt", FORMATS)
def test_half_then_500_whole_is_a_500(mock, fmt):
    assert ask(mock, fmt, "[[mock:half-then-500]]").status == 500


@pytest.mark.parametrize("fmt", FORMATS)
def test_only_the_last_user_turn_counts(mock, fmt):
    history = [("user", "[[mock:500]]"), ("model", "[[mock:garbage]]")]
    text, _, _ = reply(fmt, ask(mock, fmt, "and now?", history=history), stream=False)
    assert text.startswith("I hear you. ")


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_directive_answers_as_default(mock, fmt):
    text, _, _ = reply(fmt, ask(mock, fmt, "[[mock:no-such-thing]]"), stream=False)
    assert text.startswith("I hear you. ")


# --------------------------------------------------------------------------- JSON mode

@pytest.mark.parametrize("stream", (False, True))
@pytest.mark.parametrize("fmt", FORMATS)
def test_json_mode_guidance(mock, fmt, stream):
    text, _, _ = reply(fmt, ask(mock, fmt, "The seeker said they feel stuck.", stream=stream,
                                system="ACTION: guidance\nYou help peer helpers.", json_mode=True),
                       stream)
    assert json.loads(text) == {"flag": False, "reason": "none",
                                "suggested_replies": ["Thank you for telling me.", "I'm here with you."],
                                "resources": []}


@pytest.mark.parametrize("fmt", FORMATS)
def test_json_mode_draft_post_joins_user_turns(mock, fmt):
    history = [("user", "I keep worrying about exams."), ("model", "That sounds stressful.")]
    text, _, _ = reply(fmt, ask(mock, fmt, "And I cannot focus.", history=history,
                                system="ACTION: draft-post\nDraft a post.", json_mode=True), False)
    assert json.loads(text) == {"content": "I keep worrying about exams.\nAnd I cannot focus.",
                                "category": "Anxiety"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_json_mode_match_uses_first_uuid(mock, fmt):
    user = f"Posts:\n- {UUID} (Anxiety) exams\n- 11111111-2222-3333-4444-555555555555 (Grief)"
    text, _, _ = reply(fmt, ask(mock, fmt, user, system="ACTION: match\nPick posts.", json_mode=True),
                       False)
    assert json.loads(text) == {"matches": [{"post_id": UUID, "reason": "Fits your expertise."}]}


@pytest.mark.parametrize("system", ("ACTION: summarize-post\nSummarize.", "No action line.", None))
@pytest.mark.parametrize("fmt", FORMATS)
def test_json_mode_other_actions(mock, fmt, system):
    text, _, _ = reply(fmt, ask(mock, fmt, "Some text.", system=system, json_mode=True), False)
    assert json.loads(text) == {"text": "ok"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_action_without_json_mode_is_conversational(mock, fmt):
    text, _, _ = reply(fmt, ask(mock, fmt, "hi", system="ACTION: guidance\nx"), False)
    assert text.startswith("I hear you. ")


# --------------------------------------------------------------------------- recording

def test_requests_are_recorded_and_cleared(mock):
    assert send(mock.url, "DELETE", "/_mock/requests").status == 204
    assert mock.requests() == []
    ask(mock, "gemini", "record me gemini", system="ACTION: companion\nBe kind.")
    ask(mock, "openai", "record me openai", stream=True)
    send(mock.url, "GET", "/_mock/health")                      # control routes are not recorded
    listed = json.loads(urllib.request.urlopen(mock.url + "/_mock/requests", timeout=10).read())
    assert listed == mock.requests()
    assert [r["method"] for r in listed] == ["POST", "POST"]
    g, o = listed
    assert g["path"] == "/v1beta/models/gemini-test:generateContent"
    assert g["headers"]["x-goog-api-key"] == KEY
    assert json.loads(g["body"])["systemInstruction"]["parts"][0]["text"].startswith("ACTION: companion")
    assert o["path"] == "/v1/chat/completions"
    assert o["headers"]["authorization"] == f"Bearer {KEY}"
    assert json.loads(o["body"])["messages"][-1]["content"] == "record me openai"
    assert all(isinstance(r["time"], float) for r in listed)
    mock.clear()
    assert mock.requests() == []
    assert json.loads(urllib.request.urlopen(mock.url + "/_mock/requests", timeout=10).read()) == []


def test_request_log_keeps_the_last_500(mock):
    mock.clear()
    conn = connect(mock.url)
    try:
        for i in range(510):
            assert send(mock.url, "GET", f"/nowhere/{i}", conn=conn).status == 404
    finally:
        conn.close()
    paths = [r["path"] for r in mock.requests()]
    assert len(paths) == 500
    assert paths[0] == "/nowhere/10" and paths[-1] == "/nowhere/509"
    mock.clear()


def test_health(mock):
    answer = send(mock.url, "GET", "/_mock/health")
    assert answer.status == 200 and answer.raw == b"ok"


# --------------------------------------------------------------------------- HTTP behaviour

def test_keep_alive_serves_several_requests_on_one_connection(mock):
    conn = connect(mock.url)
    try:
        conn.connect()
        sock = conn.sock
        for fmt, stream in (("gemini", False), ("gemini", True), ("openai", True), ("openai", False)):
            path, body, headers = request_for(fmt, "again", stream)
            answer = send(mock.url, "POST", path, body, headers, conn=conn)
            reply(fmt, answer, stream)
            assert conn.sock is sock, "the connection stayed open"
    finally:
        conn.close()


def test_chunked_request_body(mock):
    path, body, headers = request_for("openai", "chunked upload")
    data = json.dumps(body).encode()
    conn = connect(mock.url)
    try:
        conn.request("POST", path, body=iter([data[:10], data[10:]]),
                     headers=dict(headers, **{"Content-Type": "application/json"}),
                     encode_chunked=True)
        resp = conn.getresponse()
        raw = resp.read()
    finally:
        conn.close()
    assert resp.status == 200
    assert json.loads(raw)["choices"][0]["message"]["content"].startswith("I hear you. ")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("body", (b"{not json", b"[1, 2]", b"", b"\xff\xfe\x00", b"[" * 100000,
                                  b'{"contents": [], "messages": []}',
                                  b'{"contents": "x", "messages": "x"}',
                                  b'{"contents": [{"role": "robot", "parts": []}],'
                                  b' "messages": [{"role": "robot", "content": "x"}]}',
                                  b'{"contents": [{"parts": [{"text": 5}]}],'
                                  b' "messages": [{"role": "user", "content": 5}]}'))
def test_bad_bodies_get_400(mock, fmt, body):
    path, _, headers = request_for(fmt, "x")
    answer = send(mock.url, "POST", path, body, headers)
    assert answer.status == 400
    assert answer.json()["error"]["message"]
    assert send(mock.url, "GET", "/_mock/health").status == 200


def test_openai_stream_must_be_boolean(mock):
    body = openai_body("x")
    body["stream"] = "yes"
    assert send(mock.url, "POST", "/v1/chat/completions", body).status == 400


def test_gemini_needs_a_key(mock):
    answer = send(mock.url, "POST", "/v1beta/models/g:generateContent", gemini_body("hi"))
    assert answer.status == 403
    assert answer.json()["error"]["status"] == "PERMISSION_DENIED"
    answer = send(mock.url, "POST", f"/v1beta/models/g:generateContent?key={KEY}", gemini_body("hi"))
    assert answer.status == 200


def test_openai_key_is_optional(mock):
    assert send(mock.url, "POST", "/v1/chat/completions", openai_body("hi")).status == 200


def test_gemini_stream_needs_alt_sse(mock):
    answer = send(mock.url, "POST", "/v1beta/models/g:streamGenerateContent", gemini_body("hi"),
                  {"x-goog-api-key": KEY})
    assert answer.status == 400


def test_unknown_routes_get_404(mock):
    assert send(mock.url, "POST", "/v1/completions", openai_body("hi")).status == 404
    assert send(mock.url, "GET", "/v1/chat/completions").status == 404
    assert send(mock.url, "POST", "/_mock/requests", b"{}").status == 405


def test_api_key_when_configured():
    with start_mock(api_key="sekret") as m:
        g = "/v1beta/models/g:generateContent"
        assert send(m.url, "POST", g, gemini_body("hi"), {"x-goog-api-key": "wrong"}).status == 400
        assert send(m.url, "POST", g, gemini_body("hi"), {"x-goog-api-key": "sekret"}).status == 200
        o = "/v1/chat/completions"
        assert send(m.url, "POST", o, openai_body("hi")).status == 401
        assert send(m.url, "POST", o, openai_body("hi"), {"Authorization": "Bearer sekret"}).status == 200


def raw_exchange(url, data, timeout=5):
    """Send raw bytes, read until the server closes or answers; returns what came back."""
    u = urlsplit(url)
    with socket.create_connection((u.hostname, u.port), timeout=timeout) as s:
        s.sendall(data)
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            out += chunk
            if b"\r\n\r\n" in out and out.startswith(b"HTTP/1.1 4"):
                break
        return out


@pytest.mark.parametrize("data", (
    b"GET /x HTTP/1.1 extra words\r\n\r\n",
    b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
    b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n",
))
def test_malformed_http_gets_400_and_the_server_lives(mock, data):
    out = raw_exchange(mock.url, data)
    # a request line it cannot parse gets the stdlib's error page without a status line
    assert re.match(rb"HTTP/1\.[01] 4\d\d ", out) or b"Error code: 400" in out, out[:200]
    assert send(mock.url, "GET", "/_mock/health").status == 200


def test_oversized_body_gets_413(mock):
    head = (b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n"
            % (mock_ai.MAX_BODY + 1))
    out = raw_exchange(mock.url, head)
    assert out.startswith(b"HTTP/1.1 413 "), out[:200]


# --------------------------------------------------------------------------- concurrency

def test_fifty_parallel_requests(mock):
    n = 50
    barrier = threading.Barrier(n)

    def one(i):
        fmt, stream = FORMATS[i % 2], bool(i // 2 % 2)
        barrier.wait(10)
        text, _, _ = reply(fmt, ask(mock, fmt, f"parallel message {i}", stream=stream), stream)
        return text

    with ThreadPoolExecutor(n) as pool:
        texts = list(pool.map(one, range(n)))
    assert all(t.startswith("I hear you. ") for t in texts)


def test_many_parallel_requests_overlap():
    """150 requests with 200 ms latency each finish far sooner than one after another (30 s)."""
    n = 150
    with start_mock(latency_ms=200, piece_delay_ms=5) as m:
        t0 = time.monotonic()
        with ThreadPoolExecutor(n) as pool:
            answers = list(pool.map(lambda i: ask(m, FORMATS[i % 2], f"m{i}", stream=i % 3 == 0),
                                    range(n)))
        elapsed = time.monotonic() - t0
        assert [a.status for a in answers] == [200] * n
        assert len(m.requests()) == n
    assert elapsed < 8, elapsed


# --------------------------------------------------------------------------- API and CLI

def test_python_api_and_stop():
    m = start_mock()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", m.url)
    ask(m, "openai", "api check")
    assert [r["path"] for r in m.requests()] == ["/v1/chat/completions"]
    m.clear()
    assert m.requests() == []
    outcome = []

    def hold():
        try:
            outcome.append(ask(m, "gemini", "[[mock:timeout]]", timeout=30))
        except (OSError, http.client.HTTPException) as e:
            outcome.append(e)

    held = threading.Thread(target=hold, daemon=True)
    held.start()
    time.sleep(0.3)
    t0 = time.monotonic()
    m.stop()
    assert time.monotonic() - t0 < 5, "stop() ends held connections"
    held.join(5)
    assert not held.is_alive()
    assert isinstance(outcome[0], (OSError, http.client.HTTPException)), "no answer was sent"
    with pytest.raises(OSError):
        send(m.url, "GET", "/_mock/health", timeout=2)


def test_command_line():
    proc = subprocess.Popen([sys.executable, str(MOCK_SCRIPT), "--port", "0", "--latency-ms", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 10)
        assert ready, "no 'listening' line within 10 s"
        line = proc.stdout.readline()
        m = re.fullmatch(r"listening (http://127\.0\.0\.1:(\d+))\n", line)
        assert m, line
        url = m.group(1)
        assert urllib.request.urlopen(url + "/_mock/health", timeout=5).read() == b"ok"
        path, body, headers = request_for("gemini", "cli", stream=True)
        text, _, _ = reply("gemini", send(url, "POST", path, body, headers), stream=True)
        assert text.startswith("I hear you. ")
    finally:
        proc.terminate()
        rc = proc.wait(10)
    assert rc == 0
    assert proc.stdout.read() == "", "exactly one line on stdout"
