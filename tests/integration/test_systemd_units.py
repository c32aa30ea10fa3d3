"""The systemd units (conf/systemd/*.in, rendered by make): `systemd-analyze verify` accepts every
installed unit; every program of tools/dev/stack has a socket and a hardened service in
astral.target, and so has the real-time relay (a datagram socket only the service user may send
to, a service sandboxed tighter than the programs'); a program service's own command line, given
a listening socket on fd 0 as systemd gives it, serves a FastCGI request from the running test
stack's configuration; and the relay service's, given its datagram socket made as the socket unit
makes it, passes an event sent by the service user on to a publisher."""

import http.server
import json
import os
import pwd
import re
import shlex
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from conftest import SRC
from installed_tree import install_tree

# The program whose service is started in test_service_command_serves_fastcgi.
SERVED_PROGRAM = "auth"

# Settings every service must have, exactly (issue 8, item 2).
HARDENING = {
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "PrivateDevices": "yes",
    "ProtectKernelTunables": "yes",
    "ProtectKernelModules": "yes",
    "ProtectKernelLogs": "yes",
    "ProtectControlGroups": "yes",
    "ProtectClock": "yes",
    "ProtectHostname": "yes",
    "RestrictNamespaces": "yes",
    "RestrictRealtime": "yes",
    "RestrictSUIDSGID": "yes",
    "LockPersonality": "yes",
    "MemoryDenyWriteExecute": "yes",
    "SystemCallArchitectures": "native",
    "RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6",
    "CapabilityBoundingSet": "",
    "AmbientCapabilities": "",
    "UMask": "0077",
    # No core dumps: a worker's memory holds keys and plain text (docs/operations.md, section 6).
    "LimitCORE": "0",
    "User": "astral",
    "Group": "astral",
    "StandardInput": "socket",
    "StandardOutput": "journal",
    "StandardError": "journal",
    "PartOf": "astral.target",
}
DEFAULT_WORKERS = {"ai": "32"}      # every other program: 4
WRITE_PATHS = {"videos": "-/var/lib/astral/videos"}
# The AI workers share their circuit breaker through a file there (ai.breaker_file's default).
RUNTIME_DIRS = {"ai": "astral-ai"}
# The real-time relay (relay/main.c): its own socket and service, in astral.target beside the programs.
RELAY_UNITS = ("astral-relay.socket", "astral-relay.service")
# What the relay's service has beyond HARDENING: it writes no file, reaches only loopback, sees no
# other process and no SysV IPC; it is started again whenever it exits, but given up (the programs
# then publish themselves) after five starts in a minute, so that one that cannot start does not
# loop every RestartSec= for ever.
RELAY_SETTINGS = {
    "IPAddressDeny": "any",
    "IPAddressAllow": "localhost",
    "PrivateIPC": "yes",
    "ProtectProc": "invisible",
    "ProcSubset": "pid",
    "Restart": "always",
    "StartLimitIntervalSec": "60s",
    "StartLimitBurst": "5",
}
# Settings that would let a service write somewhere (the relay must have none).
WRITE_SETTINGS = ("ReadWritePaths", "RuntimeDirectory", "StateDirectory", "CacheDirectory", "LogsDirectory",
                  "ConfigurationDirectory")


def stack_programs():
    """The names in tools/dev/stack's PROGRAMS list ("name:probe" entries)."""
    text = (SRC / "tools" / "dev" / "stack").read_text()
    block = re.search(r"^PROGRAMS=\((.*?)^\)", text, re.S | re.M)
    assert block, "tools/dev/stack has no PROGRAMS=( ... ) list"
    names = re.findall(r'"([a-z]+):', block.group(1))
    assert names, "tools/dev/stack's PROGRAMS list names no program"
    return names


def parse_unit(path):
    """{section: {key: [values in file order]}}; systemd allows a key more than once."""
    sections, current = {}, None
    for number, raw in enumerate(Path(path).read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None and "=" in line, f"{path}:{number}: not a unit file line: {raw!r}"
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def one(unit, name, section, key):
    values = unit.get(section, {}).get(key)
    assert values, f"{name}: [{section}] has no {key}="
    assert len(values) == 1, f"{name}: [{section}] sets {key}= {len(values)} times: {values}"
    return values[0]


@pytest.fixture(scope="module")
def tree():
    t = install_tree()
    assert t.unitdir, ("the build was configured without systemd units "
                       "(--with-systemdsystemunitdir=no, or pkg-config knows no systemd): "
                       "install the Debian package systemd and configure again")
    return t


@pytest.fixture(scope="module")
def units(tree):
    d = tree.path(tree.unitdir)
    found = sorted(p for p in d.glob("astral*") if p.is_file())
    assert found, f"make install put no astral unit in {d}"
    return {p.name: p for p in found}


def test_systemd_analyze_verify_accepts_every_unit(tree, units, tmp_path):
    """Verified as installed, with the programs' paths pointed into DESTDIR (where they are) so
    that verify checks that every ExecStart binary exists and is executable, and with MANPATH
    pointed at the installed man pages so that every Documentation= page must exist."""
    libexec_real = tree.libexecdir.rstrip("/") + "/"
    libexec_dest = str(tree.path(tree.libexecdir)).rstrip("/") + "/"
    for name, path in units.items():
        text = path.read_text().replace(libexec_real, libexec_dest)
        (tmp_path / name).write_text(text)
    env = dict(os.environ, MANPATH=f"{tree.path(tree.mandir)}:", SYSTEMD_LOG_COLOR="0")
    cmd = ["systemd-analyze", "verify", "--man=yes"] + [str(tmp_path / n) for n in sorted(units)]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    output = (p.stdout + p.stderr).strip()
    # verify exits 0 after warnings such as an unknown key or a misspelt system call group:
    # any message at all is a failure.
    assert p.returncode == 0 and not output, (
        f"systemd-analyze verify rejected the installed units (exit {p.returncode}):\n{output}\n"
        f"(command: {' '.join(cmd)})")


def test_every_program_has_a_socket_and_hardened_service_in_the_target(tree, units):
    programs = stack_programs()
    assert "astral.target" in units, f"no astral.target among the installed units: {sorted(units)}"
    target = parse_unit(units["astral.target"])
    wanted = " ".join(target.get("Unit", {}).get("Wants", [])).split()
    assert one(target, "astral.target", "Install", "WantedBy") == "multi-user.target"
    expected = {f"astral-{p}.{kind}" for p in programs for kind in ("socket", "service")}
    expected.add("astral.target")
    expected.update(RELAY_UNITS)
    assert set(units) == expected, (f"installed units differ from tools/dev/stack's programs: "
                                    f"missing {sorted(expected - set(units))}, "
                                    f"extra {sorted(set(units) - expected)}")

    libexec = tree.libexecdir.rstrip("/")
    conf = tree.sysconfdir.rstrip("/") + "/astral/astral.conf"
    problems = [f"astral.target: Wants= lacks {n}" for n in RELAY_UNITS if n not in wanted]
    for p in programs:
        sock_name, svc_name = f"astral-{p}.socket", f"astral-{p}.service"
        for n in (sock_name, svc_name):
            if n not in wanted:
                problems.append(f"astral.target: Wants= lacks {n}")

        sock = parse_unit(units[sock_name])
        for key, value in {"ListenStream": f"/run/astral/{p}.sock", "Accept": "no",
                           "SocketUser": "root", "SocketGroup": "www-data", "SocketMode": "0660",
                           "RemoveOnStop": "yes"}.items():
            got = sock.get("Socket", {}).get(key)
            if got != [value]:
                problems.append(f"{sock_name}: [Socket] {key}= is {got}, expected {value!r}")
        if sock.get("Unit", {}).get("PartOf") != ["astral.target"]:
            problems.append(f"{sock_name}: [Unit] PartOf= is not astral.target")

        svc = parse_unit(units[svc_name])
        settings = {**svc.get("Unit", {}), **svc.get("Service", {})}
        for key, value in HARDENING.items():
            got = settings.get(key)
            if got is None:
                problems.append(f"{svc_name}: {key}= is missing (expected {value!r})")
            elif got != [value]:
                problems.append(f"{svc_name}: {key}= is {got}, expected {value!r}")
        filters = settings.get("SystemCallFilter", [])
        if not filters or filters[0] != "@system-service" or not any(f.startswith("~") for f in filters[1:]):
            problems.append(f"{svc_name}: SystemCallFilter= must allow @system-service and then "
                            f"remove groups with ~ (got {filters})")
        if settings.get("ReadWritePaths", []) != ([WRITE_PATHS[p]] if p in WRITE_PATHS else []):
            problems.append(f"{svc_name}: ReadWritePaths= is {settings.get('ReadWritePaths')}, "
                            f"expected {WRITE_PATHS.get(p, 'none')}")
        if settings.get("RuntimeDirectory", []) != ([RUNTIME_DIRS[p]] if p in RUNTIME_DIRS else []):
            problems.append(f"{svc_name}: RuntimeDirectory= is {settings.get('RuntimeDirectory')}, "
                            f"expected {RUNTIME_DIRS.get(p, 'none')}")
        if p in RUNTIME_DIRS and settings.get("RuntimeDirectoryMode") != ["0700"]:
            problems.append(f"{svc_name}: RuntimeDirectoryMode= is {settings.get('RuntimeDirectoryMode')}, expected 0700")
        workers = DEFAULT_WORKERS.get(p, "4")
        if settings.get("Environment") != [f"ASTRAL_WORKERS={workers}"]:
            problems.append(f"{svc_name}: Environment= is {settings.get('Environment')}, "
                            f"expected ASTRAL_WORKERS={workers}")
        exec_start = (f"/usr/bin/multiwatch -f ${{ASTRAL_WORKERS}} -s TERM -- "
                      f"{libexec}/astral/astral-{p} -c {conf}")
        if settings.get("ExecStart") != [exec_start]:
            problems.append(f"{svc_name}: ExecStart= is {settings.get('ExecStart')}, expected {exec_start!r}")
        if settings.get("Requires") != [sock_name]:
            problems.append(f"{svc_name}: Requires= is {settings.get('Requires')}, expected {sock_name}")
        if "Wants" in settings:
            problems.append(f"{svc_name}: Wants= {settings['Wants']} (a service wants nothing)")
        after = " ".join(settings.get("After", [])).split()
        for dep in (sock_name, "postgresql.service", "network.target"):
            if dep not in after:
                problems.append(f"{svc_name}: After= lacks {dep}")
    assert not problems, "unit problems:\n" + "\n".join(problems)


def relay_socket_default():
    """[realtime] relay_socket's default, from lib/config.c's key table."""
    text = (SRC / "lib" / "config.c").read_text()
    m = re.search(r'\.name = "relay_socket".*?\.def = "([^"]+)"', text, re.S)
    assert m, "lib/config.c's key table has no relay_socket with a default"
    return m.group(1)


def test_relay_has_a_private_datagram_socket_and_a_tighter_service(tree, units):
    """The relay's socket is a datagram socket at relay_socket's default that only the service
    user can send to (the programs run as astral; SocketMode 0600, as the relay itself binds it);
    its service gets it on fd 0, checks the configuration first, and is sandboxed like the programs'
    services and further: no write path, loopback only."""
    sock_name, svc_name = RELAY_UNITS
    libexec = tree.libexecdir.rstrip("/")
    conf = tree.sysconfdir.rstrip("/") + "/astral/astral.conf"
    problems = []

    sock = parse_unit(units[sock_name])
    for key, value in {"ListenDatagram": relay_socket_default(), "SocketUser": "astral",
                       "SocketGroup": "astral", "SocketMode": "0600", "DirectoryMode": "0755",
                       "RemoveOnStop": "yes"}.items():
        got = sock.get("Socket", {}).get(key)
        if got != [value]:
            problems.append(f"{sock_name}: [Socket] {key}= is {got}, expected {value!r}")
    for key in ("ListenStream", "ListenSequentialPacket", "Accept"):
        if key in sock.get("Socket", {}):
            problems.append(f"{sock_name}: [Socket] has {key}= {sock['Socket'][key]} (one datagram socket only)")
    if sock.get("Unit", {}).get("PartOf") != ["astral.target"]:
        problems.append(f"{sock_name}: [Unit] PartOf= is not astral.target")

    svc = parse_unit(units[svc_name])
    settings = {**svc.get("Unit", {}), **svc.get("Service", {})}
    for key, value in {**HARDENING, **RELAY_SETTINGS}.items():
        got = settings.get(key)
        if got != [value]:
            problems.append(f"{svc_name}: {key}= is {got}, expected {value!r}")
    filters = settings.get("SystemCallFilter", [])
    if not filters or filters[0] != "@system-service" or not any(f.startswith("~") for f in filters[1:]):
        problems.append(f"{svc_name}: SystemCallFilter= must allow @system-service and then remove groups "
                        f"with ~ (got {filters})")
    for key in WRITE_SETTINGS:
        if key in settings:
            problems.append(f"{svc_name}: {key}= {settings[key]} (the relay writes no file)")
    relay = f"{libexec}/astral/astral-relay"
    for key, value in {"ExecStartPre": f"{relay} -n -c {conf}", "ExecStart": f"{relay} -c {conf}",
                       "Requires": sock_name, "Sockets": sock_name}.items():
        if settings.get(key) != [value]:
            problems.append(f"{svc_name}: {key}= is {settings.get(key)}, expected {value!r}")
    if sock_name not in " ".join(settings.get("After", [])).split():
        problems.append(f"{svc_name}: After= lacks {sock_name}")
    for key in ("Wants", "Environment"):
        if key in settings:
            problems.append(f"{svc_name}: {key}= {settings[key]} (the relay needs none)")
    assert not problems, "relay unit problems:\n" + "\n".join(problems)


# ------------------------------------------------------------------ FastCGI, by hand

FCGI_BEGIN_REQUEST, FCGI_END_REQUEST, FCGI_PARAMS, FCGI_STDIN, FCGI_STDOUT, FCGI_STDERR = 1, 3, 4, 5, 6, 7


def _record(kind, content, request_id=1):
    return struct.pack("!BBHHBx", 1, kind, request_id, len(content), 0) + content


def _pair_length(n):
    return bytes([n]) if n < 128 else struct.pack("!I", n | 0x80000000)


def fastcgi_request(path, params):
    """One FastCGI responder request without a body on the Unix socket at path, with the given
    CGI parameters: (stdout bytes, app status). Raises on a protocol error or a timeout."""
    body = b""
    for k, v in params.items():
        k, v = k.encode(), v.encode()
        body += _pair_length(len(k)) + _pair_length(len(v)) + k + v
    out, app_status = b"", None
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(30)
        s.connect(path)
        s.sendall(_record(FCGI_BEGIN_REQUEST, struct.pack("!HB5x", 1, 0)) + _record(FCGI_PARAMS, body)
                  + _record(FCGI_PARAMS, b"") + _record(FCGI_STDIN, b""))
        data = b""
        while app_status is None:
            chunk = s.recv(65536)
            if not chunk:
                raise AssertionError(f"the program closed the connection before FCGI_END_REQUEST "
                                     f"(stdout so far: {out!r})")
            data += chunk
            while len(data) >= 8:
                _, kind, _, length, padding = struct.unpack("!BBHHBx", data[:8])
                if len(data) < 8 + length + padding:
                    break
                content, data = data[8:8 + length], data[8 + length + padding:]
                if kind == FCGI_STDOUT:
                    out += content
                elif kind == FCGI_END_REQUEST:
                    app_status = struct.unpack("!I", content[:4])[0]
    return out, app_status


def _children(pid):
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            kids.append(int(entry))
    return kids


def _terminate(proc, timeout):
    """TERM, then the exit status; None when it had to be killed after `timeout` seconds."""
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None


def _alive(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _command(settings, key, tree, conf):
    """A service's Exec line as the service would run it here: ${VARS} from Environment=, the
    installed program under DESTDIR, the test stack's configuration instead of the installed one."""
    env = dict(e.split("=", 1) for e in settings.get("Environment", []))
    line = settings[key][0]
    line = re.sub(r"\$\{(\w+)\}", lambda m: env[m.group(1)], line)
    argv = shlex.split(line)
    libexec = tree.libexecdir.rstrip("/") + "/"
    argv = [str(tree.path(a)) if a.startswith(libexec) else a for a in argv]
    i = argv.index("-c")
    assert argv[i + 1] == tree.sysconfdir.rstrip("/") + "/astral/astral.conf", \
        f"{key}= names the configuration {argv[i + 1]}, not the installed one"
    argv[i + 1] = conf
    return argv


def test_service_command_serves_fastcgi(tree, units, stack):
    """astral-auth.service's ExecStartPre= and ExecStart= run as systemd runs them: as the service
    user, with the listening socket on fd 0 and no other environment than the unit's. The program
    answers GET /healthz/auth over FastCGI (200 means it reached the stack's PostgreSQL), logs the
    request on stderr (the journal), runs ASTRAL_WORKERS workers and stops on SIGTERM."""
    name = f"astral-{SERVED_PROGRAM}.service"
    settings = parse_unit(units[name])["Service"]
    workers = int(dict(e.split("=", 1) for e in settings["Environment"])["ASTRAL_WORKERS"])
    user = pwd.getpwnam(stack.run_user)
    # As systemd starts it: the unit's UMask=, and User=/Group= when we may switch users.
    ids = {"umask": int(settings["UMask"][0], 8)}
    if os.geteuid() == 0:
        ids.update(user=user.pw_uid, group=user.pw_gid, extra_groups=[])
    env = {"PATH": "/usr/bin:/bin",
           # The test build has sanitizers; a real report still fails the test (stderr below).
           "ASAN_OPTIONS": "detect_leaks=0", "UBSAN_OPTIONS": "print_stacktrace=1"}

    check = subprocess.run(_command(settings, "ExecStartPre", tree, stack.conf), capture_output=True,
                           text=True, env=env, cwd="/", timeout=60, **ids)
    assert check.returncode == 0 and "configuration OK" in check.stdout, (
        f"{name}'s ExecStartPre= refused the stack's configuration ({check.returncode}):\n"
        f"{check.stdout}\n{check.stderr}")

    with tempfile.TemporaryDirectory(prefix="astral-it-unit-") as d:
        sock_path = os.path.join(d, "program.sock")
        log_path = os.path.join(d, "journal.log")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(sock_path)
        listener.listen(128)
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(_command(settings, "ExecStart", tree, stack.conf), stdin=listener.fileno(),
                                    stdout=log, stderr=log, env=env, cwd="/", **ids)
        listener.close()
        try:
            request_id = "unit-test-" + os.urandom(6).hex()
            out, app_status = fastcgi_request(sock_path, {
                "REQUEST_METHOD": "GET", "DOCUMENT_URI": f"/healthz/{SERVED_PROGRAM}",
                "REQUEST_URI": f"/healthz/{SERVED_PROGRAM}", "QUERY_STRING": "",
                "REMOTE_ADDR": "127.0.0.1", "REQUEST_ID": request_id, "SERVER_PROTOCOL": "HTTP/1.1"})
            head, _, body = out.decode("utf-8", "replace").partition("\r\n\r\n")
            assert app_status == 0 and head.startswith("Status: 200"), (
                f"GET /healthz/{SERVED_PROGRAM} over FastCGI: app status {app_status}, answer:\n{out!r}")
            try:
                answer = json.loads(body)
            except ValueError:
                answer = None
            assert answer == {"status": "ok", "program": SERVED_PROGRAM, "database": "ok"}, \
                f"unexpected health answer: {body!r}"

            deadline = time.time() + 20
            while len(_children(proc.pid)) != workers and time.time() < deadline:
                time.sleep(0.2)
            kids = _children(proc.pid)
            assert len(kids) == workers, (f"multiwatch runs {len(kids)} workers, the unit's "
                                          f"ASTRAL_WORKERS is {workers}")
            log_text = Path(log_path).read_text(errors="replace")
            assert any(f"req={request_id}" in line and "status=200" in line for line in log_text.splitlines()), \
                f"no log line for request {request_id} with status=200 on stderr:\n{log_text}"
        finally:
            workers_started = _children(proc.pid)
            rc = _terminate(proc, 30)
            left = [pid for pid in workers_started if _alive(pid)]
            for pid in left:
                os.kill(pid, signal.SIGKILL)
        log_text = Path(log_path).read_text(errors="replace")
        assert rc == 0, f"multiwatch did not stop cleanly on SIGTERM (exit {rc}); log:\n{log_text}"
        assert not left, f"workers {left} outlived multiwatch's SIGTERM (killed now); log:\n{log_text}"
        for marker in ("AddressSanitizer", "runtime error:", "LeakSanitizer"):
            assert marker not in log_text, f"sanitizer report from {name}'s command:\n{log_text}"


# ------------------------------------------------------------------ the relay, by hand

# A program's side of the relay (lib/relay_client.c), in a few lines: N events, one datagram each.
SEND_EVENTS = """
import socket, sys
path, channel, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect(path)
for n in range(count):
    s.send(channel.encode() + b"\\n" + ('{"type":"test.relay","n":%d}' % n).encode())
"""


class _Publisher(http.server.BaseHTTPRequestHandler):
    """nchan's publisher as the relay meets it: HTTP/1.1 on a kept connection, each POST answered
    201 with a body. What it received is in server.received: (path, Content-Type, body)."""
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.server.received.append((self.path, self.headers.get("Content-Type"), body))
        answer = b"queued messages: 1\n"
        self.send_response(201)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def relay_config(stack_conf, path, publish_url, transport):
    """The stack's configuration (its database, keys and paths) with [realtime] set for the relay."""
    keys = {"transport": transport, "publish_url": publish_url, "relay_socket": relay_socket_default()}
    mine = [f"{k} = {v}" for k, v in keys.items()]
    out, section, placed = [], None, False
    for line in Path(stack_conf).read_text().splitlines():
        s = line.strip()
        if s.startswith("[") and s.endswith("]"):
            section = s[1:-1].strip()
            out.append(line)
            if section == "realtime":
                out += mine
                placed = True
            continue
        if section == "realtime" and "=" in s and s[0] not in "#;" and s.split("=", 1)[0].strip() in keys:
            continue
        out.append(line)
    if not placed:
        out += ["", "[realtime]"] + mine
    Path(path).write_text("\n".join(out) + "\n")
    os.chmod(path, 0o644)


def test_relay_service_command_relays_events(tree, units, stack):
    """astral-relay.service's ExecStartPre= and ExecStart= run as systemd runs them: as the service
    user, with a datagram socket made as astral-relay.socket makes it (owned by the service user,
    its SocketMode) on fd 0. Events the service user sends there reach the publisher in order, each
    one POST to publish_url/<channel>; another user cannot send; the configuration check refuses
    transport = polling (nothing to relay: behind Apache the units are masked); SIGTERM stops the
    relay with status 0."""
    sock_unit = parse_unit(units[RELAY_UNITS[0]])["Socket"]
    settings = parse_unit(units[RELAY_UNITS[1]])["Service"]
    user = pwd.getpwnam(stack.run_user)
    as_root = os.geteuid() == 0
    ids = {"umask": int(settings["UMask"][0], 8)}
    if as_root:
        ids.update(user=user.pw_uid, group=user.pw_gid, extra_groups=[])
    env = {"PATH": "/usr/bin:/bin", "ASAN_OPTIONS": "detect_leaks=0", "UBSAN_OPTIONS": "print_stacktrace=1"}
    events = 20

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Publisher)
    server.received = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with tempfile.TemporaryDirectory(prefix="astral-it-relay-") as d:
            os.chmod(d, 0o755)
            publish_url = f"http://127.0.0.1:{server.server_address[1]}/rt/pub"
            conf, polling = os.path.join(d, "astral.conf"), os.path.join(d, "polling.conf")
            relay_config(stack.conf, conf, publish_url, "nchan")
            relay_config(stack.conf, polling, publish_url, "polling")

            check = subprocess.run(_command(settings, "ExecStartPre", tree, conf), capture_output=True,
                                   text=True, env=env, cwd="/", timeout=60, **ids)
            assert check.returncode == 0 and "configuration OK" in check.stdout, (
                f"{RELAY_UNITS[1]}'s ExecStartPre= refused the configuration ({check.returncode}):\n"
                f"{check.stdout}\n{check.stderr}")
            refused = subprocess.run(_command(settings, "ExecStartPre", tree, polling), capture_output=True,
                                     text=True, env=env, cwd="/", timeout=60, **ids)
            assert refused.returncode == 1 and "nothing to relay" in refused.stderr, (
                f"with transport = polling the relay's check should exit 1 saying there is nothing to "
                f"relay; it exited {refused.returncode}:\n{refused.stdout}\n{refused.stderr}")

            sock_path = os.path.join(d, "relay.sock")
            log_path = os.path.join(d, "journal.log")
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            sock.bind(sock_path)
            if as_root:                  # SocketUser=/SocketGroup= name the service user
                os.chown(sock_path, user.pw_uid, user.pw_gid)
            os.chmod(sock_path, int(sock_unit["SocketMode"][0], 8))
            with open(log_path, "wb") as log:
                proc = subprocess.Popen(_command(settings, "ExecStart", tree, conf), stdin=sock.fileno(),
                                        stdout=log, stderr=log, env=env, cwd="/", **ids)
            sock.close()
            try:
                channel = "relay-test-" + os.urandom(6).hex()
                sent = subprocess.run(["/usr/bin/python3", "-c", SEND_EVENTS, sock_path, channel, str(events)],
                                      capture_output=True, text=True, env=env, cwd="/", timeout=60, **ids)
                assert sent.returncode == 0, (
                    f"the service user could not send to the relay's socket:\n{sent.stderr}")
                if as_root:
                    nobody = pwd.getpwnam("nobody")
                    other = subprocess.run(["/usr/bin/python3", "-c", SEND_EVENTS, sock_path, channel, "1"],
                                           capture_output=True, text=True, env=env, cwd="/", timeout=60,
                                           user=nobody.pw_uid, group=nobody.pw_gid, extra_groups=[])
                    assert other.returncode != 0 and "PermissionError" in other.stderr, (
                        f"user nobody could send to a socket of mode {sock_unit['SocketMode'][0]} "
                        f"(exit {other.returncode}):\n{other.stderr}")
                deadline = time.time() + 20
                while len(server.received) < events and time.time() < deadline:
                    time.sleep(0.05)
                time.sleep(0.2)           # nothing more may come
                expected = [(f"/rt/pub/{channel}", "application/json", b'{"type":"test.relay","n":%d}' % n)
                            for n in range(events)]
                log_text = Path(log_path).read_text(errors="replace")
                assert server.received == expected, (
                    f"the publisher received {len(server.received)} requests, expected the {events} events "
                    f"in order: {server.received[:3]} ...\nrelay log:\n{log_text}")
                assert "relaying events from the socket systemd gave to " + publish_url in log_text, (
                    f"no start line naming the socket systemd gave and {publish_url}:\n{log_text}")
            finally:
                rc = _terminate(proc, 10)
            log_text = Path(log_path).read_text(errors="replace")
            assert rc == 0, f"the relay did not stop cleanly on SIGTERM (exit {rc}); log:\n{log_text}"
            for marker in ("AddressSanitizer", "runtime error:", "LeakSanitizer"):
                assert marker not in log_text, f"sanitizer report from {RELAY_UNITS[1]}'s command:\n{log_text}"
    finally:
        server.shutdown()
        server.server_close()
