"""Every statement of every program prepares against a freshly migrated database, as the
application role (style.md practice 3). A program prepares all of them at connect and refuses to
start otherwise; `-t` does exactly that and exits."""

import os
import subprocess

def run_as_service_user(stack, argv):
    if os.geteuid() == 0 and stack.env.get("RUN_USER") and stack.env["RUN_USER"] != "root":
        argv = ["runuser", "-u", stack.env["RUN_USER"], "--"] + argv
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


def test_every_statement_prepares(stack):
    programs = stack.env["STACK_PROGRAMS"].split(",")
    assert {"auth", "posts", "chat", "helpers"} <= set(programs), programs
    for name in programs:
        binary = os.path.join(stack.env["ASTRAL_BUILD"], "cgi-bin", f"astral-{name}")
        r = run_as_service_user(stack, [binary, "-t", "-c", stack.env["ASTRAL_CONF"]])
        assert r.returncode == 0, r.stderr
        assert "statements prepared" in r.stdout, r.stdout
        assert int(r.stdout.split(":")[1].split()[0]) > 20, r.stdout
