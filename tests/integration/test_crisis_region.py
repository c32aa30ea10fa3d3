"""The host's crisis region (wellness.crisis_region): a host set to GB answers a crisis post, a
crisis chat message and the emergency button with Samaritans (116 123), then 999, then Find A
Helpline, never the US lines; the default host keeps 988 and 911; /api/resources names the region
and its lines for the UI; a program refuses to start for a region without a crisis line in the
catalogue (lib/resource_catalog.c, lib/program.c)."""

import os
import subprocess

import pytest

from astral_client import expect
from conftest import FRONT, start_stack, stop_stack
from test_chat_setup import new_session, send
from test_posts_fixtures import seeker

CRISIS_TEXT = "I can't go on, I want to kill myself tonight"
GB_LINES = [("gb-samaritans", "Call 116 123", "tel:116123"), ("gb-999", "Call 999 or 112", "tel:999"),
            ("intl-find-a-helpline", "findahelpline.com", "https://findahelpline.com/")]
US_IDS = ["us-988-lifeline", "us-crisis-text-line", "us-911", "intl-find-a-helpline"]
US_NUMBERS = ("988", "741741", "911")


@pytest.fixture(scope="module")
def gb_stack():
    st = start_stack(["--front", FRONT, "--crisis-region", "GB"], label="gb")
    yield st
    stop_stack(st)


def lines(crisis):
    assert set(crisis) >= {"severity", "categories", "resources"}, crisis
    for r in crisis["resources"]:
        assert set(r) == {"id", "name", "contact", "href"} and all(isinstance(v, str) for v in r.values()), r
    return [(r["id"], r["contact"], r["href"]) for r in crisis["resources"]]


def assert_gb(crisis):
    assert lines(crisis) == GB_LINES
    text = repr(crisis["resources"])
    assert not any(n in text for n in US_NUMBERS), text


def crisis_post(st):
    p = expect(seeker(st).post("/api/posts", {"category": "Depression", "content": CRISIS_TEXT}), 201).json
    assert p["crisis"]["severity"] == "high" and "suicide" in p["crisis"]["categories"]
    return p["crisis"]


def test_gb_crisis_post_lists_samaritans_and_999(gb_stack):
    assert_gb(crisis_post(gb_stack))


def test_gb_crisis_message_lists_samaritans_and_999(gb_stack):
    s, h, sid = new_session(gb_stack)
    m = send(s, sid, "I want to kill myself tonight")
    assert m["crisis"]["severity"] == "high"
    assert_gb(m["crisis"])


def test_gb_emergency_button_lists_samaritans_and_999(gb_stack):
    s, h, sid = new_session(gb_stack)
    r = expect(s.post(f"/api/sessions/{sid}/emergency", {}), 201).json
    assert r["crisis"]["severity"] == "high" and r["crisis"]["categories"] == []
    assert_gb(r["crisis"])


def test_gb_resources_name_the_region_and_its_lines(gb_stack):
    r = expect(gb_stack.client("bearer").get("/api/resources?category=crisis", auth=False), 200)
    assert r.headers["Cache-Control"] == "public, max-age=3600"
    assert r.json["region"] == "GB"
    assert lines({"severity": "", "categories": [], "resources": r.json["crisis_lines"]}) == GB_LINES
    # The catalogue itself still lists every country's lines, emergency numbers marked.
    items = {i["id"]: i for i in r.json["items"]}
    assert items["us-988-lifeline"]["emergency"] is False and items["gb-999"]["emergency"] is True


def test_default_region_keeps_the_us_lines(stack):
    crisis = crisis_post(stack)
    assert [r["id"] for r in crisis["resources"]] == US_IDS
    assert ("us-988-lifeline", "Call or text 988", "tel:988") in lines(crisis)
    assert ("us-911", "Call 911", "tel:911") in lines(crisis)
    s, h, sid = new_session(stack)
    r = expect(s.post(f"/api/sessions/{sid}/emergency", {}), 201).json
    assert [x["id"] for x in r["crisis"]["resources"]] == US_IDS
    body = expect(stack.client("bearer").get("/api/resources?category=crisis", auth=False), 200).json
    assert body["region"] == "US" and [x["id"] for x in body["crisis_lines"]] == US_IDS


# ------------------------------------------------------------------ start-up refusal

def run_program(st, name, conf):
    argv = [os.path.join(st.env["ASTRAL_BUILD"], "cgi-bin", f"astral-{name}"), "-n", "-c", conf]
    if os.geteuid() == 0 and st.env.get("RUN_USER") not in (None, "", "root"):
        argv = ["runuser", "-u", st.env["RUN_USER"], "--"] + argv
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


def conf_with_region(st, region, name):
    conf = open(st.env["ASTRAL_CONF"]).read() + f"\n[wellness]\ncrisis_region = {region}\n"
    path = os.path.join(os.path.dirname(st.env["ASTRAL_CONF"]), name)
    with open(path, "w") as f:
        f.write(conf)
    os.chmod(path, 0o644)                     # readable by the service user; holds no secret
    return path


@pytest.mark.parametrize("program", ["posts", "chat", "wellness", "ai"])
def test_startup_refuses_a_region_without_crisis_lines(stack, program):
    path = conf_with_region(stack, "FR", "region-fr.conf")
    try:
        r = run_program(stack, program, path)
    finally:
        os.unlink(path)
    assert r.returncode != 0, r.stdout
    assert "wellness.crisis_region" in r.stderr and '"FR"' in r.stderr, r.stderr


def test_startup_accepts_a_covered_region(stack):
    path = conf_with_region(stack, "ES", "region-es.conf")
    try:
        r = run_program(stack, "posts", path)
    finally:
        os.unlink(path)
    assert r.returncode == 0 and "configuration OK" in r.stdout, r.stderr


def test_startup_refuses_a_malformed_region(stack):
    path = conf_with_region(stack, "gb", "region-lower.conf")
    try:
        r = run_program(stack, "posts", path)
    finally:
        os.unlink(path)
    assert r.returncode != 0 and "crisis_region" in r.stderr and "ISO 3166" in r.stderr, r.stderr


def test_astralctl_config_check_refuses_an_uncovered_region(stack):
    path = conf_with_region(stack, "FR", "region-ctl.conf")
    try:
        argv = [os.path.join(stack.env["ASTRAL_BUILD"], "tools", "astralctl"), "-c", path, "config", "check"]
        if os.geteuid() == 0 and stack.env.get("RUN_USER") not in (None, "", "root"):
            argv = ["runuser", "-u", stack.env["RUN_USER"], "--"] + argv
        r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    finally:
        os.unlink(path)
    assert r.returncode != 0 and "wellness.crisis_region" in r.stderr and '"FR"' in r.stderr, r.stderr
