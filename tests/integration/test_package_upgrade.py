"""The Debian package on a real machine, from the previous release to this tree's and away again.

As root, with dpkg: install 0.1.0 (the commit tagged v0.1.0, built with this tree's debian/), give it a
private PostgreSQL cluster (roles as docs/operations.md section 2 makes them) and point
/etc/astral/astral.conf at it (an admin's edit), migrate, run the installed programs the way
their systemd units would (systemd is not PID 1 here: spawn-fcgi hands each program its socket as
the .socket unit would) behind a private nginx using the installed nginx file, and create data
through HTTP. Then install this tree's package over it (dpkg -i, non-interactive, keeping the
edited configuration) and check: migrations 0014 and later applied exactly once by postinst, the
configuration and the keys untouched, the programs back and serving the earlier data, and the new
real-time relay, run as its units say, publishing an event to nginx's nchan. Last, purge: the
keys and videos stay unless ASTRAL_PURGE_DATA=yes is given.

Everything made here is undone at the end, also after a failure. A machine that already knows
the package, or holds /etc/astral, /var/lib/astral or /run/astral, is left alone (skipped).
"""

import contextlib
import grp
import hashlib
import json
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import requests

import package_build
from astral_client import Client, expect, strong_password, unique
from test_videos_setup import mp4_bytes, upload

# The commit tagged v0.1.0, by hash: a clone of main carries the history but need not carry tags.
PREVIOUS_COMMIT = "404b43837cb3e81ff274fe651a4dc7eebf92515e"
PREVIOUS_VERSION = "0.1.0"
PREVIOUS_SCHEMA = 13                  # migrations of 0.1.0: 0001 to 0013
PACKAGE = package_build.PACKAGE
PG_BIN = Path("/usr/lib/postgresql/15/bin")
NCHAN_MODULE = Path("/usr/lib/nginx/modules/ngx_nchan_module.so")
CONF = Path("/etc/astral/astral.conf")
KEY_FILES = (Path("/etc/astral/jwt.key"), Path("/etc/astral/keyring"))
ETC_DIR = Path("/etc/astral")
DATA_DIR = Path("/var/lib/astral")
VIDEO_DIR = DATA_DIR / "videos"
RUN_DIR = Path("/run/astral")
LIB_DIR = Path("/usr/lib/astral")
SHARE = Path("/usr/share/astral-core")
UNIT_DIR = Path("/lib/systemd/system")
NGINX_SNIPPET = Path("/etc/nginx/snippets/astral.conf")
SERVICE_USER = "astral"
WORKERS = "2"                         # as a drop-in would set ASTRAL_WORKERS on a small host
WAIT_SECONDS = 60
# A GET each program answers itself once it runs (tools/dev/stack uses the same ones).
PROBES = {
    "auth": "/api/me/preferences",
    "posts": "/api/reflections",
    "chat": "/api/sessions",
    "helpers": "/api/helpers/online-count",
    "wellness": "/api/wellness/assessments/definitions",
    "videos": "/api/wellness/videos",
    "ai": "/api/ai/status",
    "moderation": "/api/moderation/history",
}
DPKG_ENV = {"DEBIAN_FRONTEND": "noninteractive", "LC_ALL": "C.UTF-8"}
# The relay's start line (relay/main.c) when systemd gave it its socket.
RELAY_STARTED = "relaying events from the socket systemd gave"
# A program's side of the relay (lib/relay_client.c): one event in one datagram.
SEND_EVENT = """
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect(sys.argv[1])
s.send(sys.argv[2].encode() + b"\\n" + sys.argv[3].encode())
"""


def _skip_reason():
    if os.geteuid() != 0:
        return "installs and purges a Debian package: needs root (CI runs the suite as root)"
    q = subprocess.run(["dpkg-query", "-W", "-f=${db:Status-Abbrev}", PACKAGE], capture_output=True, text=True)
    if q.returncode == 0 and q.stdout.strip() and not q.stdout.startswith("un"):
        return (f"{PACKAGE} is already known to dpkg on this machine (status {q.stdout.strip()}); "
                f"the test would replace and purge it")
    for path in (ETC_DIR, DATA_DIR, RUN_DIR):
        if path.exists():
            return f"{path} exists on this machine (another installation?); the test would remove it"
    return None


pytestmark = pytest.mark.skipif(_skip_reason() is not None, reason=str(_skip_reason()))


class StepFailed(Exception):
    pass


@contextlib.contextmanager
def step(name):
    """Turns any failure inside into 'step NAME failed: ...'."""
    try:
        yield
    except (StepFailed, AssertionError) as e:
        raise pytest.fail.Exception(f"step '{name}' failed: {e}", pytrace=False) from None
    except Exception as e:  # noqa: BLE001 - every other error is reported with the step's name
        raise pytest.fail.Exception(f"step '{name}' failed: {type(e).__name__}: {e}",
                                    pytrace=False) from None


def run(cmd, what, env=None, input=None, timeout=600, check=True):
    """Runs cmd; on a non-zero exit (check) raises StepFailed naming `what` with the output."""
    full_env = dict(os.environ, **(env or {}))
    p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, env=full_env, input=input,
                       stdin=None if input is not None else subprocess.DEVNULL, timeout=timeout, cwd="/")
    if check and p.returncode != 0:
        raise StepFailed(f"{what} exited with {p.returncode}\n--- command: {' '.join(map(str, cmd))}\n"
                         f"--- stdout:\n{p.stdout[-6000:]}\n--- stderr:\n{p.stderr[-6000:]}")
    return p


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def file_facts(path):
    """(mode, owner, group) of path."""
    st = os.stat(path)
    return (stat.S_IMODE(st.st_mode), pwd.getpwuid(st.st_uid).pw_name, grp.getgrgid(st.st_gid).gr_name)


def digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def unit_settings(path):
    """KEY -> [values] of a systemd unit file (every section; continuation lines joined)."""
    settings = {}
    text = Path(path).read_text().replace("\\\n", " ")
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;[" or "=" not in line:
            continue
        key, value = line.split("=", 1)
        settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def expand(word, environment):
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: environment[m.group(1) or m.group(2)], word)


class Machine:
    """What the test made on this machine, so that all of it can be undone."""

    def __init__(self, previous, current):
        self.previous = previous
        self.current = current
        self.dir = Path(tempfile.mkdtemp(prefix="astral-upgrade-"))
        os.chmod(self.dir, 0o755)
        (self.dir / "log").mkdir()
        self.pg_data = self.dir / "pg"
        self.pg_run = self.dir / "pg-run"
        self.pg_port = free_port()
        self.port = free_port()
        self.pub_port = free_port()
        while self.pub_port == self.port:
            self.pub_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.programs = {}             # name -> Popen of spawn-fcgi (its own process group)
        self.nginx = None
        self.pg_started = False
        self.made_run_dir = False
        self.user_existed = self._user_exists()
        self.outputs = {}              # dpkg runs: label -> stdout + stderr
        self.facts = {}

    @staticmethod
    def _user_exists():
        try:
            pwd.getpwnam(SERVICE_USER)
            return True
        except KeyError:
            return False

    # ------------------------------------------------------------ dpkg
    def dpkg(self, label, *args, env=None):
        p = run(["dpkg", *args], f"dpkg {' '.join(map(str, args))}", env=dict(DPKG_ENV, **(env or {})))
        self.outputs[label] = p.stdout + p.stderr
        return self.outputs[label]

    def package_status(self):
        q = subprocess.run(["dpkg-query", "-W", "-f=${db:Status-Abbrev} ${Version}", PACKAGE],
                           capture_output=True, text=True)
        return " ".join(q.stdout.split()) if q.returncode == 0 else "not known"

    # ------------------------------------------------------------ PostgreSQL
    def pg(self, *args, what):
        return run(["runuser", "-u", "postgres", "--", *args], what)

    def start_cluster(self):
        """A private cluster run by the postgres user, reachable only through a socket directory
        of group astral (the programs, astralctl as root)."""
        for tool in ("initdb", "pg_ctl", "createuser", "createdb", "psql"):
            if not (PG_BIN / tool).exists():
                raise StepFailed(f"{PG_BIN / tool} is missing (package postgresql-15)")
        postgres = pwd.getpwnam("postgres")
        astral_gid = grp.getgrnam(SERVICE_USER).gr_gid
        self.pg_data.mkdir(mode=0o700)
        os.chown(self.pg_data, postgres.pw_uid, postgres.pw_gid)
        self.pg_run.mkdir()
        os.chown(self.pg_run, postgres.pw_uid, astral_gid)
        os.chmod(self.pg_run, 0o2750)
        self.pg(PG_BIN / "initdb", "-D", self.pg_data, "-U", "postgres", "--auth=trust", "--no-locale",
                "-E", "UTF8", what="initdb")
        with open(self.pg_data / "postgresql.conf", "a") as f:
            f.write("\n# astral upgrade test\n"
                    "listen_addresses = ''\n"
                    f"unix_socket_directories = '{self.pg_run}'\n"
                    f"unix_socket_group = '{SERVICE_USER}'\n"
                    "unix_socket_permissions = 0770\n"
                    f"port = {self.pg_port}\n"
                    "max_connections = 60\n"
                    "fsync = off\n")
        log = self.dir / "log" / "postgres.log"
        log.touch()
        os.chown(log, postgres.pw_uid, postgres.pw_gid)
        self.pg_started = True
        self.pg(PG_BIN / "pg_ctl", "-D", self.pg_data, "-l", log, "-w", "-t", str(WAIT_SECONDS), "start",
                what=f"pg_ctl start (log {log})")
        # docs/operations.md section 2, against this cluster.
        where = ["-h", self.pg_run, "-p", str(self.pg_port), "-U", "postgres"]
        self.pg(PG_BIN / "createuser", *where, "--createrole", "astral_owner", what="createuser astral_owner")
        self.pg(PG_BIN / "createdb", *where, "--owner", "astral_owner", "astral", what="createdb astral")

    def stop_cluster(self):
        if self.pg_started:
            subprocess.run(["runuser", "-u", "postgres", "--", PG_BIN / "pg_ctl", "-D", self.pg_data, "-m",
                            "immediate", "-w", "stop"], capture_output=True)
            self.pg_started = False

    def query(self, sql):
        import psycopg2
        conn = psycopg2.connect(host=str(self.pg_run), port=self.pg_port, dbname="astral", user="astral_owner",
                                connect_timeout=10)
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
                return cur.fetchall()
        finally:
            conn.close()

    def schema_migrations(self):
        return self.query("SELECT version, name, applied_at FROM schema_migrations ORDER BY version")

    # ------------------------------------------------------------ the admin's edit
    def edit_configuration(self):
        text = CONF.read_text()
        marker = f"# Edited by the administrator: private cluster of the upgrade test {uuid.uuid4()}"
        where = f"host={self.pg_run} port={self.pg_port} dbname=astral"
        edits = [
            (r'^conninfo = .*$', f'conninfo = "{where} user=astral_app"\n'
                                 f'owner_conninfo = "{where} user=astral_owner"'),
            (r'^public_origin = .*$', f"public_origin = {self.url}"),
            (r'^#publish_url = .*$', f"publish_url = http://127.0.0.1:{self.pub_port}/rt/pub"),
            # 0.1.0's built-in paths of these two files were not where it installs them.
            (r'^#common_passwords_file = .*$', f"common_passwords_file = {SHARE}/common-passwords.txt"),
            (r'^#resources_file = .*$', f"resources_file = {SHARE}/resources.json"),
        ]
        for pattern, replacement in edits:
            text, n = re.subn(pattern, replacement, text, count=1, flags=re.M)
            if n != 1:
                raise StepFailed(f"{CONF} of {PREVIOUS_VERSION} has no line matching {pattern!r} to edit")
        with open(CONF, "w") as f:          # in place: the file keeps its owner and mode
            f.write(marker + "\n" + text)

    # ------------------------------------------------------------ programs, as the units run them
    def start_program(self, name, argv, user, group, socket_path, socket_user, socket_group, socket_mode):
        sock = Path(socket_path)
        if sock.exists():
            sock.unlink()
        log = open(self.dir / "log" / f"{name}.log", "ab")
        # spawn-fcgi refuses -U root: without -U the socket goes to the program's user, and is
        # given to root below, as systemd's SocketUser=root has it.
        owner = [] if socket_user == "root" else ["-U", socket_user]
        cmd = ["spawn-fcgi", "-n", "-s", str(sock), "-M", socket_mode, *owner, "-G", socket_group,
               "-u", user, "-g", group, "--", *argv]
        self.programs[name] = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                               start_new_session=True, cwd="/")
        log.close()
        if socket_user == "root":
            deadline = time.monotonic() + WAIT_SECONDS
            while not sock.exists() and self.programs[name].poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            if sock.exists():
                os.chown(sock, 0, -1)

    def start_previous_programs(self):
        """0.1.0 has no units: its docs' spawn-fcgi + multiwatch way, with the installed paths."""
        self.ensure_run_dir()
        names = sorted(p.name[len("astral-"):] for p in LIB_DIR.glob("astral-*"))
        if not names:
            raise StepFailed(f"no program in {LIB_DIR}")
        for name in names:
            program = LIB_DIR / f"astral-{name}"
            run(["runuser", "-u", SERVICE_USER, "--", program, "-n", "-c", CONF], f"{program} -n (config check)")
            self.start_program(name, ["/usr/bin/multiwatch", "-f", WORKERS, "-s", "TERM", "--", str(program),
                                      "-c", str(CONF)],
                               SERVICE_USER, SERVICE_USER, RUN_DIR / f"{name}.sock", "root", "www-data", "0660")
        return names

    def start_unit_programs(self):
        """Every installed astral-*.service, as systemd would run it with its .socket: the socket
        made as ListenStream/SocketUser/SocketGroup/SocketMode say, then ExecStartPre and
        ExecStart as User/Group, with ASTRAL_WORKERS set as a drop-in would. A service whose socket
        is a ListenDatagram= one (the relay) is started by start_datagram_service. Returns the
        FastCGI programs' names."""
        self.ensure_run_dir()
        services = sorted(UNIT_DIR.glob("astral-*.service"))
        if not services:
            raise StepFailed(f"no astral-*.service in {UNIT_DIR}")
        names = []
        for service in services:
            name = service.stem[len("astral-"):]
            unit = unit_settings(service)
            sock = unit_settings(service.with_suffix(".socket"))
            if "ListenDatagram" in sock:
                self.start_datagram_service(name, service, unit, sock)
                continue
            environment = dict(e.split("=", 1) for e in unit.get("Environment", []))
            environment["ASTRAL_WORKERS"] = WORKERS
            user, group = unit["User"][0], unit["Group"][0]
            for pre in unit.get("ExecStartPre", []):
                argv = [expand(w, environment) for w in pre.lstrip("-").split()]
                run(["runuser", "-u", user, "-g", group, "--", *argv], f"{service.name} ExecStartPre")
            argv = [expand(w, environment) for w in unit["ExecStart"][0].split()]
            self.start_program(name, argv, user, group, sock["ListenStream"][0], sock["SocketUser"][0],
                               sock["SocketGroup"][0], sock["SocketMode"][0])
            names.append(name)
        return names

    def start_datagram_service(self, name, service, unit, sock):
        """A service with a datagram socket (astral-relay): the socket bound as ListenDatagram=,
        SocketUser=, SocketGroup= and SocketMode= say and handed over as fd 0 (StandardInput=socket),
        ExecStartPre then ExecStart as User/Group; waits for its start line."""
        user, group = pwd.getpwnam(unit["User"][0]), grp.getgrnam(unit["Group"][0])
        for pre in unit.get("ExecStartPre", []):
            run(["runuser", "-u", user.pw_name, "-g", group.gr_name, "--", *pre.lstrip("-").split()],
                f"{service.name} ExecStartPre")
        path = Path(sock["ListenDatagram"][0])
        if path.exists():
            path.unlink()
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        listener.bind(str(path))
        os.chown(path, pwd.getpwnam(sock["SocketUser"][0]).pw_uid, grp.getgrnam(sock["SocketGroup"][0]).gr_gid)
        os.chmod(path, int(sock["SocketMode"][0], 8))
        log_path = self.dir / "log" / f"{name}.log"
        with open(log_path, "ab") as log:
            self.programs[name] = subprocess.Popen(unit["ExecStart"][0].split(), stdin=listener.fileno(),
                                                   stdout=log, stderr=log, user=user.pw_uid, group=group.gr_gid,
                                                   extra_groups=[], start_new_session=True, cwd="/")
        listener.close()
        deadline = time.monotonic() + WAIT_SECONDS
        while RELAY_STARTED not in log_path.read_text(errors="replace"):
            if self.programs[name].poll() is not None or time.monotonic() > deadline:
                raise StepFailed(f"{service.name} did not start (process "
                                 f"{'exited' if self.programs[name].poll() is not None else 'running'}); "
                                 f"its log:\n{log_path.read_text(errors='replace')[-4000:]}")
            time.sleep(0.1)

    def stop_programs(self):
        for name, proc in list(self.programs.items()):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=15)
            del self.programs[name]

    def ensure_run_dir(self):
        if not RUN_DIR.exists():
            RUN_DIR.mkdir(mode=0o755)
            self.made_run_dir = True

    # ------------------------------------------------------------ nginx
    def start_nginx(self, snippet):
        """A private nginx (workers as www-data, as Debian's) with snippet inside its server block."""
        d = self.dir / "nginx"
        if d.exists():
            shutil.rmtree(d)
        (d / "tmp").mkdir(parents=True)
        www = pwd.getpwnam("www-data")
        os.chown(d / "tmp", www.pw_uid, www.pw_gid)
        shutil.copy("/etc/nginx/fastcgi_params", d / "fastcgi_params")
        # 0.1.0's locations left the internal video location to the site; later snippets hold it.
        videos = "" if "location ^~ /_astral/media/videos/" in Path(snippet).read_text() else f"""
        location ^~ /_astral/media/videos/ {{
            internal;
            alias {VIDEO_DIR}/;
            default_type application/octet-stream;
        }}"""
        (d / "nginx.conf").write_text(f"""
load_module {NCHAN_MODULE};
user www-data www-data;
worker_processes 1;
daemon off;
pid {d}/nginx.pid;
error_log {self.dir}/log/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {self.dir}/log/nginx-access.log;
    client_body_temp_path {d}/tmp/body;
    fastcgi_temp_path {d}/tmp/fastcgi;
    proxy_temp_path {d}/tmp/proxy;
    scgi_temp_path {d}/tmp/scgi;
    uwsgi_temp_path {d}/tmp/uwsgi;
    limit_req_zone $binary_remote_addr zone=astral_auth:10m rate=100r/s;
    server {{
        listen 127.0.0.1:{self.port};
        server_name localhost;
        include {snippet};{videos}
    }}
    server {{
        listen 127.0.0.1:{self.pub_port};
        allow 127.0.0.1;
        deny all;
        location ~ ^/rt/pub/(.+)$ {{
            nchan_publisher;
            nchan_channel_id $1;
            nchan_message_buffer_length 64;
            nchan_message_timeout 10m;
        }}
    }}
}}
""")
        args = ["nginx", "-p", f"{d}/", "-c", str(d / "nginx.conf"), "-e", str(self.dir / "log" / "nginx-error.log")]
        run(args + ["-t", "-q"], f"nginx -t with {snippet}")
        self.nginx = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL, start_new_session=True)

    def stop_nginx(self):
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)
            try:
                self.nginx.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.nginx.pid, signal.SIGKILL)
                self.nginx.wait(timeout=15)
        self.nginx = None

    def wait_for_programs(self, names):
        """Each program answers its probe through nginx (any status but 502/503/504)."""
        for name in names:
            probe = PROBES.get(name)
            if probe is None:
                raise StepFailed(f"program astral-{name} has no probe in this test: add one to PROBES")
            deadline = time.monotonic() + WAIT_SECONDS
            status = None
            while time.monotonic() < deadline:
                proc = self.programs[name]
                if proc.poll() is not None:
                    break
                try:
                    status = requests.get(self.url + probe, timeout=5).status_code
                except requests.RequestException:
                    status = None
                if status is not None and status not in (502, 503, 504):
                    break
                time.sleep(0.2)
            if status is None or status in (502, 503, 504):
                log = (self.dir / "log" / f"{name}.log").read_text(errors="replace")
                if len(log) > 5000:             # its first words say why; the end, what it did last
                    log = log[:2500] + "\n[...]\n" + log[-2500:]
                nginx_log = (self.dir / "log" / "nginx-error.log")
                nginx_tail = nginx_log.read_text(errors="replace")[-2000:] if nginx_log.exists() else ""
                raise StepFailed(f"astral-{name} does not answer GET {probe} (last status {status}, "
                                 f"process {'exited' if self.programs[name].poll() is not None else 'running'})"
                                 f"\n--- its log:\n{log}\n--- nginx error log:\n{nginx_tail}")

    # ------------------------------------------------------------ clean-up
    def cleanup(self):
        problems = []
        self.stop_nginx()
        self.stop_programs()
        if self.package_status() != "not known" and not self.package_status().startswith("un"):
            p = subprocess.run(["dpkg", "--purge", PACKAGE], capture_output=True, text=True,
                               env=dict(os.environ, ASTRAL_PURGE_DATA="yes", **DPKG_ENV))
            if p.returncode != 0:
                problems.append(f"dpkg --purge {PACKAGE} failed:\n{p.stdout}{p.stderr}")
        self.stop_cluster()
        for path in (ETC_DIR, DATA_DIR):
            shutil.rmtree(path, ignore_errors=True)
        if self.made_run_dir:
            shutil.rmtree(RUN_DIR, ignore_errors=True)
        if os.environ.get("ASTRAL_KEEP_UPGRADE_DIR") or problems:
            print(f"upgrade test directory kept: {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        return problems


def http_client(machine):
    return Client(machine.url, mode="bearer", origin=machine.url, check_contract=False,
                  src=package_build.SRC)


def create_data(machine):
    """A seeker with a post, a journal entry (sealed with the keyring) and a video; an account
    with a password."""
    seeker = http_client(machine)
    seeker.anonymous()
    post_text = "Before the upgrade " + uuid.uuid4().hex
    post = expect(seeker.post("/api/posts", {"category": "Stress", "content": post_text}), 201).json
    journal_text = "A journal line sealed before the upgrade " + uuid.uuid4().hex
    expect(seeker.post("/api/wellness/journal", {"text": journal_text}), 201)
    video_bytes = mp4_bytes(payload=30000)
    video = expect(upload(seeker, video_bytes, "before the upgrade"), 201).json
    username, password = unique("upg"), strong_password()
    account = http_client(machine)
    account.register(username, password)
    return {"post_id": post["id"], "post_text": post_text, "journal_text": journal_text,
            "video_id": video["id"], "video_sha256": hashlib.sha256(video_bytes).hexdigest(),
            "refresh_token": seeker.refresh_token, "username": username, "password": password}


@pytest.fixture(scope="module")
def machine():
    problem = package_build.history_problem(PREVIOUS_COMMIT)
    if problem:
        pytest.fail(problem, pytrace=False)
    with step(f"build {PREVIOUS_VERSION} from commit {PREVIOUS_COMMIT[:12]} (v0.1.0) with this tree's debian/"):
        previous = package_build.build_release(PREVIOUS_COMMIT, PREVIOUS_VERSION)
    with step("build this tree's package"):
        current = package_build.build_current()
    m = Machine(previous, current)
    try:
        with step(f"install {PREVIOUS_VERSION} (dpkg -i)"):
            m.dpkg("install", "-i", previous.deb)
            m.facts["first_install"] = {p: file_facts(p) for p in (ETC_DIR, CONF, *KEY_FILES, VIDEO_DIR)}
        with step("create the PostgreSQL cluster, roles and database (docs/operations.md section 2)"):
            m.start_cluster()
        with step(f"point {CONF} at the cluster (the administrator's edit)"):
            m.edit_configuration()
            m.facts["edited_conf"] = CONF.read_bytes()
        with step(f"run {PREVIOUS_VERSION}'s migrations (astralctl migrate)"):
            out = run(["/usr/sbin/astralctl", "migrate"], "astralctl migrate").stdout
            rows = m.schema_migrations()
            assert [r[0] for r in rows] == list(range(1, PREVIOUS_SCHEMA + 1)), (
                f"after {PREVIOUS_VERSION}'s migrate, schema_migrations holds versions {[r[0] for r in rows]}; "
                f"astralctl said:\n{out}")
            m.facts["rows_before"] = rows
        with step(f"start {PREVIOUS_VERSION}'s programs and nginx with its rendered locations"):
            template = (SHARE / "nginx" / "astral-locations.conf.in").read_text()
            rendered = (template.replace("@HTDOCS@", str(SHARE / "htdocs")).replace("@RUN_DIR@", str(RUN_DIR))
                        .replace("@AUTH_BURST@", "100"))
            (m.dir / "astral-locations-0.1.0.conf").write_text(rendered)
            names = m.start_previous_programs()
            m.start_nginx(m.dir / "astral-locations-0.1.0.conf")
            m.wait_for_programs(names)
        with step(f"create data through HTTP on {PREVIOUS_VERSION}"):
            m.facts["data"] = create_data(m)
        m.facts["keys"] = {p: (digest(p), file_facts(p)) for p in KEY_FILES}
        with step(f"install {current.version} over {PREVIOUS_VERSION} (dpkg -i --force-confold, programs running)"):
            m.facts["upgrade_started"] = m.query("SELECT now()")[0][0]
            m.dpkg("upgrade", "--force-confdef", "--force-confold", "-i", current.deb)
            m.facts["status_after_upgrade"] = m.package_status()
        with step(f"restart the programs as {current.version}'s systemd units run them, nginx with "
                  f"the installed {NGINX_SNIPPET}"):
            m.stop_nginx()
            m.stop_programs()
            names = m.start_unit_programs()
            m.start_nginx(NGINX_SNIPPET)
            m.wait_for_programs(names)
        yield m
    finally:
        problems = m.cleanup()
        if problems:
            pytest.fail("clean-up after the upgrade test: " + "\n".join(problems), pytrace=False)


def test_first_install_made_the_user_the_configuration_directory_and_the_keys(machine):
    facts = machine.facts["first_install"]
    want = {
        ETC_DIR: (0o750, "root", SERVICE_USER),
        CONF: (0o640, "root", SERVICE_USER),
        KEY_FILES[0]: (0o600, SERVICE_USER, SERVICE_USER),
        KEY_FILES[1]: (0o600, SERVICE_USER, SERVICE_USER),
        VIDEO_DIR: (0o2750, SERVICE_USER, "www-data"),
    }
    wrong = [f"{p}: mode {facts[p][0]:o} {facts[p][1]}:{facts[p][2]}, want {w[0]:o} {w[1]}:{w[2]}"
             for p, w in want.items() if facts[p] != w]
    assert not wrong, "after the first install:\n" + "\n".join(wrong) + \
        f"\n--- dpkg -i output:\n{machine.outputs['install']}"


def test_upgrade_applied_the_new_migrations_exactly_once(machine):
    out = machine.outputs["upgrade"]
    assert machine.facts["status_after_upgrade"] == f"ii {machine.current.version}", (
        f"after dpkg -i the package is '{machine.facts['status_after_upgrade']}'\n{out}")
    rows = machine.schema_migrations()
    files = sorted(p.name for p in (SHARE / "migrations").glob("*.sql"))
    assert [r[1] for r in rows] == files, (
        f"schema_migrations after the upgrade: {[r[1] for r in rows]}; migration files: {files}\n"
        f"--- dpkg -i output:\n{out}")
    assert rows[:PREVIOUS_SCHEMA] == machine.facts["rows_before"], (
        "rows of 0.1.0's migrations changed during the upgrade (applied again?)")
    started = machine.facts["upgrade_started"]
    late = [r[1] for r in rows[PREVIOUS_SCHEMA:] if r[2] < started]
    assert not late, f"migrations recorded before the upgrade began: {late}"
    for name in files[PREVIOUS_SCHEMA:]:
        assert out.count(f"applied {name}") == 1, (
            f"postinst's output does not say once that it applied {name}:\n{out}")


def test_upgrade_kept_the_administrators_configuration(machine):
    now = CONF.read_bytes()
    assert now == machine.facts["edited_conf"], (
        f"{CONF} changed during the upgrade:\n--- now:\n{now.decode(errors='replace')[:3000]}\n"
        f"--- dpkg -i output:\n{machine.outputs['upgrade']}")
    assert file_facts(CONF) == (0o640, "root", SERVICE_USER), f"{CONF}: {file_facts(CONF)}"
    previous_default = subprocess.run(["git", "-C", str(package_build.SRC), "show",
                                       f"{PREVIOUS_COMMIT}:conf/astral.conf.example"], capture_output=True).stdout
    if previous_default != (package_build.SRC / "conf" / "astral.conf.example").read_bytes():
        assert Path(f"{CONF}.dpkg-dist").exists(), (
            f"{CONF}.dpkg-dist is missing: both the admin and the new version changed {CONF}, so dpkg "
            f"should have kept the edited file and put the new default beside it")


def test_upgrade_kept_the_keys(machine):
    now = {p: (digest(p), file_facts(p)) for p in KEY_FILES}
    assert now == machine.facts["keys"], (
        f"key files changed during the upgrade: before {machine.facts['keys']}, after {now}")


def test_programs_came_back_and_serve_the_earlier_data(machine):
    data = machine.facts["data"]
    account = http_client(machine)
    account.login(data["username"], data["password"])
    seeker = http_client(machine)
    r = seeker.refresh(data["refresh_token"])
    assert r.status == 200, f"refresh with the token from before the upgrade: {r}"
    seeker.access_token = r.json["access_token"]
    post = expect(seeker.get(f"/api/posts/{data['post_id']}"), 200).json
    assert post["content"] == data["post_text"]
    journal = expect(seeker.get("/api/wellness/journal"), 200).json
    assert [i["text"] for i in journal["items"]] == [data["journal_text"]], (
        f"the journal entry sealed before the upgrade does not open: {journal}")
    media = seeker.request("GET", f"/media/videos/{data['video_id']}", check=False)
    assert media.status == 200 and hashlib.sha256(media.body).hexdigest() == data["video_sha256"], (
        f"the video uploaded before the upgrade is not served as uploaded: {media}")


def test_relay_publishes_an_event_to_nchan(machine):
    """The relay the upgrade installed, run as its units say with the kept configuration (no relay
    key: the defaults), takes an event the service user sends to its socket, as a program does, and
    publishes it to the private nginx's nchan, which then holds it."""
    sock = unit_settings(UNIT_DIR / "astral-relay.socket")["ListenDatagram"][0]
    channel = "upgrade-relay-" + uuid.uuid4().hex
    run(["runuser", "-u", SERVICE_USER, "--", "/usr/bin/python3", "-c", SEND_EVENT, sock, channel,
         '{"type":"test.relay"}'], "sending an event to the relay as the service user")
    url = f"http://127.0.0.1:{machine.pub_port}/rt/pub/{channel}"
    deadline = time.monotonic() + 20
    answer = None
    while time.monotonic() < deadline:
        answer = requests.get(url, headers={"Accept": "application/json"}, timeout=5)
        if answer.status_code == 200 and json.loads(answer.text).get("messages", 0) >= 1:
            break
        time.sleep(0.1)
    log = (machine.dir / "log" / "relay.log").read_text(errors="replace")
    assert answer.status_code == 200 and json.loads(answer.text).get("messages", 0) >= 1, (
        f"nchan holds no message on channel {channel} 20 s after the event was sent to {sock} "
        f"(GET {url}: {answer.status_code} {answer.text[:300]}); relay log:\n{log}")
    assert "level=warn" not in log and "level=error" not in log, f"the relay logged problems:\n{log}"


def test_configuring_again_applies_nothing(machine):
    rows = machine.schema_migrations()
    with step(f"install {machine.current.version} again (dpkg -i)"):
        out = machine.dpkg("reinstall", "--force-confdef", "--force-confold", "-i", machine.current.deb)
    assert "no pending migrations" in out, f"a second configure ran migrations or did not say so:\n{out}"
    assert machine.schema_migrations() == rows


def test_purge_keeps_keys_and_data_unless_asked_then_removes_them(machine):
    keys = {p: digest(p) for p in KEY_FILES}
    video = VIDEO_DIR / machine.facts["data"]["video_id"]
    machine.stop_nginx()
    machine.stop_programs()
    with step("dpkg --purge without ASTRAL_PURGE_DATA"):
        out = machine.dpkg("purge", "--purge", PACKAGE)
    assert machine.package_status() in ("not known", "un"), f"after purge: {machine.package_status()}"
    gone = [p for p in (CONF, LIB_DIR, Path("/usr/sbin/astralctl"), SHARE) if p.exists()]
    assert not gone, f"purge left {gone}"
    kept = {p: digest(p) for p in KEY_FILES if p.exists()}
    assert kept == keys, f"purge without the flag did not keep the keys unchanged ({kept}):\n{out}"
    assert video.is_file(), f"purge without the flag removed the uploaded video {video}:\n{out}"
    assert "ASTRAL_PURGE_DATA=yes" in out, f"purge did not tell how to remove the kept data:\n{out}"
    for path in (ETC_DIR, CONF):
        listed = subprocess.run(["dpkg-statoverride", "--list", str(path)], capture_output=True, text=True)
        assert listed.returncode != 0, f"purge left the statoverride of {path}: {listed.stdout}"

    with step("install again over the kept keys (dpkg -i)"):
        out = machine.dpkg("install-again", "-i", machine.current.deb)
    assert {p: digest(p) for p in KEY_FILES} == keys, f"a new install replaced the kept keys:\n{out}"
    assert "left unchanged" in out, f"keys init did not say it kept the keys:\n{out}"

    with step("dpkg --purge with ASTRAL_PURGE_DATA=yes"):
        out = machine.dpkg("purge-data", "--purge", PACKAGE, env={"ASTRAL_PURGE_DATA": "yes"})
    left = [p for p in (ETC_DIR, DATA_DIR) if p.exists()]
    assert not left, f"purge with ASTRAL_PURGE_DATA=yes left {left}:\n{out}"
    user_now = Machine._user_exists()
    if machine.user_existed:
        assert user_now, f"purge removed the user {SERVICE_USER}, which existed before the package:\n{out}"
    else:
        assert not user_now, f"purge with the flag kept the user {SERVICE_USER} the package made:\n{out}"

