#!/usr/bin/python3
"""Accounts and data for the staff benchmarks (helper dashboard, moderation queues).

    bench/staff-setup.py --url URL --conf CONF --astralctl PATH [--run-user USER] --pg CONNINFO

Makes, through astralctl and the API, a helper (profile, online) and a moderator signed in with
two-step sign-in; then, as the owner role in SQL (like bench/run's posts), 10,000 crisis alerts
about the authors of the newest posts (a third of them resolved), 500 reported posts (one report each), and 40
ended help sessions of the helper with feedback and kudos. Prints one line:
`<helper token> <moderator token>`. The posts themselves (100k) are bench/run's.
"""

import argparse
import os
import pwd
import secrets
import subprocess
import sys
import time

import psycopg2

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
from astral_client import Client, totp  # noqa: E402

PASSWORD = "bench staff password " + secrets.token_hex(4)


def astralctl(args, *rest, stdin=None):
    cmd = [args.astralctl, "-c", args.conf] + list(rest)
    if args.run_user and pwd.getpwuid(os.geteuid()).pw_name != args.run_user:
        cmd = ["runuser", "-u", args.run_user, "--"] + cmd
    p = subprocess.run(cmd, input=stdin, capture_output=True, text=True, cwd="/")
    if p.returncode != 0:
        raise SystemExit(f"staff-setup: astralctl {' '.join(rest)} failed: {p.stderr.strip()}")


def signed_in(args, role, name):
    astralctl(args, "user", "create", "--role", role, "--username", name, "--display-name",
              name.replace("_", " ").title(), "--password-stdin", stdin=PASSWORD + "\n")
    c = Client(args.url, mode="bearer", check_contract=False, src=os.path.join(HERE, ".."))
    r = c.login(name, PASSWORD)
    if r.status != 200:
        raise SystemExit(f"staff-setup: {role} sign-in answered {r.status}")
    return c


def must(r, status, what):
    if r.status != status:
        raise SystemExit(f"staff-setup: {what} answered {r.status}: {r.body[:300]!r}")
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--conf", required=True)
    ap.add_argument("--astralctl", required=True)
    ap.add_argument("--run-user")
    ap.add_argument("--pg", required=True, help="libpq conninfo of the owner role")
    args = ap.parse_args()
    suffix = secrets.token_hex(3)

    helper = signed_in(args, "helper", f"bench_helper_{suffix}")
    must(helper.post("/api/helpers/me", {"bio": "I listen.", "expertise": ["Anxiety & Stress"]}), 201,
         "helper profile")
    must(helper.put("/api/helpers/me/availability", {"online": True}), 200, "going online")
    helper_id = must(helper.whoami(), 200, "helper session").json["user"]["id"]

    moderator = signed_in(args, "moderator", f"bench_moderator_{suffix}")
    secret = must(moderator.post("/api/auth/mfa", {"action": "enrol"}), 200, "MFA enrol").json["secret"]
    must(moderator.post("/api/auth/mfa", {"action": "confirm", "code": totp(secret, time.time())}), 200,
         "MFA confirm")

    conn = psycopg2.connect(args.pg)
    conn.autocommit = True
    with conn.cursor() as cur:
        # 40 ended sessions of the helper, on the oldest resolved posts.
        cur.execute("""
            WITH picked AS (
                SELECT id, author_id, created_at FROM posts WHERE status = 'resolved'
                ORDER BY created_at LIMIT 40)
            INSERT INTO help_sessions (id, post_id, seeker_id, helper_id, started_at, ended_at, ended_by,
                                       helpful, feedback_at, kudos_at)
            SELECT gen_random_uuid(), id, author_id, %(h)s, created_at + interval '3 minutes',
                   created_at + interval '40 minutes', 'resolved', (row_number() OVER () %% 5) <> 0,
                   created_at + interval '41 minutes',
                   CASE WHEN row_number() OVER () %% 3 = 0 THEN created_at + interval '42 minutes' END
            FROM picked""", {"h": helper_id})
        # 10,000 alerts about the authors of the newest posts; a third resolved.
        cur.execute("""
            INSERT INTO crisis_alerts (id, user_id, source, source_id, severity, categories, rules, status,
                                       raised_by, created_at, resolved_by, resolved_at, resolution_note,
                                       acknowledged_by, acknowledged_at)
            SELECT gen_random_uuid(), p.author_id, 'post', p.id, (ARRAY['low','medium','high'])[1 + n %% 3],
                   ARRAY['distress'], ARRAY['bench.rule'],
                   CASE WHEN n %% 3 = 0 THEN 'resolved' WHEN n %% 7 = 0 THEN 'acknowledged' ELSE 'open' END,
                   p.author_id, p.created_at,
                   CASE WHEN n %% 3 = 0 THEN %(m)s::uuid END, CASE WHEN n %% 3 = 0 THEN p.created_at END,
                   CASE WHEN n %% 3 = 0 THEN 'Checked in with the person.' END,
                   CASE WHEN n %% 3 = 0 OR n %% 7 = 0 THEN %(m)s::uuid END,
                   CASE WHEN n %% 3 = 0 OR n %% 7 = 0 THEN p.created_at END
            FROM (SELECT id, author_id, created_at, row_number() OVER (ORDER BY created_at DESC) AS n
                  FROM posts LIMIT 10000) AS p""",
                    {"m": must(moderator.whoami(), 200, "moderator session").json["user"]["id"]})
        # 500 reported posts, each reported once (by the helper).
        cur.execute("""
            WITH picked AS (
                UPDATE posts SET reported = true
                 WHERE id IN (SELECT id FROM posts WHERE status = 'active'
                              ORDER BY created_at DESC OFFSET 20000 LIMIT 500)
                RETURNING id, created_at)
            INSERT INTO post_reports (id, post_id, reporter_id, reason, created_at)
            SELECT gen_random_uuid(), id, %(h)s, (ARRAY['spam','hate','self_harm','inappropriate','other'])[1 + (extract(epoch FROM created_at)::bigint %% 5)],
                   created_at + interval '1 minute'
            FROM picked""", {"h": helper_id})
        cur.execute("VACUUM ANALYZE help_sessions")
        cur.execute("VACUUM ANALYZE crisis_alerts")
        cur.execute("VACUUM ANALYZE post_reports")
        cur.execute("VACUUM ANALYZE posts")
    conn.close()
    print(helper.access_token, moderator.access_token)
    return 0


if __name__ == "__main__":
    sys.exit(main())
