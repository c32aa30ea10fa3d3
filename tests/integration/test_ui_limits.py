"""The web UI's length and number limits are the API's: a form that lets a person type more than the
server takes refuses their words only after they send them (a helper's bio once allowed 1000
characters against the server's 500). Every `const X_MAX = N` of htdocs/js is named here with the
limit it mirrors, in docs/openapi.yaml or in the C sources for a document openapi does not detail;
a new constant with no entry fails, so it cannot drift unseen."""

import functools
import re

import yaml

from conftest import SRC

# (file under htdocs/js, constant) -> ("openapi", schema, property, keyword) or ("c", header, macro)
MIRRORS = {
    ("api/peer.js", "POST_MAX"): ("openapi", "PostCreateRequest", "content", "maxLength"),
    ("api/peer.js", "MESSAGE_MAX"): ("openapi", "MessageSendRequest", "text", "maxLength"),
    ("api/peer.js", "REFLECTION_MAX"): ("openapi", "ReflectionCreateRequest", "content", "maxLength"),
    ("api/peer.js", "REPORT_NOTE_MAX"): ("openapi", "PostReportRequest", "note", "maxLength"),
    ("api/peer.js", "BIO_MAX"): ("openapi", "HelperProfileCreate", "bio", "maxLength"),
    ("views/account.js", "DISPLAY_NAME_MAX"): ("openapi", "DisplayNameRequest", "display_name", "maxLength"),
    ("api/helpers-program.js", "MOTIVATION_MAX"): ("openapi", "HelperApplicationRequest", "motivation", "maxLength"),
    ("api/helpers-program.js", "THREAD_TITLE_MAX"): ("openapi", "CommunityThreadCreateRequest", "title", "maxLength"),
    ("api/helpers-program.js", "COMMUNITY_POST_MAX"): ("openapi", "CommunityReplyRequest", "content", "maxLength"),
    ("api/helpers-program.js", "PROPOSAL_DESCRIPTION_MAX"):
        ("openapi", "CommunityProposalCreateRequest", "description", "maxLength"),
    ("api/helpers-program.js", "PROPOSAL_DAYS_MAX"): ("openapi", "CommunityProposalCreateRequest", "days", "maximum"),
    ("api/moderation.js", "REASON_MAX"): ("openapi", "ModerationReasonRequest", "reason", "maxLength"),
    ("api/moderation.js", "NOTE_MAX"): ("openapi", "ApplicationDecisionRequest", "notes", "maxLength"),
    ("api/moderation.js", "BAN_HOURS_MAX"): ("openapi", "BanRequest", "hours", "maximum"),
    ("api/moderation.js", "GRANT_MINUTES_MAX"): ("openapi", "GrantRequest", "minutes", "maximum"),
    ("api/ai.js", "AI_MESSAGE_MAX"): ("openapi", "AIChatRequest", "message", "maxLength"),
    ("api/wellness.js", "NOTE_MAX"): ("openapi", "MoodCheckinRequest", "note", "maxLength"),
    ("api/wellness.js", "JOURNAL_MAX"): ("openapi", "JournalWriteRequest", "text", "maxLength"),
    ("api/wellness.js", "HABIT_NAME_MAX"): ("openapi", "HabitTrackRequest", "name", "maxLength"),
    ("api/wellness.js", "VIDEO_DESCRIPTION_MAX"): ("openapi", "VideoUploadRequest", "description", "maxLength"),
    ("api/wellness.js", "PLAN_ROWS_MAX"): ("c", "cgi-bin/wellness/safety_plan_doc.h", "CARE_PLAN_LIST_MAX"),
    ("api/wellness.js", "PLAN_TEXT_MAX"): ("c", "cgi-bin/wellness/safety_plan_doc.h", "CARE_PLAN_TEXT_MAX"),
    ("api/wellness.js", "PHONE_MAX"): ("c", "cgi-bin/wellness/safety_plan_doc.h", "CARE_PLAN_PHONE_MAX"),
    ("api/wellness.js", "RESOURCE_QUERY_MAX"): ("c", "lib/resource_catalog.h", "ASTRAL_RESOURCE_QUERY_MAX"),
}

CONSTANT = re.compile(r"^(?:export )?const ([A-Z][A-Z0-9_]*_MAX) = ([0-9_]+);", re.M)


def ui_constants():
    found = {}
    for path in sorted((SRC / "htdocs" / "js").rglob("*.js")):
        for name, value in CONSTANT.findall(path.read_text()):
            found[(str(path.relative_to(SRC / "htdocs" / "js")), name)] = int(value.replace("_", ""))
    return found


@functools.lru_cache(maxsize=1)
def openapi_schemas():
    return yaml.safe_load((SRC / "docs" / "openapi.yaml").read_text())["components"]["schemas"]


def server_limit(where):
    if where[0] == "openapi":
        _, schema, prop, keyword = where
        return openapi_schemas()[schema]["properties"][prop][keyword]
    _, header, macro = where
    m = re.search(r"^#define %s\s+\(?([0-9]+)" % re.escape(macro), (SRC / header).read_text(), re.M)
    assert m, f"{header} defines no {macro}"
    return int(m.group(1))


def test_every_ui_limit_is_named_with_what_it_mirrors():
    found = ui_constants()
    assert not set(found) - set(MIRRORS), f"name what these mirror in MIRRORS: {sorted(set(found) - set(MIRRORS))}"
    assert not set(MIRRORS) - set(found), f"gone from htdocs/js: {sorted(set(MIRRORS) - set(found))}"


def test_every_ui_limit_is_the_servers():
    found = ui_constants()
    wrong = {f"{f}:{name}": (value, server_limit(MIRRORS[(f, name)])) for (f, name), value in found.items()
             if (f, name) in MIRRORS and value != server_limit(MIRRORS[(f, name)])}
    assert not wrong, f"the page's limit against the server's: {wrong}"
