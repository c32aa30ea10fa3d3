"""cgi-bin/helpers: the helper's dashboard (GET /api/helpers/me/dashboard) and the gentle limit.

Counts, standing and achievements are checked against sessions written with direct SQL. The rest
is made the way the product makes it: a seeker's post accepted by the helper, a high-severity
alert on the session (the emergency button, the helper's alert, or a crisis phrase in the chat),
the session ended. Then the helper counts as offline everywhere and is not matched until
`[helpers] rest_minutes` (60 in the test stack) have passed on the test clock, or the helper ends
the rest."""

import uuid

import pytest

from astral_client import expect, strong_password, unique
from test_chat_setup import Person, accept, end_session, new_helper, new_post, new_seeker, send
from test_helpers_profiles import make_session

ACHIEVEMENTS = [("first_step", "First Step", 1), ("helping_hand", "Helping Hand", 5),
                ("community_pillar", "Community Pillar", 25), ("heartfelt_thanks", "Heartfelt Thanks", 1),
                ("trusted_voice", "Trusted Voice", 10)]
REST_SECONDS = 60 * 60


def dashboard(h):
    return expect(h.get("/api/helpers/me/dashboard"), 200).json


def online_count(stack):
    return expect(stack.client("bearer").get("/api/helpers/online-count", auth=False), 200).json["online"]


def directory_ids(client, online):
    ids, cursor = [], None
    for _ in range(500):
        page = expect(client.get(f"/api/helpers?online={online}&limit=100" + (f"&cursor={cursor}" if cursor else "")),
                      200).json
        ids += [i["id"] for i in page["items"]]
        cursor = page["next"]
        if cursor is None:
            return set(ids)
    raise AssertionError("the directory did not end")


def direct_request(seeker, helper_id):
    return seeker.post("/api/posts/direct-requests", {"helper_id": helper_id, "category": "Stress",
                                                      "content": "Could we talk tonight?"})


def ended_at(stack, sid):
    return stack.query("SELECT extract(epoch FROM ended_at)::bigint FROM help_sessions WHERE id = %s", (sid,))[0][0]


def helper_with_password(stack):
    """An online helper with a profile who can sign in again (after the clock moved past the
    session's idle timeout)."""
    username, password = unique("rest"), strong_password()
    stack.create_user("helper", username, "Resting Helper", password)
    c = stack.client("bearer")
    c.login(username, password)
    c.username, c.password = username, password
    expect(c.post("/api/helpers/me", {"bio": "I listen.", "expertise": ["Anxiety & Stress"]}), 201)
    expect(c.put("/api/helpers/me/availability", {"online": True}), 200)
    return Person(c, "helper", "Resting Helper")


def epoch(text):
    import datetime
    return int(datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


# ------------------------------------------------------------------ the dashboard

def test_dashboard_needs_a_profile(stack):
    c = stack.client("bearer")
    c.register()
    expect(c.get("/api/helpers/me/dashboard"), 404, "not_found")


def test_dashboard_is_for_helpers(stack):
    s = new_seeker(stack)
    expect(s.get("/api/helpers/me/dashboard"), 403, "forbidden")


def test_dashboard_of_a_new_helper(stack):
    h = new_helper(stack, online=False)
    d = dashboard(h)
    assert d["profile"]["id"] == h.id and d["profile"]["online"] is False
    assert d["profile"] == expect(h.get("/api/helpers/me"), 200).json
    assert {k: v for k, v in d["counts"].items() if k != "available_posts" and k != "available_posts_more"} == \
        {"active_sessions": 0, "past_sessions": 0, "requests": 0}
    assert d["stats"] == {"kudos": 0, "reputation": None, "feedback_count": 0, "xp": 0, "level": 1,
                          "next_level_xp": 100}
    assert [(a["id"], a["name"], a["progress"]["target"]) for a in d["achievements"]] == ACHIEVEMENTS
    assert all(a["awarded_at"] is None and a["progress"]["current"] == 0 for a in d["achievements"])
    assert d["certification"] == {"status": "none", "training_completed": False}
    assert d["wellbeing"] == {"resting": False, "rest_until": None, "reason": None}


def test_dashboard_counts_stats_and_achievement_progress(stack):
    h, s, other = new_helper(stack), new_seeker(stack), new_helper(stack)
    for i in range(6):                      # ended: 4 helpful, 2 not, 2 with kudos
        make_session(stack, s.id, h.id, helpful=(i < 4), kudos=(i < 2))
    make_session(stack, s.id, h.id, ended=False)
    for helper_id in (h.id, h.id, other.id):
        stack.query("INSERT INTO posts (id, author_id, category, content, status, requested_helper_id, created_at,"
                    " updated_at) VALUES (%s, %s, 'Stress', 'just for you', 'direct_request', %s, now(), now())",
                    (str(uuid.uuid4()), s.id, helper_id))
    stack.query("SELECT astral_award_achievements(%s, now())", (h.id,))
    d = dashboard(h)
    assert (d["counts"]["active_sessions"], d["counts"]["past_sessions"], d["counts"]["requests"]) == (1, 6, 2)
    # 7 sessions, 2 kudos, 4 of 6 answers helpful: XP 7×20 + 2×15 + 4×10 = 210.
    assert d["stats"] == {"kudos": 2, "reputation": 3.33, "feedback_count": 6, "xp": 210, "level": 3,
                          "next_level_xp": 300}
    progress = {a["id"]: (a["progress"]["current"], a["progress"]["target"], a["awarded_at"] is not None)
                for a in d["achievements"]}
    assert progress == {"first_step": (1, 1, True), "helping_hand": (5, 5, True),
                        "community_pillar": (7, 25, False), "heartfelt_thanks": (1, 1, True),
                        "trusted_voice": (2, 10, False)}
    assert d["profile"]["sessions"] == 7


def public_posts_for(stack, helper_id):
    return stack.query(
        "SELECT count(*) FROM posts p WHERE p.status = 'active' AND NOT p.reported AND p.author_id <> %s"
        " AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = %s AND b.blocked_id = p.author_id)"
        "  OR (b.blocked_id = %s AND b.blocker_id = p.author_id))", (helper_id, helper_id, helper_id))[0][0]


def test_available_posts_are_counted_up_to_100(stack):
    h, s = new_helper(stack), new_seeker(stack)
    base = public_posts_for(stack, h.id)
    d = dashboard(h)
    assert (d["counts"]["available_posts"], d["counts"]["available_posts_more"]) == (min(base, 100), base > 100)
    added = [str(uuid.uuid4()) for _ in range(max(0, 101 - base) + 1)]
    try:
        for pid in added:
            stack.query("INSERT INTO posts (id, author_id, category, content, status, created_at, updated_at)"
                        " VALUES (%s, %s, 'Grief', 'counted', 'active', now(), now())", (pid, s.id))
        assert public_posts_for(stack, h.id) > 100
        d = dashboard(h)
        assert (d["counts"]["available_posts"], d["counts"]["available_posts_more"]) == (100, True)
        # The feed's rules: the authors I block (or who block me) are left out.
        expect(h.post("/api/me/blocks", {"user_id": s.id}), 201)
        left = public_posts_for(stack, h.id)
        d = dashboard(h)
        assert (d["counts"]["available_posts"], d["counts"]["available_posts_more"]) == (min(left, 100), left > 100)
        if base <= 100:
            assert d["counts"]["available_posts"] == base
    finally:
        stack.query("DELETE FROM posts WHERE id = ANY(%s::uuid[])", (added,))


def test_dashboard_certification(stack):
    from test_helper_training import answers_with, training
    h = new_helper(stack)
    expect(h.post("/api/helpers/me/training", {"answers": answers_with(training(h)["quiz"])}), 200)
    assert dashboard(h)["certification"] == {"status": "none", "training_completed": True}
    expect(h.post("/api/helpers/me/application", {}), 201)
    assert dashboard(h)["certification"] == {"status": "pending", "training_completed": True}


# ------------------------------------------------------------------ the gentle limit

def test_resting_after_a_high_severity_session(stack, clock):
    h, seeker, other = helper_with_password(stack), new_seeker(stack), new_seeker(stack)
    new_post(stack, other, content="Exams are making me anxious")
    assert expect(h.get("/api/posts/for-you"), 200).json["items"], "For You offers posts before the rest"
    sid = accept(stack, h, new_post(stack, seeker))
    expect(seeker.post(f"/api/sessions/{sid}/emergency", {}), 201)
    assert dashboard(h)["wellbeing"]["resting"] is False, "the rest starts when the session ends"
    online_before = online_count(stack)
    assert h.id in directory_ids(other, "true")

    end_session(seeker, sid)
    d = dashboard(h)
    assert d["wellbeing"]["resting"] is True and d["wellbeing"]["reason"] == "high_severity_session"
    assert epoch(d["wellbeing"]["rest_until"]) == ended_at(stack, sid) + REST_SECONDS
    assert d["profile"]["online"] is False
    # Offline everywhere, though the switch stays on.
    assert stack.query("SELECT available FROM helper_profiles WHERE user_id = %s", (h.id,))[0][0] is True
    assert online_count(stack) == online_before - 1
    assert h.id not in directory_ids(other, "true")
    assert h.id in directory_ids(other, "false")
    assert expect(other.get(f"/api/helpers/{h.id}"), 200).json["online"] is False
    r = expect(direct_request(other, h.id), 409, "conflict", "helper_id")
    assert "taking a break" in r.json["error"]["message"]
    assert expect(h.get("/api/posts/for-you"), 200).json == {"items": [], "next": None}
    # The feed stays open and the helper may still accept a post.
    assert expect(h.get("/api/posts?sort=needs_support"), 200).json["items"]
    accept(stack, h, new_post(stack, other))

    clock.advance(REST_SECONDS + 60)
    h.c.login(h.c.username, h.c.password)          # the sign-ins went idle meanwhile
    other = new_seeker(stack)
    new_post(stack, other, content="Still anxious about the exams")
    d = dashboard(h)
    assert d["wellbeing"] == {"resting": False, "rest_until": None, "reason": None}
    assert d["profile"]["online"] is True
    assert h.id in directory_ids(other, "true")
    assert expect(other.get(f"/api/helpers/{h.id}"), 200).json["online"] is True
    assert expect(h.get("/api/posts/for-you"), 200).json["items"]
    expect(direct_request(other, h.id), 201)


def test_helper_alert_and_crisis_phrase_also_start_a_rest(stack):
    for how in ("alert", "phrase"):
        h, seeker = new_helper(stack), new_seeker(stack)
        sid = accept(stack, h, new_post(stack, seeker))
        if how == "alert":
            expect(h.post(f"/api/sessions/{sid}/alert", {}), 201)
        else:
            send(seeker, sid, "I want to kill myself tonight")
        assert stack.query("SELECT count(*) FROM crisis_alerts WHERE session_id = %s AND severity = 'high'",
                           (sid,))[0][0] == 1
        end_session(h, sid)
        assert dashboard(h)["wellbeing"]["resting"] is True, how


def test_no_rest_without_a_high_severity_alert(stack):
    h, seeker = new_helper(stack), new_seeker(stack)
    sid = accept(stack, h, new_post(stack, seeker))
    stack.query("INSERT INTO crisis_alerts (id, user_id, source, session_id, severity, created_at)"
                " VALUES (%s, %s, 'message', %s, 'medium', now())", (str(uuid.uuid4()), seeker.id, sid))
    end_session(seeker, sid)
    d = dashboard(h)
    assert d["wellbeing"]["resting"] is False and d["profile"]["online"] is True


def test_rest_minutes_zero_turns_the_rest_off(stack):
    h, seeker = new_helper(stack), new_seeker(stack)
    sid = accept(stack, h, new_post(stack, seeker))
    expect(seeker.post(f"/api/sessions/{sid}/emergency", {}), 201)
    end_session(seeker, sid)
    row = stack.query("SELECT astral_helper_resting(%s, now(), 60), astral_helper_resting(%s, now(), 0)",
                      (h.id, h.id))[0]
    assert row == (True, False)


def test_end_rest_early(stack, clock):
    h, seeker = new_helper(stack), new_seeker(stack)
    sid = accept(stack, h, new_post(stack, seeker))
    expect(seeker.post(f"/api/sessions/{sid}/emergency", {}), 201)
    end_session(seeker, sid)
    assert dashboard(h)["wellbeing"]["resting"] is True
    assert expect(h.put("/api/helpers/me/availability", {"online": True}), 200).json["online"] is False, \
        "switching on does not end the rest"
    assert expect(h.put("/api/helpers/me/availability", {"online": True, "end_rest": True}), 200).json["online"] is True
    assert dashboard(h)["wellbeing"] == {"resting": False, "rest_until": None, "reason": None}
    expect(h.put("/api/helpers/me/availability", {"online": True, "end_rest": True}), 200)
    rows = stack.query("SELECT count(*) FROM audit_log WHERE actor_id = %s AND action = 'rest_ended'", (h.id,))
    assert rows[0][0] == 1, "ending a rest is audited once; there was nothing to end the second time"
    # A later hard session starts a new rest.
    clock.advance(5)
    sid2 = accept(stack, h, new_post(stack, seeker))
    expect(seeker.post(f"/api/sessions/{sid2}/emergency", {}), 201)
    end_session(seeker, sid2)
    assert dashboard(h)["wellbeing"]["resting"] is True
