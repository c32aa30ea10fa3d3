"""Test client for the Astral API and the OpenAPI contract checker.

`Client` wraps requests.Session. It keeps the `__Host-` cookies itself (requests' cookie jar
would refuse to send Secure cookies over the plain-HTTP test stack, so the jar is disabled and
the Cookie header is built by hand), remembers the session's csrf_token and sends it on unsafe
methods. `Client(..., mode="bearer")` asks for the tokens in the body
(`X-Astral-Token-Delivery: body`) and authenticates with `Authorization: Bearer`.

Every response is checked against docs/openapi.yaml: the status must be documented for the
operation, and a JSON body must match the documented schema. A violation raises
ContractViolation at once, naming the request, the status and the body.
"""

import base64
import hashlib
import hmac
import http.cookiejar
import json
import re
import struct
import time
import uuid
from pathlib import Path

import jsonschema
import requests
import yaml

UNSAFE_METHODS = {"POST", "PUT", "DELETE", "PATCH"}
ACCESS_COOKIE = "__Host-astral_at"
REFRESH_COOKIE = "__Host-astral_rt"
_MISSING = object()


class ContractViolation(AssertionError):
    """A response that docs/openapi.yaml does not allow."""


def unique(prefix="u"):
    """A username that no other test uses: prefix + 12 hex digits (3–32 of [a-z0-9_.-])."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def strong_password():
    return "pw-" + uuid.uuid4().hex + "-Zq!"


# ---------------------------------------------------------------- contract

class Contract:
    """Operations and schemas of docs/openapi.yaml."""

    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            self.doc = yaml.safe_load(f)
        self.components = self.doc["components"]
        self._routes = []
        for template, item in self.doc["paths"].items():
            regex = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
            self._routes.append((re.compile(regex), template, item))
        self._validators = {}

    def route(self, path):
        """(template, path item) for a concrete path, or (None, None)."""
        path = path.split("?", 1)[0]
        for regex, template, item in self._routes:
            if regex.match(path):
                return template, item
        return None, None

    def validator(self, pointer):
        """A Draft 2020-12 validator for a JSON pointer inside components, e.g.
        'schemas/Error' or 'responses/BadRequest/content/application~1json/schema'."""
        v = self._validators.get(pointer)
        if v is None:
            schema = {"$ref": "#/components/" + pointer, "components": self.components}
            v = jsonschema.Draft202012Validator(schema)
            self._validators[pointer] = v
        return v

    def schema_errors(self, pointer, body):
        return sorted(self.validator(pointer).iter_errors(body), key=lambda e: list(e.path))

    def _resolve_response(self, response):
        ref = response.get("$ref")
        if ref:
            name = ref.rsplit("/", 1)[1]
            return "responses/" + name, self.components["responses"][name]
        return None, response

    def expected(self, method, path, status):
        """(schema pointer or inline schema, response object) the contract allows, or raise."""
        template, item = self.route(path)
        m = method.lower()
        if template is None:
            if status == 404:
                return "schemas/ErrorNotFound", None
            if status in (413, 429, 500, 502, 503, 504):
                return "schemas/Error", None
            raise ContractViolation(f"{method} {path}: status {status} on a path not in the contract")
        if m not in item:
            if status == 405:
                return "responses/MethodNotAllowed", self.components["responses"]["MethodNotAllowed"]
            if status in (413, 429, 500, 503):
                return "schemas/Error", None
            raise ContractViolation(f"{method} {path}: method not in the contract, expected 405, got {status}")
        responses = item[m]["responses"]
        key = str(status)
        if key not in responses:
            if status in (502, 504):   # nginx: program not reachable
                return "responses/ServiceUnavailable", self.components["responses"]["ServiceUnavailable"]
            raise ContractViolation(
                f"{method} {path} ({template}): status {status} is not documented "
                f"(documented: {', '.join(sorted(responses))})")
        ptr, resp = self._resolve_response(responses[key])
        return ptr, resp

    def check(self, method, path, status, headers, body_bytes):
        """Raise ContractViolation when the response breaks the contract."""
        ptr, resp = self.expected(method, path, status)
        content = None if resp is None else resp.get("content")
        if resp is not None and not content:
            if body_bytes.strip():
                raise ContractViolation(
                    f"{method} {path}: status {status} must have no body, got {body_bytes[:300]!r}")
            return
        ctype = headers.get("Content-Type", "")
        if not ctype.lower().startswith("application/json"):
            raise ContractViolation(
                f"{method} {path}: status {status} Content-Type {ctype!r} is not JSON; "
                f"body {body_bytes[:300]!r}")
        try:
            body = json.loads(body_bytes.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ContractViolation(f"{method} {path}: status {status} body is not JSON ({e}): "
                                    f"{body_bytes[:300]!r}") from None
        if resp is not None and ptr and ptr.startswith("responses/"):
            pointer = ptr + "/content/application~1json/schema"
        elif resp is not None:
            # inline response: point at it through the path item
            template, _ = self.route(path)
            esc = template.replace("~", "~0").replace("/", "~1")
            schema = {"$ref": f"#/paths/{esc}/{method.lower()}/responses/{status}/content/"
                              f"application~1json/schema",
                      "paths": self.doc["paths"], "components": self.components}
            errors = list(jsonschema.Draft202012Validator(schema).iter_errors(body))
            if errors:
                raise ContractViolation(self._describe(method, path, status, body, errors))
            return
        else:
            pointer = ptr
        errors = self.schema_errors(pointer, body)
        if errors:
            raise ContractViolation(self._describe(method, path, status, body, errors))

    @staticmethod
    def _describe(method, path, status, body, errors):
        lines = [f"{method} {path}: status {status} body does not match the contract:"]
        for e in errors[:8]:
            where = "/".join(str(p) for p in e.absolute_path) or "(root)"
            lines.append(f"  at {where}: {e.message[:300]}")
        lines.append("  body: " + json.dumps(body)[:1500])
        return "\n".join(lines)


_CONTRACT = None


def contract(src=None):
    global _CONTRACT
    if _CONTRACT is None:
        root = Path(src) if src else Path(__file__).resolve().parents[2]
        _CONTRACT = Contract(root / "docs" / "openapi.yaml")
    return _CONTRACT


# ---------------------------------------------------------------- cookies

class _RefuseAllCookies(http.cookiejar.DefaultCookiePolicy):
    def set_ok(self, cookie, request):
        return False

    def return_ok(self, cookie, request):
        return False


class SetCookie:
    """One parsed Set-Cookie line."""

    def __init__(self, line):
        self.line = line
        parts = [p.strip() for p in line.split(";")]
        name, _, value = parts[0].partition("=")
        self.name = name.strip()
        self.value = value.strip()
        self.attrs = {}
        for p in parts[1:]:
            if not p:
                continue
            k, eq, v = p.partition("=")
            self.attrs[k.strip().lower()] = v.strip() if eq else True

    @property
    def max_age(self):
        v = self.attrs.get("max-age")
        try:
            return int(v) if v is not None else None
        except (TypeError, ValueError):
            return None

    @property
    def clears(self):
        """True when this line deletes the cookie."""
        if self.value == "":
            return True
        if self.max_age is not None and self.max_age <= 0:
            return True
        exp = self.attrs.get("expires")
        if isinstance(exp, str):
            try:
                from email.utils import parsedate_to_datetime
                return parsedate_to_datetime(exp).timestamp() < time.time()
            except (TypeError, ValueError):
                return False
        return False

    def __repr__(self):
        return f"SetCookie({self.line!r})"


def set_cookie_lines(resp):
    """Every Set-Cookie header line of a requests.Response, unmerged."""
    raw = getattr(resp.raw, "headers", None)
    if raw is not None and hasattr(raw, "getlist"):
        return list(raw.getlist("Set-Cookie"))
    v = resp.headers.get("Set-Cookie")
    return [v] if v else []


# ---------------------------------------------------------------- responses

class Response:
    """A checked response: status, headers, body (bytes), json (or None), set_cookies."""

    def __init__(self, method, path, resp, elapsed):
        self.method = method
        self.path = path
        self.raw = resp
        self.status = resp.status_code
        self.headers = resp.headers
        self.body = resp.content
        self.elapsed = elapsed
        self.set_cookies = [SetCookie(l) for l in set_cookie_lines(resp)]
        try:
            self.json = json.loads(self.body.decode("utf-8")) if self.body.strip() else None
        except (UnicodeDecodeError, json.JSONDecodeError):
            self.json = None

    def cookie(self, name):
        for c in self.set_cookies:
            if c.name == name:
                return c
        return None

    @property
    def error_code(self):
        try:
            return self.json["error"]["code"]
        except (TypeError, KeyError):
            return None

    @property
    def error_fields(self):
        try:
            return self.json["error"].get("fields") or {}
        except (TypeError, KeyError, AttributeError):
            return {}

    def __repr__(self):
        return (f"<{self.method} {self.path} → {self.status} "
                f"{self.body[:400].decode('utf-8', 'replace')!r}>")


def expect(r, status, code=None, field=None, reason=None):
    """Assert status (and error code / field / reason); the message shows the whole response."""
    assert r.status == status, f"expected {status}, got {r!r}"
    if code is not None:
        assert r.error_code == code, f"expected error code {code!r}, got {r!r}"
    if reason is not None:
        got = r.json["error"].get("reason") if isinstance(r.json, dict) and isinstance(r.json.get("error"), dict) else None
        assert got == reason, f"expected error reason {reason!r}, got {r!r}"
    if field is not None:
        assert field in r.error_fields, f"expected error.fields to name {field!r}, got {r!r}"
    return r


# ---------------------------------------------------------------- client

class Client:
    """One browser (mode="cookie") or one API client (mode="bearer")."""

    def __init__(self, base_url, mode="cookie", origin=None, check_contract=True, src=None):
        assert mode in ("cookie", "bearer")
        self.base = base_url.rstrip("/")
        self.mode = mode
        self.origin = origin          # sent as Origin on every request when set
        self.check_contract = check_contract
        self.contract = contract(src)
        self.http = requests.Session()
        self.http.cookies.set_policy(_RefuseAllCookies())
        self.http.trust_env = False
        self.cookies = {}             # name -> value
        self.cookie_lines = {}        # name -> last SetCookie seen
        self.csrf_token = None
        self.access_token = None
        self.refresh_token = None
        self.user = None
        self.session = None
        self.recovery_code = None
        self.last = None

    # --- plumbing
    def request(self, method, path, json_body=_MISSING, data=None, headers=None, csrf=None,
                auth=True, content_type=None, check=None):
        """Send one request. json_body: a Python value to encode; data: raw bytes/str.
        csrf: None = send the stored token on unsafe methods, False = never, str = that value.
        auth: False sends no credentials at all."""
        method = method.upper()
        h = {"Accept": "application/json"}
        body = None
        if json_body is not _MISSING:
            body = json.dumps(json_body).encode("utf-8")
            h["Content-Type"] = "application/json; charset=utf-8"
        elif data is not None:
            body = data.encode("utf-8") if isinstance(data, str) else data
            h["Content-Type"] = "application/json; charset=utf-8"
        if content_type is not None:
            h["Content-Type"] = content_type
        if self.origin:
            h["Origin"] = self.origin
        if auth:
            if self.mode == "cookie":
                if self.cookies:
                    h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
                if method in UNSAFE_METHODS:
                    tok = self.csrf_token if csrf is None else (csrf or None)
                    if tok:
                        h["X-CSRF-Token"] = tok
            else:
                h["X-Astral-Token-Delivery"] = "body"
                if self.access_token:
                    h["Authorization"] = "Bearer " + self.access_token
                if isinstance(csrf, str):
                    h["X-CSRF-Token"] = csrf
        elif isinstance(csrf, str):
            h["X-CSRF-Token"] = csrf
        if headers:
            for k, v in headers.items():
                if v is None:
                    h.pop(k, None)
                else:
                    h[k] = v
        t0 = time.monotonic()
        resp = self.http.request(method, self.base + path, data=body, headers=h,
                                 allow_redirects=False, timeout=60)
        r = Response(method, path, resp, time.monotonic() - t0)
        self.last = r
        if auth:
            self._absorb(r)
        if self.check_contract if check is None else check:
            self.contract.check(method, path, r.status, r.headers, r.body)
        return r

    def _absorb(self, r):
        for c in r.set_cookies:
            self.cookie_lines[c.name] = c
            if c.clears:
                self.cookies.pop(c.name, None)
            else:
                self.cookies[c.name] = c.value
        j = r.json
        if isinstance(j, dict) and 200 <= r.status < 300:
            if "csrf_token" in j:
                self.csrf_token = j["csrf_token"]
            if "user" in j and "session" in j:
                self.user = j["user"]
                self.session = j["session"]
            if "access_token" in j:
                self.access_token = j["access_token"]
            if "refresh_token" in j:
                self.refresh_token = j["refresh_token"]
            if "recovery_code" in j:
                self.recovery_code = j["recovery_code"]

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=_MISSING, **kw):
        return self.request("POST", path, json_body=body, **kw)

    def put(self, path, body=_MISSING, **kw):
        return self.request("PUT", path, json_body=body, **kw)

    def delete(self, path, body=_MISSING, **kw):
        return self.request("DELETE", path, json_body=body, **kw)

    @property
    def user_id(self):
        return self.user["id"] if self.user else None

    def forget_credentials(self):
        self.cookies.clear()
        self.csrf_token = None
        self.access_token = None
        self.refresh_token = None

    # --- flows
    def anonymous(self):
        return expect(self.post("/api/auth/anonymous", {}), 201)

    def register(self, username=None, password=None, display_name=None):
        username = username or unique("h")
        password = password or strong_password()
        display_name = display_name or "Helper " + uuid.uuid4().hex[:6]
        r = expect(self.post("/api/auth/register", {"username": username, "password": password,
                                                    "display_name": display_name}), 201)
        self.password = password
        return r

    def login(self, username, password, totp_code=None, expect_status=200):
        body = {"username": username, "password": password}
        if totp_code is not None:
            body["totp_code"] = totp_code
        r = self.post("/api/auth/login", body)
        if expect_status is not None:
            expect(r, expect_status)
        return r

    def refresh(self, token=None):
        """Refresh with the cookie (cookie mode), or with a body token: the client's own in
        bearer mode, or `token` when given. A body-token refresh sends no other credential."""
        if self.mode == "bearer" or token is not None:
            tok = token if token is not None else self.refresh_token
            h = {"Authorization": None, "Cookie": None, "X-Astral-Token-Delivery": "body"}
            return self.post("/api/auth/refresh", {"refresh_token": tok}, headers=h)
        return self.post("/api/auth/refresh")

    def whoami(self):
        return self.get("/api/auth/session")

    def logout(self):
        return self.post("/api/auth/logout")


def new_client(stack, mode="cookie", **kw):
    return Client(stack.url, mode=mode, src=stack.src, **kw)


# ---------------------------------------------------------------- TOTP (RFC 6238)

def totp(secret_b32, at=None, step=30, digits=6):
    """The TOTP code (HMAC-SHA1) for unix time `at`."""
    s = secret_b32.strip().replace(" ", "").upper()
    s += "=" * (-len(s) % 8)
    key = base64.b32decode(s)
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % (10 ** digits)
    return str(code).zfill(digits)
