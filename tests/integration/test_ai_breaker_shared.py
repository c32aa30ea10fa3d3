"""The AI provider's circuit breaker is shared by every astral-ai worker (cgi-bin/ai/breaker.c).

A stack with four AI workers, a 2 s provider timeout and a 2 s cooldown. Failures made at the
same time land on different workers (a worker serves one request at a time); together they open
the breaker for every worker, so the next chats, wherever they land, get the fallback at once and
the provider hears nothing. After the cooldown, of several chats at once exactly one reaches the
provider: the trial. With a breaker per worker, each worker would have to fail three times, and
each would make its own trial."""

import threading
import time

import pytest

from astral_client import expect
from conftest import start_stack, stop_stack
from mock_ai import start_mock
from test_chat_setup import new_seeker

WORKERS = 4
TIMEOUT_S = 2
COOLDOWN_S = 5          # long enough that the checks made while it is open never outlast it
FAILURES = 3


@pytest.fixture(scope="module")
def ai():
    mock = start_mock()
    st = start_stack(["--ai-provider", "openai", "--ai-endpoint", mock.url + "/v1", "--ai-workers", str(WORKERS),
                      "--ai-option", f"timeout_ms={TIMEOUT_S * 1000}", "--ai-option", "connect_timeout_ms=500",
                      "--ai-option", f"breaker_failures={FAILURES}", "--ai-option", f"breaker_cooldown={COOLDOWN_S}"],
                     label="ai-breaker")
    st.mock = mock
    yield st
    stop_stack(st)
    mock.stop()


def adults(stack, n):
    people = []
    for _ in range(n):
        p = new_seeker(stack)
        expect(p.post("/api/ai/age-confirmation", {"adult": True}), 200)
        people.append(p)
    return people


def chat_together(people, message):
    """Each person sends `message` at the same moment: [(seconds taken, JSON answer)] in order."""
    answers = [None] * len(people)
    start = threading.Barrier(len(people))

    def one(i, p):
        start.wait()
        t0 = time.monotonic()
        r = expect(p.post("/api/ai/chat", {"message": message}), 200)
        answers[i] = (time.monotonic() - t0, r.json)

    threads = [threading.Thread(target=one, args=(i, p)) for i, p in enumerate(people)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert all(a is not None for a in answers), "a chat did not come back"
    return answers


def test_failures_on_different_workers_open_it_for_all_and_one_trial_follows(ai):
    people = adults(ai, WORKERS)
    # Three provider timeouts at once: three workers, one failure each.
    for _, a in chat_together(people[:FAILURES], "[[mock:timeout]]"):
        assert a["fallback"] is True
    ai.mock.clear()
    for took, a in chat_together(people, "hello while it is open"):
        assert a["fallback"] is True
        assert took < TIMEOUT_S / 2, f"a chat waited {took:.1f}s with the breaker open"
    assert ai.mock.requests() == [], "a worker called the provider while the breaker was open"
    for p in people:
        assert expect(p.get("/api/ai/status"), 200).json["available"] is False

    time.sleep(COOLDOWN_S + 0.3)
    ai.mock.clear()
    answers = chat_together(people, "[[mock:timeout]]")        # the trial fails by timeout
    assert len(ai.mock.requests()) == 1, f"{len(ai.mock.requests())} trial calls, not one"
    assert all(a["fallback"] is True for _, a in answers)
    assert sum(1 for took, _ in answers if took < TIMEOUT_S / 2) == WORKERS - 1, answers

    ai.mock.clear()
    assert all(a["fallback"] is True for _, a in chat_together(people, "hello, still open?"))
    assert ai.mock.requests() == [], "the failed trial did not open the breaker again"

    time.sleep(COOLDOWN_S + 0.3)
    assert chat_together(people[:1], "hello again")[0][1]["fallback"] is False    # the trial succeeds
    ai.mock.clear()
    assert all(a["fallback"] is False for _, a in chat_together(people, "hello, everyone"))
    assert len(ai.mock.requests()) == WORKERS


def test_requests_the_provider_refuses_do_not_open_it(ai):
    """A 400, 413 or 422 is about one request (most often one person's conversation over the
    model's context), not the provider: many of them, on every worker, leave the breaker closed,
    and the next person's chat reaches the provider."""
    people = adults(ai, WORKERS)
    for status in ("400", "413", "422"):
        for _, a in chat_together(people, f"[[mock:{status}]]"):
            assert a["fallback"] is True
    assert expect(people[0].get("/api/ai/status"), 200).json["available"] is True
    ai.mock.clear()
    assert chat_together(people[:1], "hello")[0][1]["fallback"] is False
    assert len(ai.mock.requests()) == 1
