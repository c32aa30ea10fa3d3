"""cgi-bin/posts: accepting posts (help sessions begin), resolving, direct requests, declining
and republishing; racing accepts; real-time events; the IDOR matrix over posts."""

import threading
import uuid
from pathlib import Path

import pytest

from astral_client import expect
from test_moderation_setup import new_admin, new_staff
from test_posts_fixtures import (direct_request, feed_ids, helper, post, publishes, seeker,
                                 set_online)


def test_accept_starts_a_session(stack):
    s = seeker(stack)
    h = helper(stack, display_name="Kind Helper")
    text = "Long post " + "x" * 300
    p = post(s, text, "Depression")
    before_s, before_h = publishes(stack, s.user_id), publishes(stack, h.user_id)
    r = expect(h.post(f"/api/posts/{p['id']}/accept"), 201).json
    assert r["post_id"] == p["id"] and r["category"] == "Depression" and r["my_role"] == "helper"
    assert r["post_excerpt"] == text[:160]
    assert r["seeker"] == {"display_name": "Seeker"}
    assert r["helper"] == {"id": h.user_id, "display_name": "Kind Helper", "reputation": None}
    assert r["ended_at"] is None and r["ended_by"] is None and r["unread"] == 0
    assert r["kudos_given"] is False and r["favorite"] is False and r["feedback"] is None

    rows = stack.query("SELECT post_id::text, seeker_id::text, helper_id::text, ended_at FROM help_sessions"
                       " WHERE id = %s", (r["id"],))
    assert rows == [(p["id"], s.user_id, h.user_id, None)]
    assert stack.query("SELECT count(*) FROM help_session_keys WHERE session_id = %s", (r["id"],)) == [(1,)]
    assert stack.query("SELECT achievement FROM helper_achievements WHERE helper_id = %s",
                       (h.user_id,)) == [("first_step",)]
    # The post left the feed and shows the session to its two participants only.
    assert expect(s.get(f"/api/posts/{p['id']}"), 200).json["session_id"] == r["id"]
    got = expect(h.get(f"/api/posts/{p['id']}"), 200).json
    assert got["status"] == "in_progress" and got["session_id"] == r["id"] and got["mine"] is False
    expect(seeker(stack).get(f"/api/posts/{p['id']}"), 404)
    assert p["id"] not in feed_ids(seeker(stack), "category=Depression")
    # session.accepted went to both, and to the helper achievement.unlocked (first_step).
    # Published after COMMIT (nginx's access log); behind Apache nothing is: the UI polls.
    if stack.realtime == "nchan":
        assert publishes(stack, s.user_id, before_s + 1) == before_s + 1
        assert publishes(stack, h.user_id, before_h + 2) == before_h + 2
    audit = stack.query("SELECT actor_id::text, action, object_type FROM audit_log WHERE object_id = %s",
                        (r["id"],))
    assert (h.user_id, "post_accept", "help_session") in audit


def test_accept_needs_an_online_helper(stack):
    s = seeker(stack)
    p = post(s)
    off = helper(stack, online=False)
    expect(off.post(f"/api/posts/{p['id']}/accept"), 409, "conflict", "available")
    noprofile = helper(stack, online=None)
    expect(noprofile.post(f"/api/posts/{p['id']}/accept"), 409, "conflict", "available")
    set_online(stack, off.user_id, True)
    expect(off.post(f"/api/posts/{p['id']}/accept"), 201)


def test_accept_is_for_helpers_only(stack):
    s = seeker(stack)
    p = post(s)
    expect(seeker(stack).post(f"/api/posts/{p['id']}/accept"), 403, "forbidden")
    expect(s.post(f"/api/posts/{p['id']}/accept"), 403, "forbidden")


def test_second_accept_is_409(stack):
    s = seeker(stack)
    p = post(s)
    h1, h2 = helper(stack), helper(stack)
    expect(h1.post(f"/api/posts/{p['id']}/accept"), 201)
    expect(h2.post(f"/api/posts/{p['id']}/accept"), 409, "conflict")
    expect(h1.post(f"/api/posts/{p['id']}/accept"), 409, "conflict")


def test_accept_unknown_reported_resolved(stack):
    h = helper(stack)
    expect(h.post(f"/api/posts/{uuid.uuid4()}/accept"), 404, "not_found")
    s = seeker(stack)
    reported = post(s)
    expect(seeker(stack).post(f"/api/posts/{reported['id']}/report", {"reason": "spam"}), 201)
    expect(h.post(f"/api/posts/{reported['id']}/accept"), 404, "not_found")
    resolved = post(s)
    expect(s.post(f"/api/posts/{resolved['id']}/resolve"), 200)
    expect(h.post(f"/api/posts/{resolved['id']}/accept"), 404, "not_found")
    assert stack.query("SELECT count(*) FROM help_sessions WHERE post_id IN (%s, %s)",
                       (reported["id"], resolved["id"])) == [(0,)]


def test_twenty_concurrent_accepts_one_winner(stack):
    s = seeker(stack)
    p = post(s)
    helpers = [helper(stack) for _ in range(10)]
    clients = helpers + helpers          # 20 requests, two from each helper
    barrier = threading.Barrier(len(clients))
    results = [None] * len(clients)

    def run(i, c):
        barrier.wait()
        try:
            r = c.post(f"/api/posts/{p['id']}/accept")
            results[i] = (r.status, r.error_code)
        except Exception as e:  # noqa: BLE001 - reported below
            results[i] = ("exception", repr(e))

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    statuses = [r[0] for r in results]
    assert statuses.count(201) == 1, results
    assert all(r == (409, "conflict") for r in results if r[0] != 201), results
    assert stack.query("SELECT count(*) FROM help_sessions WHERE post_id = %s", (p["id"],)) == [(1,)]
    assert stack.query("SELECT status FROM posts WHERE id = %s", (p["id"],)) == [("in_progress",)]
    assert stack.query("SELECT count(*) FROM help_session_keys k JOIN help_sessions h ON h.id = k.session_id"
                       " WHERE h.post_id = %s", (p["id"],)) == [(1,)]


def test_resolve_ends_the_session(stack):
    s = seeker(stack)
    h = helper(stack)
    p = post(s)
    sess = expect(h.post(f"/api/posts/{p['id']}/accept"), 201).json
    # The accept's session.accepted (one each) goes out after its answer: count from there.
    accepted = 1 if stack.realtime == "nchan" else 0
    before_s, before_h = publishes(stack, s.user_id, accepted), publishes(stack, h.user_id, accepted)
    r = expect(s.post(f"/api/posts/{p['id']}/resolve"), 200).json
    assert r["status"] == "resolved" and r["session_id"] == sess["id"] and r["mine"] is True
    rows = stack.query("SELECT ended_by, ended_at IS NOT NULL FROM help_sessions WHERE id = %s", (sess["id"],))
    assert rows == [("resolved", True)]
    # Published after COMMIT (nginx's access log); behind Apache nothing is: the UI polls.
    if stack.realtime == "nchan":
        assert publishes(stack, s.user_id, before_s + 1) == before_s + 1
        assert publishes(stack, h.user_id, before_h + 1) == before_h + 1
    expect(s.post(f"/api/posts/{p['id']}/resolve"), 409, "conflict")
    expect(h.post(f"/api/posts/{p['id']}/accept"), 409, "conflict")


def test_resolve_and_publish_are_the_authors(stack):
    s = seeker(stack)
    p = post(s)
    other = seeker(stack)
    expect(other.post(f"/api/posts/{p['id']}/resolve"), 404, "not_found")
    expect(other.post(f"/api/posts/{p['id']}/publish"), 404, "not_found")
    expect(helper(stack).post(f"/api/posts/{p['id']}/resolve"), 404, "not_found")
    expect(s.post(f"/api/posts/{uuid.uuid4()}/resolve"), 404, "not_found")
    expect(s.post(f"/api/posts/{p['id']}/publish"), 409, "conflict")
    assert expect(s.get(f"/api/posts/{p['id']}"), 200).json["status"] == "active"


def test_direct_request_to_an_online_helper(stack):
    s = seeker(stack)
    h = helper(stack, display_name="Direct Helper")
    before = publishes(stack, h.user_id)
    text = "Only for you " + uuid.uuid4().hex
    dr = direct_request(s, h.user_id, text, "Grief")
    assert dr["status"] == "direct_request" and dr["mine"] is True and dr["content"] == text
    assert dr["requested_helper"] == {"id": h.user_id, "display_name": "Direct Helper"}
    # Published after COMMIT (nginx's access log); behind Apache nothing is: the UI polls.
    if stack.realtime == "nchan":
        assert publishes(stack, h.user_id, before + 1) == before + 1
    seen = expect(h.get(f"/api/posts/{dr['id']}"), 200).json
    assert seen["mine"] is False and seen["requested_helper"]["id"] == h.user_id
    # Nobody else sees it, and it is never in the feed.
    expect(seeker(stack).get(f"/api/posts/{dr['id']}"), 404)
    expect(helper(stack).get(f"/api/posts/{dr['id']}"), 404)
    assert dr["id"] not in feed_ids(seeker(stack), f"q={text.split()[-1]}")
    # Another helper cannot accept it; the requested one can.
    expect(helper(stack).post(f"/api/posts/{dr['id']}/accept"), 404, "not_found")
    sess = expect(h.post(f"/api/posts/{dr['id']}/accept"), 201).json
    assert sess["post_id"] == dr["id"]
    expect(helper(stack).post(f"/api/posts/{dr['id']}/accept"), 404, "not_found")


@pytest.mark.nginx_only("events stream through nchan, which only the nginx front has")
def test_direct_request_event_reaches_an_upper_case_helper_id(stack):
    """helper_id is a UUID in either case; the event goes to the helper's stream, user-<the id as
    stored>, not to a channel spelled the way the client typed it."""
    s = seeker(stack)
    h = helper(stack)
    before = publishes(stack, h.user_id)
    dr = expect(s.post("/api/posts/direct-requests",
                       {"helper_id": h.user_id.upper(), "category": "Stress",
                        "content": "Upper case " + uuid.uuid4().hex}), 201).json
    assert dr["requested_helper"]["id"] == h.user_id
    assert publishes(stack, h.user_id, before + 1) == before + 1
    log = (stack.log_dir / "nginx-access.log").read_text(errors="replace")
    assert f"/rt/pub/user-{h.user_id.upper()}" not in log
    assert dr["id"] in [p["id"] for p in expect(h.get("/api/posts/requests"), 200).json["items"]]


def test_direct_request_to_offline_unknown_or_blocked_helper(stack):
    s = seeker(stack)
    off = helper(stack, online=False)
    body = {"helper_id": off.user_id, "category": "Stress", "content": "hello"}
    expect(s.post("/api/posts/direct-requests", body), 409, "conflict", "helper_id")
    body["helper_id"] = str(uuid.uuid4())
    expect(s.post("/api/posts/direct-requests", body), 404, "not_found")
    body["helper_id"] = seeker(stack).user_id
    expect(s.post("/api/posts/direct-requests", body), 404, "not_found")
    blocked = helper(stack)
    expect(s.post("/api/me/blocks", {"user_id": blocked.user_id}), 201)
    body["helper_id"] = blocked.user_id
    expect(s.post("/api/posts/direct-requests", body), 404, "not_found")
    blocker = helper(stack)
    expect(blocker.post("/api/me/blocks", {"user_id": s.user_id}), 201)
    body["helper_id"] = blocker.user_id
    expect(s.post("/api/posts/direct-requests", body), 404, "not_found")
    assert expect(s.get("/api/posts/mine"), 200).json["items"] == []
    expect(helper(stack).post("/api/posts/direct-requests", body), 403, "forbidden")


def test_direct_request_to_a_banned_helper_is_409_offline(stack):
    """A helper with a ban in force cannot be asked, whatever their switch says: 409 as for any
    offline helper (the ban is not named), no post written, nothing published; lifted, the ban
    counts no more."""
    s = seeker(stack)
    h = helper(stack)
    stack.query("INSERT INTO account_bans (user_id, reason, created_at) VALUES (%s, 'abuse', now())",
                (h.user_id,))
    before = publishes(stack, h.user_id)
    body = {"helper_id": h.user_id, "category": "Stress", "content": "private " + uuid.uuid4().hex}
    r = expect(s.post("/api/posts/direct-requests", body), 409, "conflict", "helper_id")
    assert r.json["error"]["message"] == "That helper is offline right now."
    assert expect(s.get(f"/api/helpers/{h.user_id}"), 200).json["online"] is False
    assert expect(s.get("/api/posts/mine"), 200).json["items"] == []
    assert publishes(stack, h.user_id) == before
    stack.query("DELETE FROM account_bans WHERE user_id = %s", (h.user_id,))
    assert expect(s.get(f"/api/helpers/{h.user_id}"), 200).json["online"] is True
    expect(s.post("/api/posts/direct-requests", body), 201)


@pytest.mark.parametrize("blocker", ["seeker", "helper"])
def test_block_after_direct_request_hides_it(stack, blocker):
    """A block made after the request was sent, either way, keeps the pair apart as a block made
    before it does: the helper no longer lists, reads, accepts or declines it (404, as for a post
    they cannot see), nor counts it on the dashboard. The author has it back, declined (see
    test_request_between_a_pair_who_block_goes_back_declined), and lifting the block does not
    bring it back to the helper."""
    s = seeker(stack)
    h = helper(stack)
    dr = direct_request(s, h.user_id)
    pub = post(s)
    who, whom = (s, h.user_id) if blocker == "seeker" else (h, s.user_id)
    expect(who.post("/api/me/blocks", {"user_id": whom}), 201)
    expect(h.get(f"/api/posts/{pub['id']}"), 404)
    assert expect(h.get("/api/posts/requests"), 200).json["items"] == []
    assert expect(h.get("/api/helpers/me/dashboard"), 200).json["counts"]["requests"] == 0
    expect(h.get(f"/api/posts/{dr['id']}"), 404, "not_found")
    expect(h.post(f"/api/posts/{dr['id']}/accept"), 404, "not_found")
    expect(h.post(f"/api/posts/{dr['id']}/decline"), 404, "not_found")
    assert stack.query("SELECT count(*) FROM help_sessions WHERE post_id = %s", (dr["id"],))[0][0] == 0
    assert expect(s.get(f"/api/posts/{dr['id']}"), 200).json["status"] == "declined"

    expect(who.delete(f"/api/me/blocks/{whom}"), 204)
    assert expect(h.get("/api/posts/requests"), 200).json["items"] == []
    assert expect(h.get("/api/helpers/me/dashboard"), 200).json["counts"]["requests"] == 0
    expect(h.post(f"/api/posts/{dr['id']}/accept"), 409, "conflict")
    assert stack.query("SELECT count(*) FROM help_sessions WHERE post_id = %s", (dr["id"],))[0][0] == 0


def test_declined_request_goes_back_and_never_public(stack):
    s = seeker(stack)
    h = helper(stack)
    word = "dq" + uuid.uuid4().hex[:12]
    dr = direct_request(s, h.user_id, f"please {word}")
    other = helper(stack)
    expect(other.post(f"/api/posts/{dr['id']}/decline"), 404, "not_found")
    expect(s.post(f"/api/posts/{dr['id']}/decline"), 403, "forbidden")
    before = publishes(stack, s.user_id)
    r = expect(h.post(f"/api/posts/{dr['id']}/decline"), 200).json
    assert r == {"id": dr["id"], "status": "declined"}
    # Published after COMMIT (nginx's access log); behind Apache nothing is: the UI polls.
    if stack.realtime == "nchan":
        assert publishes(stack, s.user_id, before + 1) == before + 1
    expect(h.post(f"/api/posts/{dr['id']}/decline"), 409, "conflict")
    expect(h.post(f"/api/posts/{dr['id']}/accept"), 409, "conflict")
    mine = expect(s.get(f"/api/posts/{dr['id']}"), 200).json
    assert mine["status"] == "declined"
    for viewer in (seeker(stack), other, s):
        assert dr["id"] not in feed_ids(viewer, f"q={word}")
        assert dr["id"] not in feed_ids(viewer)
    expect(seeker(stack).get(f"/api/posts/{dr['id']}"), 404)

    # The author may publish it: then it is an ordinary public post.
    pub = expect(s.post(f"/api/posts/{dr['id']}/publish"), 200).json
    assert pub["status"] == "active" and pub["requested_helper"] is None
    assert feed_ids(seeker(stack), f"q={word}") == [dr["id"]]
    expect(s.post(f"/api/posts/{dr['id']}/publish"), 409, "conflict")
    expect(other.post(f"/api/posts/{dr['id']}/accept"), 201)


def test_request_to_a_helper_who_deletes_their_account_goes_back_declined(stack):
    """A helper who deletes their account declines what still waits for them, as a decline does:
    the request goes back to its author (event, audit), who may publish it. Requests to others,
    and the helper's requests already answered, stay as they were."""
    s = seeker(stack)
    h = helper(stack)
    dr = direct_request(s, h.user_id)
    taken = direct_request(seeker(stack), h.user_id)
    expect(h.post(f"/api/posts/{taken['id']}/accept"), 201)
    other = direct_request(seeker(stack), helper(stack).user_id)
    before = publishes(stack, s.user_id)
    expect(h.delete("/api/me", {"confirm": "delete my account"}), 204)
    # Published after COMMIT (nginx's access log); behind Apache nothing is: the UI polls.
    if stack.realtime == "nchan":
        assert publishes(stack, s.user_id, before + 1) == before + 1
    got = expect(s.get(f"/api/posts/{dr['id']}"), 200).json
    assert got["status"] == "declined" and got["requested_helper"] is None
    assert stack.query("SELECT detail FROM audit_log WHERE action = 'direct_request_decline' AND object_id = %s",
                       (dr["id"],)) == [("account_delete",)]
    statuses = dict(stack.query("SELECT id::text, status FROM posts WHERE id IN (%s, %s)", (taken["id"], other["id"])))
    assert statuses == {taken["id"]: "in_progress", other["id"]: "direct_request"}
    pub = expect(s.post(f"/api/posts/{dr['id']}/publish"), 200).json
    assert pub["status"] == "active" and pub["requested_helper"] is None


def decline_audit(stack, post_id):
    """The audit rows of direct requests handed back without their helper's answer."""
    return stack.query("SELECT actor_id::text, subject_id::text, detail FROM audit_log"
                       " WHERE action = 'direct_request_decline' AND object_id = %s", (post_id,))


@pytest.mark.parametrize("blocker", ["seeker", "helper"])
def test_request_between_a_pair_who_block_goes_back_declined(stack, blocker):
    """A block made while a direct request waits, by either of the two, hands it back to its
    author declined in the block's transaction (audited with the blocker as actor and subject,
    direct_request.declined to the author only): the helper learns nothing. The author may
    publish it. Requests of other authors to that helper, and of that author to other helpers,
    stay as they were."""
    s = seeker(stack)
    h = helper(stack)
    dr = direct_request(s, h.user_id)
    from_other = direct_request(seeker(stack), h.user_id)
    to_other = direct_request(s, helper(stack).user_id)
    # The helper's two direct_request.new go out after their answers: count from there.
    asked = 2 if stack.realtime == "nchan" else 0
    before_s, before_h = publishes(stack, s.user_id), publishes(stack, h.user_id, asked)
    who, whom = (s, h.user_id) if blocker == "seeker" else (h, s.user_id)
    expect(who.post("/api/me/blocks", {"user_id": whom}), 201)
    # Published after COMMIT (nginx's access log); behind Apache nothing is: the UI polls.
    if stack.realtime == "nchan":
        assert publishes(stack, s.user_id, before_s + 1) == before_s + 1
    got = expect(s.get(f"/api/posts/{dr['id']}"), 200).json
    assert got["status"] == "declined"
    assert decline_audit(stack, dr["id"]) == [(who.user_id, who.user_id, "block")]
    statuses = dict(stack.query("SELECT id::text, status FROM posts WHERE id IN (%s, %s)",
                                (from_other["id"], to_other["id"])))
    assert statuses == {from_other["id"]: "direct_request", to_other["id"]: "direct_request"}
    # Blocking again hands back nothing more.
    expect(who.post("/api/me/blocks", {"user_id": whom}), 201)
    assert len(decline_audit(stack, dr["id"])) == 1
    assert publishes(stack, h.user_id) == before_h
    pub = expect(s.post(f"/api/posts/{dr['id']}/publish"), 200).json
    assert pub["status"] == "active"


def test_request_to_a_helper_who_is_banned_goes_back_declined(stack):
    """A ban hands every direct request still waiting for the helper back to its author declined,
    in the ban's transaction (audited with the moderator as actor and the helper as subject,
    direct_request.declined to each author), and lifting the ban does not bring them back. A
    request the helper had accepted, and requests to other helpers, stay as they were."""
    s1, s2 = seeker(stack), seeker(stack)
    h = helper(stack)
    dr1, dr2 = direct_request(s1, h.user_id), direct_request(s2, h.user_id)
    taken = direct_request(seeker(stack), h.user_id)
    expect(h.post(f"/api/posts/{taken['id']}/accept"), 201)
    other = direct_request(s1, helper(stack).user_id)
    before = {s.user_id: publishes(stack, s.user_id) for s in (s1, s2)}
    mod = new_staff(stack)
    expect(mod.post(f"/api/moderation/users/{h.user_id}/ban", {"reason": "Pressured seekers.", "hours": 2}), 200)
    # Published after COMMIT (nginx's access log); behind Apache nothing is: the UI polls.
    if stack.realtime == "nchan":
        for s in (s1, s2):
            assert publishes(stack, s.user_id, before[s.user_id] + 1) == before[s.user_id] + 1
    for s, dr in ((s1, dr1), (s2, dr2)):
        assert expect(s.get(f"/api/posts/{dr['id']}"), 200).json["status"] == "declined"
        assert decline_audit(stack, dr["id"]) == [(mod.id, h.user_id, "ban")]
    statuses = dict(stack.query("SELECT id::text, status FROM posts WHERE id IN (%s, %s)", (taken["id"], other["id"])))
    assert statuses == {taken["id"]: "in_progress", other["id"]: "direct_request"}
    expect(mod.post(f"/api/moderation/users/{h.user_id}/unban", {"reason": "Appeal accepted."}), 200)
    assert stack.query("SELECT status FROM posts WHERE id = %s", (dr2["id"],)) == [("declined",)]
    assert expect(s1.post(f"/api/posts/{dr1['id']}/publish"), 200).json["status"] == "active"


@pytest.mark.parametrize("how,role", [("admin", "seeker"), ("admin", "moderator"), ("astralctl", "seeker")])
def test_request_to_a_helper_whose_role_changes_goes_back_declined(stack, how, role):
    """A helper who stops being one, from the admin screens or `astralctl user set-role`, hands
    back every direct request still waiting for them, declined (only helpers may answer one), in
    the change's transaction: audited with the admin (or no person, for astralctl) as actor and
    the helper as subject, direct_request.declined to the author. A request the helper had
    accepted, and requests to other helpers, stay as they were."""
    s = seeker(stack)
    h = helper(stack)
    dr = direct_request(s, h.user_id)
    taken = direct_request(seeker(stack), h.user_id)
    expect(h.post(f"/api/posts/{taken['id']}/accept"), 201)
    other = direct_request(s, helper(stack).user_id)
    before = publishes(stack, s.user_id)
    if how == "admin":
        admin = new_admin(stack)
        expect(admin.put(f"/api/admin/users/{h.user_id}/role", {"role": role}), 200)
        actor = admin.id
    else:
        p = stack.astralctl("user", "set-role", "--username", h.username, "--role", role)
        assert p.returncode == 0, p.stderr
        actor = None
    # Published after COMMIT (nginx's access log); behind Apache nothing is: the UI polls.
    if stack.realtime == "nchan":
        assert publishes(stack, s.user_id, before + 1) == before + 1
    assert expect(s.get(f"/api/posts/{dr['id']}"), 200).json["status"] == "declined"
    assert decline_audit(stack, dr["id"]) == [(actor, h.user_id, "role_change")]
    statuses = dict(stack.query("SELECT id::text, status FROM posts WHERE id IN (%s, %s)", (taken["id"], other["id"])))
    assert statuses == {taken["id"]: "in_progress", other["id"]: "direct_request"}
    assert expect(s.post(f"/api/posts/{dr['id']}/publish"), 200).json["status"] == "active"


def test_request_to_a_helper_who_stays_a_helper_waits(stack):
    """A new tier is no reason to hand anything back."""
    s = seeker(stack)
    h = helper(stack)
    dr = direct_request(s, h.user_id)
    admin = new_admin(stack)
    expect(admin.put(f"/api/admin/users/{h.user_id}/role", {"role": "helper", "tier": "certified"}), 200)
    assert stack.query("SELECT status FROM posts WHERE id = %s", (dr["id"],)) == [("direct_request",)]
    assert decline_audit(stack, dr["id"]) == []


def run_migration_again(owner_db, name):
    sql = (Path(__file__).resolve().parents[2] / "migrations" / name).read_text()
    with owner_db.cursor() as cur:
        cur.execute(sql)
    owner_db.commit()


def test_migration_0032_hands_back_requests_orphaned_before(stack, owner_db):
    """Requests left waiting for a deleted helper by earlier versions (status direct_request, no
    requested helper) go back to their authors as declined when migration 0032 runs again."""
    s = seeker(stack)
    dr = direct_request(s, helper(stack).user_id)
    waiting = direct_request(seeker(stack), helper(stack).user_id)
    stack.query("UPDATE posts SET requested_helper_id = NULL WHERE id = %s", (dr["id"],))
    run_migration_again(owner_db, "0032_orphaned_direct_requests.sql")
    assert expect(s.get(f"/api/posts/{dr['id']}"), 200).json["status"] == "declined"
    assert stack.query("SELECT status FROM posts WHERE id = %s", (waiting["id"],)) == [("direct_request",)]
    expect(s.post(f"/api/posts/{dr['id']}/publish"), 200)


def test_migration_0035_hands_back_requests_to_former_helpers(stack, owner_db):
    """Requests left waiting for someone whose role changed before role changes handed them back
    go back to their authors as declined when migration 0035 runs again; requests to helpers wait on."""
    s = seeker(stack)
    former = helper(stack)
    dr = direct_request(s, former.user_id)
    waiting = direct_request(seeker(stack), helper(stack).user_id)
    stack.query("UPDATE users SET role = 'seeker', helper_tier = NULL WHERE id = %s", (former.user_id,))
    run_migration_again(owner_db, "0035_requests_to_former_helpers.sql")
    assert expect(s.get(f"/api/posts/{dr['id']}"), 200).json["status"] == "declined"
    assert stack.query("SELECT status FROM posts WHERE id = %s", (waiting["id"],)) == [("direct_request",)]
    expect(s.post(f"/api/posts/{dr['id']}/publish"), 200)


def test_decline_a_public_post_is_409(stack):
    s = seeker(stack)
    p = post(s)
    expect(helper(stack).post(f"/api/posts/{p['id']}/decline"), 409, "conflict")


def test_resolve_a_direct_request(stack):
    s = seeker(stack)
    h = helper(stack)
    dr = direct_request(s, h.user_id)
    r = expect(s.post(f"/api/posts/{dr['id']}/resolve"), 200).json
    assert r["status"] == "resolved"
    expect(h.post(f"/api/posts/{dr['id']}/decline"), 409, "conflict")


# ------------------------------------------------------------------ IDOR matrix

ACTIONS = [
    ("GET", "{id}", None), ("POST", "{id}/support", None), ("DELETE", "{id}/support", None),
    ("POST", "{id}/report", {"reason": "spam"}), ("POST", "{id}/accept", None),
    ("POST", "{id}/resolve", None), ("POST", "{id}/publish", None), ("POST", "{id}/decline", None),
]


@pytest.fixture(scope="module")
def people(stack):
    """Seeker A owns the posts; seeker B, helper H (A's requested helper and the helper of A's
    session) and helper O are the others."""
    a, b = seeker(stack), seeker(stack)
    h, o = helper(stack), helper(stack)
    return {"a": a, "b": b, "h": h, "o": o}


@pytest.fixture(scope="module")
def private_posts(stack, people):
    """A's posts that only some may see: a direct request to H, a declined one, a post H is
    helping with, a resolved one, a reported one."""
    a, h = people["a"], people["h"]
    out = {"direct": direct_request(a, h.user_id)}
    declined = direct_request(a, h.user_id)
    expect(h.post(f"/api/posts/{declined['id']}/decline"), 200)
    out["declined"] = declined
    taken = post(a)
    expect(h.post(f"/api/posts/{taken['id']}/accept"), 201)
    out["taken"] = taken
    resolved = post(a)
    expect(a.post(f"/api/posts/{resolved['id']}/resolve"), 200)
    out["resolved"] = resolved
    reported = post(a)
    expect(seeker(stack).post(f"/api/posts/{reported['id']}/report", {"reason": "other"}), 201)
    out["reported"] = reported
    return out


def _call(client, method, path, body):
    return client.request(method, path, json_body=body) if body is not None else client.request(method, path)


@pytest.mark.parametrize("kind", ["direct", "declined", "taken", "resolved", "reported"])
@pytest.mark.parametrize("who", ["b", "o"])
@pytest.mark.parametrize("method,path,body", ACTIONS)
def test_idor_invisible_posts_are_404(stack, people, private_posts, kind, who, method, path, body):
    """Seeker B and the unrelated helper O get 404 on every action on A's private posts (or 403
    when the route is not for their role at all); nothing changes."""
    p = private_posts[kind]
    c = people[who]
    before = stack.query("SELECT status, support_count, reported FROM posts WHERE id = %s", (p["id"],))
    r = _call(c, method, "/api/posts/" + path.format(id=p["id"]), body)
    role = c.user["role"]
    if (path.endswith("accept") or path.endswith("decline")) and role != "helper":
        expect(r, 403, "forbidden")
    elif path.endswith("accept") and kind == "taken":
        expect(r, 409, "conflict")         # taken from the feed: the helper saw it there
    else:
        expect(r, 404, "not_found")
    after = stack.query("SELECT status, support_count, reported FROM posts WHERE id = %s", (p["id"],))
    assert before == after


def test_idor_visibility_of_private_posts(stack, people, private_posts):
    """Who sees what: A sees all of A's posts; H sees the requests to H and the post H helps
    with; B and O see none."""
    a, b, h, o = people["a"], people["b"], people["h"], people["o"]
    for kind, p in private_posts.items():
        expect(a.get(f"/api/posts/{p['id']}"), 200)
        expect(b.get(f"/api/posts/{p['id']}"), 404)
        expect(o.get(f"/api/posts/{p['id']}"), 404)
        expected = 200 if kind in ("direct", "declined", "taken") else 404
        expect(h.get(f"/api/posts/{p['id']}"), expected)
    taken = expect(h.get(f"/api/posts/{private_posts['taken']['id']}"), 200).json
    assert taken["session_id"] is not None
    mine_ids = {p["id"] for p in expect(b.get("/api/posts/mine?limit=100"), 200).json["items"]}
    assert not mine_ids & {p["id"] for p in private_posts.values()}


def test_idor_public_post_foreign_actions(stack, people):
    """On A's public post: B may read, support and report; resolve/publish are A's (404 for
    others); decline is 409 (not a request to them)."""
    a, b, h, o = people["a"], people["b"], people["h"], people["o"]
    p = post(a)
    expect(b.get(f"/api/posts/{p['id']}"), 200)
    for c in (b, h, o):
        expect(c.post(f"/api/posts/{p['id']}/resolve"), 404, "not_found")
        expect(c.post(f"/api/posts/{p['id']}/publish"), 404, "not_found")
    for c in (h, o):
        expect(c.post(f"/api/posts/{p['id']}/decline"), 409, "conflict")
    assert expect(a.get(f"/api/posts/{p['id']}"), 200).json["status"] == "active"


def test_session_id_is_shown_to_participants_only(stack, people):
    a, b, h = people["a"], people["b"], people["h"]
    p = post(a)
    expect(b.post(f"/api/posts/{p['id']}/support"), 200)
    sess = expect(h.post(f"/api/posts/{p['id']}/accept"), 201).json
    assert expect(a.get(f"/api/posts/{p['id']}"), 200).json["session_id"] == sess["id"]
    assert expect(h.get(f"/api/posts/{p['id']}"), 200).json["session_id"] == sess["id"]
    expect(b.get(f"/api/posts/{p['id']}"), 404)


def test_requests_waiting_for_me(stack):
    """A helper's own queue of private requests: only requests to them, only while they wait."""
    s = seeker(stack)
    h = helper(stack)
    other = helper(stack)
    first = direct_request(s, h.user_id, "first " + uuid.uuid4().hex, "Grief")
    second = direct_request(seeker(stack), h.user_id, "second " + uuid.uuid4().hex, "Stress")
    direct_request(seeker(stack), other.user_id, "not for h", "Other")
    page = expect(h.get("/api/posts/requests?limit=1"), 200).json
    assert len(page["items"]) == 1 and page["next"]
    rest = expect(h.get(f"/api/posts/requests?limit=1&cursor={page['next']}"), 200).json
    assert len(rest["items"]) == 1 and rest["next"] is None
    assert {p["id"] for p in page["items"] + rest["items"]} == {first["id"], second["id"]}
    assert all(p["status"] == "direct_request" and not p["mine"] for p in page["items"] + rest["items"])
    # Declined or accepted requests leave the queue.
    expect(h.post(f"/api/posts/{first['id']}/decline"), 200)
    expect(h.post(f"/api/posts/{second['id']}/accept"), 201)
    assert expect(h.get("/api/posts/requests"), 200).json["items"] == []
    # Seekers have no such queue; a bad cursor names the field.
    expect(s.get("/api/posts/requests"), 403, "forbidden")
    expect(h.get("/api/posts/requests?cursor=nonsense"), 400, "invalid_field", "cursor")
