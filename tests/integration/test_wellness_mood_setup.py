"""Shared set-up for the mood and habit tests (test_wellness_mood*.py, test_wellness_habits*.py,
test_wellness_insights*.py): people, days, check-ins written with direct SQL for the days the API
cannot reach (it only checks in for today), and the clock. Holds no tests itself."""

import datetime
import uuid

from astral_client import expect

TAGS = ["Grateful", "Anxious", "Tired", "Hopeful", "Stressed", "Calm", "Lonely", "Productive"]


def new_person(stack):
    """A signed-in seeker (Bearer)."""
    c = stack.client("bearer")
    c.anonymous()
    return c


def utc_today(clock=None):
    now = clock.now() if clock is not None else datetime.datetime.now(datetime.timezone.utc).timestamp()
    return datetime.datetime.fromtimestamp(now, datetime.timezone.utc).date()


def day(d):
    return d.isoformat()


def at(clock, iso_utc):
    """Set the programs' clock to an instant given as 'YYYY-MM-DDTHH:MM:SS' UTC."""
    target = datetime.datetime.fromisoformat(iso_utc).replace(tzinfo=datetime.timezone.utc).timestamp()
    clock.set(target - datetime.datetime.now(datetime.timezone.utc).timestamp())


def insert_checkin(stack, user_id, d, mood, tags=(), anxiety=3, sleep=3, energy=3):
    """A check-in for any day, without a note (as the owner: the API only writes today's)."""
    cid = str(uuid.uuid4())
    stack.query("INSERT INTO mood_checkins (id, user_id, day, mood, anxiety, sleep, energy, tags, created_at,"
                " updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s::text[], now(), now())",
                (cid, user_id, d, mood, anxiety, sleep, energy, list(tags)))
    return cid


def checkin(person, status=None, **body):
    body.setdefault("mood", 3)
    r = person.post("/api/wellness/mood", body)
    if status is not None:
        expect(r, status)
    return r


def track(person, status=201, **body):
    return expect(person.post("/api/wellness/habits", body), status).json


def complete(person, habit_id, d, status=None, tz=None):
    q = f"?timezone={tz}" if tz else ""
    r = person.post(f"/api/wellness/habits/{habit_id}/completions/{d}{q}")
    if status is not None:
        expect(r, status)
    return r


def audit_rows(stack, user_id, action):
    return stack.query("SELECT object_type, object_id, detail FROM audit_log WHERE actor_id = %s AND action = %s"
                       " ORDER BY id", (user_id, action))
