#!/usr/bin/python3
"""Accounts for the wellness benchmarks, made through the API.

    bench/wellness-setup.py --url URL --tokens N       N new seekers' access tokens, one per line
    bench/wellness-setup.py --url URL --history-user   one seeker who tracks three habits: prints
                                                       the access token, the user id and the
                                                       habit ids (bench/run then fills three
                                                       years of check-ins and completions in SQL)
"""

import argparse
import concurrent.futures

import requests

HEADERS = {"X-Astral-Token-Delivery": "body"}


def new_seeker(base):
    r = requests.post(base + "/api/auth/anonymous", json={}, headers=HEADERS, timeout=60)
    if r.status_code != 201:
        raise SystemExit(f"wellness-setup: anonymous start answered {r.status_code}: {r.text[:300]}")
    j = r.json()
    return j["access_token"], j["user"]["id"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--tokens", type=int)
    ap.add_argument("--history-user", action="store_true")
    args = ap.parse_args()
    base = args.url.rstrip("/")
    if args.tokens:
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            for token, _ in pool.map(lambda _: new_seeker(base), range(args.tokens)):
                print(token)
        return 0
    if args.history_user:
        token, user_id = new_seeker(base)
        habits = []
        for catalog_id in ("walk-outside", "meditate", "regular-bedtime"):
            r = requests.post(base + "/api/wellness/habits", json={"catalog_id": catalog_id}, timeout=60,
                              headers={"Authorization": f"Bearer {token}"})
            if r.status_code != 201:
                raise SystemExit(f"wellness-setup: tracking a habit answered {r.status_code}: {r.text[:300]}")
            habits.append(r.json()["id"])
        print(token, user_id, ",".join(habits))
        return 0
    ap.error("say --tokens N or --history-user")
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
