"""Shared set-up for the moderation and admin tests (test_moderation_*.py, test_admin.py): staff
accounts signed in with two-step sign-in, people, posts, reports, alerts and sessions, and small
look-ups in the audit log. Holds no tests itself."""

import time
import uuid

from astral_client import expect, strong_password, totp, unique
from test_chat_setup import Person, new_helper, new_post, new_seeker, new_session, send  # noqa: F401
from test_recover_password_mfa import enrol

CRISIS_TEXT = "I can't go on, I want to kill myself tonight"


class _RealClock:
    """The programs' clock when no test moved it (the `clock` fixture resets it to 0)."""

    @staticmethod
    def now():
        return time.time()


class Staff(Person):
    """A moderator or admin with the credentials to sign in again (after the clock moved)."""

    def __init__(self, stack, client, role, username, password, secret):
        super().__init__(client, role)
        self.stack = stack
        self.username = username
        self.password = password
        self.secret = secret
        self.last_step = None

    def code(self, clock):
        """A TOTP code for the clock's now that was not used before (the server refuses replays)."""
        at = clock.now()
        step = int(at // 30)
        if self.last_step is not None and step <= self.last_step:
            at = (self.last_step + 1) * 30 + 1
            step = self.last_step + 1
        self.last_step = step
        return totp(self.secret, at)

    def relogin(self, clock):
        """A new session (the old one ended with the clock moving on)."""
        c = self.stack.client("bearer")
        c.login(self.username, self.password, totp_code=self.code(clock))
        self.c = c
        return self


def new_staff(stack, clock=None, role="moderator", mfa=True, name=None):
    """A moderator (or admin) signed in; with two-step sign-in unless mfa=False."""
    clock = clock or _RealClock()
    username, password = unique("mod" if role == "moderator" else "adm"), strong_password()
    stack.create_user(role, username, name or f"{role.title()} {username[-4:]}", password)
    c = stack.client("bearer")
    c.login(username, password)
    secret = None
    if mfa:
        secret = enrol(c, clock)
        staff = Staff(stack, c, role, username, password, secret)
        expect(c.post("/api/auth/mfa", {"action": "confirm", "code": staff.code(clock)}), 200)
        return staff
    return Staff(stack, c, role, username, password, secret)


def new_admin(stack, clock=None):
    return new_staff(stack, clock, role="admin")


def new_helper_with_password(stack, online=False):
    """A helper who signs in with a password (for the sign-in tests); (Person, username, password)."""
    username, password = unique("hb"), strong_password()
    stack.create_user("helper", username, "Helper " + username[-4:], password)
    c = stack.client("bearer")
    c.login(username, password)
    if online:
        stack.query("INSERT INTO helper_profiles (user_id, bio, expertise, available, available_since, created_at,"
                    " updated_at) VALUES (%s, 'I listen.', ARRAY['Anxiety & Stress'], true, now(), now(), now())",
                    (c.user_id,))
    return Person(c, "helper"), username, password


def report(person, post_id, reason="spam", note=None):
    body = {"reason": reason}
    if note is not None:
        body["note"] = note
    return expect(person.post(f"/api/posts/{post_id}/report", body), 201).json


def reported_post(stack, reasons=("spam",), content=None):
    """A seeker's post reported by one new person per reason; (author, post id, reporters). The
    first report goes through the route; a reported post leaves everyone's feed, so the others
    (people who saw it before) are written as the owner."""
    author = new_seeker(stack)
    post_id = new_post(stack, author, content=content)
    reporters = []
    for i, reason in enumerate(reasons):
        r = new_seeker(stack)
        if i == 0:
            report(r, post_id, reason)
        else:
            stack.query("INSERT INTO post_reports (id, post_id, reporter_id, reason, created_at)"
                        " VALUES (gen_random_uuid(), %s, %s, %s, now())", (post_id, r.id, reason))
        reporters.append(r)
    return author, post_id, reporters


def insert_alert(stack, user_id, severity="high", source="emergency", created_at=None, status="open"):
    """An alert row written as the owner (for ordering tests that need chosen times)."""
    alert_id = str(uuid.uuid4())
    stack.query("INSERT INTO crisis_alerts (id, user_id, source, severity, status, created_at, resolution_note,"
                " resolved_at)"
                " VALUES (%s, %s, %s, %s, %s, coalesce(%s::timestamptz, now()),"
                " CASE WHEN %s = 'resolved' THEN 'done' END, CASE WHEN %s = 'resolved' THEN now() END)",
                (alert_id, user_id, source, severity, status, created_at, status, status))
    return alert_id


def all_pages(client, path, limit=100, max_pages=200):
    """Every item of a list, following `next`; also returns the number of pages read."""
    items, cursor, pages = [], None, 0
    sep = "&" if "?" in path else "?"
    while True:
        q = f"{path}{sep}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        body = expect(client.get(q), 200).json
        items += body["items"]
        pages += 1
        cursor = body["next"]
        if not cursor or pages >= max_pages:
            return items, pages


def audit_rows(stack, action, actor_id=None, object_id=None):
    """(actor_id, actor_role, object_type, object_id, subject_id, outcome, detail) rows, oldest first."""
    sql = ("SELECT actor_id::text, actor_role, object_type, object_id, subject_id::text, outcome, detail"
           " FROM audit_log WHERE action = %s")
    args = [action]
    if actor_id is not None:
        sql += " AND actor_id = %s"
        args.append(actor_id)
    if object_id is not None:
        sql += " AND object_id = %s"
        args.append(object_id)
    return stack.query(sql + " ORDER BY id", tuple(args))
