"""cgi-bin/helpers: helper profiles, the directory, availability, the online count and a seeker's
favourite helpers. Help sessions are made with direct SQL through the owner connection (posts +
help_sessions rows), so these tests need nothing from cgi-bin/posts or cgi-bin/chat."""

import calendar
import time
import uuid
from urllib.parse import quote

import pytest

from astral_client import expect, strong_password, unique

EXPERTISE = ["Anxiety & Stress", "Depression", "Grief & Loss", "Relationships", "Family Issues",
             "Loneliness", "Self-Esteem", "Academic/Work Stress"]


# ------------------------------------------------------------------ helpers of the tests

def new_helper(stack, display_name=None, profile=None, online=None):
    """A signed-in helper (Bearer); with `profile` (a dict) its profile is created."""
    c = stack.client("bearer")
    c.register(display_name=display_name)
    if profile is not None:
        expect(c.post("/api/helpers/me", profile), 201)
    if online is not None:
        expect(c.put("/api/helpers/me/availability", {"online": online}), 200)
    return c


def new_seeker(stack):
    c = stack.client("bearer")
    c.anonymous()
    return c


def profile_body(bio="I listen.", expertise=("Depression",)):
    return {"bio": bio, "expertise": list(expertise)}


def make_session(stack, seeker_id, helper_id, favorite=False, helpful=None, kudos=False,
                 ended=True, started_offset=0):
    """A post by the seeker and its help session with the helper (owner connection)."""
    post_id, session_id = str(uuid.uuid4()), str(uuid.uuid4())
    conn = stack.owner_db()
    try:
        with conn.cursor() as cur:
            cur.execute("""INSERT INTO posts (id, author_id, category, content, status, created_at, updated_at)
                           VALUES (%s, %s, 'Stress', 'a test post', %s, now(), now())""",
                        (post_id, seeker_id, "resolved" if ended else "in_progress"))
            cur.execute("""INSERT INTO help_sessions (id, post_id, seeker_id, helper_id, started_at, ended_at,
                                                      ended_by, helpful, feedback_at, kudos_at, favorite)
                           VALUES (%s, %s, %s, %s, now() + make_interval(secs => %s),
                                   CASE WHEN %s THEN now() END, CASE WHEN %s THEN 'seeker' END,
                                   %s, CASE WHEN %s IS NOT NULL THEN now() END,
                                   CASE WHEN %s THEN now() END, %s)""",
                        (session_id, post_id, seeker_id, helper_id, started_offset, ended, ended,
                         helpful, helpful, kudos, favorite))
    finally:
        conn.close()
    return session_id


def online_count(stack):
    r = expect(stack.client("bearer").get("/api/helpers/online-count", auth=False), 200)
    return r.json["online"]


def walk(client, query="", limit=100, max_pages=200):
    """Every item of the directory for `query`, following `next`; asserts no page repeats."""
    items, cursor = [], None
    for _ in range(max_pages):
        sep = "&" if query else ""
        path = f"/api/helpers?{query}{sep}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        page = expect(client.get(path), 200).json
        assert len(page["items"]) <= limit
        items += page["items"]
        cursor = page["next"]
        if cursor is None:
            break
    else:
        raise AssertionError("the directory did not end")
    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids)), "a helper appeared twice while paging"
    return items


def audit_actions(stack, user_id, action):
    return stack.query("SELECT detail FROM audit_log WHERE actor_id = %s AND subject_id = %s AND action = %s"
                       " ORDER BY id", (user_id, user_id, action))


# ------------------------------------------------------------------ my profile

def test_profile_create_read_update(stack):
    h = new_helper(stack)
    expect(h.get("/api/helpers/me"), 404, "not_found")
    r = expect(h.post("/api/helpers/me", {"bio": "Line one\nLine two\tand a tab",
                                           "expertise": ["Grief & Loss", "Academic/Work Stress"]}), 201).json
    assert r["id"] == h.user_id
    assert r["display_name"] == h.user["display_name"], "the display name comes from the account"
    assert r["helper_tier"] == "community"
    assert r["bio"] == "Line one\nLine two\tand a tab"
    assert r["expertise"] == ["Grief & Loss", "Academic/Work Stress"]
    assert r["online"] is False, "a new profile starts offline"
    assert (r["sessions"], r["kudos"], r["xp"], r["feedback_count"]) == (0, 0, 0, 0)
    assert r["reputation"] is None
    assert (r["level"], r["next_level_xp"]) == (1, 100)
    assert r["achievements"] == []
    joined = calendar.timegm(time.strptime(r["joined_at"], "%Y-%m-%dT%H:%M:%SZ"))
    assert abs(joined - time.time()) < 600, r["joined_at"]
    assert expect(h.get("/api/helpers/me"), 200).json == r

    r2 = expect(h.put("/api/helpers/me", {"bio": "Changed"}), 200).json
    assert r2["bio"] == "Changed" and r2["expertise"] == r["expertise"], "a partial update keeps the rest"
    r3 = expect(h.put("/api/helpers/me", {"expertise": EXPERTISE}), 200).json
    assert r3["bio"] == "Changed" and r3["expertise"] == EXPERTISE
    assert expect(h.get(f"/api/helpers/{h.user_id}"), 200).json == r3


def test_profile_create_twice_409(stack):
    h = new_helper(stack, profile=profile_body(bio="first"))
    expect(h.post("/api/helpers/me", profile_body(bio="second")), 409, "conflict", reason="profile_exists")
    assert expect(h.get("/api/helpers/me"), 200).json["bio"] == "first"


def test_profile_update_before_create_404(stack):
    h = new_helper(stack)
    expect(h.put("/api/helpers/me", {"bio": "x"}), 404, "not_found")
    assert stack.query("SELECT count(*) FROM helper_profiles WHERE user_id = %s", (h.user_id,))[0][0] == 0


def test_profile_display_name_cannot_be_set(stack):
    h = new_helper(stack)
    body = dict(profile_body(), display_name="Someone Else")
    expect(h.post("/api/helpers/me", body), 400, "invalid_field", "display_name")


@pytest.mark.parametrize("body,field", [
    ({"bio": "", "expertise": ["Depression"]}, "bio"),
    ({"bio": "x" * 501, "expertise": ["Depression"]}, "bio"),
    ({"bio": "ok", "expertise": []}, "expertise"),
    ({"bio": "ok", "expertise": EXPERTISE + ["Depression"]}, "expertise"),
    ({"bio": "ok", "expertise": ["Depression", "Depression"]}, "expertise"),
    ({"bio": "ok", "expertise": ["Cats"]}, "expertise"),
    ({"bio": "ok", "expertise": ["depression"]}, "expertise"),
    ({"bio": "ok", "expertise": "Depression"}, "expertise"),
    ({"bio": "ok"}, "expertise"),
    ({"expertise": ["Depression"]}, "bio"),
    ({"bio": "bell\u0007", "expertise": ["Depression"]}, "bio"),
    ({"bio": "ok", "expertise": ["Depression"], "online": True}, "online"),
])
def test_profile_create_bad_values(stack, body, field):
    h = new_helper(stack)
    expect(h.post("/api/helpers/me", body), 400, "invalid_field", field)
    expect(h.get("/api/helpers/me"), 404)


def test_profile_bio_limits_are_code_points(stack):
    h = new_helper(stack)
    bio = "é" * 500          # 1000 bytes, 500 characters
    assert expect(h.post("/api/helpers/me", profile_body(bio=bio)), 201).json["bio"] == bio
    expect(h.put("/api/helpers/me", {"bio": "é" * 501}), 400, "invalid_field", "bio")


@pytest.mark.parametrize("body,field", [
    ({}, "body"),
    ({"bio": ""}, "bio"),
    ({"expertise": []}, "expertise"),
    ({"expertise": ["Nope"]}, "expertise"),
    ({"bio": None}, "bio"),
    ({"helper_tier": "certified"}, "helper_tier"),
])
def test_profile_update_bad_values(stack, body, field):
    h = new_helper(stack, profile=profile_body(bio="kept"))
    expect(h.put("/api/helpers/me", body), 400, "invalid_field", field)
    p = expect(h.get("/api/helpers/me"), 200).json
    assert p["bio"] == "kept" and p["expertise"] == ["Depression"] and p["helper_tier"] == "community"


def test_profile_writes_are_audited_without_content(stack):
    h = new_helper(stack, profile=profile_body(bio="secret bio words"))
    expect(h.put("/api/helpers/me", {"bio": "other secret words"}), 200)
    assert len(audit_actions(stack, h.user_id, "helper_profile_create")) == 1
    assert len(audit_actions(stack, h.user_id, "helper_profile_update")) == 1
    rows = stack.query("SELECT coalesce(detail, '') || object_type || coalesce(object_id, '') FROM audit_log"
                       " WHERE actor_id = %s", (h.user_id,))
    assert not any("secret" in r[0] for r in rows), "user text in the audit log"


# ------------------------------------------------------------------ roles

def test_seeker_cannot_touch_helper_routes(stack):
    s = new_seeker(stack)
    expect(s.post("/api/helpers/me", profile_body()), 403, "forbidden")
    expect(s.get("/api/helpers/me"), 403, "forbidden")
    expect(s.put("/api/helpers/me", {"bio": "x"}), 403, "forbidden")
    expect(s.put("/api/helpers/me/availability", {"online": True}), 403, "forbidden")
    assert stack.query("SELECT count(*) FROM helper_profiles WHERE user_id = %s", (s.user_id,))[0][0] == 0
    # what a seeker may read
    expect(s.get("/api/helpers?limit=1"), 200)
    expect(s.get("/api/helpers/favorites"), 200)


def test_helper_has_no_favourites_route(stack):
    h = new_helper(stack, profile=profile_body())
    expect(h.get("/api/helpers/favorites"), 403, "forbidden")


def test_staff_cannot_create_a_profile(stack):
    name, pw = unique("mod"), strong_password()
    stack.create_user("moderator", name, "Mod Erator", pw)
    m = stack.client("bearer")
    m.login(name, pw)
    expect(m.post("/api/helpers/me", profile_body()), 403, "forbidden")
    expect(m.put("/api/helpers/me/availability", {"online": True}), 403, "forbidden")


@pytest.mark.parametrize("method,path,body", [
    ("GET", "/api/helpers", None),
    ("GET", f"/api/helpers/{uuid.uuid4()}", None),
    ("GET", "/api/helpers/me", None),
    ("POST", "/api/helpers/me", {"bio": "x", "expertise": ["Depression"]}),
    ("PUT", "/api/helpers/me", {"bio": "x"}),
    ("PUT", "/api/helpers/me/availability", {"online": True}),
    ("GET", "/api/helpers/favorites", None),
])
def test_signed_out_401(stack, method, path, body):
    c = stack.client("bearer")
    if body is None:
        r = c.request(method, path)
    else:
        r = c.request(method, path, json_body=body)
    expect(r, 401, "unauthorized")


# ------------------------------------------------------------------ public profile and IDOR

def test_public_profile_of_another_helper(stack):
    a = new_helper(stack, profile=profile_body(bio="A's bio", expertise=["Loneliness"]))
    b = new_helper(stack)
    s = new_seeker(stack)
    for reader in (b, s):
        p = expect(reader.get(f"/api/helpers/{a.user_id}"), 200).json
        assert p["id"] == a.user_id and p["bio"] == "A's bio" and p["expertise"] == ["Loneliness"]
        assert p["display_name"] == a.user["display_name"]
    # the upper-case spelling of the same id is the same helper
    assert expect(s.get(f"/api/helpers/{a.user_id.upper()}"), 200).json["id"] == a.user_id


def test_idor_ids_that_are_not_helper_profiles_404(stack, owner_db):
    s = new_seeker(stack)
    no_profile = new_helper(stack)
    reader = new_helper(stack, profile=profile_body())
    name, pw = unique("mod"), strong_password()
    stack.create_user("moderator", name, "Listed Moderator", pw)
    mod_id = stack.query("SELECT id FROM users WHERE username = %s", (name,))[0][0]
    with owner_db.cursor() as cur:       # a profile row a moderator could never make through the API
        cur.execute("INSERT INTO helper_profiles (user_id, bio, expertise, available, created_at, updated_at)"
                    " VALUES (%s, 'staff', '{Depression}', true, now(), now())", (mod_id,))
    for who in (s, reader):
        for target in (str(uuid.uuid4()), s.user_id, no_profile.user_id, str(mod_id)):
            expect(who.get(f"/api/helpers/{target}"), 404, "not_found")
    listed = {i["id"] for i in walk(reader)}
    assert str(mod_id) not in listed, "a moderator is listed as a helper"
    assert no_profile.user_id not in listed and s.user_id not in listed
    assert reader.user_id in listed


def test_my_writes_never_reach_another_profile(stack):
    a = new_helper(stack, profile=profile_body(bio="A original", expertise=["Depression"]))
    b = new_helper(stack, profile=profile_body(bio="B original", expertise=["Loneliness"]))
    expect(b.put("/api/helpers/me", {"bio": "B changed", "expertise": ["Self-Esteem"]}), 200)
    expect(b.put("/api/helpers/me/availability", {"online": True}), 200)
    pa = expect(b.get(f"/api/helpers/{a.user_id}"), 200).json
    assert (pa["bio"], pa["expertise"], pa["online"]) == ("A original", ["Depression"], False)


@pytest.mark.parametrize("bad", ["not-a-uuid", "1", "00000000-0000-0000-0000-00000000000g",
                                 "%27%20OR%201%3D1", "me%20",
                                 pytest.param("x%2Fy", marks=pytest.mark.nginx_only(
                                     "Apache refuses an encoded slash itself with its 404 (AllowEncodedSlashes Off)"))])
def test_profile_bad_ids(stack, bad):
    s = new_seeker(stack)
    r = s.get(f"/api/helpers/{bad}")
    assert r.status in (400, 404), r
    assert r.error_code in ("not_found", "invalid_field"), r


def test_no_query_on_routes_without_parameters(stack):
    h = new_helper(stack, profile=profile_body())
    for path in ("/api/helpers/me?x=1", f"/api/helpers/{h.user_id}?a=b", "/api/helpers/online-count?x=1"):
        expect(h.get(path), 400, "invalid_field", "query")


# ------------------------------------------------------------------ availability and the count

def test_availability_needs_a_profile_409(stack):
    h = new_helper(stack)
    expect(h.put("/api/helpers/me/availability", {"online": True}), 409, "conflict", "online", reason="no_helper_profile")


def test_online_count_goes_up_and_down(stack):
    base = online_count(stack)
    a = new_helper(stack, profile=profile_body())
    b = new_helper(stack, profile=profile_body())
    assert online_count(stack) == base, "a new profile is offline"
    assert expect(a.put("/api/helpers/me/availability", {"online": True}), 200).json["online"] is True
    assert online_count(stack) == base + 1
    expect(b.put("/api/helpers/me/availability", {"online": True}), 200)
    assert online_count(stack) == base + 2
    expect(a.put("/api/helpers/me/availability", {"online": True}), 200)
    assert online_count(stack) == base + 2, "going online twice counts once"
    assert expect(a.put("/api/helpers/me/availability", {"online": False}), 200).json["online"] is False
    assert online_count(stack) == base + 1
    expect(b.put("/api/helpers/me/availability", {"online": False}), 200)
    assert online_count(stack) == base


def test_banned_helper_is_offline_everywhere(stack, clock):
    """A ban leaves the helper's switch on; while it is in force they are offline on their
    profile, in the directory (both orders, both filters) and in the online count, and a timed
    ban that has ended counts no more (at the programs' clock)."""
    tag = uuid.uuid4().hex[:8]
    h = new_helper(stack, display_name=f"Banned {tag}", profile=profile_body(), online=True)
    reader = new_seeker(stack)
    ids = lambda q: {i["id"] for i in walk(reader, query=q)}  # noqa: E731
    base = online_count(stack)
    assert h.user_id in ids("online=true")
    stack.query("INSERT INTO account_bans (user_id, reason, created_at, expires_at)"
                " VALUES (%s, 'abuse', to_timestamp(%s), to_timestamp(%s))",
                (h.user_id, int(clock.now()), int(clock.now()) + 120))
    assert online_count(stack) == base - 1
    assert expect(reader.get(f"/api/helpers/{h.user_id}"), 200).json["online"] is False
    for order in ("", "&sort=joined"):
        assert h.user_id not in ids("online=true" + order)
        assert h.user_id in ids("online=false" + order)
    assert [i["online"] for i in walk(reader) if i["id"] == h.user_id] == [False]
    assert stack.query("SELECT available FROM helper_profiles WHERE user_id = %s", (h.user_id,))[0][0] is True

    clock.advance(121)
    assert online_count(stack) == base
    assert expect(reader.get(f"/api/helpers/{h.user_id}"), 200).json["online"] is True
    assert h.user_id in ids("online=true")


def test_online_count_is_public_and_counts_only_helpers(stack, owner_db):
    base = online_count(stack)
    name, pw = unique("adm"), strong_password()
    stack.create_user("admin", name, "An Admin", pw)
    admin_id = stack.query("SELECT id FROM users WHERE username = %s", (name,))[0][0]
    with owner_db.cursor() as cur:
        cur.execute("INSERT INTO helper_profiles (user_id, bio, expertise, available, created_at, updated_at)"
                    " VALUES (%s, 'staff', '{Depression}', true, now(), now())", (admin_id,))
    assert online_count(stack) == base, "staff are not counted as helpers"
    # a cookie client without any session, and with a garbage token: still public
    c = stack.client("cookie")
    assert expect(c.get("/api/helpers/online-count"), 200).json["online"] == base
    r = c.get("/api/helpers/online-count", headers={"Authorization": "Bearer not.a.token"})
    assert expect(r, 200).json["online"] == base


def test_availability_changes_are_audited_once_per_change(stack):
    h = new_helper(stack, profile=profile_body())
    expect(h.put("/api/helpers/me/availability", {"online": True}), 200)
    expect(h.put("/api/helpers/me/availability", {"online": True}), 200)
    expect(h.put("/api/helpers/me/availability", {"online": False}), 200)
    expect(h.put("/api/helpers/me/availability", {"online": False}), 200)
    details = [r[0] for r in audit_actions(stack, h.user_id, "helper_availability_update")]
    assert details == ["online", "offline"], details


def test_going_offline_changes_nothing_else(stack):
    h = new_helper(stack, profile=profile_body(bio="stays", expertise=["Grief & Loss"]), online=True)
    s = new_seeker(stack)
    sid = make_session(stack, s.user_id, h.user_id, ended=False)
    before = expect(h.get("/api/helpers/me"), 200).json
    after = expect(h.put("/api/helpers/me/availability", {"online": False}), 200).json
    assert after["online"] is False
    assert {k: v for k, v in after.items() if k != "online"} == {k: v for k, v in before.items() if k != "online"}
    row = stack.query("SELECT ended_at, helper_id FROM help_sessions WHERE id = %s", (sid,))[0]
    assert row[0] is None and str(row[1]) == h.user_id, "going offline must not end the session"
    assert stack.query("SELECT status FROM posts p JOIN help_sessions s ON s.post_id = p.id WHERE s.id = %s",
                       (sid,))[0][0] == "in_progress"


def test_signing_out_keeps_availability(stack):
    h = new_helper(stack, profile=profile_body(), online=True)
    base = online_count(stack)
    r = h.logout()
    assert r.status in (200, 204), r
    expect(h.whoami(), 401)
    assert online_count(stack) == base, "signing out must not take a helper offline"
    reader = new_seeker(stack)
    assert expect(reader.get(f"/api/helpers/{h.user_id}"), 200).json["online"] is True


# ------------------------------------------------------------------ standing

def test_stats_level_and_achievements(stack):
    h = new_helper(stack, profile=profile_body())
    s1, s2 = new_seeker(stack), new_seeker(stack)
    make_session(stack, s1.user_id, h.user_id, helpful=True, kudos=True)
    make_session(stack, s2.user_id, h.user_id, helpful=False)
    make_session(stack, s2.user_id, h.user_id, helpful=True)
    make_session(stack, s1.user_id, h.user_id, ended=False)
    stack.query("SELECT astral_award_achievements(%s, now())", (h.user_id,))
    p = expect(s1.get(f"/api/helpers/{h.user_id}"), 200).json
    assert p["sessions"] == 4 and p["kudos"] == 1 and p["feedback_count"] == 3
    assert abs(p["reputation"] - round(5 * 2 / 3, 2)) < 1e-9
    assert p["xp"] == 20 * 4 + 15 * 1 + 10 * 2 == 115
    assert (p["level"], p["next_level_xp"]) == (2, 200)
    assert sorted(a["id"] for a in p["achievements"]) == ["first_step", "heartfelt_thanks"]
    assert all(a["awarded_at"].endswith(("Z", "+00:00")) for a in p["achievements"])
    assert expect(h.get("/api/helpers/me"), 200).json == p


# ------------------------------------------------------------------ the directory

def test_directory_by_name_pages_in_order(stack):
    tag = uuid.uuid4().hex[:8]
    names = [f"Dir {tag} {c}" for c in "ACBED"]
    helpers = {n: new_helper(stack, display_name=n, profile=profile_body()) for n in names}
    reader = new_seeker(stack)
    items = walk(reader, limit=2)
    mine = [i["display_name"] for i in items if i["display_name"].startswith(f"Dir {tag} ")]
    assert mine == sorted(names), mine
    ours = [i for i in items if i["display_name"].startswith(f"Dir {tag} ")]
    assert {i["id"] for i in ours} == {h.user_id for h in helpers.values()}
    keys = [(i["display_name"], i["id"]) for i in items]
    assert len(keys) >= 5


def test_directory_by_join_date_newest_first(stack, clock):
    tag = uuid.uuid4().hex[:8]
    made = []
    for i in range(3):
        clock.advance(5)
        made.append(new_helper(stack, display_name=f"Join {tag} {i}", profile=profile_body()).user_id)
    reader = new_seeker(stack)
    items = walk(reader, query="sort=joined", limit=1)
    order = [i["id"] for i in items if i["id"] in made]
    assert order == list(reversed(made)), order
    stamps = [(i["joined_at"], i["id"]) for i in items]
    assert stamps == sorted(stamps, reverse=True), "not newest first"


def test_directory_filters(stack):
    tag = uuid.uuid4().hex[:8]
    esteem_on = new_helper(stack, display_name=f"F {tag} 1", profile=profile_body(expertise=["Self-Esteem"]),
                           online=True)
    esteem_off = new_helper(stack, display_name=f"F {tag} 2",
                            profile=profile_body(expertise=["Family Issues", "Self-Esteem"]))
    other_on = new_helper(stack, display_name=f"F {tag} 3", profile=profile_body(expertise=["Depression"]),
                          online=True)
    reader = new_seeker(stack)
    ids = lambda q: {i["id"] for i in walk(reader, query=q)}  # noqa: E731
    esteem = ids("expertise=Self-Esteem")
    assert esteem_on.user_id in esteem and esteem_off.user_id in esteem and other_on.user_id not in esteem
    on = ids("online=true")
    assert esteem_on.user_id in on and other_on.user_id in on and esteem_off.user_id not in on
    assert all(i["online"] for i in walk(reader, query="online=true"))
    off = ids("online=false")
    assert esteem_off.user_id in off and esteem_on.user_id not in off
    both = ids("expertise=Self-Esteem&online=1&sort=joined")
    assert esteem_on.user_id in both and esteem_off.user_id not in both and other_on.user_id not in both
    family = ids("expertise=" + quote("Family Issues"))
    assert esteem_off.user_id in family and esteem_on.user_id not in family
    new_helper(stack, display_name=f"F {tag} 4", profile=profile_body(expertise=["Anxiety & Stress"]))
    anx = walk(reader, query="expertise=" + quote("Anxiety & Stress", safe=""))
    assert anx and all("Anxiety & Stress" in i["expertise"] for i in anx)


def test_directory_default_page(stack):
    for i in range(3):
        new_helper(stack, profile=profile_body())
    reader = new_seeker(stack)
    page = expect(reader.get("/api/helpers"), 200).json
    assert 3 <= len(page["items"]) <= 20
    page = expect(reader.get("/api/helpers?limit=2"), 200).json
    assert len(page["items"]) == 2 and page["next"]


def test_directory_cursor_of_another_sort_400(stack):
    for i in range(3):
        new_helper(stack, profile=profile_body())
    reader = new_seeker(stack)
    by_name = expect(reader.get("/api/helpers?limit=1"), 200).json["next"]
    by_join = expect(reader.get("/api/helpers?limit=1&sort=joined"), 200).json["next"]
    expect(reader.get(f"/api/helpers?sort=joined&cursor={by_name}"), 400, "invalid_field", "cursor")
    expect(reader.get(f"/api/helpers?cursor={by_join}"), 400, "invalid_field", "cursor")
    expect(reader.get(f"/api/helpers?cursor={by_name}"), 200)
    expect(reader.get(f"/api/helpers?sort=joined&cursor={by_join}"), 200)


# ------------------------------------------------------------------ favourites

def test_favorites_list_only_my_favourite_sessions_helpers(stack):
    fav1 = new_helper(stack, profile=profile_body(bio="fav one"))
    fav2 = new_helper(stack, profile=profile_body(bio="fav two"))
    not_fav = new_helper(stack, profile=profile_body())
    b_fav = new_helper(stack, profile=profile_body())
    a, b = new_seeker(stack), new_seeker(stack)
    expect(a.get("/api/helpers/favorites"), 200)
    assert a.get("/api/helpers/favorites").json == {"items": []}
    make_session(stack, a.user_id, fav1.user_id, favorite=True, started_offset=-300)
    make_session(stack, a.user_id, fav1.user_id, favorite=True, started_offset=-200)    # twice: listed once
    make_session(stack, a.user_id, fav2.user_id, favorite=True, started_offset=-100)
    make_session(stack, a.user_id, not_fav.user_id, favorite=False)
    make_session(stack, b.user_id, b_fav.user_id, favorite=True)
    items = expect(a.get("/api/helpers/favorites"), 200).json["items"]
    assert [i["id"] for i in items] == [fav2.user_id, fav1.user_id], "most recent session first, distinct"
    assert items[1]["bio"] == "fav one" and items[1]["sessions"] == 2
    assert [i["id"] for i in expect(b.get("/api/helpers/favorites"), 200).json["items"]] == [b_fav.user_id]


def test_favorites_leave_out_deleted_helpers(stack):
    gone = new_helper(stack, profile=profile_body())
    stays = new_helper(stack, profile=profile_body())
    s = new_seeker(stack)
    make_session(stack, s.user_id, gone.user_id, favorite=True)
    make_session(stack, s.user_id, stays.user_id, favorite=True)
    expect(gone.delete("/api/me", {"confirm": "delete my account"}), 204)
    items = expect(s.get("/api/helpers/favorites"), 200).json["items"]
    assert [i["id"] for i in items] == [stays.user_id]
