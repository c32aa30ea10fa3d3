#!/usr/bin/python3
"""The AI gateway under load (bench/run calls it; never a timed test).

    bench/ai.py --url URL --conf STACK/etc/astral.conf --latency-ms 200 --chats 100 --duration 15

Makes `chats` adult seekers, then runs wrk with one connection per person, each sending companion
messages (POST /api/ai/chat, JSON answer) back to back, while the mock provider answers every call
after a fixed `latency-ms`. Prints throughput, the gateway's added latency (wrk's p50/p99 minus
the mock's fixed latency), and how many astral-ai workers were busy: sampled every 20 ms from each
worker's open file descriptors (a busy worker holds the FastCGI connection and the provider's
socket besides its idle set), as the peak, the mean and the share of samples with every worker busy.
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


def fd_count(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


class Occupancy(threading.Thread):
    """Samples busy workers: a worker with more descriptors than its idle count is busy."""

    def __init__(self, pids, idle):
        super().__init__(daemon=True)
        self.pids, self.idle, self.samples, self.stop = pids, idle, [], threading.Event()

    def run(self):
        while not self.stop.is_set():
            busy = sum(1 for p in self.pids if (fd_count(p) or 0) > self.idle[p])
            self.samples.append(busy)
            time.sleep(0.02)


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
    ap.add_argument("--duration", type=int, default=15)
    args = ap.parse_args()
    base = args.url.rstrip("/")
    tokens = [adult_seeker(base) for _ in range(args.chats)]
    pids = ai_workers(args.conf)
    idle = {p: fd_count(p) or 0 for p in pids}
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(tokens) + "\n")
        token_file = f.name
    occ = Occupancy(pids, idle)
    occ.start()
    env = dict(os.environ, BENCH_TOKENS=token_file)
    p = subprocess.run(["wrk", "-t2", f"-c{args.chats}", f"-d{args.duration}s", "--latency", "--timeout", "60s",
                        "-s", str(SRC / "bench" / "ai-chat.lua"), base], capture_output=True, text=True, env=env)
    occ.stop.set()
    occ.join()
    os.unlink(token_file)
    out = p.stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    p50, p99 = wrk_latency_ms(out, 50), wrk_latency_ms(out, 99)
    samples = occ.samples or [0]
    print(f"AI companion: {args.chats} concurrent chats, mock provider latency {args.latency_ms:.0f} ms, "
          f"{len(pids)} astral-ai workers, wrk {args.duration}s")
    print(f"  throughput {float(rps.group(1)) if rps else 0:.1f} chats/s, non-2xx {non2xx.group(1) if non2xx else 0}")
    if p50 is not None and p99 is not None:
        print(f"  latency p50 {p50:.1f} ms, p99 {p99:.1f} ms; added by the gateway: p50 {p50 - args.latency_ms:.1f} ms, "
              f"p99 {p99 - args.latency_ms:.1f} ms")
    print(f"  busy workers: peak {max(samples)} of {len(pids)}, mean {sum(samples) / len(samples):.1f}; "
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
