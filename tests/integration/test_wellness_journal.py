"""The private journal (cgi-bin/wellness): write, list with keyset pages, edit, delete; text sealed
with the writer's data key; crisis-screened without an alert; audited without the text; another
user's ids answer 404; bad input is a 4xx naming the field."""

import base64
import json
import secrets
import uuid

import pytest

import bad_input_battery as battery
from astral_client import expect

CRISIS_TEXT = "I can't go on, I want to kill myself tonight"


def seeker(stack):
    c = stack.client("bearer")
    c.anonymous()
    return c


def alerts_of(stack, user_id):
    return stack.query("SELECT count(*) FROM crisis_alerts WHERE user_id = %s", (user_id,))[0][0]


def test_write_list_edit_delete(stack):
    a = seeker(stack)
    r = expect(a.post("/api/wellness/journal", {"text": "First day with the new routine.\nFelt calm."}), 201)
    e = r.json
    assert e["text"] == "First day with the new routine.\nFelt calm."
    assert e["crisis"] is None and e["safety_plan_prompt"] is False
    assert e["created_at"] == e["updated_at"]

    items = expect(a.get("/api/wellness/journal"), 200).json
    assert [i["id"] for i in items["items"]] == [e["id"]] and items["next"] is None

    r = expect(a.put(f"/api/wellness/journal/{e['id']}", {"text": "Edited: felt calm, slept well."}), 200)
    assert r.json["id"] == e["id"] and r.json["text"] == "Edited: felt calm, slept well."
    assert expect(a.get("/api/wellness/journal"), 200).json["items"][0]["text"] == "Edited: felt calm, slept well."

    expect(a.delete(f"/api/wellness/journal/{e['id']}"), 204)
    assert expect(a.get("/api/wellness/journal"), 200).json["items"] == []
    expect(a.delete(f"/api/wellness/journal/{e['id']}"), 404, "not_found")
    expect(a.put(f"/api/wellness/journal/{e['id']}", {"text": "gone"}), 404, "not_found")


def test_an_edit_by_an_upper_case_id_keeps_the_entry_readable(stack):
    """The same id spelled in capitals (as some clients print UUIDs) names the same entry; the text
    is sealed for the id as stored, so the entry and the journal stay readable."""
    a = seeker(stack)
    e = expect(a.post("/api/wellness/journal", {"text": "first words"}), 201).json
    r = expect(a.put(f"/api/wellness/journal/{e['id'].upper()}", {"text": "edited words"}), 200)
    assert r.json["id"] == e["id"]
    items = expect(a.get("/api/wellness/journal"), 200).json["items"]
    assert [(i["id"], i["text"]) for i in items] == [(e["id"], "edited words")]
    expect(a.delete(f"/api/wellness/journal/{e['id'].upper()}"), 204)
    assert expect(a.get("/api/wellness/journal"), 200).json["items"] == []


def test_pages_newest_first_without_gaps_or_repeats(stack, clock):
    a = seeker(stack)
    ids = []
    for i in range(7):
        clock.advance(1 if i % 3 else 0)        # some entries share a second: the id breaks the tie
        ids.append(expect(a.post("/api/wellness/journal", {"text": f"entry {i}"}), 201).json["id"])
    seen, cursor = [], None
    while True:
        path = "/api/wellness/journal?limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = expect(a.get(path), 200).json
        assert len(page["items"]) <= 3
        seen += [i["id"] for i in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen))
    times = [i["created_at"] for i in expect(a.get("/api/wellness/journal?limit=100"), 200).json["items"]]
    assert times == sorted(times, reverse=True)


def test_length_is_counted_in_characters(stack):
    a = seeker(stack)
    expect(a.post("/api/wellness/journal", {"text": "é" * 2000}), 201)        # 4000 bytes, 2000 characters
    expect(a.post("/api/wellness/journal", {"text": "🌱" * 2000}), 201)
    expect(a.post("/api/wellness/journal", {"text": "x" * 2001}), 400, "invalid_field", "text")
    expect(a.post("/api/wellness/journal", {"text": "  \n\t "}), 400, "invalid_field", "text")
    expect(a.post("/api/wellness/journal", {"text": ""}), 400, "invalid_field", "text")


def test_crisis_shows_resources_and_alerts_nobody(stack):
    a = seeker(stack)
    r = expect(a.post("/api/wellness/journal", {"text": CRISIS_TEXT}), 201)
    assert r.json["safety_plan_prompt"] is True
    assert r.json["crisis"]["severity"] == "high" and "suicide" in r.json["crisis"]["categories"]
    assert any(res["href"] == "tel:988" for res in r.json["crisis"]["resources"])
    # an edit is screened again
    calm = expect(a.post("/api/wellness/journal", {"text": "a quiet evening"}), 201).json
    r = expect(a.put(f"/api/wellness/journal/{calm['id']}", {"text": CRISIS_TEXT}), 200)
    assert r.json["safety_plan_prompt"] is True and r.json["crisis"] is not None
    r = expect(a.put(f"/api/wellness/journal/{calm['id']}", {"text": "better now"}), 200)
    assert r.json["crisis"] is None and r.json["safety_plan_prompt"] is False
    # the list never carries crisis objects
    assert all(i["crisis"] is None for i in expect(a.get("/api/wellness/journal"), 200).json["items"])
    # a journal is private: no alert row, ever
    assert alerts_of(stack, a.user_id) == 0
    severity = stack.query("SELECT crisis_severity FROM journal_entries WHERE user_id = %s ORDER BY created_at, id",
                           (a.user_id,))
    assert ("high",) in severity


def test_text_is_sealed_and_audited_without_it(stack):
    a = seeker(stack)
    secret = f"JournalCanary{secrets.token_hex(8)}"
    e = expect(a.post("/api/wellness/journal", {"text": f"today {secret} happened"}), 201).json
    row = stack.query("SELECT encode(body, 'escape'), octet_length(body) FROM journal_entries WHERE id = %s",
                      (e["id"],))[0]
    assert secret not in row[0] and row[1] > len(secret)
    expect(a.get("/api/wellness/journal"), 200)
    expect(a.put(f"/api/wellness/journal/{e['id']}", {"text": "x"}), 200)
    expect(a.delete(f"/api/wellness/journal/{e['id']}"), 204)
    rows = stack.query("SELECT action, object_type, object_id::text, subject_id::text, coalesce(detail, '')"
                       " FROM audit_log WHERE actor_id = %s AND object_type = 'journal_entry' ORDER BY id",
                       (a.user_id,))
    assert [r[0] for r in rows] == ["journal_create", "journal_read", "journal_update", "journal_delete"]
    assert all(r[3] == a.user_id for r in rows)
    assert [r[2] for r in rows if r[0] != "journal_read"] == [e["id"]] * 3
    assert not any(secret in r[4] for r in rows)


def test_a_copied_ciphertext_does_not_open_in_another_row(stack):
    """AAD binds the text to its row: moved to another entry, it fails (500, never the text)."""
    a = seeker(stack)
    one = expect(a.post("/api/wellness/journal", {"text": "one"}), 201).json
    two = expect(a.post("/api/wellness/journal", {"text": "two"}), 201).json
    stack.query("UPDATE journal_entries SET body = (SELECT body FROM journal_entries WHERE id = %s) WHERE id = %s",
                (one["id"], two["id"]))
    r = a.get("/api/wellness/journal")
    assert r.status == 500 and b"one" not in r.body
    stack.query("DELETE FROM journal_entries WHERE id = %s", (two["id"],))
    assert expect(a.get("/api/wellness/journal"), 200).json["items"][0]["text"] == "one"


# ------------------------------------------------------------------ another user's entries

def test_idor_another_users_entry_is_404(stack):
    a, b = seeker(stack), seeker(stack)
    e = expect(a.post("/api/wellness/journal", {"text": "mine alone"}), 201).json
    expect(b.put(f"/api/wellness/journal/{e['id']}", {"text": "overwritten"}), 404, "not_found")
    expect(b.delete(f"/api/wellness/journal/{e['id']}"), 404, "not_found")
    assert expect(b.get("/api/wellness/journal"), 200).json["items"] == []
    # and nothing changed for the owner
    items = expect(a.get("/api/wellness/journal"), 200).json["items"]
    assert [(i["id"], i["text"]) for i in items] == [(e["id"], "mine alone")]
    # an unknown id is the same 404; a malformed one matches no route
    expect(b.delete(f"/api/wellness/journal/{uuid.uuid4()}"), 404, "not_found")
    expect(b.delete("/api/wellness/journal/not-a-uuid"), 404)


def test_signed_out_is_401(stack):
    anon = stack.client("bearer")
    expect(anon.get("/api/wellness/journal"), 401)
    expect(anon.post("/api/wellness/journal", {"text": "x"}), 401)


# ------------------------------------------------------------------ bad input

HOSTILE = battery.hostile_text("journal_entries") + ["\u202e\u0007", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☃ " * 3]


@pytest.fixture(scope="module")
def world(stack):
    a = seeker(stack)
    e = expect(a.post("/api/wellness/journal", {"text": "to edit"}), 201).json
    return {"client": a, "entry": e["id"]}


BODY_ROUTES = [
    battery.route("POST", "/api/wellness/journal", lambda w: {"text": "hello"}, {"text": "str"}, ["text"],
                  max_len={"text": 2000}),
    battery.route("PUT", "/api/wellness/journal/{id}", lambda w: {"text": "hello again"}, {"text": "str"}, ["text"],
                  max_len={"text": 2000}),
]


def count(stack, user_id):
    return stack.query("SELECT count(*), max(updated_at)::text FROM journal_entries WHERE user_id = %s", (user_id,))[0]


@pytest.mark.parametrize("rt,kind,payload,field",
                         battery.cases(BODY_ROUTES, HOSTILE, unknown_fields=("user_id", "id", "created_at"),
                                       control_chars=True))
def test_bad_body(stack, world, rt, kind, payload, field):
    c = world["client"]
    send = battery.sender(c, rt["method"], rt["path"].replace("{id}", world["entry"]))
    before = count(stack, c.user_id)
    r = battery.check(rt, kind, payload, field, send, lambda: rt["valid"](world))
    if kind == "hostile":
        if r.status < 400:
            assert r.json["text"] == payload           # stored and given back as written
        return
    assert count(stack, c.user_id) == before, "a refused request changed something"


# A well-formed token whose second part is not a UUID.
FORGED_CURSOR = base64.urlsafe_b64encode(b"c1\x1f123\x1fnot-a-uuid").decode().rstrip("=")


@pytest.mark.parametrize("query,field", [
    ("limit=0", "limit"), ("limit=101", "limit"), ("limit=abc", "limit"), ("limit=1e3", "limit"),
    ("limit=99999999999999999999999", "limit"), ("cursor=", "cursor"), ("cursor=not-a-cursor", "cursor"),
    ("cursor=" + "A" * 600, "cursor"), ("cursor=" + FORGED_CURSOR, "cursor"), ("since=1", "query"),
    ("limit=%ff", "limit"),
])
def test_bad_query(stack, world, query, field):
    r = world["client"].get("/api/wellness/journal?" + query)
    battery.assert_error(r, codes={"invalid_field"}, field=field, statuses={400})


def test_delete_takes_no_body(stack, world):
    r = world["client"].request("DELETE", f"/api/wellness/journal/{world['entry']}", data=b'{"a": 1}')
    battery.assert_error(r, codes={"invalid_field"}, field="body", statuses={400})
    expect(world["client"].get("/api/wellness/journal"), 200)


# ------------------------------------------------------------------ canaries

def test_journal_canary_absent_from_dump_and_logs(stack):
    a = seeker(stack)
    canary = f"JournalDumpCanary{secrets.token_hex(10)}"
    expect(a.post("/api/wellness/journal", {"text": f"{canary} and {CRISIS_TEXT}"}), 201)
    e = expect(a.post("/api/wellness/journal", {"text": "first draft"}), 201).json
    expect(a.put(f"/api/wellness/journal/{e['id']}", {"text": canary + " edited"}), 200)
    assert json.dumps(expect(a.get("/api/wellness/journal"), 200).json).count(canary) == 2
    dump = stack.pg_dump()
    forms = {canary.encode(), canary.lower().encode(), canary.encode().hex().encode()}
    assert not any(f in dump for f in forms), "journal text found in pg_dump"
    for p in stack.log_files():
        data = p.read_bytes()
        assert not any(f in data for f in forms), f"journal text found in {p}"
