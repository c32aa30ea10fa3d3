"""astral-relay (relay/main.c): the programs hand their real-time events to it over a Unix datagram
socket ([realtime] relay_socket) and it sends them to nchan's publisher in batches on one kept
connection (docs/architecture.md, "Real time").

On the stack: a message goes out through the relay (held while the relay is paused, delivered when
it goes on), and without the relay the programs publish themselves. Against a publisher of the
test's own (a loopback HTTP server that answers like nchan and closes its connection every N
requests, as nginx does at keepalive_requests): order and completeness across reconnects, waiting
for a publisher that is not there yet, datagrams that are not events, a publisher's refusal, the
drain on TERM, the socket's mode, and the configurations it refuses to run with."""

import os
import re
import signal
import socket
import stat
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import STACK_TOOL
from test_chat_setup import Subscriber, message_event, new_session, send


# ------------------------------------------------------------------ helpers

def relay_binary(stack):
    return stack.build / "relay" / "astral-relay"


def stack_relay_pid(stack):
    """The stack's astral-relay (the worker, not the multiwatch above it), or None."""
    out = subprocess.run(["pgrep", "-f", f"^{relay_binary(stack)} -c {stack.conf}$"],
                         capture_output=True, text=True).stdout.split()
    return int(out[0]) if out else None


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.02)


def relay_config(stack, directory, publish_port, **realtime):
    """The stack's configuration with a [realtime] section of the test's own."""
    text = Path(stack.conf).read_text()
    keys = {"transport": "nchan", "publish_url": f"http://127.0.0.1:{publish_port}/rt/pub",
            "relay_socket": str(directory / "relay.sock"), "relay_batch_ms": "2"}
    keys.update({k: str(v) for k, v in realtime.items()})
    section = "[realtime]\n" + "".join(f"{k} = {v}\n" for k, v in keys.items())
    # Drop the stack's [realtime] section (up to the next section) and put ours in its place.
    text = re.sub(r"^\[realtime\]\n(?:(?!\[).*\n|\n)*", section + "\n", text, flags=re.M)
    path = directory / "astral.conf"
    path.write_text(text)
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MockPublisher:
    """A loopback HTTP/1.1 server that takes pipelined POST /rt/pub/<channel> requests, records
    (channel, body) and answers each as nchan does; after `close_after` requests on one connection
    it answers with "Connection: close", closes, and reads nothing more (nginx's keepalive_requests)."""

    def __init__(self, port=0, close_after=None, status=201):
        self.close_after = close_after
        self.status = status
        self.events = []
        self.connections = 0
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.port = self.sock.getsockname()[1]
        self.stopped = False

    def start(self):
        self.sock.listen(16)
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def stop(self):
        self.stopped = True
        self.sock.close()

    def bodies(self):
        with self.lock:
            return [b for _, b in self.events]

    def _accept(self):
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        buf, served = b"", 0
        with conn:
            while True:
                end = buf.find(b"\r\n\r\n")
                if end < 0:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buf += data
                    continue
                head = buf[:end].decode()
                length = int(re.search(r"(?im)^content-length:\s*(\d+)", head).group(1))
                while len(buf) < end + 4 + length:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buf += data
                body = buf[end + 4:end + 4 + length].decode()
                buf = buf[end + 4 + length:]
                method, path, _ = head.split("\r\n", 1)[0].split(" ")
                assert method == "POST" and path.startswith("/rt/pub/"), head
                with self.lock:
                    self.events.append((path[len("/rt/pub/"):], body))
                served += 1
                last = self.close_after is not None and served >= self.close_after
                text = b'{"messages": 1}'
                conn.sendall(b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n%s\r\n%s"
                             % (self.status, len(text), b"Connection: close\r\n" if last else b"", text))
                if last:
                    return


class Relay:
    """astral-relay run by the test with its own configuration; its log goes to a file."""

    def __init__(self, stack, directory, publish_port, **realtime):
        self.dir = directory
        self.conf = relay_config(stack, directory, publish_port, **realtime)
        self.socket_path = directory / "relay.sock"
        self.log_path = directory / "relay.log"
        self.proc = subprocess.Popen([str(relay_binary(stack)), "-c", str(self.conf)],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=open(self.log_path, "w"))
        wait_until(lambda: self.socket_path.exists() or self.proc.poll() is not None, 10, "the relay's socket")
        assert self.proc.poll() is None, self.log()
        self.out = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.out.connect(str(self.socket_path))

    def send(self, datagram):
        self.out.send(datagram)

    def log(self):
        return self.log_path.read_text()

    def stop(self):
        self.out.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=5)
        return self.proc.returncode


@pytest.fixture
def relay_dir(tmp_path):
    os.chmod(tmp_path, 0o755)
    return tmp_path


# ------------------------------------------------------------------ on the stack

@pytest.mark.nginx_only("the relay sends to nchan; behind Apache nothing is published")
def test_a_message_goes_out_through_the_relay(stack):
    """Paused, the relay holds the event (it sits in the relay's socket): the message does not
    reach the other side until the relay goes on."""
    s, h, sid = new_session(stack)
    sub = Subscriber(stack, h, "websocket")
    pid = stack_relay_pid(stack)
    assert pid is not None, "the stack runs astral-relay"
    try:
        sub.drain(0.2)
        os.kill(pid, signal.SIGSTOP)
        m = send(s, sid, "through the relay")
        with pytest.raises(AssertionError):
            sub.wait_for(message_event(m["id"]), timeout=0.7)
        os.kill(pid, signal.SIGCONT)
        _, ev = sub.wait_for(message_event(m["id"]), timeout=1.0)
        assert ev["message"]["text"] == "through the relay"
    finally:
        os.kill(pid, signal.SIGCONT)
        sub.close()


@pytest.mark.nginx_only("the relay sends to nchan; behind Apache nothing is published")
def test_without_the_relay_the_programs_publish_themselves(stack):
    s, h, sid = new_session(stack)
    sub = Subscriber(stack, h, "websocket")
    pid_file = stack.dir / "run" / "relay.pid"
    try:
        sub.drain(0.2)
        os.kill(int(pid_file.read_text()), signal.SIGTERM)      # multiwatch, and the relay with it
        wait_until(lambda: stack_relay_pid(stack) is None, 10, "the relay's exit")
        for n in range(3):           # each program worker notices on its first event
            t0 = time.monotonic()
            m = send(s, sid, f"no relay {n}")
            at, _ = sub.wait_for(message_event(m["id"]), timeout=1.0)
            assert at - t0 <= 1.0
    finally:
        sub.close()
        p = subprocess.run([str(STACK_TOOL), "restart-programs", "--dir", str(stack.dir)],
                           capture_output=True, text=True, timeout=300)
        assert p.returncode == 0, p.stdout + p.stderr
    assert stack_relay_pid(stack) is not None


# ------------------------------------------------------------------ against a publisher of the test's own

def test_order_and_completeness_across_the_publishers_reconnects(stack, relay_dir):
    pub = MockPublisher(close_after=100).start()
    relay = Relay(stack, relay_dir, pub.port)
    try:
        for i in range(1000):
            relay.send(b"user-c%d\n{\"n\":%d}" % (i % 7, i))
        wait_until(lambda: len(pub.events) >= 1000, 20, "1000 events at the publisher")
        time.sleep(0.2)
        assert pub.bodies() == ['{"n":%d}' % i for i in range(1000)]     # none lost, none twice
        assert [c for c, _ in pub.events[:7]] == ["user-c%d" % i for i in range(7)]
        assert pub.connections >= 10
    finally:
        assert relay.stop() == 0
        pub.stop()


def test_events_wait_for_a_publisher_that_is_not_there_yet(stack, relay_dir):
    port = free_port()
    relay = Relay(stack, relay_dir, port)
    try:
        for i in range(20):
            relay.send(b"user-w\n{\"n\":%d}" % i)
        time.sleep(0.5)
        pub = MockPublisher(port=port).start()
        wait_until(lambda: len(pub.events) >= 20, 10, "the held events at the publisher")
        assert pub.bodies() == ['{"n":%d}' % i for i in range(20)]
        assert "cannot reach the publisher" in relay.log()
    finally:
        assert relay.stop() == 0
    pub.stop()


def test_datagrams_that_are_not_events_are_dropped(stack, relay_dir):
    pub = MockPublisher().start()
    relay = Relay(stack, relay_dir, pub.port)
    try:
        for bad in (b"no newline at all", b"bad channel\n{}", b"a/b\n{}", b"user-x\n", b"\n{}",
                    b"c" * 129 + b"\n{}"):
            relay.send(bad)
        relay.send(b"user-ok\n{\"ok\":true}")
        wait_until(lambda: len(pub.events) >= 1, 5, "the good event")
        time.sleep(0.3)
        assert pub.events == [("user-ok", '{"ok":true}')]
        wait_until(lambda: "6 datagrams were not events" in relay.log(), 3, "the relay's report")
    finally:
        assert relay.stop() == 0
        pub.stop()


def test_a_publishers_refusal_is_logged_and_not_retried(stack, relay_dir):
    pub = MockPublisher(status=400).start()
    relay = Relay(stack, relay_dir, pub.port)
    try:
        for i in range(5):
            relay.send(b"user-r\n{\"n\":%d}" % i)
        wait_until(lambda: "the publisher refused 5 events" in relay.log(), 5, "the relay's report")
        time.sleep(0.3)
        assert pub.bodies() == ['{"n":%d}' % i for i in range(5)]
    finally:
        assert relay.stop() == 0
        pub.stop()


def test_term_delivers_what_the_relay_holds(stack, relay_dir):
    """With a long batch window the events are still held when TERM comes; they go out before exit."""
    pub = MockPublisher().start()
    relay = Relay(stack, relay_dir, pub.port, relay_batch_ms=100)
    try:
        relay.send(b"user-t\n{\"n\":-1}")                       # starts a batch window
        for i in range(50):
            relay.send(b"user-t\n{\"n\":%d}" % i)
        assert relay.stop() == 0
        assert pub.bodies() == ['{"n":-1}'] + ['{"n":%d}' % i for i in range(50)]
    finally:
        pub.stop()


def test_the_socket_is_the_service_users_alone(stack, relay_dir):
    pub = MockPublisher().start()
    relay = Relay(stack, relay_dir, pub.port)
    try:
        mode = os.stat(relay.socket_path).st_mode
        assert stat.S_ISSOCK(mode) and stat.S_IMODE(mode) == 0o600
    finally:
        assert relay.stop() == 0
        pub.stop()


def test_configurations_it_refuses_to_run_with(stack, relay_dir):
    binary = str(relay_binary(stack))
    ok = relay_config(stack, relay_dir, 8091)
    p = subprocess.run([binary, "-n", "-c", str(ok)], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0 and "configuration OK" in p.stdout, p.stdout + p.stderr
    for realtime, says in (({"transport": "polling"}, "transport is polling"),
                           ({"relay_socket": "off"}, "relay_socket is off"),
                           ({"relay_socket": "relative/path"}, "absolute path"),
                           ({"publish_url": "http://192.0.2.1:8091/rt/pub"}, "loopback")):
        conf = relay_config(stack, relay_dir, 8091, **realtime)
        p = subprocess.run([binary, "-c", str(conf)], capture_output=True, text=True, timeout=30)
        assert p.returncode == 1 and says in p.stderr, (realtime, p.stdout, p.stderr)
