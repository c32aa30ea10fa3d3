"""Mood insights (cgi-bin/wellness): averages, trends, the daily series, the year in pixels and
the tag and habit correlations with their 3-and-3 threshold, computed in SQL for a window ending
today in the caller's zone."""

import datetime

import pytest

from astral_client import expect
from test_wellness_mood_setup import TAGS, at, complete, day, insert_checkin, new_person, track

TODAY = datetime.date(2026, 6, 15)


def back(n):
    return TODAY - datetime.timedelta(days=n)


def slope(points):
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / sxx


def insights(person, query=""):
    return expect(person.get("/api/wellness/mood/insights" + query), 200).json


def by_name(items):
    return {i["name"]: i for i in items}


@pytest.fixture
def world(stack, clock):
    """Ten days of check-ins ending today (2026-06-15, UTC) and three habits."""
    at(clock, "2026-06-15T12:00:00")
    p = new_person(stack)
    moods = {}
    for i in range(10):
        mood = 5 if i < 3 else 2
        tags = ["Tired"]
        if i < 3:
            tags.append("Calm")
        if i < 6:
            tags.append("Hopeful")
        if i in (3, 4):
            tags.append("Lonely")
        insert_checkin(stack, p.user_id, back(i), mood, tags=tags, anxiety=3, sleep=1 + i % 5, energy=4)
        moods[i] = mood
    walk = track(p, name="Walk", category="Movement")
    read = track(p, name="Read", category="Rest")
    water = track(p, catalog_id="drink-water")
    for i in (0, 1, 2, 20):                 # day 20 has no check-in: it does not count
        complete(p, walk["id"], day(back(i)), 201)
    for i in (0, 5):
        complete(p, read["id"], day(back(i)), 201)
    stack.query("INSERT INTO habit_completions (habit_id, user_id, day, created_at) VALUES (%s, %s, %s, now())",
                (walk["id"], p.user_id, back(50)))        # outside the window
    return {"p": p, "moods": moods, "walk": walk, "read": read, "water": water}


def test_window_averages_and_trends(world):
    doc = insights(world["p"])
    assert doc["days"] == 30 and doc["to"] == day(TODAY) and doc["from"] == day(back(29))
    assert doc["checkins"] == 10
    m = doc["measures"]
    assert m["mood"]["average"] == pytest.approx(2.9)
    expected = slope([(29 - i, world["moods"][i]) for i in range(10)])
    assert m["mood"]["trend"] == pytest.approx(round(expected, 4))
    assert m["anxiety"] == {"average": 3.0, "trend": 0.0}
    assert m["energy"]["average"] == 4.0
    assert m["sleep"]["average"] == pytest.approx(sum(1 + i % 5 for i in range(10)) / 10)


def test_series_has_every_day_of_the_window(world):
    doc = insights(world["p"])
    series = doc["series"]
    assert [s["day"] for s in series] == [day(back(29 - k)) for k in range(30)]
    filled = {s["day"]: s for s in series if s["mood"] is not None}
    assert set(filled) == {day(back(i)) for i in range(10)}
    assert filled[day(TODAY)] == {"day": day(TODAY), "mood": 5, "anxiety": 3, "sleep": 1, "energy": 4}
    empty = series[0]
    assert empty == {"day": day(back(29)), "mood": None, "anxiety": None, "sleep": None, "energy": None}


def test_correlations_and_not_enough_data(world):
    doc = insights(world["p"])
    shown = by_name(doc["correlations"])
    assert set(shown) == {"Calm", "Hopeful", "Walk"}
    assert shown["Calm"] == {"kind": "tag", "name": "Calm", "habit_id": None, "catalog_id": None, "days_with": 3,
                             "days_without": 7, "mood_with": 5.0, "mood_without": 2.0, "difference": 3.0}
    assert shown["Hopeful"] == {"kind": "tag", "name": "Hopeful", "habit_id": None, "catalog_id": None, "days_with": 6,
                                "days_without": 4, "mood_with": 3.5, "mood_without": 2.0, "difference": 1.5}
    assert shown["Walk"] == {"kind": "habit", "name": "Walk", "habit_id": world["walk"]["id"], "catalog_id": None,
                             "days_with": 3,
                             "days_without": 7, "mood_with": 5.0, "mood_without": 2.0, "difference": 3.0}
    # Largest difference first; a tie puts tags before habits.
    assert [c["name"] for c in doc["correlations"]] == ["Calm", "Walk", "Hopeful"]
    missing = by_name(doc["not_enough_data"])
    assert set(missing) == (set(TAGS) - {"Calm", "Hopeful"}) | {"Read", "Drink 8 glasses of water"}
    assert missing["Lonely"] == {"kind": "tag", "name": "Lonely", "habit_id": None, "catalog_id": None, "days_with": 2,
                                 "days_without": 8}
    assert missing["Tired"]["days_with"] == 10 and missing["Tired"]["days_without"] == 0
    assert missing["Grateful"]["days_with"] == 0 and missing["Grateful"]["days_without"] == 10
    assert missing["Read"] == {"kind": "habit", "name": "Read", "habit_id": world["read"]["id"], "catalog_id": None,
                               "days_with": 2,
                               "days_without": 8}
    assert missing["Drink 8 glasses of water"]["habit_id"] == world["water"]["id"]
    assert missing["Drink 8 glasses of water"]["catalog_id"] == "drink-water"      # the UI words it from there
    assert missing["Drink 8 glasses of water"]["days_with"] == 0
    # Tags in their fixed order, then habits by name.
    assert [n["name"] for n in doc["not_enough_data"]] == \
        [t for t in TAGS if t not in ("Calm", "Hopeful")] + ["Drink 8 glasses of water", "Read"]


def test_threshold_is_three_with_and_three_without(stack, clock):
    at(clock, "2026-06-15T12:00:00")
    p = new_person(stack)
    ids = {}
    for i, mood in enumerate([5, 4, 3, 2, 1]):
        ids[i] = insert_checkin(stack, p.user_id, back(i), mood, tags=["Calm"] if i < 2 else [])
    calm = by_name(insights(p)["not_enough_data"])["Calm"]
    assert (calm["days_with"], calm["days_without"]) == (2, 3)
    stack.query("UPDATE mood_checkins SET tags = '{Calm}' WHERE id = %s", (ids[2],))
    # 3 with but only 2 without: still not enough.
    doc = insights(p)
    assert "Calm" not in by_name(doc["correlations"])
    calm = by_name(doc["not_enough_data"])["Calm"]
    assert (calm["days_with"], calm["days_without"]) == (3, 2)
    insert_checkin(stack, p.user_id, back(5), 3)
    calm = by_name(insights(p)["correlations"])["Calm"]
    assert calm == {"kind": "tag", "name": "Calm", "habit_id": None, "catalog_id": None, "days_with": 3,
                    "days_without": 3, "mood_with": 4.0, "mood_without": 2.0, "difference": 2.0}


def test_habit_threshold(stack, clock):
    at(clock, "2026-06-15T12:00:00")
    p = new_person(stack)
    for i in range(6):
        insert_checkin(stack, p.user_id, back(i), 4 if i % 2 == 0 else 2)
    h = track(p, name="Stretch", category="Movement")
    for i in (0, 2):
        complete(p, h["id"], day(back(i)), 201)
    assert by_name(insights(p)["not_enough_data"])["Stretch"]["days_with"] == 2
    complete(p, h["id"], day(back(4)), 201)
    c = by_name(insights(p)["correlations"])["Stretch"]
    assert (c["days_with"], c["days_without"], c["mood_with"], c["mood_without"], c["difference"]) == (3, 3, 4.0, 2.0, 2.0)


def test_windows_of_7_and_90_days(world):
    seven = insights(world["p"], "?days=7")
    assert seven["days"] == 7 and len(seven["series"]) == 7 and seven["checkins"] == 7
    assert seven["from"] == day(back(6))
    ninety = insights(world["p"], "?days=90")
    assert ninety["days"] == 90 and len(ninety["series"]) == 90 and ninety["checkins"] == 10


def test_year_in_pixels_is_the_last_365_days(stack, clock, world):
    p = world["p"]
    for n, mood in ((200, 1), (364, 2), (365, 3), (400, 4)):
        insert_checkin(stack, p.user_id, back(n), mood)
    year = insights(p)["year"]
    assert year[0] == {"day": day(back(364)), "mood": 2}
    assert year[1] == {"day": day(back(200)), "mood": 1}
    assert [y["day"] for y in year[2:]] == [day(back(i)) for i in range(9, -1, -1)]


def test_empty_insights(stack):
    p = new_person(stack)
    doc = insights(p)
    assert doc["checkins"] == 0
    assert all(v == {"average": None, "trend": None} for v in doc["measures"].values())
    assert len(doc["series"]) == 30 and all(s["mood"] is None for s in doc["series"])
    assert doc["year"] == [] and doc["correlations"] == []
    assert [n["name"] for n in doc["not_enough_data"]] == TAGS


def test_one_checkin_has_an_average_but_no_trend(stack):
    p = new_person(stack)
    expect(p.post("/api/wellness/mood", {"mood": 4}), 201)
    doc = insights(p)
    assert doc["measures"]["mood"] == {"average": 4.0, "trend": None}


def test_window_ends_today_in_the_zone(stack, clock):
    at(clock, "2026-03-10T11:00:40")           # 2026-03-11 00:00:40 in Auckland
    p = new_person(stack)
    assert insights(p, "?timezone=Pacific/Auckland")["to"] == "2026-03-11"
    assert insights(p, "?timezone=UTC")["to"] == "2026-03-10"
    assert insights(p)["to"] == "2026-03-10"
    assert insights(p, "?timezone=America/Los_Angeles&days=7")["to"] == "2026-03-10"


@pytest.mark.parametrize("query,field", [
    ("?days=14", "days"), ("?days=", "days"), ("?days=30.0", "days"), ("?days=-7", "days"),
    ("?timezone=Mars/Base", "timezone"), ("?timezone=", "timezone"), ("?timezone=%2E%2E%2Fetc", "timezone"),
    ("?timezone=" + "A" * 65, "timezone"), ("?timezone=Europe%2F", "timezone"), ("?zz=1", "query"),
    ("?days=7&days=90&extra=1", "query"), ("?days=7&days=90", "days"), ("?days=7&days=7", "days"),
])
def test_bad_insights_query(stack, query, field):
    p = new_person(stack)
    expect(p.get("/api/wellness/mood/insights" + query), 400, "invalid_field", field)


def test_insights_show_only_my_data(stack, world):
    other = new_person(stack)
    doc = insights(other)
    assert doc["checkins"] == 0 and doc["year"] == []
    assert all(n["kind"] == "tag" for n in doc["not_enough_data"])


def test_three_years_of_daily_data(stack, clock):
    """The benchmark's user: a check-in every day for three years and eight habits done on
    alternate days. Only the window and the last 365 days are read (bench/run measures the speed)."""
    at(clock, "2026-06-15T12:00:00")
    p = new_person(stack)
    stack.query("INSERT INTO mood_checkins (id, user_id, day, mood, anxiety, sleep, energy, tags, created_at,"
                " updated_at) SELECT gen_random_uuid(), %s, DATE '2026-06-15' - g, 1 + g %% 5, 1 + g %% 3,"
                " 1 + g %% 4, 3, CASE WHEN g %% 3 = 0 THEN '{Calm}'::text[] ELSE '{Tired,Lonely}'::text[] END,"
                " now(), now() FROM generate_series(0, 1099) g", (p.user_id,))
    for k in range(8):
        h = track(p, name=f"Habit {k}", category="Health")
        stack.query("INSERT INTO habit_completions (habit_id, user_id, day, created_at)"
                    " SELECT %s, %s, DATE '2026-06-15' - g, now() FROM generate_series(0, 1099) g"
                    " WHERE g %% 2 = %s", (h["id"], p.user_id, k % 2))
    stack.query("ANALYZE mood_checkins; ANALYZE habit_completions")
    doc = insights(p, "?days=90")
    assert doc["checkins"] == 90 and len(doc["year"]) == 365
    assert doc["year"][0]["day"] == "2025-06-16" and doc["year"][-1] == {"day": "2026-06-15", "mood": 1}
    assert [s["mood"] for s in doc["series"][-3:]] == [3, 2, 1]
    assert len(doc["correlations"]) + len(doc["not_enough_data"]) == 8 + 8
    calm = by_name(doc["correlations"])["Calm"]
    assert (calm["days_with"], calm["days_without"]) == (30, 60)


def test_a_tag_written_twice_counts_once(stack, clock):
    """The tag statistics count check-in days: a tag stored twice in one check-in (only the owner
    role can write that) is one day with the tag, as ANY would count it."""
    at(clock, "2026-06-15T12:00:00")
    p = new_person(stack)
    for i in range(6):
        insert_checkin(stack, p.user_id, back(i), 5 if i < 3 else 1, tags=["Calm", "Calm"] if i < 3 else [])
    calm = by_name(insights(p)["correlations"])["Calm"]
    assert (calm["days_with"], calm["days_without"], calm["mood_with"], calm["mood_without"]) == (3, 3, 5.0, 1.0)
