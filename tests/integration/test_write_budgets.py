"""The per-person write budgets (`[limits]`, lib/write_budget.c, migration 0039): the writes that reach
other people — a post, a report, a direct request to a helper, a reflection, a video upload — are
each taken from the writer's token bucket, in the write's own transaction.

On a stack of its own with small limits (posts, reports and reflections 4 an hour, direct requests 2
an hour, videos 2 a day), for each of the five writes:
1. the first N go through, the next is 429 `too_many_requests` with Retry-After and writes nothing;
   after Retry-After (the test clock) one more goes through, and only one; another person is not
   affected;
2. a write refused for its input (400, 404, 409, 415) takes nothing, and neither does one that fails
   after the take (its transaction rolls back: the INSERT made to fail by a trigger);
3. a limit of 0 is no limit (the programs restarted with it);
then: a refused post or direct request that the crisis detector flags still carries the crisis
resources; a session that is over is told so, never "wait"; the bucket in SQL (only the person's
own, never the table itself); a bad value in `[limits]` is refused at start, naming the key.
"""

import os
import re
import subprocess
import uuid
from pathlib import Path

import psycopg2
import pytest

from astral_client import expect, strong_password, unique
from conftest import FRONT, STACK_TOOL, start_stack, stop_stack
from test_posts_fixtures import helper as new_helper
from test_videos_setup import UPLOAD, mp4_bytes, multipart, part, video_files

LIMITS = {"posts": 4, "reports": 4, "direct_requests": 2, "reflections": 4, "videos": 2}
WINDOW = {"posts": 3600, "reports": 3600, "direct_requests": 3600, "reflections": 3600, "videos": 86400}
KEY = {"posts": "posts_per_hour", "reports": "reports_per_hour", "direct_requests": "direct_requests_per_hour",
       "reflections": "reflections_per_hour", "videos": "videos_per_day"}
KINDS = list(LIMITS)
CRISIS_TEXT = "I can't go on, I want to kill myself tonight"
FAIL_MARK = "fail-after-take"


@pytest.fixture(scope="module")
def stack():
    """This module's own stack, with small limits (conftest's `clock` moves its clock)."""
    args = ["--front", FRONT]
    for kind, n in LIMITS.items():
        args += ["--limit", f"{KEY[kind]}={n}"]
    st = start_stack(args, label="limits")
    st.helper = new_helper(st)            # online, for the direct requests
    st.author = st.client("bearer")       # whose posts are reported
    st.author.anonymous()
    yield st
    stop_stack(st)


class Person:
    """A seeker with a password (so that they can sign in again after the clock moved past their
    session)."""

    def __init__(self, st):
        self.st = st
        self.username, self.password = unique("wb"), strong_password()
        st.create_user("seeker", self.username, "Writer", self.password)
        self.c = st.client("bearer")
        self.sign_in_again()
        self.id = self.c.user_id

    def sign_in_again(self):
        self.c.login(self.username, self.password)


def other_post(st):
    """A fresh post by someone else, to report (made in SQL: it spends nobody's budget)."""
    return st.query("INSERT INTO posts (id, author_id, category, content, created_at, updated_at)"
                    " VALUES (gen_random_uuid(), %s, 'Other', %s, now(), now()) RETURNING id::text",
                    (st.author.user_id, "A post to report " + uuid.uuid4().hex))[0][0]


def write(st, who, kind, text=None):
    """One write of this kind by `who`; `text` goes where the words go (the note of a report, the
    description of a video)."""
    words = text or f"A few words {uuid.uuid4().hex}"
    if kind == "posts":
        return who.c.post("/api/posts", {"category": "Stress", "content": words})
    if kind == "direct_requests":
        return who.c.post("/api/posts/direct-requests",
                          {"helper_id": st.helper.user_id, "category": "Stress", "content": words})
    if kind == "reports":
        return who.c.post(f"/api/posts/{other_post(st)}/report", {"reason": "spam", "note": words})
    if kind == "reflections":
        return who.c.post("/api/reflections", {"content": words[:280]})
    body, ctype = multipart([part("file", mp4_bytes(payload=1024), filename="clip.mp4", content_type="video/mp4"),
                             part("description", words)])
    return who.c.request("POST", UPLOAD, data=body, content_type=ctype)


def refused_input(st, who, kind):
    """A write of this kind that its handler refuses (4xx) before anything is written."""
    if kind == "posts":
        return expect(who.c.post("/api/posts", {"category": "Stress", "content": "   "}), 400, "invalid_field")
    if kind == "direct_requests":
        return expect(who.c.post("/api/posts/direct-requests",
                                 {"helper_id": str(uuid.uuid4()), "category": "Stress", "content": "Hello?"}),
                      404, "not_found")
    if kind == "reports":
        return expect(who.c.post(f"/api/posts/{uuid.uuid4()}/report", {"reason": "spam"}), 404, "not_found")
    if kind == "reflections":
        return expect(who.c.post("/api/reflections", {"content": " \n "}), 400, "invalid_field")
    body, ctype = multipart([part("file", b"This is not a video at all. " * 40, filename="clip.mp4",
                                  content_type="video/mp4")])
    return expect(who.c.request("POST", UPLOAD, data=body, content_type=ctype), 415, "unsupported_media_type")


def rows(st, who, kind):
    sql = {
        "posts": "SELECT count(*) FROM posts WHERE author_id = %s AND status = 'active'",
        "direct_requests": "SELECT count(*) FROM posts WHERE author_id = %s AND status = 'direct_request'",
        "reports": "SELECT count(*) FROM post_reports WHERE reporter_id = %s",
        "reflections": "SELECT count(*) FROM reflections WHERE author_id = %s",
        "videos": "SELECT count(*) FROM wellness_videos WHERE uploader_id = %s",
    }[kind]
    return st.query(sql, (who.id,))[0][0]


def spend(st, who, kind, n=None):
    for i in range(LIMITS[kind] if n is None else n):
        expect(write(st, who, kind), 201)


def assert_refused(r, kind):
    expect(r, 429, "too_many_requests")
    retry = int(r.headers["Retry-After"])
    assert 1 <= retry <= WINDOW[kind] // LIMITS[kind], f"Retry-After {retry} for {kind}: {r!r}"
    assert "a little later" in r.json["error"]["message"], r
    assert "crisis" not in r.json, r
    return retry


# ------------------------------------------------------------------ 1. the budget, its refill, others

@pytest.mark.parametrize("kind", KINDS)
def test_past_the_limit_nothing_is_written_until_it_refills(stack, clock, kind):
    st = stack
    me = Person(st)
    files = len(video_files(st))
    spend(st, me, kind)
    assert rows(st, me, kind) == LIMITS[kind]
    retry = assert_refused(write(st, me, kind), kind)
    assert rows(st, me, kind) == LIMITS[kind], f"a refused {kind} write was stored"
    if kind == "videos":
        assert len(video_files(st)) == files + LIMITS[kind], "a refused upload left a file behind"

    # Someone else has a budget of their own.
    someone = Person(st)
    expect(write(st, someone, kind), 201)

    # After the wait the person was told, one more — and only one.
    clock.advance(retry)
    me.sign_in_again()
    expect(write(st, me, kind), 201)
    assert rows(st, me, kind) == LIMITS[kind] + 1
    assert_refused(write(st, me, kind), kind)


# ------------------------------------------------------------------ 2. writes that do not happen take nothing

@pytest.mark.parametrize("kind", KINDS)
def test_a_write_refused_for_its_input_takes_nothing(stack, kind):
    st = stack
    me = Person(st)
    for _ in range(LIMITS[kind] + 2):
        refused_input(st, me, kind)
    spend(st, me, kind)
    assert_refused(write(st, me, kind), kind)


def test_a_second_report_of_the_same_post_takes_nothing(stack):
    st = stack
    me = Person(st)
    post_id = other_post(st)
    expect(me.c.post(f"/api/posts/{post_id}/report", {"reason": "spam"}), 201)
    for _ in range(LIMITS["reports"] + 1):
        expect(me.c.post(f"/api/posts/{post_id}/report", {"reason": "hate"}), 409, "conflict")
    spend(st, me, "reports", LIMITS["reports"] - 1)
    assert_refused(write(st, me, "reports"), "reports")


TABLE = {"posts": "posts", "direct_requests": "posts", "reports": "post_reports", "reflections": "reflections",
         "videos": "wellness_videos"}


@pytest.fixture
def failing_insert(stack):
    """Make every INSERT whose row holds FAIL_MARK fail (after the take, in the same transaction)."""
    st = stack
    st.query("CREATE OR REPLACE FUNCTION test_fail_after_take() RETURNS trigger LANGUAGE plpgsql AS $$"
             " BEGIN IF to_jsonb(NEW)::text LIKE '%%" + FAIL_MARK + "%%' THEN"
             " RAISE EXCEPTION 'made to fail after the take'; END IF; RETURN NEW; END $$")
    for table in set(TABLE.values()):
        st.query(f"CREATE TRIGGER test_fail_after_take BEFORE INSERT ON {table}"
                 " FOR EACH ROW EXECUTE FUNCTION test_fail_after_take()")
    yield
    for table in set(TABLE.values()):
        st.query(f"DROP TRIGGER IF EXISTS test_fail_after_take ON {table}")
    st.query("DROP FUNCTION IF EXISTS test_fail_after_take()")


@pytest.mark.parametrize("kind", KINDS)
def test_a_write_that_fails_after_the_take_gives_its_token_back(stack, failing_insert, kind):
    st = stack
    me = Person(st)
    for _ in range(LIMITS[kind] + 1):
        expect(write(st, me, kind, f"{FAIL_MARK} {uuid.uuid4().hex}"), 500, "internal")
    assert rows(st, me, kind) == 0
    spend(st, me, kind)
    assert_refused(write(st, me, kind), kind)


# ------------------------------------------------------------------ the crisis path

@pytest.mark.parametrize("kind", ["posts", "direct_requests"])
def test_a_refused_crisis_post_still_carries_the_crisis_resources(stack, kind):
    st = stack
    me = Person(st)
    spend(st, me, kind)
    alerts = st.query("SELECT count(*) FROM crisis_alerts WHERE user_id = %s", (me.id,))[0][0]
    marker = uuid.uuid4().hex
    r = expect(write(st, me, kind, f"{CRISIS_TEXT} {marker}"), 429, "too_many_requests")
    assert int(r.headers["Retry-After"]) >= 1
    crisis = r.json["crisis"]
    assert crisis["severity"] == "high" and "suicide" in crisis["categories"], r
    assert any("988" in res["contact"] for res in crisis["resources"]), r
    assert st.query("SELECT count(*) FROM posts WHERE content LIKE %s", (f"%{marker}%",))[0][0] == 0
    # Nothing was posted, so there is no post for an alert to name.
    assert st.query("SELECT count(*) FROM crisis_alerts WHERE user_id = %s", (me.id,))[0][0] == alerts


def test_a_session_that_is_over_is_told_so_not_to_wait(stack):
    st = stack
    me = Person(st)
    spend(st, me, "posts")
    assert_refused(write(st, me, "posts"), "posts")
    token = me.c.access_token
    expect(me.c.logout(), 204)
    me.c.access_token = token                  # still within its 15 minutes
    expect(write(st, me, "posts"), 401, "unauthorized")


# ------------------------------------------------------------------ the bucket in SQL

def app_call(st, identity, *args):
    conn = psycopg2.connect(host=st.pghost, port=st.pgport, dbname=st.pgdatabase, user="astral_app")
    try:
        with conn.cursor() as cur:
            if identity is not None:
                cur.execute("SELECT set_config('astral.user_id', %s, true)", (identity,))
            cur.execute("SELECT astral_write_take(%s::uuid, %s, to_timestamp(%s), %s, %s)", args)
            return cur.fetchone()[0]
    finally:
        conn.rollback()
        conn.close()


def sqlstate(fn):
    with pytest.raises(psycopg2.Error) as e:
        fn()
    return e.value.pgcode


def test_the_bucket_in_sql(stack):
    st = stack
    me = Person(st)
    stranger = Person(st)
    t0 = 2_000_000_000
    conn = psycopg2.connect(host=st.pghost, port=st.pgport, dbname=st.pgdatabase, user="astral_app")
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT set_config('astral.user_id', %s, true)", (me.id,))

            def take(at):
                cur.execute("SELECT astral_write_take(%s::uuid, 'post', to_timestamp(%s), 0.5, 2)", (me.id, at))
                return cur.fetchone()[0]

            assert [take(t0), take(t0)] == [0, 0], "a budget starts full"
            assert take(t0) == pytest.approx(2.0), "empty: one is back in 1 / rate seconds"
            assert take(t0 + 1) == pytest.approx(1.0), "a refusal takes nothing"
            assert take(t0 + 2) == 0
            assert take(t0 - 100) == pytest.approx(2.0), "a clock set back refills nothing"
            assert take(t0 - 98) == 0, "and the budget goes on from there"
    finally:
        conn.rollback()
        conn.close()

    # Only the person the transaction runs as.
    assert sqlstate(lambda: app_call(st, me.id, stranger.id, "post", t0, 1.0, 1)) == "42501"
    assert sqlstate(lambda: app_call(st, None, me.id, "post", t0, 1.0, 1)) == "42501"
    # Bad arguments.
    for args in [(me.id, "post", t0, 0.0, 1), (me.id, "post", t0, 1.0, 0), (me.id, None, t0, 1.0, 1)]:
        assert sqlstate(lambda: app_call(st, me.id, *args)) == "22023", args
    assert sqlstate(lambda: app_call(st, me.id, me.id, "chat_message", t0, 1.0, 1)) == "23514"
    # The application role cannot change the table itself; it reads only the person's own rows
    # (for the data export).
    for sql in ["DELETE FROM write_budgets", f"UPDATE write_budgets SET tokens = 100 WHERE user_id = '{me.id}'",
                f"INSERT INTO write_budgets VALUES ('{me.id}', 'post', 100, now())"]:
        assert sqlstate(lambda: st.query(sql, user="astral_app")) == "42501", sql
    expect(write(st, me, "posts"), 201)
    expect(write(st, stranger, "posts"), 201)
    assert st.query("SELECT count(*) FROM write_budgets", user="astral_app") == [(0,)], "seen without a person"
    exported = expect(me.c.get("/api/me/export"), 200).json["tables"]["write_budgets"]
    assert [(r["action"], round(r["tokens"])) for r in exported] == [("post", LIMITS["posts"] - 1)], exported
    # The budget goes with the account.
    assert st.query("SELECT count(*) FROM write_budgets WHERE user_id = %s", (me.id,))[0][0] == 1
    st.query("DELETE FROM users WHERE id = %s", (me.id,))
    assert st.query("SELECT count(*) FROM write_budgets WHERE user_id = %s", (me.id,))[0][0] == 0


# ------------------------------------------------------------------ configuration

def run_program(st, *args):
    argv = [str(Path(st.env["ASTRAL_BUILD"]) / "cgi-bin" / "astral-posts"), *args]
    if os.geteuid() == 0 and st.env.get("RUN_USER") not in (None, "", "root"):
        argv = ["runuser", "-u", st.env["RUN_USER"], "--"] + argv
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("kind", KINDS)
def test_a_bad_limit_is_refused_at_start_naming_the_key(stack, kind):
    st = stack
    conf = Path(st.conf).read_text()
    path = Path(st.conf).with_name(f"bad-{KEY[kind]}.conf")
    try:
        for bad in ("-1", "ten", "2.5", "100001"):
            text = re.sub(rf"^{KEY[kind]} = .*$", f"{KEY[kind]} = {bad}", conf, flags=re.M)
            assert text != conf
            path.write_text(text)
            os.chmod(path, 0o644)                 # readable by the service user; holds no secret
            r = run_program(st, "-n", "-c", str(path))
            assert r.returncode != 0, f"{KEY[kind]} = {bad} was accepted"
            assert f"limits.{KEY[kind]}" in r.stderr, r.stderr
    finally:
        path.unlink(missing_ok=True)
    assert run_program(st, "-n", "-c", st.conf).returncode == 0


# ------------------------------------------------------------------ 3. a limit of 0 (last: restarts the programs)

def restart_with(st, conf_text):
    Path(st.conf).write_text(conf_text)
    p = subprocess.run([str(STACK_TOOL), "restart-programs", "--dir", str(st.dir)], capture_output=True,
                       text=True, timeout=300)
    assert p.returncode == 0, f"stack restart-programs failed:\n{p.stdout}\n{p.stderr}"


def test_zz_a_limit_of_zero_is_no_limit(stack):
    st = stack
    limited_person = Person(st)
    for kind in KINDS:
        spend(st, limited_person, kind)
        assert_refused(write(st, limited_person, kind), kind)
    before = Path(st.conf).read_text()
    unlimited = before
    for kind in KINDS:
        unlimited = re.sub(rf"^{KEY[kind]} = .*$", f"{KEY[kind]} = 0", unlimited, flags=re.M)
    restart_with(st, unlimited)
    try:
        me = Person(st)
        for kind in KINDS:
            spend(st, me, kind, LIMITS[kind] + 2)
            assert rows(st, me, kind) == LIMITS[kind] + 2
        assert st.query("SELECT count(*) FROM write_budgets WHERE user_id = %s", (me.id,))[0][0] == 0, \
            "a limit of 0 still kept a budget"
    finally:
        restart_with(st, before)
