"""The program's command line (lib/program.c): --version, -n (check the configuration), -t (also
prepare every statement), and errors an admin can act on."""

import os
import subprocess

import pytest


def binary(stack):
    return os.path.join(stack.env["ASTRAL_BUILD"], "cgi-bin", "astral-auth")


def run(stack, *args):
    argv = [binary(stack), *args]
    if os.geteuid() == 0 and stack.env.get("RUN_USER") not in (None, "", "root"):
        argv = ["runuser", "-u", stack.env["RUN_USER"], "--"] + argv
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


def test_version(stack):
    r = run(stack, "--version")
    assert r.returncode == 0
    assert r.stdout.startswith("astral-auth "), r.stdout


def test_check_configuration(stack):
    r = run(stack, "-n", "-c", stack.env["ASTRAL_CONF"])
    assert r.returncode == 0, r.stderr
    assert "configuration OK" in r.stdout


def test_missing_configuration_names_the_file(stack, tmp_path):
    missing = str(tmp_path / "nope.conf")
    r = run(stack, "-n", "-c", missing)
    assert r.returncode != 0
    assert missing in r.stderr, r.stderr


def test_unknown_key_names_the_line(stack):
    conf = open(stack.env["ASTRAL_CONF"]).read() + "\n[auth]\nno_such_key = 1\n"
    path = os.path.join(os.path.dirname(stack.env["ASTRAL_CONF"]), "unknown-key.conf")
    with open(path, "w") as f:
        f.write(conf)
    os.chmod(path, 0o644)                     # readable by the service user; holds no secret
    try:
        r = run(stack, "-n", "-c", path)
    finally:
        os.unlink(path)
    assert r.returncode != 0
    assert "no_such_key" in r.stderr, r.stderr


@pytest.mark.parametrize("args", [["--bogus"], ["-c"], ["extra"]])
def test_bad_arguments_print_usage(stack, args):
    r = run(stack, *args)
    assert r.returncode == 2
    assert "usage: astral-auth" in r.stderr
