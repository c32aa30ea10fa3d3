"""Audit appenders take a chain nobody holds (migrations/0023_audit_free_chain.sql, and
0027_audit_append_lighter.sql, which tries the home chain by its key first).

An appender takes its home chain (its backend's pid modulo 16) when it is free, else the next free
one after it; with fifteen chains held, it takes the sixteenth without waiting (a lock timeout
would fail it); with all sixteen held it waits, and appends once they are freed; a transaction's
rows share one chain; `astralctl audit verify` passes afterwards.
"""

import threading
import uuid

from astral_client import expect

CHAINS = 16


def open_appender(stack, tag, lock_timeout="2s"):
    conn = stack.owner_db()
    conn.autocommit = False
    cur = conn.cursor()
    cur.execute(f"SET LOCAL lock_timeout = '{lock_timeout}'")
    append(cur, tag)
    return conn, cur


def append(cur, tag):
    cur.execute("INSERT INTO audit_log (actor_id, actor_role, action, object_type, object_id, subject_id,"
                " outcome, request_id, detail) VALUES (NULL, 'system', 'chain_probe', 'probe', %s, NULL,"
                " 'success', %s, NULL)", (tag, tag))


def chains_of(stack, tags):
    rows = stack.query("SELECT object_id, chain FROM audit_log WHERE action = 'chain_probe' AND object_id = ANY(%s)",
                       (list(tags),))
    return dict(rows)


def hold_chains(stack, chains):
    """A transaction holding the row locks of `chains` in audit_chains, as appenders would."""
    conn = stack.owner_db()
    conn.autocommit = False
    with conn.cursor() as cur:
        cur.execute("SELECT chain FROM audit_chains WHERE chain = ANY(%s) FOR UPDATE", (list(chains),))
        assert len(cur.fetchall()) == len(chains)
    return conn


def test_an_appender_takes_its_home_chain_when_free_else_the_next_free_one(stack):
    run = uuid.uuid4().hex[:8]
    conn = stack.owner_db()
    conn.autocommit = False
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_backend_pid() % 16")
            home = cur.fetchone()[0]
            append(cur, f"{run}-home")
        conn.commit()
        holder = hold_chains(stack, [home, (home + 1) % CHAINS])
        try:
            with conn.cursor() as cur:
                cur.execute("SET LOCAL lock_timeout = '2s'")
                append(cur, f"{run}-next")
            conn.commit()
        finally:
            holder.rollback()
            holder.close()
    finally:
        conn.close()
    assert chains_of(stack, [f"{run}-home", f"{run}-next"]) == {f"{run}-home": home, f"{run}-next": (home + 2) % CHAINS}


def test_an_appender_takes_the_one_free_chain_without_waiting(stack):
    run = uuid.uuid4().hex[:8]
    for free in (0, 9, 15):
        holder = hold_chains(stack, [c for c in range(CHAINS) if c != free])
        try:
            conn, _ = open_appender(stack, f"{run}-{free}")   # lock_timeout 2 s: fails if it waits
            conn.commit()
            conn.close()
        finally:
            holder.rollback()
            holder.close()
        assert chains_of(stack, [f"{run}-{free}"]) == {f"{run}-{free}": free}


def test_an_appender_waits_only_when_every_chain_is_held(stack):
    run = uuid.uuid4().hex[:8]
    holder = hold_chains(stack, range(CHAINS))
    done, errors = threading.Event(), []

    def appender():
        try:
            conn, _ = open_appender(stack, f"{run}-late", lock_timeout="30s")
            conn.commit()
            conn.close()
        except Exception as e:                          # reported below
            errors.append(e)
        done.set()

    t = threading.Thread(target=appender)
    t.start()
    try:
        assert not done.wait(1.0), "an appender did not wait while all sixteen chains were held"
    finally:
        holder.rollback()
        holder.close()
    assert done.wait(30), "the appender never appended after the chains were freed"
    t.join()
    assert not errors, errors
    assert f"{run}-late" in chains_of(stack, [f"{run}-late"])
    p = stack.astralctl("audit", "verify")
    assert p.returncode == 0, f"audit verify fails:\n{p.stdout}\n{p.stderr}"


def test_one_transactions_rows_share_one_chain(stack):
    run = uuid.uuid4().hex[:8]
    tags = [f"{run}-{i}" for i in range(4)]
    other_conn, _ = open_appender(stack, f"{run}-other")   # holds some chain meanwhile
    conn = stack.owner_db()
    conn.autocommit = False
    try:
        with conn.cursor() as cur:
            for tag in tags:
                append(cur, tag)
        conn.commit()
        other_conn.commit()
    finally:
        conn.close()
        other_conn.close()
    assert len(set(chains_of(stack, tags).values())) == 1


def test_audited_requests_still_verify(stack):
    c = stack.client("bearer")
    c.anonymous()
    for theme in ("dark", "light", "dark"):
        expect(c.put("/api/me/preferences", {"theme": theme}), 200)
    p = stack.astralctl("audit", "verify")
    assert p.returncode == 0, f"audit verify fails:\n{p.stdout}\n{p.stderr}"
