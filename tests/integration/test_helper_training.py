"""cgi-bin/helpers: the helper training (GET/POST /api/helpers/me/training). The lessons and the quiz
go out without the answers; an attempt is graded on the server (pass mark 75: all three), stored
and audited; the training stays completed once any attempt passed. The right answers are found
by what they say (the contract names them), so a reordered quiz cannot pass these tests by
accident."""

import json

import pytest

from astral_client import expect

RIGHT_ANSWER_SAYS = {"q1": "listen and validate", "q2": "it sounds really lonely", "q3": "alert a moderator"}


def new_helper(stack):
    c = stack.client("bearer")
    c.register()
    return c


def training(c):
    return expect(c.get("/api/helpers/me/training"), 200).json


def answers_with(quiz, right=("q1", "q2", "q3")):
    """Answers picking the right option for the questions in `right` and a wrong one elsewhere."""
    out = {}
    for q in quiz["questions"]:
        says = RIGHT_ANSWER_SAYS[q["id"]]
        good = [o["id"] for o in q["options"] if says in o["text"].lower()]
        assert len(good) == 1, f"{q['id']}: no single option says {says!r}: {q['options']}"
        bad = [o["id"] for o in q["options"] if o["id"] != good[0]]
        out[q["id"]] = good[0] if q["id"] in right else bad[0]
    return out


def attempts_stored(stack, user_id):
    return stack.query("SELECT correct, total, score, passed FROM helper_training_attempts WHERE helper_id = %s"
                       " ORDER BY created_at, id", (user_id,))


def audited(stack, user_id):
    return stack.query("SELECT detail, object_type FROM audit_log WHERE actor_id = %s AND action = 'training_attempt'"
                       " ORDER BY id", (user_id,))


def test_training_lessons_and_quiz_without_answers(stack):
    h = new_helper(stack)
    t = training(h)
    assert [l["id"] for l in t["lessons"]] == ["role", "listening", "boundaries", "crisis"]
    assert all(l["title"] and l["paragraphs"] for l in t["lessons"])
    crisis = " ".join(t["lessons"][3]["paragraphs"]).lower()
    assert "alert a moderator" in crisis and "crisis" in crisis and "never discuss methods" in crisis
    assert t["quiz"]["pass_mark"] == 75
    assert [q["id"] for q in t["quiz"]["questions"]] == ["q1", "q2", "q3"]
    for q in t["quiz"]["questions"]:
        assert set(q) == {"id", "text", "options"}
        assert all(set(o) == {"id", "text"} for o in q["options"])
    assert "answer" not in json.dumps(t["quiz"]).lower().replace("answered", "")
    assert (t["completed"], t["completed_at"], t["best_score"], t["attempts"]) == (False, None, None, 0)


@pytest.mark.parametrize("right,score", [((), 0), (("q2",), 33), (("q1", "q3"), 66)])
def test_training_failed_attempts_are_graded_stored_and_audited(stack, right, score):
    h = new_helper(stack)
    quiz = training(h)["quiz"]
    r = expect(h.post("/api/helpers/me/training", {"answers": answers_with(quiz, right)}), 200).json
    assert r == {"correct": len(right), "total": 3, "score": score, "passed": False, "pass_mark": 75,
                 "completed": False}
    assert attempts_stored(stack, h.user_id) == [(len(right), 3, score, False)]
    assert audited(stack, h.user_id) == [("failed", "helper_training_attempt")]
    t = training(h)
    assert (t["completed"], t["completed_at"], t["best_score"], t["attempts"]) == (False, None, score, 1)


def test_training_pass_then_fail_stays_completed(stack):
    h = new_helper(stack)
    quiz = training(h)["quiz"]
    expect(h.post("/api/helpers/me/training", {"answers": answers_with(quiz, ("q1",))}), 200)
    passed = expect(h.post("/api/helpers/me/training", {"answers": answers_with(quiz)}), 200).json
    assert passed == {"correct": 3, "total": 3, "score": 100, "passed": True, "pass_mark": 75, "completed": True}
    again = expect(h.post("/api/helpers/me/training", {"answers": answers_with(quiz, ())}), 200).json
    assert again["passed"] is False and again["completed"] is True, "completed stays true once passed"
    t = training(h)
    assert t["completed"] is True and t["completed_at"] is not None
    assert t["best_score"] == 100 and t["attempts"] == 3
    assert sorted(row[3] for row in attempts_stored(stack, h.user_id)) == [False, False, True]
    assert [row[0] for row in audited(stack, h.user_id)] == ["failed", "passed", "failed"]


@pytest.mark.parametrize("change,field", [
    (lambda a: a.pop("q2"), "answers.q2"),
    (lambda a: a.update(q1="e"), "answers.q1"),
    (lambda a: a.update(q3="A"), "answers.q3"),
    (lambda a: a.update(q3=1), "answers.q3"),
    (lambda a: a.update(q9="a"), "answers.q9"),
    # Named back whole: 64 two-byte characters, 128 bytes (the error stays valid UTF-8).
    (lambda a: a.update({"\u00e9" * 64: "a"}), "answers." + "\u00e9" * 64),
    (lambda a: a.clear(), "answers.q1"),
])
def test_training_bad_answers_name_the_question(stack, change, field):
    h = new_helper(stack)
    answers = answers_with(training(h)["quiz"])
    change(answers)
    expect(h.post("/api/helpers/me/training", {"answers": answers}), 400, "invalid_field", field)
    assert attempts_stored(stack, h.user_id) == [], "a refused attempt is not stored"


def test_training_is_for_helpers(stack):
    s = stack.client("bearer")
    s.anonymous()
    expect(s.get("/api/helpers/me/training"), 403, "forbidden")
    expect(s.post("/api/helpers/me/training", {"answers": {"q1": "a", "q2": "a", "q3": "a"}}), 403, "forbidden")
    anon = stack.client("bearer")
    expect(anon.get("/api/helpers/me/training"), 401)
