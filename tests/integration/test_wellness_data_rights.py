"""Data rights over the wellness tables: the export (GET /api/me/export) carries every wellness
table of the person, with the fields sealed by their data key opened (mood notes, journal text,
assessment answers, the safety plan) and nobody else's rows; deleting the account deletes them."""

from astral_client import expect

WELLNESS_TABLES = ["mood_checkins", "habits", "habit_completions", "journal_entries", "assessments",
                   "safety_plans", "wellness_videos", "video_likes"]
PLAN = {"warning_signs": ["can't sleep for days"], "coping_strategies": ["walk by the river"],
        "distractions": [{"name": "the library", "contact": None}],
        "support_people": [{"name": "Ana", "phone": "+34 600 000 000"}],
        "professionals": [{"name": "Dr Ruiz", "phone": "900 100 200"}],
        "safe_environment": ["give the pills to Ana"], "reasons_for_living": ["my cat"]}


def person(stack, tag):
    c = stack.client("bearer")
    c.anonymous()
    today = expect(c.post("/api/wellness/mood", {"mood": 2, "anxiety": 4, "tags": ["Tired"],
                                                 "note": f"{tag} note, \"quoted\"", "timezone": "UTC"}),
                   201).json["day"]
    habit = expect(c.post("/api/wellness/habits", {"catalog_id": "walk-outside"}), 201).json
    expect(c.post(f"/api/wellness/habits/{habit['id']}/completions/{today}"), 201)
    expect(c.post("/api/wellness/journal", {"text": f"{tag} journal line"}), 201)
    expect(c.post("/api/wellness/assessments", {"kind": "gad7", "answers": [1, 2, 0, 3, 1, 0, 2]}), 201)
    plan = dict(PLAN, reasons_for_living=[f"{tag} reason"])
    expect(c.put("/api/wellness/safety-plan", plan), 200)
    return c, habit


def test_export_opens_the_sealed_wellness_fields(stack):
    a, habit = person(stack, "alpha")
    person(stack, "bravo")
    tables = expect(a.get("/api/me/export"), 200).json["tables"]
    for t in WELLNESS_TABLES:
        assert t in tables and isinstance(tables[t], list), f"export lacks {t}"
    [checkin] = tables["mood_checkins"]
    assert checkin["note"] == "alpha note, \"quoted\"" and checkin["mood"] == 2 and checkin["tags"] == ["Tired"]
    assert [h["id"] for h in tables["habits"]] == [habit["id"]]
    assert tables["habits"][0]["name"], "a catalogue habit is exported with its name"
    assert [c["habit_id"] for c in tables["habit_completions"]] == [habit["id"]]
    assert [j["body"] for j in tables["journal_entries"]] == ["alpha journal line"]
    [assessment] = tables["assessments"]
    assert assessment["answers"] == [1, 2, 0, 3, 1, 0, 2] and assessment["score"] == 9
    [plan] = tables["safety_plans"]
    assert plan["plan"]["reasons_for_living"] == ["alpha reason"]
    assert plan["plan"]["support_people"] == PLAN["support_people"]
    text = str(tables)
    assert "bravo" not in text, "another person's wellness data is in the export"


def test_export_keeps_an_unreadable_field_as_null(stack):
    a, _ = person(stack, "charlie")
    stack.query("UPDATE journal_entries SET body = body || '\\x00'::bytea WHERE user_id = %s", (a.user_id,))
    tables = expect(a.get("/api/me/export"), 200).json["tables"]
    assert [j["body"] for j in tables["journal_entries"]] == [None]
    assert tables["mood_checkins"][0]["note"] == "charlie note, \"quoted\""


def test_deleting_the_account_deletes_the_wellness_rows(stack):
    a, _ = person(stack, "delta")
    expect(a.get("/api/wellness/mood/insights"), 200)       # kept, with the person's data version
    assert stack.query("SELECT count(*) FROM mood_insights_cache WHERE user_id = %s", (a.user_id,))[0][0] == 1
    expect(a.delete("/api/me", {"confirm": "delete my account"}), 204)
    for t, col in [("mood_checkins", "user_id"), ("habits", "user_id"), ("habit_completions", "user_id"),
                   ("journal_entries", "user_id"), ("assessments", "user_id"), ("safety_plans", "user_id"),
                   ("mood_insights_cache", "user_id"), ("wellness_versions", "user_id")]:
        n = stack.query(f"SELECT count(*) FROM {t} WHERE {col} = %s", (a.user_id,))[0][0]
        assert n == 0, f"{t} keeps rows of a deleted account"
