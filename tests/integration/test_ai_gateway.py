"""The AI gateway (cgi-bin/ai) against the mock provider (mock_ai.py) speaking each wire format:
companion chat (JSON and streamed), history, the safety paths, provider failures ending in the
fallback with the worker free again, the circuit breaker, quotas, what leaves the host, and the
assistants. One stack per provider, each with one AI worker (so the breaker and "the worker is
free" are observable), a 2 s provider timeout and a 2 s breaker cooldown."""

import http.client
import json
import ssl
import subprocess
import threading
import time
import urllib.parse
import uuid

import pytest

from astral_client import expect
from conftest import start_stack, stop_stack
from mock_ai import start_mock
from test_chat_setup import Person, accept, end_session, new_helper, new_post, new_seeker, new_session, send

TIMEOUT_S = 2
COOLDOWN_S = 2
FAILURES = 3
DRAFT_QUOTA = 3
CRISIS_TEXT = "I want to kill myself tonight"


class AI:
    def __init__(self, stack, mock, provider):
        self.stack, self.mock, self.provider = stack, mock, provider


@pytest.fixture(scope="module", params=["openai", "gemini"])
def ai(request):
    mock = start_mock(piece_delay_ms=30)
    endpoint = mock.url + ("/v1" if request.param == "openai" else "/v1beta")
    st = start_stack(["--ai-provider", request.param, "--ai-endpoint", endpoint, "--ai-workers", "1",
                      "--ai-option", f"timeout_ms={TIMEOUT_S * 1000}", "--ai-option", "connect_timeout_ms=500",
                      "--ai-option", f"breaker_failures={FAILURES}",
                      "--ai-option", f"breaker_cooldown={COOLDOWN_S}",
                      "--ai-option", f"quota_draft_post={DRAFT_QUOTA}"],
                     label=f"ai-{request.param}")
    yield AI(st, mock, request.param)
    stop_stack(st)
    mock.stop()


def adult(stack):
    p = new_seeker(stack)
    expect(p.post("/api/ai/age-confirmation", {"adult": True}), 200)
    return p


def chat(p, message, status=200):
    return expect(p.post("/api/ai/chat", {"message": message}), status)


def sse(stack, person, message):
    """POST /api/ai/chat streamed: [(seconds since the request, event, data)] in arrival order."""
    url = urllib.parse.urlparse(stack.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    body = json.dumps({"message": message})
    t0 = time.monotonic()
    conn.request("POST", "/api/ai/chat", body=body, headers={
        "Content-Type": "application/json", "Accept": "text/event-stream",
        "Authorization": "Bearer " + person.access_token})
    resp = conn.getresponse()
    assert resp.status == 200, resp.read()[:300]
    assert resp.getheader("Content-Type").startswith("text/event-stream")
    events, pending = [], b""
    while True:
        chunk = resp.read1(65536)
        if not chunk:
            break
        pending += chunk
        while b"\n\n" in pending:
            raw, pending = pending.split(b"\n\n", 1)
            lines = dict(line.split(": ", 1) for line in raw.decode().split("\n") if ": " in line)
            events.append((time.monotonic() - t0, lines.get("event"), json.loads(lines["data"])))
    conn.close()
    return events


def wait_for_breaker_to_close():
    time.sleep(COOLDOWN_S + 0.3)


# ------------------------------------------------------------------ status and age

def test_status_reports_provider_and_quotas(ai):
    p = new_seeker(ai.stack)
    s = expect(p.get("/api/ai/status"), 200).json
    assert s["provider"] == ai.provider and s["available"] is True and s["age_confirmed"] is None
    assert s["quotas"]["draft_post"] == {"limit": DRAFT_QUOTA, "used": 0, "remaining": DRAFT_QUOTA}
    assert set(s["quotas"]) == {"chat", "draft_post", "summarize", "guidance", "match", "feedback"}


def test_companion_is_for_adults_asked_once(ai):
    p = new_seeker(ai.stack)
    expect(p.post("/api/ai/chat", {"message": "hello"}), 403, "age_confirmation_required")
    expect(p.post("/api/ai/age-confirmation", {"adult": False}), 200)
    expect(p.post("/api/ai/chat", {"message": "hello"}), 403, "ai_chat_adults_only")
    expect(p.post("/api/ai/age-confirmation", {"adult": True}), 200)
    assert expect(p.get("/api/ai/status"), 200).json["age_confirmed"] is True
    assert chat(p, "hello").json["reply"]["text"].startswith("I hear you.")


# ------------------------------------------------------------------ chat and history

def test_reply_is_stored_sealed_and_reset_clears_it(ai):
    p = adult(ai.stack)
    canary = "canary-ai-7f3a9 my week was long"
    a = chat(p, canary).json
    assert a["fallback"] is False and a["user_message"]["text"] == canary
    assert a["reply"]["role"] == "ai" and a["reply"]["text"].startswith("I hear you.")
    items = expect(p.get("/api/ai/history"), 200).json["items"]
    assert [(m["role"], m["text"]) for m in items] == [("user", canary), ("ai", a["reply"]["text"])]
    assert b"canary-ai-7f3a9" not in ai.stack.pg_dump()
    expect(p.delete("/api/ai/history"), 204)
    assert expect(p.get("/api/ai/history"), 200).json["items"] == []


def test_earlier_messages_go_with_the_next_one(ai):
    p = adult(ai.stack)
    chat(p, "first thing I said")
    ai.mock.clear()
    chat(p, "second thing I said")
    sent = ai.mock.requests()[-1]["body"]
    assert "first thing I said" in sent and "second thing I said" in sent
    assert "supportive listening" in sent or "not a therapist" in sent, "the server's prompt is sent"


def test_a_long_conversation_is_sent_within_the_context_budget(ai):
    """What goes with a message is capped (AI_CONTEXT_BYTES, 16000 bytes of turns): the oldest
    messages are dropped first, the person's new message always goes, and what is sent starts
    with the person. Without the cap a long conversation grew past a small model's context and
    every message was refused."""
    p = adult(ai.stack)
    for i in range(12):
        chat(p, f"m{i:02d} " + "word " * 380)
    ai.mock.clear()
    chat(p, "m12 the newest")
    body = ai.mock.requests()[-1]["body"]
    doc = json.loads(body)
    if ai.provider == "gemini":
        turns = [(c["role"], "".join(part["text"] for part in c["parts"])) for c in doc["contents"]]
    else:
        turns = [(m["role"], m["content"]) for m in doc["messages"] if m["role"] != "system"]
    assert turns[0][0] == "user" and turns[-1] == ("user", "m12 the newest")
    assert sum(len(text.encode()) for _, text in turns) <= 16000
    kept = [text[:3] for role, text in turns if role == "user"]
    assert kept[-1] == "m12" and "m11" in kept and "m00" not in kept, kept
    assert kept == sorted(kept), "the newest are kept, in order"


def test_streamed_reply_arrives_token_by_token(ai):
    p = adult(ai.stack)
    events = sse(ai.stack, p, "tell me something kind")
    tokens = [(t, d["text"]) for t, e, d in events if e == "token"]
    assert len(tokens) >= 2, events
    assert tokens[-1][0] - tokens[0][0] >= 0.02, "the pieces arrived together, not as they came"
    assert events[-1][1] == "done"
    done = events[-1][2]
    assert done["reply"]["text"] == "".join(text for _, text in tokens) and done["fallback"] is False
    assert expect(p.get("/api/ai/history"), 200).json["items"][-1]["text"] == done["reply"]["text"]


def test_the_reply_limit_counts_characters_not_bytes(ai):
    """AI_REPLY_MAX is 4000 characters: a reply of 1400 three-byte characters (4200 bytes) is
    kept, streamed or not, like 1400 ASCII ones."""
    p = adult(ai.stack)
    for text in ("e" * 1400, "\u20ac" * 1400, "\u4f60\u597d" * 700):
        a = chat(p, f"[[mock:json:{text}]]").json
        assert a["fallback"] is False and a["reply"]["text"] == text
    events = sse(ai.stack, p, "[[mock:json:" + "\u20ac" * 1400 + "]]")
    assert "replace" not in [e for _, e, _ in events]
    assert events[-1][1] == "done" and events[-1][2]["reply"]["text"] == "\u20ac" * 1400


# ------------------------------------------------------------------ safety

def referrals(stack):
    rows = stack.query("SELECT coalesce(sum(count), 0) FROM ai_crisis_referrals WHERE action = 'chat'")
    return rows[0][0]


def test_crisis_in_the_message_is_answered_without_the_model(ai):
    p = adult(ai.stack)
    before = referrals(ai.stack)
    ai.mock.clear()
    a = chat(p, CRISIS_TEXT).json
    assert ai.mock.requests() == [], "the model was called with a crisis message"
    assert a["fallback"] is True and a["crisis"]["resources"] and "crisis lines" in a["reply"]["text"]
    alerts = ai.stack.query("SELECT source, severity FROM crisis_alerts WHERE user_id = %s", (p.id,))
    assert alerts == [("ai", "high")]
    assert referrals(ai.stack) == before + 1


def chat_quota(p):
    return expect(p.get("/api/ai/status"), 200).json["quotas"]["chat"]


def test_crisis_in_the_message_is_answered_whatever_the_quota(ai):
    """The detector runs before the quota: a crisis message is never refused with a 429, always
    gets the resources and raises the alert, and takes no use of the day's quota."""
    p = adult(ai.stack)
    chat(p, "hello")
    assert chat_quota(p)["used"] == 1
    chat(p, CRISIS_TEXT)
    assert chat_quota(p)["used"] == 1, "the crisis reply took a use of the quota"
    limit = chat_quota(p)["limit"]
    ai.stack.query("UPDATE ai_usage SET used = %s WHERE user_id = %s AND action = 'chat'", (limit, p.id))
    chat(p, "hello again", status=429)
    before = referrals(ai.stack)
    ai.mock.clear()
    a = chat(p, CRISIS_TEXT).json
    assert ai.mock.requests() == []
    assert a["fallback"] is True and a["crisis"]["resources"] and "crisis lines" in a["reply"]["text"]
    alerts = ai.stack.query("SELECT source, severity FROM crisis_alerts WHERE user_id = %s", (p.id,))
    assert alerts == [("ai", "high"), ("ai", "high")]
    assert referrals(ai.stack) == before + 1
    events = sse(ai.stack, p, CRISIS_TEXT)
    assert events[-1][1] == "done" and events[-1][2]["crisis"]["resources"]
    assert chat_quota(p) == {"limit": limit, "used": limit, "remaining": 0}


def test_astralctl_reports_the_referrals_per_day(ai):
    """`astralctl ai referrals`: the operator's report of the counter, with no person in it."""
    p = adult(ai.stack)
    chat(p, CRISIS_TEXT)
    rows = ai.stack.query("SELECT day::text, action, count FROM ai_crisis_referrals"
                          " WHERE day > current_date - 30 ORDER BY day, action")
    assert rows, "no referral was counted"
    out = ai.stack.astralctl("ai", "referrals", "--days", "30")
    assert out.returncode == 0, out
    lines = out.stdout.splitlines()
    printed = [tuple(line.split()) for line in lines[2:-1]]
    assert printed == [(day, action, str(n)) for day, action, n in rows], out.stdout
    total = sum(n for _, _, n in rows)
    chat_total = sum(n for _, action, n in rows if action == "chat")
    assert lines[-1] == f"total: {total} (chat {chat_total}, guidance {total - chat_total})", out.stdout
    assert p.id not in out.stdout and (p.user or {}).get("username", "\0") not in out.stdout
    # The default window is 30 days, and one day still holds today's count.
    assert ai.stack.astralctl("ai", "referrals").stdout == out.stdout
    today = ai.stack.astralctl("ai", "referrals", "--days", "1")
    assert today.returncode == 0 and rows[-1][0] in today.stdout, today


@pytest.mark.parametrize("value", ["0", "3661", "-1", "seven", "1.5", ""])
def test_astralctl_referrals_refuses_a_bad_window(ai, value):
    out = ai.stack.astralctl("ai", "referrals", "--days", value)
    assert out.returncode == 1, out
    assert "--days" in out.stderr, out.stderr


def test_crisis_in_the_reply_is_replaced(ai):
    p = adult(ai.stack)
    a = chat(p, "how do other people cope [[mock:crisis-reply]]").json
    assert a["fallback"] is True and a["crisis"]["resources"]
    assert "kill themselves" not in a["reply"]["text"]
    assert ai.stack.query("SELECT count(*) FROM crisis_alerts WHERE user_id = %s AND source = 'ai'",
                          (p.id,))[0][0] == 1


def test_crisis_in_a_streamed_reply_is_replaced(ai):
    p = adult(ai.stack)
    events = sse(ai.stack, p, "[[mock:crisis-reply]]")
    names = [e for _, e, _ in events]
    assert "replace" in names and names[-1] == "done"
    done = events[-1][2]
    assert done["crisis"]["resources"] and "kill themselves" not in done["reply"]["text"]


@pytest.mark.parametrize("directive", ["timeout", "500", "429", "503", "garbage", "huge", "drip", "safety"])
def test_a_failing_provider_ends_in_the_fallback_and_the_worker_is_free(ai, directive):
    p = adult(ai.stack)
    t0 = time.monotonic()
    a = chat(p, f"hello [[mock:{directive}]]").json
    took = time.monotonic() - t0
    assert a["fallback"] is True and a["reply"]["text"] and "crisis" not in a
    assert any(r["href"] == "tel:988" for r in a["resources"]), "the fallback comes with the crisis lines"
    assert took < TIMEOUT_S + 3, f"{directive}: the worker was held {took:.1f} s"
    b = chat(p, "are you there").json           # the one worker answers again at once
    assert b["fallback"] is False and b["reply"]["text"].startswith("I hear you.")


def test_a_connection_cut_while_the_model_is_asked_is_replaced_and_the_chat_stored(ai):
    """The commit before the model call is not waited for (astral_db_commit_in_flight): its answer
    is read when the reply is stored. The worker's connection is cut in between, while the model
    is held: the answer is still read, the connection replaced, the chat stored, nothing lost."""
    p = adult(ai.stack)
    answer = {}
    held = threading.Thread(target=lambda: answer.setdefault(
        "r", p.post("/api/ai/chat", {"message": "still awake [[mock:timeout]]"})))
    held.start()
    time.sleep(0.5)                 # the provider holds the call for TIMEOUT_S
    # Every idle connection of the application role: the AI worker's among them (the others'
    # programs reconnect as well).
    cut = ai.stack.query("SELECT query, pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'astral_app'"
                         " AND state = 'idle' AND pid <> pg_backend_pid()", user="astral_app")
    held.join(30)
    assert ("COMMIT", True) in cut, f"no connection was idle after its commit: {cut}"
    a = expect(answer["r"], 200).json
    assert a["fallback"] is True and a["user_message"]["text"].startswith("still awake")
    items = expect(p.get("/api/ai/history"), 200).json["items"]
    assert [m["role"] for m in items] == ["user", "ai"]
    b = chat(p, "are you there").json
    assert b["fallback"] is False and b["reply"]["text"].startswith("I hear you.")


def test_a_stream_cut_midway_ends_in_the_fallback(ai):
    p = adult(ai.stack)
    events = sse(ai.stack, p, "[[mock:half-then-500]]")
    names = [e for _, e, _ in events]
    assert "replace" in names and names[-1] == "done" and events[-1][2]["fallback"] is True
    assert chat(p, "still there?").json["fallback"] is False


def test_the_breaker_opens_and_closes(ai):
    p = adult(ai.stack)
    for _ in range(FAILURES):
        assert chat(p, "[[mock:500]]").json["fallback"] is True
    ai.mock.clear()
    assert chat(p, "hello while it is open").json["fallback"] is True
    assert ai.mock.requests() == [], "the provider was called while the breaker was open"
    assert expect(p.get("/api/ai/status"), 200).json["available"] is False
    wait_for_breaker_to_close()
    assert chat(p, "hello again").json["fallback"] is False
    assert expect(p.get("/api/ai/status"), 200).json["available"] is True


# ------------------------------------------------------------------ what leaves the host

def test_no_identifier_or_token_is_sent_and_the_key_stays_secret(ai):
    p = adult(ai.stack)
    me = expect(p.get("/api/auth/session"), 200).json["user"]
    ai.mock.clear()
    text = (f"I am {me['display_name']}, write to me at sam.smith@example.org or call +44 7700 900123 "
            "[[mock:echo]]")
    a = chat(p, text).json
    sent = "".join(r["body"] + json.dumps(r["path"]) for r in ai.mock.requests())
    for secret in (p.id, me["display_name"], "sam.smith@example.org", "7700 900123", p.access_token):
        assert secret not in sent, f"{secret!r} left the host"
    assert "[name]" in sent and "[contact]" in sent
    key = (ai.stack.dir / "etc" / "ai-key").read_text().strip()
    headers = ai.mock.requests()[-1]["headers"]
    if ai.provider == "gemini":
        assert {k.lower(): v for k, v in headers.items()}["x-goog-api-key"] == key
    else:
        assert {k.lower(): v for k, v in headers.items()}["authorization"] == "Bearer " + key
    assert key not in sent, "the key is in a request body or URL"
    assert key not in json.dumps(a)
    for log in ai.stack.log_files():
        assert key not in log.read_text(errors="replace"), f"the key is in {log}"


def test_names_and_numbers_next_to_punctuation_are_scrubbed(ai):
    """A name before a full stop, in curly quotes, with a curly possessive or after a dash, and a
    number after an em dash or an ideograph, are scrubbed as well as one before a comma
    (tests/unit/test-ai-text.c has the boundary rule case by case)."""
    p = adult(ai.stack)
    me = expect(p.get("/api/auth/session"), 200).json["user"]
    name, handle = me["display_name"], me["username"]
    ai.mock.clear()
    chat(p, f"My name is {name}. Call me\u20145551234567 or \u7535\u8bdd13812345678 [[mock:echo]]")
    chat(p, f"Sign it \u201c{name}\u201d, it is {name}\u2019s\u2014{handle}. [[mock:echo]]")
    sent = json.dumps([json.loads(r["body"]) for r in ai.mock.requests()], ensure_ascii=False)
    for secret in (name, handle, "5551234567", "13812345678"):
        assert secret not in sent, f"{secret!r} left the host"
    assert "My name is [name]. Call me\u2014[contact] or \u7535\u8bdd[contact]" in sent
    assert "Sign it \u201c[name]\u201d, it is [name]\u2019s\u2014[name]." in sent


def named_session(stack):
    """A session between a registered seeker and a helper, each with a name of their own: (seeker,
    helper, session id, the seeker's names, the helper's names), names as (display name, username)."""
    c = stack.client("bearer")
    c.register(display_name="Marisol " + uuid.uuid4().hex[:6])
    seeker = Person(c, "seeker")
    helper = new_helper(stack)
    names = []
    for p in (seeker, helper):
        me = expect(p.get("/api/auth/session"), 200).json["user"]
        names.append((me["display_name"], me["username"]))
    sid = accept(stack, helper, new_post(stack, seeker))
    return seeker, helper, sid, names[0], names[1]


def sent_text(mock):
    return json.dumps([json.loads(r["body"]) for r in mock.requests()], ensure_ascii=False)


def test_summarize_session_scrubs_the_other_participants_names(ai):
    """A seeker's summary sends the helper's words and the seeker's words to the helper: the
    helper never asked for the model, and their display name and username go as the caller's do."""
    seeker, helper, sid, (s_name, s_handle), (h_name, h_handle) = named_session(ai.stack)
    send(seeker, sid, f"thank you {h_name}, or is it {h_handle}? I'm {s_name}. [[mock:echo]]")
    send(helper, sid, f"You're welcome, {s_name} ({s_handle})\u2014{h_name} here.")
    ai.mock.clear()
    s = expect(seeker.post("/api/ai/summarize-session", {"session_id": sid}), 200).json
    sent = sent_text(ai.mock)
    assert ai.mock.requests(), "the model was asked"
    for secret in (h_name, h_handle, s_name, s_handle):
        assert secret not in sent, f"{secret!r} left the host"
        assert secret not in (s["summary"] or ""), f"{secret!r} came back in the summary"
    assert "Seeker: thank you [name], or is it [name]? I'm [name]." in sent, sent
    assert "Helper: You're welcome, [name] ([name])\u2014[name] here." in sent, sent


def test_guidance_and_feedback_scrub_the_seekers_names(ai):
    """Guidance and helper feedback are asked for by the helper about the seeker's words: the
    seeker's display name and username are taken out as well as the helper's."""
    seeker, helper, sid, (s_name, s_handle), (h_name, h_handle) = named_session(ai.stack)
    mid = send(seeker, sid, f"it's {s_name} here (@{s_handle}), hi {h_name} [[mock:echo]]")["id"]
    ai.mock.clear()
    expect(helper.post("/api/ai/guidance", {"session_id": sid, "message_id": mid}), 200)
    sent = sent_text(ai.mock)
    assert ai.mock.requests(), "the model was asked"
    for secret in (s_name, s_handle, h_name):
        assert secret not in sent, f"guidance: {secret!r} left the host"
    assert "it's [name] here (@[name]), hi [name]" in sent, sent
    send(helper, sid, f"Take care, {s_name}. From {h_handle}.")
    end_session(seeker, sid)
    ai.mock.clear()
    f = expect(helper.post("/api/ai/helper-feedback", {"session_id": sid}), 200).json
    sent = sent_text(ai.mock)
    assert ai.mock.requests(), "the model was asked"
    for secret in (s_name, s_handle, h_name, h_handle):
        assert secret not in sent, f"feedback: {secret!r} left the host"
        assert secret not in (f["feedback"] or ""), f"{secret!r} came back in the feedback"
    assert "Helper: Take care, [name]. From [name]." in sent, sent


def test_migration_0033_session_names_answer_participants_only(ai):
    """astral_session_names (SECURITY DEFINER: users' rows are their owners') gives the two
    participants' names to either participant, and nothing to anyone else, staff included."""
    seeker, helper, sid, s_names, h_names = named_session(ai.stack)
    stranger = new_helper(ai.stack)
    conn = ai.stack.app_db()
    try:
        with conn.cursor() as cur:
            both = {s_names, h_names}
            # (caller, role, names answered, users' rows of the two the caller may read anyway)
            for who, role, want, rows in ((seeker, "seeker", both, 1), (helper, "helper", both, 1),
                                          (stranger, "helper", set(), 0), (stranger, "moderator", set(), 2)):
                cur.execute("BEGIN")
                cur.execute("SELECT set_config('astral.user_id', %s, true), set_config('astral.role', %s, true)",
                            (who.id, role))
                cur.execute("SELECT display_name, username FROM astral_session_names(%s)", (sid,))
                assert set(cur.fetchall()) == want, (role, who.id)
                # The row policy on users is not widened: a participant still reads only their own.
                cur.execute("SELECT count(*) FROM users WHERE id IN (%s, %s)", (seeker.id, helper.id))
                assert cur.fetchone()[0] == rows, (role, who.id)
                cur.execute("ROLLBACK")
    finally:
        conn.close()


# ------------------------------------------------------------------ quotas

def test_quota_answers_429_with_retry_after(ai):
    p = adult(ai.stack)
    chat(p, "something to draft from")
    for _ in range(DRAFT_QUOTA):
        expect(p.post("/api/ai/draft-post", {}), 200)
    r = expect(p.post("/api/ai/draft-post", {}), 429, "quota_exceeded")
    assert 0 < int(r.headers["Retry-After"]) <= 86400
    s = expect(p.get("/api/ai/status"), 200).json["quotas"]["draft_post"]
    assert s == {"limit": DRAFT_QUOTA, "used": DRAFT_QUOTA, "remaining": 0}


# ------------------------------------------------------------------ assistants

def test_draft_post_from_the_conversation(ai):
    p = adult(ai.stack)
    expect(p.post("/api/ai/draft-post", {}), 409, "nothing_to_draft")
    chat(p, "I can't sleep and I worry about exams")
    d = expect(p.post("/api/ai/draft-post", {}), 200).json
    assert d["fallback"] is False and d["category"] == "Anxiety"
    assert "I can't sleep and I worry about exams" in d["content"]


def test_draft_post_with_a_bad_model_answer_falls_back_to_the_persons_words(ai):
    p = adult(ai.stack)
    chat(p, "my own words here [[mock:json:{\"content\": 5}]]")
    d = expect(p.post("/api/ai/draft-post", {}), 200).json
    assert d["fallback"] is True and d["category"] == "Other" and "my own words here" in d["content"]


def test_draft_post_sends_the_conversation_within_the_context_budget(ai):
    """A draft is made from the last 20 messages, but no more than AI_CONTEXT_BYTES (16000 bytes)
    of their lines go to the model: the oldest are dropped first, the rest in order, starting with
    the person. Sent whole, a long conversation passed a small model's context and every draft was
    refused (the companion's own calls were capped already)."""
    p = adult(ai.stack)
    for i in range(12):
        chat(p, f"m{i:02d} " + "word " * 380)
    ai.mock.clear()
    d = expect(p.post("/api/ai/draft-post", {}), 200).json
    assert d["fallback"] is False
    doc = json.loads(ai.mock.requests()[-1]["body"])
    if ai.provider == "gemini":
        turns = ["".join(part["text"] for part in c["parts"]) for c in doc["contents"]]
    else:
        turns = [m["content"] for m in doc["messages"] if m["role"] != "system"]
    assert len(turns) == 1, "the conversation goes as one text"
    text = turns[0]
    assert len(text.encode()) <= 16000, len(text.encode())
    assert text.startswith("Person: ")
    kept = [line[len("Person: "):][:3] for line in text.split("\n") if line.startswith("Person: ")]
    assert kept[-1] == "m11" and "m00" not in kept, kept
    assert kept == sorted(kept), "the newest are kept, in order"


def test_helper_routes_need_a_helper(ai):
    p = adult(ai.stack)
    post = new_post(ai.stack, p)
    expect(p.post("/api/ai/summarize-post", {"post_id": post}), 403)
    expect(p.post("/api/ai/match", {}), 403)


def test_summarize_post(ai):
    seeker, helper = new_seeker(ai.stack), new_helper(ai.stack)
    post = new_post(ai.stack, seeker, content="Exams are coming and I cannot breathe when I think of them.")
    s = expect(helper.post("/api/ai/summarize-post", {"post_id": post}), 200).json
    assert s["fallback"] is False and s["summary"].startswith("I hear you.")
    expect(helper.post("/api/ai/summarize-post", {"post_id": "00000000-0000-4000-8000-000000000000"}), 404)


def test_guidance_from_the_model_and_from_the_detector(ai):
    seeker, helper, sid = new_session(ai.stack)
    calm = send(seeker, sid, "I had a rough day at work")["id"]
    g = expect(helper.post("/api/ai/guidance", {"session_id": sid, "message_id": calm}), 200).json
    assert g["fallback"] is False and g["flag"] is False and g["suggested_replies"]
    bad = send(seeker, sid, "it is all too much [[mock:json:{\"flag\": \"maybe\"}]]")["id"]
    g = expect(helper.post("/api/ai/guidance", {"session_id": sid, "message_id": bad}), 200).json
    assert g["fallback"] is True and len(g["suggested_replies"]) == 3, "malformed guidance must be rejected"
    # Between its braces an answer is strict JSON: a comment, single quotes or a second object
    # after the first make it no answer at all. A code fence around it is let go.
    for loose in ('{"flag": false, /* note */ "reason": "fine", "suggested_replies": ["Model reply"]}',
                  "{'flag': false, 'reason': 'fine', 'suggested_replies': ['Model reply']}",
                  '{"flag": false, "reason": "fine", "suggested_replies": ["Model reply"]} and {"flag": true}'):
        bad = send(seeker, sid, "it is all too much [[mock:json:" + loose + "]]")["id"]
        g = expect(helper.post("/api/ai/guidance", {"session_id": sid, "message_id": bad}), 200).json
        assert g["fallback"] is True and "Model reply" not in g["suggested_replies"], (loose, g)
    fenced = send(seeker, sid, 'it is all too much [[mock:json:```json\n{"flag": false, "reason": "fine",'
                                ' "suggested_replies": ["Model reply"]}\n```]]')["id"]
    g = expect(helper.post("/api/ai/guidance", {"session_id": sid, "message_id": fenced}), 200).json
    assert g["fallback"] is False and g["suggested_replies"] == ["Model reply"], g
    crisis = send(seeker, sid, CRISIS_TEXT)["id"]
    g = expect(helper.post("/api/ai/guidance", {"session_id": sid, "message_id": crisis}), 200).json
    assert g["flag"] is True and g["resources"]
    # The model sees no risk where the detector does: its all-clear and its cheerful replies give
    # way to the detector's reason and the safe replies.
    all_clear = {"flag": False, "reason": "No sign of risk in this message.",
                 "suggested_replies": ["Glad to hear things are fine!"]}
    crisis = send(seeker, sid, CRISIS_TEXT + " [[mock:json:" + json.dumps(all_clear) + "]]")["id"]
    g = expect(helper.post("/api/ai/guidance", {"session_id": sid, "message_id": crisis}), 200).json
    assert g["flag"] is True and g["resources"] and g["fallback"] is True, g
    assert g["reason"] == "The crisis detector found signs of risk in this message.", g
    assert "Glad to hear things are fine!" not in g["suggested_replies"] and len(g["suggested_replies"]) == 3, g
    expect(seeker.post("/api/ai/guidance", {"session_id": sid, "message_id": calm}), 403)
    other = new_helper(ai.stack)
    expect(other.post("/api/ai/guidance", {"session_id": sid, "message_id": calm}), 404)


def test_summarize_session_and_private_feedback(ai):
    seeker, helper, sid = new_session(ai.stack)
    send(seeker, sid, "thank you for listening")
    send(helper, sid, "I'm glad you reached out")
    s = expect(seeker.post("/api/ai/summarize-session", {"session_id": sid}), 200).json
    assert s["fallback"] is False and s["summary"]
    expect(helper.post("/api/ai/helper-feedback", {"session_id": sid}), 409, "session_not_ended")
    end_session(seeker, sid)
    f = expect(helper.post("/api/ai/helper-feedback", {"session_id": sid}), 200).json
    assert f["fallback"] is False and f["feedback"]
    stranger = new_seeker(ai.stack)
    expect(stranger.post("/api/ai/summarize-session", {"session_id": sid}), 404)


def test_match_keeps_only_listed_posts(ai):
    seeker, helper = new_seeker(ai.stack), new_helper(ai.stack)
    post = new_post(ai.stack, seeker, content="Anxiety about my exams keeps me awake", category="Anxiety")
    # An id that starts with eight digits looks like a phone number to a careless scrubber.
    digits_first = "12345678-1234-4234-8234-" + post[-12:]
    ai.stack.query("UPDATE posts SET id = %s WHERE id = %s", (digits_first, post))
    post = digits_first
    m = expect(helper.post("/api/ai/match", {}), 200).json
    assert m["fallback"] is False and m["items"], m
    assert m["items"][0]["post"]["id"] == post and m["items"][0]["reason"] == "Fits your expertise."
    listed = {r[0] for r in ai.stack.query("SELECT id::text FROM posts WHERE status = 'active'")}
    assert {i["post"]["id"] for i in m["items"]} <= listed


def test_match_with_a_wrong_shape_answer_falls_back_to_the_helpers_expertise(ai):
    """An answer with no usable matches (not a list, or only ids the model made up) is not "nothing
    fits": the helper gets the posts in their expertise, marked as the fallback."""
    seeker, helper = new_seeker(ai.stack), new_helper(ai.stack)
    for answer in ({"matches": "see above"}, {"matches": [{"post_id": "not-a-listed-post", "reason": "x"}]}):
        post = new_post(ai.stack, seeker, category="Anxiety",
                        content="Anxiety about my exams [[mock:json:" + json.dumps(answer) + "]]")
        m = expect(helper.post("/api/ai/match", {}), 200).json
        assert m["fallback"] is True, (answer, m)
        assert post in [i["post"]["id"] for i in m["items"]], (answer, m)
        ai.stack.query("UPDATE posts SET status = 'resolved' WHERE id = %s", (post,))


def test_match_gives_a_resting_helper_nothing(ai):
    """The gentle limit (docs/peer-support.md): after a session with a high-severity alert ends,
    the helper is not matched, and the model is not asked."""
    seeker, helper = new_seeker(ai.stack), new_helper(ai.stack)
    new_post(ai.stack, seeker, content="Anxiety about my exams keeps me awake", category="Anxiety")
    assert expect(helper.post("/api/ai/match", {}), 200).json["items"], "matched before the rest"
    _, _, sid = new_session(ai.stack, seeker=seeker, helper=helper)
    expect(seeker.post(f"/api/sessions/{sid}/emergency", {}), 201)
    end_session(seeker, sid)
    ai.mock.clear()
    m = expect(helper.post("/api/ai/match", {}), 200).json
    assert m == {"items": [], "fallback": False}
    assert ai.mock.requests() == [], "a resting helper's match asks no model"


# ------------------------------------------------------------------ the person's data

def test_export_opens_the_conversation_and_deletion_removes_it(ai):
    p = adult(ai.stack)
    chat(p, "canary-export-41 a note for my export")
    tables = expect(p.get("/api/me/export"), 200).json["tables"]
    assert [m["body"] for m in tables["ai_messages"]][0] == "canary-export-41 a note for my export"
    assert tables["ai_age_answers"][0]["adult"] is True
    assert tables["ai_usage"][0]["action"] == "chat"
    expect(p.delete("/api/me", {"confirm": "delete my account"}), 204)
    for t in ("ai_messages", "ai_age_answers", "ai_usage"):
        assert ai.stack.query(f"SELECT count(*) FROM {t} WHERE user_id = %s", (p.id,))[0][0] == 0, t


# ------------------------------------------------------------------ provider none (the main stack)

def test_without_a_provider_every_ai_feature_answers_503(stack):
    p = new_seeker(stack)
    s = expect(p.get("/api/ai/status"), 200).json
    assert (s["provider"], s["available"]) == ("none", False)
    expect(p.post("/api/ai/chat", {"message": "hello"}), 503, "ai_unavailable")
    expect(p.post("/api/ai/draft-post", {}), 503, "ai_unavailable")
    helper = new_helper(stack)
    expect(helper.post("/api/ai/match", {}), 503, "ai_unavailable")
    assert expect(p.get("/api/ai/history"), 200).json["items"] == []


# ------------------------------------------------------------------ TLS

def test_the_providers_certificate_is_verified(tmp_path):
    """A provider on https:// whose certificate no CA vouches for (self-signed, right name) is
    never spoken to: the handshake fails, the person gets the fallback, nothing is sent."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    mock = start_mock(piece_delay_ms=0)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(cert), str(key))
    mock.server.socket = ctx.wrap_socket(mock.server.socket, server_side=True)
    st = start_stack(["--ai-provider", "openai", "--ai-endpoint", f"https://127.0.0.1:{mock.port}/v1",
                      "--ai-workers", "1", "--ai-option", "timeout_ms=2000"], label="ai-tls")
    try:
        p = adult(st)
        a = chat(p, "hello over TLS").json
        assert a["fallback"] is True and mock.requests() == []
    finally:
        stop_stack(st)
        mock.stop()
