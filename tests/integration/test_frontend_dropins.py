"""The web server files as `make install` ships them: rendered with the configured paths into
<pkgdatadir>/nginx (astral-locations.conf for a server block, astral-http.conf for the http block,
the astral-site.conf example) and <pkgdatadir>/apache2/astral.conf (conf-available), then dropped
into an nginx and an Apache that already serve a site of their own.

The files come from `make install-nginxDATA install-apache2DATA DESTDIR=<tmp>` in the test build;
the existing sites include them from that DESTDIR. No FastCGI program runs: the API answers with
the web server's own JSON error.

Run: /usr/bin/python3 -m pytest tests/integration/test_frontend_dropins.py
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests

from conftest import BUILD, SRC
from test_nginx_site import (NCHAN_MODULE, free_ports, nginx_cmd, pid_alive, stop_nginx, tail,
                             worker_user_line)

APACHE = "/usr/sbin/apache2"
APACHE_MODULES = Path("/usr/lib/apache2/modules")
PROGRAMS = ["auth", "posts", "chat", "helpers", "wellness", "videos", "ai", "moderation"]
NGINX_FILES = ["astral-locations.conf", "astral-http.conf", "astral-site.conf"]
TIMEOUT = 10


def make_variable(name):
    """A variable of the test build's Makefile, fully expanded (pkgdatadir, ASTRAL_RUN_DIR, ...)."""
    with tempfile.NamedTemporaryFile("w", suffix=".mk", delete=False) as f:
        f.write("astral-print-%:\n\t@echo '$($*)'\n")
    try:
        p = subprocess.run(["make", "-s", "--no-print-directory", "-C", str(BUILD), "-f", "Makefile",
                            "-f", f.name, f"astral-print-{name}"], capture_output=True, text=True,
                           timeout=120)
    finally:
        os.unlink(f.name)
    assert p.returncode == 0 and p.stdout.strip(), f"make could not print {name}: {p.stderr}"
    return p.stdout.strip()


@pytest.fixture(scope="module")
def installed(request):
    """DESTDIR install of the web server files; (destdir, values the build renders with)."""
    assert (BUILD / "Makefile").exists(), f"no configured build in {BUILD}"
    dest = Path(tempfile.mkdtemp(prefix="astral-it-dropins-")).resolve()
    os.chmod(dest, 0o755)
    request.addfinalizer(lambda: shutil.rmtree(dest, ignore_errors=True))
    p = subprocess.run(["make", "-s", "-C", str(BUILD), "install-nginxDATA", "install-apache2DATA",
                        f"DESTDIR={dest}"], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, f"make install of the web server files failed:\n{p.stdout}\n{p.stderr}"
    values = {name: make_variable(name) for name in
              ("pkgdatadir", "ASTRAL_RUN_DIR", "ASTRAL_VIDEO_DIR", "NGINX_AUTH_RATE",
               "NGINX_AUTH_BURST", "NGINX_PUB_PORT")}
    return dest, values


def shipped(installed, *parts):
    dest, values = installed
    path = dest / values["pkgdatadir"].lstrip("/") / Path(*parts)
    assert path.is_file(), f"make install did not put {path}"
    return path


# ---------------------------------------------------------------- the files

@pytest.mark.parametrize("name", [("nginx", n) for n in NGINX_FILES] + [("apache2", "astral.conf")],
                         ids=lambda n: "/".join(n))
def test_installed_file_is_fully_rendered(installed, name):
    text = shipped(installed, *name).read_text()
    left = sorted(set(re.findall(r"@[A-Za-z_]+@", text)))
    assert not left, f"{'/'.join(name)} still holds template names: {left}"


def test_nginx_files_carry_the_configured_paths(installed):
    _, v = installed
    loc = shipped(installed, "nginx", "astral-locations.conf").read_text()
    assert re.search(rf"(?m)^root {re.escape(v['pkgdatadir'])}/htdocs;$", loc), \
        f"astral-locations.conf does not serve {v['pkgdatadir']}/htdocs"
    for name in PROGRAMS:
        assert f"fastcgi_pass unix:{v['ASTRAL_RUN_DIR']}/{name}.sock;" in loc, \
            f"astral-locations.conf never passes to {v['ASTRAL_RUN_DIR']}/{name}.sock"
    assert f"alias {v['ASTRAL_VIDEO_DIR']}/;" in loc, "the video files' alias is not media.video_dir's default"
    assert f"burst={v['NGINX_AUTH_BURST']} nodelay;" in loc
    http = shipped(installed, "nginx", "astral-http.conf").read_text()
    assert f"rate={v['NGINX_AUTH_RATE']};" in http
    assert re.search(rf"(?m)^\s*listen 127\.0\.0\.1:{v['NGINX_PUB_PORT']};$", http), \
        "the publisher does not listen on loopback only"
    assert re.search(r"(?m)^\s*access_log off;$", http), "the production publisher logs every publish"
    site = shipped(installed, "nginx", "astral-site.conf").read_text()
    assert f"include {v['pkgdatadir']}/nginx/astral-locations.conf;" in site
    for text, what in ((site, "the site example"), (loc, "the snippet")):
        assert "limit_req_zone" not in text and "nchan_publisher" not in text, \
            f"{what} repeats what astral-http.conf declares"


def test_apache_file_carries_the_configured_paths(installed):
    _, v = installed
    conf = shipped(installed, "apache2", "astral.conf").read_text()
    assert f'Alias "/" "{v["pkgdatadir"]}/htdocs/"' in conf
    for name in PROGRAMS:
        assert f'"unix:{v["ASTRAL_RUN_DIR"]}/{name}.sock|fcgi://localhost/' in conf, \
            f"astral.conf never passes to {v['ASTRAL_RUN_DIR']}/{name}.sock"


# ------------------------------------------------- an nginx with a site of its own

@pytest.fixture(scope="module")
def existing_nginx(installed, request):
    """nginx whose one server already serves /existing/ and includes the snippet; the http file
    included as conf.d would be. The only change to the installed files: the publisher's port,
    made free (a copy)."""
    assert Path(NCHAN_MODULE).exists(), f"{NCHAN_MODULE} is missing"
    directory = Path(tempfile.mkdtemp(prefix="astral-it-existing-nginx-")).resolve()
    os.chmod(directory, 0o755)
    request.addfinalizer(lambda: (stop_nginx(directory), shutil.rmtree(directory, ignore_errors=True)))
    for sub in ("etc", "log", "run", "tmp"):
        (directory / sub).mkdir(mode=0o755)
    etc = directory / "etc"
    shutil.copy("/etc/nginx/mime.types", etc / "mime.types")
    shutil.copy("/etc/nginx/fastcgi_params", etc / "fastcgi_params")
    port, pub = free_ports(2)
    http_file = shipped(installed, "nginx", "astral-http.conf")
    _, v = installed
    moved = http_file.read_text().replace(f"listen 127.0.0.1:{v['NGINX_PUB_PORT']};", f"listen 127.0.0.1:{pub};")
    (etc / "conf.d-astral.conf").write_text(moved)
    locations = shipped(installed, "nginx", "astral-locations.conf")
    (etc / "nginx.conf").write_text(f"""\
load_module {NCHAN_MODULE};
{worker_user_line()}
worker_processes 1;
daemon on;
pid {directory}/run/nginx.pid;
error_log {directory}/log/nginx-error.log warn;
events {{ worker_connections 64; }}
http {{
    include mime.types;
    default_type application/octet-stream;
    client_body_temp_path {directory}/tmp/body;
    fastcgi_temp_path {directory}/tmp/fastcgi;
    proxy_temp_path {directory}/tmp/proxy;
    scgi_temp_path {directory}/tmp/scgi;
    uwsgi_temp_path {directory}/tmp/uwsgi;
    access_log {directory}/log/access.log;
    include {etc}/conf.d-astral.conf;
    server {{
        listen 127.0.0.1:{port};
        server_name existing.example;
        location /existing/ {{
            default_type text/plain;
            return 200 "the site that was here\\n";
        }}
        include {locations};
    }}
}}
""")
    t = subprocess.run(nginx_cmd(directory, "-t"), capture_output=True, text=True, timeout=TIMEOUT)
    assert t.returncode == 0, f"nginx -t rejected the existing site with the drop-in:\n{t.stderr}"
    s = subprocess.run(nginx_cmd(directory), capture_output=True, text=True, timeout=TIMEOUT)
    assert s.returncode == 0, f"nginx did not start:\n{s.stderr}\n{tail(directory / 'log' / 'nginx-error.log')}"
    return f"http://127.0.0.1:{port}", f"http://127.0.0.1:{pub}"


def test_nginx_existing_site_keeps_its_location_and_gains_astral(existing_nginx):
    url, pub = existing_nginx
    r = requests.get(url + "/existing/", timeout=TIMEOUT)
    assert r.status_code == 200 and r.text == "the site that was here\n", (r.status_code, r.text[:200])
    r = requests.get(url + "/api/no-such-route", timeout=TIMEOUT)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", (r.status_code, r.text[:200])
    assert "default-src 'self'" in r.headers.get("Content-Security-Policy", ""), r.headers
    r = requests.get(url + "/api/auth/session", timeout=TIMEOUT)
    assert r.status_code in (502, 503, 504), (r.status_code, r.text[:200])
    assert r.json()["error"]["code"] == "service_unavailable", r.text[:200]
    r = requests.post(pub + "/rt/pub/dropin-test", data=b'{"type":"ping"}', timeout=TIMEOUT,
                      headers={"Accept": "application/json", "Content-Type": "application/json"})
    assert 200 <= r.status_code < 300, f"the publisher of astral-http.conf: {r.status_code} {r.text[:200]}"


# ------------------------------------------------- an Apache with a site of its own

def drop_in_modules(conf_text):
    """The modules the drop-in's first comment tells the admin to a2enmod."""
    m = re.search(r"(?m)^#\s+a2enmod ([a-z_0-9 ]+)$", conf_text)
    assert m, "astral.conf does not name the modules to a2enmod"
    return m.group(1).split()


@pytest.fixture(scope="module")
def existing_apache(installed, request):
    """Apache as Debian runs it after `a2enconf astral` (the file included at server level, beside
    a virtual host of its own), with only the modules the file names plus Debian's defaults."""
    assert os.access(APACHE, os.X_OK), f"{APACHE} is missing (apt-get install apache2)"
    directory = Path(tempfile.mkdtemp(prefix="astral-it-existing-apache-")).resolve()
    os.chmod(directory, 0o755)
    for sub in ("run", "log", "www"):
        (directory / sub).mkdir(mode=0o755)
    (directory / "www" / "existing.txt").write_text("the site that was here\n")
    conf = shipped(installed, "apache2", "astral.conf")
    modules = ["mpm_event", "authz_core"] + drop_in_modules(conf.read_text())
    for name in modules:
        assert (APACHE_MODULES / f"mod_{name}.so").exists(), f"mod_{name}.so is not in {APACHE_MODULES}"
    port, = free_ports(1)
    user = "User astral\nGroup astral\n" if os.geteuid() == 0 and _has_user("astral") else ""
    loads = "".join(f"LoadModule {n}_module {APACHE_MODULES}/mod_{n}.so\n" for n in modules)
    (directory / "apache2.conf").write_text(f"""\
ServerRoot "{directory}"
DefaultRuntimeDir "{directory}/run"
PidFile "{directory}/run/apache2.pid"
ErrorLog "{directory}/log/error.log"
{user}Listen 127.0.0.1:{port}
ServerName 127.0.0.1
{loads}TypesConfig /etc/mime.types
<Directory />
    Require all denied
</Directory>
<VirtualHost 127.0.0.1:{port}>
    ServerName existing.example
    DocumentRoot "{directory}/www"
    Alias "/existing/" "{directory}/www/"
    <Directory "{directory}/www">
        Require all granted
    </Directory>
</VirtualHost>
# What `a2enconf astral` adds (conf-enabled/*.conf is included at server level).
Include "{conf}"
""")

    def stop():
        pid_file = directory / "run" / "apache2.pid"
        try:
            pid = int(pid_file.read_text().strip())
        except (OSError, ValueError):
            pid = None
        if pid:
            subprocess.run([APACHE, "-f", str(directory / "apache2.conf"), "-k", "stop"],
                           capture_output=True, timeout=TIMEOUT)
            deadline = time.monotonic() + 10
            while pid_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            if pid_alive(pid):
                os.kill(pid, 9)
        shutil.rmtree(directory, ignore_errors=True)
    request.addfinalizer(stop)

    t = subprocess.run([APACHE, "-t", "-f", str(directory / "apache2.conf")], capture_output=True,
                       text=True, timeout=TIMEOUT)
    assert t.returncode == 0, f"apache2 -t rejected the drop-in:\n{t.stdout}{t.stderr}"
    s = subprocess.run([APACHE, "-f", str(directory / "apache2.conf"), "-k", "start"],
                       capture_output=True, text=True, timeout=TIMEOUT)
    assert s.returncode == 0, f"apache2 did not start:\n{s.stderr}\n{tail(directory / 'log' / 'error.log')}"
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while True:
        try:
            requests.get(url + "/existing/existing.txt", timeout=1)
            break
        except requests.ConnectionError:
            assert time.monotonic() < deadline, f"apache does not answer on {url}\n{tail(directory / 'log' / 'error.log')}"
            time.sleep(0.1)
    return url


def _has_user(name):
    import pwd
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def test_apache_existing_site_keeps_its_alias_and_gains_astral(existing_apache):
    url = existing_apache
    r = requests.get(url + "/existing/existing.txt", timeout=TIMEOUT)
    assert r.status_code == 200 and r.text == "the site that was here\n", (r.status_code, r.text[:200])
    r = requests.get(url + "/api/no-such-route", timeout=TIMEOUT)
    assert r.status_code == 404, (r.status_code, r.text[:200])
    assert r.headers.get("Content-Type", "").startswith("application/json"), r.headers
    assert json.loads(r.text)["error"]["code"] == "not_found", r.text[:200]
    assert "default-src 'self'" in r.headers.get("Content-Security-Policy", ""), r.headers
    assert r.headers.get("X-Request-Id"), r.headers
    r = requests.get(url + "/api/auth/session", timeout=TIMEOUT)
    assert r.status_code in (502, 503), (r.status_code, r.text[:200])
    assert json.loads(r.text)["error"]["code"] == "service_unavailable", r.text[:200]
    assert r.headers.get("Retry-After") == "5", r.headers
