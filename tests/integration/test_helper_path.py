"""The whole helper path through the real programs, each step by its own route: register →
profile → train → fail the quiz → pass → apply → an admin approves → certified → online →
accepts a seeker's post. Each step checks what the next one depends on, so a break anywhere in
the chain names its step."""

from astral_client import expect
from test_helper_training import answers_with
from test_moderation_setup import new_admin


def test_register_train_apply_certify_and_accept(stack):
    # Register: a new helper is a community helper with nothing to show yet.
    h = stack.client("bearer")
    h.register()
    me = expect(h.get("/api/auth/session"), 200).json["user"]
    assert me["role"] == "helper"
    expect(h.get("/api/helpers/me/dashboard"), 404, "not_found")
    expect(h.post("/api/helpers/me", {"bio": "I have been through a lot and I listen.",
                                      "expertise": ["Loneliness", "Depression"]}), 201)
    app = expect(h.get("/api/helpers/me/application"), 200).json
    assert app["status"] == "none" and app["helper_tier"] == "community"
    assert app["training_completed"] is False

    # Applying before the training is refused.
    expect(h.post("/api/helpers/me/application", {"motivation": "I want to help."}), 409, "conflict")

    # Train: a failed quiz does not complete the training, a passed one does.
    quiz = expect(h.get("/api/helpers/me/training"), 200).json["quiz"]
    failed = expect(h.post("/api/helpers/me/training", {"answers": answers_with(quiz, ("q1", "q2"))}), 200).json
    assert failed["passed"] is False and failed["completed"] is False and failed["score"] == 66
    expect(h.post("/api/helpers/me/application", {}), 409, "conflict")
    passed = expect(h.post("/api/helpers/me/training", {"answers": answers_with(quiz)}), 200).json
    assert passed["passed"] is True and passed["completed"] is True and passed["score"] == 100

    # Apply: pending, once.
    app = expect(h.post("/api/helpers/me/application", {"motivation": "I want to help."}), 201).json
    assert app["status"] == "pending" and app["quiz_score"] == 100
    expect(h.post("/api/helpers/me/application", {}), 409, "conflict")

    # An admin sees the application in the queue and approves it.
    admin = new_admin(stack)
    queue = expect(admin.get("/api/admin/applications?status=pending&limit=100"), 200).json["items"]
    mine = [a for a in queue if a["helper"]["id"] == me["id"]]
    assert len(mine) == 1 and mine[0]["id"] == app["id"] and mine[0]["quiz_score"] == 100
    decided = expect(admin.put(f"/api/admin/applications/{app['id']}",
                               {"status": "approved", "notes": "Welcome aboard."}), 200).json
    assert decided["status"] == "approved"

    # Certified: the helper's own views say so.
    app = expect(h.get("/api/helpers/me/application"), 200).json
    assert app["status"] == "approved" and app["helper_tier"] == "certified" and app["notes"] == "Welcome aboard."
    dash = expect(h.get("/api/helpers/me/dashboard"), 200).json
    assert dash["profile"]["helper_tier"] == "certified"
    assert dash["certification"]["status"] == "approved"

    # Online, then accepting a seeker's post starts a session.
    expect(h.put("/api/helpers/me/availability", {"online": True}), 200)
    assert expect(h.get(f"/api/helpers/{me['id']}"), 200).json["online"] is True
    seeker = stack.client("bearer")
    seeker.anonymous()
    post = expect(seeker.post("/api/posts", {"category": "Loneliness", "content":
                                             "I have felt so alone since I moved here, and the nights are the worst."}),
                  201).json
    session = expect(h.post(f"/api/posts/{post['id']}/accept"), 201).json
    assert session["my_role"] == "helper" and session["helper"]["id"] == me["id"]
    dash = expect(h.get("/api/helpers/me/dashboard"), 200).json
    assert dash["counts"]["active_sessions"] == 1
    first_step = [a for a in dash["achievements"] if a["id"] == "first_step"]
    assert first_step and first_step[0]["awarded_at"] is not None
