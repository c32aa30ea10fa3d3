"""lib/db.c, lib/account.c and lib/audit.c against the stack's PostgreSQL: runs the cmocka program
tests/unit/test-db (built by `make check`, never run by it, since it needs a database) with the
connection strings of the application and owner roles, as the stack's run user (only that user can
reach the socket directory)."""

import os
import re
import subprocess
from pathlib import Path

import pytest

TEST_DB = Path("tests") / "unit" / "test-db"
TEST_ROUTER = Path("tests") / "unit" / "test-router"


def _binary(stack, program=TEST_DB):
    exe = stack.build / program
    # make is incremental: this rebuilds the test when libastral changed, and is quick otherwise.
    p = subprocess.run(["make", "-C", str(stack.build), str(program)], capture_output=True, text=True,
                       timeout=600)
    if p.returncode != 0 or not exe.exists():
        pytest.fail(f"cannot build {exe} ({p.returncode}):\n{p.stdout[-4000:]}\n{p.stderr[-4000:]}",
                    pytrace=False)
    return exe


def _conninfo(stack, user):
    return f"host={stack.pghost} port={stack.pgport} dbname={stack.pgdatabase} user={user}"


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASTRAL_TEST_")}
    env.update(ASAN_OPTIONS="detect_leaks=1", UBSAN_OPTIONS="print_stacktrace=1", **extra)
    return env


def _run(stack, exe, env):
    return subprocess.run(stack.as_run_user([str(exe)]), env=env, cwd="/", capture_output=True, text=True,
                          timeout=600)


def test_db_library_against_postgres(stack):
    exe = _binary(stack)
    p = _run(stack, exe, _env(ASTRAL_TEST_APP_CONNINFO=_conninfo(stack, "astral_app"),
                              ASTRAL_TEST_OWNER_CONNINFO=_conninfo(stack, stack.pguser_owner)))
    out = f"exit {p.returncode}\n--- stdout\n{p.stdout}\n--- stderr\n{p.stderr}"
    assert p.returncode == 0, f"{exe} failed:\n{out}"
    ran = re.search(r"\[=+\] (\d+) test\(s\) run\.", p.stdout + p.stderr)
    assert ran and int(ran.group(1)) >= 20, f"{exe} ran too few tests:\n{out}"
    assert "FAILED" not in p.stdout + p.stderr, out
    assert "Sanitizer" not in p.stderr, out


def test_db_library_fails_without_database(stack):
    """Without its environment the program fails loudly instead of passing with nothing run."""
    exe = _binary(stack)
    p = _run(stack, exe, _env())
    assert p.returncode != 0, f"{exe} passed without a database:\n{p.stdout}\n{p.stderr}"
    assert "ASTRAL_TEST_APP_CONNINFO" in p.stderr, p.stderr


def test_router_transactions_against_postgres(stack):
    """tests/unit/test-router's transaction tests (skipped by `make check`, which has no database):
    a handler's write stands after a 2xx or a 4xx and is rolled back after a 5xx."""
    exe = _binary(stack, TEST_ROUTER)
    p = _run(stack, exe, _env(ASTRAL_TEST_OWNER_CONNINFO=_conninfo(stack, stack.pguser_owner)))
    out = f"exit {p.returncode}\n--- stdout\n{p.stdout}\n--- stderr\n{p.stderr}"
    assert p.returncode == 0, f"{exe} failed:\n{out}"
    assert "SKIPPED" not in p.stdout + p.stderr, f"the transaction tests did not run:\n{out}"
    assert "[       OK ] test_router_server_error_rolls_back_the_handlers_writes" in p.stdout + p.stderr, out
    assert "[       OK ] test_router_replaced_answer_drops_its_headers" in p.stdout + p.stderr, out
    assert "Sanitizer" not in p.stderr, out
