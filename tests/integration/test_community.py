"""cgi-bin/helpers: the helpers' community (/api/community/...). Threads by latest reply and their
posts oldest first, with keyset pages; proposals newest first, submitted only with a reputation of
4.0 or more, one vote per helper, closed from ends_at on (moved with the test clock). Helpers and
staff read and write threads; only helpers propose and vote; seekers get 403. Every write is
audited. Then the person's data: the export carries the helper program's tables, deleting an
account deletes its attempts, applications, posts and votes and leaves its threads and proposals
with `author: null`; and the application role reads none of these tables without a caller."""

import datetime
import uuid

import pytest

from astral_client import expect, strong_password, unique
from test_helper_training import answers_with, training
from test_helpers_profiles import make_session
from test_videos_setup import new_staff

HELPER_PROGRAM_TABLES = ["helper_training_attempts", "helper_applications", "community_threads", "community_posts",
                         "community_proposals", "community_votes"]


def new_helper(stack, helpful=None):
    """A signed-in helper; `helpful` (a list of booleans) gives them sessions with that feedback,
    so reputation = 5 × the share of True."""
    c = stack.client("bearer")
    c.register()
    if helpful:
        seeker = stack.client("bearer")
        seeker.anonymous()
        for h in helpful:
            make_session(stack, seeker.user_id, c.user_id, helpful=h)
    return c


def council_member(stack):
    return new_helper(stack, helpful=[True, True, True, True, False])      # reputation 4.0


def new_thread(c, title=None, content="First post"):
    return expect(c.post("/api/community/threads", {"title": title or "Thread " + uuid.uuid4().hex[:8],
                                                    "content": content}), 201).json


def walk(c, path, limit):
    items, cursor = [], None
    for _ in range(100):
        sep = "&" if "?" in path else "?"
        page = expect(c.get(f"{path}{sep}limit={limit}" + (f"&cursor={cursor}" if cursor else "")), 200).json
        assert len(page["items"]) <= limit
        items += page["items"]
        cursor = page["next"]
        if cursor is None:
            return items
    raise AssertionError("the list did not end")


def audit_count(stack, user_id, action):
    return stack.query("SELECT count(*) FROM audit_log WHERE actor_id = %s AND action = %s", (user_id, action))[0][0]


def epoch(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


# ------------------------------------------------------------------ threads

def test_thread_with_replies(stack):
    a, b = new_helper(stack), new_helper(stack)
    r = new_thread(a, title="How do you unwind?", content="After a long chat I go **for a walk**.")
    t, p = r["thread"], r["post"]
    assert t["title"] == "How do you unwind?" and t["post_count"] == 1
    assert t["author"] == {"id": a.user_id, "display_name": a.user["display_name"]}
    assert t["last_post_at"] == t["created_at"]
    assert p["thread_id"] == t["id"] and p["mine"] is True and p["author"]["id"] == a.user_id
    assert p["content"] == "After a long chat I go **for a walk**."
    assert expect(b.get(f"/api/community/threads/{t['id']}"), 200).json == t

    reply = expect(b.post(f"/api/community/threads/{t['id']}/posts", {"content": "Tea and music."}), 201).json
    assert reply["mine"] is True and reply["author"]["id"] == b.user_id
    got = expect(a.get(f"/api/community/threads/{t['id']}"), 200).json
    assert got["post_count"] == 2 and epoch(got["last_post_at"]) >= epoch(t["last_post_at"])
    posts = expect(a.get(f"/api/community/threads/{t['id']}/posts"), 200).json
    assert [(x["id"], x["mine"]) for x in posts["items"]] == [(p["id"], True), (reply["id"], False)]
    assert posts["next"] is None
    assert audit_count(stack, a.user_id, "community_thread_create") == 1
    assert audit_count(stack, b.user_id, "community_post_create") == 1


def test_threads_latest_reply_first_and_pages(stack):
    a = new_helper(stack)
    t1, t2, t3 = (new_thread(a)["thread"]["id"] for _ in range(3))
    top = expect(a.get("/api/community/threads?limit=3"), 200).json["items"]
    assert [t["id"] for t in top] == [t3, t2, t1]
    expect(a.post(f"/api/community/threads/{t1}/posts", {"content": "bump"}), 201)
    everything = walk(a, "/api/community/threads", 2)
    ids = [t["id"] for t in everything]
    assert ids[:3] == [t1, t3, t2], "a reply moves its thread to the top"
    assert len(ids) == len(set(ids)), "no thread twice while paging"
    stamps = [(epoch(t["last_post_at"])) for t in everything]
    assert stamps == sorted(stamps, reverse=True)


def test_thread_posts_oldest_first_in_pages(stack):
    a, b = new_helper(stack), new_helper(stack)
    t = new_thread(a, content="one")["thread"]["id"]
    for i, who in enumerate((b, a, b, a)):
        expect(who.post(f"/api/community/threads/{t}/posts", {"content": f"reply {i}"}), 201)
    posts = walk(b, f"/api/community/threads/{t}/posts", 2)
    assert [p["content"] for p in posts] == ["one", "reply 0", "reply 1", "reply 2", "reply 3"]
    assert [p["mine"] for p in posts] == [False, True, False, True, False]


def test_unknown_thread_is_404(stack):
    a = new_helper(stack)
    gone = str(uuid.uuid4())
    expect(a.get(f"/api/community/threads/{gone}"), 404, "not_found")
    expect(a.get(f"/api/community/threads/{gone}/posts"), 404, "not_found")
    expect(a.post(f"/api/community/threads/{gone}/posts", {"content": "hello?"}), 404, "not_found")


def test_cursor_of_another_list_is_refused(stack):
    a = new_helper(stack)
    t = new_thread(a)["thread"]["id"]
    new_thread(a)
    expect(a.post(f"/api/community/threads/{t}/posts", {"content": "x"}), 201)
    threads_cursor = expect(a.get("/api/community/threads?limit=1"), 200).json["next"]
    posts_cursor = expect(a.get(f"/api/community/threads/{t}/posts?limit=1"), 200).json["next"]
    assert threads_cursor and posts_cursor
    expect(a.get(f"/api/community/threads/{t}/posts?cursor={threads_cursor}"), 400, "invalid_field", "cursor")
    expect(a.get(f"/api/community/threads?cursor={posts_cursor}"), 400, "invalid_field", "cursor")
    expect(a.get(f"/api/community/proposals?cursor={threads_cursor}"), 400, "invalid_field", "cursor")


def test_staff_read_and_write_threads_but_neither_propose_nor_vote(stack, clock):
    mod = new_staff(stack, clock)
    r = new_thread(mod, title="Moderators are here to help")
    assert r["thread"]["author"]["id"] == mod.user_id
    expect(mod.post(f"/api/community/threads/{r['thread']['id']}/posts", {"content": "Ask us anything."}), 201)
    assert expect(mod.get("/api/community/proposals"), 200).json["items"] is not None
    expect(mod.post("/api/community/proposals", {"title": "Staff idea", "description": "x"}), 403, "forbidden")
    p = expect(council_member(stack).post("/api/community/proposals", {"title": "A vote", "description": "d"}),
               201).json
    assert p["my_vote"] is None
    expect(mod.post(f"/api/community/proposals/{p['id']}/vote", {"vote": "for"}), 403, "forbidden")
    assert expect(mod.get("/api/community/proposals?status=open&limit=100"), 200).json["items"][0]["my_vote"] is None


@pytest.mark.parametrize("method,path,body", [
    ("GET", "/api/community/threads", None),
    ("POST", "/api/community/threads", {"title": "Seeker thread", "content": "hi"}),
    ("GET", "/api/community/threads/{t}", None),
    ("GET", "/api/community/threads/{t}/posts", None),
    ("POST", "/api/community/threads/{t}/posts", {"content": "hi"}),
    ("GET", "/api/community/proposals", None),
    ("POST", "/api/community/proposals", {"title": "Seeker idea", "description": "x"}),
    ("POST", "/api/community/proposals/{t}/vote", {"vote": "for"}),
])
def test_seekers_are_kept_out(stack, method, path, body):
    s = stack.client("bearer")
    s.anonymous()
    path = path.replace("{t}", str(uuid.uuid4()))
    kw = {} if body is None else {"json_body": body}
    expect(s.request(method, path, **kw), 403, "forbidden")
    expect(stack.client("bearer").request(method, path, **kw), 401)


# ------------------------------------------------------------------ proposals

def test_proposals_need_a_reputation_of_four(stack):
    body = {"title": "Weekly debrief circle", "description": "A space to talk after hard sessions."}
    for helpful in (None, [True, True, True, False]):               # none yet; 3.75
        r = expect(new_helper(stack, helpful).post("/api/community/proposals", body), 403, "forbidden", "reputation",
                   reason="not_council")
        assert "4.0" in r.json["error"]["message"]
    p = expect(council_member(stack).post("/api/community/proposals", body), 201).json
    assert p["title"] == body["title"] and p["description"] == body["description"]
    assert p["status"] == "open" and p["votes"] == {"for": 0, "against": 0, "abstain": 0} and p["my_vote"] is None
    assert round(epoch(p["ends_at"]) - epoch(p["created_at"])) == 7 * 86400, "open for 7 days by default"


def test_one_vote_per_helper(stack):
    author = council_member(stack)
    p = expect(author.post("/api/community/proposals", {"title": "More training", "description": "d", "days": 3}),
               201).json
    assert round(epoch(p["ends_at"]) - epoch(p["created_at"])) == 3 * 86400
    b, c = new_helper(stack), new_helper(stack)
    v = expect(b.post(f"/api/community/proposals/{p['id']}/vote", {"vote": "for"}), 200).json
    assert v["votes"] == {"for": 1, "against": 0, "abstain": 0} and v["my_vote"] == "for"
    r = expect(b.post(f"/api/community/proposals/{p['id']}/vote", {"vote": "against"}), 409, "conflict", "vote",
               reason="already_voted")
    assert "already" in r.json["error"]["message"]
    v = expect(c.post(f"/api/community/proposals/{p['id']}/vote", {"vote": "abstain"}), 200).json
    assert v["votes"] == {"for": 1, "against": 0, "abstain": 1} and v["my_vote"] == "abstain"
    mine = [x for x in expect(author.get("/api/community/proposals?limit=100"), 200).json["items"]
            if x["id"] == p["id"]]
    assert mine and mine[0]["my_vote"] is None and mine[0]["votes"]["abstain"] == 1
    assert stack.query("SELECT count(*) FROM community_votes WHERE proposal_id = %s", (p["id"],))[0][0] == 2
    assert audit_count(stack, b.user_id, "community_vote") == 1
    assert audit_count(stack, author.user_id, "community_proposal_create") == 1
    expect(b.post(f"/api/community/proposals/{uuid.uuid4()}/vote", {"vote": "for"}), 404, "not_found")


def test_proposals_newest_first_and_closing_at_ends_at(stack, clock):
    author = council_member(stack)
    short = expect(author.post("/api/community/proposals", {"title": "One day", "description": "d", "days": 1}),
                   201).json
    longer = expect(author.post("/api/community/proposals", {"title": "Two days", "description": "d", "days": 2}),
                    201).json
    listed = walk(author, "/api/community/proposals?status=open", 1)
    ids = [x["id"] for x in listed]
    assert ids.index(longer["id"]) < ids.index(short["id"]), "newest first"
    assert len(ids) == len(set(ids))

    clock.advance(86400)                      # exactly at the short one's ends_at
    voter = new_helper(stack)
    r = expect(voter.post(f"/api/community/proposals/{short['id']}/vote", {"vote": "for"}), 409, "conflict", "vote",
               reason="voting_closed")
    assert "closed" in r.json["error"]["message"]
    expect(voter.post(f"/api/community/proposals/{longer['id']}/vote", {"vote": "for"}), 200)
    open_ids = {x["id"] for x in walk(voter, "/api/community/proposals?status=open", 100)}
    closed = {x["id"]: x for x in walk(voter, "/api/community/proposals?status=closed", 100)}
    everything = {x["id"]: x for x in walk(voter, "/api/community/proposals?status=all", 100)}
    assert short["id"] in closed and short["id"] not in open_ids and closed[short["id"]]["status"] == "closed"
    assert longer["id"] in open_ids and longer["id"] not in closed
    assert everything[short["id"]]["status"] == "closed" and everything[longer["id"]]["status"] == "open"


# ------------------------------------------------------------------ the person's data

@pytest.fixture
def program_member(stack):
    """A helper with a row in every helper-program table, and a second helper who replied to
    their thread and voted on their proposal."""
    username, password = unique("hp"), strong_password()
    a = stack.client("bearer")
    a.register(username=username, password=password)
    seeker = stack.client("bearer")
    seeker.anonymous()
    for _ in range(4):
        make_session(stack, seeker.user_id, a.user_id, helpful=True)
    quiz = training(a)["quiz"]
    expect(a.post("/api/helpers/me/training", {"answers": answers_with(quiz)}), 200)
    app = expect(a.post("/api/helpers/me/application", {"motivation": "canary-motivation-7f3e"}), 201).json
    thread = new_thread(a, title="canary thread 7f3e", content="canary post 7f3e")
    other = council_member(stack)
    reply = expect(other.post(f"/api/community/threads/{thread['thread']['id']}/posts", {"content": "a reply"}),
                   201).json
    mine = expect(a.post("/api/community/proposals", {"title": "canary proposal", "description": "d"}), 201).json
    theirs = expect(other.post("/api/community/proposals", {"title": "their proposal", "description": "d"}), 201).json
    expect(a.post(f"/api/community/proposals/{theirs['id']}/vote", {"vote": "against"}), 200)
    expect(other.post(f"/api/community/proposals/{mine['id']}/vote", {"vote": "for"}), 200)
    return {"a": a, "other": other, "app": app, "thread": thread, "reply": reply, "mine": mine, "theirs": theirs}


def test_rls_app_role_reads_no_helper_program_rows_without_a_caller(stack, program_member):
    for table in HELPER_PROGRAM_TABLES:
        assert stack.query(f"SELECT count(*) FROM {table}")[0][0] > 0, f"{table} is empty as owner"
        assert stack.query(f"SELECT count(*) FROM {table}", user="astral_app")[0][0] == 0, table


def test_export_carries_the_helper_program(stack, program_member):
    m = program_member
    tables = expect(m["a"].get("/api/me/export"), 200).json["tables"]
    assert [(r["score"], r["passed"]) for r in tables["helper_training_attempts"]] == [(100, True)]
    assert [(r["id"], r["status"], r["motivation"]) for r in tables["helper_applications"]] == \
        [(m["app"]["id"], "pending", "canary-motivation-7f3e")]
    assert [r["title"] for r in tables["community_threads"]] == ["canary thread 7f3e"]
    assert [r["content"] for r in tables["community_posts"]] == ["canary post 7f3e"], "only my own posts"
    assert [r["title"] for r in tables["community_proposals"]] == ["canary proposal"]
    assert [(r["proposal_id"], r["vote"]) for r in tables["community_votes"]] == [(m["theirs"]["id"], "against")]


def test_delete_keeps_threads_and_proposals_without_their_author(stack, program_member):
    m = program_member
    a, other = m["a"], m["other"]
    uid = a.user_id
    expect(a.delete("/api/me", {"confirm": "delete my account"}), 204)
    for table, col in (("helper_training_attempts", "helper_id"), ("helper_applications", "helper_id"),
                       ("community_posts", "author_id"), ("community_votes", "helper_id")):
        assert stack.query(f"SELECT count(*) FROM {table} WHERE {col} = %s", (uid,))[0][0] == 0, table
    t = expect(other.get(f"/api/community/threads/{m['thread']['thread']['id']}"), 200).json
    assert t["author"] is None and t["post_count"] == 1, "the thread stays, with the others' replies"
    posts = expect(other.get(f"/api/community/threads/{t['id']}/posts"), 200).json["items"]
    assert [p["id"] for p in posts] == [m["reply"]["id"]]
    proposals = {p["id"]: p for p in walk(other, "/api/community/proposals", 100)}
    assert proposals[m["mine"]["id"]]["author"] is None
    assert proposals[m["mine"]["id"]]["votes"]["for"] == 1
    assert proposals[m["theirs"]["id"]]["votes"] == {"for": 0, "against": 0, "abstain": 0}, \
        "the deleted helper's vote goes with them"
