"""Help sessions (cgi-bin/chat): list and detail as seeker and helper, unread counts, end,
feedback, kudos and achievements, favourite, emergency, and the audit rows they leave."""

import time

import pytest

from astral_client import expect
from test_chat_setup import end_session, new_helper, new_post, new_seeker, new_session, accept, send


def audit_rows(stack, action, session_id):
    return stack.query("SELECT actor_id::text, actor_role, subject_id::text, outcome, detail FROM audit_log"
                       " WHERE action = %s AND object_type = 'help_session' AND object_id = %s ORDER BY id",
                       (action, session_id))


# ------------------------------------------------------------------ detail

def test_detail_as_seeker_and_as_helper(stack):
    s, h, sid = new_session(stack)
    a = expect(s.get(f"/api/sessions/{sid}"), 200).json
    b = expect(h.get(f"/api/sessions/{sid}"), 200).json
    assert a["id"] == b["id"] == sid
    assert a["my_role"] == "seeker" and b["my_role"] == "helper"
    # The seeker stays anonymous to the helper; the helper is named with their standing.
    assert a["seeker"] == b["seeker"] == {"display_name": "Seeker"}
    assert a["helper"] == b["helper"] == {"id": h.id, "display_name": h.display_name, "reputation": None}
    assert a["ended_at"] is None and a["ended_by"] is None
    assert a["unread"] == 0 and a["last_message_at"] is None
    assert a["kudos_given"] is False and a["favorite"] is False and a["feedback"] is None
    assert a["category"] == "Anxiety" and a["post_excerpt"].startswith("I feel anxious")
    assert s.id not in str(b), "the helper must not learn the seeker's id"


def test_post_excerpt_is_the_first_160_characters(stack):
    s, h = new_seeker(stack), new_helper(stack)
    sid = accept(stack, h, new_post(stack, s, content="é" * 100 + "x" * 300))
    assert expect(s.get(f"/api/sessions/{sid}"), 200).json["post_excerpt"] == "é" * 100 + "x" * 60


def test_detail_of_unknown_session_is_404(stack):
    s = new_seeker(stack)
    expect(s.get("/api/sessions/00000000-0000-4000-8000-000000000000"), 404, "not_found")


def test_detail_takes_no_query(stack):
    s, h, sid = new_session(stack)
    expect(s.get(f"/api/sessions/{sid}?x=1"), 400, "invalid_field", "query")


def test_uppercase_session_id_is_the_same_session(stack):
    s, h, sid = new_session(stack)
    send(s, sid, "upper")
    assert expect(s.get(f"/api/sessions/{sid.upper()}"), 200).json["id"] == sid
    assert len(expect(h.get(f"/api/sessions/{sid.upper()}/messages"), 200).json["items"]) == 1
    send(h, sid.upper(), "still the same conversation")


# ------------------------------------------------------------------ list

def test_list_as_seeker_and_helper_with_status_filter(stack):
    s = new_seeker(stack)
    h1, h2 = new_helper(stack), new_helper(stack)
    _, _, first = new_session(stack, s, h1)
    _, _, second = new_session(stack, s, h2)
    end_session(s, first)

    mine = expect(s.get("/api/sessions"), 200).json
    order = stack.query("SELECT id::text FROM help_sessions WHERE seeker_id = %s ORDER BY started_at DESC, id DESC",
                        (s.id,))
    assert [x["id"] for x in mine["items"]] == [r[0] for r in order]
    assert {first, second} == {r[0] for r in order}
    assert mine["next"] is None
    assert all(x["my_role"] == "seeker" for x in mine["items"])
    active = expect(s.get("/api/sessions?status=active"), 200).json["items"]
    ended = expect(s.get("/api/sessions?status=ended"), 200).json["items"]
    assert [x["id"] for x in active] == [second]
    assert [x["id"] for x in ended] == [first]

    as_helper = expect(h1.get("/api/sessions"), 200).json["items"]
    assert [(x["id"], x["my_role"]) for x in as_helper] == [(first, "helper")]
    assert expect(h1.get("/api/sessions?status=active"), 200).json["items"] == []


def test_list_shows_helper_sessions_of_several_seekers(stack):
    h = new_helper(stack)
    sids = {new_session(stack, helper=h)[2] for _ in range(3)}
    items = expect(h.get("/api/sessions"), 200).json["items"]
    assert {x["id"] for x in items} == sids
    assert all(x["seeker"] == {"display_name": "Seeker"} for x in items)


def test_list_pages_with_an_opaque_cursor(stack):
    s = new_seeker(stack)
    h = new_helper(stack)
    made = [new_session(stack, s, h)[2] for _ in range(5)]
    # Same start second for several: the id breaks ties, so no page repeats or skips one.
    stack.query("UPDATE help_sessions SET started_at = date_trunc('second', started_at) WHERE seeker_id = %s",
                (s.id,))
    seen, cursor, pages = [], None, 0
    while True:
        q = "/api/sessions?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = expect(s.get(q), 200).json
        assert len(page["items"]) <= 2
        seen += [x["id"] for x in page["items"]]
        pages += 1
        cursor = page["next"]
        if cursor is None:
            break
        assert pages < 10
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen)) == 5
    assert pages == 3
    rows = stack.query("SELECT id::text FROM help_sessions WHERE seeker_id = %s ORDER BY started_at DESC, id DESC",
                       (s.id,))
    assert seen == [r[0] for r in rows]


def test_list_cursor_is_bound_to_the_status_it_was_made_for(stack):
    s = new_seeker(stack)
    h = new_helper(stack)
    for _ in range(3):
        new_session(stack, s, h)
    page = expect(s.get("/api/sessions?limit=1&status=active"), 200).json
    rest = expect(s.get(f"/api/sessions?limit=5&status=active&cursor={page['next']}"), 200).json
    assert len(rest["items"]) == 2 and rest["next"] is None


def test_unread_counts_follow_the_read_mark(stack):
    s, h, sid = new_session(stack)
    ids = [send(s, sid, f"message {i}")["id"] for i in range(3)]
    send(h, sid, "helper's own message does not count for the helper")
    assert expect(h.get(f"/api/sessions/{sid}"), 200).json["unread"] == 3
    assert expect(s.get(f"/api/sessions/{sid}"), 200).json["unread"] == 1
    assert expect(h.post(f"/api/sessions/{sid}/read", {"up_to": ids[1]}), 200).json == {"unread": 1}
    listed = [x for x in expect(h.get("/api/sessions"), 200).json["items"] if x["id"] == sid][0]
    assert listed["unread"] == 1 and listed["last_message_at"] is not None
    # A read mark never moves back.
    assert expect(h.post(f"/api/sessions/{sid}/read", {"up_to": ids[0]}), 200).json == {"unread": 1}
    assert expect(h.post(f"/api/sessions/{sid}/read", {"up_to": ids[2]}), 200).json == {"unread": 0}
    # `read` on messages: the recipient has read them.
    items = expect(s.get(f"/api/sessions/{sid}/messages"), 200).json["items"]
    assert [m["read"] for m in items] == [True, True, True, False]


def test_read_up_to_a_message_of_another_session_is_400(stack):
    s, h, sid = new_session(stack)
    s2, h2, other = new_session(stack)
    foreign = send(s2, other, "elsewhere")["id"]
    expect(h.post(f"/api/sessions/{sid}/read", {"up_to": foreign}), 400, "invalid_field", "up_to")
    expect(h.post(f"/api/sessions/{sid}/read", {"up_to": "00000000-0000-4000-8000-000000000000"}),
           400, "invalid_field", "up_to")


# ------------------------------------------------------------------ end

@pytest.mark.parametrize("who", ["seeker", "helper"])
def test_either_participant_ends(stack, who):
    s, h, sid = new_session(stack)
    p = s if who == "seeker" else h
    body = end_session(p, sid).json
    assert body["ended_by"] == who and body["ended_at"] is not None
    # Already ended: 200, unchanged.
    again = end_session(s if who == "helper" else h, sid).json
    assert again["ended_by"] == who and again["ended_at"] == body["ended_at"]
    rows = audit_rows(stack, "session_end", sid)
    assert len(rows) == 1 and rows[0][0] == p.id and rows[0][1] == who and rows[0][2] == s.id
    # Nothing more can be said, everything can still be read.
    expect(s.post(f"/api/sessions/{sid}/messages", {"text": "late", "client_key": "late-1"}), 409, "conflict")
    expect(h.post(f"/api/sessions/{sid}/typing"), 409, "conflict")
    expect(s.get(f"/api/sessions/{sid}/messages"), 200)


# ------------------------------------------------------------------ feedback, kudos, favourite

def test_feedback_once_after_the_end_and_reputation(stack):
    h = new_helper(stack)
    s1, _, first = new_session(stack, helper=h)
    expect(s1.post(f"/api/sessions/{first}/feedback", {"helpful": True}), 409, "conflict")
    end_session(h, first)
    body = expect(s1.post(f"/api/sessions/{first}/feedback", {"helpful": True}), 200).json
    assert body["feedback"] is True and body["helper"]["reputation"] == 5
    expect(s1.post(f"/api/sessions/{first}/feedback", {"helpful": False}), 409, "conflict")
    assert len(audit_rows(stack, "session_feedback", first)) == 1
    # The helper does not see the seeker's answer on the session, only the standing.
    assert expect(h.get(f"/api/sessions/{first}"), 200).json["feedback"] is None

    s2, _, second = new_session(stack, helper=h)
    end_session(s2, second)
    body = expect(s2.post(f"/api/sessions/{second}/feedback", {"helpful": False}), 200).json
    assert body["feedback"] is False and body["helper"]["reputation"] == 2.5
    assert expect(s1.get(f"/api/sessions/{first}"), 200).json["helper"]["reputation"] == 2.5


def test_feedback_reputation_has_two_decimals(stack):
    h = new_helper(stack)
    for helpful in (True, True, False):
        s, _, sid = new_session(stack, helper=h)
        end_session(s, sid)
        body = expect(s.post(f"/api/sessions/{sid}/feedback", {"helpful": helpful}), 200).json
    assert body["helper"]["reputation"] == 3.33
    assert b'"reputation":3.33' in s.last.body


def test_kudos_once_and_achievements(stack):
    h = new_helper(stack)
    s, _, sid = new_session(stack, helper=h)
    expect(s.post(f"/api/sessions/{sid}/kudos"), 409, "conflict")
    end_session(s, sid)
    body = expect(s.post(f"/api/sessions/{sid}/kudos"), 201).json
    assert body["kudos_given"] is True
    # first_step came with the accept; the first kudos brings heartfelt_thanks.
    assert body["new_achievements"] == ["heartfelt_thanks"]
    expect(s.post(f"/api/sessions/{sid}/kudos"), 409, "conflict")
    assert expect(s.get(f"/api/sessions/{sid}"), 200).json["kudos_given"] is True
    assert expect(h.get(f"/api/sessions/{sid}"), 200).json["kudos_given"] is False
    assert len(audit_rows(stack, "session_kudos", sid)) == 1
    rows = stack.query("SELECT achievement FROM helper_achievements WHERE helper_id = %s ORDER BY 1", (h.id,))
    assert [r[0] for r in rows] == ["first_step", "heartfelt_thanks"]

    s2, _, sid2 = new_session(stack, helper=h)
    end_session(h, sid2)
    assert expect(s2.post(f"/api/sessions/{sid2}/kudos"), 201).json["new_achievements"] == []


def test_trusted_voice_with_the_tenth_kudos(stack):
    h = new_helper(stack)
    got = []
    for _ in range(10):
        s, _, sid = new_session(stack, helper=h)
        end_session(s, sid)
        got.append(expect(s.post(f"/api/sessions/{sid}/kudos"), 201).json["new_achievements"])
    assert got[0] == ["heartfelt_thanks"] and got[9] == ["trusted_voice"]
    assert all(g == [] for g in got[1:9])
    rows = stack.query("SELECT achievement FROM helper_achievements WHERE helper_id = %s ORDER BY 1", (h.id,))
    assert [r[0] for r in rows] == ["first_step", "heartfelt_thanks", "helping_hand", "trusted_voice"]


def test_kudos_for_a_helper_who_left(stack):
    s, h, sid = new_session(stack)
    end_session(s, sid)
    expect(h.delete("/api/me", {"confirm": "delete my account"}), 204)
    body = expect(s.get(f"/api/sessions/{sid}"), 200).json
    assert body["helper"] is None
    assert expect(s.post(f"/api/sessions/{sid}/kudos"), 201).json == {"kudos_given": True, "new_achievements": []}


def test_favorite_on_and_off(stack):
    s, h, sid = new_session(stack)
    assert expect(s.post(f"/api/sessions/{sid}/favorite"), 200).json["favorite"] is True
    assert expect(s.post(f"/api/sessions/{sid}/favorite"), 200).json["favorite"] is True
    assert expect(h.get(f"/api/sessions/{sid}"), 200).json["favorite"] is False
    assert stack.query("SELECT favorite FROM help_sessions WHERE id = %s", (sid,))[0][0] is True
    assert expect(s.delete(f"/api/sessions/{sid}/favorite"), 200).json["favorite"] is False
    assert expect(s.delete(f"/api/sessions/{sid}/favorite"), 200).json["favorite"] is False


@pytest.mark.parametrize("route,method", [("feedback", "POST"), ("kudos", "POST"), ("favorite", "POST"),
                                          ("favorite", "DELETE"), ("emergency", "POST")])
def test_seeker_routes_refuse_the_helper(stack, route, method):
    s, h, sid = new_session(stack)
    end_session(s, sid)
    body = {"helpful": True} if route == "feedback" else None
    r = h.request(method, f"/api/sessions/{sid}/{route}", **({"json_body": body} if body else {}))
    expect(r, 403, "forbidden")


# ------------------------------------------------------------------ emergency

def test_emergency_raises_a_high_alert(stack):
    s, h, sid = new_session(stack)
    r = expect(s.post(f"/api/sessions/{sid}/emergency", {}), 201).json
    assert r["crisis"]["severity"] == "high" and r["crisis"]["resources"]
    rows = stack.query("SELECT id::text, user_id::text, source, source_id, session_id::text, severity, status,"
                       " raised_by::text FROM crisis_alerts WHERE session_id = %s", (sid,))
    assert rows == [(r["alert_id"], s.id, "emergency", None, sid, "high", "open", s.id)]
    assert audit_rows(stack, "session_emergency", sid)[0][4] == "high"
    # An empty body works too, and so does an ended session: safety does not wait.
    end_session(h, sid)
    expect(s.post(f"/api/sessions/{sid}/emergency"), 201)
    assert stack.query("SELECT count(*) FROM crisis_alerts WHERE session_id = %s", (sid,))[0][0] == 2


def test_emergency_takes_no_fields(stack):
    s, h, sid = new_session(stack)
    r = expect(s.post(f"/api/sessions/{sid}/emergency", {"severity": "low"}), 400, "invalid_field", "severity")
    assert r.error_fields["severity"] == "unknown field"
    assert stack.query("SELECT count(*) FROM crisis_alerts WHERE session_id = %s", (sid,))[0][0] == 0


def test_the_helper_alerts_a_moderator_about_the_seeker(stack):
    s, h, sid = new_session(stack)
    r = expect(h.post(f"/api/sessions/{sid}/alert", {}), 201).json
    rows = stack.query("SELECT id::text, user_id::text, source, session_id::text, severity, raised_by::text"
                       " FROM crisis_alerts WHERE session_id = %s", (sid,))
    assert rows == [(r["alert_id"], s.id, "emergency", sid, "high", h.id)]
    assert audit_rows(stack, "session_helper_alert", sid)[0][4] == "high"
    expect(s.post(f"/api/sessions/{sid}/alert", {}), 403)          # a seeker has the emergency button
    other = new_helper(stack)
    expect(other.post(f"/api/sessions/{sid}/alert", {}), 404)      # not their conversation
    expect(h.post(f"/api/sessions/{sid}/alert", {"severity": "low"}), 400, "invalid_field", "severity")
    assert stack.query("SELECT count(*) FROM crisis_alerts WHERE session_id = %s", (sid,))[0][0] == 1


# ------------------------------------------------------------------ typing

def other_typing(person, sid):
    """other_typing as `person` sees session `sid`, in their session list and in the detail (which
    must agree)."""
    listed = [x for x in expect(person.get("/api/sessions?limit=100"), 200).json["items"]
              if x["id"] == sid]
    detail = expect(person.get(f"/api/sessions/{sid}"), 200).json["other_typing"]
    assert listed and listed[0]["other_typing"] is detail, (listed, detail)
    return detail


def typing_rows(stack, sid):
    return stack.query("SELECT sender_role FROM session_typing WHERE session_id = %s ORDER BY 1", (sid,))


def test_typing_is_passed_on_behind_nchan_and_kept_briefly_for_polling(stack, clock):
    """Behind nginx typing is an event and nothing is stored; with polling (Apache) the time the
    participant typed is kept, and the other one's session says other_typing for 6 seconds."""
    s, h, sid = new_session(stack)
    before = stack.query("SELECT count(*) FROM messages WHERE session_id = %s", (sid,))[0][0]
    assert other_typing(h, sid) is False and other_typing(s, sid) is False
    r = expect(s.post(f"/api/sessions/{sid}/typing"), 204)
    assert r.body == b""
    assert stack.query("SELECT count(*) FROM messages WHERE session_id = %s", (sid,))[0][0] == before
    assert other_typing(s, sid) is False, "my own typing is not shown to me"
    if stack.front == "nginx":
        assert typing_rows(stack, sid) == [], "typing was stored behind nchan"
        assert other_typing(h, sid) is False
        return
    assert typing_rows(stack, sid) == [("seeker",)]
    assert other_typing(h, sid) is True
    clock.advance(5)                  # (the clock has whole seconds, and real time runs on too)
    assert other_typing(h, sid) is True
    clock.advance(3)
    assert other_typing(h, sid) is False, "typing shown 8 s after the last keystroke"
    # The helper types back, then the seeker again: one row per side, the time moved on.
    expect(h.post(f"/api/sessions/{sid}/typing"), 204)
    expect(s.post(f"/api/sessions/{sid}/typing"), 204)
    assert typing_rows(stack, sid) == [("helper",), ("seeker",)]
    assert other_typing(h, sid) is True and other_typing(s, sid) is True
    # The message the seeker was typing arrives: that ends their typing, not the helper's.
    send(s, sid, "Sorry, it took me a while to write this.")
    assert other_typing(h, sid) is False, "still typing after sending what was typed"
    assert other_typing(s, sid) is True
    clock.advance(1)
    expect(s.post(f"/api/sessions/{sid}/typing"), 204)           # typing again afterwards
    assert other_typing(h, sid) is True
    # Once the conversation has ended nobody is typing in it, and no more typing is taken.
    end_session(s, sid)
    assert other_typing(h, sid) is False and other_typing(s, sid) is False
    expect(h.post(f"/api/sessions/{sid}/typing"), 409, "conflict")


def test_typing_rows_only_for_my_side_of_my_conversation(stack):
    """The database's own wall on session_typing, as the app role: a participant writes only
    their own side, never another conversation's, never after the end; others read nothing."""
    s, h, sid = new_session(stack)
    _, _, other_sid = new_session(stack)
    conn = stack.app_db()

    def attempt(user, role, session_id, sender_role):
        with conn.cursor() as cur:
            cur.execute("BEGIN")
            cur.execute("SELECT set_config('astral.user_id', %s, true), set_config('astral.role', %s, true)",
                        (user.id, role))
            try:
                cur.execute("INSERT INTO session_typing (session_id, sender_role, typed_at)"
                            " VALUES (%s, %s, now())", (session_id, sender_role))
            except Exception as e:            # the policy's refusal
                cur.execute("ROLLBACK")
                return type(e).__name__
            cur.execute("ROLLBACK")
            return "stored"

    def visible(user, role, session_id):
        with conn.cursor() as cur:
            cur.execute("BEGIN")
            cur.execute("SELECT set_config('astral.user_id', %s, true), set_config('astral.role', %s, true)",
                        (user.id, role))
            cur.execute("SELECT count(*) FROM session_typing WHERE session_id = %s", (session_id,))
            n = cur.fetchone()[0]
            cur.execute("ROLLBACK")
            return n

    try:
        assert attempt(s, "seeker", sid, "seeker") == "stored"
        assert attempt(h, "helper", sid, "helper") == "stored"
        assert attempt(s, "seeker", sid, "helper") != "stored", "the seeker wrote the helper's side"
        assert attempt(h, "helper", sid, "seeker") != "stored", "the helper wrote the seeker's side"
        assert attempt(s, "seeker", other_sid, "seeker") != "stored", "wrote into another conversation"
        stack.query("INSERT INTO session_typing (session_id, sender_role, typed_at) VALUES (%s, 'helper', now())",
                    (sid,))
        assert visible(s, "seeker", sid) == 1 and visible(h, "helper", sid) == 1
        outsider = new_seeker(stack)
        assert visible(outsider, "seeker", sid) == 0, "someone outside the conversation read its typing"
        end_session(s, sid)
        assert attempt(s, "seeker", sid, "seeker") != "stored", "typing stored after the end"
    finally:
        conn.close()


def test_session_timestamps_follow_the_clock(stack, clock):
    s, h, sid = new_session(stack)
    clock.advance(600)
    body = end_session(s, sid).json
    started = time.mktime(time.strptime(body["started_at"], "%Y-%m-%dT%H:%M:%SZ"))
    ended = time.mktime(time.strptime(body["ended_at"], "%Y-%m-%dT%H:%M:%SZ"))
    assert 590 <= ended - started <= 620
