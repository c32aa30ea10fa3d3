"""Shared set-up for the chat tests (test_chat_*.py, test_realtime_chat*.py): people, posts,
sessions and real-time subscribers. Holds no tests itself.

A session is made the way the product makes one: a seeker's post (written with direct SQL,
so these tests do not depend on the posts program's create route) accepted by an online helper
through POST /api/posts/{id}/accept, which creates the session and its conversation key.
"""

import http.client
import json
import queue
import socket
import threading
import time
import uuid

import websocket

from astral_client import expect, strong_password, unique


# ------------------------------------------------------------------ people

class Person:
    """A signed-in Bearer client plus what the tests need to know about it."""

    def __init__(self, client, role, display_name=None):
        self.c = client
        self.role = role
        self.display_name = display_name

    @property
    def id(self):
        return self.c.user_id

    def __getattr__(self, name):           # get/post/put/delete/request...
        return getattr(self.c, name)


def new_seeker(stack):
    c = stack.client("bearer")
    c.anonymous()
    return Person(c, "seeker")


def new_helper(stack, online=True):
    """A helper account with a profile (direct SQL), signed in, online by default."""
    username, password = unique("ch"), strong_password()
    name = "Helper " + uuid.uuid4().hex[:6]
    stack.create_user("helper", username, name, password)
    c = stack.client("bearer")
    c.login(username, password)
    stack.query("INSERT INTO helper_profiles (user_id, bio, expertise, available, available_since, created_at,"
                " updated_at) VALUES (%s, 'I listen.', ARRAY['Anxiety & Stress'], %s, now(), now(), now())",
                (c.user_id, online))
    return Person(c, "helper", name)


def new_post(stack, seeker, content=None, category="Anxiety"):
    post_id = str(uuid.uuid4())
    stack.query("INSERT INTO posts (id, author_id, category, content, status, created_at, updated_at)"
                " VALUES (%s, %s, %s, %s, 'active', now(), now())",
                (post_id, seeker.id, category, content or "I feel anxious about tomorrow " + post_id[:8]))
    return post_id


def accept(stack, helper, post_id):
    """The real accept route; returns the session id."""
    # Its answer's shape is the posts program's to check (test_posts_*.py).
    r = helper.c.post(f"/api/posts/{post_id}/accept", check=False)
    expect(r, 201)
    return r.json["id"]


def new_session(stack, seeker=None, helper=None):
    """(seeker, helper, session id) with a fresh post accepted by the helper."""
    seeker = seeker or new_seeker(stack)
    helper = helper or new_helper(stack)
    return seeker, helper, accept(stack, helper, new_post(stack, seeker))


def end_session(person, sid):
    return expect(person.post(f"/api/sessions/{sid}/end"), 200)


def send(person, sid, text, key=None, status=201):
    r = person.post(f"/api/sessions/{sid}/messages", {"text": text, "client_key": key or uuid.uuid4().hex})
    return expect(r, status).json


# ------------------------------------------------------------------ real time

def ws_url(stack, path):
    return "ws" + stack.url[len("http"):] + path


class Subscriber:
    """One open real-time stream (WebSocket or EventSource) collecting events in a thread."""

    def __init__(self, stack, person, transport, query="", extra_headers=None):
        self.events = queue.Queue()
        self.received = []                 # every event, in order (wait_for consumes `events`)
        self.closed = threading.Event()
        self.closing = False               # close() was called: a read timeout ends the reader
        self.transport = transport
        self.event_ids = []
        path = "/api/rt/connect" + query
        if person.c.mode == "cookie":           # a browser: the session cookies, nothing else
            headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in person.c.cookies.items())}
        else:
            headers = {"Authorization": "Bearer " + person.c.access_token}
        headers.update(extra_headers or {})
        if transport == "websocket":
            self.ws = websocket.create_connection(ws_url(stack, path), timeout=10,
                                                  header=[f"{k}: {v}" for k, v in headers.items()])
            self.thread = threading.Thread(target=self._read_ws, daemon=True)
        elif transport == "eventsource":
            # http.client rather than requests: its socket can be shut down from another thread.
            host, port = stack.url.split("//", 1)[1].split(":")
            self.conn = http.client.HTTPConnection(host, int(port), timeout=30)
            self.conn.request("GET", path, headers={**headers, "Accept": "text/event-stream"})
            self.resp = self.conn.getresponse()
            assert self.resp.status == 200, (self.resp.status, self.resp.read(300))
            assert (self.resp.getheader("Content-Type") or "").startswith("text/event-stream"), self.resp.headers
            self.thread = threading.Thread(target=self._read_sse, daemon=True)
        else:
            raise ValueError(transport)
        self.thread.start()

    def _put(self, data):
        try:
            ev = json.loads(data)
        except ValueError:
            return
        self.received.append(ev)
        self.events.put((time.monotonic(), ev))

    def _read_ws(self):
        try:
            while True:
                try:
                    op, data = self.ws.recv_data(control_frame=False)
                except websocket.WebSocketTimeoutException:
                    # A quiet stream is still open: the connection's timeout bounds the handshake
                    # and close(), not how long a test may wait between two events.
                    if self.closing:
                        break
                    continue
                if op == websocket.ABNF.OPCODE_CLOSE:
                    break
                if op == websocket.ABNF.OPCODE_TEXT:
                    self._put(data.decode("utf-8"))
        except (websocket.WebSocketException, OSError, ValueError):
            pass
        finally:
            self.closed.set()

    def _read_sse(self):
        data, ev_id = [], None
        try:
            while True:
                raw = self.resp.readline()
                if not raw:
                    break
                line = raw.decode("utf-8").rstrip("\r\n")
                if line == "":
                    if data:
                        if ev_id:
                            self.event_ids.append(ev_id)
                        self._put("\n".join(data))
                    data, ev_id = [], None
                elif line.startswith("data:"):
                    data.append(line[5:].lstrip(" ") if line.startswith("data: ") else line[5:])
                elif line.startswith("id:"):
                    ev_id = line[3:].strip()
        except (http.client.HTTPException, OSError, ValueError, AttributeError):
            pass
        finally:
            self.closed.set()

    def wait_for(self, predicate, timeout=5.0):
        """The first event matching predicate, as (receive time, event); AssertionError after timeout."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no matching event within {timeout} s ({self.transport})")
            try:
                at, ev = self.events.get(timeout=left)
            except queue.Empty:
                continue
            if predicate(ev):
                return at, ev

    def drain(self, settle=0.3):
        """Every event received so far (waiting `settle` seconds for stragglers)."""
        out = []
        time.sleep(settle)
        while True:
            try:
                out.append(self.events.get_nowait()[1])
            except queue.Empty:
                return out

    def close(self):
        self.closing = True
        try:
            if self.transport == "websocket":
                self.ws.close(timeout=1)
            else:
                if self.conn.sock is not None:
                    self.conn.sock.shutdown(socket.SHUT_RDWR)    # unblocks the reader thread
                self.conn.close()
        except (websocket.WebSocketException, OSError):
            pass


def message_event(message_id):
    return lambda ev: ev.get("type") == "message.new" and ev["message"]["id"] == message_id
