"""Shared pieces of the cgi-bin/posts tests (no tests here): seekers, helpers made online with
direct SQL (so these tests do not depend on cgi-bin/helpers), posts, and the publisher log."""

import time
import uuid

from astral_client import expect, strong_password, unique

CATEGORIES = ["Anxiety", "Depression", "Grief", "Relationships", "Stress", "Loneliness", "Other"]


def seeker(stack):
    c = stack.client("bearer")
    c.anonymous()
    return c


def helper(stack, online=True, display_name=None):
    """A signed-in helper (Bearer); online=None leaves them without a profile."""
    username = unique("hp")
    password = strong_password()
    name = display_name or "Helper " + uuid.uuid4().hex[:6]
    stack.create_user("helper", username, name, password)
    c = stack.client("bearer")
    c.login(username, password)
    c.display_name = name
    c.username = username
    if online is not None:
        set_online(stack, c.user_id, online)
    return c


def set_online(stack, user_id, online):
    stack.query(
        "INSERT INTO helper_profiles (user_id, bio, expertise, available, available_since, created_at, updated_at)"
        " VALUES (%s, 'I listen.', ARRAY['Anxiety & Stress'], %s, CASE WHEN %s THEN now() END, now(), now())"
        " ON CONFLICT (user_id) DO UPDATE SET available = EXCLUDED.available,"
        " available_since = EXCLUDED.available_since, updated_at = now()",
        (user_id, online, online))


def post(client, content=None, category="Anxiety"):
    content = content or "Feeling a bit lost today " + uuid.uuid4().hex
    r = expect(client.post("/api/posts", {"category": category, "content": content}), 201)
    return r.json


def direct_request(client, helper_id, content=None, category="Stress"):
    content = content or "Could we talk? " + uuid.uuid4().hex
    r = expect(client.post("/api/posts/direct-requests",
                           {"helper_id": helper_id, "category": category, "content": content}), 201)
    return r.json


def block(client, user_id):
    expect(client.post("/api/me/blocks", {"user_id": user_id}), 201)


def all_pages(client, path, limit=100, max_pages=500):
    """Every item of a list, following `next`."""
    items, cursor = [], None
    sep = "&" if "?" in path else "?"
    for _ in range(max_pages):
        url = f"{path}{sep}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        r = expect(client.get(url), 200)
        items += r.json["items"]
        cursor = r.json["next"]
        if cursor is None:
            return items
    raise AssertionError(f"{path}: more than {max_pages} pages")


def feed_ids(client, query=""):
    return [p["id"] for p in all_pages(client, "/api/posts" + (f"?{query}" if query else ""))]


def publishes(stack, user_id, at_least=0, timeout=10.0):
    """How many events the programs published to the user's channel (nginx access log), once
    there are at least `at_least` of them (or `timeout` seconds have passed: the count then).

    The programs publish after their answer has left (lib/router.c), and nginx writes the line
    once it has answered the publish: a count read right after an answer may still miss that
    answer's events. Wait for the number expected; at_least=0 reads the log once, for checks
    that nothing more was published."""
    log = stack.log_dir / "nginx-access.log"
    wanted = f"POST /rt/pub/user-{user_id}"
    deadline = time.monotonic() + timeout
    while True:
        count = log.read_text(errors="replace").count(wanted) if log.exists() else 0
        if count >= at_least or time.monotonic() >= deadline:
            return count
        time.sleep(0.05)
