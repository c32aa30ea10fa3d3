#!/usr/bin/python3
"""Real-time fan-out through the real stack: N help sessions (a seeker and a helper each, every
one with its own WebSocket on /api/rt/connect), both sides sending; end-to-end latency from just
before the POST to the moment the other participant's socket delivers `message.new`, and how many
messages never arrived.

    bench/fanout.py --url URL [--sessions 250] [--rounds 4] [--rate 250] [--senders 32]

Messages go out on a fixed schedule (open loop: --rate per second over all participants, so 250/s
is each of 500 people writing every two seconds), and latency is measured from the moment each
POST starts, so a slow answer cannot hide the ones queued behind it.

One receiving thread watches every socket with a selector, so the measurement is not the
scheduling of 500 Python threads. Accounts and sessions are made through the API first.
"""

import argparse
import concurrent.futures
import json
import selectors
import statistics
import sys
import threading
import time
import uuid

import requests
import websocket

CATEGORIES = ["Anxiety", "Depression", "Grief", "Relationships", "Stress", "Loneliness", "Other"]


def api(session, method, url, token, body=None, ok=(200, 201)):
    r = session.request(method, url, json=body, timeout=60,
                        headers={"Authorization": f"Bearer {token}", "X-Astral-Token-Delivery": "body"})
    if r.status_code not in ok:
        raise SystemExit(f"fanout: {method} {url} answered {r.status_code}: {r.text[:300]}")
    return r.json() if r.content else {}


def new_account(http, base, helper, i):
    if helper:
        body = {"username": f"fan{uuid.uuid4().hex[:12]}", "password": uuid.uuid4().hex + "Aa1!",
                "display_name": f"Fan Helper {i}"}
        r = http.post(base + "/api/auth/register", json=body, headers={"X-Astral-Token-Delivery": "body"},
                      timeout=60)
    else:
        r = http.post(base + "/api/auth/anonymous", json={}, headers={"X-Astral-Token-Delivery": "body"},
                      timeout=60)
    if r.status_code != 201:
        raise SystemExit(f"fanout: account creation answered {r.status_code}: {r.text[:300]}")
    j = r.json()
    return j["access_token"], j["user"]["id"]


def make_session(base, i):
    http = requests.Session()
    seeker, _ = new_account(http, base, False, i)
    helper, _ = new_account(http, base, True, i)
    api(http, "POST", base + "/api/helpers/me", helper,
        {"bio": "Bench helper.", "expertise": ["Loneliness"]}, ok=(201,))
    api(http, "PUT", base + "/api/helpers/me/availability", helper, {"online": True})
    post = api(http, "POST", base + "/api/posts", seeker,
               {"category": CATEGORIES[i % len(CATEGORIES)], "content": f"Bench post {i}"}, ok=(201,))
    sess = api(http, "POST", base + f"/api/posts/{post['id']}/accept", helper, ok=(201,))
    return {"id": sess["id"], "seeker": seeker, "helper": helper}


class Receiver(threading.Thread):
    """Reads every socket; records when each message (by client_key) reached each side."""

    def __init__(self):
        super().__init__(daemon=True)
        self.sel = selectors.DefaultSelector()
        self.arrivals = {}            # (client_key, receiver side) -> monotonic time
        self.lock = threading.Lock()
        self.stop = False

    def add(self, ws, side):
        ws.sock.setblocking(True)
        self.sel.register(ws.sock, selectors.EVENT_READ, (ws, side))

    def run(self):
        while not self.stop:
            for key, _ in self.sel.select(timeout=0.2):
                ws, side = key.data
                try:
                    frame = ws.recv()
                except (websocket.WebSocketException, OSError):
                    self.sel.unregister(key.fileobj)
                    continue
                now = time.monotonic()
                if not frame:
                    continue
                text = frame if isinstance(frame, str) else frame.decode()
                body = text.split("\n\n", 1)[1] if text.startswith("id:") and "\n\n" in text else text
                try:
                    event = json.loads(body)
                except ValueError:
                    continue
                if event.get("type") == "message.new":
                    with self.lock:
                        self.arrivals.setdefault((event["message"]["client_key"], side), now)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--sessions", type=int, default=250)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--senders", type=int, default=32)
    ap.add_argument("--rate", type=float, default=250.0,
                    help="messages per second over all participants, sent on a fixed schedule (open loop)")
    ap.add_argument("--setup-one", action="store_true",
                    help="make one session and print its id, the seeker's token and user id (bench/run)")
    ap.add_argument("--setup-many", type=int, metavar="N",
                    help="make N sessions and print one line per session: its id and the seeker's token "
                         "(bench/run's message benchmark)")
    args = ap.parse_args()
    base = args.url.rstrip("/")
    if args.setup_one:
        s = make_session(base, 0)
        me = requests.get(base + "/api/auth/session", timeout=30,
                          headers={"Authorization": f"Bearer {s['seeker']}"}).json()
        print(s["id"], s["seeker"], me["user"]["id"])
        return 0
    if args.setup_many:
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            for s in pool.map(lambda i: make_session(base, i), range(args.setup_many)):
                print(s["id"], s["seeker"])
        return 0
    ws_base = base.replace("http://", "ws://", 1)

    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        sessions = list(pool.map(lambda i: make_session(base, i), range(args.sessions)))
    setup = time.monotonic() - t0

    receiver = Receiver()
    sockets = []
    for s in sessions:
        for side in ("seeker", "helper"):
            ws = websocket.create_connection(ws_base + "/api/rt/connect", timeout=10,
                                             header=[f"Authorization: Bearer {s[side]}"])
            sockets.append(ws)
            receiver.add(ws, (s["id"], side))
    receiver.start()
    time.sleep(0.5)

    sent = {}                          # client_key -> (send time, receiving side)
    sent_lock = threading.Lock()
    local = threading.local()

    def send(job):
        s, side, due = job
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        http = getattr(local, "http", None)
        if http is None:
            http = local.http = requests.Session()
        key = uuid.uuid4().hex
        other = "helper" if side == "seeker" else "seeker"
        start = time.monotonic()
        with sent_lock:
            sent[key] = (start, (s["id"], other))
        api(http, "POST", base + f"/api/sessions/{s['id']}/messages", s[side],
            {"text": f"bench message from the {side}", "client_key": key}, ok=(201,))

    pairs = [(s, side) for _ in range(args.rounds) for s in sessions for side in ("seeker", "helper")]
    t1 = time.monotonic()
    jobs = [(s, side, t1 + i / args.rate) for i, (s, side) in enumerate(pairs)]
    with concurrent.futures.ThreadPoolExecutor(args.senders) as pool:
        list(pool.map(send, jobs))
    send_time = time.monotonic() - t1
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with receiver.lock:
            if sum(1 for k, (_, other) in sent.items() if (k, other) in receiver.arrivals) == len(sent):
                break
        time.sleep(0.1)
    receiver.stop = True

    latencies, lost = [], 0
    with receiver.lock:
        for key, (start, other) in sent.items():
            at = receiver.arrivals.get((key, other))
            if at is None:
                lost += 1
            else:
                latencies.append((at - start) * 1000)
    for ws in sockets:
        try:
            ws.close()
        except (websocket.WebSocketException, OSError):
            pass
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else float("nan")
    print(f"fan-out: {args.sessions} sessions, {len(sockets)} WebSocket subscribers, {len(sent)} messages "
          f"scheduled at {args.rate:.0f}/s, achieved {len(sent) / send_time:.0f}/s ({args.senders} sender threads); "
          f"setup {setup:.1f} s")
    print(f"  POST → other side's socket: p50 {p(0.50):.1f} ms, p99 {p(0.99):.1f} ms, "
          f"max {latencies[-1] if latencies else float('nan'):.1f} ms, mean {statistics.fmean(latencies) if latencies else float('nan'):.1f} ms; "
          f"lost {lost}")
    return 0 if lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
