"""Logout, token reuse and account deletion close the user's real-time streams: the program
deletes the user's nchan channel through the loopback-only publisher (architecture §6)."""

import time

from astral_client import expect


def publisher_deletes(stack, user_id):
    log = stack.log_dir / "nginx-access.log"
    wanted = f"DELETE /rt/pub/user-{user_id}"
    for _ in range(20):                       # nginx writes its access log as requests end
        if log.exists() and wanted in log.read_text(errors="replace"):
            return True
        time.sleep(0.1)
    return False


def test_logout_closes_the_users_channel(stack):
    c = stack.client()
    c.anonymous()
    uid = c.user["id"]
    assert not publisher_deletes(stack, uid)
    expect(c.post("/api/auth/logout"), 204)
    assert publisher_deletes(stack, uid)


def test_account_deletion_closes_the_users_channel(stack):
    c = stack.client()
    c.anonymous()
    uid = c.user["id"]
    expect(c.delete("/api/me", {"confirm": "delete my account"}), 204)
    assert publisher_deletes(stack, uid)
