"""The safety plan (cgi-bin/wellness): one per user, sealed as one JSON document; crisis lines in
every answer, also without a plan; every list and entry checked (naming the bad place); another
user never sees it; audited without content; the text absent from pg_dump and the logs."""

import json
import secrets

import pytest

import bad_input_battery as battery
from astral_client import expect

LISTS = ["warning_signs", "coping_strategies", "distractions", "support_people", "professionals",
         "safe_environment", "reasons_for_living"]


def seeker(stack):
    c = stack.client("bearer")
    c.anonymous()
    return c


def empty_plan():
    return {k: [] for k in LISTS}


def full_plan(marker="x"):
    return {
        "warning_signs": [f"Not sleeping {marker}", "Skipping meals"],
        "coping_strategies": ["Walk the dog", "Box breathing, four counts each"],
        "distractions": [{"name": "The library", "contact": None}, {"name": "Cousin Ana", "contact": "Sunday lunch"},
                         {"name": "The park"}],
        "support_people": [{"name": "Sam", "phone": "+44 (0)20 7946 0000"}, {"name": "Neighbour", "phone": None}],
        "professionals": [{"name": "Dr Rivera, GP", "phone": "555-0100"}],
        "safe_environment": ["Give the spare medicine to Sam"],
        "reasons_for_living": ["My sister", "Finishing the garden"],
    }


def test_empty_plan_still_shows_crisis_lines(stack):
    c = seeker(stack)
    p = expect(c.get("/api/wellness/safety-plan"), 200).json
    assert {k: p[k] for k in LISTS} == empty_plan()
    assert p["updated_at"] is None and p["version"] is None
    hrefs = {r["href"] for r in p["crisis_resources"]}
    assert "tel:988" in hrefs and "sms:741741?body=HOME" in hrefs
    assert "no-store" in c.last.headers["Cache-Control"]


def test_put_then_get_round_trip(stack, clock):
    c = seeker(stack)
    plan = full_plan()
    r = expect(c.put("/api/wellness/safety-plan", plan), 200).json
    # objects always carry their second key (null when left out)
    want = json.loads(json.dumps(plan))
    want["distractions"][2]["contact"] = None
    assert {k: r[k] for k in LISTS} == want
    assert r["updated_at"] and r["crisis_resources"]
    clock.advance(120)
    g = expect(c.get("/api/wellness/safety-plan"), 200).json
    assert {k: g[k] for k in LISTS} == want and g["updated_at"] == r["updated_at"]
    # a second PUT, naming the version it edits, replaces the whole plan
    r2 = expect(c.put("/api/wellness/safety-plan", empty_plan() | {"reasons_for_living": ["Tomorrow"],
                                                                    "version": g["version"]}), 200).json
    assert r2["reasons_for_living"] == ["Tomorrow"] and r2["warning_signs"] == []
    assert r2["updated_at"] > r["updated_at"] and r2["version"] != r["version"]
    assert stack.query("SELECT count(*) FROM safety_plans WHERE user_id = %s", (c.user_id,)) == [(1,)]
    rows = stack.query("SELECT action, detail, object_id::text FROM audit_log WHERE actor_id = %s"
                       " AND object_type = 'safety_plan' ORDER BY id", (c.user_id,))
    assert [(a, d) for a, d, _ in rows] == [("safety_plan_write", "created"), ("safety_plan_read", None),
                                            ("safety_plan_write", "updated")]
    assert {o for _, _, o in rows} == {c.user_id}


# ------------------------------------------------------------------ concurrent edits

def plan_changed(r, want_plan):
    """A 409 plan_changed carrying the current plan."""
    battery.assert_error(r, codes={"plan_changed"}, statuses={409})
    current = r.json["error"]["plan"]
    assert {k: current[k] for k in LISTS} == {k: want_plan[k] for k in LISTS}
    assert current["version"] == want_plan["version"] and current["crisis_resources"]
    return current


def test_a_stale_save_is_409_with_the_current_plan_and_changes_nothing(stack):
    """Two devices open version 1; the first adds a support person, the second (stale) a coping
    strategy: the second must not wipe Ana."""
    c = seeker(stack)
    base = expect(c.put("/api/wellness/safety-plan", empty_plan() | {"reasons_for_living": ["my cat"]}), 200).json
    assert isinstance(base["version"], int)
    ana = {"name": "Ana", "phone": "600 000 000"}
    first = expect(c.put("/api/wellness/safety-plan",
                         empty_plan() | {"reasons_for_living": ["my cat"], "support_people": [ana],
                                         "version": base["version"]}), 200).json
    assert first["version"] != base["version"]
    stored = stack.query("SELECT plan, updated_at FROM safety_plans WHERE user_id = %s", (c.user_id,))
    stale = {k: base[k] for k in LISTS} | {"coping_strategies": ["walk by the river"], "version": base["version"]}
    current = plan_changed(c.put("/api/wellness/safety-plan", stale), first)
    assert current["support_people"] == [ana]
    assert stack.query("SELECT plan, updated_at FROM safety_plans WHERE user_id = %s", (c.user_id,)) == stored
    got = expect(c.get("/api/wellness/safety-plan"), 200).json
    assert got["support_people"] == [ana] and got["coping_strategies"] == [] and got["version"] == first["version"]
    # the change applied to the current plan goes through
    merged = expect(c.put("/api/wellness/safety-plan",
                          {k: current[k] for k in LISTS} | {"coping_strategies": ["walk by the river"],
                                                            "version": current["version"]}), 200).json
    assert merged["support_people"] == [ana] and merged["coping_strategies"] == ["walk by the river"]
    rows = stack.query("SELECT action, detail FROM audit_log WHERE actor_id = %s AND object_type = 'safety_plan'"
                       " ORDER BY id", (c.user_id,))
    assert ("safety_plan_read", "conflict") in rows
    assert [a for a, _ in rows].count("safety_plan_write") == 3


def test_a_save_without_a_version_only_makes_the_first_plan(stack):
    c = seeker(stack)
    first = expect(c.put("/api/wellness/safety-plan", full_plan("one")), 200).json
    plan_changed(c.put("/api/wellness/safety-plan", empty_plan()), first)
    assert expect(c.get("/api/wellness/safety-plan"), 200).json["warning_signs"][0] == "Not sleeping one"


def test_saves_in_the_same_second_get_new_versions(stack):
    c = seeker(stack)
    v0 = expect(c.put("/api/wellness/safety-plan", full_plan()), 200).json
    v1 = expect(c.put("/api/wellness/safety-plan", full_plan("b") | {"version": v0["version"]}), 200).json
    v2 = expect(c.put("/api/wellness/safety-plan", full_plan("c") | {"version": v1["version"]}), 200).json
    assert len({v0["version"], v1["version"], v2["version"]}) == 3
    plan_changed(c.put("/api/wellness/safety-plan", full_plan("d") | {"version": v1["version"]}), v2)
    # a plan written by a clock that was ahead (now gone back) still gets a newer version
    stack.query("UPDATE safety_plans SET updated_at = updated_at + interval '1 hour' WHERE user_id = %s",
                (c.user_id,))
    ahead = expect(c.get("/api/wellness/safety-plan"), 200).json["version"]
    v3 = expect(c.put("/api/wellness/safety-plan", full_plan("e") | {"version": ahead}), 200).json
    assert v3["version"] > ahead


@pytest.mark.parametrize("version", ["1", 0, -1, 1.5, True, None, [], {}])
def test_a_bad_version_is_400(stack, version):
    c = seeker(stack)
    r = c.put("/api/wellness/safety-plan", full_plan() | {"version": version})
    battery.assert_error(r, codes={"invalid_field"}, field="version", statuses={400})
    assert stack.query("SELECT count(*) FROM safety_plans WHERE user_id = %s", (c.user_id,)) == [(0,)]


def test_limits_are_inclusive(stack):
    c = seeker(stack)
    plan = empty_plan()
    plan["warning_signs"] = ["é" * 300] * 20
    plan["support_people"] = [{"name": "n" * 300, "phone": "1" * 32}, {"name": "a", "phone": "123"}]
    expect(c.put("/api/wellness/safety-plan", plan), 200)


def test_a_plan_full_to_every_limit_in_four_byte_characters_fits(stack):
    """Every list at 20 entries and every text at 300 code points of a 4-byte character: about
    200 KB of JSON, over the usual 64 KB, under the route's 256 KB."""
    c = seeker(stack)
    t = "\U0001F331" * 300
    plan = {k: [t] * 20 for k in ("warning_signs", "coping_strategies", "safe_environment", "reasons_for_living")}
    plan["distractions"] = [{"name": t, "contact": t}] * 20
    plan["support_people"] = [{"name": t, "phone": "+44 (0)20 7946 0000"}] * 20
    plan["professionals"] = [{"name": t, "phone": "555-0100"}] * 20
    body = json.dumps(plan, ensure_ascii=False).encode("utf-8")
    assert 180 * 1024 < len(body) < 256 * 1024
    r = expect(c.request("PUT", "/api/wellness/safety-plan", data=body, content_type="application/json"), 200).json
    assert {k: r[k] for k in LISTS} == plan
    g = expect(c.get("/api/wellness/safety-plan"), 200).json
    assert g["professionals"][19]["name"] == t


@pytest.mark.parametrize("change,field", [
    ({"warning_signs": ["x"] * 21}, "warning_signs"),
    ({"warning_signs": ["x" * 301]}, "warning_signs[0]"),
    ({"warning_signs": ["ok", "   "]}, "warning_signs[1]"),
    ({"warning_signs": ["ok", ""]}, "warning_signs[1]"),
    ({"coping_strategies": ["line\nbreak"]}, "coping_strategies[0]"),
    ({"coping_strategies": [3]}, "coping_strategies[0]"),
    ({"coping_strategies": [None]}, "coping_strategies[0]"),
    ({"coping_strategies": [["nested"]]}, "coping_strategies[0]"),
    ({"coping_strategies": ["a\u0000b"]}, "coping_strategies[0]"),
    ({"reasons_for_living": "My sister"}, "reasons_for_living"),
    ({"reasons_for_living": {"0": "x"}}, "reasons_for_living"),
    ({"support_people": [{"name": "Sam", "phone": "call me"}]}, "support_people[0].phone"),
    ({"support_people": [{"name": "Sam", "phone": "12"}]}, "support_people[0].phone"),
    ({"support_people": [{"name": "Sam", "phone": "1" * 33}]}, "support_people[0].phone"),
    ({"support_people": [{"name": "Sam", "phone": "+() -"}]}, "support_people[0].phone"),
    ({"support_people": [{"name": "Sam", "phone": 5550100}]}, "support_people[0].phone"),
    ({"support_people": [{"name": "Sam", "phone": "555\u0000"}]}, "support_people[0].phone"),
    ({"professionals": [{"phone": "555-0100"}]}, "professionals[0].name"),
    ({"professionals": [{"name": "GP", "email": "gp@example.org"}]}, "professionals[0]"),
    ({"professionals": ["Dr Rivera"]}, "professionals[0]"),
    ({"distractions": [{"name": "Park", "contact": ""}]}, "distractions[0].contact"),
    ({"distractions": [{"name": "Park", "phone": "555-0100"}]}, "distractions[0]"),
    ({"distractions": [{"name": "x" * 301}]}, "distractions[0].name"),
    ({"distractions": [{"name": None}]}, "distractions[0].name"),
])
def test_bad_entries_are_named(stack, change, field):
    c = seeker(stack)
    expect(c.put("/api/wellness/safety-plan", full_plan()), 200)
    before = stack.query("SELECT plan, updated_at FROM safety_plans WHERE user_id = %s", (c.user_id,))
    r = c.put("/api/wellness/safety-plan", full_plan() | change)
    battery.assert_error(r, codes={"invalid_field"}, field=field, statuses={400})
    assert stack.query("SELECT plan, updated_at FROM safety_plans WHERE user_id = %s", (c.user_id,)) == before


def test_several_bad_entries_are_all_named(stack):
    c = seeker(stack)
    plan = full_plan() | {"warning_signs": ["ok", ""], "support_people": [{"name": "", "phone": "abc"}]}
    r = c.put("/api/wellness/safety-plan", plan)
    battery.assert_error(r, codes={"invalid_field"}, statuses={400})
    assert {"warning_signs[1]", "support_people[0].name", "support_people[0].phone"} <= set(r.error_fields), r


def test_read_only_fields_are_refused(stack):
    c = seeker(stack)
    got = expect(c.get("/api/wellness/safety-plan"), 200).json
    r = c.put("/api/wellness/safety-plan", got)           # updated_at and crisis_resources sent back
    battery.assert_error(r, codes={"invalid_field"}, statuses={400})
    assert {"updated_at", "crisis_resources"} & set(r.error_fields), r


def test_each_user_sees_only_their_plan(stack):
    a, b = seeker(stack), seeker(stack)
    expect(a.put("/api/wellness/safety-plan", full_plan("alice-only")), 200)
    pb = expect(b.get("/api/wellness/safety-plan"), 200).json
    assert pb["updated_at"] is None and pb["warning_signs"] == []
    expect(b.put("/api/wellness/safety-plan", empty_plan() | {"warning_signs": ["bob"]}), 200)
    pa = expect(a.get("/api/wellness/safety-plan"), 200).json
    assert pa["warning_signs"][0] == "Not sleeping alice-only"
    assert stack.query("SELECT count(*) FROM safety_plans WHERE user_id IN (%s, %s)", (a.user_id, b.user_id)) == [(2,)]


def test_a_plan_moved_to_another_user_does_not_open(stack):
    """AAD binds the plan to its owner: copied to another user's row it fails (500), never leaks."""
    a, b = seeker(stack), seeker(stack)
    expect(a.put("/api/wellness/safety-plan", full_plan("moved")), 200)
    expect(b.put("/api/wellness/safety-plan", empty_plan()), 200)
    stack.query("UPDATE safety_plans SET plan = (SELECT plan FROM safety_plans WHERE user_id = %s)"
                " WHERE user_id = %s", (a.user_id, b.user_id))
    r = b.get("/api/wellness/safety-plan")
    assert r.status == 500 and b"moved" not in r.body


def test_signed_out_is_401(stack):
    anon = stack.client("bearer")
    expect(anon.get("/api/wellness/safety-plan"), 401)
    expect(anon.put("/api/wellness/safety-plan", empty_plan()), 401)


# ------------------------------------------------------------------ the battery

@pytest.fixture(scope="module")
def world(stack):
    return {"client": seeker(stack)}


BODY_ROUTES = [
    battery.route("PUT", "/api/wellness/safety-plan", lambda w: full_plan(), {k: "list" for k in LISTS}, LISTS,
                  max_body=256 * 1024),
]


@pytest.mark.parametrize("rt,kind,payload,field",
                         battery.cases(BODY_ROUTES, [], unknown_fields=("user_id", "updated_at", "crisis_resources")))
def test_bad_body(stack, world, rt, kind, payload, field):
    c = world["client"]
    before = stack.query("SELECT plan, updated_at FROM safety_plans WHERE user_id = %s", (c.user_id,))
    battery.check(rt, kind, payload, field, battery.sender(c, rt["method"], rt["path"]), lambda: rt["valid"](world))
    assert stack.query("SELECT plan, updated_at FROM safety_plans WHERE user_id = %s", (c.user_id,)) == before


@pytest.mark.parametrize("text", battery.hostile_text("safety_plans") + ["\u202e", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☃"])
def test_hostile_text_is_stored_as_written(stack, world, text):
    c = world["client"]
    version = expect(c.get("/api/wellness/safety-plan"), 200).json["version"]
    plan = empty_plan() | {"warning_signs": [text], "support_people": [{"name": text, "phone": None}]}
    if version is not None:
        plan["version"] = version
    r = expect(c.put("/api/wellness/safety-plan", plan), 200).json
    assert r["warning_signs"] == [text] and r["support_people"][0]["name"] == text


def test_get_takes_no_query(stack, world):
    r = world["client"].get("/api/wellness/safety-plan?print=1")
    battery.assert_error(r, codes={"invalid_field"}, field="query", statuses={400})


# ------------------------------------------------------------------ canaries

def test_plan_canary_absent_from_dump_and_logs(stack):
    c = seeker(stack)
    canary = f"PlanCanary{secrets.token_hex(10)}"
    plan = full_plan(canary) | {"support_people": [{"name": f"Friend {canary}", "phone": "555-0199"}]}
    expect(c.put("/api/wellness/safety-plan", plan), 200)
    assert canary in json.dumps(expect(c.get("/api/wellness/safety-plan"), 200).json)
    dump = stack.pg_dump()
    forms = {canary.encode(), canary.lower().encode(), canary.encode().hex().encode()}
    assert not any(f in dump for f in forms), "safety plan text found in pg_dump"
    for p in stack.log_files():
        data = p.read_bytes()
        assert not any(f in data for f in forms), f"safety plan text found in {p}"
