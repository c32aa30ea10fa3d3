"""cgi-bin/posts: writing posts and reading them (feed, search, sorts, cursors, For You, my
posts, one post), blocks and content filters."""

import uuid

import pytest

from astral_client import expect
from test_posts_fixtures import (CATEGORIES, all_pages, block, direct_request, feed_ids, helper, post,
                                 seeker)


def test_create_returns_the_post(stack):
    s = seeker(stack)
    text = "First line\nsecond line\twith a tab " + uuid.uuid4().hex
    p = post(s, text, "Grief")
    assert p["content"] == text and p["category"] == "Grief" and p["status"] == "active"
    assert p["mine"] is True and p["support_count"] == 0 and p["supported_by_me"] is False
    assert p["session_id"] is None and p["requested_helper"] is None and p["crisis"] is None
    assert p["filtered"] is False
    again = expect(s.get(f"/api/posts/{p['id']}"), 200).json
    assert again == p


def test_create_is_for_seekers_only(stack):
    h = helper(stack)
    expect(h.post("/api/posts", {"category": "Anxiety", "content": "I am a helper"}), 403, "forbidden")
    anon = stack.client("bearer")
    expect(anon.post("/api/posts", {"category": "Anxiety", "content": "x"}), 401)


@pytest.mark.parametrize("body,field", [
    ({"category": "Nope", "content": "x"}, "category"),
    ({"category": "anxiety", "content": "x"}, "category"),
    ({"category": "Anxiety", "content": ""}, "content"),
    ({"category": "Anxiety", "content": "   \n\t "}, "content"),
    ({"category": "Anxiety", "content": "y" * 5001}, "content"),
    ({"content": "no category"}, "category"),
    ({"category": "Anxiety"}, "content"),
    ({"category": "Anxiety", "content": "x", "status": "resolved"}, "status"),
    ({"category": "Anxiety", "content": "x", "support_count": 9}, "support_count"),
    ({"category": "Anxiety", "content": "x", "author_id": str(uuid.uuid4())}, "author_id"),
])
def test_create_bad_fields(stack, body, field):
    s = seeker(stack)
    expect(s.post("/api/posts", body), 400, "invalid_field", field)


def test_create_accepts_5000_characters(stack):
    s = seeker(stack)
    p = post(s, "é" * 5000)
    assert len(p["content"]) == 5000


def test_feed_shows_active_posts_newest_first_with_my_flags(stack, clock):
    a, b = seeker(stack), seeker(stack)
    p1 = post(a, category="Loneliness")
    clock.advance(2)
    p2 = post(b, category="Loneliness")
    items = expect(b.get("/api/posts?category=Loneliness&limit=100"), 200).json["items"]
    ids = [i["id"] for i in items]
    assert ids.index(p2["id"]) < ids.index(p1["id"])
    mine = {i["id"]: i["mine"] for i in items}
    assert mine[p2["id"]] is True and mine[p1["id"]] is False
    assert all(i["category"] == "Loneliness" for i in items)
    assert all(i["status"] == "active" for i in items)


def test_feed_keyset_pagination_visits_every_post_once(stack):
    s = seeker(stack)
    cat = "Other"
    made = [post(s, f"paging {n} {uuid.uuid4().hex}", cat)["id"] for n in range(7)]
    for sort in ("newest", "most_support", "needs_support"):
        seen, cursor = [], None
        for _ in range(200):
            url = f"/api/posts?category={cat}&sort={sort}&limit=2" + (f"&cursor={cursor}" if cursor else "")
            r = expect(s.get(url), 200)
            assert len(r.json["items"]) <= 2
            seen += [i["id"] for i in r.json["items"]]
            cursor = r.json["next"]
            if cursor is None:
                break
        assert len(seen) == len(set(seen)), f"{sort}: a post appeared twice"
        assert set(made) <= set(seen), f"{sort}: a post was skipped"


def test_sorts_order_by_support(stack):
    a = seeker(stack)
    cat = "Relationships"
    tag = uuid.uuid4().hex
    low = post(a, f"low {tag}", cat)
    high = post(a, f"high {tag}", cat)
    supporters = [seeker(stack) for _ in range(3)]
    for c in supporters:
        expect(c.post(f"/api/posts/{high['id']}/support"), 200)
    expect(supporters[0].post(f"/api/posts/{low['id']}/support"), 200)

    ids = [i["id"] for i in expect(a.get(f"/api/posts?q={tag}&sort=most_support"), 200).json["items"]]
    assert ids == [high["id"], low["id"]]
    ids = [i["id"] for i in expect(a.get(f"/api/posts?q={tag}&sort=needs_support"), 200).json["items"]]
    assert ids == [low["id"], high["id"]]
    items = all_pages(a, "/api/posts?sort=most_support")
    counts = [i["support_count"] for i in items]
    assert counts == sorted(counts, reverse=True)
    items = all_pages(a, "/api/posts?sort=needs_support")
    counts = [i["support_count"] for i in items]
    assert counts == sorted(counts)


def test_search_finds_words_and_only_them(stack):
    s = seeker(stack)
    word = "zq" + uuid.uuid4().hex[:10]
    hit = post(s, f"Today the {word} kept me awake", "Stress")
    post(s, "Nothing to find in this one " + uuid.uuid4().hex, "Stress")
    ids = [i["id"] for i in expect(s.get(f"/api/posts?q={word}"), 200).json["items"]]
    assert ids == [hit["id"]]
    ids = [i["id"] for i in expect(s.get(f"/api/posts?q=today%20{word}&category=Stress"), 200).json["items"]]
    assert ids == [hit["id"]]
    assert expect(s.get(f"/api/posts?q={word}&category=Grief"), 200).json["items"] == []
    # Punctuation only: no words to look for, no error.
    expect(s.get("/api/posts?q=%21%21%3F"), 200)
    expect(s.get("/api/posts?q=%27%20OR%201%3D1%3B--"), 200)


def test_support_is_per_user_and_idempotent(stack):
    a = seeker(stack)
    p = post(a)
    b, c = seeker(stack), seeker(stack)
    r = expect(b.post(f"/api/posts/{p['id']}/support"), 200).json
    assert r == {"support_count": 1, "supported_by_me": True}
    r = expect(b.post(f"/api/posts/{p['id']}/support"), 200).json
    assert r == {"support_count": 1, "supported_by_me": True}
    r = expect(c.post(f"/api/posts/{p['id']}/support"), 200).json
    assert r == {"support_count": 2, "supported_by_me": True}
    got = expect(b.get(f"/api/posts/{p['id']}"), 200).json
    assert got["support_count"] == 2 and got["supported_by_me"] is True
    assert expect(a.get(f"/api/posts/{p['id']}"), 200).json["supported_by_me"] is False
    r = expect(b.delete(f"/api/posts/{p['id']}/support"), 200).json
    assert r == {"support_count": 1, "supported_by_me": False}
    r = expect(b.delete(f"/api/posts/{p['id']}/support"), 200).json
    assert r == {"support_count": 1, "supported_by_me": False}
    h = helper(stack)
    r = expect(h.post(f"/api/posts/{p['id']}/support"), 200).json
    assert r == {"support_count": 2, "supported_by_me": True}


def test_support_counter_cannot_be_set_by_the_app_role(stack):
    """The counter moves only through the trigger; the app role may not write it for others."""
    a = seeker(stack)
    p = post(a)
    expect(seeker(stack).post(f"/api/posts/{p['id']}/support"), 200)
    rows = stack.query("SELECT support_count FROM posts WHERE id = %s", (p["id"],))
    assert rows == [(1,)]


def test_support_on_unknown_or_invisible_post_is_404(stack):
    a = seeker(stack)
    expect(a.post(f"/api/posts/{uuid.uuid4()}/support"), 404, "not_found")
    expect(a.delete(f"/api/posts/{uuid.uuid4()}/support"), 404, "not_found")
    h = helper(stack)
    dr = direct_request(a, h.user_id)
    expect(seeker(stack).post(f"/api/posts/{dr['id']}/support"), 404, "not_found")


def test_blocked_authors_are_hidden_both_ways(stack):
    a, b = seeker(stack), seeker(stack)
    tag = uuid.uuid4().hex
    pa = post(a, f"from a {tag}")
    pb = post(b, f"from b {tag}")
    viewer = seeker(stack)
    assert set(feed_ids(viewer, f"q={tag}")) == {pa["id"], pb["id"]}
    block(a, b.user_id)
    # a blocked b: a no longer sees b's posts, and b no longer sees a's.
    assert feed_ids(a, f"q={tag}") == [pa["id"]]
    assert feed_ids(b, f"q={tag}") == [pb["id"]]
    assert set(feed_ids(viewer, f"q={tag}")) == {pa["id"], pb["id"]}
    expect(a.get(f"/api/posts/{pb['id']}"), 404, "not_found")
    expect(b.get(f"/api/posts/{pa['id']}"), 404, "not_found")
    expect(b.post(f"/api/posts/{pa['id']}/support"), 404, "not_found")
    assert pb["id"] not in [p["id"] for p in all_pages(a, "/api/posts/for-you")]
    expect(a.delete(f"/api/me/blocks/{b.user_id}"), 204)
    assert set(feed_ids(a, f"q={tag}")) == {pa["id"], pb["id"]}


def test_content_filters_set_filtered(stack):
    a, b = seeker(stack), seeker(stack)
    pg = post(a, category="Grief")
    pd = post(a, category="Depression")
    expect(b.put("/api/me/preferences", {"content_filters": ["Grief", "Stress"]}), 200)
    assert expect(b.get(f"/api/posts/{pg['id']}"), 200).json["filtered"] is True
    assert expect(b.get(f"/api/posts/{pd['id']}"), 200).json["filtered"] is False
    assert expect(a.get(f"/api/posts/{pg['id']}"), 200).json["filtered"] is False
    items = {i["id"]: i for i in all_pages(b, "/api/posts?category=Grief")}
    assert items[pg["id"]]["filtered"] is True
    expect(b.put("/api/me/preferences", {"content_filters": []}), 200)
    assert expect(b.get(f"/api/posts/{pg['id']}"), 200).json["filtered"] is False


def test_mine_lists_every_status_newest_first(stack, clock):
    a = seeker(stack)
    h = helper(stack)
    p1 = post(a)
    clock.advance(2)
    p2 = post(a)
    clock.advance(2)
    dr = direct_request(a, h.user_id)
    expect(a.post(f"/api/posts/{p1['id']}/resolve"), 200)
    items = all_pages(a, "/api/posts/mine", limit=1)
    assert [i["id"] for i in items] == [dr["id"], p2["id"], p1["id"]]
    assert [i["status"] for i in items] == ["direct_request", "active", "resolved"]
    assert all(i["mine"] for i in items)
    assert items[0]["requested_helper"] == {"id": h.user_id, "display_name": h.display_name}
    assert expect(seeker(stack).get("/api/posts/mine"), 200).json == {"items": [], "next": None}


def test_for_you_uses_my_categories_or_the_least_supported(stack):
    newbie = seeker(stack)
    items = all_pages(newbie, "/api/posts/for-you")
    counts = [i["support_count"] for i in items]
    assert counts == sorted(counts)
    assert all(i["status"] == "active" and not i["mine"] for i in items)

    me, other = seeker(stack), seeker(stack)
    post(me, category="Loneliness")
    theirs = post(other, category="Loneliness")
    post(other, category="Depression")
    items = all_pages(me, "/api/posts/for-you", limit=3)
    assert items, "For You is empty"
    assert all(i["category"] == "Loneliness" and not i["mine"] for i in items)
    assert theirs["id"] in [i["id"] for i in items]
    times = [i["created_at"] for i in items]
    assert times == sorted(times, reverse=True)


def test_statuses_other_than_active_leave_the_feed(stack):
    a = seeker(stack)
    h = helper(stack)
    tag = uuid.uuid4().hex
    resolved = post(a, f"resolved {tag}")
    expect(a.post(f"/api/posts/{resolved['id']}/resolve"), 200)
    taken = post(a, f"taken {tag}")
    expect(h.post(f"/api/posts/{taken['id']}/accept"), 201)
    dr = direct_request(a, h.user_id, f"direct {tag}")
    active = post(a, f"active {tag}")
    viewer = seeker(stack)
    assert feed_ids(viewer, f"q={tag}") == [active["id"]]
    for p in (resolved, taken, dr):
        expect(viewer.get(f"/api/posts/{p['id']}"), 404, "not_found")


@pytest.mark.parametrize("path", ["/api/posts", "/api/posts/for-you", "/api/posts/mine", "/api/reflections"])
@pytest.mark.parametrize("query,field", [
    ("limit=0", "limit"), ("limit=101", "limit"), ("limit=abc", "limit"), ("limit=-1", "limit"),
    ("limit=99999999999999999999999", "limit"), ("cursor=abc", "cursor"), ("cursor=%00", "cursor"),
    ("cursor=" + "A" * 300, "cursor"), ("zz=1", "query"),
])
def test_list_bad_query(stack, path, query, field):
    s = seeker(stack)
    expect(s.get(f"{path}?{query}"), 400, "invalid_field", field)


def test_cursor_of_another_list_is_refused(stack):
    s = seeker(stack)
    for n in range(3):
        post(s, f"cursor {n}", "Other")
    nxt = expect(s.get("/api/posts/mine?limit=1"), 200).json["next"]
    assert nxt
    expect(s.get(f"/api/posts?cursor={nxt}"), 400, "invalid_field", "cursor")
    expect(s.get(f"/api/reflections?cursor={nxt}"), 400, "invalid_field", "cursor")
    newest = expect(s.get("/api/posts?limit=1"), 200).json["next"]
    expect(s.get(f"/api/posts?sort=most_support&cursor={newest}"), 400, "invalid_field", "cursor")
    expect(s.get(f"/api/posts?cursor={newest}"), 200)


@pytest.mark.parametrize("query,field", [
    ("category=Nope", "category"), ("category=", "category"), ("sort=oldest", "sort"), ("q=", "q"),
    ("q=" + "w" * 201, "q"), ("q=%ff%fe", "q"), ("q=a%00b", "q"), ("sort=newest&sort=x", None),
])
def test_feed_bad_query(stack, query, field):
    s = seeker(stack)
    r = s.get(f"/api/posts?{query}")
    if field is None:
        assert r.status in (200, 400), r
    else:
        expect(r, 400, "invalid_field", field)


def test_feed_every_category_works(stack):
    s = seeker(stack)
    for cat in CATEGORIES:
        p = post(s, category=cat)
        assert p["id"] in [i["id"] for i in expect(s.get(f"/api/posts?category={cat}"), 200).json["items"]]


def test_feed_and_post_need_sign_in(stack):
    anon = stack.client("bearer")
    expect(anon.get("/api/posts"), 401)
    expect(anon.get(f"/api/posts/{uuid.uuid4()}"), 401)
    expect(anon.get("/api/reflections"), 401)


def test_unknown_post_and_bad_ids_are_404(stack):
    s = seeker(stack)
    expect(s.get(f"/api/posts/{uuid.uuid4()}"), 404, "not_found")
    expect(s.get("/api/posts/not-a-uuid"), 404, "not_found")
    expect(s.get("/api/posts/00000000-0000-0000-0000-00000000000g"), 404, "not_found")
    expect(s.post("/api/posts/not-a-uuid/support"), 404, "not_found")


def test_methods_not_served_are_405(stack):
    s = seeker(stack)
    expect(s.request("PUT", "/api/posts", json_body={}), 405, "method_not_allowed")
    expect(s.request("DELETE", "/api/posts/mine"), 405, "method_not_allowed")
    p = post(s)
    expect(s.request("GET", f"/api/posts/{p['id']}/accept"), 405, "method_not_allowed")


def test_keyset_is_exact_for_fractional_times(stack):
    """Posts written with fractional times within one second (an import, an admin's SQL): every
    sort visits each exactly once, however the page boundaries fall."""
    s = seeker(stack)
    word = "frac" + uuid.uuid4().hex[:12]
    made = []
    for n, fraction in enumerate(("0.1", "0.3", "0.5", "0.7", "0.9")):
        pid = str(uuid.uuid4())
        stack.query("INSERT INTO posts (id, author_id, category, content, status, support_count, created_at,"
                    " updated_at) VALUES (%s, %s, 'Other', %s, 'active', %s,"
                    " timestamptz '2001-02-03 04:05:06+00' + %s::interval, now())",
                    (pid, s.user_id, f"fractional {word}", n % 2, f"{fraction} second"))
        made.append(pid)
    for sort in ("newest", "most_support", "needs_support"):
        for limit in (1, 2, 3):
            seen, cursor = [], None
            for _ in range(20):
                url = f"/api/posts?q={word}&sort={sort}&limit={limit}" + (f"&cursor={cursor}" if cursor else "")
                r = expect(s.get(url), 200).json
                seen += [i["id"] for i in r["items"]]
                cursor = r["next"]
                if cursor is None:
                    break
            assert sorted(seen) == sorted(made), f"{sort}, limit {limit}: {seen}"


def test_search_with_many_matches_reads_the_ordered_feed(stack):
    """More than 1000 matches take the ordered-index path, fewer the exact-match path: both give
    the newest matching posts first and page on without repeats."""
    s = seeker(stack)
    many, few = "many" + uuid.uuid4().hex[:10], "few" + uuid.uuid4().hex[:10]
    stack.query("INSERT INTO posts (id, author_id, category, content, status, created_at, updated_at)"
                " SELECT gen_random_uuid(), %s, 'Other', %s || ' ' || g || CASE WHEN g %% 300 = 0"
                " THEN ' ' || %s ELSE '' END, 'active',"
                " timestamptz '2002-01-01 00:00:00+00' + g * interval '1 second', now()"
                " FROM generate_series(1, 1200) AS g", (s.user_id, many, few))
    for word, total in ((many, 1200), (few, 4)):
        first = expect(s.get(f"/api/posts?q={word}&limit=5"), 200).json
        times = [i["created_at"] for i in first["items"]]
        assert len(times) == min(5, total) and times == sorted(times, reverse=True)
        assert times[0] == "2002-01-01T00:20:00Z", times[0]      # the newest of them: g = 1200
        if total > 5:
            second = expect(s.get(f"/api/posts?q={word}&limit=5&cursor={first['next']}"), 200).json
            assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
            assert second["items"][0]["created_at"] < times[-1]
