"""Kept insights (migrations/0012_insights_cache.sql): the document built for a person, window,
zone and day is served again only while their check-ins and habits are unchanged, the day has not
turned and the zone is the same. To see which document a read served, the tests overwrite the kept
one (as the owner) with a marked copy (a check-in count they cannot have): a read that answers the mark
was served from what was kept."""

import json

import pytest

from astral_client import expect
from test_wellness_mood_setup import at, checkin, complete, day, insert_checkin, new_person, track
from test_wellness_insights import back

MARK = 29             # the people here have at most 9 check-ins in a window


def read(person, query=""):
    return expect(person.get("/api/wellness/mood/insights" + query), 200)


def mark(stack, person, days=30):
    """Set the check-in count of the person's kept document for `days` to MARK; returns its
    version."""
    rows = stack.query("SELECT body FROM mood_insights_cache WHERE user_id = %s AND days = %s",
                       (person.user_id, days))
    assert len(rows) == 1, "nothing was kept"
    doc = dict(json.loads(rows[0][0]), checkins=MARK)
    return stack.query("UPDATE mood_insights_cache SET body = %s WHERE user_id = %s AND days = %s"
                       " RETURNING version", (json.dumps(doc), person.user_id, days))[0][0]


def marked(response):
    return response.json["checkins"] == MARK


@pytest.fixture
def seeker(stack, clock):
    at(clock, "2026-06-15T12:00:00")
    p = new_person(stack)
    for i in range(1, 8):
        insert_checkin(stack, p.user_id, back(i), 1 + i % 5, tags=["Calm"] if i % 2 else ["Tired"])
    return p


def test_the_kept_document_is_the_computed_one(stack, seeker):
    first = read(seeker)
    kept = stack.query("SELECT body, timezone, today FROM mood_insights_cache WHERE user_id = %s AND days = 30",
                       (seeker.user_id,))
    assert kept[0][0].encode() == first.body
    assert (kept[0][1], kept[0][2].isoformat()) == ("UTC", "2026-06-15")
    again = read(seeker)
    assert again.body == first.body and again.headers["Content-Type"] == first.headers["Content-Type"]


def test_a_read_is_served_from_what_was_kept_and_audited(stack, seeker):
    read(seeker)
    mark(stack, seeker)
    assert marked(read(seeker))
    n = stack.query("SELECT count(*) FROM audit_log WHERE actor_id = %s AND action = 'mood_read'"
                    " AND detail = 'insights'", (seeker.user_id,))[0][0]
    assert n == 2, "every read of insights is audited, kept or computed"


def _checkin_today(stack, p, habit):
    checkin(p, 201, mood=5, tags=["Grateful"])


def _checkin_again_today(stack, p, habit):
    checkin(p, 201, mood=5)
    read(p)
    mark(stack, p)
    checkin(p, 200, mood=1)


def _track(stack, p, habit):
    track(p, name="Stretch", category="Movement")


def _complete(stack, p, habit):
    complete(p, habit["id"], day(back(2)), 201)


def _undo(stack, p, habit):
    complete(p, habit["id"], day(back(3)), 201)
    read(p)
    mark(stack, p)
    expect(p.delete(f"/api/wellness/habits/{habit['id']}/completions/{day(back(3))}"), 200)


def _untrack(stack, p, habit):
    expect(p.delete(f"/api/wellness/habits/{habit['id']}"), 204)


def _owner_deletes_a_checkin(stack, p, habit):
    stack.query("DELETE FROM mood_checkins WHERE user_id = %s AND day = %s", (p.user_id, back(4)))


@pytest.mark.parametrize("change", [_checkin_today, _checkin_again_today, _track, _complete, _undo, _untrack,
                                    _owner_deletes_a_checkin])
def test_any_change_to_the_data_is_seen_at_once(stack, seeker, change):
    habit = track(seeker, name="Walk", category="Movement")
    read(seeker)
    mark(stack, seeker)
    assert marked(read(seeker))
    change(stack, seeker, habit)
    fresh = read(seeker)
    assert not marked(fresh) and fresh.json["to"] == "2026-06-15"


def test_a_new_day_is_computed_afresh(stack, clock):
    at(clock, "2026-06-15T23:58:00")
    p = new_person(stack)
    insert_checkin(stack, p.user_id, back(1), 4)
    read(p)
    mark(stack, p)
    assert marked(read(p))
    at(clock, "2026-06-16T00:00:05")
    doc = read(p)
    assert not marked(doc) and doc.json["to"] == "2026-06-16"


def test_each_zone_and_window_has_its_own_document(stack, seeker):
    read(seeker)
    mark(stack, seeker)
    auckland = read(seeker, "?timezone=Pacific/Auckland")
    assert not marked(auckland) and auckland.json["to"] == "2026-06-16"
    week = read(seeker, "?days=7")
    assert not marked(week) and week.json["days"] == 7
    rows = stack.query("SELECT days, timezone FROM mood_insights_cache WHERE user_id = %s ORDER BY days",
                       (seeker.user_id,))
    assert rows == [(7, "UTC"), (30, "Pacific/Auckland")]


def test_a_document_built_from_older_data_is_never_served(stack, seeker):
    """A read that computed from a snapshot taken before a change may store its document after the
    change committed: it carries the older version, so it is not served."""
    checkin(seeker, 201, mood=4)
    read(seeker)
    version = mark(stack, seeker)
    assert version > 0
    stack.query("UPDATE mood_insights_cache SET version = version - 1 WHERE user_id = %s", (seeker.user_id,))
    assert not marked(read(seeker))
    kept = stack.query("SELECT version FROM mood_insights_cache WHERE user_id = %s AND days = 30",
                       (seeker.user_id,))
    assert kept[0][0] == version


def test_nobody_else_is_served_my_document(stack, seeker):
    read(seeker)
    mark(stack, seeker)
    other = new_person(stack)
    assert read(other).json["checkins"] == 0
    assert stack.query("SELECT count(*) FROM mood_insights_cache WHERE user_id = %s", (seeker.user_id,),
                       user="astral_app")[0][0] == 0, "the app role sees kept documents without a caller"


def test_a_version_is_counted_per_person(stack, clock):
    at(clock, "2026-06-15T12:00:00")
    a, b = new_person(stack), new_person(stack)
    checkin(a, 201, mood=3)
    checkin(a, 200, mood=4)
    checkin(b, 201, mood=3)
    versions = dict(stack.query("SELECT user_id::text, version FROM wellness_versions WHERE user_id IN (%s, %s)",
                                (a.user_id, b.user_id)))
    assert versions == {a.user_id: 2, b.user_id: 1}
