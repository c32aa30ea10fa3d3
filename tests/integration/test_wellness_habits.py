"""Habits (cgi-bin/wellness): the catalogue, tracking catalogue and custom habits, completing and
undoing days, and the streaks the server computes (product/original-features.md §6) as of today
in the request's time zone."""

import datetime
import json

import pytest

from astral_client import expect
from conftest import SRC
from test_wellness_mood_setup import at, audit_rows, complete, day, new_person, track

TODAY = datetime.date(2026, 6, 15)


def back(n):
    return day(TODAY - datetime.timedelta(days=n))


@pytest.fixture
def person(stack, clock):
    at(clock, "2026-06-15T12:00:00")
    return new_person(stack)


def habits(p, tz=None):
    q = f"?timezone={tz}" if tz else ""
    return expect(p.get("/api/wellness/habits" + q), 200).json["items"]


def undo(p, habit_id, d, status=200, tz=None):
    q = f"?timezone={tz}" if tz else ""
    return expect(p.delete(f"/api/wellness/habits/{habit_id}/completions/{d}{q}"), status).json


# ------------------------------------------------------------------ catalogue

def test_catalogue_has_every_category(stack, person):
    items = expect(person.get("/api/wellness/habits/catalog"), 200).json["items"]
    assert len(items) >= 15
    assert {i["category"] for i in items} == {"Health", "Mindfulness", "Movement", "Connection", "Rest"}
    assert len({i["id"] for i in items}) == len(items)
    water = next(i for i in items if i["id"] == "drink-water")
    assert water["name"] == "Drink 8 glasses of water" and water["category"] == "Health" and water["description"]
    order = ["Health", "Mindfulness", "Movement", "Connection", "Rest"]
    assert [order.index(i["category"]) for i in items] == sorted(order.index(i["category"]) for i in items)


def test_the_web_ui_words_every_catalogue_habit_in_each_language(stack, person):
    """htdocs/i18n/<lang>/wellness.json habitCatalog: an entry for every catalogue habit, the English
    one saying what the server says; a Spanish page then shows no English habit."""
    items = expect(person.get("/api/wellness/habits/catalog"), 200).json["items"]
    for lang in ("en", "es"):
        words = json.loads((SRC / "htdocs" / "i18n" / lang / "wellness.json").read_text())["habitCatalog"]
        assert set(words) == {i["id"] for i in items}, lang
        for i in items:
            assert words[i["id"]]["name"].strip() and words[i["id"]]["description"].strip(), (lang, i["id"])
            if lang == "en":
                assert words[i["id"]] == {"name": i["name"], "description": i["description"]}, i["id"]


# ------------------------------------------------------------------ tracking

def test_track_a_catalogue_habit(stack, person):
    h = track(person, catalog_id="meditate")
    assert h["catalog_id"] == "meditate" and h["name"] == "Meditate for 10 minutes"
    assert h["category"] == "Mindfulness"
    assert (h["completed_today"], h["current_streak"], h["longest_streak"]) == (False, 0, 0)
    assert h["last_completed"] is None and h["completions"] == []
    assert habits(person) == [h]


def test_track_a_catalogue_habit_twice_is_409(stack, person):
    track(person, catalog_id="stretch")
    expect(person.post("/api/wellness/habits", {"catalog_id": "stretch"}), 409, "conflict")
    assert len(habits(person)) == 1


def test_unknown_catalogue_habit_is_400(stack, person):
    expect(person.post("/api/wellness/habits", {"catalog_id": "fly-to-the-moon"}), 400, "invalid_field", "catalog_id")
    assert habits(person) == []


def test_custom_habits_may_share_a_name(stack, person):
    a = track(person, name="Call grandma", category="Connection")
    b = track(person, name="Call grandma", category="Connection")
    assert a["id"] != b["id"] and a["catalog_id"] is None and a["name"] == "Call grandma"
    assert sorted(h["id"] for h in habits(person)) == sorted([a["id"], b["id"]])


@pytest.mark.parametrize("body,field", [
    ({}, "catalog_id"), ({"name": "x"}, "category"), ({"category": "Rest"}, "name"),
    ({"catalog_id": "meditate", "name": "x"}, "name"), ({"catalog_id": "meditate", "category": "Rest"}, "category"),
    ({"name": "x", "category": "Sleep"}, "category"), ({"name": "", "category": "Rest"}, "name"),
    ({"name": "x" * 81, "category": "Rest"}, "name"), ({"catalog_id": ""}, "catalog_id"),
    ({"catalog_id": "a" * 41}, "catalog_id"), ({"name": "a\nb", "category": "Rest"}, "name"),
    ({"catalog_id": "meditate", "user_id": "00000000-0000-4000-8000-000000000000"}, "user_id"),
])
def test_bad_track_body(stack, person, body, field):
    expect(person.post("/api/wellness/habits", body), 400, "invalid_field", field)
    assert habits(person) == []


def test_at_most_50_habits(stack, person):
    stack.query("INSERT INTO habits (id, user_id, name, category, created_at)"
                " SELECT gen_random_uuid(), %s, 'h' || g, 'Rest', now() FROM generate_series(1, 50) g",
                (person.user_id,))
    expect(person.post("/api/wellness/habits", {"name": "one more", "category": "Rest"}), 409, "conflict")
    expect(person.post("/api/wellness/habits", {"catalog_id": "exercise"}), 409, "conflict")
    assert len(habits(person)) == 50


def test_untrack_removes_the_habit_and_its_days(stack, person):
    h = track(person, catalog_id="walk-outside")
    complete(person, h["id"], back(0), 201)
    complete(person, h["id"], back(1), 201)
    expect(person.delete(f"/api/wellness/habits/{h['id']}"), 204)
    assert habits(person) == []
    assert stack.query("SELECT count(*) FROM habit_completions WHERE habit_id = %s", (h["id"],))[0][0] == 0
    expect(person.delete(f"/api/wellness/habits/{h['id']}"), 404, "not_found")
    # The catalogue habit can be tracked again afterwards.
    track(person, catalog_id="walk-outside")


# ------------------------------------------------------------------ completions and streaks

def test_complete_today_then_again_is_201_then_200(stack, person):
    h = track(person, catalog_id="drink-water")
    done = complete(person, h["id"], back(0), 201).json
    assert done["completed_today"] is True and done["current_streak"] == 1 and done["longest_streak"] == 1
    assert done["last_completed"] == back(0) and done["completions"] == [back(0)]
    again = complete(person, h["id"], back(0), 200).json
    assert again == done
    assert stack.query("SELECT count(*) FROM habit_completions WHERE habit_id = %s", (h["id"],))[0][0] == 1


def test_streak_rules_through_the_api(stack, person):
    h = track(person, name="Journal", category="Mindfulness")
    for n in (1, 2, 3):                                  # yesterday and the two days before
        complete(person, h["id"], back(n), 201)
    got = habits(person)[0]
    assert (got["completed_today"], got["current_streak"], got["longest_streak"]) == (False, 3, 3)
    got = complete(person, h["id"], back(0), 201).json
    assert (got["completed_today"], got["current_streak"], got["longest_streak"]) == (True, 4, 4)
    # A gap: undo yesterday. Today stands alone; the run before it is 2 long.
    got = undo(person, h["id"], back(1))
    assert (got["current_streak"], got["longest_streak"]) == (1, 2)
    assert got["completions"] == [back(3), back(2), back(0)]
    # Undo today: the last completion is two days ago, the current streak is broken.
    got = undo(person, h["id"], back(0))
    assert (got["completed_today"], got["current_streak"], got["longest_streak"]) == (False, 0, 2)
    assert got["last_completed"] == back(2)
    # Undoing a day that was not done is fine (200) and changes nothing.
    assert undo(person, h["id"], back(10)) == got


def test_longest_streak_in_the_past(stack, person):
    h = track(person, name="Run", category="Movement")
    for n in range(100, 110):
        complete(person, h["id"], back(n), 201)
    complete(person, h["id"], back(1), 201)
    got = habits(person)[0]
    assert (got["current_streak"], got["longest_streak"]) == (1, 10)
    # Completions older than 90 days are not listed, but count.
    assert got["completions"] == [back(1)]


def test_completion_limits(stack, person):
    h = track(person, catalog_id="kind-act")
    expect(complete(person, h["id"], back(-1)), 400, "invalid_field", "day")        # tomorrow
    complete(person, h["id"], "2025-06-15", 201)                                      # a year ago today
    expect(complete(person, h["id"], "2025-06-14"), 400, "invalid_field", "day")
    assert [c for c in habits(person)[0]["completions"]] == []                         # older than 90 days
    assert habits(person)[0]["last_completed"] == "2025-06-15"


def test_today_follows_the_time_zone(stack, clock):
    at(clock, "2026-03-10T11:00:40")          # 2026-03-11 00:00:40 in Auckland, 2026-03-10 in UTC
    p = new_person(stack)
    h = track(p, catalog_id="regular-bedtime")
    expect(complete(p, h["id"], "2026-03-11"), 400, "invalid_field", "day")           # tomorrow in UTC
    done = complete(p, h["id"], "2026-03-11", 201, tz="Pacific/Auckland").json
    assert done["completed_today"] is True and done["current_streak"] == 1
    utc = habits(p)[0]
    # In UTC it is still the 10th: a day after today is no part of the current streak.
    assert utc["completed_today"] is False and utc["current_streak"] == 0 and utc["longest_streak"] == 1
    assert utc["last_completed"] == "2026-03-11" and utc["completions"] == ["2026-03-11"]
    assert habits(p, tz="Pacific/Auckland")[0]["current_streak"] == 1


def test_habit_changes_are_audited(stack, person):
    h = track(person, name="Private habit name", category="Health")
    complete(person, h["id"], back(0), 201)
    complete(person, h["id"], back(0), 200)
    undo(person, h["id"], back(0))
    undo(person, h["id"], back(0))
    habits(person)
    expect(person.delete(f"/api/wellness/habits/{h['id']}"), 204)
    uid = person.user_id
    assert audit_rows(stack, uid, "habit_track") == [("habit", h["id"], "custom")]
    assert audit_rows(stack, uid, "habit_complete") == [("habit", h["id"], None)]
    assert audit_rows(stack, uid, "habit_uncomplete") == [("habit", h["id"], None)]
    assert audit_rows(stack, uid, "habit_untrack") == [("habit", h["id"], None)]
    assert len(audit_rows(stack, uid, "habit_read")) == 1
    assert stack.query("SELECT count(*) FROM audit_log WHERE actor_id = %s AND detail LIKE %s",
                       (uid, "%Private%"))[0][0] == 0


@pytest.mark.parametrize("method,path", [
    ("GET", "/api/wellness/habits/catalog"), ("GET", "/api/wellness/habits"), ("POST", "/api/wellness/habits"),
    ("DELETE", "/api/wellness/habits/00000000-0000-4000-8000-000000000000"),
    ("POST", "/api/wellness/habits/00000000-0000-4000-8000-000000000000/completions/2026-01-01"),
    ("DELETE", "/api/wellness/habits/00000000-0000-4000-8000-000000000000/completions/2026-01-01"),
])
def test_habit_routes_need_a_sign_in(stack, method, path):
    expect(stack.client("bearer").request(method, path), 401, "unauthorized")
