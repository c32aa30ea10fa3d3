"""GET /api/resources: crisis lines, emergency numbers and self-help pages from
data/resources.json, public (no sign-in), cacheable, filtered by category, country and words;
every entry names its official source; bad filters are a 400 naming the parameter. The answer
also names the host's crisis region and its crisis lines (test_crisis_region.py tries a GB host)."""

import json
from pathlib import Path
from urllib.parse import quote

import pytest

import bad_input_battery as battery
from astral_client import expect

SRC = Path(__file__).resolve().parents[2]
FILE = json.loads((SRC / "data" / "resources.json").read_text())["resources"]

# Official numbers and the sites that publish them.
OFFICIAL = {
    "us-988-lifeline": ("US", "tel:988", "https://988lifeline.org/"),
    "us-988-text": ("US", "sms:988", "https://988lifeline.org/"),
    "us-crisis-text-line": ("US", "sms:741741?body=HOME", "https://www.crisistextline.org/"),
    "gb-samaritans": ("GB", "tel:116123", "https://www.samaritans.org/"),
    "es-024": ("ES", "tel:024", "https://www.sanidad.gob.es/"),
    "ca-988": ("CA", "tel:988", "https://988.ca/"),
    "au-lifeline": ("AU", "tel:131114", "https://www.lifeline.org.au/"),
    "intl-find-a-helpline": ("INTL", "https://findahelpline.com/", "https://findahelpline.com/"),
}
# Emergency numbers and the government pages that publish them.
EMERGENCY = {
    "us-911": ("US", "tel:911", "https://www.911.gov/"),
    "gb-999": ("GB", "tel:999", "https://www.gov.uk/guidance/999-and-112-the-uks-national-emergency-numbers"),
    "es-112": ("ES", "tel:112", "https://digital-strategy.ec.europa.eu/en/policies/112"),
    "ca-911": ("CA", "tel:911", "https://crtc.gc.ca/eng/phone/911/"),
    "au-000": ("AU", "tel:000", "https://www.triplezero.gov.au/"),
}


def get(stack, query=""):
    return stack.client("bearer").get("/api/resources" + (f"?{query}" if query else ""), auth=False)


def ids(r):
    return [i["id"] for i in r.json["items"]]


def test_public_and_cacheable(stack):
    r = expect(get(stack), 200)
    assert r.headers["Cache-Control"] == "public, max-age=3600"
    assert ids(r) == [e["id"] for e in FILE]
    assert r.json["items"] == [{**{k: e.get(k) for k in ("id", "title", "description", "category", "country",
                                                          "contact", "href", "source")},
                                "emergency": e.get("emergency", False)} for e in FILE]
    assert r.json["region"] == "US" and r.json["crisis_lines"][0]["href"] == "tel:988"
    assert r.json["donation_url"] is None, "this stack sets no site.donation_url"


def test_the_official_crisis_lines_are_there(stack):
    items = {i["id"]: i for i in expect(get(stack, "category=crisis"), 200).json["items"]}
    for rid, (country, href, source) in OFFICIAL.items():
        assert rid in items, rid
        assert items[rid]["country"] == country and items[rid]["href"] == href
        assert items[rid]["source"].startswith(source), items[rid]
        assert items[rid]["emergency"] is False
    for rid, (country, href, source) in EMERGENCY.items():
        assert items[rid]["country"] == country and items[rid]["href"] == href, items[rid]
        assert items[rid]["source"].startswith(source) and items[rid]["emergency"] is True, items[rid]
    assert set(items) == set(OFFICIAL) | set(EMERGENCY)
    assert all(i["category"] == "crisis" for i in items.values())


def test_every_country_with_a_crisis_line_has_its_emergency_number(stack):
    items = expect(get(stack, "category=crisis"), 200).json["items"]
    lines = {i["country"] for i in items if not i["emergency"]} - {"INTL"}
    numbers = {i["country"] for i in items if i["emergency"]}
    assert lines == numbers, (lines, numbers)


def test_every_entry_names_an_official_https_source(stack):
    allowed = ("https://988lifeline.org/", "https://www.crisistextline.org/", "https://www.samaritans.org/",
               "https://www.sanidad.gob.es/", "https://988.ca/", "https://www.lifeline.org.au/",
               "https://findahelpline.com/", "https://www.nimh.nih.gov/", "https://www.nhs.uk/",
               *(source for _, _, source in EMERGENCY.values()))
    for i in expect(get(stack), 200).json["items"]:
        assert i["source"].startswith(allowed), i
        if i["href"] and i["href"].startswith("https://"):
            assert i["href"].startswith(allowed), i
    cats = {i["category"] for i in expect(get(stack), 200).json["items"]}
    assert cats == {"crisis", "anxiety", "depression", "coping", "grief"}


@pytest.mark.parametrize("country,must,must_not", [
    ("ES", {"es-024", "intl-find-a-helpline", "grief-nhs"}, {"us-988-lifeline", "gb-samaritans"}),
    ("US", {"us-988-lifeline", "us-crisis-text-line", "intl-find-a-helpline"}, {"es-024", "ca-988"}),
    ("GB", {"gb-samaritans", "gb-999"}, {"us-988-lifeline", "us-911"}),
    ("FR", {"intl-find-a-helpline"}, {"us-988-lifeline", "es-024"}),
    ("INTL", {"intl-find-a-helpline"}, {"us-988-lifeline"}),
])
def test_country_keeps_its_own_and_the_international_entries(stack, country, must, must_not):
    got = set(ids(expect(get(stack, f"country={country}"), 200)))
    assert must <= got and not (must_not & got), got
    assert all(i["country"] in (country, "INTL") for i in get(stack, f"country={country}").json["items"])


def test_search_title_and_description_without_case(stack):
    assert ids(expect(get(stack, "q=SAMARITANS"), 200)) == ["gb-samaritans"]
    assert "coping-nhs-breathing" in ids(expect(get(stack, "q=breathing"), 200))
    assert set(ids(expect(get(stack, "q=grief"), 200))) >= {"grief-nhs"}
    assert ids(expect(get(stack, "q=" + quote("Línea")), 200)) == ["es-024"]
    assert ids(expect(get(stack, "q=no-such-words-anywhere"), 200)) == []
    assert ids(expect(get(stack, "q=" + quote("' OR 1=1 --")), 200)) == []
    both = ids(expect(get(stack, "category=crisis&country=CA&q=9-8-8"), 200))
    assert both == ["ca-988"]
    assert len(ids(expect(get(stack, "q="), 200))) == len(FILE)          # empty q: no filter


def test_signed_in_callers_get_the_same(stack):
    c = stack.client("bearer")
    c.anonymous()
    r = expect(c.get("/api/resources?category=grief"), 200)
    assert ids(r) == ["grief-nhs"]


@pytest.mark.parametrize("query,field", [
    ("category=Crisis", "category"), ("category=sleep", "category"), ("country=es", "country"),
    ("country=ESP", "country"), ("country=E", "country"), ("country=12", "country"), ("country=" + "X" * 10, "country"),
    ("q=" + "a" * 101, "q"), ("q=%ff", "q"), ("q=a%00b", "q"), ("q=a%0Ab", "q"), ("lang=en", "query"),
    ("category=crisis&category=grief", "category"),
])
def test_bad_filters_are_400_naming_them(stack, query, field):
    r = get(stack, query)
    if r.status == 200 and field == "category" and "&category=" in query:
        return                                   # a repeated parameter takes the first value
    battery.assert_error(r, codes={"invalid_field"}, field=field, statuses={400})
    assert "no-store" in r.headers["Cache-Control"]


def test_only_get(stack):
    r = stack.client("bearer").post("/api/resources", {}, auth=False)
    assert r.status == 405
