"""cgi-bin/posts: reflections (list newest first with a keyset cursor, create, light on/off)."""

import uuid

import pytest

from astral_client import expect
from test_posts_fixtures import helper, seeker


def reflect(client, text=None):
    text = text or "Small steps count " + uuid.uuid4().hex[:8]
    return expect(client.post("/api/reflections", {"content": text}), 201).json


def test_create_and_list(stack, clock):
    a, b = seeker(stack), seeker(stack)
    r1 = reflect(a, "Breathing helped today.")
    assert r1["content"] == "Breathing helped today." and r1["mine"] is True
    assert r1["light_count"] == 0 and r1["lit_by_me"] is False
    clock.advance(2)
    r2 = reflect(helper(stack))
    items = expect(b.get("/api/reflections?limit=100"), 200).json["items"]
    ids = [i["id"] for i in items]
    assert ids.index(r2["id"]) < ids.index(r1["id"])
    seen = {i["id"]: i for i in items}
    assert seen[r1["id"]]["mine"] is False
    times = [i["created_at"] for i in items]
    assert times == sorted(times, reverse=True)


def test_keyset_pages_visit_each_once(stack):
    a = seeker(stack)
    made = {reflect(a)["id"] for _ in range(5)}
    # Rows written with fractional times (an import, an admin's SQL) within one second: the
    # cursor is exact, so none repeats and none is skipped at a page boundary.
    for fraction in ("0.1", "0.5", "0.9"):
        rid = str(uuid.uuid4())
        stack.query("INSERT INTO reflections (id, author_id, content, created_at)"
                    " VALUES (%s, %s, 'fractional', timestamptz '2001-02-03 04:05:06+00' + %s::interval)",
                    (rid, a.user_id, f"{fraction} second"))
        made.add(rid)
    seen, cursor = [], None
    for _ in range(10000):
        r = expect(a.get("/api/reflections?limit=2" + (f"&cursor={cursor}" if cursor else "")), 200).json
        assert len(r["items"]) <= 2
        seen += [i["id"] for i in r["items"]]
        cursor = r["next"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen))
    assert made <= set(seen)


def test_light_is_one_per_user(stack):
    a = seeker(stack)
    r = reflect(a)
    b, c = seeker(stack), seeker(stack)
    assert expect(b.post(f"/api/reflections/{r['id']}/light"), 200).json == {"light_count": 1, "lit_by_me": True}
    assert expect(b.post(f"/api/reflections/{r['id']}/light"), 200).json == {"light_count": 1, "lit_by_me": True}
    assert expect(c.post(f"/api/reflections/{r['id']}/light"), 200).json == {"light_count": 2, "lit_by_me": True}
    items = {i["id"]: i for i in expect(b.get("/api/reflections?limit=100"), 200).json["items"]}
    assert items[r["id"]]["light_count"] == 2 and items[r["id"]]["lit_by_me"] is True
    assert expect(b.delete(f"/api/reflections/{r['id']}/light"), 200).json == {"light_count": 1, "lit_by_me": False}
    assert expect(b.delete(f"/api/reflections/{r['id']}/light"), 200).json == {"light_count": 1, "lit_by_me": False}
    assert stack.query("SELECT light_count FROM reflections WHERE id = %s", (r["id"],)) == [(1,)]


def test_light_unknown_is_404(stack):
    a = seeker(stack)
    expect(a.post(f"/api/reflections/{uuid.uuid4()}/light"), 404, "not_found")
    expect(a.delete(f"/api/reflections/{uuid.uuid4()}/light"), 404, "not_found")
    expect(a.post("/api/reflections/nope/light"), 404, "not_found")


def test_blocked_authors_reflections_are_hidden(stack):
    a, b = seeker(stack), seeker(stack)
    r = reflect(a)
    expect(b.post("/api/me/blocks", {"user_id": a.user_id}), 201)
    assert r["id"] not in [i["id"] for i in expect(b.get("/api/reflections?limit=100"), 200).json["items"]]
    expect(b.post(f"/api/reflections/{r['id']}/light"), 404, "not_found")
    rb = reflect(b)
    assert rb["id"] not in [i["id"] for i in expect(a.get("/api/reflections?limit=100"), 200).json["items"]]
    assert rb["id"] in [i["id"] for i in expect(seeker(stack).get("/api/reflections?limit=100"), 200).json["items"]]


@pytest.mark.parametrize("body,field", [
    ({}, "content"), ({"content": ""}, "content"), ({"content": "  \n "}, "content"),
    ({"content": "z" * 281}, "content"), ({"content": 12}, "content"), ({"content": "ok", "light_count": 5}, "light_count"),
    ({"content": "ok", "author_id": str(uuid.uuid4())}, "author_id"),
])
def test_create_bad_input(stack, body, field):
    expect(seeker(stack).post("/api/reflections", body), 400, "invalid_field", field)


def test_280_characters_are_fine_and_need_sign_in(stack):
    r = reflect(seeker(stack), "ü" * 280)
    assert len(r["content"]) == 280
    anon = stack.client("bearer")
    expect(anon.post("/api/reflections", {"content": "hi"}), 401)
    expect(anon.post(f"/api/reflections/{r['id']}/light"), 401)
