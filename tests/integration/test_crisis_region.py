"""The host's crisis region (wellness.crisis_region): a host set to GB answers a crisis post, a
crisis chat message and the emergency button with Samaritans (116 123), then 999, then Find A
Helpline, never the US lines; the default host keeps 988 and 911; /api/resources names the region
and its lines for the UI; a program refuses to start for a region without a crisis line in the
catalogue (lib/resource_catalog.c, lib/program.c)."""

import html
import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import requests

from astral_client import expect
from conftest import FRONT, start_stack, stop_stack
from test_chat_setup import new_session, send
from test_posts_fixtures import seeker

CRISIS_TEXT = "I can't go on, I want to kill myself tonight"
GB_LINES = [("gb-samaritans", "Call 116 123", "tel:116123"), ("gb-999", "Call 999 or 112", "tel:999"),
            ("intl-find-a-helpline", "findahelpline.com", "https://findahelpline.com/")]
US_IDS = ["us-988-lifeline", "us-988-text", "us-crisis-text-line", "us-911", "intl-find-a-helpline"]
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
    assert ("us-988-lifeline", "Call 988", "tel:988") in lines(crisis)
    assert ("us-988-text", "Text 988", "sms:988") in lines(crisis)
    assert ("us-911", "Call 911", "tel:911") in lines(crisis)
    s, h, sid = new_session(stack)
    r = expect(s.post(f"/api/sessions/{sid}/emergency", {}), 201).json
    assert [x["id"] for x in r["crisis"]["resources"]] == US_IDS
    body = expect(stack.client("bearer").get("/api/resources?category=crisis", auth=False), 200).json
    assert body["region"] == "US" and [x["id"] for x in body["crisis_lines"]] == US_IDS


# ------------------------------------------------------------------ start-up refusal

def run_with_region(st, region, command):
    """Run command(conf) (an argv) as the service user, conf a copy of the stack's configuration
    that sets crisis_region."""
    conf = open(st.env["ASTRAL_CONF"]).read() + f"\n[wellness]\ncrisis_region = {region}\n"
    path = os.path.join(os.path.dirname(st.env["ASTRAL_CONF"]), f"region-{region}.conf")
    with open(path, "w") as f:
        f.write(conf)
    os.chmod(path, 0o644)                     # readable by the service user; holds no secret
    argv = command(path)
    if os.geteuid() == 0 and st.env.get("RUN_USER") not in (None, "", "root"):
        argv = ["runuser", "-u", st.env["RUN_USER"], "--"] + argv
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=60)
    finally:
        os.unlink(path)


def check(st, program):
    """The command that checks a configuration: the program's -n, or astralctl config check."""
    build = st.env["ASTRAL_BUILD"]
    if program == "astralctl":
        return lambda conf: [os.path.join(build, "tools", "astralctl"), "-c", conf, "config", "check"]
    return lambda conf: [os.path.join(build, "cgi-bin", f"astral-{program}"), "-n", "-c", conf]


@pytest.mark.parametrize("program", ["posts", "chat", "wellness", "ai", "astralctl"])
def test_startup_refuses_a_region_without_crisis_lines(stack, program):
    r = run_with_region(stack, "FR", check(stack, program))
    assert r.returncode != 0, r.stdout
    assert "wellness.crisis_region" in r.stderr and '"FR"' in r.stderr, r.stderr


def test_startup_accepts_a_covered_region(stack):
    r = run_with_region(stack, "ES", check(stack, "posts"))
    assert r.returncode == 0 and "configuration OK" in r.stdout, r.stderr


def test_startup_refuses_a_malformed_region(stack):
    r = run_with_region(stack, "gb", check(stack, "posts"))
    assert r.returncode != 0 and "crisis_region" in r.stderr and "ISO 3166" in r.stderr, r.stderr


# ------------------------------------------------------------------ the pages without JavaScript

CATALOGUE = json.loads((Path(__file__).resolve().parents[2] / "data" / "resources.json").read_text())["resources"]


@pytest.mark.parametrize("path", ["/", "/crisis.html"])
def test_static_pages_list_every_regions_lines(gb_stack, path):
    """The host's region cannot be known without a script: the static pages list the crisis lines
    and emergency numbers of every country in the catalogue, and Find A Helpline (docs/architecture.md
    §8). Served as files, so a GB host shows the same page."""
    r = requests.get(gb_stack.url + path, timeout=10)
    assert r.status_code == 200
    page = html.unescape(r.text)
    for e in CATALOGUE:
        if e["category"] != "crisis":
            continue
        assert f'href="{e["href"]}"' in page, f"{path} has no link for {e['id']} ({e['href']})"
        if e["contact"]:
            assert e["contact"] in page, f"{path} does not say {e['contact']!r} ({e['id']})"
    assert "local emergency number" in page


# ------------------------------------------------------------------ the UI's own copies

SRC = Path(__file__).resolve().parents[2]


def digits(text):
    return re.sub(r"\D", "", text or "")


def test_spanish_names_every_crisis_line_with_its_numbers():
    """The UI names a line in Spanish from htdocs/i18n/es/common.json (English is the catalogue's
    own text): every crisis line has its entry, with the catalogue's numbers."""
    es = json.loads((SRC / "htdocs" / "i18n" / "es" / "common.json").read_text())["crisisLines"]
    crisis = [e for e in CATALOGUE if e["category"] == "crisis"]
    assert set(es) == {e["id"] for e in crisis}
    for e in crisis:
        assert digits(es[e["id"]]["contact"]) == digits(e["contact"]), (e["id"], es[e["id"]])


def test_ui_fallback_is_the_default_regions_lines():
    """js/api/host-crisis-lines.js stands in with the US lines on a device that never reached the
    server: the same links as the catalogue's US lines, its emergency number and Find A Helpline."""
    js = (SRC / "htdocs" / "js" / "api" / "host-crisis-lines.js").read_text()
    fallback = js[js.index("export const FALLBACK"):js.index("]),", js.index("export const FALLBACK"))]
    want = [e["href"] for e in CATALOGUE if e["category"] == "crisis" and not e.get("emergency") and e["country"] == "US"]
    want += [e["href"] for e in CATALOGUE if e["category"] == "crisis" and e.get("emergency") and e["country"] == "US"]
    want += [e["href"] for e in CATALOGUE if e["category"] == "crisis" and e["country"] == "INTL"]
    assert re.findall(r"href: '([^']+)'", fallback) == want
