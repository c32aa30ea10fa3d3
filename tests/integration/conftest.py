"""Fixtures for the integration suite: a private stack (PostgreSQL, the FastCGI programs, nginx)
started by tools/dev/stack, a test clock, database connections and the admin CLI.

Environment:
  ASTRAL_SRC    source tree (default: two levels above this file)
  ASTRAL_BUILD  build tree with the test build (default: $ASTRAL_SRC/build-test)
  ASTRAL_KEEP_STACK=1  keep the stack directory after the run (it is kept anyway when a
                       sanitizer reported something; a failing test shows the log lines written
                       during it in its report)
  ASTRAL_FRONT=apache  the `stack` fixture puts Debian's Apache with conf/apache2/astral.conf.in in
                       front of the programs instead of nginx (real time by polling); tests marked
                       `nginx_only` are skipped then (test_apache_front.py runs the suite this way)

Run: /usr/bin/python3 -m pytest tests/integration
"""

import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import astral_client  # noqa: E402

SRC = Path(os.environ.get("ASTRAL_SRC") or Path(__file__).resolve().parents[2]).resolve()
BUILD = Path(os.environ.get("ASTRAL_BUILD") or SRC / "build-test").resolve()
STACK_TOOL = SRC / "tools" / "dev" / "stack"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
IS_ROOT = os.geteuid() == 0
FRONT = os.environ.get("ASTRAL_FRONT") or "nginx"
if FRONT not in ("nginx", "apache"):
    raise RuntimeError(f"ASTRAL_FRONT must be nginx or apache, got {FRONT!r}")
DEFAULT_RUN_USER = "astral"          # the stack runs its services as this user when started as root

_running_stacks = []


def _run(cmd, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 300)
    return subprocess.run(cmd, **kw)


class Stack:
    """A running stack; attributes come from DIR/stack.env."""

    def __init__(self, directory, env):
        self.dir = Path(directory)
        self.env = env
        self.src = SRC
        self.url = env["ASTRAL_URL"].rstrip("/")
        self.build = Path(env.get("ASTRAL_BUILD", BUILD))
        self.conf = env["ASTRAL_CONF"]
        self.pghost = env["PGHOST"]
        self.pgport = env["PGPORT"]
        self.pgdatabase = env.get("PGDATABASE", "astral")
        self.pguser_owner = env.get("PGUSER_OWNER", "astral_owner")
        self.run_user = env.get("RUN_USER") or pwd.getpwuid(os.geteuid()).pw_name
        self.log_dir = Path(env.get("LOG_DIR") or self.dir / "log")
        self.clock_file = self.dir / "clock"
        self.front = env.get("FRONT", "nginx")             # nginx | apache
        self.realtime = env.get("REALTIME", "nchan")       # nchan | polling (nothing published)

    # --- processes run as the service user
    def as_run_user(self, cmd):
        me = pwd.getpwuid(os.geteuid()).pw_name
        if IS_ROOT and self.run_user != me:
            return ["runuser", "-u", self.run_user, "--"] + list(cmd)
        return list(cmd)

    def astralctl(self, *args, input=None):
        """Run `astralctl -c CONF args...`; returns CompletedProcess (never raises on exit code)."""
        cmd = [str(self.build / "tools" / "astralctl"), "-c", self.conf] + [str(a) for a in args]
        return _run(self.as_run_user(cmd), input=input, cwd="/")

    def create_user(self, role, username, display_name, password):
        p = self.astralctl("user", "create", "--role", role, "--username", username,
                           "--display-name", display_name, "--password-stdin",
                           input=password + "\n")
        assert p.returncode == 0, f"astralctl user create failed: {p.returncode}\n{p.stdout}\n{p.stderr}"
        return p

    # --- database
    def connect(self, user=None):
        import psycopg2
        conn = psycopg2.connect(host=self.pghost, port=self.pgport, dbname=self.pgdatabase,
                                user=user or self.pguser_owner, connect_timeout=10)
        conn.autocommit = True
        return conn

    def owner_db(self):
        return self.connect(self.pguser_owner)

    def app_db(self):
        return self.connect("astral_app")

    def query(self, sql, params=None, user=None):
        conn = self.connect(user)
        try:
            with conn.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall() if cur.description else None
        finally:
            conn.close()

    def pg_dump(self):
        exe = PG_BIN / "pg_dump"
        cmd = [str(exe if exe.exists() else "pg_dump"), "-h", self.pghost, "-p", str(self.pgport),
               "-U", self.pguser_owner, "-d", self.pgdatabase, "--no-password"]
        p = subprocess.run(cmd, capture_output=True, timeout=300)
        assert p.returncode == 0, f"pg_dump failed: {p.stderr.decode(errors='replace')}"
        return p.stdout

    def db_stop(self):
        p = _run([str(STACK_TOOL), "db-stop", "--dir", str(self.dir)])
        assert p.returncode == 0, f"stack db-stop failed:\n{p.stdout}\n{p.stderr}"

    def db_start(self):
        p = _run([str(STACK_TOOL), "db-start", "--dir", str(self.dir)])
        assert p.returncode == 0, f"stack db-start failed:\n{p.stdout}\n{p.stderr}"

    # --- test clock
    def set_clock(self, offset_seconds=None, frozen_at=None):
        """Move the programs' clock by an offset, or stop it at a unix time (frozen_at)."""
        tmp = self.clock_file.with_name("clock.tmp")
        tmp.write_text(f"@{int(frozen_at)}\n" if frozen_at is not None else f"{int(offset_seconds)}\n")
        os.chmod(tmp, 0o644)
        os.replace(tmp, self.clock_file)

    # --- logs
    def log_files(self):
        if not self.log_dir.is_dir():
            return []
        return sorted(p for p in self.log_dir.rglob("*") if p.is_file())

    def sanitizer_reports(self):
        if not self.log_dir.is_dir():
            return []
        return sorted(p for p in self.log_dir.iterdir()
                      if p.is_file() and (p.name.startswith("asan") or p.name.startswith("ubsan")))

    def client(self, mode="cookie", **kw):
        return astral_client.Client(self.url, mode=mode, src=self.src, **kw)


def _parse_env(path):
    env = {}
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        k, _, v = line.partition("=")
        v = v.strip()
        if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
            v = v[1:-1]
        env[k.strip()] = v
    return env


def _make_dir_reachable(directory):
    """When root, the services run as DEFAULT_RUN_USER: every parent must be traversable and
    the stack directory owned by that user."""
    os.chmod(directory, 0o755)
    if not IS_ROOT:
        return
    for parent in Path(directory).resolve().parents:
        mode = parent.stat().st_mode
        if not (mode & stat.S_IXOTH):
            os.chmod(parent, stat.S_IMODE(mode) | 0o755)
    try:
        pw = pwd.getpwnam(DEFAULT_RUN_USER)
    except KeyError:
        return                      # the stack tool creates the user and chowns itself
    os.chown(directory, pw.pw_uid, pw.pw_gid)


def start_stack(extra_args=(), label="stack"):
    if not STACK_TOOL.exists():
        raise RuntimeError(f"{STACK_TOOL} does not exist")
    if not (BUILD / "cgi-bin").is_dir():
        raise RuntimeError(f"no test build at {BUILD} (expected {BUILD}/cgi-bin)")
    directory = tempfile.mkdtemp(prefix=f"astral-it-{label}-")
    _make_dir_reachable(directory)
    cmd = [str(STACK_TOOL), "start", "--dir", directory, "--build", str(BUILD), "--test",
           *extra_args]
    p = _run(cmd, timeout=600)
    env_file = Path(directory) / "stack.env"
    if p.returncode != 0 or not env_file.exists():
        _run([str(STACK_TOOL), "stop", "--dir", directory])
        raise RuntimeError(f"stack start failed ({p.returncode}); dir kept at {directory}\n"
                           f"stdout:\n{p.stdout[-4000:]}\nstderr:\n{p.stderr[-4000:]}")
    st = Stack(directory, _parse_env(env_file))
    if not st.clock_file.exists():
        st.set_clock(0)
    _running_stacks.append(st)
    return st


def stop_stack(st, keep=False):
    """Stop the stack, then report sanitizer files (they are written at exit too)."""
    p = _run([str(STACK_TOOL), "stop", "--dir", str(st.dir)])
    if st in _running_stacks:
        _running_stacks.remove(st)
    reports = st.sanitizer_reports()
    problems = []
    if p.returncode != 0:
        problems.append(f"stack stop failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    for r in reports:
        problems.append(f"==== sanitizer report {r}\n{r.read_text(errors='replace')[:20000]}")
    if problems or keep or os.environ.get("ASTRAL_KEEP_STACK"):
        print(f"\nstack directory kept: {st.dir}", file=sys.stderr)
    else:
        shutil.rmtree(st.dir, ignore_errors=True)
    if problems:
        text = "\n".join(problems)
        print(text, file=sys.stderr)
        pytest.fail(f"{st.dir}: sanitizer reports or stop failure:\n{text}", pytrace=False)


@pytest.fixture(scope="session")
def stack(request):
    st = start_stack(["--front", FRONT], label="main")
    yield st
    stop_stack(st)


@pytest.fixture(scope="module")
def throttled_stack(request):
    st = start_stack(["--auth-rate", "2r/s", "--auth-burst", "2"], label="throttled")
    yield st
    stop_stack(st)


class Clock:
    """The programs' clock offset (test builds read DIR/clock)."""

    def __init__(self, st):
        self.stack = st
        self.offset = 0
        self.frozen_at = None

    def set(self, seconds):
        self.offset = int(seconds)
        self.frozen_at = None
        self.stack.set_clock(self.offset)

    def advance(self, seconds):
        self.set(self.offset + int(seconds))

    def freeze(self):
        """Stop the programs' clock at the start of the next whole second, so every request until
        the next set() falls in that one second."""
        self.frozen_at = int(self.now()) + 1
        self.stack.set_clock(frozen_at=self.frozen_at)

    def now(self):
        """The programs' idea of now (unix seconds)."""
        return self.frozen_at if self.frozen_at is not None else time.time() + self.offset


@pytest.fixture
def clock(stack):
    c = Clock(stack)
    c.set(0)
    yield c
    c.set(0)


@pytest.fixture
def owner_db(stack):
    conn = stack.owner_db()
    yield conn
    conn.close()


@pytest.fixture
def client(stack):
    """A cookie (browser) client."""
    return stack.client("cookie")


@pytest.fixture
def bearer(stack):
    """A Bearer (API) client."""
    return stack.client("bearer")


# ------------------------------------------------ tests that need nginx itself

def pytest_configure(config):
    config.addinivalue_line(
        "markers", "nginx_only(reason): needs nginx itself (nchan streams, its logs or limits); "
                   "skipped with the reason when ASTRAL_FRONT=apache")


def pytest_runtest_setup(item):
    mark = item.get_closest_marker("nginx_only")
    if mark is not None and FRONT != "nginx":
        reason = mark.args[0] if mark.args else mark.kwargs.get("reason", "needs nginx")
        pytest.skip(f"nginx only: {reason}")


# ------------------------------------------------ attribution of sanitizer reports and logs

@pytest.fixture(autouse=True)
def _sanitizer_watch(request):
    """Fail the test during which a sanitizer report appeared (the session teardown reports
    them again)."""
    before = {st: set(st.sanitizer_reports()) for st in _running_stacks}
    sizes = {}
    for st in _running_stacks:
        for f in st.log_files():
            try:
                sizes[f] = f.stat().st_size
            except OSError:
                pass
    request.node._astral_log_sizes = sizes
    yield
    new = []
    for st in list(_running_stacks):
        new += sorted(set(st.sanitizer_reports()) - before.get(st, set()))
    if new:
        text = "\n".join(f"==== {p}\n{p.read_text(errors='replace')[:8000]}" for p in new)
        pytest.fail(f"sanitizer report(s) appeared during this test:\n{text}", pytrace=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.when != "call" or not rep.failed:
        return
    sizes = getattr(item, "_astral_log_sizes", {})
    for st in _running_stacks:
        for f in st.log_files():
            if f.name.startswith(("asan", "ubsan")):
                continue
            try:
                with open(f, "rb") as fh:
                    fh.seek(sizes.get(f, 0))
                    chunk = fh.read()[-6000:]
            except OSError:
                continue
            if chunk:
                rep.sections.append((f"log {f.name} (during this test)",
                                     chunk.decode("utf-8", "replace")))
