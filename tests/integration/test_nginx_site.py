"""The production nginx site (conf/nginx/astral-site.conf.in with the http-level
astral-http.conf.in it needs) run as shipped.

No stack is needed: the site is rendered the way an admin renders it (sed of the @NAME@
values), wrapped in a minimal nginx.conf in a temporary directory and started on free ports
with a self-signed certificate for localhost. No FastCGI program runs, so the API answers
with nginx's own JSON error.

The one deviation from a real install, made by `retarget` below and nowhere else: the listen
ports 80, 443 and 8091 become free ports (the addresses stay as written), and the access log
moves from /var/log/nginx to the temporary directory.

Run: /usr/bin/python3 -m pytest tests/integration/test_nginx_site.py
"""

import grp
import json
import os
import pwd
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests

SRC = Path(os.environ.get("ASTRAL_SRC") or Path(__file__).resolve().parents[2]).resolve()
SITE_IN = SRC / "conf" / "nginx" / "astral-site.conf.in"
HTTP_IN = SRC / "conf" / "nginx" / "astral-http.conf.in"
LOCATIONS_IN = SRC / "conf" / "nginx" / "astral-locations.conf.in"
HTDOCS = SRC / "htdocs"
NCHAN_MODULE = "/usr/lib/nginx/modules/ngx_nchan_module.so"
SERVER_NAME = "localhost"
AUTH_RATE = "10r/s"
AUTH_BURST = "20"
ONE_YEAR = 365 * 24 * 3600
TIMEOUT = 5


# ------------------------------------------------------------------ rendering

def sed_render(template, values, out):
    """`sed -e 's|@NAME@|value|g' ...` exactly as the admin instructions say."""
    args = ["sed"]
    for name, value in values.items():
        args += ["-e", f"s|@{name}@|{value}|g"]
    p = subprocess.run(args + [str(template)], capture_output=True, text=True, timeout=TIMEOUT)
    assert p.returncode == 0, f"sed failed on {template}: {p.stderr}"
    left = re.findall(r"@[A-Z_]+@", p.stdout)
    assert not left, f"{template}: values left unrendered: {sorted(set(left))}"
    out.write_text(p.stdout)
    return p.stdout


def retarget(text, ports, log_dir):
    """The only change made to the rendered production site: listen ports 80/443/8091 become
    the free ports in `ports` (keyed by the production port), addresses kept as written; the
    access log goes to log_dir. Every listen directive must name one of the three ports."""
    counts = {port: 0 for port in ports}

    def listen(m):
        port = int(m.group(2))
        assert port in ports, f"unexpected listen directive: {m.group(0)!r}"
        counts[port] += 1
        return f"{m.group(1)}{ports[port]}"

    text = re.sub(r"(?m)^(\s*listen\s+(?:(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]):)?)(\d+)\b",
                  listen, text)
    assert all(counts.values()), f"a production port is never listened on: {counts}"
    text, n = re.subn(r"/var/log/nginx/astral-access\.log", f"{log_dir}/astral-access.log", text)
    assert n >= 1, "the access_log path /var/log/nginx/astral-access.log is gone from the site"
    assert "/var/log/" not in text, "the site writes to another path under /var/log"
    return text


def free_ports(n):
    """n distinct TCP ports free on every IPv4 and IPv6 address (one dual-stack bind each)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            s.bind(("::", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def worker_user_line():
    """As tools/dev/stack: when root, the workers run as an unprivileged user."""
    if os.geteuid() != 0:
        return "# user: nginx runs as the invoking user"
    for name in ("astral", "www-data", "nobody"):
        try:
            pw = pwd.getpwnam(name)
        except KeyError:
            continue
        return f"user {name} {grp.getgrgid(pw.pw_gid).gr_name};"
    pytest.skip("no unprivileged user for the nginx workers")


def make_cert(directory):
    cert, key = directory / "localhost.crt", directory / "localhost.key"
    p = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "2", "-subj", f"/CN={SERVER_NAME}",
         "-addext", f"subjectAltName=DNS:{SERVER_NAME},IP:127.0.0.1,IP:::1",
         "-keyout", str(key), "-out", str(cert)],
        capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, f"openssl req failed: {p.stderr}"
    os.chmod(key, 0o600)
    return cert, key


def tail(path, n=30):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return f"({path} unreadable)"


class Site:
    def __init__(self, directory, ports, cert):
        self.dir = directory
        self.http_port = ports[80]
        self.https_port = ports[443]
        self.pub_port = ports[8091]
        self.cert = str(cert)
        self.error_log = directory / "log" / "nginx-error.log"
        self.https = f"https://{SERVER_NAME}:{self.https_port}"
        self.http = f"http://127.0.0.1:{self.http_port}"
        self.pub = f"http://127.0.0.1:{self.pub_port}"
        self.session = requests.Session()
        self.session.trust_env = False          # no proxy from the environment

    def get(self, url, **kw):
        kw.setdefault("timeout", TIMEOUT)
        kw.setdefault("allow_redirects", False)
        kw.setdefault("verify", self.cert)
        return self.session.get(url, **kw)

    def post(self, url, **kw):
        kw.setdefault("timeout", TIMEOUT)
        kw.setdefault("allow_redirects", False)
        kw.setdefault("verify", self.cert)
        return self.session.post(url, **kw)


def nginx_cmd(directory, *extra):
    return ["nginx", "-p", f"{directory}/", "-e", str(directory / "log" / "nginx-error.log"),
            "-c", str(directory / "etc" / "nginx.conf"), *extra]


def pid_alive(pid):
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def stop_nginx(directory):
    pid_file = directory / "run" / "nginx.pid"
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return                                   # never started
    subprocess.run(nginx_cmd(directory, "-s", "stop"), capture_output=True, timeout=TIMEOUT)
    deadline = time.monotonic() + 5
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if pid_alive(pid):
        os.kill(pid, 9)                          # the master this fixture started


@pytest.fixture(scope="module")
def site(request):
    for f in (SITE_IN, HTTP_IN, LOCATIONS_IN, HTDOCS / "index.html", Path(NCHAN_MODULE),
              Path("/etc/nginx/mime.types"), Path("/etc/nginx/fastcgi_params")):
        assert f.exists(), f"{f} is missing"
    directory = Path(tempfile.mkdtemp(prefix="astral-it-nginx-site-")).resolve()
    os.chmod(directory, 0o755)
    keep = bool(os.environ.get("ASTRAL_KEEP_STACK"))

    def cleanup():
        stop_nginx(directory)
        if keep:
            print(f"\nnginx site directory kept: {directory}")
        else:
            shutil.rmtree(directory, ignore_errors=True)
    request.addfinalizer(cleanup)

    for sub in ("etc", "log", "run", "tmp", "tls"):
        (directory / sub).mkdir(mode=0o755)
    etc = directory / "etc"
    # Relative includes (mime.types, fastcgi_params) resolve next to nginx.conf, as in /etc/nginx.
    shutil.copy("/etc/nginx/mime.types", etc / "mime.types")
    shutil.copy("/etc/nginx/fastcgi_params", etc / "fastcgi_params")
    cert, key = make_cert(directory / "tls")

    sed_render(LOCATIONS_IN, {"HTDOCS": HTDOCS, "RUN_DIR": directory / "run",
                              "AUTH_BURST": AUTH_BURST, "VIDEO_DIR": directory / "videos"},
               etc / "astral-locations.conf")
    # What an admin puts in the http block: conf.d/astral.conf, then the site.
    production = sed_render(HTTP_IN, {"AUTH_RATE": AUTH_RATE, "PUB_PORT": "8091",
                                      "PUBLISHER_ACCESS_LOG": "access_log off;"},
                            directory / "astral-http.production.conf")
    production += sed_render(SITE_IN, {"SERVER_NAME": SERVER_NAME, "TLS_CERT": cert,
                                       "TLS_KEY": key,
                                       "LOCATIONS_CONF": etc / "astral-locations.conf"},
                             directory / "astral-site.production.conf")
    p80, p443, ppub = free_ports(3)
    ports = {80: p80, 443: p443, 8091: ppub}
    (etc / "astral-site.conf").write_text(retarget(production, ports, directory / "log"))

    (etc / "nginx.conf").write_text(f"""\
load_module {NCHAN_MODULE};
{worker_user_line()}
worker_processes 1;
daemon on;
pid {directory}/run/nginx.pid;
error_log {directory}/log/nginx-error.log warn;

events {{
    worker_connections 256;
}}

http {{
    include mime.types;
    default_type application/octet-stream;
    client_body_temp_path {directory}/tmp/nginx-body;
    fastcgi_temp_path {directory}/tmp/nginx-fastcgi;
    proxy_temp_path {directory}/tmp/nginx-proxy;
    scgi_temp_path {directory}/tmp/nginx-scgi;
    uwsgi_temp_path {directory}/tmp/nginx-uwsgi;
    include {etc}/astral-site.conf;
}}
""")

    t = subprocess.run(nginx_cmd(directory, "-t", "-q"), capture_output=True, text=True,
                       timeout=TIMEOUT)
    assert t.returncode == 0, f"nginx -t rejected the site:\n{t.stdout}{t.stderr}"
    s = subprocess.run(nginx_cmd(directory), capture_output=True, text=True, timeout=TIMEOUT)
    assert s.returncode == 0, (f"nginx did not start:\n{s.stdout}{s.stderr}\n"
                               f"{tail(directory / 'log' / 'nginx-error.log')}")
    deadline = time.monotonic() + 5
    for port in (p80, p443, ppub):
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, f"nothing listens on 127.0.0.1:{port}"
                time.sleep(0.05)
    return Site(directory, ports, cert)


# --------------------------------------------------------------------- checks

def csp_directives(value):
    out = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = words[1:]
    return out


def hsts_max_age(value):
    m = re.search(r"(?i)(?:^|;)\s*max-age\s*=\s*\"?(\d+)\"?\s*(?:;|$)", value or "")
    return int(m.group(1)) if m else None


def one_header(r, name):
    """The single value of a header sent exactly once (a repeated header is a config error)."""
    values = r.raw.headers.getlist(name)
    assert len(values) == 1, f"{r.url}: {name} sent {len(values)} times: {values}"
    return values[0]


def assert_security_headers(r):
    where = f"{r.request.method} {r.url} → {r.status_code}"
    hsts = one_header(r, "Strict-Transport-Security")
    age = hsts_max_age(hsts)
    assert age is not None and age >= ONE_YEAR, f"{where}: HSTS {hsts!r}"
    csp = one_header(r, "Content-Security-Policy")
    d = csp_directives(csp)
    assert d.get("default-src") == ["'self'"], f"{where}: CSP {csp!r}"
    assert d.get("frame-ancestors") == ["'none'"], f"{where}: CSP {csp!r}"
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, f"{where}: CSP {csp!r}"
    blob = [name for name, sources in d.items() if "blob:" in sources]
    assert blob == ["media-src"], f"{where}: blob: allowed in {blob}, media-src only wanted: CSP {csp!r}"
    assert one_header(r, "X-Content-Type-Options").lower() == "nosniff", where
    assert one_header(r, "Referrer-Policy").lower() == "no-referrer", where
    server = r.headers.get("Server", "")
    assert not re.search(r"\d", server), f"{where}: Server {server!r} carries a version"


def test_rendered_site_keeps_production_addresses(site):
    """Only ports moved: the public servers bind every address, the publisher loopback only."""
    text = (site.dir / "etc" / "astral-site.conf").read_text()
    listens = re.findall(r"(?m)^\s*listen\s+([^;]+);", text)
    assert f"{site.http_port}" in listens and f"[::]:{site.http_port}" in listens, listens
    assert f"{site.https_port} ssl http2" in listens, listens
    assert f"127.0.0.1:{site.pub_port}" in listens, listens
    assert not any(str(site.pub_port) in l and not l.startswith("127.0.0.1:") for l in listens), \
        listens


@pytest.mark.parametrize("host", ["127.0.0.1", "[::1]"])
def test_plain_http_redirects_to_https(site, host):
    r = site.get(f"http://{host}:{site.http_port}/crisis.html?x=1", headers={"Host": SERVER_NAME})
    assert r.status_code == 301, (r.status_code, r.text[:200])
    assert r.headers.get("Location") == f"https://{SERVER_NAME}/crisis.html?x=1", r.headers
    assert not re.search(r"\d", r.headers.get("Server", "")), r.headers.get("Server")


def test_plain_http_redirect_uses_configured_name_not_client_host(site):
    r = site.get(f"{site.http}/", headers={"Host": "evil.example"})
    assert r.status_code == 301
    assert r.headers.get("Location", "").startswith(f"https://{SERVER_NAME}/"), r.headers


def test_https_landing_page_and_headers(site):
    r = site.get(site.https + "/")
    assert r.status_code == 200, r.status_code
    assert r.headers.get("Content-Type", "").startswith("text/html"), r.headers
    assert r.content == (HTDOCS / "index.html").read_bytes()
    assert_security_headers(r)


@pytest.mark.parametrize("path", ["/crisis.html", "/favicon.svg", "/no-such-page.html",
                                  "/api/no-such-route", "/api/auth/session"])
def test_https_headers_on_every_answer(site, path):
    """`always` headers reach error answers and the API too."""
    assert_security_headers(site.get(site.https + path))


def test_api_without_program_answers_json(site):
    r = site.get(site.https + "/api/auth/session")
    assert r.status_code in (502, 503, 504), (r.status_code, r.text[:300])
    ct = r.headers.get("Content-Type", "")
    assert re.match(r"application/json\s*;\s*charset=utf-8", ct, re.I), ct
    assert "<html" not in r.text.lower(), r.text[:300]
    body = json.loads(r.text)
    assert body["error"]["code"] == "service_unavailable", body
    assert "no-store" in r.headers.get("Cache-Control", ""), r.headers
    assert r.headers.get("Retry-After"), r.headers
    assert r.headers.get("X-Request-Id"), r.headers


def test_long_authorization_header_reaches_the_api(site):
    """The TLS server is the default one on its port, so its large_client_header_buffers apply:
    a 10 KB token gets to the (absent) program, not nginx's 400/494."""
    r = site.get(site.https + "/api/auth/session",
                 headers={"Authorization": "Bearer " + "a" * 10240})
    assert r.status_code in (502, 503, 504), (r.status_code, r.text[:300])
    assert json.loads(r.text)["error"]["code"] == "service_unavailable"


def handshake(site, ctx, host="127.0.0.1"):
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection((host, site.https_port), timeout=TIMEOUT) as raw:
        with ctx.wrap_socket(raw, server_hostname=SERVER_NAME) as tls:
            return tls.version(), tls.selected_alpn_protocol()


@pytest.mark.parametrize("version", ["TLSv1_2", "TLSv1_3"])
def test_modern_tls_accepted(site, version):
    v = getattr(ssl.TLSVersion, version)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = v
    ctx.maximum_version = v
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    got, alpn = handshake(site, ctx)
    assert got == version.replace("_", "."), got
    assert alpn == "h2", f"ALPN {alpn!r}: the site declares http2"


@pytest.mark.parametrize("version", ["TLSv1", "TLSv1_1"])
def test_old_tls_refused(site, version):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        # Let this client offer the old protocol at all (OpenSSL 3 hides it at level 1+).
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        ctx.minimum_version = ssl.TLSVersion.TLSv1
    except (ssl.SSLError, ValueError):
        pass                      # the local OpenSSL cannot offer it: the handshake fails anyway
    ctx.maximum_version = getattr(ssl.TLSVersion, version)
    with pytest.raises((ssl.SSLError, ConnectionError)):
        got = handshake(site, ctx)
        pytest.fail(f"{version} handshake succeeded ({got})")


def ss_local_addresses(port):
    p = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True, timeout=TIMEOUT)
    assert p.returncode == 0, p.stderr
    out = []
    for line in p.stdout.splitlines():
        cols = line.split()
        if len(cols) < 4:
            continue
        local = cols[3]                      # State Recv-Q Send-Q Local:Port Peer:Port ...
        addr, _, lport = local.rpartition(":")
        if lport == str(port):
            out.append(addr)
    return out


def test_publisher_listens_on_loopback_only(site):
    addrs = ss_local_addresses(site.pub_port)
    assert addrs, f"ss shows nothing listening on port {site.pub_port}"
    assert set(addrs) == {"127.0.0.1"}, f"publisher port {site.pub_port} bound on {addrs}"
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("::1", site.pub_port), timeout=TIMEOUT).close()


def test_public_ports_listen_on_all_addresses(site):
    for port in (site.http_port, site.https_port):
        addrs = set(ss_local_addresses(port))
        assert {"0.0.0.0", "[::]"} <= addrs or {"*", "[::]"} <= addrs, (port, addrs)


def test_publisher_accepts_post_from_loopback(site):
    r = site.post(site.pub + "/rt/pub/test", data=b'{"type":"ping"}',
                  headers={"Accept": "application/json", "Content-Type": "application/json"})
    assert 200 <= r.status_code < 300, (r.status_code, r.text[:300])
    info = json.loads(r.text)
    assert info.get("messages", 0) >= 1 and "subscribers" in info, info
    r = site.get(site.pub + "/rt/pub/test", headers={"Accept": "application/json"})
    assert r.status_code == 200 and json.loads(r.text).get("messages", 0) >= 1, r.text[:300]
    r = site.get(site.pub + "/")
    assert r.status_code == 404, r.status_code
    assert not re.search(r"\d", r.headers.get("Server", "")), r.headers.get("Server")


def test_public_server_cannot_publish_or_subscribe_directly(site):
    r = site.post(site.https + "/rt/pub/test", data=b"{}",
                  headers={"Content-Type": "application/json"})
    assert not 200 <= r.status_code < 300, (r.status_code, r.text[:300])
    r = site.get(site.https + "/rt/internal/test")
    assert r.status_code == 404, (r.status_code, r.text[:300])


def test_no_errors_in_nginx_error_log(site):
    """Last in this file: nothing above makes nginx log [crit]/[alert]/[emerg], apart from
    the expected failure to reach the absent FastCGI socket."""
    text = site.error_log.read_text(errors="replace") if site.error_log.exists() else ""
    absent_socket = f"connect() to unix:{site.dir}/run/"
    bad = [l for l in text.splitlines()
           if re.search(r"\[(crit|alert|emerg)\]", l) and absent_socket not in l]
    assert not bad, "\n".join(bad[-20:])
