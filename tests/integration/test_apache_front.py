"""Astral Core behind Apache: Debian's apache2 with the drop-in (conf/apache2/astral.conf.in) in
front of the real programs and PostgreSQL, started by `tools/dev/stack start --front apache`.

1. The whole integration suite runs again through Apache, in a nested pytest with
   ASTRAL_FRONT=apache: every program's routes, limits, errors and data rules (the video tests:
   Apache has no X-Accel-Redirect, the program sends the files itself; the AI suite: the
   companion's streamed reply arriving piece by piece through mod_proxy_fcgi's flushpackets=on,
   and a stream cut midway). Only tests marked `nginx_only` are skipped there (nchan's streams,
   nginx's own logs and limits), and the package tests, which build and install the package and
   have no front.
2. The same security headers, CSP and cache headers on the UI and on API answers as nginx sends.
3. Real time by polling: /api/rt/connect answers JSON saying to poll, the programs publish
   nothing, and the UI's polling code (htdocs/js/api/poll-events.js, run in Node against this
   stack) turns a post accepted, a message, the other participant typing, a session ended, a
   direct request and a crisis alert into the same events the stream would have carried.

Run: /usr/bin/python3 -m pytest tests/integration/test_apache_front.py
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from astral_client import expect
from conftest import BUILD, SRC, start_stack, stop_stack
from test_chat_setup import end_session, new_helper, new_post, new_seeker, send
from test_moderation_setup import CRISIS_TEXT, new_staff

HERE = Path(__file__).resolve().parent
# Every suite but this file and the package's (no front there).
NESTED_LEFT_OUT = {"test_apache_front.py", "test_package.py", "test_package_upgrade.py"}
SECURITY_HEADERS = ["Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy",
                    "Permissions-Policy", "X-Frame-Options"]
TIMEOUT = 10

# Compares Apache with the nginx stack of this session, so it runs where the session stack is nginx.
pytestmark = pytest.mark.nginx_only("compares the Apache front with the session's nginx stack")


@pytest.fixture(scope="module")
def apache(request):
    st = start_stack(["--front", "apache"], label="apache")
    yield st
    stop_stack(st)


# ------------------------------------------------------------ 1. the suites through Apache

def test_the_whole_suite_passes_through_apache():
    files = sorted(p.name for p in HERE.glob("test_*.py") if p.name not in NESTED_LEFT_OUT)
    assert len(files) >= 80, f"the nested suites are missing: {files}"
    env = dict(os.environ, ASTRAL_FRONT="apache", ASTRAL_BUILD=str(BUILD), ASTRAL_SRC=str(SRC))
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rsfE", *files]
    p = subprocess.run(cmd, cwd=HERE, env=env, capture_output=True, text=True, timeout=3600)
    out = p.stdout + p.stderr
    summary = out.strip().splitlines()[-1] if out.strip() else "(no output)"
    counts = {word: int(n) for n, word in re.findall(r"(\d+) (passed|failed|errors?|skipped)", summary)}
    if p.returncode != 0 or counts.get("failed") or counts.get("error") or counts.get("errors"):
        start = out.find("short test summary info")
        failures = out[max(0, start - 200):] if start >= 0 else out[-12000:]
        pytest.fail(f"the suites through Apache failed (exit {p.returncode}): {summary}\n"
                    f"{' '.join(cmd)} (ASTRAL_FRONT=apache)\n{failures[-20000:]}", pytrace=False)
    assert counts.get("passed", 0) >= 4500, f"too few tests ran through Apache: {summary}"
    skipped = [line for line in out.splitlines() if line.startswith("SKIPPED")]
    unexplained = [line for line in skipped if "nginx only:" not in line]
    assert not unexplained, "tests skipped through Apache without the nginx_only marker:\n" + \
        "\n".join(unexplained)


# ------------------------------------------------------------ 2. the same headers as nginx

def fetch(st, path, headers=None):
    r = requests.get(st.url + path, headers=headers or {}, timeout=TIMEOUT, allow_redirects=False)
    for name in SECURITY_HEADERS + ["Cache-Control", "Content-Type", "X-Request-Id"]:
        values = r.raw.headers.getlist(name)
        assert len(values) <= 1, f"{st.front} {path}: {name} sent {len(values)} times: {values}"
    return r


def signed_in_headers(st):
    c = st.client("bearer")
    c.anonymous()
    return {"Authorization": f"Bearer {c.access_token}"}


@pytest.mark.parametrize("path", ["/", "/signin", "/crisis.html", "/js/api/events.js",
                                  "/css/tokens.css", "/favicon.svg", "/manifest.webmanifest",
                                  "/no-such-file.css"])
def test_ui_headers_match_nginx(stack, apache, path):
    a, n = fetch(apache, path), fetch(stack, path)
    assert a.status_code == n.status_code, f"{path}: Apache {a.status_code}, nginx {n.status_code}"
    names = SECURITY_HEADERS + (["Cache-Control", "Content-Type"] if n.status_code == 200 else [])
    diff = {h: (a.headers.get(h), n.headers.get(h)) for h in names if a.headers.get(h) != n.headers.get(h)}
    assert not diff, f"{path}: headers differ (Apache, nginx): {diff}"
    if n.status_code == 200:
        assert a.content == n.content, f"{path}: Apache serves other bytes than nginx"


@pytest.mark.parametrize("path,signed_in", [("/api/auth/session", False), ("/api/auth/session", True),
                                            ("/api/me/preferences", True), ("/api/no-such-route", False),
                                            ("/api/resources", False), ("/healthz", False)])
def test_api_headers_match_nginx(stack, apache, path, signed_in):
    a = fetch(apache, path, signed_in_headers(apache) if signed_in else None)
    n = fetch(stack, path, signed_in_headers(stack) if signed_in else None)
    assert a.status_code == n.status_code, f"{path}: Apache {a.status_code}, nginx {n.status_code}"
    names = SECURITY_HEADERS + ["Cache-Control", "Content-Type"]
    diff = {h: (a.headers.get(h), n.headers.get(h)) for h in names if a.headers.get(h) != n.headers.get(h)}
    assert not diff, f"{path}: headers differ (Apache, nginx): {diff}"
    assert a.headers.get("X-Request-Id"), f"{path}: no X-Request-Id through Apache"
    assert a.json().keys() == n.json().keys(), f"{path}: bodies differ: {a.text[:200]} / {n.text[:200]}"


@pytest.mark.parametrize("path", ["/api/auth/session", "/"])
def test_a_header_over_the_limit_is_a_json_400_on_both_fronts(stack, apache, path):
    """A header line longer than either front reads (16 KB) never reaches a program: both answer
    400 in the API's JSON shape, with the security headers, for the API and the UI alike."""
    for st in (stack, apache):
        r = requests.get(st.url + path, headers={"Cookie": "astral=" + "a" * 20000}, timeout=TIMEOUT,
                         allow_redirects=False)
        front = "Apache" if st is apache else "nginx"
        assert r.status_code == 400, (front, r.status_code, r.text[:200])
        assert re.match(r"application/json\s*;\s*charset=utf-8", r.headers.get("Content-Type", ""), re.I), \
            (front, r.headers.get("Content-Type"), r.text[:200])
        assert json.loads(r.text)["error"]["code"] == "bad_request", (front, r.text[:200])
        for name in SECURITY_HEADERS:
            assert r.headers.get(name), (front, name, dict(r.headers))


@pytest.mark.parametrize("method,path", [("GET", "/no-such-file.css"), ("GET", "/js/"), ("GET", "/.git/config"),
                                         ("TRACE", "/"), ("TRACE", "/api/auth/session")])
def test_apaches_own_error_pages_name_no_server(apache, method, path):
    """Behind Debian's security.conf (ServerSignature On) Apache's own error pages would end in
    "Apache/2.4.x (Debian) Server at <host> Port 443": the drop-in turns the signature off, and
    TRACE stays refused."""
    r = requests.request(method, apache.url + path, timeout=TIMEOUT, allow_redirects=False)
    assert r.status_code in (403, 404, 405), (method, path, r.status_code)
    assert "<address>" not in r.text and "Server at" not in r.text, (method, path, r.text[-300:])
    assert r.headers.get("Server") == "Apache", (method, path, r.headers.get("Server"))


@pytest.mark.parametrize("path", ["/icons/apache_pb.png", "/icons/a.gif", "/icons/small/", "/icons/"])
def test_nothing_outside_htdocs_is_served(apache, path):
    """Debian's alias.conf maps /icons/ onto /usr/share/apache2/icons for every site; Astral Core
    serves htdocs only, so those paths are the 404 nginx gives."""
    r = requests.get(apache.url + path, timeout=TIMEOUT, allow_redirects=False)
    assert r.status_code == 404, (path, r.status_code, r.headers.get("Content-Type"))
    assert not r.content.startswith(b"\x89PNG"), path


@pytest.mark.parametrize("path", ["/api/auth/session", "/api/posts", "/media/videos/x", "/healthz"])
def test_a_trace_on_the_api_is_a_json_405(apache, path):
    """TRACE is refused by Apache itself, before any program: on the API its answer is JSON like
    every other, not Apache's HTML page under a JSON Content-Type."""
    r = requests.request("TRACE", apache.url + path, timeout=TIMEOUT, allow_redirects=False)
    assert r.status_code == 405, (path, r.status_code)
    assert r.headers.get("Content-Type", "").startswith("application/json"), (path, r.headers)
    assert r.json()["error"]["code"] == "method_not_allowed", (path, r.text[:300])


def test_request_id_is_the_one_the_program_logs(apache):
    r = fetch(apache, "/api/auth/session")
    rid = r.headers["X-Request-Id"]
    logged = (apache.log_dir / "auth.log").read_text(errors="replace")
    assert f"req={rid} " in logged, f"astral-auth did not log Apache's request id {rid}"
    access = (apache.log_dir / "apache-access.log").read_text(errors="replace")
    assert f"rid={rid}" in access, f"Apache's access log lacks the request id {rid}"


def test_the_access_log_keeps_no_query_string_nor_browser(apache):
    """Queries carry search terms (GET /api/posts?q=...). Debian's `combined` format logs them
    beside the address, the Referer and the User-Agent; the drop-in's `astral` format, the one
    docs/operations.md has the virtual host log with, keeps the path only. The test Apache logs
    with the drop-in's format, not one of its own."""
    dev_conf = (apache.dir / "etc" / "apache2.conf").read_text()
    assert "LogFormat" not in dev_conf, "the test Apache defines its own log format"
    s = new_seeker(apache)
    canary = "canary" + os.urandom(6).hex()
    r = requests.get(apache.url + "/api/posts?q=" + canary, timeout=TIMEOUT,
                     headers={"Authorization": f"Bearer {s.c.access_token}", "User-Agent": canary + "-ua",
                              "Referer": apache.url + "/?" + canary})
    assert r.status_code == 200, (r.status_code, r.text[:200])
    rid = r.headers["X-Request-Id"]
    # Apache writes the line in its log phase, after the answer has gone: it may not be there yet.
    deadline = time.monotonic() + 5
    while True:
        access = (apache.log_dir / "apache-access.log").read_text(errors="replace")
        line = next((entry for entry in access.splitlines() if f"rid={rid}" in entry), None)
        if line is not None or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert line is not None and '"GET /api/posts"' in line, line
    assert canary not in access, line


# ------------------------------------------------------------ 3. real time by polling

def test_rt_connect_says_to_poll_through_apache_and_nchan_through_nginx(stack, apache):
    s = new_seeker(apache)
    for path in ("/api/rt/connect", "/api/rt/connect?probe=true"):
        body = expect(s.get(path), 200).json
        assert body["transport"] == "polling" and body["poll_seconds"] == 5, body
        assert "poll" in body["message"], body
    # A WebSocket upgrade is not switched: the same JSON answer, nothing for a stream to hang on.
    r = requests.get(apache.url + "/api/rt/connect", timeout=TIMEOUT, headers={
        "Authorization": f"Bearer {s.c.access_token}", "Connection": "Upgrade", "Upgrade": "websocket",
        "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})
    assert r.status_code == 200 and r.json()["transport"] == "polling", (r.status_code, r.text[:200])
    assert "X-Accel-Redirect" not in r.headers, r.headers
    n = new_seeker(stack)
    assert expect(n.get("/api/rt/connect?probe=true"), 200).json == {"transport": "nchan"}
    expect(new_seeker(apache).get("/api/rt/connect?probe=maybe"), 400, "invalid_field", "probe")


class PollingPage:
    """The UI's polling code for one signed-in person, run by Node against the stack."""

    def __init__(self, st, person, session_response):
        node = shutil.which("node")
        assert node, "node is not installed (tools/dev/install-deps installs it)"
        self.proc = subprocess.Popen(
            [node, "--experimental-detect-module", str(HERE / "poll_events_driver.mjs"), st.url,
             str(st.src / "htdocs")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self._send({"token": person.c.access_token, "session": session_response})
        assert self._read().get("ready"), "the poll driver did not start"
        assert self.poll() == [], "the first poll only takes stock"

    def _send(self, obj):
        self.proc.stdin.write(json.dumps(obj) + "\n")
        self.proc.stdin.flush()

    def _read(self):
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait(timeout=5)
            raise AssertionError(f"the poll driver stopped: {self.proc.stderr.read()[-3000:]}")
        return json.loads(line)

    def poll(self):
        self._send({"poll": True})
        return self._read()["events"]

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


@pytest.fixture
def pages():
    opened = []

    def open_page(st, person, session_response):
        page = PollingPage(st, person, session_response)
        opened.append(page)
        return page

    yield open_page
    for page in opened:
        page.close()


def session_response(person):
    return expect(person.get("/api/auth/session"), 200).json


def types(events):
    return [e["type"] for e in events]


def publish_warnings(st):
    return sum(p.read_text(errors="replace").count("publishing a real-time event failed")
               for p in st.log_dir.glob("*.log"))


def test_polling_turns_list_changes_into_the_stream_events(apache, pages):
    warnings_before = publish_warnings(apache)
    seeker, helper = new_seeker(apache), new_helper(apache)
    s_page = pages(apache, seeker, session_response(seeker))
    h_page = pages(apache, helper, session_response(helper))

    # A post accepted: session.accepted for both, as the HelpSession each of them sees.
    sid = expect(helper.post(f"/api/posts/{new_post(apache, seeker)}/accept"), 201).json["id"]
    for page, role in ((s_page, "seeker"), (h_page, "helper")):
        events = page.poll()
        assert types(events) == ["session.accepted"], (role, events)
        assert events[0]["session"]["id"] == sid and events[0]["session"]["my_role"] == role, events

    # Messages from the helper: message.new each, as the seeker sees them; none for my own.
    first = send(helper, sid, "Hello, I am here for you.")
    second = send(helper, sid, "Take your time.")
    send(seeker, sid, "Thank you")
    events = s_page.poll()
    assert types(events) == ["message.new", "message.new"], events
    assert [e["message"]["id"] for e in events] == [first["id"], second["id"]], events
    assert all(e["session_id"] == sid and e["message"]["mine"] is False for e in events), events
    assert events[1]["message"]["text"] == "Take your time.", events
    assert s_page.poll() == [], "the same messages were announced twice"
    events = h_page.poll()
    assert types(events) == ["message.new"] and events[0]["message"]["text"] == "Thank you", events

    # The session ended by the helper: session.ended for both, with who ended it.
    end_session(helper, sid)
    ended_by = expect(seeker.get(f"/api/sessions/{sid}"), 200).json["ended_by"]
    assert ended_by == "helper", ended_by
    for page in (s_page, h_page):
        events = page.poll()
        assert events == [dict(events[0], type="session.ended", session_id=sid, ended_by=ended_by)], events

    # A direct request: direct_request.new for the helper.
    dr = expect(seeker.post("/api/posts/direct-requests", {"helper_id": helper.id, "category": "Stress",
                                                         "content": "Could we talk later today?"}), 201).json
    events = h_page.poll()
    assert types(events) == ["direct_request.new"] and events[0]["post"]["id"] == dr["id"], events

    # Behind Apache the programs published nothing (a publish would have failed: no nchan here).
    assert publish_warnings(apache) == warnings_before, "a program tried to publish behind Apache"


def test_polling_shows_the_other_participant_typing(apache, pages):
    seeker, helper = new_seeker(apache), new_helper(apache)
    s_page = pages(apache, seeker, session_response(seeker))
    h_page = pages(apache, helper, session_response(helper))
    sid = expect(helper.post(f"/api/posts/{new_post(apache, seeker)}/accept"), 201).json["id"]
    assert types(s_page.poll()) == types(h_page.poll()) == ["session.accepted"]

    # The seeker types: the helper's next poll gives the event nchan would have carried.
    expect(seeker.post(f"/api/sessions/{sid}/typing"), 204)
    events = h_page.poll()
    assert types(events) == ["typing"], events
    assert {k: v for k, v in events[0].items() if k != "at"} == \
        {"type": "typing", "session_id": sid, "sender_role": "seeker"}, events
    assert s_page.poll() == [], "my own typing was announced to me"
    # Again at each poll while it lasts (the page keeps the indicator up), and for the helper's.
    assert types(h_page.poll()) == ["typing"]
    expect(helper.post(f"/api/sessions/{sid}/typing"), 204)
    events = s_page.poll()
    assert [(e["type"], e["sender_role"]) for e in events] == [("typing", "helper")], events


def test_polling_brings_a_new_crisis_alert_to_a_moderator(apache, pages):
    moderator = new_staff(apache)
    page = pages(apache, moderator, session_response(moderator))
    seeker, helper = new_seeker(apache), new_helper(apache)
    sid = expect(helper.post(f"/api/posts/{new_post(apache, seeker)}/accept"), 201).json["id"]
    send(seeker, sid, CRISIS_TEXT)
    events = [e for e in page.poll() if e["type"] == "alert.new"]
    assert len(events) == 1, events
    alert = events[0]["alert"]
    listed = expect(moderator.get("/api/moderation/alerts?status=open&limit=100"), 200).json["items"]
    assert alert["id"] in [a["id"] for a in listed], (alert, listed[:3])
    assert alert["severity"] in ("high", "medium", "low") and alert["source"], alert
