"""Function-level authorization of cgi-bin/moderation (BFLA): every staff and admin route called by
every kind of caller. One table, walked by one test: anonymous callers get 401; seekers and helpers
403 `forbidden`; a moderator who has not set up two-step sign-in 403 `mfa_required`; moderators
the staff routes but 403 on the admin ones; admins everything. Calls that get through name ids
that do not exist (or take nothing), so they change nothing: what they answer shows the handler
ran (200, 404, or 403 naming `grant` for a transcript without a grant)."""

import uuid

from astral_client import expect
from test_moderation_setup import new_admin, new_helper, new_seeker, new_staff

NOBODY = str(uuid.UUID(int=0x42))   # an id nothing has
REASON = {"reason": "Checking who may call this route."}

STAFF, ADMIN = "staff", "admin"
# (method, path, body, who may call it, what a caller who may gets)
ROUTES = [
    ("GET", "/api/moderation/reports", None, STAFF, 200),
    ("POST", f"/api/moderation/reports/{NOBODY}/dismiss", {}, STAFF, 404),
    ("DELETE", f"/api/moderation/posts/{NOBODY}", REASON, STAFF, 404),
    ("GET", "/api/moderation/alerts", None, STAFF, 200),
    ("GET", "/api/moderation/alerts?status=resolved", None, STAFF, 200),
    ("GET", f"/api/moderation/alerts/{NOBODY}", None, STAFF, 404),
    ("POST", f"/api/moderation/alerts/{NOBODY}/ack", None, STAFF, 404),
    ("POST", f"/api/moderation/alerts/{NOBODY}/resolve", {"note": "Called the person."}, STAFF, 404),
    ("GET", f"/api/moderation/users/{NOBODY}", None, STAFF, 404),
    ("POST", f"/api/moderation/users/{NOBODY}/warn", REASON, STAFF, 404),
    ("POST", f"/api/moderation/users/{NOBODY}/ban", {**REASON, "hours": 2}, STAFF, 404),
    ("POST", f"/api/moderation/users/{NOBODY}/unban", REASON, STAFF, 404),
    ("GET", "/api/moderation/videos", None, STAFF, 200),
    ("POST", f"/api/moderation/videos/{NOBODY}/approve", None, STAFF, 404),
    ("POST", f"/api/moderation/videos/{NOBODY}/reject", REASON, STAFF, 404),
    ("POST", "/api/moderation/break-glass", {"session_id": NOBODY, "reason": "A safety check of this chat."},
     STAFF, 404),
    ("GET", "/api/moderation/break-glass", None, STAFF, 200),
    ("GET", f"/api/moderation/sessions/{NOBODY}/messages", None, STAFF, 403),
    ("GET", "/api/admin/applications", None, ADMIN, 200),
    ("GET", "/api/admin/applications?status=all", None, ADMIN, 200),
    ("PUT", f"/api/admin/applications/{NOBODY}", {"status": "approved"}, ADMIN, 404),
    ("PUT", f"/api/admin/users/{NOBODY}/role", {"role": "helper"}, ADMIN, 404),
    ("GET", "/api/admin/stats", None, ADMIN, 200),
    ("GET", "/api/admin/audit", None, ADMIN, 200),
]
# The one route every signed-in person has.
ANY_USER_ROUTES = [("GET", "/api/moderation/history", None)]

CALLERS = ["anonymous", "seeker", "helper", "moderator_without_mfa", "moderator", "admin"]


def expected(caller, who, allowed_status):
    """(status, error code or None) for this caller on a route for `who`."""
    if caller == "anonymous":
        return 401, "unauthorized"
    if caller in ("seeker", "helper"):
        return 403, "forbidden"
    # The role is checked before the second factor: an admin route is no moderator's either way.
    if caller in ("moderator", "moderator_without_mfa") and who == ADMIN:
        return 403, "forbidden"
    if caller == "moderator_without_mfa":
        return 403, "mfa_required"
    return allowed_status, None


def call(client, method, path, body, auth=True):
    if body is None:
        return client.request(method, path, auth=auth)
    return client.request(method, path, json_body=body, auth=auth)


def test_every_route_for_every_caller(stack):
    people = {
        "anonymous": stack.client("bearer"),
        "seeker": new_seeker(stack).c,
        "helper": new_helper(stack).c,
        "moderator_without_mfa": new_staff(stack, mfa=False).c,
        "moderator": new_staff(stack).c,
        "admin": new_admin(stack).c,
    }
    before = stack.query("SELECT (SELECT count(*) FROM moderation_actions), (SELECT count(*) FROM account_bans),"
                         " (SELECT count(*) FROM break_glass_grants)")[0]
    failures = []
    checked = 0
    for method, path, body, who, allowed_status in ROUTES:
        for caller in CALLERS:
            status, code = expected(caller, who, allowed_status)
            r = call(people[caller], method, path, body, auth=caller != "anonymous")
            checked += 1
            if r.status != status or (code is not None and r.error_code != code):
                failures.append(f"{caller:22} {method} {path}: expected {status} {code or ''}, got {r!r}")
            elif caller in ("moderator", "admin") and path.endswith("/messages"):
                # Staff get through the dispatcher; the handler refuses for want of a grant.
                if r.error_fields.get("grant") is None:
                    failures.append(f"{caller} {path}: the 403 must name `grant`: {r!r}")
    for method, path, body in ANY_USER_ROUTES:
        for caller in CALLERS:
            status = {"anonymous": 401, "moderator_without_mfa": 403}.get(caller, 200)
            r = call(people[caller], method, path, body, auth=caller != "anonymous")
            checked += 1
            if r.status != status:
                failures.append(f"{caller:22} {method} {path}: expected {status}, got {r!r}")
    assert checked == (len(ROUTES) + len(ANY_USER_ROUTES)) * len(CALLERS)
    assert not failures, "\n".join(failures)
    after = stack.query("SELECT (SELECT count(*) FROM moderation_actions), (SELECT count(*) FROM account_bans),"
                        " (SELECT count(*) FROM break_glass_grants)")[0]
    assert after == before, "a refused or empty call changed moderation state"


def test_routes_table_covers_the_contract():
    """The table above names every staff and admin route of the contract."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "moderation-api-contract.md").read_text()
    documented = {(m.group(1), m.group(2)) for m in
                  re.finditer(r"^\|\s*([A-Z]+)\s*\|\s*(/api/\S+)\s*\|\s*(?:staff|admin)\s*\|", text, re.M)}
    templ = {(m, re.sub(r"[0-9a-f-]{36}", "{id}", p.split("?")[0])) for m, p, _, _, _ in ROUTES}
    normal = {(m, re.sub(r"\{[a-z_]+\}", "{id}", p)) for m, p in documented}
    assert normal and normal == templ, f"missing: {sorted(normal - templ)}; extra: {sorted(templ - normal)}"


def test_a_staff_session_without_mfa_reaches_nothing_but_mfa_setup(stack):
    m = new_staff(stack, mfa=False)
    expect(m.get("/api/moderation/alerts"), 403, "mfa_required")
    # Enrolment itself stays open to them.
    expect(m.post("/api/auth/mfa", {"action": "enrol"}), 200)
