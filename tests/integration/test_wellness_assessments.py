"""PHQ-9 and GAD-7 (cgi-bin/wellness): the public definitions, scoring on the server with every
band, the item-9 path with and without consent to be contacted (an alert only on a yes, once),
history pages, the FHIR R4 export, answers sealed and audited, another user's ids 404, bad input
a 4xx naming the field."""

import json
import uuid

import pytest

import bad_input_battery as battery
from astral_client import contract, expect
from conftest import SRC

PHQ9_ITEMS = ["44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3", "44260-8"]
GAD7_ITEMS = ["69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"]
ANSWER_CODES = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]


def seeker(stack):
    c = stack.client("bearer")
    c.anonymous()
    return c


def answers_for(kind, score, item9=0):
    """Answers of `kind` summing to `score`, item 9 (PHQ-9) set to `item9`."""
    n = 9 if kind == "phq9" else 7
    out = [0] * n
    left = score
    if kind == "phq9":
        out[8] = item9
        left -= item9
    for i in range(n):
        if kind == "phq9" and i == 8:
            continue
        out[i] = min(3, left)
        left -= out[i]
    assert left == 0
    return out


def submit(c, kind, answers, **extra):
    return expect(c.post("/api/wellness/assessments", {"kind": kind, "answers": answers, **extra}), 201).json


def alerts_for(stack, assessment_id):
    return stack.query("SELECT source, severity, categories::text, rules::text, user_id::text FROM crisis_alerts"
                       " WHERE source_id = %s", (assessment_id,))


# ------------------------------------------------------------------ definitions

def test_definitions_are_public_cacheable_and_complete(stack):
    anon = stack.client("bearer")
    r = expect(anon.get("/api/wellness/assessments/definitions", auth=False), 200)
    assert r.headers["Cache-Control"] == "public, max-age=3600"
    d = r.json
    assert "screening tool, not a diagnosis" in d["disclaimer"]
    # The web UI words it from its catalogues: the English one says what the server says.
    page = json.loads((SRC / "htdocs" / "i18n" / "en" / "wellness.json").read_text())
    assert page["assessments"]["disclaimer"] == d["disclaimer"]
    assert [(o["value"], o["label"], o["loinc"]) for o in d["options"]] == [
        (0, "Not at all", "LA6568-5"), (1, "Several days", "LA6569-3"),
        (2, "More than half the days", "LA6570-1"), (3, "Nearly every day", "LA6571-9")]
    kinds = {k["kind"]: k for k in d["kinds"]}
    assert set(kinds) == {"phq9", "gad7"}
    phq, gad = kinds["phq9"], kinds["gad7"]
    assert (phq["loinc"], phq["total_loinc"], phq["max"], phq["safety_item"]) == ("44249-1", "44261-6", 27, 9)
    assert (gad["loinc"], gad["total_loinc"], gad["max"], gad["safety_item"]) == ("69737-5", "70274-6", 21, None)
    assert [i["loinc"] for i in phq["items"]] == PHQ9_ITEMS
    assert [i["loinc"] for i in gad["items"]] == GAD7_ITEMS
    assert phq["items"][0]["text"] == "Little interest or pleasure in doing things"
    assert phq["items"][8]["text"].startswith("Thoughts that you would be better off dead")
    assert gad["items"][0]["text"] == "Feeling nervous, anxious, or on edge"
    assert phq["instruction"].startswith("Over the last 2 weeks")
    assert [(b["band"], b["min"], b["max"]) for b in phq["bands"]] == [
        ("minimal", 0, 4), ("mild", 5, 9), ("moderate", 10, 14), ("moderately_severe", 15, 19), ("severe", 20, 27)]
    assert [(b["band"], b["min"], b["max"]) for b in gad["bands"]] == [
        ("minimal", 0, 4), ("mild", 5, 9), ("moderate", 10, 14), ("severe", 15, 21)]
    assert all(b["recommendation"] for b in phq["bands"] + gad["bands"])


def test_definitions_take_no_query(stack):
    r = stack.client().get("/api/wellness/assessments/definitions?x=1", auth=False)
    battery.assert_error(r, codes={"invalid_field"}, field="query", statuses={400})
    assert "no-store" in r.headers["Cache-Control"]          # errors are never cached


# ------------------------------------------------------------------ scoring

PHQ9_BOUNDARIES = [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
                   (15, "moderately_severe"), (19, "moderately_severe"), (20, "severe"), (27, "severe")]
GAD7_BOUNDARIES = [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
                   (15, "severe"), (21, "severe")]


@pytest.fixture(scope="module")
def scorer(stack):
    return seeker(stack)


@pytest.mark.parametrize("kind,score,band", [("phq9", s, b) for s, b in PHQ9_BOUNDARIES]
                         + [("gad7", s, b) for s, b in GAD7_BOUNDARIES])
def test_scored_on_the_server_at_every_boundary(stack, scorer, kind, score, band):
    item9 = 3 if kind == "phq9" and score == 27 else 0
    a = submit(scorer, kind, answers_for(kind, score, item9))
    assert (a["kind"], a["score"], a["band"]) == (kind, score, band)
    assert a["max"] == (27 if kind == "phq9" else 21)
    assert a["band_label"] and a["recommendation"]
    assert a["item9_positive"] is (item9 > 0)
    row = stack.query("SELECT kind, score, band, item9_positive FROM assessments WHERE id = %s", (a["id"],))[0]
    assert row == (kind, score, band, item9 > 0)


def test_history_newest_first_in_pages(stack, clock):
    c = seeker(stack)
    ids = []
    for i in range(5):
        clock.advance(60)
        ids.append(submit(c, "gad7", answers_for("gad7", i))["id"])
    page1 = expect(c.get("/api/wellness/assessments?limit=2"), 200).json
    assert [a["id"] for a in page1["items"]] == ids[::-1][:2]
    page2 = expect(c.get(f"/api/wellness/assessments?limit=2&cursor={page1['next']}"), 200).json
    page3 = expect(c.get(f"/api/wellness/assessments?limit=2&cursor={page2['next']}"), 200).json
    assert [a["id"] for a in page2["items"] + page3["items"]] == ids[::-1][2:]
    assert page3["next"] is None
    first = page1["items"][0]
    assert first["answers"] == answers_for("gad7", 4) and first["crisis"] is None
    assert first["safety_plan_prompt"] is False


# ------------------------------------------------------------------ item 9

def test_item9_without_consent_shows_resources_and_raises_no_alert(stack):
    c = seeker(stack)
    a = submit(c, "phq9", answers_for("phq9", 6, item9=1))
    assert a["item9_positive"] is True and a["safety_plan_prompt"] is True
    assert a["contact_requested"] is None
    assert a["crisis"]["severity"] == "medium"
    assert {"suicide", "self_harm"} <= set(a["crisis"]["categories"])
    assert any(r["href"] == "tel:988" for r in a["crisis"]["resources"])
    assert alerts_for(stack, a["id"]) == []
    # a no, given after seeing the result: still no alert
    r = expect(c.post(f"/api/wellness/assessments/{a['id']}/contact", {"contact_requested": False}), 200).json
    assert r["contact_requested"] is False and r["crisis"] is not None
    assert alerts_for(stack, a["id"]) == []
    # in the history: the flag, not the crisis object
    h = expect(c.get("/api/wellness/assessments"), 200).json["items"][0]
    assert h["item9_positive"] is True and h["crisis"] is None and h["contact_requested"] is False


def test_item9_with_consent_in_the_submit_raises_one_alert(stack):
    c = seeker(stack)
    a = submit(c, "phq9", answers_for("phq9", 12, item9=2), contact_requested=True)
    assert a["contact_requested"] is True and a["crisis"]["severity"] == "high"
    rows = alerts_for(stack, a["id"])
    assert len(rows) == 1
    source, severity, categories, rules, user = rows[0]
    assert (source, severity, user) == ("assessment", "high", c.user_id)
    assert "suicide" in categories and "assessment.phq9_item9" in rules
    # a yes again changes nothing and raises nothing
    r = expect(c.post(f"/api/wellness/assessments/{a['id']}/contact", {"contact_requested": True}), 200).json
    assert r["contact_requested"] is True
    assert len(alerts_for(stack, a["id"])) == 1
    # a yes is not taken back once the alert is on its way
    expect(c.post(f"/api/wellness/assessments/{a['id']}/contact", {"contact_requested": False}), 409, "conflict")
    assert stack.query("SELECT contact_requested FROM assessments WHERE id = %s", (a["id"],)) == [(True,)]


def test_item9_consent_later_through_contact_raises_one_alert(stack):
    c = seeker(stack)
    a = submit(c, "phq9", answers_for("phq9", 3, item9=3), contact_requested=False)
    assert a["contact_requested"] is False and alerts_for(stack, a["id"]) == []
    r = expect(c.post(f"/api/wellness/assessments/{a['id']}/contact", {"contact_requested": True}), 200).json
    assert r["contact_requested"] is True and r["item9_positive"] is True
    assert r["answers"] == answers_for("phq9", 3, item9=3)
    assert [row[:2] for row in alerts_for(stack, a["id"])] == [("assessment", "high")]
    expect(c.post(f"/api/wellness/assessments/{a['id']}/contact", {"contact_requested": True}), 200)
    assert len(alerts_for(stack, a["id"])) == 1
    actions = stack.query("SELECT action, detail FROM audit_log WHERE object_id = %s ORDER BY id", (a["id"],))
    assert actions == [("assessment_submit", "phq9"), ("assessment_contact", "yes"),
                       ("assessment_read", "contact_unchanged")]


def test_contact_is_only_asked_beside_a_positive_item9(stack):
    c = seeker(stack)
    phq = submit(c, "phq9", answers_for("phq9", 20, item9=0), contact_requested=True)
    assert phq["item9_positive"] is False and phq["contact_requested"] is None and phq["crisis"] is None
    assert phq["safety_plan_prompt"] is False
    gad = submit(c, "gad7", answers_for("gad7", 21), contact_requested=True)
    assert gad["contact_requested"] is None
    for a in (phq, gad):
        assert alerts_for(stack, a["id"]) == []
        expect(c.post(f"/api/wellness/assessments/{a['id']}/contact", {"contact_requested": True}), 409, "conflict")
        assert alerts_for(stack, a["id"]) == []


# ------------------------------------------------------------------ FHIR

def test_fhir_export_is_a_bundle_of_questionnaire_responses(stack, clock):
    c = seeker(stack)
    r = c.get("/api/wellness/assessments/export.fhir.json", check=False)
    assert r.status == 200 and r.headers["Content-Type"].startswith("application/fhir+json")
    empty = json.loads(r.body)
    assert empty["resourceType"] == "Bundle" and empty["type"] == "collection" and "entry" not in empty
    assert not contract().schema_errors("schemas/FhirAssessmentBundle", empty)

    phq_answers = [0, 1, 2, 3, 0, 1, 2, 3, 1]
    phq = submit(c, "phq9", phq_answers)
    clock.advance(30)
    gad = submit(c, "gad7", [3, 2, 1, 0, 1, 2, 3])
    r = c.get("/api/wellness/assessments/export.fhir.json", check=False)
    assert r.status == 200 and "no-store" in r.headers["Cache-Control"]
    assert r.headers["Content-Disposition"] == 'attachment; filename="assessments.fhir.json"'
    bundle = json.loads(r.body)
    errors = contract().schema_errors("schemas/FhirAssessmentBundle", bundle)
    assert not errors, [e.message for e in errors]
    entries = bundle["entry"]
    assert [e["resource"]["id"] for e in entries] == [phq["id"], gad["id"]]           # oldest first
    assert entries[0]["fullUrl"] == f"urn:uuid:{phq['id']}"
    qr = entries[0]["resource"]
    assert qr["resourceType"] == "QuestionnaireResponse" and qr["status"] == "completed"
    assert qr["questionnaire"] == "urn:astral-core:questionnaire:phq9"
    assert qr["authored"] == phq["created_at"]
    assert [i["linkId"] for i in qr["item"]] == PHQ9_ITEMS + ["44261-6"]
    for item, value in zip(qr["item"][:9], phq_answers):
        coding = item["answer"][0]["valueCoding"]
        assert coding == {"system": "http://loinc.org", "code": ANSWER_CODES[value],
                          "display": ["Not at all", "Several days", "More than half the days",
                                      "Nearly every day"][value]}
    assert qr["item"][9]["answer"] == [{"valueInteger": sum(phq_answers)}]
    g = entries[1]["resource"]
    assert [i["linkId"] for i in g["item"]] == GAD7_ITEMS + ["70274-6"]
    assert g["item"][-1]["answer"] == [{"valueInteger": 12}]
    # FHIR JSON: no nulls, no empty arrays or objects anywhere
    def walk(v):
        assert v is not None and v != [] and v != {} and v != ""
        if isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
    walk(bundle)
    rows = stack.query("SELECT count(*) FROM audit_log WHERE actor_id = %s AND action = 'assessment_read'"
                       " AND detail = 'export_fhir'", (c.user_id,))
    assert rows == [(2,)]


def test_fhir_export_is_mine_only(stack):
    a, b = seeker(stack), seeker(stack)
    submit(a, "gad7", answers_for("gad7", 5))
    r = b.get("/api/wellness/assessments/export.fhir.json", check=False)
    assert r.status == 200 and "entry" not in json.loads(r.body)


# ------------------------------------------------------------------ storage, audit, IDOR

def test_answers_are_sealed_and_audited(stack):
    c = seeker(stack)
    answers = [3, 1, 2, 0, 3, 1, 2, 0, 1]
    a = submit(c, "phq9", answers)
    sealed = stack.query("SELECT answers FROM assessments WHERE id = %s", (a["id"],))[0][0]
    assert json.dumps(answers, separators=(",", ":")).encode() not in bytes(sealed)
    assert len(bytes(sealed)) > 33
    expect(c.get("/api/wellness/assessments"), 200)
    rows = stack.query("SELECT action, object_id::text, subject_id::text, detail FROM audit_log"
                       " WHERE actor_id = %s AND object_type = 'assessment' ORDER BY id", (c.user_id,))
    assert rows == [("assessment_submit", a["id"], c.user_id, "phq9"), ("assessment_read", None, c.user_id, "list")]


def test_idor_another_users_assessment(stack):
    a, b = seeker(stack), seeker(stack)
    mine = submit(a, "phq9", answers_for("phq9", 5, item9=1))
    expect(b.post(f"/api/wellness/assessments/{mine['id']}/contact", {"contact_requested": True}), 404, "not_found")
    assert alerts_for(stack, mine["id"]) == []
    assert expect(b.get("/api/wellness/assessments"), 200).json["items"] == []
    expect(b.post(f"/api/wellness/assessments/{uuid.uuid4()}/contact", {"contact_requested": True}), 404)
    assert stack.query("SELECT contact_requested FROM assessments WHERE id = %s", (mine["id"],)) == [(None,)]


def test_signed_out_is_401(stack):
    anon = stack.client("bearer")
    expect(anon.get("/api/wellness/assessments"), 401)
    expect(anon.post("/api/wellness/assessments", {"kind": "gad7", "answers": [0] * 7}), 401)
    expect(anon.get("/api/wellness/assessments/export.fhir.json"), 401)


# ------------------------------------------------------------------ bad answers and the battery

@pytest.mark.parametrize("body,field", [
    ({"kind": "phq9", "answers": [0] * 8}, "answers"),
    ({"kind": "phq9", "answers": [0] * 10}, "answers"),
    ({"kind": "gad7", "answers": [0] * 9}, "answers"),
    ({"kind": "phq9", "answers": []}, "answers"),
    ({"kind": "phq9", "answers": [0] * 17}, "answers"),
    ({"kind": "phq9", "answers": [0, 0, 0, 4, 0, 0, 0, 0, 0]}, "answers[3]"),
    ({"kind": "phq9", "answers": [0, 0, 0, 0, 0, 0, 0, 0, -1]}, "answers[8]"),
    ({"kind": "gad7", "answers": [0, 1.5, 0, 0, 0, 0, 0]}, "answers[1]"),
    ({"kind": "gad7", "answers": [0, 1, "2", 0, 0, 0, 0]}, "answers[2]"),
    ({"kind": "gad7", "answers": [0, 1, 2, None, 0, 0, 0]}, "answers[3]"),
    ({"kind": "gad7", "answers": [0, 1, 2, True, 0, 0, 0]}, "answers[3]"),
    ({"kind": "gad7", "answers": [[0], 1, 2, 3, 0, 0, 0]}, "answers[0]"),
    ({"kind": "gad7", "answers": [{"v": 1}, 1, 2, 3, 0, 0, 0]}, "answers[0]"),
    ({"kind": "phq8", "answers": [0] * 8}, "kind"),
    ({"kind": "PHQ9", "answers": [0] * 9}, "kind"),
    ({"answers": [0] * 9}, "kind"),
    ({"kind": "phq9"}, "answers"),
    ({"kind": "phq9", "answers": [0] * 9, "score": 27}, "score"),
    ({"kind": "phq9", "answers": [0] * 9, "contact_requested": "yes"}, "contact_requested"),
])
def test_bad_answers_are_refused_naming_the_place(stack, scorer, body, field):
    before = stack.query("SELECT count(*) FROM assessments WHERE user_id = %s", (scorer.user_id,))
    r = scorer.post("/api/wellness/assessments", body)
    battery.assert_error(r, codes={"invalid_field"}, field=field, statuses={400})
    assert stack.query("SELECT count(*) FROM assessments WHERE user_id = %s", (scorer.user_id,)) == before


def test_huge_answer_is_refused(stack, scorer):
    r = scorer.request("POST", "/api/wellness/assessments",
                       data=b'{"kind":"gad7","answers":[0,0,0,0,0,0,123456789012345678901234567890]}')
    battery.assert_error(r, codes={"invalid_field", "invalid_json"}, statuses={400})


HOSTILE = battery.hostile_text("assessments")


@pytest.fixture(scope="module")
def world(stack):
    c = seeker(stack)
    a = submit(c, "phq9", answers_for("phq9", 2, item9=1))
    return {"client": c, "assessment": a["id"]}


BODY_ROUTES = [
    battery.route("POST", "/api/wellness/assessments", lambda w: {"kind": "gad7", "answers": [1] * 7},
                  {"kind": "str", "answers": "list", "contact_requested": "bool"}, ["kind", "answers"]),
    battery.route("POST", "/api/wellness/assessments/{id}/contact", lambda w: {"contact_requested": False},
                  {"contact_requested": "bool"}, ["contact_requested"]),
]


def state(stack, user_id):
    return stack.query("SELECT count(*), string_agg(coalesce(contact_requested::text, '-'), ',')"
                       " FROM assessments WHERE user_id = %s", (user_id,))[0]


@pytest.mark.parametrize("rt,kind,payload,field",
                         battery.cases(BODY_ROUTES, HOSTILE, unknown_fields=("user_id", "score", "band",
                                                                             "item9_positive")))
def test_bad_body(stack, world, rt, kind, payload, field):
    c = world["client"]
    send = battery.sender(c, rt["method"], rt["path"].replace("{id}", world["assessment"]))
    before = state(stack, c.user_id)
    r = battery.check(rt, kind, payload, field, send, lambda: rt["valid"](world))
    if kind == "hostile":
        assert r.status == 400                      # kind is an enum: no text is ever stored
    assert state(stack, c.user_id) == before, "a refused request changed something"


@pytest.mark.parametrize("query,field", [("limit=0", "limit"), ("limit=x", "limit"), ("cursor=zz", "cursor"),
                                         ("kind=phq9", "query")])
def test_bad_query(stack, world, query, field):
    r = world["client"].get("/api/wellness/assessments?" + query)
    battery.assert_error(r, codes={"invalid_field"}, field=field, statuses={400})


def test_fhir_takes_no_query(stack, world):
    r = world["client"].get("/api/wellness/assessments/export.fhir.json?format=xml")
    battery.assert_error(r, codes={"invalid_field"}, field="query", statuses={400})


# ------------------------------------------------------------------ canaries

def test_answers_absent_from_dump(stack):
    """Answers are integers, so the canary is the answer list itself: an unusual sequence that
    must not appear in clear in the dump (score and band are stored in clear by design)."""
    c = seeker(stack)
    answers = [3, 0, 3, 0, 2, 1, 3, 0, 2]
    submit(c, "phq9", answers, contact_requested=True)
    dump = stack.pg_dump()
    for form in (json.dumps(answers), json.dumps(answers, separators=(",", ":")),
                 "{" + ",".join(map(str, answers)) + "}"):
        assert form.encode() not in dump, f"answers {form} found in pg_dump"
        assert form.encode().hex().encode() not in dump
