"""What reaches the disk: no secrets or personal text in the database dump or the logs;
row-level security; the append-only, hash-chained audit log."""

import secrets
from concurrent.futures import ThreadPoolExecutor

import psycopg2
import psycopg2.errors
import pytest

from astral_client import expect, totp, unique

AUDIT_COLUMNS = ["id", "occurred_at", "actor_id", "actor_role", "action", "object_type",
                 "object_id", "subject_id", "outcome", "request_id", "detail", "prev_hash", "hash", "chain"]


# ------------------------------------------------------------------ canaries

def canary(prefix):
    return f"{prefix}{secrets.token_hex(10)}"


def forms(value):
    """Ways a string could show up in a dump or a log."""
    out = {value.encode()}
    compact = value.replace("-", "").replace(" ", "")
    out |= {compact.encode(), compact.lower().encode(), compact.upper().encode()}
    out.add(value.encode().hex().encode())           # bytea in pg_dump output
    return out


@pytest.fixture(scope="module")
def canaries(stack):
    """Write secrets and personal text through the API; return {kind: value}."""
    found = {}
    # a helper with a canary display name and password
    h = stack.client("bearer")
    found["display_name"] = canary("CanaryName")
    found["password"] = canary("canary-pass-")
    h.register(username=unique("can"), password=found["password"],
               display_name=found["display_name"])
    found["refresh_token"] = h.refresh_token
    found["access_token"] = h.access_token
    # its TOTP secret
    r = expect(h.post("/api/auth/mfa", {"action": "enrol"}), 200)
    found["totp_secret"] = r.json["secret"]
    expect(h.post("/api/auth/mfa", {"action": "confirm", "code": totp(r.json["secret"])}), 200)
    # a seeker: recovery codes (first and rotated), a passphrase, preferences
    s = stack.client("bearer")
    s.anonymous()
    found["recovery_code"] = s.recovery_code
    r = expect(stack.client().post("/api/auth/recover", {"recovery_code": s.recovery_code}), 200)
    found["recovery_code_rotated"] = r.json["recovery_code"]
    found["passphrase"] = canary("canary phrase ")
    expect(s.post("/api/auth/password", {"new_password": found["passphrase"]}), 204)
    expect(s.put("/api/me/preferences", {"theme": "dark", "content_filters": ["Grief"],
                                         "research_consent": True}), 200)
    # a failed sign-in with a canary password must not be logged either
    found["failed_password"] = canary("canary-wrong-")
    expect(stack.client().post("/api/auth/login", {"username": s.user["username"],
                                                   "password": found["failed_password"]}), 401)
    return found


@pytest.fixture(scope="module")
def disk(stack, canaries):
    logs = {str(p): p.read_bytes() for p in stack.log_files()}
    return {"pg_dump": stack.pg_dump(), **logs}


# display_name is not on the list: it is the public name other people see beside a helper's
# posts and in block lists (by design pseudonymous), so it is stored in clear; secrets and
# health data are the canaries.
CANARY_KINDS = ["password", "passphrase", "failed_password", "recovery_code",
                "recovery_code_rotated", "totp_secret", "refresh_token", "access_token"]


@pytest.mark.parametrize("kind", CANARY_KINDS)
def test_canary_absent_from_dump_and_logs(canaries, disk, kind):
    value = canaries[kind]
    hits = [name for name, data in disk.items() if any(f in data for f in forms(value))]
    assert not hits, f"{kind} ({value[:12]}…) found in: {hits}"


def test_canaries_reached_the_database(stack, canaries):
    """Guard against a vacuous pass: the accounts exist."""
    n = stack.query("SELECT count(*) FROM users WHERE password_hash IS NOT NULL "
                    "AND created_at > now() - interval '1 day'")[0][0]
    assert n >= 2


# ------------------------------------------------------------------ row-level security

@pytest.fixture(scope="module")
def populated(stack):
    a, b = stack.client("bearer"), stack.client("bearer")
    a.anonymous()
    b.anonymous()
    expect(a.put("/api/me/preferences", {"theme": "dark"}), 200)
    missing = a.get("/api/me/consents").json["missing"]
    expect(a.post("/api/me/consents", missing[0]), 201)
    expect(a.post("/api/me/blocks", {"user_id": b.user_id}), 201)
    return a, b


PRIVATE_TABLES = ["users", "sessions", "consents", "preferences", "blocks", "audit_log"]


@pytest.mark.parametrize("table", PRIVATE_TABLES)
def test_rls_app_role_sees_nothing_without_context(stack, populated, table):
    assert stack.query(f"SELECT count(*) FROM {table}")[0][0] > 0, f"{table} is empty as owner"
    assert stack.query(f"SELECT count(*) FROM {table}", user="astral_app")[0][0] == 0


@pytest.fixture(scope="module")
def moderated(stack):
    """A warning, a ban and a break-glass grant, made through cgi-bin/moderation."""
    from test_moderation_setup import new_seeker, new_session, new_staff

    mod = new_staff(stack)
    a, b = new_seeker(stack), new_seeker(stack)
    _, _, sid = new_session(stack)
    expect(mod.post(f"/api/moderation/users/{a.id}/warn", {"reason": "Storage test."}), 200)
    expect(mod.post(f"/api/moderation/users/{b.id}/ban", {"reason": "Storage test.", "hours": 1}), 200)
    expect(mod.post("/api/moderation/break-glass", {"session_id": sid, "reason": "Storage test, a review."}), 201)
    return mod


# The moderation tables (migration 0014) and the audit chain heads (0016), which admins read.
MODERATION_TABLES = ["moderation_actions", "account_bans", "break_glass_grants", "audit_chains"]


@pytest.mark.parametrize("table", MODERATION_TABLES)
def test_rls_app_role_sees_no_moderation_row_without_context(stack, moderated, table):
    assert stack.query(f"SELECT count(*) FROM {table}")[0][0] > 0, f"{table} is empty as owner"
    assert stack.query(f"SELECT count(*) FROM {table}", user="astral_app")[0][0] == 0


def test_rls_app_role_sees_only_own_rows(stack, populated):
    a, _ = populated
    conn = stack.app_db()
    try:
        with conn.cursor() as cur:
            cur.execute("BEGIN")
            cur.execute("SELECT set_config('astral.user_id', %s, true), "
                        "set_config('astral.role', 'seeker', true)", (a.user_id,))
            cur.execute("SELECT id::text FROM users")
            assert [r[0] for r in cur.fetchall()] == [a.user_id]
            cur.execute("SELECT DISTINCT user_id::text FROM sessions")
            assert [r[0] for r in cur.fetchall()] == [a.user_id]
            cur.execute("ROLLBACK")
    finally:
        conn.close()


@pytest.mark.parametrize("sql", ["UPDATE audit_log SET detail = 'x' WHERE id = %s",
                                 "DELETE FROM audit_log WHERE id = %s"])
def test_app_role_cannot_change_audit_log(stack, populated, sql):
    a, _ = populated
    row_id = stack.query("SELECT max(id) FROM audit_log WHERE actor_id = %s", (a.user_id,))[0][0]
    conn = stack.app_db()
    try:
        with conn.cursor() as cur:
            cur.execute("BEGIN")
            cur.execute("SELECT set_config('astral.user_id', %s, true), "
                        "set_config('astral.role', 'admin', true)", (a.user_id,))
            with pytest.raises(psycopg2.Error):
                cur.execute(sql, (row_id,))
            cur.execute("ROLLBACK")
    finally:
        conn.close()
    assert stack.query("SELECT count(*) FROM audit_log WHERE id = %s", (row_id,))[0][0] == 1


@pytest.mark.parametrize("sql", ["UPDATE audit_log SET detail = 'x' WHERE id = (SELECT max(id) FROM audit_log)",
                                 "DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)",
                                 "TRUNCATE audit_log"])
def test_owner_cannot_change_audit_log_with_triggers_on(stack, sql):
    with pytest.raises(psycopg2.Error):
        stack.query(sql)


def test_audit_columns(stack):
    cols = [r[0] for r in stack.query(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = 'audit_log' ORDER BY ordinal_position")]
    assert cols == AUDIT_COLUMNS


# ------------------------------------------------------------------ hash chain

def test_audit_verify_detects_tampering(stack):
    c = stack.client("bearer")
    c.anonymous()
    expect(c.put("/api/me/preferences", {"theme": "dark"}), 200)
    p = stack.astralctl("audit", "verify")
    assert p.returncode == 0, f"audit verify fails on an untouched log:\n{p.stdout}\n{p.stderr}"

    row_id = stack.query("SELECT id FROM audit_log WHERE actor_id = %s AND action = 'preferences_update' "
                         "ORDER BY id LIMIT 1", (c.user_id,))[0][0]

    def shift(seconds):
        conn = stack.owner_db()
        try:
            conn.autocommit = False
            with conn.cursor() as cur:
                cur.execute("ALTER TABLE audit_log DISABLE TRIGGER USER")
                cur.execute("UPDATE audit_log SET occurred_at = occurred_at + %s * interval '1 second' "
                            "WHERE id = %s", (seconds, row_id))
                assert cur.rowcount == 1
                cur.execute("ALTER TABLE audit_log ENABLE TRIGGER USER")
            conn.commit()
        finally:
            conn.close()

    shift(1)
    try:
        p = stack.astralctl("audit", "verify")
        out = p.stdout + p.stderr
        assert p.returncode != 0, f"audit verify missed an edited row {row_id}:\n{out}"
        assert f"row {row_id}" in out, f"audit verify must name row {row_id}:\n{out}"
    finally:
        shift(-1)
    p = stack.astralctl("audit", "verify")
    assert p.returncode == 0, f"audit verify fails after the row was restored:\n{p.stdout}\n{p.stderr}"


def _audit_rows_from_many_connections(stack, n=24):
    """Audited writes from n concurrent clients: they land on several workers' connections."""
    clients = []
    for _ in range(n):
        c = stack.client("bearer")
        c.anonymous()
        clients.append(c)
    with ThreadPoolExecutor(max_workers=8) as pool:
        for r in pool.map(lambda c: c.put("/api/me/preferences", {"theme": "dark"}), clients):
            expect(r, 200)
    return clients


def test_audit_chains_take_concurrent_writers(stack):
    _audit_rows_from_many_connections(stack)
    chains = stack.query("SELECT count(DISTINCT chain) FROM audit_log")[0][0]
    assert chains >= 2, "every connection appended to the same chain"
    p = stack.astralctl("audit", "verify")
    assert p.returncode == 0, f"audit verify fails after concurrent writers:\n{p.stdout}\n{p.stderr}"


def _owner_exec(stack, *statements):
    conn = stack.owner_db()
    try:
        conn.autocommit = False
        with conn.cursor() as cur:
            cur.execute("ALTER TABLE audit_log DISABLE TRIGGER USER")
            for sql, params in statements:
                cur.execute(sql, params)
            cur.execute("ALTER TABLE audit_log ENABLE TRIGGER USER")
        conn.commit()
    finally:
        conn.close()


@pytest.mark.parametrize("where", ["inside", "last"])
def test_audit_verify_detects_a_deleted_row(stack, where):
    _audit_rows_from_many_connections(stack, 6)
    chain, last = stack.query("SELECT chain, max(id) FROM audit_log GROUP BY chain "
                              "HAVING count(*) >= 3 ORDER BY count(*) DESC LIMIT 1")[0]
    if where == "last":
        victim = last
    else:
        victim = stack.query("SELECT id FROM audit_log WHERE chain = %s AND id < %s ORDER BY id DESC LIMIT 1",
                             (chain, last))[0][0]
    columns = ", ".join(AUDIT_COLUMNS)
    saved = stack.query(f"SELECT {columns} FROM audit_log WHERE id = %s", (victim,))[0]
    _owner_exec(stack, ("DELETE FROM audit_log WHERE id = %s", (victim,)))
    try:
        p = stack.astralctl("audit", "verify")
        out = p.stdout + p.stderr
        assert p.returncode != 0, f"audit verify missed deleted row {victim} of chain {chain}:\n{out}"
        if where == "last":
            assert f"chain {chain} ends at row" in out, out
        else:
            assert f"row {last}" in out, f"audit verify must name row {last}, the one after the gap:\n{out}"
    finally:
        marks = ", ".join(["%s"] * len(AUDIT_COLUMNS))
        _owner_exec(stack, (f"INSERT INTO audit_log ({columns}) VALUES ({marks})", saved))
    p = stack.astralctl("audit", "verify")
    assert p.returncode == 0, f"audit verify fails after the row was restored:\n{p.stdout}\n{p.stderr}"


# ------------------------------------------------------------------ every auth event is audited

def test_every_auth_event_is_audited(stack, clock):
    a = stack.client("bearer")
    a.anonymous()
    uid = a.user_id
    username = a.user["username"]
    pw = "audit phrase " + secrets.token_hex(8)
    expect(a.put("/api/me/preferences", {"theme": "dark"}), 200)
    missing = a.get("/api/me/consents").json["missing"]
    expect(a.post("/api/me/consents", missing[0]), 201)
    b = stack.client("bearer")
    b.anonymous()
    expect(a.post("/api/me/blocks", {"user_id": b.user_id}), 201)
    expect(a.delete(f"/api/me/blocks/{b.user_id}"), 204)
    expect(a.post("/api/auth/password", {"new_password": pw}), 204)
    expect(a.refresh(), 200)
    expect(a.logout(), 204)
    fail = stack.client().post("/api/auth/login", {"username": username, "password": "wrong " + pw})
    expect(fail, 401)
    a = stack.client("bearer")
    login = a.login(username, pw)
    r = expect(a.post("/api/auth/mfa", {"action": "enrol"}), 200)
    expect(a.post("/api/auth/mfa", {"action": "confirm", "code": totp(r.json["secret"], clock.now())}), 200)
    expect(a.get("/api/me/access-log"), 200)
    expect(a.get("/api/me/export"), 200)
    expect(a.delete("/api/me", {"confirm": "delete my account"}), 204)

    rows = stack.query("SELECT action, outcome, request_id, actor_id::text, subject_id::text "
                       "FROM audit_log WHERE actor_id = %s OR subject_id = %s OR object_id = %s "
                       "ORDER BY id", (uid, uid, uid))
    actions = {r[0] for r in rows}
    want = ["account_create", "preferences_update", "consent_accept", "block_add", "block_remove",
            "password_change", "token_refresh", "logout", "login_failure", "login", "mfa_enrol",
            "mfa_confirm", "access_log_read", "data_export", "account_delete"]
    missing_actions = [w for w in want if w not in actions]
    assert not missing_actions, f"no audit row for {missing_actions} (have {sorted(actions)})"
    failures = [r for r in rows if r[0] == "login_failure"]
    assert all(r[1] == "failure" for r in failures), failures
    logins = [r for r in rows if r[0] == "login"]
    assert login.headers.get("X-Request-Id") in {r[2] for r in logins}, \
        f"the login audit row must carry the response's X-Request-Id {login.headers.get('X-Request-Id')}: {logins}"
    assert fail.headers.get("X-Request-Id") in {r[2] for r in failures}


def test_token_reuse_and_session_expiry_are_audited(stack, clock):
    a = stack.client("bearer")
    a.anonymous()
    t0 = a.refresh_token
    expect(a.refresh(), 200)
    clock.advance(30)
    expect(a.refresh(token=t0), 401, "token_reused")
    b = stack.client("bearer")
    b.anonymous()
    clock.advance(31 * 60)
    expect(b.refresh(), 401, "session_expired")
    for user, action in ((a.user_id, "token_reuse"), (b.user_id, "session_expired")):
        n = stack.query("SELECT count(*) FROM audit_log WHERE action = %s "
                        "AND (actor_id = %s OR subject_id = %s)", (action, user, user))[0][0]
        assert n >= 1, f"no {action} audit row"


# Tables the application role reads that hold nobody's private data.
NOT_PRIVATE = {"login_throttle"}


def test_rls_on_every_table_the_app_reads(stack, populated):
    """Every table the application role may read has FORCE ROW LEVEL SECURITY and shows no row
    without a caller — found from the catalogue, so a new table cannot be forgotten."""
    rows = stack.query(
        "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public' AND c.relkind = 'r'"
        " AND has_table_privilege('astral_app', c.oid, 'SELECT') ORDER BY 1")
    tables = {name: (rls, force) for name, rls, force in rows}
    assert {"posts", "messages", "help_sessions", "help_session_keys", "crisis_alerts",
            "reflections", "helper_profiles", "helper_training_attempts", "helper_applications",
            "community_threads", "community_posts", "community_proposals", "community_votes"} <= set(tables), \
        sorted(tables)
    for name, (rls, force) in tables.items():
        if name in NOT_PRIVATE:
            continue
        assert rls and force, f"{name}: row-level security is not forced"
        assert stack.query(f"SELECT count(*) FROM {name}", user="astral_app")[0][0] == 0, \
            f"{name}: the app role sees rows without a caller"
