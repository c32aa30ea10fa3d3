"""The IDOR matrix of the mood and habit routes: A and B each have check-ins and habits. Every
route with an id answers 404 for the other's habit (the same as an id that does not exist) and
changes nothing; lists, insights and exports never show the other's rows; row-level security and
the composite foreign key hold the same line in the database."""

import csv
import datetime
import io
import uuid

import psycopg2
import pytest

from astral_client import expect
from test_wellness_mood_setup import checkin, complete, day, new_person, track, utc_today

DONE = day(utc_today() - datetime.timedelta(days=10))       # A did the habit that day
OTHER = day(utc_today() - datetime.timedelta(days=9))       # and not that one


@pytest.fixture(scope="module")
def world(stack):
    a, b = new_person(stack), new_person(stack)
    ha = track(a, name="A's private habit", category="Health")
    hb = track(b, catalog_id="meditate")
    complete(a, ha["id"], DONE, 201)
    checkin(a, 201, mood=1, tags=["Lonely"], note="A's note")
    checkin(b, 201, mood=5, note="B's note")
    return {"A": a, "B": b, "HA": ha, "HB": hb}


def snapshot(stack, habit_id):
    return (stack.query("SELECT id, name, category FROM habits WHERE id = %s", (habit_id,)),
            stack.query("SELECT day FROM habit_completions WHERE habit_id = %s ORDER BY day", (habit_id,)))


ROUTES = [
    ("DELETE", "/api/wellness/habits/{H}"),
    ("POST", "/api/wellness/habits/{H}/completions/" + OTHER),
    ("POST", "/api/wellness/habits/{H}/completions/" + DONE),
    ("DELETE", "/api/wellness/habits/{H}/completions/" + DONE),
    ("DELETE", "/api/wellness/habits/{H}/completions/" + OTHER + "?timezone=Europe/Madrid"),
]


@pytest.mark.parametrize("method,template", ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_foreign_habit_is_404(stack, world, method, template):
    before = snapshot(stack, world["HA"]["id"])
    r = world["B"].request(method, template.replace("{H}", world["HA"]["id"]))
    expect(r, 404, "not_found")
    assert b"private" not in r.body
    assert snapshot(stack, world["HA"]["id"]) == before, "B changed A's habit"
    # The same as an id that does not exist.
    expect(world["B"].request(method, template.replace("{H}", str(uuid.uuid4()))), 404, "not_found")


def test_lists_show_only_my_habits(stack, world):
    a_ids = [h["id"] for h in expect(world["A"].get("/api/wellness/habits"), 200).json["items"]]
    b_ids = [h["id"] for h in expect(world["B"].get("/api/wellness/habits"), 200).json["items"]]
    assert world["HA"]["id"] in a_ids and world["HA"]["id"] not in b_ids
    assert world["HB"]["id"] in b_ids and world["HB"]["id"] not in a_ids


def test_history_insights_and_export_show_only_my_mood(stack, world):
    items = expect(world["B"].get("/api/wellness/mood"), 200).json["items"]
    assert [m["note"] for m in items] == ["B's note"]
    doc = expect(world["B"].get("/api/wellness/mood/insights"), 200).json
    assert doc["checkins"] == 1 and doc["measures"]["mood"]["average"] == 5.0
    assert {c["name"] for c in doc["not_enough_data"] if c["kind"] == "habit"} == {"Meditate for 10 minutes"}
    r = world["B"].get("/api/wellness/mood/export.csv", check=False)
    assert r.status == 200 and b"A's" not in r.body
    rows = list(csv.reader(io.StringIO(r.body.decode(), newline="")))
    assert rows[1][6] == "B's note" and rows[-1] == ["habit", "day"]


def test_same_day_checkins_stay_separate(stack, world):
    a = expect(world["A"].get("/api/wellness/mood"), 200).json["items"][0]
    b = checkin(world["B"], 200, mood=4).json
    assert a["id"] != b["id"]
    assert expect(world["A"].get("/api/wellness/mood"), 200).json["items"][0] == a


def test_rls_and_foreign_key_in_the_database(stack, world):
    conn = stack.app_db()
    try:
        with conn.cursor() as cur:
            cur.execute("BEGIN")
            cur.execute("SELECT set_config('astral.user_id', %s, true), set_config('astral.role', 'seeker', true)",
                        (world["B"].user_id,))
            cur.execute("SELECT count(*) FROM habits WHERE id = %s", (world["HA"]["id"],))
            assert cur.fetchone()[0] == 0
            cur.execute("SELECT count(*) FROM mood_checkins WHERE user_id = %s", (world["A"].user_id,))
            assert cur.fetchone()[0] == 0
            cur.execute("SELECT count(*) FROM habit_completions WHERE user_id = %s", (world["A"].user_id,))
            assert cur.fetchone()[0] == 0
            # B's own row pointing at A's habit: the composite foreign key refuses it.
            with pytest.raises(psycopg2.Error):
                cur.execute("INSERT INTO habit_completions (habit_id, user_id, day, created_at)"
                            " VALUES (%s, %s, %s, now())", (world["HA"]["id"], world["B"].user_id, OTHER))
            cur.execute("ROLLBACK")
            cur.execute("BEGIN")
            cur.execute("SELECT set_config('astral.user_id', %s, true), set_config('astral.role', 'seeker', true)",
                        (world["B"].user_id,))
            # A row claiming to be A's: row-level security refuses it.
            with pytest.raises(psycopg2.Error):
                cur.execute("INSERT INTO mood_checkins (id, user_id, day, mood, anxiety, sleep, energy, created_at,"
                            " updated_at) VALUES (%s, %s, %s, 3, 3, 3, 3, now(), now())",
                            (str(uuid.uuid4()), world["A"].user_id, OTHER))
            cur.execute("ROLLBACK")
    finally:
        conn.close()


@pytest.mark.parametrize("table", ["mood_checkins", "habits", "habit_completions", "habit_catalog"])
def test_app_role_sees_nothing_without_a_caller(stack, world, table):
    assert stack.query(f"SELECT count(*) FROM {table}")[0][0] > 0, f"{table} is empty as owner"
    assert stack.query(f"SELECT count(*) FROM {table}", user="astral_app")[0][0] == 0


@pytest.mark.parametrize("table", ["mood_checkins", "habits", "habit_completions", "habit_catalog"])
def test_row_level_security_is_forced(stack, table):
    assert stack.query("SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = %s",
                       (table,))[0] == (True, True)
