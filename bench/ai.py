#!/usr/bin/python3
"""The AI gateway under load (bench/run calls it; never a timed test).

    bench/ai.py --url URL --conf STACK/etc/astral.conf --latency-ms 200 --chats 100 --warmup 10 --duration 15

Makes `chats` adult seekers, then runs wrk with one connection (and thread) per person, each sending companion
messages (POST /api/ai/chat, JSON answer) back to back, while the mock provider answers every call
after a fixed `latency-ms`: first for `warmup` seconds, then, measured, for `duration` seconds.
The warm-up is the service's first moments under this load: every worker's PostgreSQL backend
plans each statement, compiles the audit trigger and fills its catalog caches on first use, and
each worker opens its connection to the provider; it is reported on a line of its own. Then the
steady state: throughput; the latency clients saw (wrk); the latency the
gateway added, per request: nginx's request time (access log) minus the provider call's own time
as astral-ai measured it (its log, same request id) — so the mock's own jitter (a Python server
on the same two cores) is not counted as the gateway's; and how many astral-ai workers were busy: sampled every 20 ms from each
worker's kernel wait channel (an idle worker waits in accept() on the FastCGI socket, which the
kernel shows as __skb_wait_for_more_packets; anything else — running, polling the provider or
PostgreSQL, reading a request — is busy), as the peak, the mean and the share of samples with
every worker busy.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

HEADERS = {"X-Astral-Token-Delivery": "body"}
SRC = Path(__file__).resolve().parents[1]


def adult_seeker(base):
    r = requests.post(base + "/api/auth/anonymous", json={}, headers=HEADERS, timeout=60)
    r.raise_for_status()
    token = r.json()["access_token"]
    h = dict(HEADERS, Authorization="Bearer " + token)
    requests.post(base + "/api/ai/age-confirmation", json={"adult": True}, headers=h, timeout=60).raise_for_status()
    return token


def ai_workers(conf):
    """Pids of this stack's astral-ai worker processes (their command line names its config)."""
    out = subprocess.run(["pgrep", "-x", "astral-ai"], capture_output=True, text=True).stdout
    pids = []
    for p in out.split():
        try:
            if conf in Path(f"/proc/{p}/cmdline").read_bytes().decode(errors="replace"):
                pids.append(int(p))
        except OSError:
            pass
    return pids


IDLE_WCHAN = b"__skb_wait_for_more_packets"


class Occupancy(threading.Thread):
    """Samples how many workers are busy, every 20 ms. Each worker's wchan is opened once and read
    again in place: opening 128 files 50 times a second took a sixth of a core from the two the
    gateway is measured on."""

    def __init__(self, pids):
        super().__init__(daemon=True)
        self.samples, self.stop = [], threading.Event()
        self.fds = []
        for pid in pids:
            try:
                self.fds.append(os.open(f"/proc/{pid}/wchan", os.O_RDONLY))
            except OSError:
                pass

    def busy(self, fd):
        try:
            return os.pread(fd, 64, 0).strip() != IDLE_WCHAN
        except OSError:
            return False

    def run(self):
        while not self.stop.is_set():
            self.samples.append(sum(1 for fd in self.fds if self.busy(fd)))
            time.sleep(0.02)
        for fd in self.fds:
            os.close(fd)


def percentile(values, pct):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * pct / 100))] if values else None


def added_latency(access_log, ai_log, access_from, ai_from):
    """(added ms, provider ms) per chat answered 200 since the given offsets."""
    provider = {}
    with open(ai_log, encoding="utf-8", errors="replace") as f:
        f.seek(ai_from)
        for line in f:
            m = re.search(r"req=(\w+) .* ai call provider=\w+ .* ms=(\d+)", line)
            if m:
                provider[m.group(1)] = float(m.group(2))
    added, own = [], []
    with open(access_log, encoding="utf-8", errors="replace") as f:
        f.seek(access_from)
        for line in f:
            m = re.search(r'"POST /api/ai/chat" 200 \d+ ([\d.]+) rid=(\w+)', line)
            if m and m.group(2) in provider:
                added.append(float(m.group(1)) * 1000 - provider[m.group(2)])
                own.append(provider[m.group(2)])
    return added, own


def wrk_latency_ms(text, pct):
    m = re.search(rf"^\s*{pct}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    if not m:
        return None
    v, unit = float(m.group(1)), m.group(2)
    return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--conf", required=True, help="the stack's astral.conf (finds its workers)")
    ap.add_argument("--latency-ms", type=float, default=200)
    ap.add_argument("--chats", type=int, default=100)
    ap.add_argument("--warmup", type=int, default=10, help="seconds of the same load before the measured run")
    ap.add_argument("--duration", type=int, default=15)
    args = ap.parse_args()
    base = args.url.rstrip("/")
    tokens = [adult_seeker(base) for _ in range(args.chats)]
    pids = ai_workers(args.conf)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(tokens) + "\n")
        token_file = f.name
    logs = Path(args.conf).resolve().parents[1] / "log"
    access_log, ai_log = logs / "nginx-access.log", logs / "ai.log"
    env = dict(os.environ, BENCH_TOKENS=token_file)

    def chats(seconds):
        # One thread per connection, so that each connection is one person (bench/ai-chat.lua).
        return subprocess.run(["wrk", f"-t{args.chats}", f"-c{args.chats}", f"-d{seconds}s", "--latency",
                               "--timeout", "60s", "-s", str(SRC / "bench" / "ai-chat.lua"), base],
                              capture_output=True, text=True, env=env)

    occ = Occupancy(pids)       # over the warm-up and the measured run: are all workers ever held?
    occ.start()
    cold = None
    if args.warmup > 0:
        cold_access, cold_ai = access_log.stat().st_size, ai_log.stat().st_size
        warm = chats(args.warmup)
        cold = added_latency(access_log, ai_log, cold_access, cold_ai)[0]
        if warm.returncode != 0:
            print(warm.stderr, file=sys.stderr)
    access_from, ai_from = access_log.stat().st_size, ai_log.stat().st_size
    p = chats(args.duration)
    occ.stop.set()
    occ.join()
    os.unlink(token_file)
    out = p.stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    p50, p99 = wrk_latency_ms(out, 50), wrk_latency_ms(out, 99)
    samples = occ.samples or [0]
    print(f"AI companion: {args.chats} concurrent chats, mock provider latency {args.latency_ms:.0f} ms, "
          f"{len(pids)} astral-ai workers, wrk {args.duration}s after {args.warmup}s of warm-up")
    if cold:
        print(f"  warm-up, not in the figures below: added by the gateway p50 {percentile(cold, 50):.1f} ms, "
              f"p99 {percentile(cold, 99):.1f} ms over {len(cold)} chats")
    print(f"  throughput {float(rps.group(1)) if rps else 0:.1f} chats/s, non-2xx {non2xx.group(1) if non2xx else 0}")
    if p50 is not None and p99 is not None:
        print(f"  latency seen by clients (wrk): p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    added, own = added_latency(access_log, ai_log, access_from, ai_from)
    if added:
        print(f"  the provider's own time (as astral-ai measured it): p50 {percentile(own, 50):.0f} ms, "
              f"p99 {percentile(own, 99):.0f} ms")
        print(f"  added by the gateway (nginx request time minus the provider's): p50 {percentile(added, 50):.1f} ms, "
              f"p99 {percentile(added, 99):.1f} ms over {len(added)} chats (1 ms resolution)")
    else:
        print("  added latency: no request could be paired in the logs (is the access log on?)")
    print(f"  busy workers (warm-up and measured run): peak {max(samples)} of {len(pids)}, "
          f"mean {sum(samples) / len(samples):.1f}; "
          f"all busy in {100.0 * sum(1 for s in samples if s >= len(pids)) / len(samples):.1f}% of "
          f"{len(samples)} samples")
    rss = []
    for pid in pids[:4]:
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
            rss.append(int(re.search(r"^Rss:\s+(\d+)", text, re.M).group(1)))
        except (OSError, AttributeError):
            pass
    if rss:
        print(f"  RSS per astral-ai worker: {sum(rss) / len(rss):.0f} KiB (mean of {len(rss)})")
    if p.returncode != 0:
        print(p.stderr, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
