"""Scale-out on existing engines (docs/scaling.md): two nodes, each its own nginx + nchan and
programs, on different loopback ports, sharing one PostgreSQL (node A's), one set of keys and one
Redis (a private redis-server started here) that holds nchan's channels.

1. A message posted through one node reaches a subscriber on the other, both ways; a stream
   resumes on the other node from the shared buffer (Last-Event-ID); tokens signed and data
   sealed by node A are accepted and read by node B; logging out through A closes the person's
   stream on B.
2. Redis stopped and started again on the same port: messages sent meanwhile are stored (the POST
   does not wait), a subscriber that reconnects to node B gets live delivery again, and the
   messages it missed come back through the client's resync from PostgreSQL (`?after=`), as the
   UI does on reconnect.
3. Node A's nginx and programs stopped while messages are being posted through it: every message
   A committed is in the history node B serves, and B keeps serving (API and real time).

The tests run in this order (3 stops node A for good).

nchan 1.3.6 keeps one Redis connection per nginx worker, and after a Redis restart each worker
reconnects on its own schedule (a connect may hang for its 10 s timeout, then backoff up to 10 s):
for seconds one worker of a node can have Redis and the other not. A stream opened on a node in
that state is accepted by the worker that has Redis, but when its channel belongs to the worker
that has not (nchan hashes each channel to one worker, which alone subscribes to Redis for it),
that worker never subscribes the channel once it is back: the stream stays open and hears
nothing, whatever is published later (reproduced by refusing one worker's reconnects; see
docs/operations.md, section 12). So test 2 ends only when every worker of both nodes is back on
Redis (workers_without_redis), and test 3 checks that before it opens its stream."""

import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests
import websocket

from astral_client import expect
from conftest import STACK_TOOL, start_stack, stop_stack
from test_chat_setup import Person, Subscriber, message_event, new_session, send

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
NODE_ARGS = ["--workers", "2", "--ai-workers", "1"]
REDIS_RECONNECT_SECONDS = 45      # nchan retries with backoff up to 10 s between attempts


def free_port():
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def redis_answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


class Redis:
    """A private redis-server on a loopback port, no persistence (a restart empties it)."""

    def __init__(self):
        assert Path(REDIS_SERVER).exists(), f"{REDIS_SERVER} is missing (apt-get install redis-server)"
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="astral-it-redis-"))
        self.log = self.dir / "redis.log"
        self.proc = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}"

    def start(self):
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", str(self.dir), "--daemonize", "no"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 10
        while not redis_answers(self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"redis-server did not answer PING on port {self.port}:\n"
                                     f"{self.log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.05)

    def stop(self):
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self.proc = None

    def remove(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class Cluster:
    def __init__(self, redis, a, b):
        self.redis, self.a, self.b = redis, a, b


@pytest.fixture(scope="module")
def cluster():
    redis = Redis()
    a = b = None
    try:
        redis.start()
        a = start_stack([*NODE_ARGS, "--redis-url", redis.url, "--pg-max-connections", "120"],
                        label="node-a")
        b = start_stack([*NODE_ARGS, "--node-of", str(a.dir)], label="node-b")
        yield Cluster(redis, a, b)
    finally:
        try:
            if b is not None:
                stop_stack(b)              # first: node A owns the PostgreSQL
        finally:
            try:
                if a is not None:
                    stop_stack(a)
            finally:
                redis.remove()


@pytest.fixture
def subs():
    opened = []
    yield opened
    for s in opened:
        s.close()


def on(node, person):
    """The same signed-in person, talking to `node` with the tokens another node issued."""
    c = node.client("bearer")
    c.access_token, c.refresh_token = person.c.access_token, person.c.refresh_token
    c.user, c.session = person.c.user, person.c.session
    return Person(c, person.role, person.display_name)


def subscribe(node, person, transport, subs):
    sub = Subscriber(node, person, transport)
    subs.append(sub)
    sub.drain(0.2)
    return sub


def arrives(sub, message, timeout, what):
    try:
        return sub.wait_for(message_event(message["id"]), timeout)[1]
    except AssertionError:
        raise AssertionError(f"{what}: message {message['id']} did not arrive within {timeout} s") from None


def history(person, sid):
    """Every message of the session as the API serves it, oldest first (pages of the newest
    100, then `before=` the oldest one held)."""
    items, path = [], f"/api/sessions/{sid}/messages?limit=100"
    while True:
        page = expect(person.get(path), 200).json
        items = page["items"] + items
        if not page["next"]:
            return items
        path = f"/api/sessions/{sid}/messages?limit=100&before={page['next']}"


def workers_without_redis(node):
    """The node's nginx worker pids whose nchan has no Redis connection now, from its error log
    (notice level): a worker is connected once its last "Redis upstream ...: ready" comes after
    its last "connection lost", "connection failed" or "disconnected". A single probe of the
    publisher (publisher_status) only tells about the worker that happened to accept it."""
    master = int((node.dir / "run" / "nginx.pid").read_text().split()[0])
    p = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True)
    workers = {int(pid) for pid in p.stdout.split()}
    assert workers, f"node {node.dir} has no nginx workers"
    ready = dict.fromkeys(workers, False)
    for line in (node.log_dir / "nginx-error.log").read_text(errors="replace").splitlines():
        m = re.search(r"\] (\d+)#\d+: nchan: Redis (.*)$", line)
        if m is None or int(m.group(1)) not in ready:
            continue
        what = m.group(2)
        if what.endswith(": ready"):
            ready[int(m.group(1))] = True
        elif "connection lost" in what or "connection failed" in what or what.endswith(" disconnected"):
            ready[int(m.group(1))] = False
    return sorted(pid for pid, ok in ready.items() if not ok)


def wait_for_every_worker(deadline, *nodes):
    while True:
        missing = {name: pids for name, node in nodes if (pids := workers_without_redis(node))}
        if not missing:
            return
        assert time.monotonic() < deadline, \
            f"nginx workers still without Redis after {REDIS_RECONNECT_SECONDS} s: {missing}"
        time.sleep(0.2)


def publisher_status(node):
    """What the node's nchan publisher answers for a channel nobody uses: 404 with its store
    reachable, 503 while it has no Redis connection."""
    try:
        return requests.get(node.env["PUB_URL"] + "/scale-out-probe", timeout=5).status_code
    except requests.RequestException as e:
        return repr(e)


# ------------------------------------------------------------------ 1. across nodes

def test_a_message_posted_through_one_node_reaches_a_subscriber_on_the_other(cluster, subs):
    a, b = cluster.a, cluster.b
    s, h, sid = new_session(a)                       # signed in and accepted through node A
    s_b = on(b, s)
    r = s_b.get("/api/auth/session")
    assert r.status == 200, f"node B refused an access token signed by node A: {r.status} {r.body[:200]}"

    seeker_on_b = subscribe(b, s_b, "websocket", subs)
    helper_on_a = subscribe(a, h, "eventsource", subs)
    m1 = send(h, sid, "posted through node A")
    ev = arrives(seeker_on_b, m1, 2.0, "posted through node A, subscribed through node B")
    assert ev["message"]["text"] == "posted through node A" and ev["session_id"] == sid
    m2 = send(s_b, sid, "posted through node B")
    ev = arrives(helper_on_a, m2, 2.0, "posted through node B, subscribed through node A")
    assert ev["message"]["text"] == "posted through node B"

    # Sealed with the session's key on one node, read on the other (one keyring).
    for reader, node in ((s_b, "B"), (h, "A")):
        got = [(m["id"], m["text"]) for m in history(reader, sid)]
        assert got == [(m1["id"], "posted through node A"), (m2["id"], "posted through node B")], \
            f"the history read through node {node} differs from what was posted: {got}"

    # The channel's buffer is shared: a stream that held event ids from node A resumes on node B
    # with Last-Event-ID and gets what was published while it was away.
    last_id = helper_on_a.event_ids[-1]
    helper_on_a.close()
    m3 = send(s_b, sid, "while the helper was reconnecting")
    resumed = Subscriber(b, on(b, h), "eventsource", extra_headers={"Last-Event-ID": last_id})
    subs.append(resumed)
    arrives(resumed, m3, 2.0, "resumed on node B with a Last-Event-ID from node A")

    # Revocation crosses nodes: a logout through A closes the stream held on B.
    expect(s.post("/api/auth/logout"), 204)
    assert seeker_on_b.closed.wait(5.0), "a logout through node A left the person's stream on node B open"
    r = s_b.get("/api/auth/session")
    assert r.status == 401, f"node B still accepts a session logged out through node A: {r.status}"


# ------------------------------------------------------------------ 2. Redis restart

def test_after_a_redis_restart_delivery_resumes_and_clients_resync(cluster, subs):
    a, b, redis = cluster.a, cluster.b, cluster.redis
    s, h, sid = new_session(a)
    s_b = on(b, s)
    have = {}                                        # what the seeker's client holds, by id

    def resync():
        """What the client fetches: everything after the newest message it holds, merged by id."""
        newest = max(have.values(), key=lambda m: m["seq"])
        page = expect(s_b.get(f"/api/sessions/{sid}/messages?after={newest['id']}&limit=100"), 200).json
        for m in page["items"]:
            have.setdefault(m["id"], m)
        return page["items"]

    def take(events):
        """Live events as htdocs/js/views/chat.js takes them: one whose prev_id the client does not
        hold means an event was lost on the way, so the client resyncs before adding it."""
        for e in events:
            if e.get("type") == "message.new" and e["session_id"] == sid:
                if e.get("prev_id") and e["prev_id"] not in have:
                    resync()
                have.setdefault(e["message"]["id"], e["message"])

    first = subscribe(b, s_b, "websocket", subs)
    sent = [send(h, sid, "before the Redis restart")]
    arrives(first, sent[0], 2.0, "before the Redis restart, posted through A, subscribed through B")

    redis.stop()
    try:
        down = []
        for i in range(3):
            t0 = time.monotonic()
            down.append(send(h, sid, f"while Redis is down {i}"))
            took = time.monotonic() - t0
            assert took < 2.0, f"a message POST took {took:.1f} s while Redis was down (the publish must fail fast)"
        assert all(publisher_status(n) == 503 for n in (a, b)), \
            "a node's nchan still answers as if it had its Redis while Redis is stopped"
    finally:
        redis.start()
    restarted = time.monotonic()
    sent += down

    deadline = time.monotonic() + REDIS_RECONNECT_SECONDS
    for name, node in (("A", a), ("B", b)):
        while (status := publisher_status(node)) != 404:
            assert time.monotonic() < deadline, \
                f"node {name}'s nchan did not reconnect to Redis within {REDIS_RECONNECT_SECONDS} s " \
                f"(publisher: {status})"
            time.sleep(0.2)
    # One probe reached one worker per node; the others may still be waiting to reconnect, and a
    # stream opened meanwhile can stay deaf (module docstring): wait for every worker.
    answered = time.monotonic()
    wait_for_every_worker(deadline, ("A", a), ("B", b))
    reconnected = time.monotonic()
    print(f"both nodes' nchan answered {answered - restarted:.1f} s after Redis restarted, "
          f"every worker was back after {reconnected - restarted:.1f} s")

    # The client reconnects to node B (nchan answers 503 until its worker has Redis again)...
    first.close()
    take(first.received)
    while True:
        try:
            fresh = subscribe(b, s_b, "websocket", subs)
            break
        except websocket.WebSocketBadStatusException as e:
            assert e.status_code == 503 and time.monotonic() < deadline, \
                f"reconnecting to node B after the Redis restart failed: {e.status_code}"
            time.sleep(0.2)
    # ...then fetches what it missed since the newest message it holds, and merges by id.
    fetched = [m["id"] for m in resync()]
    assert fetched == [m["id"] for m in down], \
        f"the resync after the Redis restart returned {fetched}, expected the messages sent while it was down"

    # Live delivery again, across nodes: posted through A, heard on B. Should a publish still be
    # lost on the way, the next one's prev_id tells the client, which resyncs then (take).
    live = None
    while live is None:
        m = send(h, sid, f"after the Redis restart {uuid.uuid4().hex[:6]}")
        sent.append(m)
        try:
            arrives(fresh, m, 1.0, "after the Redis restart")
            live = time.monotonic() - reconnected
        except AssertionError:
            assert time.monotonic() < deadline, \
                f"no message posted through node A reached node B within {REDIS_RECONNECT_SECONDS} s " \
                "of the Redis restart"
    print(f"live delivery resumed {live:.1f} s after both nodes had reconnected to Redis")
    take(fresh.received)

    heard = {e["message"]["id"] for e in first.received + fresh.received if e.get("type") == "message.new"}
    assert not heard & {m["id"] for m in down}, \
        "a message sent while Redis was down reached a stream: it should only come back through the resync"
    want = [m["id"] for m in sent]
    assert [m["id"] for m in history(s_b, sid)] == want, "the server lost or doubled a message"
    mine = sorted(have.values(), key=lambda m: m["seq"])
    assert [m["id"] for m in mine] == want, "the client lost a message across the Redis restart"


# ------------------------------------------------------------------ 3. node A goes away

def test_stopping_node_a_loses_nothing_committed_and_node_b_keeps_serving(cluster, subs):
    a, b = cluster.a, cluster.b
    s, h, sid = new_session(a)
    s_b, h_b = on(b, s), on(b, h)
    missing = {name: pids for name, node in (("A", a), ("B", b)) if (pids := workers_without_redis(node))}
    assert not missing, f"nginx workers without Redis before node A is stopped (left by the test before?): {missing}"
    sub = subscribe(b, s_b, "websocket", subs)

    outcomes = []                                    # (text, status or exception, message)
    stop = threading.Event()

    def post_through_a():
        i = 0
        while not stop.is_set() and i < 90:
            text = f"through A {i}"
            try:
                r = h.c.post(f"/api/sessions/{sid}/messages", {"text": text, "client_key": uuid.uuid4().hex},
                             check=False)
                outcomes.append((text, r.status, r.json if r.status == 201 else None))
            except requests.RequestException as e:
                outcomes.append((text, type(e).__name__, None))
            i += 1
            time.sleep(0.02)

    sender = threading.Thread(target=post_through_a, daemon=True)
    sender.start()
    time.sleep(1.0)
    p = subprocess.run([str(STACK_TOOL), "stop", "--keep-db", "--dir", str(a.dir)], capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0, f"stack stop --keep-db of node A failed:\n{p.stdout}\n{p.stderr}"
    time.sleep(0.3)
    stop.set()
    sender.join(30)
    assert not sender.is_alive(), "the sender thread did not finish"

    try:
        still = requests.get(a.url + "/", timeout=5).status_code
    except requests.ConnectionError:
        still = None
    assert still is None, f"node A still answers ({still}) after stack stop --keep-db"
    committed = [(text, m) for text, status, m in outcomes if status == 201]
    failed = [(text, status) for text, status, _ in outcomes if status != 201]
    assert committed, f"no message was committed through node A before it stopped: {outcomes[:5]}"
    assert failed, "every POST through node A succeeded: node A was not stopped while it was being used"
    print(f"through node A: {len(committed)} committed, then {len(failed)} refused ({failed[0][1]} first)")

    # The stream on B heard node A while A ran: else it was deaf from the start, and what follows
    # would blame node A's stop for it.
    heard = {e["message"]["id"] for e in sub.received if e.get("type") == "message.new"}
    assert committed[0][1]["id"] in heard, \
        f"the stream on node B heard none of the first messages posted through node A " \
        f"({len(heard)} of {len(committed)} committed heard)"

    # Everything A committed is in the history node B serves, once, in order, readable.
    served = {m["id"]: m for m in history(s_b, sid)}
    lost = [text for text, m in committed if m["id"] not in served]
    assert not lost, f"messages committed through node A are missing from node B's history: {lost}"
    assert [served[m["id"]]["text"] for _, m in committed] == [text for text, _ in committed], \
        "a message committed through node A reads differently through node B"
    attempted = {text for text, _, _ in outcomes}
    assert all(m["text"] in attempted for m in served.values()), "node B serves a message nobody sent"

    # Node B keeps serving: the API, real time, and a refresh of a token pair node A issued.
    m = send(h_b, sid, "node B carries on")
    arrives(sub, m, 2.0, "posted and subscribed through node B after node A stopped")
    r = h_b.c.refresh()
    assert r.status == 200, f"node B refused to refresh a token pair node A issued: {r.status} {r.body[:200]}"
