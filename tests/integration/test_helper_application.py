"""cgi-bin/helpers: applying for certification (GET/POST /api/helpers/me/application). Only after
the training, one pending at a time, again after a rejection, never once certified. Admins decide
elsewhere (/api/admin): here a decision is written with direct SQL, and "certified" is made with
`astralctl user set-role`."""

import pytest

from astral_client import expect, strong_password, unique
from test_helper_training import answers_with, training

EMPTY = {"id": None, "status": "none", "helper_tier": "community", "training_completed": False,
         "quiz_score": None, "motivation": None, "submitted_at": None, "decided_at": None, "notes": None}


def new_helper(stack):
    c = stack.client("bearer")
    c.username = unique("ap")
    c.register(username=c.username)
    return c


def take_quiz(c, right=("q1", "q2", "q3")):
    quiz = training(c)["quiz"]
    return expect(c.post("/api/helpers/me/training", {"answers": answers_with(quiz, right)}), 200).json


def application(c):
    return expect(c.get("/api/helpers/me/application"), 200).json


def decide(stack, app_id, status, notes=None):
    stack.query("UPDATE helper_applications SET status = %s, decided_at = now(), notes = %s WHERE id = %s",
                (status, notes, app_id))


def test_register_fail_quiz_pass_then_apply(stack):
    h = new_helper(stack)
    assert application(h) == EMPTY
    expect(h.post("/api/helpers/me/application", {}), 409, "conflict", reason="training_incomplete")

    assert take_quiz(h, ("q1", "q2"))["passed"] is False
    r = expect(h.post("/api/helpers/me/application", {"motivation": "I want to help."}), 409, "conflict")
    assert "training" in r.json["error"]["message"].lower()
    assert application(h)["training_completed"] is False

    assert take_quiz(h)["passed"] is True
    before = application(h)
    assert before["status"] == "none" and before["training_completed"] is True

    a = expect(h.post("/api/helpers/me/application", {"motivation": "I was helped here once.\nNow I listen."}),
               201).json
    assert a["status"] == "pending" and a["id"] and a["helper_tier"] == "community"
    assert a["training_completed"] is True and a["quiz_score"] == 100
    assert a["motivation"] == "I was helped here once.\nNow I listen."
    assert a["submitted_at"] and a["decided_at"] is None and a["notes"] is None
    assert application(h) == a
    rows = stack.query("SELECT object_id::text FROM audit_log WHERE actor_id = %s AND action = 'application_submit'",
                       (h.user_id,))
    assert rows == [(a["id"],)]


def test_one_pending_application(stack):
    h = new_helper(stack)
    take_quiz(h)
    first = expect(h.post("/api/helpers/me/application"), 201).json
    assert first["motivation"] is None, "the body is optional"
    r = expect(h.post("/api/helpers/me/application", {"motivation": "again"}), 409, "conflict",
               reason="application_pending")
    assert "waiting" in r.json["error"]["message"]
    assert stack.query("SELECT count(*) FROM helper_applications WHERE helper_id = %s", (h.user_id,))[0][0] == 1


def test_rejected_helper_may_apply_again(stack):
    h = new_helper(stack)
    take_quiz(h)
    first = expect(h.post("/api/helpers/me/application", {"motivation": "first"}), 201).json
    decide(stack, first["id"], "rejected", "Please take more sessions first.")
    rejected = application(h)
    assert rejected["id"] == first["id"] and rejected["status"] == "rejected"
    assert rejected["notes"] == "Please take more sessions first." and rejected["decided_at"] is not None
    second = expect(h.post("/api/helpers/me/application", {"motivation": "second"}), 201).json
    assert second["id"] != first["id"] and second["status"] == "pending"
    assert application(h)["id"] == second["id"], "the latest application is shown"


def test_certified_helper_reads_approved_and_cannot_apply(stack):
    username, password = unique("cert"), strong_password()
    stack.create_user("helper", username, "Certified Helper", password)
    p = stack.astralctl("user", "set-role", "--username", username, "--role", "helper", "--tier", "certified")
    assert p.returncode == 0, p.stderr
    h = stack.client("bearer")
    h.login(username, password)
    a = application(h)
    assert a["status"] == "approved" and a["helper_tier"] == "certified"
    assert a["id"] is None and a["submitted_at"] is None, "no application was ever made"
    expect(h.post("/api/helpers/me/application", {}), 409, "conflict", reason="already_certified")
    # With the training passed too, still no application: the tier comes with the session's check,
    # which once came back only after the handler had looked (every helper read as not certified).
    take_quiz(h)
    expect(h.post("/api/helpers/me/application", {"motivation": "Again?"}), 409, "conflict",
           reason="already_certified")
    assert stack.query("SELECT count(*) FROM helper_applications a JOIN users u ON u.id = a.helper_id"
                       " WHERE u.username = %s", (username,)) == [(0,)]


def test_approved_application(stack):
    """Approval is the admin's (another program): once the tier is certified, the approved
    application is what the helper reads."""
    h = new_helper(stack)
    take_quiz(h)
    a = expect(h.post("/api/helpers/me/application", {}), 201).json
    decide(stack, a["id"], "approved")
    p = stack.astralctl("user", "set-role", "--username", h.username, "--role", "helper", "--tier", "certified")
    assert p.returncode == 0, p.stderr
    h.login(h.username, h.password)
    got = application(h)
    assert got["id"] == a["id"] and got["status"] == "approved" and got["helper_tier"] == "certified"
    assert got["decided_at"] is not None


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_application_is_for_helpers(stack, method):
    s = stack.client("bearer")
    s.anonymous()
    expect(s.request(method, "/api/helpers/me/application"), 403, "forbidden")
