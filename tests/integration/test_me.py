"""The user's own data: preferences, consents, blocks, access log, export, deletion."""

import uuid

import pytest

from astral_client import expect, strong_password, unique

# Tables with a foreign key to users(id) that the export leaves out on purpose: they hold
# no personal content a person could read.
EXPORT_ALLOWLIST = {
    "user_keys",        # wrapped key material of the user's data key
    "refresh_tokens",   # SHA-256 hashes of refresh tokens only
    "help_session_keys",  # wrapped key material of each help session's conversation key
}


# ------------------------------------------------------------------ preferences

def test_preferences_defaults_and_partial_update(bearer):
    bearer.anonymous()
    p = expect(bearer.get("/api/me/preferences"), 200).json
    assert p == {"theme": "system", "language": "en", "content_filters": [],
                 "research_consent": False}
    p = expect(bearer.put("/api/me/preferences", {"theme": "dark"}), 200).json
    assert p["theme"] == "dark" and p["language"] == "en"
    p = expect(bearer.put("/api/me/preferences", {"language": "es",
                                                  "content_filters": ["Grief", "Stress"]}), 200).json
    assert p["theme"] == "dark", "a partial update must keep the other fields"
    assert p["language"] == "es"
    assert sorted(p["content_filters"]) == ["Grief", "Stress"]
    p = expect(bearer.put("/api/me/preferences", {"research_consent": True}), 200).json
    assert p == {"theme": "dark", "language": "es", "content_filters": p["content_filters"],
                 "research_consent": True}
    assert expect(bearer.get("/api/me/preferences"), 200).json == p


@pytest.mark.parametrize("body,field", [
    ({"theme": "purple"}, "theme"),
    ({"language": "fr"}, "language"),
    ({"content_filters": ["Cats"]}, "content_filters"),
    ({"content_filters": "Grief"}, "content_filters"),
    ({"research_consent": "yes"}, "research_consent"),
    ({"role": "admin"}, "role"),
])
def test_preferences_bad_values(bearer, body, field):
    bearer.anonymous()
    expect(bearer.put("/api/me/preferences", body), 400, "invalid_field", field)
    assert expect(bearer.get("/api/me/preferences"), 200).json["theme"] == "system"


def test_preferences_are_per_user(stack):
    a, b = stack.client("bearer"), stack.client("bearer")
    a.anonymous()
    b.anonymous()
    expect(a.put("/api/me/preferences", {"theme": "dark"}), 200)
    assert b.get("/api/me/preferences").json["theme"] == "system"


# ------------------------------------------------------------------ display name

def test_display_name_changes_everywhere_others_see_it(stack, bearer):
    """PUT /api/me: the new name in the answer, in the session, where others read it (a block
    list); the username stays; audited without the name."""
    bearer.anonymous()
    username = bearer.user["username"]
    other = stack.client("bearer")
    other.anonymous()
    expect(other.post("/api/me/blocks", {"user_id": bearer.user_id}), 201)
    u = expect(bearer.put("/api/me", {"display_name": "  Quiet Lake  "}), 200).json["user"]
    assert u["display_name"] == "Quiet Lake" and u["username"] == username and u["id"] == bearer.user_id
    assert expect(bearer.get("/api/auth/session"), 200).json["user"]["display_name"] == "Quiet Lake"
    assert expect(other.get("/api/me/blocks"), 200).json["items"][0]["display_name"] == "Quiet Lake"
    rows = stack.query("SELECT detail, outcome FROM audit_log WHERE actor_id = %s AND action = 'display_name_update'",
                       (bearer.user_id,))
    assert rows == [(None, "success")], rows
    log = expect(bearer.get("/api/me/access-log"), 200).json["items"]
    assert any(i["action"] == "display_name_update" for i in log)


@pytest.mark.parametrize("name", ["", "   ", "x" * 51, "a\u0007b", 5, None])
def test_display_name_bad_values(bearer, name):
    bearer.anonymous()
    before = bearer.user["display_name"]
    expect(bearer.put("/api/me", {"display_name": name}), 400, "invalid_field", "display_name")
    assert expect(bearer.get("/api/auth/session"), 200).json["user"]["display_name"] == before


def test_display_name_needs_a_session(stack):
    expect(stack.client("bearer").put("/api/me", {"display_name": "Nobody"}), 401)


# ------------------------------------------------------------------ consents

def test_consents_accept_shrinks_missing(bearer):
    bearer.anonymous()
    c = expect(bearer.get("/api/me/consents"), 200).json
    assert c["items"] == []
    missing = {m["document"]: m["version"] for m in c["missing"]}
    assert "terms_of_service" in missing and "privacy_policy" in missing, c
    version = missing["terms_of_service"]
    r = expect(bearer.post("/api/me/consents", {"document": "terms_of_service",
                                                "version": version}), 201).json
    assert r["document"] == "terms_of_service" and r["version"] == version
    c2 = expect(bearer.get("/api/me/consents"), 200).json
    assert "terms_of_service" not in {m["document"] for m in c2["missing"]}
    assert len(c2["missing"]) == len(c["missing"]) - 1
    assert [(i["document"], i["version"]) for i in c2["items"]] == [("terms_of_service", version)]


def test_helper_must_accept_helper_agreement(bearer):
    bearer.register()
    docs = {m["document"] for m in bearer.get("/api/me/consents").json["missing"]}
    assert "helper_agreement" in docs


def test_consent_bad_document(bearer):
    bearer.anonymous()
    expect(bearer.post("/api/me/consents", {"document": "cookie_policy", "version": "1.0"}),
           400, "invalid_field", "document")
    expect(bearer.post("/api/me/consents", {"document": "terms_of_service", "version": "v1; DROP"}),
           400, "invalid_field", "version")


# ------------------------------------------------------------------ blocks

def test_blocks_add_list_remove(stack, bearer):
    bearer.anonymous()
    other = stack.client("bearer")
    other.anonymous()
    oid = other.user_id
    r = expect(bearer.post("/api/me/blocks", {"user_id": oid}), 201).json
    assert r["user_id"] == oid
    assert r["display_name"] == other.user["display_name"]
    lst = expect(bearer.get("/api/me/blocks"), 200).json
    assert [i["user_id"] for i in lst["items"]] == [oid]
    assert lst["next"] is None
    expect(bearer.delete(f"/api/me/blocks/{oid}"), 204)
    assert expect(bearer.get("/api/me/blocks"), 200).json["items"] == []
    expect(bearer.delete(f"/api/me/blocks/{oid}"), 404, "not_found")


def test_block_self_400(bearer):
    bearer.anonymous()
    r = bearer.post("/api/me/blocks", {"user_id": bearer.user_id})
    expect(r, 400)
    assert "user_id" in r.error_fields, r


def test_block_unknown_user_404(bearer):
    bearer.anonymous()
    expect(bearer.post("/api/me/blocks", {"user_id": str(uuid.uuid4())}), 404, "not_found")


def test_block_twice(stack, bearer):
    bearer.anonymous()
    other = stack.client("bearer")
    other.anonymous()
    expect(bearer.post("/api/me/blocks", {"user_id": other.user_id}), 201)
    r = bearer.post("/api/me/blocks", {"user_id": other.user_id})
    assert r.status in (201, 409), r
    assert len(bearer.get("/api/me/blocks").json["items"]) == 1


def test_other_users_block_is_404(stack):
    """A's request about B's block answers 404 and leaves B's block alone."""
    a, b, c = (stack.client("bearer") for _ in range(3))
    for x in (a, b, c):
        x.anonymous()
    expect(b.post("/api/me/blocks", {"user_id": c.user_id}), 201)
    expect(a.delete(f"/api/me/blocks/{c.user_id}"), 404, "not_found")
    assert [i["user_id"] for i in b.get("/api/me/blocks").json["items"]] == [c.user_id]
    assert a.get("/api/me/blocks").json["items"] == []


@pytest.mark.parametrize("bad", ["not-a-uuid", "1", "00000000-0000-0000-0000-00000000000g", "%27%20OR%201%3D1"])
def test_block_delete_bad_id(bearer, bad):
    bearer.anonymous()
    r = bearer.delete(f"/api/me/blocks/{bad}")
    assert r.status in (400, 404), r


# ------------------------------------------------------------------ access log

def test_access_log_lists_my_events(bearer):
    bearer.anonymous()
    expect(bearer.put("/api/me/preferences", {"theme": "dark"}), 200)
    expect(bearer.refresh(), 200)
    log = expect(bearer.get("/api/me/access-log"), 200).json
    actions = [i["action"] for i in log["items"]]
    for a in ("account_create", "preferences_update", "token_refresh"):
        assert a in actions, f"{a} missing from the access log: {actions}"
    assert all(i["actor"] == "self" for i in log["items"] if i["action"] == "preferences_update")
    ids = [int(i["id"]) for i in log["items"]]
    assert ids == sorted(ids, reverse=True), "newest first"


def test_access_log_paging(bearer):
    bearer.anonymous()
    for t in ("dark", "light", "system"):
        expect(bearer.put("/api/me/preferences", {"theme": t}), 200)
    p1 = expect(bearer.get("/api/me/access-log?limit=2"), 200).json
    assert len(p1["items"]) == 2 and p1["next"] is not None
    p2 = expect(bearer.get(f"/api/me/access-log?limit=2&before={p1['next']}"), 200).json
    assert p2["items"]
    assert not ({i["id"] for i in p1["items"]} & {i["id"] for i in p2["items"]})
    assert max(int(i["id"]) for i in p2["items"]) < min(int(i["id"]) for i in p1["items"])


@pytest.mark.parametrize("q", ["limit=0", "limit=101", "limit=abc", "limit=-1",
                               "limit=99999999999999999999", "before=xyz"])
def test_access_log_bad_query(bearer, q):
    bearer.anonymous()
    expect(bearer.get(f"/api/me/access-log?{q}"), 400, "invalid_field")


def test_access_log_only_mine(stack):
    a, b = stack.client("bearer"), stack.client("bearer")
    a.anonymous()
    b.anonymous()
    expect(b.put("/api/me/preferences", {"theme": "dark"}), 200)
    mine = {str(i["id"]) for i in a.get("/api/me/access-log?limit=100").json["items"]}
    rows = stack.query("SELECT id FROM audit_log WHERE actor_id = %s OR subject_id = %s",
                       (b.user_id, b.user_id))
    theirs = {str(r[0]) for r in rows}
    assert theirs, "B's actions left no audit rows"
    assert not (mine & theirs), "A's access log shows B's events"


# ------------------------------------------------------------------ export

def user_data_tables(stack):
    rows = stack.query("""
        SELECT DISTINCT c.relname
        FROM pg_constraint k
        JOIN pg_class c ON c.oid = k.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE k.contype = 'f' AND n.nspname = 'public'
          AND k.confrelid = 'public.users'::regclass
    """)
    return {r[0] for r in rows} | {"users"}


def test_export_contains_every_user_data_table(stack, bearer):
    bearer.anonymous()
    expect(bearer.put("/api/me/preferences", {"theme": "dark"}), 200)
    other = stack.client("bearer")
    other.anonymous()
    expect(bearer.post("/api/me/blocks", {"user_id": other.user_id}), 201)
    ex = expect(bearer.get("/api/me/export"), 200).json
    assert ex["format"] == 1 and ex["user_id"] == bearer.user_id
    tables = ex["tables"]
    expected = user_data_tables(stack) - EXPORT_ALLOWLIST
    expected.add("audit_log")
    missing = sorted(expected - set(tables))
    assert not missing, f"export lacks tables holding user data: {missing}"
    assert [u["id"] for u in tables["users"]] == [bearer.user_id]
    assert tables["users"][0]["display_name"] == bearer.user["display_name"]
    for col in ("password_hash", "recovery_hash", "totp_secret", "totp_pending"):
        assert col not in tables["users"][0], f"export leaks users.{col}"
    assert tables["preferences"] and tables["preferences"][0]["theme"] == "dark"
    assert len(tables["blocks"]) == 1
    assert tables["sessions"], "the current session belongs in the export"
    assert any(r.get("action") == "account_create" for r in tables["audit_log"])
    for t in EXPORT_ALLOWLIST:
        assert t not in tables or not tables[t], f"{t} must not be exported"


def test_export_is_audited(stack, bearer):
    bearer.anonymous()
    expect(bearer.get("/api/me/export"), 200)
    rows = stack.query("SELECT 1 FROM audit_log WHERE action = 'data_export' AND actor_id = %s",
                       (bearer.user_id,))
    assert rows, "no data_export audit row"


# ------------------------------------------------------------------ delete

def test_delete_account(stack):
    name, pw = unique("del"), strong_password()
    c = stack.client()
    c.register(username=name, password=pw)
    uid = c.user_id
    r = c.delete("/api/me", {"confirm": "delete my account please"})
    expect(r, 400, "invalid_field", "confirm")
    r = expect(c.delete("/api/me", {"confirm": "delete my account"}), 204)
    assert r.cookie("__Host-astral_at") is not None and r.cookie("__Host-astral_at").clears
    assert r.cookie("__Host-astral_rt") is not None and r.cookie("__Host-astral_rt").clears
    expect(stack.client().post("/api/auth/login", {"username": name, "password": pw}), 401,
           "invalid_credentials")
    assert stack.query("SELECT count(*) FROM user_keys WHERE user_id = %s", (uid,))[0][0] == 0
    assert stack.query("SELECT count(*) FROM users WHERE id = %s", (uid,))[0][0] == 0
    assert stack.query("SELECT count(*) FROM sessions WHERE user_id = %s", (uid,))[0][0] == 0
    rows = stack.query("SELECT detail FROM audit_log WHERE action = 'account_delete' "
                       "AND (actor_id = %s OR subject_id = %s OR object_id = %s)", (uid, uid, uid))
    assert rows, "no account_delete audit tombstone"


def test_delete_account_revokes_bearer_sessions(stack):
    a = stack.client("bearer")
    a.anonymous()
    at, rt = a.access_token, a.refresh_token
    expect(a.delete("/api/me", {"confirm": "delete my account"}), 204)
    a.access_token = at
    expect(a.whoami(), 401)
    expect(a.refresh(token=rt), 401)


def test_blocks_keyset_pagination(stack, bearer):
    """`?after=` walks the list one page at a time (its value is read by the handler after the
    query has been parsed: a regression test for query values outliving their buffer)."""
    bearer.anonymous()
    others = []
    for _ in range(3):
        o = stack.client("bearer")
        o.anonymous()
        others.append(o.user["id"])
        expect(bearer.post("/api/me/blocks", {"user_id": o.user["id"]}), 201)
    seen, after = [], None
    for _ in range(5):
        path = "/api/me/blocks?limit=1" + (f"&after={after}" if after else "")
        page = expect(bearer.get(path), 200).json
        seen += [b["user_id"] for b in page["items"]]
        after = page["next"]
        if after is None:
            break
    assert sorted(seen) == sorted(others), seen
    assert len(seen) == len(set(seen)) == 3
