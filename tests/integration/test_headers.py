"""Response headers of the API and the static UI; the landing page; no third-party URLs."""

import json
import re
from pathlib import Path

import pytest
import requests

from astral_client import strong_password, unique

STATIC_PAGES = ["/", "/index.html", "/crisis.html", "/exit.html", "/signin", "/start", "/settings"]


def api_requests(stack):
    """A spread of API answers: successes, client errors and nginx's own errors."""
    c = stack.client("bearer")
    out = [c.post("/api/auth/anonymous", {})]
    out += [c.get("/api/auth/session"), c.get("/api/me/preferences"), c.get("/api/me/export"),
            c.put("/api/me/preferences", {"theme": "dark"}), c.get("/api/me/access-log"),
            c.delete(f"/api/me/blocks/00000000-0000-4000-8000-000000000000"),     # 404
            c.put("/api/me/preferences", {"theme": 1}),                           # 400
            c.request("PUT", "/api/me/preferences", data=b"{"),                   # 400 invalid_json
            c.request("PUT", "/api/me/preferences", data=b"{}", content_type="text/plain"),  # 415
            c.request("PUT", "/api/me/preferences", data=b"x" * 70000),           # 413 (nginx)
            c.request("GET", "/api/auth/login"),                                  # 405
            c.request("GET", "/api/auth/nope"),                                   # 404 (program)
            c.request("GET", "/api/nope"),                                        # 404 (nginx)
            c.post("/api/auth/logout")]                                           # 204
    anon = stack.client()
    out += [anon.get("/api/auth/session"),                                        # 401
            anon.post("/api/auth/login", {"username": unique("hd"), "password": strong_password()})]
    return out


def test_every_api_response_has_request_id_no_store_json(stack):
    problems = []
    ids = set()
    for r in api_requests(stack):
        where = f"{r.method} {r.path} → {r.status}"
        rid = r.headers.get("X-Request-Id")
        if not rid:
            problems.append(f"{where}: no X-Request-Id")
        else:
            ids.add(rid)
        if "no-store" not in r.headers.get("Cache-Control", ""):
            problems.append(f"{where}: Cache-Control {r.headers.get('Cache-Control')!r}")
        if r.status != 204:
            ct = r.headers.get("Content-Type", "")
            if not re.match(r"application/json\s*;\s*charset=utf-8", ct, re.I):
                problems.append(f"{where}: Content-Type {ct!r}")
        elif r.body:
            problems.append(f"{where}: 204 with a body")
        if r.headers.get("X-Content-Type-Options", "").lower() != "nosniff":
            problems.append(f"{where}: no X-Content-Type-Options nosniff")
    assert not problems, "\n".join(problems)
    assert len(ids) >= 10, "request ids must differ per request"


def test_server_header_has_no_version(stack):
    r = requests.get(stack.url + "/", timeout=10)
    assert not re.search(r"\d", r.headers.get("Server", "")), r.headers.get("Server")
    r = stack.client().get("/api/auth/session")
    assert not re.search(r"\d", r.raw.headers.get("Server", "")), r.raw.headers.get("Server")
    assert "X-Powered-By" not in r.headers


def csp_directives(value):
    out = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = words[1:]
    return out


@pytest.mark.parametrize("page", STATIC_PAGES)
def test_static_pages_security_headers(stack, page):
    r = requests.get(stack.url + page, timeout=10, allow_redirects=False)
    assert r.status_code == 200, f"{page}: {r.status_code}"
    csp = r.headers.get("Content-Security-Policy")
    assert csp, f"{page}: no CSP"
    d = csp_directives(csp)
    assert d.get("default-src") == ["'self'"], csp
    script = d.get("script-src", d.get("default-src"))
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, csp
    assert all(s == "'self'" or s.startswith("'nonce-") or s.startswith("'sha") for s in script), csp
    assert d.get("frame-ancestors") == ["'none'"], csp
    assert d.get("object-src") == ["'none'"], csp
    # blob: for media only (the upload form's preview of the chosen video): docs/ui.md.
    assert d.get("media-src") == ["'self'", "blob:"], csp
    assert [name for name, sources in d.items() if "blob:" in sources] == ["media-src"], csp
    assert r.headers.get("X-Content-Type-Options") == "nosniff"
    assert r.headers.get("Referrer-Policy") == "no-referrer"
    if stack.url.startswith("https://"):
        assert "max-age=" in r.headers.get("Strict-Transport-Security", "")
    assert r.headers.get("Content-Type", "").startswith("text/html")


def strip_scripts(html):
    html = re.sub(r"(?is)<script\b.*?</script>", " ", html)
    html = re.sub(r"(?is)<style\b.*?</style>", " ", html)
    return html


def test_landing_page_crisis_resources_without_js(stack):
    r = requests.get(stack.url + "/", timeout=10)
    assert r.status_code == 200
    html = strip_scripts(r.text)
    text = re.sub(r"(?s)<[^>]+>", " ", html)
    assert "988" in text, "988 (call/text) missing from the landing page without scripts"
    assert "741741" in text, "Crisis Text Line 741741 missing from the landing page without scripts"
    # reachable with one tap without JavaScript: real links, not script handlers
    assert re.search(r'href="(tel:|sms:)?[^"]*988', html) or re.search(r'href="[^"]*crisis', html), \
        "no plain link to crisis resources"
    # no inline scripts (the CSP forbids them anyway)
    for m in re.finditer(r"(?is)<script\b([^>]*)>(.*?)</script>", r.text):
        assert "src=" in m.group(1) and not m.group(2).strip(), f"inline script: {m.group(0)[:120]}"
    assert not re.search(r"(?i)\son[a-z]+\s*=", r.text), "inline event handler attribute"


def test_crisis_resources_not_rate_limited_path(stack):
    r = requests.get(stack.url + "/crisis.html", timeout=10)
    assert r.status_code == 200
    assert "988" in r.text and "741741" in r.text and "116 123" in r.text


URL_RE = re.compile(rb"""(?i)(?:https?:)?//([a-z0-9.-]+\.[a-z]{2,}|[0-9]{1,3}(?:\.[0-9]{1,3}){3}|\[[0-9a-f:]+\])""")
# Comments in scripts and styles (a vendored library's credits, say) are never fetched; strings are.
JS_COMMENT_RE = re.compile(rb"""/\*.*?\*/|(?<![:"'\\])//[^\n]*""", re.S)
# XML namespace names are identifiers, not requests: in markup (xmlns="…") and as the SVG
# namespace string scripts pass to document.createElementNS.
NAMESPACE_RE = re.compile(rb"""xmlns(?::\w+)?\s*=\s*["']http://www\.w3\.org/[^"']*["']"""
                          rb"""|(?<=[=(,\s])["']http://www\.w3\.org/2000/svg["']""")


def crisis_links(src):
    """The https links of the vetted crisis lines (data/resources.json: Find A Helpline): a person in
    crisis taps them to leave for that site; the page never requests them."""
    entries = json.loads((Path(src) / "data" / "resources.json").read_text())["resources"]
    return [e["href"].encode() for e in entries
            if e["category"] == "crisis" and (e.get("href") or "").startswith("https://")]


def test_htdocs_has_no_third_party_urls(stack):
    root = Path(stack.src) / "htdocs"
    files = [p for p in root.rglob("*") if p.is_file()]
    links = crisis_links(stack.src)
    assert links, "no https crisis link in data/resources.json"
    assert any(p.name == "index.html" for p in files), f"{root} has no index.html"
    hits = []
    for p in files:
        if p.name in ("LICENSE", "LICENCE", "COPYING"):
            continue                          # licence texts are shipped, never requested
        data = NAMESPACE_RE.sub(b"", p.read_bytes())
        for link in links:
            data = data.replace(b'href="' + link + b'"', b'href=""').replace(b"href: '" + link + b"'", b"href: ''")
        if p.suffix in (".js", ".mjs", ".css"):
            data = JS_COMMENT_RE.sub(lambda m: b"\n" * m.group(0).count(b"\n"), data)
        for m in URL_RE.finditer(data):
            line = data[:m.start()].count(b"\n") + 1
            hits.append(f"{p.relative_to(root)}:{line}: {m.group(0).decode(errors='replace')}")
    assert not hits, "URLs to other hosts in htdocs:\n" + "\n".join(hits)


@pytest.mark.nginx_only("Apache refuses a NUL in the path itself with its 404, before any of its configuration "
                        "applies (docs/operations.md)")
@pytest.mark.parametrize("path", ["/api/me%00", "/api/posts/%00", "/api/helpers/me%00x", "/%00"])
def test_undecodable_uri_is_a_json_400(stack, path):
    """nginx cannot decode a NUL in the URI; the answer is still the API's JSON 400, never a 500."""
    import socket
    from urllib.parse import urlsplit
    u = urlsplit(stack.url)
    with socket.create_connection((u.hostname, u.port), timeout=10) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {u.hostname}\r\nConnection: close\r\n\r\n".encode())
        raw = b""
        while chunk := s.recv(65536):
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400"), head[:200]
    assert b'"code":"bad_request"' in body, body[:300]


@pytest.mark.nginx_only("/_astral/ is nginx's internal error location; Apache has none (the path is a UI route)")
def test_internal_error_location_is_not_reachable(stack):
    r = requests.get(stack.url + "/_astral/bad-request", timeout=10)
    assert r.status_code == 404
