"""The benchmark's AI provider (bench/mock-provider.c): built with the project's warning flags as
errors and the sanitizers, then spoken to as astral-ai speaks to an OpenAI-compatible server.
bench/run measures the gateway against it, so a reply the gateway would not take (and would
answer with its fallback) would measure the wrong path; the fields checked here are the ones
cgi-bin/ai/provider_wire.c reads.

Run: /usr/bin/python3 -m pytest -q tests/integration/test_bench_mock_provider.py
"""

import http.client
import json
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2]
FLAGS = ["-Wall", "-Wextra", "-Wshadow", "-Wformat=2", "-Wstrict-prototypes", "-Wmissing-prototypes",
         "-Wcast-qual", "-Wpointer-arith", "-Wwrite-strings", "-Werror"]
LATENCY_MS = 150
BODY = {"model": "bench", "messages": [{"role": "system", "content": "Be kind."},
                                       {"role": "user", "content": "Tonight is hard."}]}


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    exe = tmp_path_factory.mktemp("mock-provider") / "mock-provider"
    subprocess.run(["gcc", "-O1", "-g", "-D_GNU_SOURCE", *FLAGS, "-fsanitize=address,undefined",
                    "-fno-sanitize-recover=all", "-o", str(exe), str(SRC / "bench" / "mock-provider.c")],
                   check=True)
    proc = subprocess.Popen([str(exe), "--latency-ms", str(LATENCY_MS)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    assert line.startswith("listening http://127.0.0.1:"), line
    port = int(line.rsplit(":", 1)[1])
    yield port
    assert proc.poll() is None, proc.stderr.read()   # still serving: no sanitizer abort, no crash
    proc.terminate()
    _, err = proc.communicate(timeout=10)
    assert "runtime error" not in err and "AddressSanitizer" not in err, err


def post(conn, body):
    """The answer, its body, and the milliseconds from before the request was sent (which no reply
    can beat: the server counts its latency from when it has read the request)."""
    started = time.monotonic()
    conn.request("POST", "/v1/chat/completions", body=json.dumps(body),
                 headers={"Content-Type": "application/json", "Authorization": "Bearer k"})
    r = conn.getresponse()
    data = r.read()
    return r, data, (time.monotonic() - started) * 1000


def sse_events(data):
    events = [e[len("data: "):] for e in data.decode().split("\n\n") if e]
    assert events[-1] == "[DONE]"
    return [json.loads(e) for e in events[:-1]]


def test_a_stream_is_answered_after_the_latency_in_chunks_the_gateway_reads(provider):
    conn = http.client.HTTPConnection("127.0.0.1", provider, timeout=10)
    r, data, ms = post(conn, dict(BODY, stream=True))
    assert r.status == 200 and r.getheader("Content-Type") == "text/event-stream"
    assert ms >= LATENCY_MS
    chunks = sse_events(data)
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert text.startswith("That sounds really heavy")
    assert [c["choices"][0]["finish_reason"] for c in chunks] == [None] * (len(chunks) - 1) + ["stop"]


def test_stream_written_with_a_space_is_still_a_stream(provider):
    conn = http.client.HTTPConnection("127.0.0.1", provider, timeout=10)
    conn.request("POST", "/v1/chat/completions", body='{"stream": true, "messages": []}')
    r = conn.getresponse()
    assert r.getheader("Content-Type") == "text/event-stream"
    assert sse_events(r.read())


def test_without_stream_the_answer_is_one_chat_completion(provider):
    conn = http.client.HTTPConnection("127.0.0.1", provider, timeout=10)
    r, data, ms = post(conn, BODY)
    assert r.status == 200 and r.getheader("Content-Type") == "application/json"
    assert ms >= LATENCY_MS
    choice = json.loads(data)["choices"][0]
    assert choice["message"]["role"] == "assistant" and choice["message"]["content"]
    assert choice["finish_reason"] == "stop"


def test_a_kept_connection_is_answered_again(provider):
    conn = http.client.HTTPConnection("127.0.0.1", provider, timeout=10)
    ids = []
    for _ in range(3):
        r, data, _ = post(conn, BODY)
        assert r.status == 200
        ids.append(json.loads(data)["id"])
    assert len(set(ids)) == 3


def test_an_unreadable_request_closes_its_connection_and_no_other(provider):
    bad = socket.create_connection(("127.0.0.1", provider), timeout=10)
    bad.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nContent-Length: -5\r\n\r\n")
    assert bad.recv(100) == b""      # closed, nothing answered
    huge = socket.create_connection(("127.0.0.1", provider), timeout=10)
    huge.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 999999999\r\n\r\n")
    assert huge.recv(100) == b""
    conn = http.client.HTTPConnection("127.0.0.1", provider, timeout=10)
    assert post(conn, BODY)[0].status == 200


def test_a_client_gone_before_its_reply_is_due_leaves_the_server_serving(provider):
    gone = socket.create_connection(("127.0.0.1", provider), timeout=10)
    body = json.dumps(BODY).encode()
    gone.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    gone.close()
    conn = http.client.HTTPConnection("127.0.0.1", provider, timeout=10)
    assert post(conn, BODY)[0].status == 200


def test_many_calls_at_once_each_wait_the_latency_not_each_other(provider):
    """Fifty calls in flight together: every one answered, none before the latency, and not one
    after another (fifty in a row would take 7.5 s)."""
    results = []

    def one():
        conn = http.client.HTTPConnection("127.0.0.1", provider, timeout=30)
        r, _, ms = post(conn, dict(BODY, stream=True))
        results.append((r.status, ms))

    threads = [threading.Thread(target=one) for _ in range(50)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 50 and all(status == 200 for status, _ in results)
    assert all(ms >= LATENCY_MS for _, ms in results)
    assert time.monotonic() - started < 50 * LATENCY_MS / 1000 / 2
