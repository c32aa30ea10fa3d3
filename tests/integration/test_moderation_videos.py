"""Pending videos (cgi-bin/moderation with cgi-bin/videos): the queue oldest first, staff playing
a pending video, approval into the feed, rejection with the reason told to the uploader."""

from astral_client import expect
from test_moderation_setup import all_pages, audit_rows, new_admin, new_staff
from test_videos_setup import UPLOAD, mp4_bytes, new_user, upload_ok


def test_pending_queue_play_approve_reject(stack, clock):
    mod = new_staff(stack, clock)
    uploader = new_user(stack)
    data = mp4_bytes(payload=321)
    first = upload_ok(uploader, data, "Breathing with the waves")
    clock.advance(2)
    second = upload_ok(uploader, mp4_bytes(payload=322), "A short walk")
    items, _ = all_pages(mod, "/api/moderation/videos")
    ids = [v["id"] for v in items]
    assert ids.index(first["id"]) < ids.index(second["id"]), "pending videos come oldest first"
    v = next(x for x in items if x["id"] == first["id"])
    assert v["uploader"]["id"] == uploader.user_id and v["description"] == "Breathing with the waves"
    assert v["mime"] == "video/mp4" and v["size"] == len(data)
    # Staff play it where the queue says.
    r = mod.request("GET", v["media_url"], check=False)
    assert r.status == 200 and r.body == data, r
    expect(new_user(stack).request("GET", v["media_url"], check=False), 404)

    assert expect(mod.post(f"/api/moderation/videos/{first['id']}/approve"), 200).json == \
        {"id": first["id"], "status": "approved"}
    feed = [x["id"] for x in expect(new_user(stack).get(UPLOAD + "?limit=50"), 200).json["items"]]
    assert first["id"] in feed
    expect(mod.post(f"/api/moderation/videos/{first['id']}/reject", {"reason": "x"}), 409, "conflict",
           reason="already_decided")

    reason = "The sound is too loud to be calming."
    assert expect(mod.post(f"/api/moderation/videos/{second['id']}/reject", {"reason": reason}), 200).json == \
        {"id": second["id"], "status": "rejected"}
    mine = {x["id"]: x["status"] for x in expect(uploader.get(UPLOAD + "?mine=true"), 200).json["items"]}
    assert mine[first["id"]] == "approved" and mine[second["id"]] == "rejected"
    acts = expect(uploader.get("/api/moderation/history"), 200).json["actions"]
    assert [(a["action"], a["reason"], a["video_id"]) for a in acts] == [("video_rejected", reason, second["id"])]
    assert stack.query("SELECT decision_note, decided_by::text FROM wellness_videos WHERE id = %s",
                       (second["id"],)) == [(reason, mod.id)]
    left = [x["id"] for x in all_pages(mod, "/api/moderation/videos")[0]]
    assert first["id"] not in left and second["id"] not in left
    assert audit_rows(stack, "video_reject", actor_id=mod.id, object_id=second["id"])[0][4] == uploader.user_id


def test_nobody_decides_on_their_own_video(stack, clock):
    mod = new_staff(stack, clock)
    v = upload_ok(mod.c, mp4_bytes(payload=401), "My own upload")
    expect(mod.post(f"/api/moderation/videos/{v['id']}/approve"), 403, "forbidden", "video", reason="own_upload")
    expect(mod.post(f"/api/moderation/videos/{v['id']}/reject", {"reason": "Mine."}), 403, "forbidden", "video")
    assert stack.query("SELECT status, decided_by FROM wellness_videos WHERE id = %s", (v["id"],)) == \
        [("pending", None)]
    assert [r[5:] for r in audit_rows(stack, "video_approve", actor_id=mod.id, object_id=v["id"])] == \
        [("denied", "own_upload")]
    assert [r[5:] for r in audit_rows(stack, "video_reject", actor_id=mod.id, object_id=v["id"])] == \
        [("denied", "own_upload")]
    # Someone else reviews it.
    expect(new_staff(stack, clock).post(f"/api/moderation/videos/{v['id']}/approve"), 200)


def test_a_rejection_marks_only_those_who_may_be_sanctioned(stack, clock):
    """A video_rejected action is a mark on the person's standing: never on an admin, on a
    moderator only from an admin, as with warnings and bans. The rejection itself is made."""
    mod, other_mod, adm = new_staff(stack, clock), new_staff(stack, clock), new_admin(stack, clock)
    cases = [(mod, adm, 0), (mod, other_mod, 0), (adm, other_mod, 1)]
    for decider, uploader, marks in cases:
        v = upload_ok(uploader.c, mp4_bytes(payload=410 + marks), "A staff upload")
        expect(decider.post(f"/api/moderation/videos/{v['id']}/reject", {"reason": "Too loud."}), 200)
        assert stack.query("SELECT status, decision_note FROM wellness_videos WHERE id = %s", (v["id"],)) == \
            [("rejected", "Too loud.")]
        assert stack.query("SELECT count(*) FROM moderation_actions WHERE video_id = %s", (v["id"],)) == \
            [(marks,)], (decider.role, uploader.role)
