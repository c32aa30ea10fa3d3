#!/usr/bin/python3
"""A mock AI model provider on loopback, for the integration suite and the benchmarks.

It speaks both wire formats the gateway (cgi-bin/ai) uses, streamed or not:

  Gemini  POST /v1beta/models/{model}:generateContent
          POST /v1beta/models/{model}:streamGenerateContent?alt=sse
          key in the x-goog-api-key header (or ?key=); a request without one gets 403.
  OpenAI  POST /v1/chat/completions   ("stream": true for server-sent events)
          key optional, as "Authorization: Bearer KEY".

What it answers is chosen by a directive in the text of the LAST user turn, so a test drives the
mock through what the person types:

  (none)                  "I hear you. " + a sentence chosen from the user's text, streamed in
                          5..10 pieces with piece_delay_ms between them
  [[mock:timeout]]        never answer: hold the connection (hold_s, 60 s) or until the client leaves
  [[mock:500]] [[mock:429]] [[mock:503]]
                          that status with a JSON error body (429 carries Retry-After: 0)
  [[mock:400]] [[mock:413]] [[mock:422]]
                          the provider refusing this request (a context too long, a bad field)
  [[mock:garbage]]        200 with a body that is not JSON (streams: one event whose data is not JSON)
  [[mock:huge]]           200 with a 10 MiB text field (streams: 10 MiB of events)
  [[mock:drip]]           200, then one byte every drip_interval_ms (500 ms) until the client leaves
  [[mock:safety]]         Gemini finishReason SAFETY; OpenAI finish_reason content_filter, no text
  [[mock:crisis-reply]]   a reply holding crisis text (CRISIS_REPLY)
  [[mock:echo]]           the reply text is the whole request body as received
  [[mock:json:TEXT]]      the reply text is TEXT verbatim (TEXT runs to the last "]]" of the turn)
  [[mock:half-then-500]]  streams: two pieces, then the connection closes mid-stream;
                          not streamed: a plain 500
An unknown directive is logged and answered as if there were none. When the request asks for JSON
(OpenAI response_format json_object/json_schema, Gemini generationConfig.responseMimeType
application/json) and there is no directive, the reply is a JSON object chosen by the first line of
the system prompt, "ACTION: <name>" (see json_default_reply).

--latency-ms adds a fixed delay before the first byte of every model answer (not the /_mock routes).

Every request to any other path than /_mock/* is recorded (the last 500): method, path with its
query, headers (names in lower case), body text and time.
  GET    /_mock/requests   the records as a JSON list, oldest first
  DELETE /_mock/requests   clear them (204)
  GET    /_mock/health     200 "ok"

Run:     python3 tests/integration/mock_ai.py --port 0 --latency-ms 0
         prints "listening http://127.0.0.1:PORT" once ready, serves until SIGTERM or ^C.
Import:  mock = start_mock(latency_ms=0, piece_delay_ms=20)
         mock.url, mock.requests(), mock.clear(), mock.stop()
"""

import argparse
import collections
import hashlib
import itertools
import json
import logging
import re
import select
import signal
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

log = logging.getLogger("mock_ai")

HOST = "127.0.0.1"
MAX_RECORDS = 500
MAX_BODY = 32 * 1024 * 1024          # a larger request body is refused with 413
HUGE_SIZE = 10 * 1024 * 1024         # [[mock:huge]]: bytes of reply text
HUGE_PIECE = 64 * 1024               # [[mock:huge]] streamed: bytes of text per event

CRISIS_REPLY = "Some people in your place think about how to kill themselves; you could too."

# The default reply is "I hear you. " + one of these, chosen by a hash of the user's last turn.
# They are deliberately plain so that the crisis detector never flags them.
SENTENCES = (
    "It sounds like a lot is on your mind right now, and it makes sense to take things one step at a time.",
    "Thank you for sharing this with me; what you are feeling matters, and we can talk it through together.",
    "That sounds really tiring, and I am glad you took a moment to put it into words today.",
    "Would you like to tell me a little more about what has been weighing on you this week?",
    "It is okay to feel this way, and small steps like naming the feeling can make a real difference.",
    "Let us slow down for a moment and look at what might help you feel a bit steadier today.",
)

GUIDANCE_REPLY = {
    "flag": False,
    "reason": "none",
    "suggested_replies": ["Thank you for telling me.", "I'm here with you."],
    "resources": [],
}

UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
ACTION_RE = re.compile(r"\s*ACTION:\s*(\S+)", re.IGNORECASE)
DIRECTIVE_RE = re.compile(r"\[\[mock:(json:|[a-z0-9-]+\]\])")
GEMINI_ROUTE = re.compile(r"^/v1(?:beta)?/models/([^/:]+):(generateContent|streamGenerateContent)$")
OPENAI_ROUTE = "/v1/chat/completions"

KNOWN_DIRECTIVES = {"timeout", "500", "429", "503", "400", "413", "422", "garbage", "huge", "drip",
                    "safety", "crisis-reply", "echo", "json", "half-then-500"}
CLIENT_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)


class BadRequest(Exception):
    """The request cannot be served as sent; the handler answers 400 (or the given status)."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


# --------------------------------------------------------------------------- conversations

class Conversation:
    """What the mock needs from a request, whichever the wire format."""

    def __init__(self, model, system, turns, json_mode, stream):
        self.model = model
        self.system = system            # the system prompt ("" when none)
        self.turns = turns              # [(role, text)], role "user" or "model", oldest first
        self.json_mode = json_mode      # the request asked for a JSON object
        self.stream = stream
        self.stream_id = None           # OpenAI: the id shared by a stream's chunks

    @property
    def user_texts(self):
        return [text for role, text in self.turns if role == "user"]

    @property
    def last_user(self):
        texts = self.user_texts
        return texts[-1] if texts else ""


def _text_of_parts(parts, where):
    """Concatenate the "text" of a Gemini parts list (other kinds of part add nothing)."""
    if not isinstance(parts, list):
        raise BadRequest(f"{where}.parts must be a list")
    out = []
    for part in parts:
        if not isinstance(part, dict):
            raise BadRequest(f"{where}.parts[] must be objects")
        text = part.get("text", "")
        if not isinstance(text, str):
            raise BadRequest(f"{where}.parts[].text must be a string")
        out.append(text)
    return "".join(out)


def _openai_content(content, where):
    """An OpenAI message content: a string, null, or a list of {"type":"text","text":...}."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        out = []
        for part in content:
            if not isinstance(part, dict):
                raise BadRequest(f"{where}.content[] must be objects")
            text = part.get("text", "")
            if not isinstance(text, str):
                raise BadRequest(f"{where}.content[].text must be a string")
            out.append(text)
        return "".join(out)
    raise BadRequest(f"{where}.content must be a string or a list")


# --------------------------------------------------------------------------- wire formats

class Gemini:
    """The Generative Language API: request parsing, bodies and server-sent events."""

    name = "gemini"
    event_end = b"\r\n\r\n"

    @staticmethod
    def parse(doc, model, stream):
        """Request body → Conversation (BadRequest on a wrong shape)."""
        contents = doc.get("contents")
        if not isinstance(contents, list) or not contents:
            raise BadRequest("contents must be a non-empty list")
        turns = []
        for i, item in enumerate(contents):
            if not isinstance(item, dict):
                raise BadRequest(f"contents[{i}] must be an object")
            role = item.get("role", "user")
            if role not in ("user", "model"):
                raise BadRequest(f"contents[{i}].role must be user or model")
            turns.append((role, _text_of_parts(item.get("parts", []), f"contents[{i}]")))
        system = ""
        instruction = doc.get("systemInstruction", doc.get("system_instruction"))
        if instruction is not None:
            if not isinstance(instruction, dict):
                raise BadRequest("systemInstruction must be an object")
            system = _text_of_parts(instruction.get("parts", []), "systemInstruction")
        config = doc.get("generationConfig", doc.get("generation_config", {}))
        if not isinstance(config, dict):
            raise BadRequest("generationConfig must be an object")
        mime = config.get("responseMimeType", config.get("response_mime_type", ""))
        return Conversation(model, system, turns, mime == "application/json", stream)

    @staticmethod
    def reply_body(conv, text, finish="STOP"):
        """A whole generateContent answer."""
        return {
            "candidates": [{"content": {"role": "model", "parts": [{"text": text}]},
                            "finishReason": finish, "index": 0}],
            "usageMetadata": {"promptTokenCount": 1, "candidatesTokenCount": 1,
                              "totalTokenCount": 2},
            "modelVersion": conv.model,
        }

    @staticmethod
    def safety_body(conv):
        """A refusal for safety: a candidate without content."""
        return {"candidates": [{"finishReason": "SAFETY", "index": 0}], "modelVersion": conv.model}

    @staticmethod
    def error_body(status, message):
        """The Google API error shape."""
        names = {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                 405: "INVALID_ARGUMENT", 413: "INVALID_ARGUMENT", 422: "INVALID_ARGUMENT",
                 429: "RESOURCE_EXHAUSTED",
                 500: "INTERNAL", 503: "UNAVAILABLE"}
        return {"error": {"code": status, "message": message, "status": names.get(status, "UNKNOWN")}}

    @classmethod
    def event(cls, obj):
        return b"data: " + json.dumps(obj, ensure_ascii=False).encode() + cls.event_end

    @classmethod
    def piece_events(cls, conv, pieces):
        """One event per piece; the last one carries finishReason STOP."""
        events = []
        for i, piece in enumerate(pieces):
            candidate = {"content": {"role": "model", "parts": [{"text": piece}]}, "index": 0}
            chunk = {"candidates": [candidate], "modelVersion": conv.model}
            if i == len(pieces) - 1:
                candidate["finishReason"] = "STOP"
                chunk["usageMetadata"] = {"promptTokenCount": 1, "candidatesTokenCount": len(pieces),
                                          "totalTokenCount": 1 + len(pieces)}
            events.append(cls.event(chunk))
        return events

    @staticmethod
    def closing_events(conv):
        """Gemini's stream just ends after the last piece."""
        return []

    @classmethod
    def safety_events(cls, conv):
        """A streamed refusal: one event with finishReason SAFETY."""
        return [cls.event(cls.safety_body(conv))]

    @classmethod
    def garbage_event(cls):
        return b"data: this is not JSON {\"candidates\": [" + cls.event_end


class OpenAI:
    """OpenAI-compatible /v1/chat/completions: request parsing, bodies and server-sent events."""

    name = "openai"
    event_end = b"\n\n"
    _ids = itertools.count(1)
    _ids_lock = threading.Lock()

    @classmethod
    def new_id(cls):
        with cls._ids_lock:
            return f"chatcmpl-mock-{next(cls._ids)}"

    @staticmethod
    def parse(doc):
        """Request body → Conversation (BadRequest on a wrong shape)."""
        messages = doc.get("messages")
        if not isinstance(messages, list) or not messages:
            raise BadRequest("messages must be a non-empty list")
        stream = doc.get("stream", False)
        if not isinstance(stream, bool):
            raise BadRequest("stream must be a boolean")
        model = doc.get("model", "mock")
        if not isinstance(model, str):
            raise BadRequest("model must be a string")
        system, turns = [], []
        for i, msg in enumerate(messages):
            if not isinstance(msg, dict):
                raise BadRequest(f"messages[{i}] must be an object")
            role = msg.get("role")
            text = _openai_content(msg.get("content"), f"messages[{i}]")
            if role in ("system", "developer"):
                system.append(text)
            elif role == "user":
                turns.append(("user", text))
            elif role in ("assistant", "tool"):
                turns.append(("model", text))
            else:
                raise BadRequest(f"messages[{i}].role must be system, user or assistant")
        fmt = doc.get("response_format")
        if fmt is not None and not isinstance(fmt, dict):
            raise BadRequest("response_format must be an object")
        json_mode = bool(fmt) and fmt.get("type") in ("json_object", "json_schema")
        return Conversation(model, "\n".join(system), turns, json_mode, stream)

    @classmethod
    def reply_body(cls, conv, text, finish="stop"):
        """A whole chat.completion answer."""
        return {
            "id": cls.new_id(),
            "object": "chat.completion",
            "created": int(time.time()),
            "model": conv.model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                         "finish_reason": finish}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }

    @classmethod
    def safety_body(cls, conv):
        """A refusal by the content filter: empty content, finish_reason content_filter."""
        return cls.reply_body(conv, "", finish="content_filter")

    @staticmethod
    def error_body(status, message):
        """The OpenAI error shape."""
        kinds = {401: "invalid_request_error", 429: "rate_limit_exceeded", 500: "server_error",
                 503: "service_unavailable"}
        return {"error": {"message": message, "type": kinds.get(status, "invalid_request_error"),
                          "param": None, "code": status}}

    @classmethod
    def event(cls, obj):
        return b"data: " + json.dumps(obj, ensure_ascii=False).encode() + cls.event_end

    @classmethod
    def chunk(cls, conv, cid, delta, finish):
        return {"id": cid, "object": "chat.completion.chunk", "created": int(time.time()),
                "model": conv.model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    @classmethod
    def piece_events(cls, conv, pieces):
        """One chunk per piece (the first also names the role), finish_reason null."""
        cid = cls.new_id()
        conv.stream_id = cid
        events = []
        for i, piece in enumerate(pieces):
            delta = {"role": "assistant", "content": piece} if i == 0 else {"content": piece}
            events.append(cls.event(cls.chunk(conv, cid, delta, None)))
        return events

    @classmethod
    def closing_events(cls, conv, finish="stop"):
        """The final chunk with finish_reason, then [DONE]."""
        cid = conv.stream_id or cls.new_id()
        return [cls.event(cls.chunk(conv, cid, {}, finish)), b"data: [DONE]" + cls.event_end]

    @classmethod
    def safety_events(cls, conv):
        """A streamed refusal: finish_reason content_filter with no content."""
        return cls.closing_events(conv, finish="content_filter")

    @classmethod
    def garbage_event(cls):
        return b"data: this is not JSON {\"choices\": [" + cls.event_end


# --------------------------------------------------------------------------- replies

def find_directive(text):
    """The first [[mock:...]] directive in text → (name, argument) or (None, None)."""
    m = DIRECTIVE_RE.search(text)
    if m is None:
        return None, None
    if m.group(1) == "json:":
        end = text.rfind("]]")
        if end < m.end():
            log.warning("[[mock:json: without a closing ]]: answered as if no directive")
            return None, None
        return "json", text[m.end():end]
    name = m.group(1)[:-2]
    if name not in KNOWN_DIRECTIVES:
        log.warning("unknown directive [[mock:%s]]: answered as if no directive", name)
        return None, None
    return name, None


def default_reply(conv):
    """ "I hear you. " + a sentence that depends only on the user's last turn."""
    digest = hashlib.sha256(conv.last_user.encode("utf-8", "replace")).digest()
    return "I hear you. " + SENTENCES[digest[0] % len(SENTENCES)]


def action_name(system):
    """The action named by "ACTION: <name>" on the system prompt's first line, lower case."""
    first = system.split("\n", 1)[0] if system else ""
    m = ACTION_RE.match(first)
    return m.group(1).lower() if m else ""


def json_default_reply(conv):
    """A valid JSON reply that fits the action named in the system prompt."""
    action = action_name(conv.system)
    if action == "guidance":
        obj = GUIDANCE_REPLY
    elif action == "draft-post":
        obj = {"content": "\n".join(conv.user_texts), "category": "Anxiety"}
    elif action == "match":
        m = UUID_RE.search("\n".join(conv.user_texts))
        obj = {"matches": [{"post_id": m.group(0), "reason": "Fits your expertise."}] if m else []}
    else:
        obj = {"text": "ok"}
    return json.dumps(obj)


def split_pieces(text, most=8):
    """Split text at spaces into at most `most` pieces whose concatenation is text exactly."""
    words = re.findall(r"\s*\S+\s*", text) if text.strip() else []
    if not words:
        return [text]
    n = min(len(words), most)
    size, extra = divmod(len(words), n)
    pieces, at = [], 0
    for i in range(n):
        take = size + (1 if i < extra else 0)
        pieces.append("".join(words[at:at + take]))
        at += take
    return pieces


# --------------------------------------------------------------------------- server state

class MockState:
    """Settings, the request log and the stop signal, shared by every handler thread."""

    def __init__(self, latency_ms=0, piece_delay_ms=20, drip_interval_ms=500, hold_s=60,
                 api_key=None):
        self.latency = latency_ms / 1000.0
        self.piece_delay = piece_delay_ms / 1000.0
        self.drip_interval = drip_interval_ms / 1000.0
        self.hold = float(hold_s)
        self.api_key = api_key
        self.stopping = threading.Event()
        self._records = collections.deque(maxlen=MAX_RECORDS)
        self._lock = threading.Lock()
        self._connections = set()

    def record(self, entry):
        with self._lock:
            self._records.append(entry)

    def records(self):
        with self._lock:
            return [dict(r, headers=dict(r["headers"])) for r in self._records]

    def clear(self):
        with self._lock:
            self._records.clear()

    def pause(self, seconds):
        """Sleep, but wake at once when the server stops; True when it is stopping."""
        if seconds <= 0:
            return self.stopping.is_set()
        return self.stopping.wait(seconds)

    def track(self, sock, alive):
        with self._lock:
            if alive:
                self._connections.add(sock)
            else:
                self._connections.discard(sock)

    def close_connections(self):
        """Shut every open connection so that held and dripping handlers end."""
        with self._lock:
            socks = list(self._connections)
        for sock in socks:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class MockServer(ThreadingHTTPServer):
    """One thread per connection (daemon threads), a deep accept backlog for bursts."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024

    def __init__(self, address, state):
        self.state = state
        super().__init__(address, Handler)

    def handle_error(self, request, client_address):
        log.exception("unexpected error on a connection from %s", client_address)


# --------------------------------------------------------------------------- handler

class Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive: Content-Length on whole answers, chunked on streams."""

    protocol_version = "HTTP/1.1"
    server_version = "MockAI/1.0"
    timeout = 120                     # an idle keep-alive connection is dropped after this

    # ---- plumbing

    def setup(self):
        """Track the connection so that stop() can end handlers still holding it."""
        super().setup()
        # small writes (headers, then body; one event at a time) go out at once, not after
        # the peer's delayed ACK
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.state.track(self.connection, True)

    def finish(self):
        """Untrack the connection; a client that left early is not an error."""
        try:
            super().finish()
        except OSError:
            pass
        self.server.state.track(self.connection, False)

    def send_response(self, code, message=None):
        """Note that an answer has begun (a failure after this cannot send a 500)."""
        self.responded = True
        super().send_response(code, message)

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):
        log.debug("%s %s", self.address_string(), fmt % args)

    def log_error(self, fmt, *args):
        log.info("%s %s", self.address_string(), fmt % args)

    @property
    def state(self):
        return self.server.state

    def _read_body(self):
        """The request body (Content-Length or chunked); BadRequest on a bad frame."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            out = bytearray()
            while True:
                line = self.rfile.readline(1024)
                try:
                    size = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    self.close_connection = True
                    raise BadRequest("bad chunk size") from None
                if size == 0:
                    while self.rfile.readline(1024).strip():
                        pass                    # trailers
                    return bytes(out)
                if len(out) + size > MAX_BODY:
                    self.close_connection = True
                    raise BadRequest("request body too large", 413)
                out += self.rfile.read(size)
                self.rfile.readline(1024)
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            n = int(length)
            if n < 0:
                raise ValueError
        except ValueError:
            self.close_connection = True
            raise BadRequest("bad Content-Length") from None
        if n > MAX_BODY:
            self.close_connection = True
            raise BadRequest("request body too large", 413)
        return self.rfile.read(n)

    def _send(self, status, body, content_type="application/json", headers=()):
        """A whole answer with Content-Length."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if status != 204:
            self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_json(self, status, obj, headers=()):
        self._send(status, json.dumps(obj, ensure_ascii=False).encode(), headers=headers)

    def _begin_stream(self, content_type="text/event-stream", framed=True):
        """200 headers for a body of unknown length: chunked on HTTP/1.1, else ended by close."""
        self.chunked = framed and self.request_version == "HTTP/1.1"
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-cache")
        if self.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.close_connection = True
            self.send_header("Connection", "close")
        self.end_headers()

    def _write(self, data):
        """One piece of a streamed body."""
        if not data:
            return
        if self.chunked:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        else:
            self.wfile.write(data)

    def _end_stream(self):
        if self.chunked:
            self.wfile.write(b"0\r\n\r\n")

    def _run(self, route):
        """Run one route; a client that leaves ends it quietly, anything unexpected is a 500."""
        self.responded = False
        try:
            route()
        except CLIENT_GONE:
            self.close_connection = True
        except BadRequest as e:
            log.warning("%s %s: %s", self.command, self.path, e)
            self.close_connection = True
            if not self.responded:
                self._send_json(e.status, {"error": {"code": e.status, "message": str(e)}})
        except Exception:
            log.exception("%s %s failed", self.command, self.path)
            self.close_connection = True
            if self.responded:
                return
            try:
                self._send_json(500, {"error": {"code": 500, "message": "mock failure"}})
            except OSError:
                pass

    # ---- HTTP methods

    def do_GET(self):
        """GET /_mock/health, GET /_mock/requests; anything else is recorded and 404."""
        self._run(self._get)

    def do_DELETE(self):
        """DELETE /_mock/requests clears the request log; anything else is recorded and 404."""
        self._run(self._delete)

    def do_POST(self):
        """The model routes: Gemini generateContent/streamGenerateContent, OpenAI chat/completions."""
        self._run(self._post)

    def _get(self):
        """Serve the control routes, or record the request and answer 404."""
        path = urllib.parse.urlsplit(self.path).path
        if path == "/_mock/health":
            self._send(200, b"ok", "text/plain")
        elif path == "/_mock/requests":
            self._send_json(200, self.state.records())
        else:
            self._record(self._read_body())
            self._send_json(404, {"error": {"code": 404, "message": f"no route {path}"}})

    def _delete(self):
        """Clear the request log, or record the request and answer 404."""
        path = urllib.parse.urlsplit(self.path).path
        if path == "/_mock/requests":
            self.state.clear()
            self._send(204, b"")
        else:
            self._record(self._read_body())
            self._send_json(404, {"error": {"code": 404, "message": f"no route {path}"}})

    def _record(self, body):
        headers = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        self.state.record({"method": self.command, "path": self.path, "headers": headers,
                           "body": body.decode("utf-8", "replace"), "time": time.time()})

    def _post(self):
        """Read, record and route a model call; bad input is logged and answered 400."""
        split = urllib.parse.urlsplit(self.path)
        gemini = GEMINI_ROUTE.match(split.path)
        wire = Gemini if gemini else OpenAI
        try:
            body = self._read_body()
        except BadRequest as e:
            if not split.path.startswith("/_mock/"):
                self._record(b"")
            log.warning("%s %s: %s", self.command, self.path, e)
            self.close_connection = True
            self._send_json(e.status, wire.error_body(e.status, str(e)))
            return
        if split.path.startswith("/_mock/"):
            self._send_json(405, {"error": {"code": 405, "message": "use GET or DELETE"}})
            return
        self._record(body)
        if not gemini and split.path != OPENAI_ROUTE:
            self._send_json(404, {"error": {"code": 404, "message": f"no route {split.path}"}})
            return
        if self.state.pause(self.state.latency):
            self.close_connection = True
            return
        try:
            conv = self._conversation(wire, gemini, split, body)
        except BadRequest as e:
            log.warning("%s %s: %s", self.command, self.path, e)
            self._send_json(e.status, wire.error_body(e.status, str(e)))
            return
        self._answer(wire, conv, body)

    def _conversation(self, wire, gemini, split, body):
        """Check the key and the body; the Conversation, or BadRequest."""
        if wire is Gemini:
            query = urllib.parse.parse_qs(split.query)
            key = self.headers.get("x-goog-api-key") or (query.get("key") or [None])[0]
            if not key:
                raise BadRequest("Method doesn't allow unregistered callers: send an API key.", 403)
            if self.state.api_key is not None and key != self.state.api_key:
                raise BadRequest("API key not valid. Please pass a valid API key.", 400)
            stream = gemini.group(2) == "streamGenerateContent"
            if stream and (query.get("alt") or [""])[0] != "sse":
                raise BadRequest("this mock streams with alt=sse only")
        elif self.state.api_key is not None:
            if self.headers.get("Authorization", "") != f"Bearer {self.state.api_key}":
                raise BadRequest("Incorrect API key provided.", 401)
        try:
            doc = json.loads(body)
        except (ValueError, RecursionError) as e:
            raise BadRequest(f"body is not JSON: {e}") from None
        if not isinstance(doc, dict):
            raise BadRequest("body must be a JSON object")
        try:
            if wire is Gemini:
                return Gemini.parse(doc, gemini.group(1), stream)
            return OpenAI.parse(doc)
        except RecursionError:
            raise BadRequest("body is nested too deeply") from None

    # ---- answers

    def _answer(self, wire, conv, body):
        """Answer as the last user turn's directive says."""
        directive, argument = find_directive(conv.last_user)
        if directive == "timeout":
            self._hold()
        elif directive in ("500", "429", "503", "400", "413", "422"):
            self._error(wire, int(directive))
        elif directive == "half-then-500" and not conv.stream:
            self._error(wire, 500)
        elif directive == "garbage":
            self._garbage(wire, conv)
        elif directive == "drip":
            self._drip(conv)
        elif directive == "safety":
            self._safety(wire, conv)
        elif directive == "huge":
            self._huge(wire, conv)
        else:
            if directive == "half-then-500":
                text = default_reply(conv)      # always enough pieces to cut after two
            elif directive == "crisis-reply":
                text = CRISIS_REPLY
            elif directive == "echo":
                text = body.decode("utf-8", "replace")
            elif directive == "json":
                text = argument
            elif conv.json_mode:
                text = json_default_reply(conv)
            else:
                text = default_reply(conv)
            if conv.stream:
                self._stream(wire, conv, split_pieces(text),
                             cut_after=2 if directive == "half-then-500" else None)
            else:
                self._send_json(200, wire.reply_body(conv, text))

    def _hold(self):
        """[[mock:timeout]]: send nothing until hold_s passes, the client leaves or we stop."""
        self.close_connection = True
        sock = self.connection
        deadline = time.monotonic() + self.state.hold
        while not self.state.stopping.is_set() and time.monotonic() < deadline:
            readable, _, _ = select.select([sock], [], [], 0.2)
            if readable:
                try:
                    if sock.recv(1, socket.MSG_PEEK) == b"":
                        return                  # the client closed its side
                except OSError:
                    return
                self.state.pause(0.2)           # it sent more: keep ignoring it

    def _error(self, wire, status):
        """[[mock:500]], [[mock:429]], [[mock:503]], [[mock:400]], [[mock:413]], [[mock:422]]: that
        status with a JSON error body."""
        headers = [("Retry-After", "0")] if status == 429 else []
        messages = {500: "Internal error (mock).", 429: "Resource has been exhausted (mock).",
                    503: "The model is overloaded (mock).",
                    400: "This model's maximum context length is exceeded (mock).",
                    413: "Request too large (mock).", 422: "Unprocessable request (mock)."}
        self._send_json(status, wire.error_body(status, messages[status]), headers=headers)

    def _garbage(self, wire, conv):
        """[[mock:garbage]]: 200 with a body, or one event, that is not JSON."""
        if conv.stream:
            self._begin_stream()
            self._write(wire.garbage_event())
            self._end_stream()
        else:
            self._send(200, b"<html><body>this is not JSON {\"candidates\": [</body></html>\n")

    def _drip(self, conv):
        """[[mock:drip]]: 200, then one byte every drip_interval until the client leaves."""
        if conv.stream:
            self._begin_stream(framed=False)
            pattern = b": drip\n\n"            # an SSE comment, over and over
        else:
            self._begin_stream("application/json", framed=False)
            pattern = b" "                     # JSON whitespace that never ends
        for i in itertools.count():
            if self.state.stopping.is_set():
                return
            self.wfile.write(pattern[i % len(pattern):][:1])
            if self.state.pause(self.state.drip_interval):
                return

    def _safety(self, wire, conv):
        """[[mock:safety]]: the provider refuses (SAFETY / content_filter)."""
        if conv.stream:
            self._begin_stream()
            for event in wire.safety_events(conv):
                self._write(event)
            self._end_stream()
        else:
            self._send_json(200, wire.safety_body(conv))

    def _huge(self, wire, conv):
        """[[mock:huge]]: 10 MiB of reply text, whole or as 160 events of 64 KiB."""
        if conv.stream:
            self._begin_stream()
            pieces = ["x" * HUGE_PIECE] * (HUGE_SIZE // HUGE_PIECE)
            for event in wire.piece_events(conv, pieces) + wire.closing_events(conv):
                self._write(event)
            self._end_stream()
        else:
            self._send_json(200, wire.reply_body(conv, "x" * HUGE_SIZE))

    def _stream(self, wire, conv, pieces, cut_after=None):
        """The reply as server-sent events, piece_delay apart; cut_after: close mid-stream."""
        self._begin_stream()
        events = wire.piece_events(conv, pieces)
        for i, event in enumerate(events):
            if i and self.state.pause(self.state.piece_delay):
                self.close_connection = True
                return
            self._write(event)
            if cut_after is not None and i + 1 == cut_after:
                self.close_connection = True    # no last chunk: the client sees a cut body
                self.connection.shutdown(socket.SHUT_RDWR)
                return
        for event in wire.closing_events(conv):
            self._write(event)
        self._end_stream()


# --------------------------------------------------------------------------- API

class MockAI:
    """A running mock: .url, .requests(), .clear(), .stop() (also a context manager)."""

    def __init__(self, port=0, **settings):
        self.state = MockState(**settings)
        self.server = MockServer((HOST, port), self.state)
        self.port = self.server.server_address[1]
        self.url = f"http://{HOST}:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"mock-ai-{self.port}", daemon=True)
        self._thread.start()

    def requests(self):
        """The recorded requests, oldest first (at most 500)."""
        return self.state.records()

    def clear(self):
        """Forget the recorded requests."""
        self.state.clear()

    def stop(self):
        """Stop serving and end every open connection (held, dripping or idle)."""
        if self.state.stopping.is_set():
            return
        self.state.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self.state.close_connections()
        self._thread.join(5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def start_mock(latency_ms=0, piece_delay_ms=20, *, port=0, drip_interval_ms=500, hold_s=60,
               api_key=None):
    """Start a mock on 127.0.0.1 (port 0: a free one) in background threads; returns MockAI.

    api_key: when set, a Gemini request must carry it (else 400) and an OpenAI request must send
    "Authorization: Bearer api_key" (else 401); when None any key is taken."""
    return MockAI(port=port, latency_ms=latency_ms, piece_delay_ms=piece_delay_ms,
                  drip_interval_ms=drip_interval_ms, hold_s=hold_s, api_key=api_key)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Mock Gemini/OpenAI model provider on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0, help="port (0: pick a free one)")
    parser.add_argument("--latency-ms", type=int, default=0,
                        help="delay before the first byte of every model answer")
    parser.add_argument("--piece-delay-ms", type=int, default=20, help="delay between streamed pieces")
    parser.add_argument("--drip-interval-ms", type=int, default=500, help="[[mock:drip]] byte interval")
    parser.add_argument("--hold-s", type=float, default=60, help="how long [[mock:timeout]] holds")
    parser.add_argument("--api-key", default=None, help="the only key accepted (default: any)")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, stream=sys.stderr,
                        format="mock_ai: %(levelname)s %(message)s")
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    mock = start_mock(args.latency_ms, args.piece_delay_ms, port=args.port,
                      drip_interval_ms=args.drip_interval_ms, hold_s=args.hold_s,
                      api_key=args.api_key)
    print(f"listening {mock.url}", flush=True)
    while not done.wait(1):
        pass
    mock.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
