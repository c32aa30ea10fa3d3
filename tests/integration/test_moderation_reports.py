"""The report queue (cgi-bin/moderation): what staff see of a reported post, the order of the
queue, dismissing (the post is shown again) and removing (reports actioned, the author told why,
an open session ended), and what the reporter and the author read in /api/moderation/history."""

from astral_client import expect
from test_moderation_setup import all_pages, new_post, new_seeker, new_session, new_staff, reported_post


def queue(staff):
    items, _ = all_pages(staff, "/api/moderation/reports")
    return items


def test_queue_shows_the_post_its_author_and_its_reports(stack):
    mod = new_staff(stack)
    author, post_id, reporters = reported_post(stack, reasons=("spam", "hate"), content="Buy cheap pills here")
    item = next(i for i in queue(mod) if i["post"]["id"] == post_id)
    assert item["post"]["content"] == "Buy cheap pills here"
    assert item["post"]["author"]["id"] == author.id and item["post"]["author"]["role"] == "seeker"
    assert sorted(r["reason"] for r in item["reports"]) == ["hate", "spam"]
    assert item["report_count"] == 2
    assert item["first_reported_at"] == min(r["created_at"] for r in item["reports"])
    # The queue is not for the people who report or write.
    expect(reporters[0].get("/api/moderation/reports"), 403, "forbidden")


def test_self_harm_first_then_oldest_first(stack, clock):
    mod = new_staff(stack, clock)
    _, spam_post, _ = reported_post(stack, reasons=("spam",))
    clock.advance(5)
    _, urgent_post, _ = reported_post(stack, reasons=("self_harm",))
    clock.advance(5)
    _, later_post, _ = reported_post(stack, reasons=("inappropriate",))
    items = queue(mod)
    order = [i["post"]["id"] for i in items]
    assert order.index(urgent_post) < order.index(spam_post) < order.index(later_post), order
    urgent = [any(r["reason"] == "self_harm" for r in i["reports"]) for i in items]
    assert urgent == sorted(urgent, reverse=True), "a post with a self_harm report after one without"
    for flag in (True, False):
        times = [i["first_reported_at"] for i, u in zip(items, urgent) if u == flag]
        assert times == sorted(times), "not oldest first within the group"
    # Pages of one item give the same order as one page.
    small, pages = all_pages(mod, "/api/moderation/reports", limit=1, max_pages=len(items) + 5)
    assert [i["post"]["id"] for i in small] == order and pages >= len(items)


def test_dismiss_shows_the_post_again_and_tells_the_reporter(stack):
    mod = new_staff(stack)
    author, post_id, (reporter,) = reported_post(stack, reasons=("spam",))
    feed_ids = lambda: [p["id"] for p in expect(author.get("/api/posts?limit=100"), 200).json["items"]]
    assert post_id not in feed_ids(), "a reported post must leave the feed"
    r = expect(mod.post(f"/api/moderation/reports/{post_id}/dismiss", {"note": "Not spam, a real question."}), 200)
    assert r.json["post"]["id"] == post_id and [x["reason"] for x in r.json["reports"]] == ["spam"]
    assert post_id in feed_ids(), "a dismissed post must be shown again"
    assert post_id not in [i["post"]["id"] for i in queue(mod)]
    assert stack.query("SELECT status, decided_by::text FROM post_reports WHERE post_id = %s",
                       (post_id,)) == [("dismissed", mod.id)]
    expect(mod.post(f"/api/moderation/reports/{post_id}/dismiss"), 404, "not_found")   # nothing open any more
    h = expect(reporter.get("/api/moderation/history"), 200).json
    mine = [x for x in h["reports"] if x["post_id"] == post_id]
    assert len(mine) == 1 and mine[0]["status"] == "dismissed" and mine[0]["decided_at"], h
    assert h["actions"] == []
    # The author was not sanctioned by a dismissal.
    assert expect(author.get("/api/moderation/history"), 200).json["actions"] == []


def test_a_queue_item_is_what_dismissing_it_answers(stack):
    """The queue's page (read whole by migration 0029's function) and the dismissal (statements.c)
    format a reported post, its author and its open reports the same way."""
    mod = new_staff(stack)
    _, post_id, _ = reported_post(stack, reasons=("self_harm", "spam", "other"), content="Nobody would miss me here.")
    queued = next(i for i in queue(mod) if i["post"]["id"] == post_id)
    dismissed = expect(mod.post(f"/api/moderation/reports/{post_id}/dismiss", {}), 200).json
    assert queued == dismissed and queued["report_count"] == 3


def test_remove_actions_reports_and_tells_the_author_why(stack):
    mod = new_staff(stack)
    author, post_id, (r1, r2) = reported_post(stack, reasons=("hate", "other"))
    reason = "Hateful language is not allowed here."
    r = expect(mod.delete(f"/api/moderation/posts/{post_id}", {"reason": reason}), 200)
    assert r.json == {"post_id": post_id, "status": "removed"}
    assert stack.query("SELECT status FROM posts WHERE id = %s", (post_id,)) == [("removed",)]
    assert {s for (s,) in stack.query("SELECT status FROM post_reports WHERE post_id = %s", (post_id,))} == {"actioned"}
    acts = expect(author.get("/api/moderation/history"), 200).json["actions"]
    assert [(a["action"], a["reason"], a["post_id"]) for a in acts] == [("post_removed", reason, post_id)]
    assert "moderator" not in acts[0], "the moderator is not named to the person"
    for reporter in (r1, r2):
        outcome = [x for x in expect(reporter.get("/api/moderation/history"), 200).json["reports"]
                   if x["post_id"] == post_id]
        assert [x["status"] for x in outcome] == ["actioned"]
    mine = [p for p in expect(author.get("/api/posts/mine"), 200).json["items"] if p["id"] == post_id]
    assert mine and mine[0]["status"] == "removed"
    # Staff see who did it.
    status = expect(mod.get(f"/api/moderation/users/{author.id}"), 200).json
    assert status["actions"][0]["moderator"]["id"] == mod.id
    expect(mod.delete(f"/api/moderation/posts/{post_id}", {"reason": reason}), 409, "conflict", reason="already_removed")


def test_removing_a_post_ends_its_open_session(stack):
    mod = new_staff(stack)
    seeker, helper, sid = new_session(stack)
    post_id = stack.query("SELECT post_id::text FROM help_sessions WHERE id = %s", (sid,))[0][0]
    expect(mod.delete(f"/api/moderation/posts/{post_id}", {"reason": "Shares someone's address."}), 200)
    s = expect(seeker.get(f"/api/sessions/{sid}"), 200).json
    assert s["ended_by"] == "moderator" and s["ended_at"], s
    # A participant can no longer write into it.
    r = seeker.post(f"/api/sessions/{sid}/messages", {"text": "hello?", "client_key": "k-after-removal"})
    expect(r, 409)


def test_a_post_without_reports_can_still_be_removed(stack):
    mod = new_staff(stack)
    post_id = new_post(stack, new_seeker(stack))
    expect(mod.post(f"/api/moderation/reports/{post_id}/dismiss", {}), 404)
    expect(mod.delete(f"/api/moderation/posts/{post_id}", {"reason": "Spam link."}), 200)
    assert stack.query("SELECT status FROM posts WHERE id = %s", (post_id,)) == [("removed",)]
    # Removed posts leave everyone else's view.
    expect(new_seeker(stack).get(f"/api/posts/{post_id}"), 404)


def app_report_page(stack, role, user_id, limit=5):
    """astral_report_queue_page() called as the application role with `role` as the caller."""
    conn = stack.app_db()
    try:
        with conn.cursor() as cur:
            cur.execute("BEGIN")
            cur.execute("SELECT set_config('astral.user_id', %s, true), set_config('astral.role', %s, true)",
                        (user_id, role))
            cur.execute("SELECT post_id::text FROM astral_report_queue_page(NULL, NULL, NULL, %s)", (limit,))
            rows = [r[0] for r in cur.fetchall()]
            cur.execute("ROLLBACK")
            return rows
    finally:
        conn.close()


def test_the_page_function_answers_staff_only(stack):
    """Migration 0029: the queue's page is read with the owner's rights, for staff and nobody else."""
    mod = new_staff(stack)
    reported_post(stack, reasons=("self_harm",))
    first = [i["post"]["id"] for i in queue(mod)[:5]]
    assert first and app_report_page(stack, "moderator", mod.id) == first
    assert app_report_page(stack, "admin", mod.id) == first
    person = new_seeker(stack)
    for role in ("seeker", "helper", "anonymous"):
        assert app_report_page(stack, role, person.id) == []
    grants = stack.query("SELECT array_agg(CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee)::text"
                         " END) FROM pg_proc p, aclexplode(p.proacl) a"
                         " WHERE p.proname = 'astral_report_queue_page' AND a.privilege_type = 'EXECUTE'")[0][0]
    assert set(grants) <= {"astral_app", "astral_owner"} and "astral_app" in grants, grants
    assert stack.query("SELECT prosecdef FROM pg_proc WHERE proname = 'astral_report_queue_page'")[0][0] is True
