"""The deferred session check (lib/db.h "guard") belongs to its request and dies with it.

The check rides in the pipeline of the handler's first statement. When the connection is lost in
that round trip the statements sent are forgotten, but the guard was kept queued; a request that
ended that way left it behind, and the worker's next transaction that sets no guard of its own (a
public route such as the health check, or the address budget of the /api/auth/ routes) sent the
old check first, as nobody, and took its refusal for its own: the next caller got an error for a
session that was not theirs, and the old check's judge wrote into the new request.

One worker per program, so that the request after the cut is sure to reach the same process.
"""

import threading
import time

import pytest

from astral_client import expect
from conftest import FRONT, start_stack, stop_stack
from test_moderation_setup import new_seeker, new_staff


@pytest.fixture(scope="module")
def one_worker():
    st = start_stack(["--front", FRONT, "--workers", "1"], label="oneworker")
    yield st
    stop_stack(st)


def backend_waiting_on_a_lock(st, timeout=20):
    """The pid of the programs' backend that waits on a row lock."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = st.query("SELECT pid FROM pg_stat_activity WHERE application_name = 'astral'"
                        " AND wait_event_type = 'Lock'", user="astral_app")
        if rows:
            return rows[0][0]
        time.sleep(0.05)
    raise AssertionError("the request never waited on the row lock")


def test_a_check_cut_off_with_its_connection_does_not_judge_the_next_request(one_worker):
    st = one_worker
    mod = new_staff(st)
    seeker = new_seeker(st)
    health = st.client()
    expect(health.get("/healthz/moderation", auth=False), 200)

    # The warning's first round trip (session check, user lock, status) waits on the lock held
    # here; its connection is cut while it waits.
    holder = st.connect()
    holder.autocommit = False
    answer = {}
    try:
        with holder.cursor() as cur:
            cur.execute("SELECT 1 FROM users WHERE id = %s FOR UPDATE", (seeker.id,))
        warn = threading.Thread(target=lambda: answer.setdefault(
            "r", mod.post(f"/api/moderation/users/{seeker.id}/warn", {"reason": "Please be kind."})))
        warn.start()
        pid = backend_waiting_on_a_lock(st)
        st.query("SELECT pg_terminate_backend(%s)", (pid,), user="astral_app")
        warn.join(30)
    finally:
        holder.rollback()
        holder.close()
    assert not warn.is_alive(), "the warning never answered"
    expect(answer["r"], 503, "service_unavailable")

    # The same worker's next requests: public, with no session check of their own.
    for _ in range(3):
        expect(health.get("/healthz/moderation", auth=False), 200)
    st_warn = expect(mod.post(f"/api/moderation/users/{seeker.id}/warn", {"reason": "Please be kind."}), 200)
    assert st_warn.json["warnings"] == 1, st_warn.json
