#!/usr/bin/python3
"""The AI gateway under load (bench/run calls it; never a timed test).

    bench/ai.py --url URL --make-seekers 100 > TOKENS
    bench/ai.py --url URL --conf STACK/etc/astral.conf --tokens TOKENS --latency-ms 200 --warmup 10 --duration 15

The first form makes adult seekers (each has answered the age question) and prints their access
tokens, one per line; bench/run then vacuums and analyses the database, as a maintained service's
is, before the second form measures. The second runs wrk with one connection (and thread) per
person, each sending companion messages (POST /api/ai/chat, JSON answer) back to back, while the
provider (bench/mock-provider.c) answers every call after a fixed `latency-ms`. The load runs
without a break for `warmup` + `duration` seconds: restarting the clients at the start of the
measured part would start all of them at one instant, and their replies would come back in one
clump 200 ms later, which is a benchmark's doing, not a service's. The warm-up is the service's
first moments under this load: every worker's PostgreSQL backend plans each statement, compiles
the audit trigger and fills its catalog caches on first use, and each worker opens its connection
to the provider; it is reported on a line of its own.

Then the steady state, from the logs of the measured seconds: throughput; nginx's request time
(what a client on a fast network sees); the latency the gateway added, per request: nginx's
request time (access log) minus the provider call's own time as astral-ai measured it (its log,
same request id); the same per second, as the median and worst second's p99 (the worst are when
autovacuum's round changes a table's statistics and every backend plans again: docs/ai.md); and
how many astral-ai workers were busy: sampled every 20 ms from each worker's kernel wait channel
(an idle worker waits in accept() on the FastCGI socket, which the kernel shows as
__skb_wait_for_more_packets; anything else — running, polling the provider or PostgreSQL,
reading a request — is busy), as the peak, the mean and the share of samples with every worker
busy.
"""

import argparse
import os
import re
import subprocess
import sys
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


class Chat:
    """One companion chat answered 200 in the measured seconds, from the two logs."""

    def __init__(self, second, request_ms, provider_ms):
        self.second, self.request_ms, self.provider_ms = second, request_ms, provider_ms
        self.added_ms = request_ms - provider_ms


def answered_chats(access_log, ai_log, access_range, ai_range):
    """The chats answered 200 whose lines fall in the given byte ranges of the two logs."""
    provider = {}
    with open(ai_log, "rb") as f:
        f.seek(ai_range[0])
        for line in f.read(ai_range[1] - ai_range[0]).decode(errors="replace").splitlines():
            m = re.search(r"req=(\w+) .* ai call provider=\w+ .* ms=(\d+)", line)
            if m:
                provider[m.group(1)] = float(m.group(2))
    chats = []
    with open(access_log, "rb") as f:
        f.seek(access_range[0])
        for line in f.read(access_range[1] - access_range[0]).decode(errors="replace").splitlines():
            m = re.search(r'\[(\S+)\] "POST /api/ai/chat" 200 \d+ ([\d.]+) rid=(\w+)', line)
            if m and m.group(3) in provider:
                chats.append(Chat(m.group(1), float(m.group(2)) * 1000, provider[m.group(3)]))
    return chats


def per_second_p99(chats):
    """The p99 of the added latency in each whole second (nginx logs the second a request ended)."""
    seconds = {}
    for c in chats:
        seconds.setdefault(c.second, []).append(c.added_ms)
    whole = sorted(seconds)[1:-1]    # the first and last seconds of the window are partial
    return [percentile(seconds[s], 99) for s in whole]


def log_sizes(*paths):
    return [p.stat().st_size for p in paths]


def make_seekers(base, count):
    for _ in range(count):
        print(adult_seeker(base), flush=True)
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--make-seekers", type=int, metavar="N", help="make N adult seekers, print their tokens, stop")
    ap.add_argument("--conf", help="the stack's astral.conf (finds its workers and logs)")
    ap.add_argument("--tokens", help="the file --make-seekers wrote: one chat (connection) per token")
    ap.add_argument("--latency-ms", type=float, default=200)
    ap.add_argument("--warmup", type=int, default=10, help="seconds of the same load before the measured part")
    ap.add_argument("--duration", type=int, default=15)
    args = ap.parse_args()
    base = args.url.rstrip("/")
    if args.make_seekers:
        return make_seekers(base, args.make_seekers)
    if not args.conf or not args.tokens:
        ap.error("--conf and --tokens are needed to measure")
    chats_n = sum(1 for line in open(args.tokens) if line.strip())
    pids = ai_workers(args.conf)
    logs = Path(args.conf).resolve().parents[1] / "log"
    access_log, ai_log = logs / "nginx-access.log", logs / "ai.log"
    env = dict(os.environ, BENCH_TOKENS=args.tokens)

    occ = Occupancy(pids)       # over the warm-up and the measured part: are all workers ever held?
    occ.start()
    start = log_sizes(access_log, ai_log)
    # One thread per connection, so that each connection is one person (bench/ai-chat.lua).
    wrk = subprocess.Popen(["wrk", f"-t{chats_n}", f"-c{chats_n}", f"-d{args.warmup + args.duration}s",
                            "--timeout", "60s", "-s", str(SRC / "bench" / "ai-chat.lua"), base],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    time.sleep(args.warmup)
    measured_from = log_sizes(access_log, ai_log)
    t0 = time.monotonic()
    out, err = wrk.communicate()
    seconds = time.monotonic() - t0
    end = log_sizes(access_log, ai_log)
    occ.stop.set()
    occ.join()
    cold = answered_chats(access_log, ai_log, (start[0], measured_from[0]), (start[1], measured_from[1]))
    # A chat answered after the boundary whose provider line came before it is still paired: the
    # provider log is read from the start of the warm-up.
    warm = answered_chats(access_log, ai_log, (measured_from[0], end[0]), (start[1], end[1]))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    samples = occ.samples or [0]
    print(f"AI companion: {chats_n} concurrent chats, mock provider latency {args.latency_ms:.0f} ms, "
          f"{len(pids)} astral-ai workers, {args.duration} s measured after {args.warmup} s of warm-up (one wrk run)")
    if cold:
        added = [c.added_ms for c in cold]
        print(f"  warm-up, not in the figures below: added by the gateway p50 {percentile(added, 50):.1f} ms, "
              f"p99 {percentile(added, 99):.1f} ms over {len(cold)} chats")
    print(f"  throughput {len(warm) / seconds:.1f} chats/s answered 200; non-2xx over the whole run "
          f"{non2xx.group(1) if non2xx else 0}")
    if warm:
        request = [c.request_ms for c in warm]
        own = [c.provider_ms for c in warm]
        added = [c.added_ms for c in warm]
        print(f"  nginx request time: p50 {percentile(request, 50):.0f} ms, p99 {percentile(request, 99):.0f} ms")
        print(f"  the provider's own time (as astral-ai measured it): p50 {percentile(own, 50):.0f} ms, "
              f"p99 {percentile(own, 99):.0f} ms")
        print(f"  added by the gateway (nginx request time minus the provider's): p50 {percentile(added, 50):.1f} ms, "
              f"p99 {percentile(added, 99):.1f} ms over {len(warm)} chats (1 ms resolution)")
        by_second = per_second_p99(warm)
        if by_second:
            print(f"  added p99 second by second: median {percentile(by_second, 50):.0f} ms, "
                  f"worst {max(by_second):.0f} ms over {len(by_second)} whole seconds")
    else:
        print("  added latency: no request could be paired in the logs (is the access log on?)")
    print(f"  busy workers (warm-up and measured part): peak {max(samples)} of {len(pids)}, "
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
    if wrk.returncode != 0:
        print(err, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
