"""The admins' routes (cgi-bin/moderation): helper applications (approve makes the helper
certified, a rejection needs notes), role changes (as `astralctl user set-role`), the community
statistics against a known set of rows, and the audit log (filters, pages, and the chain
verification that notices a row changed behind the application's back)."""

import datetime
import uuid

import pytest

from astral_client import expect, strong_password, unique
from test_chat_setup import Subscriber
from test_moderation_setup import (audit_rows, new_admin, new_helper, new_helper_with_password, new_seeker, new_staff,
                                   report, new_post)


# ------------------------------------------------------------------ applications

def apply(stack, helper, minutes_ago, score=100, motivation="I want to help people feel heard."):
    """A pending application, as the helper program writes it (owner SQL: the route is its program's)."""
    app_id = str(uuid.uuid4())
    stack.query("INSERT INTO helper_applications (id, helper_id, motivation, quiz_score, submitted_at)"
                " VALUES (%s, %s, %s, %s, now() - %s * interval '1 minute')",
                (app_id, helper.id, motivation, score, minutes_ago))
    return app_id


def listed(admin, status):
    body = expect(admin.get(f"/api/admin/applications?status={status}&limit=100"), 200).json
    return [a["id"] for a in body["items"]]


def test_applications_approve_and_reject(stack):
    admin = new_admin(stack)
    h1, h2 = new_helper(stack), new_helper(stack)
    a1 = apply(stack, h1, minutes_ago=10)
    a2 = apply(stack, h2, minutes_ago=20, score=80, motivation=None)
    pending = listed(admin, "pending")
    assert pending.index(a2) < pending.index(a1), "pending applications come oldest first"
    item = next(a for a in expect(admin.get("/api/admin/applications"), 200).json["items"] if a["id"] == a1)
    assert item["helper"]["id"] == h1.id and item["helper"]["bio"] == "I listen."
    assert item["helper"]["expertise"] == ["Anxiety & Stress"] and item["quiz_score"] == 100
    assert item["stats"] == {"sessions": 0, "kudos": 0, "reputation": None, "feedback_count": 0}
    assert item["status"] == "pending" and item["decided_by"] is None and item["notes"] is None

    expect(admin.put(f"/api/admin/applications/{a2}", {"status": "rejected"}), 400, "invalid_field", "notes")
    r = expect(admin.put(f"/api/admin/applications/{a1}", {"status": "approved", "notes": "Great answers."}), 200).json
    assert r["status"] == "approved" and r["decided_by"]["id"] == admin.id and r["notes"] == "Great answers."
    assert r["decided_at"]
    assert expect(h1.get("/api/auth/session"), 200).json["user"]["helper_tier"] == "certified"
    expect(admin.put(f"/api/admin/applications/{a1}", {"status": "rejected", "notes": "x"}), 409, "conflict",
           reason="already_decided")
    r = expect(admin.put(f"/api/admin/applications/{a2}",
                         {"status": "rejected", "notes": "Please retake the quiz after the training."}), 200).json
    assert r["status"] == "rejected" and r["notes"].startswith("Please retake")
    assert expect(h2.get("/api/auth/session"), 200).json["user"]["helper_tier"] == "community"
    assert a1 in listed(admin, "approved") and a2 in listed(admin, "rejected")
    assert {a1, a2} <= set(listed(admin, "all")) and not {a1, a2} & set(listed(admin, "pending"))
    rows = audit_rows(stack, "application_decide", actor_id=admin.id)
    # The refused second decision on a1 is audited too (docs/moderation.md).
    assert [(row[3], row[4], row[5], row[6].split(":")[0]) for row in rows] == [
        (a1, h1.id, "success", "approved"), (a1, h1.id, "denied", "already_decided"),
        (a2, h2.id, "success", "rejected")]


def test_approving_someone_no_longer_a_helper_is_a_conflict(stack):
    admin = new_admin(stack)
    h = new_helper(stack)
    a = apply(stack, h, minutes_ago=1)
    expect(admin.put(f"/api/admin/users/{h.id}/role", {"role": "seeker"}), 200)
    expect(admin.put(f"/api/admin/applications/{a}", {"status": "approved"}), 409, "conflict", "status",
           reason="not_helper")
    assert stack.query("SELECT status FROM helper_applications WHERE id = %s", (a,)) == [("pending",)]
    assert stack.query("SELECT role::text, helper_tier FROM users WHERE id = %s", (h.id,)) == [("seeker", None)]


def test_application_pages(stack):
    admin = new_admin(stack)
    made = [apply(stack, new_helper(stack), minutes_ago=100 - i) for i in range(3)]
    seen, cursor = [], None
    while True:
        q = "/api/admin/applications?limit=1" + (f"&cursor={cursor}" if cursor else "")
        body = expect(admin.get(q), 200).json
        seen += [a["id"] for a in body["items"]]
        cursor = body["next"]
        if not cursor:
            break
    assert [x for x in seen if x in made] == made
    expect(admin.get(f"/api/admin/applications?status=all&cursor={body['next'] or 'x'}"), 400, "invalid_field",
           "cursor")


# ------------------------------------------------------------------ roles

def stream_of(stack, person):
    """An open WebSocket of the person's (None behind Apache: no streams, the UI polls)."""
    return Subscriber(stack, person, "websocket") if stack.realtime == "nchan" else None


def closes_within(sub, seconds):
    try:
        return sub is None or sub.closed.wait(seconds)
    finally:
        if sub is not None:
            sub.close()


def test_role_change_revokes_sessions_and_closes_streams(stack):
    admin = new_admin(stack)
    seeker = new_seeker(stack)
    sub = stream_of(stack, seeker)
    st = expect(admin.put(f"/api/admin/users/{seeker.id}/role", {"role": "helper"}), 200).json
    assert st["user"]["role"] == "helper" and st["helper_tier"] == "community"
    assert closes_within(sub, 5), "the person's stream stayed open after a role change"
    expect(seeker.get("/api/auth/session"), 401)
    assert stack.query("SELECT DISTINCT revoke_reason FROM sessions WHERE user_id = %s", (seeker.id,)) == \
        [("role_change",)]
    rows = audit_rows(stack, "role_change", actor_id=admin.id, object_id=seeker.id)
    assert [(r[4], r[6]) for r in rows] == [(seeker.id, "seeker_to_helper")]


def test_role_rules(stack):
    admin = new_admin(stack)
    h = new_helper(stack)
    stack.query("UPDATE users SET helper_tier = 'certified' WHERE id = %s", (h.id,))
    # A helper who stays a helper keeps the tier: nothing changes, nothing is revoked.
    st = expect(admin.put(f"/api/admin/users/{h.id}/role", {"role": "helper"}), 200).json
    assert st["helper_tier"] == "certified"
    expect(h.get("/api/auth/session"), 200)
    assert audit_rows(stack, "role_change", actor_id=admin.id, object_id=h.id)[-1][6] == "unchanged_helper"
    st = expect(admin.put(f"/api/admin/users/{h.id}/role", {"role": "helper", "tier": "community"}), 200).json
    assert st["helper_tier"] == "community"
    expect(h.get("/api/auth/session"), 401)
    st = expect(admin.put(f"/api/admin/users/{h.id}/role", {"role": "moderator"}), 200).json
    assert st["user"]["role"] == "moderator" and st["helper_tier"] is None
    expect(admin.put(f"/api/admin/users/{h.id}/role", {"role": "seeker", "tier": "community"}), 400,
           "invalid_field", "tier")
    expect(admin.put(f"/api/admin/users/{admin.id}/role", {"role": "seeker"}), 409, "conflict", reason="own_role")
    expect(admin.put(f"/api/admin/users/{h.id}/role", {"role": "root"}), 400, "invalid_field", "role")
    assert stack.query("SELECT role::text FROM users WHERE id = %s", (admin.id,)) == [("admin",)]


def test_astralctl_set_role_keeps_the_rules_of_the_admin_screens(stack):
    """`astralctl user set-role` changes a role as the admin screens do (lib/role_change.c): the
    person's sessions end and, once committed, their open streams close; a person with a ban in
    force is never made staff; the last admin is never demoted."""
    person, username, _ = new_helper_with_password(stack)
    sub = stream_of(stack, person)
    p = stack.astralctl("user", "set-role", "--username", username, "--role", "seeker")
    assert p.returncode == 0, p.stderr
    assert closes_within(sub, 5), "the person's stream stayed open after astralctl changed their role"
    expect(person.get("/api/auth/session"), 401)
    assert [(r[0], r[1], r[6]) for r in audit_rows(stack, "role_change", object_id=person.id)] == \
        [(None, "system", "helper_to_seeker")]

    mod = new_staff(stack)
    expect(mod.post(f"/api/moderation/users/{person.id}/ban", {"reason": "Spam links.", "hours": 1}), 200)
    for role in ("moderator", "admin"):
        p = stack.astralctl("user", "set-role", "--username", username, "--role", role)
        assert p.returncode != 0 and "ban in force" in p.stderr, (p.returncode, p.stdout, p.stderr)
    assert stack.query("SELECT role::text FROM users WHERE id = %s", (person.id,)) == [("seeker",)]

    # The only admin: every other one is a moderator for the moment.
    only = unique("adm")
    stack.create_user("admin", only, "Only Admin", strong_password())
    others = stack.query("UPDATE users SET role = 'moderator' WHERE role = 'admin' AND username <> %s RETURNING id::text",
                         (only,))
    try:
        p = stack.astralctl("user", "set-role", "--username", only, "--role", "moderator")
        assert p.returncode != 0 and "last admin" in p.stderr, (p.returncode, p.stdout, p.stderr)
        assert stack.query("SELECT role::text FROM users WHERE username = %s", (only,)) == [("admin",)]
    finally:
        for (user_id,) in others:
            stack.query("UPDATE users SET role = 'admin' WHERE id = %s", (user_id,))
    p = stack.astralctl("user", "set-role", "--username", only, "--role", "moderator")
    assert p.returncode == 0, p.stderr


# ------------------------------------------------------------------ statistics

def ts(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc)


def test_stats_against_a_known_fixture(stack, clock):
    admin = new_admin(stack, clock)
    expect(admin.get("/api/admin/stats?days=0"), 400, "invalid_field", "days")
    expect(admin.get("/api/admin/stats?days=366"), 400, "invalid_field", "days")
    base = expect(admin.get("/api/admin/stats?days=1"), 200).json
    assert base["days"] == 1

    # Counts of the current state move by exactly what is added.
    seeker = new_seeker(stack)
    new_post(stack, seeker)
    new_post(stack, seeker)
    reported = new_post(stack, seeker)
    report(new_seeker(stack), reported, "spam")           # leaves the feed, opens a report
    new_helper(stack, online=True)
    certified = new_helper(stack, online=False)
    stack.query("UPDATE users SET helper_tier = 'certified' WHERE id = %s", (certified.id,))
    apply(stack, certified, minutes_ago=1)
    video = str(uuid.uuid4())
    stack.query("INSERT INTO wellness_videos (id, uploader_id, mime, size, created_at)"
                " VALUES (%s, %s, 'video/mp4', 100, now())", (video, seeker.id))
    alerts = [str(uuid.uuid4()) for _ in range(2)]
    stack.query("INSERT INTO crisis_alerts (id, user_id, source, severity, status, created_at, acknowledged_at)"
                " VALUES (%s, %s, 'emergency', 'high', 'open', now(), NULL),"
                " (%s, %s, 'emergency', 'low', 'acknowledged', now(), now())",
                (alerts[0], seeker.id, alerts[1], seeker.id))
    try:
        now = expect(admin.get("/api/admin/stats?days=1"), 200).json
        assert now["active_posts"] - base["active_posts"] == 2
        assert now["open_reports"] - base["open_reports"] == 1
        assert now["helpers_online"] - base["helpers_online"] == 1
        assert now["helpers_total"] - base["helpers_total"] == 2
        assert now["certified_helpers"] - base["certified_helpers"] == 1
        assert now["pending_applications"] - base["pending_applications"] == 1
        assert now["pending_videos"] - base["pending_videos"] == 1
        assert now["alerts"]["open"] - base["alerts"]["open"] == 1
        assert now["alerts"]["acknowledged"] - base["alerts"]["acknowledged"] == 1
    finally:
        stack.query("DELETE FROM wellness_videos WHERE id = %s", (video,))
        stack.query("DELETE FROM crisis_alerts WHERE id = ANY(%s::uuid[])", (alerts,))

    # The window: three days ahead nothing of the other tests is in the last day; only this.
    clock.advance(3 * 86400)
    admin.relogin(clock)
    t = clock.now()
    helper = new_helper(stack)
    fixture = []       # (category, minutes to the session or None, hours before now)
    fixture += [("Grief", 10, 3), ("Grief", 30, 2), ("Stress", 20, 1), ("Grief", None, 4)]
    posts = []
    try:
        for category, minutes, hours in fixture:
            post_id = str(uuid.uuid4())
            created = ts(t - hours * 3600)
            stack.query("INSERT INTO posts (id, author_id, category, content, status, created_at, updated_at)"
                        " VALUES (%s, %s, %s, 'A post of the statistics fixture.', 'in_progress', %s, %s)",
                        (post_id, seeker.id, category, created, created))
            posts.append(post_id)
            if minutes is not None:
                stack.query("INSERT INTO help_sessions (id, post_id, seeker_id, helper_id, started_at)"
                            " VALUES (%s, %s, %s, %s, %s)",
                            (str(uuid.uuid4()), post_id, seeker.id, helper.id,
                             created + datetime.timedelta(minutes=minutes)))
        resolved = str(uuid.uuid4())
        alerts.append(resolved)
        stack.query("INSERT INTO crisis_alerts (id, user_id, source, severity, status, created_at, resolved_at,"
                    " resolution_note) VALUES (%s, %s, 'emergency', 'medium', 'resolved', %s, %s, 'Handled.')",
                    (resolved, seeker.id, ts(t - 7200), ts(t - 3600)))
        s = expect(admin.get("/api/admin/stats?days=1"), 200).json
        assert s["median_minutes_to_first_helper"] == 20
        assert s["most_common_category"] == "Grief"
        assert s["alerts"]["resolved_in_window"] == 1
        # The default window is 30 days and reaches back over the other tests' rows too.
        wide = expect(admin.get("/api/admin/stats"), 200).json
        assert wide["days"] == 30 and wide["alerts"]["resolved_in_window"] >= 1
        assert audit_rows(stack, "stats_read", actor_id=admin.id)[-1][6] == "days_30"
    finally:
        for post_id in posts:
            stack.query("DELETE FROM posts WHERE id = %s", (post_id,))
        stack.query("DELETE FROM crisis_alerts WHERE id = ANY(%s::uuid[])", (alerts,))


# ------------------------------------------------------------------ the audit log

def test_audit_filters_and_pages(stack):
    admin, mod = new_admin(stack), new_staff(stack)
    seeker = new_seeker(stack)
    for reason in ("first", "second", "third"):
        expect(mod.post(f"/api/moderation/users/{seeker.id}/warn", {"reason": reason}), 200)
    body = expect(admin.get(f"/api/admin/audit?actor={mod.id}&limit=100"), 200).json
    assert body["items"] and all(i["actor_id"] == mod.id for i in body["items"])
    ids = [i["id"] for i in body["items"]]
    assert ids == sorted(ids, reverse=True), "newest first"
    assert body["chain"] == {"status": "not_checked", "checked": 0, "first_bad_id": None}
    warns = expect(admin.get(f"/api/admin/audit?subject={seeker.id}&action=user_warn&object_type=user"), 200).json
    assert [i["detail"] for i in warns["items"]] == ["warning: third", "warning: second", "warning: first"]
    assert all(i["actor_role"] == "moderator" and i["object_id"] == seeker.id for i in warns["items"])
    none = expect(admin.get(f"/api/admin/audit?subject={seeker.id}&action=user_ban"), 200).json
    assert none["items"] == [] and none["next"] is None
    # The days the rows were written on (the database's clock, UTC; two if they straddle midnight).
    days = sorted({datetime.date.fromisoformat(i["at"][:10]) for i in warns["items"]})
    before, after = (days[0] - datetime.timedelta(days=1)).isoformat(), (days[-1] + datetime.timedelta(days=1)).isoformat()
    q = f"/api/admin/audit?subject={seeker.id}&action=user_warn"
    assert len(expect(admin.get(f"{q}&from={before}&to={after}"), 200).json["items"]) == 3
    assert expect(admin.get(f"{q}&from={after}"), 200).json["items"] == []
    assert expect(admin.get(f"{q}&to={before}"), 200).json["items"] == []
    expect(admin.get(f"{q}&from={after}&to={before}"), 400, "invalid_field", "to")
    expect(admin.get("/api/admin/audit?action=User-Warn"), 400, "invalid_field", "action")
    # Pages of one walk the same rows.
    seen, cursor = [], None
    while True:
        page = expect(admin.get(f"{q}&limit=1" + (f"&cursor={cursor}" if cursor else "")), 200).json
        seen += [i["id"] for i in page["items"]]
        cursor = page["next"]
        if not cursor:
            break
    assert seen == [i["id"] for i in warns["items"]]
    # The query itself is audited.
    assert audit_rows(stack, "audit_query", actor_id=admin.id)


def test_audit_verify_finds_a_changed_row(stack):
    admin = new_admin(stack)
    seeker = new_seeker(stack)
    expect(seeker.put("/api/me/preferences", {"theme": "dark"}), 200)
    chain = expect(admin.get("/api/admin/audit?verify=true&limit=1"), 200).json["chain"]
    assert chain["status"] == "ok" and chain["checked"] > 0 and chain["first_bad_id"] is None, chain
    row_id = stack.query("SELECT id FROM audit_log WHERE actor_id = %s AND action = 'preferences_update'"
                         " ORDER BY id LIMIT 1", (seeker.id,))[0][0]

    def shift(seconds):
        conn = stack.owner_db()
        try:
            conn.autocommit = False
            with conn.cursor() as cur:
                cur.execute("ALTER TABLE audit_log DISABLE TRIGGER USER")
                cur.execute("UPDATE audit_log SET occurred_at = occurred_at + %s * interval '1 second'"
                            " WHERE id = %s", (seconds, row_id))
                assert cur.rowcount == 1
                cur.execute("ALTER TABLE audit_log ENABLE TRIGGER USER")
            conn.commit()
        finally:
            conn.close()

    shift(1)
    try:
        chain = expect(admin.get("/api/admin/audit?verify=true&limit=1"), 200).json["chain"]
        assert chain["status"] == "broken" and chain["first_bad_id"] == row_id, chain
    finally:
        shift(-1)
    chain = expect(admin.get("/api/admin/audit?verify=true&limit=1"), 200).json["chain"]
    assert chain["status"] == "ok", chain
    rows = audit_rows(stack, "audit_query", actor_id=admin.id)
    assert [r[6] for r in rows] == ["verify", "verify", "verify"]


@pytest.mark.parametrize("role", ["moderator"])
def test_moderators_do_not_read_the_audit_log(stack, role):
    expect(new_staff(stack, role=role).get("/api/admin/audit?verify=true"), 403, "forbidden")


def test_stats_count_a_resting_helper_as_offline(stack):
    """A helper resting after a high-severity session is offline for the admin as for the landing
    page (migration 0024): their switch stays on, and neither count includes them."""
    from test_chat_setup import accept, end_session, new_helper as chat_helper, new_post as chat_post, \
        new_seeker as chat_seeker
    from test_helper_dashboard import dashboard, online_count
    admin = new_admin(stack)

    def both():
        return expect(admin.get("/api/admin/stats?days=1"), 200).json["helpers_online"], online_count(stack)

    h, seeker = chat_helper(stack), chat_seeker(stack)
    sid = accept(stack, h, chat_post(stack, seeker))
    expect(seeker.post(f"/api/sessions/{sid}/emergency", {}), 201)
    admin_before, public_before = both()
    end_session(seeker, sid)
    assert dashboard(h)["wellbeing"]["resting"] is True
    assert stack.query("SELECT available FROM helper_profiles WHERE user_id = %s", (h.id,))[0][0] is True
    assert both() == (admin_before - 1, public_before - 1)
