"""Sanctions (cgi-bin/moderation, with the sign-in side in cgi-bin/auth): a warning, a timed and a
permanent ban (sessions revoked, open streams closed at once, sign-in, recovery and refresh
answering 403 account_banned, a timed ban lifting itself at its end), lifting a ban, and who may
sanction whom."""

import calendar
import threading
import time

import pytest

from astral_client import expect
from test_chat_setup import Subscriber
from test_moderation_setup import (audit_rows, new_admin, new_helper, new_helper_with_password, new_seeker,
                                   new_staff)


def epoch(text):
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


def test_warning_is_recorded_and_shown_to_the_person(stack, clock):
    mod = new_staff(stack, clock)
    seeker = new_seeker(stack)
    reason = "Please keep replies kind; that comment was hurtful."
    st = expect(mod.post(f"/api/moderation/users/{seeker.id}/warn", {"reason": reason}), 200).json
    assert st["user"] == {"id": seeker.id, "display_name": seeker.user["display_name"], "role": "seeker"}
    assert st["warnings"] == 1 and st["banned"] is False and st["ban"] is None
    assert [(a["action"], a["reason"], a["moderator"]["id"]) for a in st["actions"]] == [("warning", reason, mod.id)]
    clock.advance(2)                          # times are whole seconds: the second one is newer
    expect(mod.post(f"/api/moderation/users/{seeker.id}/warn", {"reason": "Second reminder."}), 200)
    assert expect(mod.get(f"/api/moderation/users/{seeker.id}"), 200).json["warnings"] == 2
    h = expect(seeker.get("/api/moderation/history"), 200).json
    assert [a["reason"] for a in h["actions"]] == ["Second reminder.", reason]
    assert all("moderator" not in a for a in h["actions"])
    # A warning does not end anything.
    expect(seeker.get("/api/auth/session"), 200)


def test_actions_in_the_same_second_are_listed_latest_first(stack, clock):
    """Action times are whole seconds: within one, the order they were taken decides (migration 0030)."""
    mod = new_staff(stack, clock)
    seeker = new_seeker(stack)
    clock.freeze()
    reasons = [f"Reminder {i}: please keep to the community guidelines." for i in range(1, 7)]
    for reason in reasons:
        expect(mod.post(f"/api/moderation/users/{seeker.id}/warn", {"reason": reason}), 200)
    h = expect(seeker.get("/api/moderation/history"), 200).json
    assert [a["reason"] for a in h["actions"]] == reasons[::-1]
    expect(mod.post(f"/api/moderation/users/{seeker.id}/ban", {"reason": "Repeated after six reminders.",
                                                                "hours": 1}), 200)
    st = expect(mod.get(f"/api/moderation/users/{seeker.id}"), 200).json
    assert [a["reason"] for a in st["actions"]] == ["Repeated after six reminders."] + reasons[::-1]
    assert {a["created_at"] for a in st["actions"]} == {time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                     time.gmtime(clock.frozen_at))}


@pytest.mark.nginx_only("event streams are nchan's; behind Apache the UI polls (test_apache_front.py)")
@pytest.mark.parametrize("transport", ["websocket", "eventsource"])
def test_timed_ban_closes_streams_refuses_sign_in_and_lifts_itself(stack, clock, transport):
    mod = new_staff(stack, clock)
    person, username, password = new_helper_with_password(stack)
    refresh_token = person.c.refresh_token
    sub = Subscriber(stack, person, transport)
    try:
        reason = "Repeated spam links in posts."
        t0 = clock.now()
        st = expect(mod.post(f"/api/moderation/users/{person.id}/ban", {"reason": reason, "hours": 2}), 200).json
        assert st["banned"] is True and st["ban"]["reason"] == reason and st["ban"]["by"]["id"] == mod.id
        until = epoch(st["ban"]["until"])
        assert abs(until - (t0 + 7200)) <= 5, st
        assert sub.closed.wait(5), f"the banned person's {transport} stream is still open after 5 s"
    finally:
        sub.close()
    expect(person.get("/api/auth/session"), 401)
    assert stack.query("SELECT count(*) FROM sessions WHERE user_id = %s AND revoked_at IS NULL", (person.id,)) \
        == [(0,)]
    assert stack.query("SELECT DISTINCT revoke_reason FROM sessions WHERE user_id = %s", (person.id,)) == [("ban",)]
    r = expect(stack.client("bearer").login(username, password, expect_status=None), 403, "account_banned")
    assert r.json["error"]["ban"] == {"reason": reason, "until": st["ban"]["until"]}
    expect(stack.client("bearer").refresh(token=refresh_token), 403, "account_banned")
    h = expect(stack.client("bearer").login(username, password, expect_status=None), 403)
    assert "access_token" not in (h.json or {})
    # The ban ends by itself at `until`.
    clock.advance(7200 + 5)
    c = stack.client("bearer")
    c.login(username, password)
    expect(c.get("/api/moderation/history"), 200)
    mod.relogin(clock)
    assert expect(mod.get(f"/api/moderation/users/{person.id}"), 200).json["banned"] is False
    # Lifting a ban that already ended is a conflict.
    expect(mod.post(f"/api/moderation/users/{person.id}/unban", {"reason": "Served."}), 409, "conflict",
           reason="not_banned")
    rows = audit_rows(stack, "user_ban", actor_id=mod.id, object_id=person.id)
    assert rows and rows[0][6].startswith("ban_hours_2: ") and reason in rows[0][6]


def test_permanent_ban_until_lifted(stack):
    mod = new_staff(stack)
    person, username, password = new_helper_with_password(stack)
    st = expect(mod.post(f"/api/moderation/users/{person.id}/ban", {"reason": "Threatened another member."}),
                200).json
    assert st["banned"] is True and st["ban"]["until"] is None
    r = expect(stack.client().login(username, password, expect_status=None), 403, "account_banned")
    assert r.json["error"]["ban"]["until"] is None
    st = expect(mod.post(f"/api/moderation/users/{person.id}/unban", {"reason": "Appeal accepted."}), 200).json
    assert st["banned"] is False and st["ban"] is None
    assert sorted(a["action"] for a in st["actions"]) == ["ban", "unban"]
    stack.client("bearer").login(username, password)
    expect(mod.post(f"/api/moderation/users/{person.id}/unban", {"reason": "Again."}), 409, "conflict")
    # Lifting the ban gives no revoked session back.
    expect(person.get("/api/moderation/history"), 401)


def test_a_ban_ends_a_session_whose_sign_in_was_under_way(stack):
    """A sign-in past its ban check but not yet committed, and a ban made meanwhile: the ban waits
    for that sign-in (the person's row is locked from the check to COMMIT) and revokes the session
    it made, instead of revoking only the sessions committed before it."""
    mod = new_staff(stack)
    person, username, password = new_helper_with_password(stack)
    out = {}
    hold = stack.owner_db()
    hold.autocommit = False
    hold.cursor().execute("LOCK TABLE audit_log IN SHARE MODE")   # holds each COMMIT that audits
    try:
        signing_in = threading.Thread(target=lambda: out.setdefault(
            "login", stack.client("bearer").login(username, password, expect_status=None)))
        signing_in.start()
        for _ in range(200):                   # the sign-in waits at its COMMIT
            if stack.query("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'audit_log'::regclass")[0][0]:
                break
            time.sleep(0.05)
        banning = threading.Thread(target=lambda: out.setdefault(
            "ban", mod.post(f"/api/moderation/users/{person.id}/ban", {"reason": "Threatened another member."})))
        banning.start()
        time.sleep(1.0)
    finally:
        hold.rollback()
        hold.close()
    signing_in.join(30)
    banning.join(30)
    expect(out["ban"], 200)
    login = out["login"]
    assert login.status == 200, login
    token = login.json["access_token"]
    r = stack.client("bearer")
    r.access_token = token
    expect(r.get("/api/auth/session"), 401)


def test_banned_seeker_cannot_use_the_recovery_code(stack):
    mod = new_staff(stack)
    seeker = new_seeker(stack)
    code = seeker.c.recovery_code
    expect(mod.post(f"/api/moderation/users/{seeker.id}/ban", {"reason": "Spam.", "hours": 24}), 200)
    r = expect(stack.client().post("/api/auth/recover", {"recovery_code": code}), 403, "account_banned")
    assert r.json["error"]["ban"]["reason"] == "Spam."
    # The code was not used up by the refused attempt.
    expect(mod.post(f"/api/moderation/users/{seeker.id}/unban", {"reason": "Mistake."}), 200)
    expect(stack.client().post("/api/auth/recover", {"recovery_code": code}), 200)


# (who acts, on whom, expected status)
RULES = [
    ("moderator", "seeker", 200),
    ("moderator", "helper", 200),
    ("moderator", "other_moderator", 403),
    ("moderator", "admin", 403),
    ("moderator", "self", 403),
    ("admin", "seeker", 200),
    ("admin", "moderator", 200),
    ("admin", "other_admin", 403),
    ("admin", "self", 403),
]


def test_who_may_sanction_whom(stack):
    mod, other_mod = new_staff(stack), new_staff(stack)
    adm, other_adm = new_admin(stack), new_admin(stack)
    targets = {"seeker": new_seeker(stack).id, "helper": new_helper(stack).id, "other_moderator": other_mod.id,
               "moderator": other_mod.id, "admin": adm.id, "other_admin": other_adm.id}
    actors = {"moderator": mod, "admin": adm}
    failures = []
    for actor, target, status in RULES:
        a = actors[actor]
        target_id = a.id if target == "self" else targets[target]
        for route, body in (("warn", {"reason": "Rule check."}), ("ban", {"reason": "Rule check.", "hours": 1})):
            if route == "ban" and status == 200:
                continue           # banning is checked above; here only the refusals of both routes
            r = a.post(f"/api/moderation/users/{target_id}/{route}", body)
            reason = r.json["error"].get("reason") if status == 403 and isinstance(r.json, dict) else None
            want = "own_account" if target == "self" else "not_yours_to_sanction"
            if r.status != status or (status == 403 and ("user" not in r.error_fields or reason != want)):
                failures.append(f"{actor} {route} {target}: expected {status} ({want}), got {r!r}")
    assert not failures, "\n".join(failures)
    # A refusal writes nothing but its audit row.
    assert stack.query("SELECT count(*) FROM account_bans WHERE user_id IN (%s, %s, %s)",
                       (other_mod.id, adm.id, other_adm.id)) == [(0,)]
    assert audit_rows(stack, "sanction_denied", actor_id=mod.id)
    expect(mod.post(f"/api/moderation/users/{other_mod.id}/unban", {"reason": "x"}), 403, "forbidden",
           reason="not_yours_to_sanction")


def test_a_banned_person_is_not_made_staff(stack):
    """Demote an admin, ban them, promote them again: the promotion is refused, so nobody is left an
    admin with a ban that no one may lift (an admin is never a sanction's target)."""
    a1, a2 = new_admin(stack), new_admin(stack)
    expect(a1.put(f"/api/admin/users/{a2.id}/role", {"role": "seeker"}), 200)
    expect(a1.post(f"/api/moderation/users/{a2.id}/ban", {"reason": "Gone."}), 200)
    for role in ("admin", "moderator"):
        expect(a1.put(f"/api/admin/users/{a2.id}/role", {"role": role}), 409, "conflict", "user", reason="ban_in_force")
    assert stack.query("SELECT role::text FROM users WHERE id = %s", (a2.id,)) == [("seeker",)]
    assert [r[5:] for r in audit_rows(stack, "role_change", actor_id=a1.id, object_id=a2.id)] == \
        [("success", "admin_to_seeker"), ("denied", "ban_in_force"), ("denied", "ban_in_force")]
    # Not staff, the person may still change role; once the ban is lifted, staff again.
    expect(a1.put(f"/api/admin/users/{a2.id}/role", {"role": "helper"}), 200)
    expect(a1.post(f"/api/moderation/users/{a2.id}/unban", {"reason": "Undone."}), 200)
    expect(a1.put(f"/api/admin/users/{a2.id}/role", {"role": "admin"}), 200)


def test_a_ban_that_ran_out_keeps_nobody_from_staff(stack, clock):
    """The role change asks whether a ban is in force at the request's clock, as sign-in does: a
    timed ban past its end is no ban there either."""
    admin = new_admin(stack, clock)
    person = new_seeker(stack)
    expect(admin.post(f"/api/moderation/users/{person.id}/ban", {"reason": "Cooling off.", "hours": 1}), 200)
    expect(admin.put(f"/api/admin/users/{person.id}/role", {"role": "moderator"}), 409, "conflict", "user",
           reason="ban_in_force")
    clock.advance(3600 + 5)
    admin.relogin(clock)
    expect(admin.put(f"/api/admin/users/{person.id}/role", {"role": "moderator"}), 200)


def test_two_admins_demoting_each_other_leave_one(stack):
    """Both requests wait on a lock the test holds on the two admins' rows, then go at once: one
    demotion is made and the other refused, whoever comes first."""
    a1, a2 = new_admin(stack), new_admin(stack)
    results = {}
    hold = stack.owner_db()
    hold.autocommit = False
    try:
        with hold.cursor() as cur:
            cur.execute("SELECT 1 FROM users WHERE id IN (%s, %s) FOR NO KEY UPDATE", (a1.id, a2.id))

            def demote(actor, target):
                results[actor.id] = actor.put(f"/api/admin/users/{target.id}/role", {"role": "seeker"})

            threads = [threading.Thread(target=demote, args=pair) for pair in ((a1, a2), (a2, a1))]
            for t in threads:
                t.start()
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and stack.query(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")[0][0] < 2:
                time.sleep(0.05)
        hold.commit()
    finally:
        hold.close()
    for t in threads:
        t.join(30)
    statuses = sorted(r.status for r in results.values())
    assert statuses == [200, 403], results
    loser = next(r for r in results.values() if r.status == 403)
    assert loser.error_code == "forbidden" and loser.json["error"]["reason"] == "not_admin", loser
    roles = stack.query("SELECT role::text FROM users WHERE id IN (%s, %s)", (a1.id, a2.id))
    assert sorted(roles) == [("admin",), ("seeker",)], roles
