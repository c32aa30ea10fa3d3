#!/usr/bin/python3
"""Turn wrk --latency outputs into the benchmark table (req/s, p50, p99, ratio to the ceiling).

Each row whose name begins with "static" is a ceiling: the rows after it are divided by it, up to
the next one. bench/run measures the static file again before each group of benchmarks, because
this machine's speed drifts by up to a sixth over the half hour a run takes, and a ratio should
compare two figures taken together. The ratio has four decimals: the targets are 0.03 to 0.05, and
three would print 0.0295 as 0.030."""
import re
import sys


def seconds(value):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    n, unit = float(m.group(1)), m.group(2)
    return n * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def parse(path):
    text = open(path, encoding="utf-8").read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", text, re.M))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    return rps, seconds(lat["50"]), seconds(lat["99"]), int(errors.group(1)) if errors else 0


def main():
    rows = [(name, parse(path)) for name, path in (a.split("=", 1) for a in sys.argv[1:])]
    if not rows or not rows[0][0].startswith("static"):
        sys.exit("report.py: the first row must be a static ceiling")
    print(f"{'benchmark':34} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'× static':>9} {'non-2xx':>8}")
    for name, (rps, p50, p99, errs) in rows:
        if name.startswith("static"):
            ceiling = rps
        print(f"{name:34} {rps:10.0f} {p50 * 1e3:8.2f} {p99 * 1e3:8.2f} {rps / ceiling:9.4f} {errs:8d}")


if __name__ == "__main__":
    main()
