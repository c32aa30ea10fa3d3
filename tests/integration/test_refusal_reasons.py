"""A refusal the web UI shows is worded in the page's language: staff and helper programmes answer a
403 or 409 through astral_respond_refusal with a `reason`, and every reason a program can send has
a sentence in every catalogue of the UI (htdocs/i18n/<lang>/account.json, apiErrors.reasons), and
no catalogue keeps a sentence for a reason nothing sends. Found from the sources, so a new refusal
cannot reach a Spanish page in English. The answers themselves are checked where each refusal is
tested (`expect(..., reason=...)`); the browser test "a refusal is worded in the page's language"
shows one on a Spanish page."""

import json
import re

import yaml

from conftest import SRC

# Programs whose refusals the UI shows as they are (htdocs/js/api/client.js refusalText).
REFUSING = ("moderation", "helpers")
# How each call names its reason: (function, index of the reason argument).
REASON_ARGUMENT = {"astral_respond_refusal": 2, "moderation_refuse_conflict": 5}
# cgi-bin/moderation/roles.c words its refusals through a local refuse(req, status, reason, ...).
LOCAL_REFUSE = {"cgi-bin/moderation/roles.c": ("refuse", 2)}
# The wrappers pass their own parameter on: their callers are scanned instead.
WRAPPERS = {("cgi-bin/moderation/respond.c", "code"), ("cgi-bin/moderation/roles.c", "code")}
LANGUAGES = ("en", "es")


def strip_comments(text):
    return re.sub(r"/\*.*?\*/", " ", text, flags=re.S)


def call_arguments(text, name):
    """The argument lists of every call of name(...) in text, each split at its top-level commas."""
    for m in re.finditer(r"\b%s\s*\(" % re.escape(name), text):
        depth, args, start, i = 1, [], m.end(), m.end()
        in_string = False
        while depth > 0:
            c = text[i]
            if in_string:
                if c == "\\":
                    i += 1
                elif c == '"':
                    in_string = False
            elif c == '"':
                in_string = True
            elif c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth == 0:
                    args.append(text[start:i])
            elif c == "," and depth == 1:
                args.append(text[start:i])
                start = i + 1
            i += 1
        yield [a.strip() for a in args]


def sources():
    for program in ("ai", "auth", "chat", "helpers", "moderation", "posts", "videos", "wellness"):
        for path in sorted((SRC / "cgi-bin" / program).glob("*.c")):
            yield path, strip_comments(path.read_text())


def reasons_sent():
    """{reason: [where]} for every refusal in the programs' sources."""
    found = {}
    for path, text in sources():
        rel = str(path.relative_to(SRC))
        calls = dict(REASON_ARGUMENT)
        if rel in LOCAL_REFUSE:
            calls[LOCAL_REFUSE[rel][0]] = LOCAL_REFUSE[rel][1]
        for name, index in calls.items():
            for args in call_arguments(text, name):
                if len(args) <= index or args[0] != "req":
                    continue            # the definition, or a declaration
                if (rel, args[index]) in WRAPPERS:
                    continue
                literals = re.findall(r'"([^"\\]*)"', args[index])
                assert literals, f"{rel}: {name}(...) names its reason with no literal: {args[index]!r}"
                for reason in literals:
                    assert re.fullmatch(r"[a-z_]{1,40}", reason), f"{rel}: reason {reason!r} is not [a-z_]"
                    found.setdefault(reason, []).append(rel)
    return found


def catalogue_reasons(lang):
    data = json.loads((SRC / "htdocs" / "i18n" / lang / "account.json").read_text())
    return data["apiErrors"]["reasons"]


def test_staff_and_helper_programmes_refuse_with_a_reason():
    """No 403 or 409 of theirs goes out without one (astral_respond_err's general 403/409 aside)."""
    plain = re.compile(r"astral_respond_(?:error|field_error|fields)\s*\(\s*req\s*,\s*(?:403|409)\b")
    found = []
    for program in REFUSING:
        for path in sorted((SRC / "cgi-bin" / program).glob("*.c")):
            text = strip_comments(path.read_text())
            found += [f"{path.relative_to(SRC)}:{text.count(chr(10), 0, m.start()) + 1}" for m in plain.finditer(text)]
    assert not found, f"a refusal without a reason (use astral_respond_refusal): {found}"


def test_every_reason_is_worded_in_every_language():
    sent = reasons_sent()
    assert {"already_decided", "own_role", "already_voted"} <= set(sent), sorted(sent)
    for lang in LANGUAGES:
        worded = catalogue_reasons(lang)
        missing = sorted(set(sent) - set(worded))
        unused = sorted(set(worded) - set(sent))
        assert not missing, f"{lang}: no sentence for {missing} (sent by {[sent[r] for r in missing]})"
        assert not unused, f"{lang}: sentences for reasons nothing sends: {unused}"
        empty = sorted(r for r, v in worded.items() if not isinstance(v, str) or not v.strip())
        assert not empty, f"{lang}: empty sentences for {empty}"


def test_the_api_description_lists_every_reason():
    spec = yaml.safe_load((SRC / "docs" / "openapi.yaml").read_text())
    listed = spec["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["reason"]["enum"]
    assert sorted(listed) == sorted(reasons_sent())


def test_the_reason_finder_sees_every_form(tmp_path):
    """The source scan itself: a literal, a ternary of two and roles.c's local refuse()."""
    text = strip_comments('astral_respond_refusal(req, 409, own ? "a_b" : "c", "Msg, with (comma).", NULL, NULL);'
                          ' /* astral_respond_refusal(req, 409, "in_comment", "x", NULL, NULL); */'
                          ' moderation_refuse_conflict(req, "act", "obj", id, f(x, y), "d_e", "M.");')
    refusals = list(call_arguments(text, "astral_respond_refusal"))
    assert refusals == [["req", "409", 'own ? "a_b" : "c"', '"Msg, with (comma)."', "NULL", "NULL"]]
    conflict = list(call_arguments(text, "moderation_refuse_conflict"))
    assert conflict[0][5] == '"d_e"'
