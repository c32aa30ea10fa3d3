"""Every table, classified for the person's data rights (GET /api/me/export, DELETE /api/me):
exported, or left out of the export with a reason; and every reference to a person either goes
with their account or is cleared, with what then remains written down. Found from the catalogue,
so a new table or a new reference to users cannot be forgotten, whatever it is keyed by (a table
of a person's words keyed by a post or a session escapes a check that follows only foreign keys to
users). The export also shows the person nothing staff wrote about them that their own views do
not show (the reasons and notes in the audit rows of what staff did to them)."""

import uuid

from astral_client import expect
from test_moderation_setup import insert_alert, new_post, new_seeker, new_session, new_staff, report, reported_post, send
from test_videos_setup import mp4_bytes, new_user, upload_ok

# The export's tables (`tables` of GET /api/me/export, cgi-bin/auth/statements.c AUTH_EXPORT).
EXPORTED = {
    "users", "sessions", "consents", "preferences", "blocks", "audit_log",
    "helper_profiles", "helper_achievements", "posts", "post_supports", "post_reports", "help_sessions",
    "messages", "crisis_alerts", "reflections", "reflection_lights",
    "helper_training_attempts", "helper_applications", "community_threads", "community_posts",
    "community_proposals", "community_votes",
    "mood_checkins", "habits", "habit_completions", "mood_insights_cache", "wellness_versions",
    "ai_messages", "ai_age_answers", "ai_usage", "journal_entries", "assessments", "safety_plans",
    "wellness_videos", "video_likes", "write_budgets",
    "moderation_actions", "account_bans", "break_glass_grants",
}

# Tables the export leaves out, and why.
NOT_EXPORTED = {
    "user_keys": "the person's wrapped data key: key material; goes with the account (cascade)",
    "refresh_tokens": "SHA-256 hashes of refresh tokens: credentials; go with the account (cascade)",
    "help_session_keys": "a conversation's wrapped key: key material; goes with its session",
    "session_typing": "when each side of a conversation last typed, kept a few seconds' worth with "
                      "polling (unlogged, no words); goes with its session",
    "login_throttle": "failures per SHA-256 of a login name, kept whether or not an account has it "
                      "(existence-blind); no account id, no content",
    "auth_address_budget": "sign-in budget per HMAC of a client address; no person; rows go after a day",
    "audit_chains": "the audit chains' last ids and hashes; no person",
    "habit_catalog": "the shared catalogue of habits; no person (a tracked habit is in `habits`)",
    "ai_crisis_referrals": "counts per day and action; no person",
    "schema_migrations": "which migrations ran; no person",
    "report_queue": "staff's queue, derived from open post_reports (post, rank, count); the person's "
                    "reports are exported in post_reports",
}

# References to users(id) that ON DELETE SET NULL: the row stays without the person. What stays.
CLEARED = {
    ("posts", "requested_helper_id"): "the seeker's post; a request still waiting goes back to them first",
    ("post_reports", "decided_by"): "the reporter's report and its decision; the moderator unnamed",
    ("help_sessions", "helper_id"): "the seeker's session, the helper shown as gone (docs/peer-support.md)",
    ("messages", "sender_id"): "the gone helper's messages stay in the seeker's conversation "
                               "(docs/peer-support.md); sender_role says who wrote",
    ("crisis_alerts", "raised_by"): "the alert about someone else's safety; who raised it gone",
    ("crisis_alerts", "acknowledged_by"): "the alert; the staff member gone",
    ("crisis_alerts", "resolved_by"): "the alert; the staff member gone",
    ("helper_applications", "decided_by"): "the helper's application; the admin gone",
    ("community_threads", "author_id"): "the thread with other helpers' replies, author null "
                                        "(docs/helper-program-api-contract.md)",
    ("community_proposals", "author_id"): "the proposal others voted on, author null "
                                          "(docs/helper-program-api-contract.md)",
    ("moderation_actions", "moderator_id"): "what was done to the person; the moderator gone",
    ("account_bans", "banned_by"): "the person's ban; the moderator gone",
    ("wellness_videos", "decided_by"): "the uploader's video; the moderator gone",
}


def tables(stack):
    return {r[0] for r in stack.query(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition")}


def test_every_table_is_exported_or_left_out_with_a_reason(stack):
    assert not EXPORTED & set(NOT_EXPORTED)
    unclassified = sorted(tables(stack) - EXPORTED - set(NOT_EXPORTED))
    assert not unclassified, f"tables neither exported nor left out with a reason: {unclassified}"
    gone = sorted((EXPORTED | set(NOT_EXPORTED)) - tables(stack))
    assert not gone, f"classified tables that no longer exist: {gone}"
    c = stack.client("bearer")
    c.anonymous()
    exported = expect(c.get("/api/me/export"), 200).json["tables"]
    assert set(exported) == EXPORTED, \
        f"export differs: missing {sorted(EXPORTED - set(exported))}, extra {sorted(set(exported) - EXPORTED)}"


def test_every_reference_to_a_person_goes_or_is_cleared(stack):
    rows = stack.query(
        "SELECT c.relname, a.attname, k.confdeltype FROM pg_constraint k"
        " JOIN pg_class c ON c.oid = k.conrelid"
        " JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)"
        " WHERE k.contype = 'f' AND k.confrelid = 'public.users'::regclass")
    assert rows
    bad = sorted((t, col, kind) for t, col, kind in rows if kind not in ("c", "n"))
    assert not bad, f"references to users that would block or outlive a deletion: {bad}"
    cleared = {(t, col) for t, col, kind in rows if kind == "n"}
    assert cleared == set(CLEARED), \
        f"SET NULL references without a reason: {sorted(cleared - set(CLEARED))}, " \
        f"listed but gone: {sorted(set(CLEARED) - cleared)}"


# ------------------------------------------------------------------ what staff wrote about me

def export_text(person):
    return expect(person.get("/api/me/export"), 200).body.decode()


def test_export_keeps_staff_notes_out_of_my_audit_rows(stack):
    """A crisis alert's resolution note, a break-glass reason and a report dismissal's note are
    staff's: the person's own views never show them (the access log has no detail, the exported
    crisis_alerts no resolution note), so the exported audit rows about them must not either."""
    mod = new_staff(stack)
    seeker, helper, sid = new_session(stack)
    send(seeker, sid, "a hard week")
    alert = insert_alert(stack, seeker.id)
    tag = uuid.uuid4().hex[:8]
    note = f"Resolved: spoke with helper, see ticket {tag}"
    expect(mod.post(f"/api/moderation/alerts/{alert}/resolve", {"note": note}), 200)
    reason = f"Reported by a helper, review {tag}"
    expect(mod.post("/api/moderation/break-glass", {"session_id": sid, "reason": reason}), 201)
    author, post_id, reporters = reported_post(stack)
    dismiss = f"Reporter keeps reporting this author {tag}"
    expect(mod.post(f"/api/moderation/reports/{post_id}/dismiss", {"note": dismiss}), 200)

    text = export_text(seeker)
    assert '"break_glass_open"' in text and '"alert_resolve"' in text, "the rows themselves stay"
    assert note not in text, "the export shows the person staff's resolution note"
    assert reason not in text, "the export shows the person the moderator's break-glass reason"
    assert dismiss not in export_text(author), "the export shows the author a note about their reporters"
    # Staff's own export keeps what they wrote.
    mine = export_text(mod)
    assert note in mine and reason in mine and dismiss in mine


def test_export_keeps_my_own_audit_details(stack):
    reporter = new_seeker(stack)
    post_id = new_post(stack, new_seeker(stack))
    report(reporter, post_id, "self_harm")
    rows = expect(reporter.get("/api/me/export"), 200).json["tables"]["audit_log"]
    assert [r["detail"] for r in rows if r["action"] == "post_report"] == ["self_harm"]


def test_export_carries_the_note_on_my_rejected_video(stack, clock):
    from test_videos_setup import new_staff as video_staff

    uploader = new_user(stack)
    v = upload_ok(uploader, mp4_bytes(payload=333), "Rain on the window")
    reason = "The picture shakes too much to be calming."
    expect(video_staff(stack, clock).post(f"/api/moderation/videos/{v['id']}/reject", {"reason": reason}), 200)
    videos = expect(uploader.get("/api/me/export"), 200).json["tables"]["wellness_videos"]
    assert [(x["id"], x["status"], x.get("decision_note")) for x in videos] == [(v["id"], "rejected", reason)]
    assert "decided_by" not in videos[0], "the moderator is not named"
